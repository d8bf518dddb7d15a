"""Time-use strand: validation, shares and change by hand, planted change and null, notebook."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as st_t

from helpers.report_section import Section
from helpers.strands import time_use
from helpers.strands.time_use import analysis, inputs
from helpers.strands.time_use import section as tu_section
from helpers.synthetic import generate_all

KEY = b"test-key"
ACTS = inputs.load_activities()
CODES = list(ACTS["code"])


def _row(pid, wave, borough="Westminster", role="social_worker", status="not_trained", **hours):
    row = {
        "practitioner_id": pid,
        "wave": str(wave),
        "completed_on": "2014-10-10" if wave == 1 else "2016-10-10",
        "borough": borough,
        "role": role,
        "training_status": status,
    }
    row.update({f"hours_{c}": "0" for c in CODES})
    row.update({f"hours_{k}": str(v) for k, v in hours.items()})
    return row


def _survey(tmp_path) -> pd.DataFrame:
    rows = [
        _row("P1", 1, direct_work=10, case_recording=10, administration=20),  # row 2: direct 10/40 = 0.25
        _row("P1", 2, direct_work=20, case_recording=10, administration=10, status="trained"),  # row 3: 20/40 = 0.50
        _row("P2", 1, direct_work=4, case_recording=16, role="clinician"),  # row 4: 4/20 = 0.20
        _row("P2", 2, direct_work=6, case_recording=14, role="clinician", status="trained"),  # row 5: 6/20 = 0.30
        _row("P3", 1, direct_work=9, travel=21, borough="Hammersmith and Fulham"),  # row 6: 9/30 = 0.30
        _row("P4", 1, direct_work=10, travel=-2),  # row 7: negative hours
        _row("P5", 1, direct_work=45, case_recording=45),  # row 8: total 90 > 80
        _row("P6", 1, direct_work=10, training=""),  # row 9: blank hours
    ]
    tmp_path.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(tmp_path / "time_use_survey.csv", index=False)
    return pd.DataFrame(rows)


def test_activity_list_is_data_and_drives_the_columns(tmp_path):
    assert "direct_work" in CODES and len(CODES) == 8
    assert [c.name for c in inputs.SURVEY.columns if c.name.startswith("hours_")] == [f"hours_{c}" for c in CODES]
    custom = tmp_path / "acts.csv"
    custom.write_text(
        "code,label,group,direct_work,description\nfamily_time,Time with families,direct,yes,x\npaperwork,Paperwork,admin,no,y\n"
    )
    schema = inputs.survey_schema(inputs.load_activities(custom))
    assert [c.name for c in schema.columns if c.name.startswith("hours_")] == ["hours_family_time", "hours_paperwork"]
    bad = tmp_path / "bad.csv"
    bad.write_text("code,label,direct_work\na,A,yes\nb,B,yes\n")
    with pytest.raises(Exception, match="exactly one"):
        inputs.load_activities(bad)


def test_rejected_rows_are_reported_with_file_row_and_column(tmp_path):
    _survey(tmp_path)
    res = inputs.load_survey(tmp_path, tmp_path / "proc", key=KEY)
    assert (res.rows_read, res.rows_accepted, res.rows_rejected) == (8, 5, 3)
    issues = res.issues.set_index("row")
    assert issues.loc[7, "column"] == "hours_travel" and "minimum" in issues.loc[7, "reason"]
    assert issues.loc[8, "column"] == "hours_total" and "90" in issues.loc[8, "reason"]
    assert issues.loc[9, "column"] == "hours_training" and "blank" in issues.loc[9, "reason"]
    assert (issues["file"] == "time_use_survey.csv").all()
    rec = pd.read_csv(tmp_path / "proc" / "data_quality" / "reconciliation_time_use_survey.csv").iloc[0]
    assert (rec["rows_read"], rec["rows_accepted"], rec["rows_rejected"]) == (8, 5, 3)
    rejected = pd.read_csv(tmp_path / "proc" / "data_quality" / "rejected_time_use_survey.csv")
    assert rejected["row"].tolist() == [7, 8, 9]
    assert not rejected["practitioner_id"].astype(str).str.fullmatch(r"P\d").any()  # pseudonymised, never in clear


def test_shares_and_change_by_hand(tmp_path):
    _survey(tmp_path)
    data = inputs.load_survey(tmp_path, tmp_path / "proc", key=KEY).data
    res = analysis.analyse(data, ACTS, n_boot=200, seed=1)
    summ = res[analysis.ACTIVITY_SUMMARY.key].set_index(["wave", "activity"])
    # wave 1 direct shares 0.25, 0.20, 0.30 -> 0.25; wave 2: 0.50, 0.30 -> 0.40
    assert summ.loc[("1", "direct_work"), "mean_share"] == pytest.approx(0.25)
    assert summ.loc[("2", "direct_work"), "mean_share"] == pytest.approx(0.40)
    # wave 1 case recording: 10/40, 16/20, 0/30 -> (0.25 + 0.8 + 0) / 3
    assert summ.loc[("1", "case_recording"), "mean_share"] == pytest.approx((0.25 + 0.8) / 3)
    assert summ.loc[("1", "direct_work"), "mean_hours"] == pytest.approx((10 + 4 + 9) / 3)
    # shares of each answer add to 1
    long = res[analysis.SHARES.key]
    assert long.groupby(["practitioner_id", "wave"])["share"].sum().to_numpy() == pytest.approx(np.ones(5))
    by = res[analysis.DIRECT_BY_GROUP.key].set_index(["grouping", "group"])
    assert by.loc[("role", "clinician"), "mean_share"] == pytest.approx(0.25)  # 0.20 and 0.30
    assert by.loc[("borough", "Hammersmith and Fulham"), "n"] == 1
    assert by.loc[("training_status", "trained"), "mean_share"] == pytest.approx(0.40)
    # change for P1 (+0.25) and P2 (+0.10): mean 0.175, SD 0.106066, t(0.975, 1) = 12.7062
    ch = res[analysis.CHANGE.key].set_index("activity").loc["direct_work"]
    sd = np.std([0.25, 0.10], ddof=1)
    assert ch["n"] == 2
    assert ch["mean_change"] == pytest.approx(0.175)
    assert ch["d_z"] == pytest.approx(0.175 / sd)
    assert ch["ci_low"] == pytest.approx(0.175 - 12.7062047 * sd / np.sqrt(2), abs=1e-6)
    # recording: P1 0.25 -> 0.25, P2 0.8 -> 0.7: mean change -0.05
    assert res[analysis.CHANGE.key].set_index("activity").loc["case_recording", "mean_change"] == pytest.approx(-0.05)
    # changes of all shares sum to zero for each practitioner
    assert res[analysis.CHANGE.key]["mean_change"].sum() == pytest.approx(0, abs=1e-12)


def test_section_suppresses_small_groups(tmp_path):
    _survey(tmp_path)
    survey = inputs.load_survey(tmp_path, tmp_path / "proc", key=KEY)
    res = analysis.analyse(survey.data, ACTS, n_boot=50, seed=1)
    section = Section(strand="time_use", title="t", order=55, processed_dir=tmp_path / "proc", synthetic=True)
    figs = tu_section.build_section(section, res, rejected=survey.rejected, rows_read=survey.rows_read)
    section.save()
    text = " ".join(i["text"] for i in section.items if i["kind"] == "markdown")
    assert "Of 8 survey rows, 3 were rejected" in text
    assert "c practitioners" in text  # 3 practitioners: a small count
    assert "Too few practitioners answered two waves" in text
    assert not section.key_findings and not figs


@pytest.fixture(scope="module")
def synthetic_survey(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    truth = generate_all(raw, strands=("roster", "time_use"))
    return raw, truth["strands"]["time_use"]


def test_planted_change_recovered_and_malformed_rows_rejected(synthetic_survey, tmp_path):
    raw, truth = synthetic_survey
    survey = inputs.load_survey(raw, tmp_path, key=KEY)
    assert survey.rows_read == truth["rows_written"]
    assert survey.rows_rejected == truth["malformed_rows"]
    assert (survey.issues["column"] == "hours_total").sum() == truth["rejected_by_total_check"]
    res = analysis.analyse(survey.data, ACTS, n_boot=500, seed=1)
    allc = res[analysis.DIRECT_CHANGE_BY_GROUP.key].set_index("grouping").loc["all"]
    planted = truth["planted"]["direct_share_change"]
    assert allc["n"] == truth["practitioners_both_waves"]
    assert allc["ci_low"] <= planted <= allc["ci_high"]
    assert allc["boot_ci_low"] <= planted <= allc["boot_ci_high"]
    assert allc["ci_low"] > 0  # the change is found
    for spec in time_use.OUTPUTS:  # every table has its documented columns
        from helpers import ingest

        ingest.write_output(res[spec.key], spec, tmp_path)


def test_null_change_not_found(tmp_path):
    truth = generate_all(
        tmp_path / "raw", strands=("roster", "time_use"), effects={"time_use": {"direct_share_change": 0.0}}
    )
    survey = inputs.load_survey(tmp_path / "raw", tmp_path / "proc", key=KEY)
    res = analysis.analyse(survey.data, ACTS, n_boot=500, seed=1)
    allc = res[analysis.DIRECT_CHANGE_BY_GROUP.key].set_index("grouping").loc["all"]
    assert truth["strands"]["time_use"]["planted"]["direct_share_change"] == 0
    assert allc["ci_low"] <= 0 <= allc["ci_high"]


def test_same_practitioners_as_the_roster(synthetic_survey):
    raw, _ = synthetic_survey
    survey = pd.read_csv(raw / "time_use_survey.csv", dtype=str)
    roster = pd.read_csv(raw / "practitioners.csv", dtype=str)
    assert set(survey["practitioner_id"]) <= set(roster["practitioner_id"])


def test_notebook_runs(built):
    """The notebook's section as the default build wrote it (the same generator's files, run by the
    pipeline once for every test that reads it, rather than once more here)."""
    meta = json.loads((built["processed"] / "report_sections" / "55_time_use" / "section.json").read_text())
    assert meta["synthetic"] is True and meta["order"] == 55
    # synthetic: no strength; before and after, clustered by team (the independent units)
    f = meta["key_findings"][0]
    assert f["strength"] is None and f["kind"] == "effect" and f["design_allows"] in ("weak", "not possible to tell")
    assert (f["inputs"]["design"], f["inputs"]["unit"]) == ("before_after", "teams")
    assert any(i["kind"] == "figure" for i in meta["items"])
    assert (built["processed"] / "time_use" / "change.csv").exists()


def test_roster_check_by_hand():
    survey = pd.DataFrame(
        {
            "practitioner_id": ["P1", "P1", "P2", "P3"],
            "wave": ["1", "2", "1", "1"],
            "completed_on": pd.to_datetime(["2014-10-10", "2016-10-10", "2014-10-10", "2014-10-10"]),
            "training_status": ["in_training", "trained", "trained", "not_trained"],
        }
    )
    roster = pd.DataFrame({"practitioner_id": ["P1", "P2"], "training_completed": pd.to_datetime(["2015-01-01", None])})
    # P1 wave 1: not yet trained by 2014-10-10, 'in_training' -> agrees; wave 2: trained -> agrees;
    # P2: 'trained' but no completion date on the roster -> disagrees; P3 is not on the roster.
    assert analysis.roster_check(survey, roster) == {"answers": 4, "on_roster": 3, "status_agrees": 2}


# ---- team effect (issue 10: practitioners of one roster team change alike) -------------------------


def _anova_icc(raw) -> float:
    """One-way ANOVA intra-team correlation of the observed direct-share change, computed from the raw
    CSVs alone (not the strand's code): practitioners with a valid answer at both waves, teams from
    practitioners.csv; ICC = s_b^2 / (s_b^2 + s_w^2), s_b^2 = (MSB - MSW) / m0."""
    s = pd.read_csv(raw / "time_use_survey.csv", dtype=str)
    hours = s[[c for c in s.columns if c.startswith("hours_")]].apply(pd.to_numeric, errors="coerce")
    ok = hours.notna().all(axis=1) & (hours >= 0).all(axis=1) & hours.sum(axis=1).between(5, 80)
    s = s[ok].assign(share=hours["hours_direct_work"][ok] / hours[ok].sum(axis=1))
    wide = s.pivot_table(index="practitioner_id", columns="wave", values="share").dropna()
    team = pd.read_csv(raw / "practitioners.csv", dtype=str).set_index("practitioner_id")["team"]
    df = (wide["2"] - wide["1"]).rename("d").to_frame().join(team)
    g = df.groupby("team")["d"]
    k, n, sizes = g.ngroups, len(df), g.size()
    m0 = (n - (sizes**2).sum() / n) / (k - 1)
    msb = (sizes * (g.mean() - df["d"].mean()) ** 2).sum() / (k - 1)
    msw = ((df["d"] - g.transform("mean")) ** 2).sum() / (n - k)
    sb = (msb - msw) / m0
    return sb / (sb + msw)


@pytest.mark.slow
def test_generator_team_effect_correlates_changes_within_teams(tmp_path):
    # scale 3: about 24 practitioners answering both waves in each of the 18 teams; two seeds pooled
    def icc(seed, effects):
        raw = tmp_path / f"raw{seed}{bool(effects)}"
        truth = generate_all(raw, seed=seed, scale=3, strands=("roster", "time_use"), effects=effects)
        return _anova_icc(raw), truth["strands"]["time_use"]

    on = [icc(s, {}) for s in (0, 1)]
    off = [icc(s, {"time_use": {"team_change_sd": 0.0}}) for s in (0, 1)]
    planted = on[0][1]["planted"]
    # default: team SD 0.02 against practitioner SD 0.05 -> ICC 0.0004 / 0.0029 = 0.138
    assert planted["team_change_sd"] == 0.02 and planted["icc_change"] == pytest.approx(0.0004 / 0.0029)
    assert on[0][1]["teams"] == 18
    assert 0.06 < np.mean([i for i, _ in on]) < 0.30
    assert abs(np.mean([i for i, _ in off])) < 0.05
    assert off[0][1]["planted"]["team_change_sd"] == 0 and off[0][1]["planted"]["icc_change"] == 0


def test_clip_offsets_keep_the_expected_change():
    from helpers.synthetic.time_use import mean_preserving_offsets

    # second method: simulate clip(target + offset + e) and compare its mean with the target
    target = np.array([0.032, 0.06, 0.12, 0.30, 0.72])
    sd = float(np.hypot(0.02, 0.05))
    off = mean_preserving_offsets(target, sd)
    e = np.random.default_rng(7).normal(0, sd, 1_000_000)
    for t, o in zip(target, off, strict=True):
        assert np.clip(t + o + e, 0.03, 0.75).mean() == pytest.approx(t, abs=2e-4)  # MC SE about 5e-5
    assert abs(off[0]) > 0.05 and abs(off[3]) < 1e-6  # near the bound a big nudge, in the middle none
    assert np.isnan(mean_preserving_offsets(np.array([0.80]), sd)[0])  # no offset can keep a mean outside


def test_team_clustered_change_by_hand():
    # balanced: 3 teams of 2 practitioners; changes d, mean 0.1
    d = np.array([0.10, 0.20, 0.00, 0.10, 0.15, 0.05])
    teams = np.array(["a", "a", "b", "b", "c", "c"])
    res = analysis.team_clustered_change(np.zeros(6), d, teams)
    # CR2 for a mean: cluster g's score sum_g(e) is scaled by 1 / sqrt(1 - n_g / n); balanced -> df G - 1
    e = d - d.mean()
    sums = np.array([e[:2].sum(), e[2:4].sum(), e[4:].sum()])
    se = np.sqrt((sums**2 / (1 - 2 / 6)).sum()) / 6
    assert res["n_teams"] == 3 and res["team_df"] == pytest.approx(2)
    assert res["team_ci_low"] == pytest.approx(0.1 - 4.30265273 * se)
    assert res["team_ci_high"] == pytest.approx(0.1 + 4.30265273 * se)
    # unbalanced variance: teams of 3, 2, 1
    t2 = np.array(["a", "a", "a", "b", "b", "c"])
    r2 = analysis.team_clustered_change(np.zeros(6), d, t2)
    s2 = np.array([e[:3].sum(), e[3:5].sum(), e[5:].sum()])
    se2 = np.sqrt((s2**2 / (1 - np.array([3, 2, 1]) / 6)).sum()) / 6
    half = (r2["team_ci_high"] - r2["team_ci_low"]) / 2
    assert half == pytest.approx(st_t.ppf(0.975, r2["team_df"]) * se2)
    # each practitioner a cluster of their own (no roster): the paired t interval
    r3 = analysis.team_clustered_change(np.zeros(6), d, analysis.clusters_for(list("pqrstu"), None))
    assert r3["team_df"] == pytest.approx(5)
    assert r3["team_ci_low"] == pytest.approx(0.1 - 2.57058184 * d.std(ddof=1) / np.sqrt(6))
    # a roster team, named within its borough; an id not on the roster is its own cluster
    roster = pd.DataFrame({"practitioner_id": ["p", "q"], "borough": ["W", "H"], "team": ["T1", "T1"]})
    assert list(analysis.clusters_for(["p", "q", "z"], analysis.practitioner_teams(roster))) == [
        "team:W/T1",
        "team:H/T1",
        "practitioner:z",
    ]


def test_team_clustered_interval_covers_planted_and_is_wider_than_naive(synthetic_survey, tmp_path, monkeypatch):
    from helpers import roster

    raw, truth = synthetic_survey
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", KEY.decode())  # the roster is read with the same key
    survey = inputs.load_survey(raw, tmp_path, key=KEY)
    prac = roster.load_practitioners(raw, tmp_path).data
    res = analysis.analyse(survey.data, ACTS, n_boot=50, seed=1, practitioners=prac)
    allc = res[analysis.DIRECT_CHANGE_BY_GROUP.key].set_index("grouping").loc["all"]
    planted = truth["planted"]["direct_share_change"]
    assert allc["n_teams"] == truth["teams"] == 18
    assert allc["team_ci_low"] <= planted <= allc["team_ci_high"] and allc["team_ci_low"] > 0
    assert allc["team_ci_high"] - allc["team_ci_low"] > allc["ci_high"] - allc["ci_low"]
    assert allc["team_df"] < 17  # Bell-McCaffrey df below G - 1 with unequal teams
    assert res["n_pairs_with_team"] == allc["n"]
