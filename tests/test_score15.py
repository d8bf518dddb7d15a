"""Tests of the SCORE-15 strand: scoring, missing-item rule, ingest of bad answers, reliable change,
recovery of the planted change from synthetic data, generator determinism, and the notebook.

Expected values are worked out by hand in the comments, never copied from the code's output.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import config, ingest, roster
from helpers.strands.score15 import analysis, inputs
from helpers.strands.score15.section import build_section
from helpers.synthetic import generate_all

KEY = b"test-key"
Q = list(inputs.ITEMS)
# Answers as ticked on the form, items 1..15: 1,2,3,4,5 repeated three times.
PATTERN = [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5]
# Scored (problem items 2,4,5,7,8,9,11,12,13,14 become 6 - answer; 1,3,6,10,15 kept):
#   item:    1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
#   answer:  1  2  3  4  5  1  2  3  4  5  1  2  3  4  5
#   scored:  1  4  3  2  1  1  4  3  2  5  5  4  3  2  5
# strengths (1,3,6,10,15)   = 1+3+1+5+5 = 15 -> 3.0
# overwhelmed (5,7,9,11,14) = 1+4+2+5+2 = 14 -> 2.8
# disrupted (2,4,8,12,13)   = 4+2+3+4+3 = 16 -> 3.2
# total = 45 / 15 = 3.0


def _forms(rows: list[list]) -> pd.DataFrame:
    return pd.DataFrame([[np.nan if v is None else v for v in r] for r in rows], columns=Q).astype("Int64")


def _with(pattern, **blank):
    """PATTERN with the items numbered in ``blank`` (q01=None...) set to missing."""
    row = list(pattern)
    for name in blank:
        row[int(name[1:]) - 1] = None
    return row


# ---------------------------------------------------------------- scoring


def test_reverse_list_is_the_ten_problem_items():
    assert sorted(inputs.REVERSED_ITEMS) == [2, 4, 5, 7, 8, 9, 11, 12, 13, 14]
    kept = sorted(set(range(1, 16)) - set(inputs.REVERSED_ITEMS))
    assert kept == [1, 3, 6, 10, 15] == sorted(inputs.SUBSCALES["strengths_adaptability"])


def test_scoring_complete_forms_with_reversed_items():
    s = analysis.score_items(analysis.scored_items(_forms([PATTERN, [1] * 15, [5] * 15])))
    # PATTERN: worked out at the top of the file.
    assert s.loc[0, "strengths_adaptability"] == pytest.approx(3.0)
    assert s.loc[0, "overwhelmed_by_difficulties"] == pytest.approx(2.8)
    assert s.loc[0, "disrupted_communication"] == pytest.approx(3.2)
    assert s.loc[0, "total"] == pytest.approx(3.0)
    # All answers 1 ("describes us very well"): strengths items stay 1, the ten problem items become 5.
    # strengths 1, overwhelmed 5, disrupted 5, total (5*1 + 10*5)/15 = 55/15.
    assert s.loc[1, ["strengths_adaptability", "overwhelmed_by_difficulties", "disrupted_communication"]].tolist() == [
        1,
        5,
        5,
    ]
    assert s.loc[1, "total"] == pytest.approx(55 / 15)
    # All answers 5: strengths 5, problems 1; total (5*5 + 10*1)/15 = 35/15.
    assert s.loc[2, "total"] == pytest.approx(35 / 15)
    assert s["n_items_answered"].tolist() == [15, 15, 15]
    assert not s["total_prorated"].any()
    for name in inputs.SUBSCALES:
        assert not s[f"{name}_prorated"].any()


def test_one_missing_item_is_prorated():
    s = analysis.score_items(analysis.scored_items(_forms([_with(PATTERN, q10=None)]))).iloc[0]
    # Item 10 (scored 5) missing: strengths = (1+3+1+5)/4 = 2.5, prorated; others unchanged.
    assert s["strengths_adaptability"] == pytest.approx(2.5)
    assert bool(s["strengths_adaptability_prorated"]) is True
    assert bool(s["overwhelmed_by_difficulties_prorated"]) is False
    assert s["overwhelmed_by_difficulties"] == pytest.approx(2.8)
    # Total = mean of the 14 answered scored items = (45 - 5)/14 = 40/14.
    assert s["total"] == pytest.approx(40 / 14)
    assert bool(s["total_prorated"]) is True
    assert s["n_items_answered"] == 14


def test_one_missing_in_each_subscale_still_gives_a_total():
    s = analysis.score_items(analysis.scored_items(_forms([_with(PATTERN, q01=None, q05=None, q02=None)]))).iloc[0]
    # strengths (3,1,5,5)/4 = 3.5; overwhelmed (4,2,5,2)/4 = 3.25; disrupted (2,3,4,3)/4 = 3.0
    # total = (45 - 1 - 1 - 4)/12 = 39/12 = 3.25
    assert s["strengths_adaptability"] == pytest.approx(3.5)
    assert s["overwhelmed_by_difficulties"] == pytest.approx(3.25)
    assert s["disrupted_communication"] == pytest.approx(3.0)
    assert s["total"] == pytest.approx(3.25)
    assert s["n_items_answered"] == 12


def test_two_missing_in_a_subscale_is_not_scored():
    s = analysis.score_items(analysis.scored_items(_forms([_with(PATTERN, q01=None, q03=None)]))).iloc[0]
    # Two of the five strengths items missing: no strengths score and so no total;
    # the other subscales are complete: 2.8 and 3.2.
    assert math.isnan(s["strengths_adaptability"])
    assert pd.isna(s["strengths_adaptability_prorated"])
    assert math.isnan(s["total"])
    assert pd.isna(s["total_prorated"])
    assert s["overwhelmed_by_difficulties"] == pytest.approx(2.8)
    assert s["disrupted_communication"] == pytest.approx(3.2)
    assert s["n_items_answered"] == 13


def _write_csv(path: Path, rows: list[dict]) -> None:
    cols = ["family_id", "respondent_id", "borough", "wave", "completed_on", "respondent_role", "age", *Q]
    pd.DataFrame(rows, columns=cols).to_csv(path / "score15_responses.csv", index=False)


def _row(resp="R1", fam="F1", wave=1, age=40, answers=PATTERN, **over):
    row = {
        "family_id": fam,
        "respondent_id": resp,
        "borough": "Westminster",
        "wave": wave,
        "completed_on": "2015-03-01" if wave == 1 else "2015-09-01",
        "respondent_role": "mother",
        "age": age,
    }
    row.update({q: a for q, a in zip(Q, answers, strict=True)})
    row.update(over)
    return row


def test_out_of_range_answers_are_blanked_and_logged(tmp_path):
    _write_csv(
        tmp_path,
        [
            _row("R1", q07="7"),  # row 2: above the maximum
            _row("R2", q03="x", q01="0"),  # row 3: not a number; below the minimum
            _row("R3", age=9),  # row 4: too young for SCORE-15 -> row rejected
            _row("R4", wave=3),  # row 5: no wave 3 -> row rejected
            _row("R5"),  # row 6: clean
        ],
    )
    res = ingest.read_raw(inputs.RESPONSES, tmp_path, key=KEY)
    assert res.rows_read == 5 and res.rows_accepted == 3 and res.rows_rejected == 2
    blanked = res.issues[res.issues["action"] == "value set to missing"]
    got = sorted(zip(blanked["file"], blanked["row"], blanked["column"], blanked["value"], strict=True))
    assert got == [
        ("score15_responses.csv", 2, "q07", "7"),
        ("score15_responses.csv", 3, "q01", "0"),
        ("score15_responses.csv", 3, "q03", "x"),
    ]
    rejected = res.issues[res.issues["action"] == "row rejected"]
    assert sorted(zip(rejected["row"], rejected["column"], strict=True)) == [(4, "age"), (5, "wave")]
    assert inputs.item_issues(res.issues).shape[0] == 3
    s = analysis.score_items(analysis.scored_items(res.data))  # same row order as the file: R1, R2, R5
    # R1: item 7 blanked (scored 4): overwhelmed (1+2+5+2)/4 = 2.5; total (45 - 4)/14 = 41/14.
    r1 = s.iloc[0]
    assert r1["overwhelmed_by_difficulties"] == pytest.approx(2.5)
    assert r1["total"] == pytest.approx(41 / 14)
    # R2: items 1 and 3 blanked, both strengths items -> no strengths score, no total.
    assert math.isnan(s.iloc[1]["strengths_adaptability"]) and math.isnan(s.iloc[1]["total"])
    assert s.iloc[2]["total"] == pytest.approx(3.0)
    # Identifiers were pseudonymised with their prefixes.
    assert res.data["family_id"].str.startswith("F").all() and res.data["respondent_id"].str.startswith("R").all()
    assert not res.data["respondent_id"].isin(["R1", "R2", "R5"]).any()


# ---------------------------------------------------------------- reliable change and change tables


def test_reliable_change_index_by_hand():
    # SD1 = 0.5, alpha = 0.84: SE = 0.5 * sqrt(0.16) = 0.2; Sdiff = sqrt(2) * 0.2 = 0.282843;
    # RCI = 1.96 * 0.282843 = 0.554372.
    r = analysis.reliable_change_index(0.5, 0.84)
    assert r["se_measurement"] == pytest.approx(0.2)
    assert r["s_diff"] == pytest.approx(0.2828427, abs=1e-6)
    assert r["rci"] == pytest.approx(0.5543717, abs=1e-6)
    cats = analysis.classify_change([-0.6, -0.55, 0.0, 0.56, np.nan], r["rci"]).tolist()
    # lower is better: -0.6 improved; -0.55 and 0 within the band; 0.56 worse; no change value -> None.
    assert cats == ["improved", "no_reliable_change", "no_reliable_change", "worse", None]
    # A change exactly at the threshold counts as reliable (<= -RCI, >= RCI).
    assert analysis.classify_change([-0.5, 0.5, 0.49], 0.5).tolist() == ["improved", "worse", "no_reliable_change"]


def _scores(rows):
    cols = ["family_id", "respondent_id", "borough", "wave", "completed_on", "respondent_role", "total"]
    t = pd.DataFrame(rows, columns=cols)
    for s in inputs.SUBSCALES:
        t[s] = t["total"]
    return t


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # bootstrap of d_z on 2 pairs hits zero SDs
def test_respondent_and_family_change_by_hand():
    scores = _scores(
        [
            ("FA", "r1", "Westminster", 1, "2015-01-01", "mother", 3.0),
            ("FA", "r1", "Westminster", 2, "2015-07-01", "mother", 2.0),
            ("FA", "r2", "Westminster", 1, "2015-01-01", "young_person", 2.0),
            ("FA", "r2", "Westminster", 2, "2015-07-01", "young_person", 2.5),
            ("FA", "r3", "Westminster", 1, "2015-01-01", "father", 4.0),  # wave 1 only: left out
            ("FB", "r4", "Westminster", 1, "2015-01-01", "mother", 4.0),
            ("FB", "r4", "Westminster", 2, "2015-07-01", "mother", 3.0),
            ("FC", "r5", "Westminster", 1, "2015-01-01", "mother", 3.0),
            ("FC", "r5", "Westminster", 2, "2015-07-01", "mother", np.nan),  # no wave-2 total: left out
        ]
    )
    families = pd.DataFrame(
        {"family_id": ["FA", "FB", "FC"], "practitioner_trained": pd.array([True, False, True], dtype="boolean")}
    )
    resp = analysis.respondent_change(scores, families, rci=0.6)
    # r1 -1.0 (improved, <= -0.6), r2 +0.5 (no reliable change), r4 -1.0 (improved)
    assert resp.set_index("respondent_id")["change"].to_dict() == {"r1": -1.0, "r2": 0.5, "r4": -1.0}
    assert resp.set_index("respondent_id")["reliable_change"].to_dict() == {
        "r1": "improved",
        "r2": "no_reliable_change",
        "r4": "improved",
    }
    fam = analysis.family_change(resp)
    assert fam.columns[:5].tolist() == ["family_id", "n_respondents", "total_wave1", "total_wave2", "change"]
    # FA: members r1, r2; wave 1 mean (3 + 2)/2 = 2.5, wave 2 (2 + 2.5)/2 = 2.25, change -0.25. FB: 4 -> 3.
    a = fam.set_index("family_id")
    assert a.loc["FA", ["n_respondents", "total_wave1", "total_wave2", "change"]].tolist() == [2, 2.5, 2.25, -0.25]
    assert a.loc["FB", ["n_respondents", "change"]].tolist() == [1, -1.0]
    assert "FC" not in a.index
    rc = analysis.reliable_change_table(resp, 0.6).set_index("group")
    # all: 3 respondents, 2 improved (66.7%); trained (FA): 2, 1 improved (50%); not trained (FB): 1, 1 improved.
    assert rc.loc["all", ["n_respondents", "n_improved", "n_no_reliable_change", "n_worse"]].tolist() == [3, 2, 1, 0]
    assert rc.loc["all", "pct_improved"] == pytest.approx(200 / 3)
    assert rc.loc["trained", ["n_respondents", "n_improved"]].tolist() == [2, 1]
    assert rc.loc["not_trained", ["n_respondents", "n_improved"]].tolist() == [1, 1]
    summ = analysis.change_summary(resp, fam, n_boot=200).set_index(["unit", "group"])
    # respondents, all: changes -1, 0.5, -1 -> mean -0.5; families: -0.25, -1 -> mean -0.625.
    assert summ.loc[("respondents", "all"), "mean_change"] == pytest.approx(-0.5)
    assert summ.loc[("respondents", "all"), "mean_wave1"] == pytest.approx(3.0)  # (3 + 2 + 4)/3
    assert summ.loc[("families", "all"), "mean_change"] == pytest.approx(-0.625)


def test_trained_difference_by_hand():
    fam = pd.DataFrame(
        {
            "family_id": list("ABCDE"),
            "change": [-1.0, -0.5, 0.0, 0.5, -2.0],
            "practitioner_trained": pd.array([True, True, False, False, pd.NA], dtype="boolean"),
        }
    )
    d = analysis.trained_difference(fam)
    # trained mean -0.75, not trained 0.25 (E, unknown, left out): difference -1.0.
    # Welch: variances 0.125 and 0.125, se = sqrt(0.125/2 + 0.125/2) = 0.353553; df = 0.125^2 /
    # (0.0625^2 + 0.0625^2) = 2; t(0.975, 2) = 4.302653; CI = -1 -/+ 4.302653 * 0.353553 = -1 -/+ 1.521217.
    assert (d["n_trained"], d["n_not_trained"]) == (2, 2)
    assert d["difference"] == pytest.approx(-1.0)
    assert d["ci_low"] == pytest.approx(-2.521217, abs=1e-5)
    assert d["ci_high"] == pytest.approx(0.521217, abs=1e-5)


def test_family_bootstrap_with_one_member_per_family_is_the_plain_bootstrap():
    # With one member per family (families in sorted order), resampling families is resampling values,
    # so the interval must equal stats.bootstrap_ci with the same seed (a second implementation).
    from helpers import stats

    x = np.array([-0.4, 0.1, -1.0, 0.3, -0.2, -0.6, 0.0, -0.3])
    fams = [f"F{i}" for i in range(len(x))]
    assert analysis.family_bootstrap_ci(x, fams, n_boot=400, seed=3) == pytest.approx(
        stats.bootstrap_ci(x, n_boot=400, seed=3)
    )
    # Two families with identical members' changes: the mean can only be -1, 0 or a member-weighted mix.
    lo, hi = analysis.family_bootstrap_ci([-1, -1, 0], ["A", "A", "B"], n_boot=400, seed=0)
    assert -1 <= lo <= hi <= 0


# ---------------------------------------------------------------- synthetic data end to end


def _run(raw: Path, processed: Path, monkeypatch, borough="all", n_boot=500):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    responses = ingest.ingest(inputs.RESPONSES, raw, processed)
    prac = roster.load_practitioners(raw, processed, borough)
    fams = roster.load_families(raw, processed, prac.data, borough)
    data = inputs.filter_borough(responses.data, config.borough_names(borough))
    return responses, analysis.analyse(data, fams.data, n_boot=n_boot, seed=1)


@pytest.fixture(scope="module")
def default_data(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    truth = generate_all(raw, strands=("roster", "score15"))
    return raw, truth["strands"]["score15"]


def test_planted_change_is_recovered(default_data, tmp_path, monkeypatch):
    raw, truth = default_data
    responses, res = _run(raw, tmp_path, monkeypatch)
    # Every deliberately malformed row is rejected, every out-of-range answer blanked.
    assert responses.rows_rejected == truth["malformed_rows"]
    assert len(inputs.item_issues(responses.issues)) == truth["items_out_of_range"]
    assert responses.rows_read == truth["rows_written"]
    summ = res[analysis.CHANGE_SUMMARY.key].set_index(["unit", "group"])
    expected = truth["expected_observed_change"]
    for unit, key in (("respondents", "respondent_mean_change"), ("families", "family_mean_change")):
        row = summ.loc[(unit, "all")]
        assert row["ci_low"] <= expected[key] <= row["ci_high"], (unit, expected[key], row["ci_low"], row["ci_high"])
        assert row["family_boot_ci_low"] <= expected[key] <= row["family_boot_ci_high"]
        assert row["ci_high"] < 0  # a real improvement is detected
    for group, key in (
        ("trained", "respondent_mean_change_trained"),
        ("not_trained", "respondent_mean_change_not_trained"),
    ):
        row = summ.loc[("respondents", group)]
        assert row["ci_low"] <= expected[key] <= row["ci_high"]
    diff = res["trained_difference"]
    planted_diff = expected["family_mean_change_trained"] - expected["family_mean_change_not_trained"]
    assert diff["ci_low"] <= planted_diff <= diff["ci_high"] and diff["ci_high"] < 0
    # Alpha of the total near the published 0.89-0.90.
    rel = res[analysis.RELIABILITY.key].set_index("scale")
    assert 0.85 <= rel.loc["total", "alpha"] <= 0.93
    # Every table matches its declared output (write_output checks the columns).
    for spec in analysis.OUTPUTS:
        ingest.write_output(res[spec.key], spec, tmp_path)
    fam = pd.read_csv(tmp_path / "score15" / "family_change.csv")
    assert fam.columns[:5].tolist() == ["family_id", "n_respondents", "total_wave1", "total_wave2", "change"]


def test_alpha_and_rci_match_a_second_computation(default_data, tmp_path, monkeypatch):
    raw, _ = default_data
    responses, res = _run(raw, tmp_path, monkeypatch, n_boot=50)
    w1 = responses.data[responses.data["wave"] == 1]
    items = w1[Q].astype(float)
    for i in inputs.REVERSED_ITEMS:
        items[f"q{i:02d}"] = 6 - items[f"q{i:02d}"]
    complete = items.dropna()
    k = 15
    # Cronbach's formula: k/(k-1) * (1 - sum of item variances / variance of the sum).
    alpha = k / (k - 1) * (1 - complete.var(ddof=1).sum() / complete.sum(axis=1).var(ddof=1))
    assert res["rci"]["alpha"] == pytest.approx(alpha, abs=1e-9)
    sd1 = res[analysis.SCORES.key].query("wave == 1")["total"].std(ddof=1)
    assert res["rci"]["rci"] == pytest.approx(1.96 * np.sqrt(2) * sd1 * np.sqrt(1 - alpha), abs=1e-9)


def test_null_change_covers_zero(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    truth = generate_all(raw, strands=("roster", "score15"), effects={"score15": {"change_total": 0.0}})
    assert truth["strands"]["score15"]["expected_observed_change"]["respondent_mean_change"] == pytest.approx(
        0, abs=0.01
    )
    _, res = _run(raw, tmp_path / "proc", monkeypatch)
    summ = res[analysis.CHANGE_SUMMARY.key].set_index(["unit", "group"])
    for unit in ("respondents", "families"):
        row = summ.loc[(unit, "all")]
        assert row["ci_low"] <= 0 <= row["ci_high"]
        assert row["family_boot_ci_low"] <= 0 <= row["family_boot_ci_high"]


def test_borough_filter(default_data, tmp_path, monkeypatch):
    raw, _ = default_data
    _, res = _run(raw, tmp_path, monkeypatch, borough="westminster", n_boot=50)
    assert set(res[analysis.SCORES.key]["borough"]) == {"Westminster"}
    assert set(res[analysis.FAMILY_CHANGE.key]["borough"]) == {"Westminster"}
    assert res[analysis.CHANGE_RESPONDENTS.key]["practitioner_trained"].notna().all()


def test_generator_is_deterministic(tmp_path):
    files = []
    for name, seed in (("a", 2014), ("b", 2014), ("c", 7)):
        generate_all(tmp_path / name, seed=seed, strands=("roster", "score15"))
        files.append((tmp_path / name / "score15_responses.csv").read_bytes())
    assert files[0] == files[1]
    assert files[0] != files[2]


# ---------------------------------------------------------------- notebook


NOTEBOOK = config.NOTEBOOKS_DIR / "35_score15.ipynb"


def test_notebook_runs_for_one_borough(default_data, tmp_path, monkeypatch, run_notebook):
    raw, _ = default_data
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    run_notebook(
        NOTEBOOK.name,
        tmp_path / "out.ipynb",
        borough="westminster",
        raw_dir=str(raw),
        processed_dir=str(tmp_path / "proc"),
        bootstrap_samples=200,
    )
    folder = tmp_path / "proc" / "westminster"
    section = folder / "report_sections" / "35_score15" / "section.json"
    assert section.exists()
    meta = json.loads(section.read_text())
    assert meta["synthetic"] is True and meta["order"] == 35
    assert "Westminster" in meta["items"][0]["text"]
    assert (folder / "score15" / "family_change.csv").exists()
    assert set(pd.read_csv(folder / "score15" / "scores.csv")["borough"]) == {"Westminster"}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_section_on_a_handful_of_people_gives_no_small_counts(tmp_path):
    from helpers.report_section import Section

    answers = [PATTERN, [2] * 15, [3] * 15, [4, 2, 4, 2, 2, 4, 2, 2, 2, 4, 2, 2, 2, 2, 4]]
    rows = [_row(f"R{i}", fam=f"F{i % 2}", wave=w, answers=answers[(i + w) % 4]) for i in range(4) for w in (1, 2)]
    _write_csv(tmp_path, rows)
    data = ingest.read_raw(inputs.RESPONSES, tmp_path, key=KEY).data
    res = analysis.analyse(data, None, n_boot=50)
    section = Section(strand="score15", title="t", order=35, processed_dir=tmp_path / "proc", synthetic=False)
    figs = build_section(section, res)
    section.save()
    text = " ".join(i["text"] for i in section.items if i["kind"] == "markdown")
    # 4 people in 2 families: their counts are small, so not printed, and no chart is drawn; the 8 forms
    # (4 people x 2 waves) are above the threshold of 5 and are printed.
    assert figs == [] and not any(i["kind"] == "figure" for i in section.items)
    assert "fewer than 6 members of fewer than 6 families" in text
    assert "Of 8 forms" in text
    assert " 4 members" not in text and " 2 families" not in text and "Of 4 family members" not in text
