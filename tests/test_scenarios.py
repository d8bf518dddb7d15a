"""Tests of the practice-scenarios strand: coding frame validation, reliability statistics on
hand-made coder tables, resolution and alignment scoring (with missing and invalid codes), the
comparisons, recovery of the planted training effect (and of a null effect), quotation rules, the
generator and the notebook.

Expected values are worked out by hand in the comments or by an independent implementation written
here, never copied from the code's output.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import slow_fixture
from helpers import config, ingest, redaction, roster
from helpers.report_section import Section
from helpers.strands.scenarios import analysis, inputs
from helpers.strands.scenarios.section import build_section
from helpers.synthetic import generate_all

KEY = b"test-key"
OUTCOMES = list(
    inputs.OUTCOMES
)  # hypothesising, curiosity, relational, network, child_voice, reflexivity, purposeful, risk_safety


# ---------------------------------------------------------------- coding frame


def test_default_frame_is_valid_and_complete():
    frame = inputs.load_coding_frame()
    assert OUTCOMES == [
        "hypothesising",
        "curiosity",
        "relational",
        "network",
        "child_voice",
        "reflexivity",
        "purposeful",
        "risk_safety",
    ]
    assert frame["scale"] == {0: "absent", 1: "partly present", 2: "clearly present"}
    assert frame["benchmark"]["reliable"] == 0.8 and frame["benchmark"]["tentative"] == 0.667
    for o in frame["outcomes"]:
        assert sorted(o["anchors"]) == [0, 1, 2] and o["definition"]
    t = analysis.coding_frame_table()
    assert len(t) == 8 * 3 and list(t.columns) == analysis.CODING_FRAME.column_names


def _frame_file(tmp_path: Path, mutate) -> Path:
    frame = yaml.safe_load(inputs.FRAME_FILE.read_text(encoding="utf-8"))
    mutate(frame)
    path = tmp_path / "frame.yaml"
    path.write_text(yaml.safe_dump(frame), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda f: f["outcomes"][0]["anchors"].update({3: "beyond the scale"}), "outside the scale"),
        (lambda f: f["outcomes"][1]["anchors"].pop(2), "no anchor for level"),
        (lambda f: f["outcomes"].append(dict(f["outcomes"][0])), "duplicate code"),
        (lambda f: f.update(scale={0: "absent", 2: "clearly present"}), "consecutive"),
        (lambda f: f["benchmark"].update(tentative=0.9), "tentative < reliable"),
        (lambda f: f["outcomes"][2].pop("definition"), "missing definition"),
    ],
)
def test_malformed_frame_is_an_error(tmp_path, mutate, message):
    with pytest.raises(inputs.CodingFrameError, match=message):
        inputs.load_coding_frame(_frame_file(tmp_path, mutate))


def test_a_code_outside_the_scale_is_an_error():
    inputs.check_codes([0, 1, 2, np.nan])  # fine
    with pytest.raises(inputs.CodingFrameError, match="outside the scale"):
        inputs.check_codes([0, 1, 3])
    codes = pd.DataFrame({"answer_id": ["a1"], "coder": ["A"], "outcome": ["network"], "level": [3]})
    with pytest.raises(inputs.CodingFrameError):
        analysis.resolve_codes(codes)
    # The raw schema takes its range from the frame: level 0..2.
    col = inputs.CODES.column("level")
    assert (col.minimum, col.maximum) == (0, 2)


# ---------------------------------------------------------------- reliability on hand-made tables

# Seven answers, coders A and B; the last has no B code (not pairable, left out everywhere).
A7 = [0, 1, 2, 2, 1, 0, 1]
B7 = [0, 1, 2, 1, 1, 1, np.nan]
# By hand (six pairable answers):
#   agreement: 4 of 6 equal -> 66.67%.
#   A x B table: A=0 -> B (0,1); A=1 -> B (1,1); A=2 -> B (2,1): rows [1,1,0],[0,2,0],[0,1,1];
#   row margins 2,2,2; column margins 1,4,1; N = 6. Quadratic weights (i-j)^2.
#   observed weighted disagreement = 1*1 + 1*1 = 2; expected = sum w r_i c_j / N
#   = (1*2*4 + 4*2*1 + 1*2*1 + 1*2*1 + 4*2*1 + 1*2*4)/6 = 36/6 = 6 -> kappa_w = 1 - 2/6 = 2/3.
#   Krippendorff (ordinal): coincidences o = [[2,1,0],[1,4,1],[0,1,2]], n_c = 3,6,3, n = 12;
#   delta^2(0,1) = delta^2(1,2) = ((3+6)/2)^2 = 20.25, delta^2(0,2) = (12 - 3)^2 = 81;
#   sum o delta^2 = 4 * 20.25 = 81; sum_{c!=k} n_c n_k delta^2 = 2*(18*20.25 + 18*20.25 + 9*81) = 2916;
#   alpha = 1 - 11 * 81 / 2916 = 25/36 = 0.69444.


def test_reliability_statistics_by_hand():
    assert analysis.percent_agreement(A7, B7) == pytest.approx(400 / 6)
    assert analysis.weighted_kappa(A7, B7) == pytest.approx(2 / 3)
    assert analysis.krippendorff_alpha(A7, B7) == pytest.approx(25 / 36)
    boot = analysis.ordinal_alpha_bootstrap(A7, B7, n_boot=200, seed=1)
    assert boot["n"] == 6
    assert boot["alpha"] == pytest.approx(25 / 36)
    assert boot["ci_low"] <= 25 / 36 <= boot["ci_high"]
    # Perfect agreement: alpha and kappa are 1.
    assert analysis.krippendorff_alpha([0, 1, 2, 2], [0, 1, 2, 2]) == pytest.approx(1.0)
    assert analysis.weighted_kappa([0, 1, 2, 2], [0, 1, 2, 2]) == pytest.approx(1.0)


def _alpha_by_definition(a, b) -> float:
    """Krippendorff's ordinal alpha written out from the definition, pair by pair (independent code)."""
    units = [[int(x), int(y)] for x, y in zip(a, b, strict=True) if not (np.isnan(x) or np.isnan(y))]
    values = [v for u in units for v in u]
    n = len(values)
    freq = {c: values.count(c) for c in (0, 1, 2)}

    def d2(c, k):
        lo, hi = min(c, k), max(c, k)
        return (sum(freq[g] for g in range(lo, hi + 1)) - (freq[lo] + freq[hi]) / 2) ** 2

    observed = sum(d2(u[0], u[1]) + d2(u[1], u[0]) for u in units)  # ordered pairs, weight 1/(m-1) = 1
    expected = sum(d2(c, k) for c, k in itertools.permutations(values, 2))
    return 1 - observed / (expected / (n - 1))


def _kappa_by_definition(a, b) -> float:
    pairs = [(int(x), int(y)) for x, y in zip(a, b, strict=True) if not (np.isnan(x) or np.isnan(y))]
    n = len(pairs)
    obs = sum((x - y) ** 2 for x, y in pairs) / n
    exp = sum((x - y) ** 2 for x, _ in pairs for _, y in pairs) / n**2
    return 1 - obs / exp


def test_alpha_and_kappa_match_independent_implementations():
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 3, 60)
    a = np.clip(truth + rng.choice([-1, 0, 0, 0, 1], 60), 0, 2).astype(float)
    b = np.clip(truth + rng.choice([-1, 0, 0, 1], 60), 0, 2).astype(float)
    b[[3, 17]] = np.nan
    expected_alpha = _alpha_by_definition(a, b)
    assert analysis.krippendorff_alpha(a, b) == pytest.approx(expected_alpha, abs=1e-12)
    assert analysis.ordinal_alpha_bootstrap(a, b, n_boot=0)["alpha"] == pytest.approx(expected_alpha, abs=1e-12)
    assert analysis.weighted_kappa(a, b) == pytest.approx(_kappa_by_definition(a, b), abs=1e-12)
    assert _alpha_by_definition(A7, B7) == pytest.approx(25 / 36)  # the independent code agrees with the hand value


def test_benchmark_verdicts():
    assert analysis.verdict(0.800) == "reliable"
    assert analysis.verdict(0.7999) == "tentative"
    assert analysis.verdict(0.667) == "tentative"
    assert analysis.verdict(0.6669) == "unreliable"
    assert analysis.verdict(float("nan")) == "not_computed"


# ---------------------------------------------------------------- resolution and alignment by hand

# Answer X: A = 2,1,0,2,1,0,2,1; B = 2,2,0,0,1,(blank),2,(invalid "3": row rejected); C codes network (A, B two apart) = 1.
#   resolved: hyp 2 (mean), cur 1.5 (mean), rel 0 (mean), net 1 (third coder), child 1 (mean),
#   refl 0 (A only), purp 2 (mean), risk 1 (A only, B's row rejected)
#   0-100: 100, 75, 0, 50, 50, 0, 100, 50 -> alignment 425/8 = 53.125, 8 outcomes coded.
# Answer Y: A and B code only the first five outcomes -> 5 < 6 coded: no alignment score.
# Answer Z: A = B = 2 on the first six outcomes; A's purposeful is "x" (row rejected), a coder "D" row
#   for risk and an "empathy" row are rejected; nobody else coded purposeful or risk, so they are
#   missing: 6 outcomes coded, all 100 -> alignment 100.


def _codes_csv(tmp_path: Path) -> tuple[Path, list[tuple[int, str]]]:
    rows, bad = [], []

    def add(answer, coder, outcome, level, bad_column=None):
        rows.append({"answer_id": answer, "coder": coder, "outcome": outcome, "level": level})
        if bad_column:
            bad.append((len(rows) + 1, bad_column))  # spreadsheet row: header is row 1

    for o, a, b in zip(OUTCOMES, [2, 1, 0, 2, 1, 0, 2, 1], [2, 2, 0, 0, 1, "", 2, "3"], strict=True):
        add("X", "A", o, a)
        add("X", "B", o, b, "level" if b == "3" else None)
    add("X", "C", "network", 1)
    for o in OUTCOMES[:5]:
        add("Y", "A", o, 1)
        add("Y", "B", o, 0)
    for o in OUTCOMES[:6]:
        add("Z", "A", o, 2)
        add("Z", "B", o, 2)
    add("Z", "A", "purposeful", "x", "level")
    add("Z", "D", "risk_safety", 1, "coder")
    add("Z", "A", "empathy", 1, "outcome")
    pd.DataFrame(rows).to_csv(tmp_path / "scenario_codes.csv", index=False)
    return tmp_path, bad


def test_invalid_codes_are_rejected_with_file_row_column(tmp_path):
    raw, bad = _codes_csv(tmp_path)
    res = ingest.read_raw(inputs.CODES, raw, key=KEY)
    got = sorted(zip(res.issues["file"], res.issues["row"], res.issues["column"], strict=True))
    assert got == sorted(("scenario_codes.csv", r, c) for r, c in bad)
    assert res.rows_rejected == 4 and res.rows_read == res.rows_accepted + 4
    # The blank code is accepted as missing, not rejected.
    blank = res.data[
        (res.data["answer_id"] == "X") & (res.data["coder"] == "B") & (res.data["outcome"] == "reflexivity")
    ]
    assert len(blank) == 1 and pd.isna(blank["level"].iloc[0])


def test_resolution_and_alignment_by_hand(tmp_path):
    raw, _ = _codes_csv(tmp_path)
    codes = ingest.read_raw(inputs.CODES, raw, key=KEY).data
    resolved = analysis.resolve_codes(codes)
    x = resolved[resolved["answer_id"] == "X"].set_index("outcome")
    assert x.loc[OUTCOMES, "resolved"].tolist() == [2, 1.5, 0, 1, 1, 0, 2, 1]
    assert x.loc[OUTCOMES, "rule"].tolist() == [
        "mean",
        "mean",
        "mean",
        "third_coder",
        "mean",
        "single_coder",
        "mean",
        "single_coder",
    ]
    assert resolved.columns.tolist() == analysis.RESOLVED.column_names
    answers = pd.DataFrame(
        {
            "answer_id": ["X", "Y", "Z"],
            "practitioner_id": ["p1", "p1", "p2"],
            "scenario_id": ["S1", "S2", "S1"],
            "wave": [1, 1, 2],
            "answer_date": pd.to_datetime(["2015-03-30", "2015-03-31", "2016-02-01"]),
            "answer_text": ["t", "t", "t"],
            "consent_to_quote": pd.array([False, False, False], dtype="boolean"),
        }
    )
    prac = pd.DataFrame(
        {
            "practitioner_id": ["p1", "p2"],
            "borough": ["Westminster", "Westminster"],
            "role": ["social_worker", "clinician"],
            "contract": ["permanent", "agency"],
            "training_completed": pd.to_datetime(["2015-03-31", None]),
        }
    )
    s = analysis.answer_scores(answers, resolved, prac).set_index("answer_id")
    assert s.loc["X", "alignment"] == pytest.approx(53.125)
    assert s.loc["X", "n_outcomes_coded"] == 8
    assert math.isnan(s.loc["Y", "alignment"]) and s.loc["Y", "n_outcomes_coded"] == 5
    assert s.loc["Z", "alignment"] == pytest.approx(100) and s.loc["Z", "n_outcomes_coded"] == 6
    # Trained on or before the answer date: p1 trained 2015-03-31, so X (30 March) not yet, Y (31 March) yes; p2 never.
    assert s.loc[["X", "Y", "Z"], "trained"].tolist() == [False, True, False]
    # Over the reliable outcomes {hypothesising, reflexivity} only: X (100 + 0)/2 = 50.
    s2 = analysis.answer_scores(answers, resolved, prac, reliable_outcomes=("hypothesising", "reflexivity")).set_index(
        "answer_id"
    )
    assert s2.loc["X", "alignment_reliable"] == pytest.approx(50)


def test_change_and_difference_in_differences_by_hand():
    pw = pd.DataFrame(
        [
            ("s1", 1, "no", 40.0),
            ("s1", 2, "yes", 50.0),  # trained between waves: +10
            ("s2", 1, "no", 30.0),
            ("s2", 2, "yes", 50.0),  # +20
            ("n1", 1, "no", 40.0),
            ("n1", 2, "no", 42.0),  # not trained by wave 2: +2
            ("n2", 1, "no", 50.0),
            ("n2", 2, "no", 50.0),  # 0
            ("m1", 1, "mixed", 10.0),
            ("m1", 2, "yes", 90.0),  # mixed at wave 1: left out
            ("w1", 1, "no", 20.0),  # wave 1 only: left out
        ],
        columns=["practitioner_id", "wave", "trained", "alignment"],
    )
    c = analysis.change_table(pw, n_boot=100).set_index("group")
    assert c.loc["trained_between_waves", ["n_practitioners", "mean_wave1", "mean_wave2", "mean_change"]].tolist() == [
        2,
        35,
        50,
        15,
    ]
    assert c.loc["not_trained_by_wave2", ["n_practitioners", "mean_change"]].tolist() == [2, 1]
    # DiD = 15 - 1 = 14; Welch SE = sqrt(50/2 + 2/2) = sqrt(26).
    did = c.loc["difference_in_differences"]
    assert did["mean_change"] == pytest.approx(14)
    assert did["n_practitioners"] == 4
    assert (did["ci_high"] - did["ci_low"]) / 2 > math.sqrt(26)  # t quantile with ~1 df is well above 1
    assert c.loc["trained_before_wave1", "n_practitioners"] == 0


# ---------------------------------------------------------------- quotation


def test_only_consented_answers_are_quoted_and_unsure_ones_are_dropped():
    answers = pd.DataFrame(
        {
            "answer_id": ["a", "b", "c", "d", "e"],
            "answer_text": [
                "I would keep this secret.",  # a: no consent
                "I would ask Tom about it.",  # b: consented, a name mid-sentence: redacted and kept
                None,  # c: consented, no text
                "Quotable, ask Tom.",  # d: consented, an unknown capitalised word opening it: unsure
                "I would share a hypothesis with the family.",  # e: consented, nothing to redact
            ],
            "consent_to_quote": pd.array([False, True, True, True, True], dtype="boolean"),
        }
    )
    scores = pd.DataFrame(
        {
            "answer_id": ["a", "b", "c", "d", "e"],
            "scenario_id": ["S1", "S2", "S3", "S4", "S5"],
            "wave": [2, 2, 2, 2, 2],
            "alignment": [90.0, 40.0, 95.0, 99.0, 30.0],
        }
    )
    q, counts = analysis.quotable_answers(answers, scores, max_quotes=5)
    assert q["quote"].tolist() == ["I would ask [name] about it.", "I would share a hypothesis with the family."]
    assert (counts["no_consent"], counts["empty"], counts["unsure"]) == (1, 1, 1)
    assert counts["redacted"] == 1 and counts["placeholders"] == 1
    assert "answer_id" not in q.columns and "practitioner_id" not in q.columns
    assert not hasattr(analysis, "redact_names")  # one redaction helper in the project


# ---------------------------------------------------------------- synthetic data end to end


def _analyse(raw: Path, processed: Path, monkeypatch, borough="all", n_boot=200):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    files = {spec.key: ingest.ingest(spec, raw, processed) for spec in inputs.RAW_FILES}
    prac = roster.load_practitioners(raw, processed, "all")
    res = analysis.analyse(
        files["scenario_answers"].data,
        files["scenario_codes"].data,
        prac.data,
        config.borough_names(borough),
        n_boot=n_boot,
        seed=1,
    )
    return files, res


@pytest.fixture(scope="module")
@slow_fixture
def default_data(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    truth = generate_all(raw, strands=("roster", "scenarios"))
    return raw, truth["strands"]["scenarios"]


@pytest.fixture(scope="module")
def default_results(default_data, tmp_path_factory):
    raw, truth = default_data
    mp = pytest.MonkeyPatch()
    try:
        files, res = _analyse(raw, tmp_path_factory.mktemp("proc"), mp)
    finally:
        mp.undo()
    return files, res, truth


def test_ingest_counts_match_the_generator(default_results):
    files, res, truth = default_results
    codes, answers = files["scenario_codes"], files["scenario_answers"]
    assert codes.rows_read == truth["codes_rows_written"]
    assert codes.rows_rejected == truth["codes_rejected"]
    assert (codes.issues["column"] == "level").sum() == truth["codes_invalid_level"]
    assert int(codes.data["level"].isna().sum()) == truth["codes_blank"]
    assert answers.rows_rejected == truth["answers_malformed"]
    assert answers.rows_accepted == truth["answers"]
    assert res["counts"]["codes_without_answer"] == 0


def test_planted_reliability_pattern(default_results):
    _, res, truth = default_results
    rel = res[analysis.RELIABILITY.key].set_index("outcome")
    # Reflexivity was coded with the most noise: below the tentative threshold; the least noisy are reliable.
    assert truth["planted"]["coder_noise_sd"]["reflexivity"] == max(truth["planted"]["coder_noise_sd"].values())
    assert rel.loc["reflexivity", "verdict"] == "unreliable"
    assert rel.loc["network", "verdict"] == "reliable" and rel.loc["hypothesising", "verdict"] == "reliable"
    assert (rel["alpha_ci_low"] <= rel["alpha"]).all() and (rel["alpha"] <= rel["alpha_ci_high"]).all()
    assert (rel["n_answers"] > 800).all()


def test_planted_training_effect_is_recovered(default_results, tmp_path):
    _, res, truth = default_results
    expected = truth["expected_observed"]
    model = res[analysis.MODEL.key]
    overall = model[(model["model"] == "overall") & (model["term"] == "trained")].iloc[0]
    assert overall["ci_low"] <= expected["ate_alignment"] <= overall["ci_high"], (
        overall.to_dict(),
        expected["ate_alignment"],
    )
    assert overall["ci_low"] > 0
    # Per outcome: eight 95% CIs; at least six must cover their expected effect (with the default seed all
    # eight do; the margin keeps the test from failing by chance when the roster changes).
    covered = {
        o: bool(r["ci_low"] <= expected["ate_by_outcome"][o] <= r["ci_high"])
        for o, r in model[model["model"].isin(OUTCOMES)].set_index("model").iterrows()
    }
    assert len(covered) == 8 and sum(covered.values()) >= 6, covered
    # Planted ordering: hypothesising gains most, clarity about risk least.
    per = model[model["model"].isin(OUTCOMES)].set_index("model")["estimate"]
    assert per["hypothesising"] > per["risk_safety"]
    did = res[analysis.CHANGE.key].set_index("group").loc["difference_in_differences"]
    assert did["ci_low"] <= expected["did_expected"] <= did["ci_high"]
    # Roles: planted clinicians above family support workers.
    roles = model[(model["model"] == "overall") & model["term"].str.contains("role")].set_index("term")["estimate"]
    assert (
        roles[roles.index.str.contains("clinician")].iloc[0] > roles[roles.index.str.contains("family_support")].iloc[0]
    )
    for spec in analysis.OUTPUTS:
        ingest.write_output(res[spec.key], spec, tmp_path)


@pytest.mark.slow
def test_null_training_effect_covers_zero(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    truth = generate_all(raw, strands=("roster", "scenarios"), effects={"scenarios": {"training_scale": 0.0}})
    expected = truth["strands"]["scenarios"]["expected_observed"]
    assert expected["ate_alignment"] == 0  # trained does not enter the latent: common random numbers give exactly 0
    _, res = _analyse(raw, tmp_path / "proc", monkeypatch, n_boot=200)
    model = res[analysis.MODEL.key]
    row = model[(model["model"] == "overall") & (model["term"] == "trained")].iloc[0]
    assert row["ci_low"] <= 0 <= row["ci_high"]
    did = res[analysis.CHANGE.key].set_index("group").loc["difference_in_differences"]
    assert did["ci_low"] <= 0 <= did["ci_high"]


def test_section_has_no_free_text_ids_or_unconsented_answers(default_data, default_results, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    raw, _ = default_data
    files, res, _ = default_results
    section = Section(strand="scenarios", title="t", order=10, processed_dir=tmp_path, synthetic=True)
    figs = build_section(section, res, files["scenarios"].data)
    for f in figs:
        plt.close(f)
    section.save()
    text = "\n".join(p.read_text(encoding="utf-8") for p in section.folder.glob("*") if p.suffix in (".json", ".csv"))
    answers = files["scenario_answers"].data
    raw_answers = pd.read_csv(raw / "scenario_answers.csv", dtype=str, keep_default_na=False)
    for pid in set(raw_answers["practitioner_id"]) | set(answers["practitioner_id"]):
        if pid:
            assert pid not in text
    quoted = set(res["quotes"]["quote"])
    consented = set(answers.loc[answers["consent_to_quote"] == True, "answer_text"].dropna())  # noqa: E712
    assert quoted <= {redaction.redact(t).text for t in consented}
    # Every answer text that is not consented for quotation and not identical to a consented one is absent.
    for t in set(answers.loc[answers["consent_to_quote"] == False, "answer_text"].dropna()) - consented:  # noqa: E712
        assert t not in text
    meta = json.loads((section.folder / "section.json").read_text())
    assert all(len(i["alt"]) > 40 for i in meta["items"] if i["kind"] == "figure")
    assert all(i["count_columns"] for i in meta["items"] if i["kind"] == "table" and i["name"] != "coding_frame")


def test_every_value_of_the_change_table_is_hidden_with_its_count():
    """Each column of the change table but the group and its count is hidden with the practitioners it
    is computed from (or the smaller group of the difference in differences), read off the table's own
    columns: a paired-change result added to the table is protected without a second list to edit."""
    from helpers.strands.scenarios import display

    values = [c for c in analysis.CHANGE.column_names if c not in ("group", "n_practitioners")]
    assert "mean_wave1" in values and "p" in values
    assert display.CHANGE_DEPENDENT == {c: ["n_practitioners", "n_smaller"] for c in values}


def test_borough_filter(default_data, tmp_path, monkeypatch):
    raw, _ = default_data
    _, res = _analyse(raw, tmp_path, monkeypatch, borough="westminster", n_boot=50)
    assert set(res[analysis.ANSWER_SCORES.key]["borough"]) == {"Westminster"}
    model = res[analysis.MODEL.key]
    assert not model["term"].str.contains("borough").any()  # one borough: no borough term


@pytest.mark.slow
def test_generator_is_deterministic(tmp_path):
    out = []
    for name, seed in (("a", 2014), ("b", 2014), ("c", 7)):
        generate_all(tmp_path / name, seed=seed, strands=("roster", "scenarios"))
        out.append(b"".join((tmp_path / name / f).read_bytes() for f in ("scenario_answers.csv", "scenario_codes.csv")))
    assert out[0] == out[1]
    assert out[0] != out[2]


# ---------------------------------------------------------------- notebook


NOTEBOOK = config.NOTEBOOKS_DIR / "10_practice_scenarios.ipynb"


def test_notebook_runs_for_one_borough(default_data, tmp_path, monkeypatch, run_notebook):
    raw, _ = default_data
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    run_notebook(
        NOTEBOOK.name,
        tmp_path / "out.ipynb",
        borough="westminster",
        raw_dir=str(raw),
        processed_dir=str(tmp_path / "proc"),
        bootstrap_samples=100,
    )
    folder = tmp_path / "proc" / "westminster"
    meta = json.loads((folder / "report_sections" / "10_scenarios" / "section.json").read_text())
    assert meta["synthetic"] is True and meta["order"] == 10
    assert "Westminster" in meta["items"][0]["text"]
    for spec in analysis.OUTPUTS:
        assert (folder / spec.filename).exists()
    assert set(pd.read_csv(folder / "scenarios" / "answer_scores.csv")["borough"]) == {"Westminster"}
