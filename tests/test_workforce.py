"""Workforce strand: census indicators by hand, the CLI, published figures kept missing, the
generator's match to the published figures, planted change and null, the notebook."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from helpers import public_data
from helpers.report import table_html
from helpers.report_section import Section
from helpers.strands import workforce
from helpers.strands.workforce import analysis, cli, inputs, public
from helpers.strands.workforce import section as wf_section
from helpers.strands.workforce import section_public as wf_public
from helpers.synthetic import generate_all

KEY = b"test-key"
W = "Westminster"
PUBLIC = public_data.public_data_dir()
needs_public = pytest.mark.skipif(
    not public.available(), reason=f"public data folder (FOP_PUBLIC_DATA) not found at {PUBLIC}"
)


def _post(wid, role, fte, contract, start, end="", reason=""):
    return {
        "worker_id": wid,
        "borough": W,
        "team": "T1",
        "role": role,
        "fte": fte,
        "contract": contract,
        "start_date": start,
        "end_date": end,
        "leaving_reason": reason,
    }


def _hr(tmp_path):
    posts = [
        _post("A", "social_worker", 1.0, "permanent", "2010-01-01", "2016-09-30", "resigned"),  # leaves ON 30 Sept 2016
        _post("B", "social_worker", 1.0, "permanent", "2012-05-01"),  # in post throughout
        _post("C", "social_worker", 0.5, "agency", "2016-03-01"),  # part-time agency worker
        _post(
            "D", "senior_social_worker", 0.8, "permanent", "2011-01-01", "2015-12-31", "moved_to_other_la"
        ),  # leaves...
        _post("D", "senior_social_worker", 0.8, "permanent", "2016-06-01"),  # ...and returns
        _post(
            "E", "team_manager", 1.0, "permanent", "2013-01-01", "2016-03-31", "internal_move"
        ),  # moves post: not a leaver
        _post("E", "team_manager", 1.0, "permanent", "2016-04-01"),
        _post(
            "F", "family_support_worker", 1.0, "permanent", "2012-01-01", "2016-01-15", "resigned"
        ),  # not a census role
        _post(
            "G", "social_worker", 1.0, "agency", "2015-01-01", "2016-09-30", "end_of_contract"
        ),  # agency ending on 30 Sept
        _post(
            "H", "social_worker", 1.0, "permanent", "2016-05-01", "2016-04-01", "resigned"
        ),  # row 11: ends before start
    ]
    spells = [
        {
            "worker_id": "B",
            "borough": W,
            "start_date": "2016-09-28",
            "end_date": "2016-10-04",
            "working_days_lost": 5,
        },  # Wed..Tue
        {"worker_id": "A", "borough": W, "start_date": "2016-02-01", "end_date": "2016-02-02", "working_days_lost": 2},
        {
            "worker_id": "F",
            "borough": W,
            "start_date": "2015-11-02",
            "end_date": "2015-11-04",
            "working_days_lost": 3,
        },  # not census
        {
            "worker_id": "C",
            "borough": W,
            "start_date": "2016-04-04",
            "end_date": "2016-04-04",
            "working_days_lost": 1,
        },  # agency
    ]
    tmp_path.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(posts).to_csv(tmp_path / "hr_posts.csv", index=False)
    pd.DataFrame(spells).to_csv(tmp_path / "hr_absence.csv", index=False)


def test_weekday_split_of_a_spell_crossing_the_year_end():
    assert pd.Timestamp("2016-09-28").day_name() == "Wednesday" and pd.Timestamp("2016-10-04").day_name() == "Tuesday"
    spell = pd.DataFrame(
        {
            "start_date": [pd.Timestamp("2016-09-28")],
            "end_date": [pd.Timestamp("2016-10-04")],
            "working_days_lost": [5.0],
        }
    )
    assert analysis.days_lost_in_year(spell, 2016)[0] == pytest.approx(3.0)  # Wed, Thu, Fri
    assert analysis.days_lost_in_year(spell, 2017)[0] == pytest.approx(2.0)  # Mon, Tue
    assert analysis.days_lost_in_year(spell, 2015)[0] == 0


def test_indicators_by_hand(tmp_path):
    _hr(tmp_path)
    posts, absence = inputs.load_hr(tmp_path, tmp_path / "proc", key=KEY)
    assert posts.rows_rejected == 1 and posts.rejected["row"].tolist() == [11]
    assert posts.issues.iloc[-1]["column"] == "end_date"
    ind = analysis.indicators(posts.data, absence.data, [2015, 2016, 2017]).set_index("year")
    # 30 Sept 2016: in post B 1.0 + D (returned) 0.8 + E (new post) 1.0 = 2.8; A left that day, so not in post.
    y16 = ind.loc[2016]
    assert y16["fte_in_post"] == pytest.approx(2.8)
    assert y16["workers_in_post"] == 3
    assert y16["agency_fte"] == pytest.approx(0.5)  # C part-time; G's assignment ended on 30 Sept
    assert y16["agency_rate_pct"] == pytest.approx(100 * 0.5 / 3.3)
    # leavers in the year to 30 Sept 2016: A (1.0, on 30 Sept) and D (0.8, before returning); E moved internally; F not census
    assert y16["leavers_fte"] == pytest.approx(1.8)
    assert y16["turnover_rate_pct"] == pytest.approx(100 * 1.8 / 2.8)
    # days lost: B's spell 3 of 5 weekdays + A's 2 days; F (not census) and C (agency) left out
    assert y16["days_lost"] == pytest.approx(5.0)
    assert y16["absence_rate_pct"] == pytest.approx(100 * 5 / (2.8 * 253))
    assert np.isnan(y16["vacancy_rate_pct"])
    # 30 Sept 2015: A, B, D (first post), E (first post) = 3.8 in post; G agency 1.0; no leavers
    y15 = ind.loc[2015]
    assert y15["fte_in_post"] == pytest.approx(3.8)
    assert y15["agency_rate_pct"] == pytest.approx(100 * 1.0 / 4.8)
    assert y15["turnover_rate_pct"] == 0
    # 2017: B's remaining 2 days
    assert ind.loc[2017, "days_lost"] == pytest.approx(2.0)
    assert ind.loc[2017, "absence_rate_pct"] == pytest.approx(100 * 2 / (2.8 * 253))


def test_cli_writes_the_same_indicators(tmp_path, monkeypatch, capsys):
    _hr(tmp_path)
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    out = tmp_path / "ind.csv"
    assert cli.main(["--hr", str(tmp_path), "--year", "2016", "--out", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == analysis.INDICATORS.column_names
    assert table["agency_rate_pct"].iloc[0] == pytest.approx(100 * 0.5 / 3.3)
    assert table["turnover_rate_pct"].iloc[0] == pytest.approx(100 * 1.8 / 2.8)
    assert "1 rejected" in capsys.readouterr().err
    assert cli.main(["--hr", str(tmp_path / "nowhere"), "--year", "2016", "--out", str(out)]) == 2


def test_published_suppressed_cell_stays_missing_through_to_the_report(tmp_path):
    # A small public folder written here in the published layout: K&C's 2016 agency rate is
    # suppressed ('x', blank value) and not in the preferred file at all.
    pub = tmp_path / "pub"
    pub.mkdir()
    cols = [c.name for c in public_data.PREFERRED.columns]
    rows = []
    for code, old, name, level in (
        ("E09000020", "207", "Kensington and Chelsea", "Local authority"),
        ("E09000033", "213", "Westminster", "Local authority"),
        ("E09000013", "205", "Hammersmith and Fulham", "Local authority"),
        ("E09000007", "202", "Camden", "Local authority"),
        ("E13000001", "", "Inner London", "Regional"),
        ("E92000001", "", "England", "National"),
    ):
        for year, measure in ((y, m) for y in (2015, 2016) for m in public.MEASURES):
            rows.append(
                {
                    "la_code": code,
                    "old_la_code": old,
                    "la_name": name,
                    "geographic_level": level,
                    "year": year,
                    "period": f"30 September {year}",
                    "measure": measure,
                    "value": "10.0",
                    "value_as_published": "10",
                    "unit": "%",
                    "pop_vintage": "",
                    "source_id": "TEST",
                    "source_table": "",
                    "source_file": "",
                    "notes": "",
                    "series_break": "",
                }
            )
    rows = pd.DataFrame(rows, columns=cols)
    kc16 = (
        (rows["la_name"] == "Kensington and Chelsea")
        & (rows["year"] == 2016)
        & (rows["measure"] == "csww_agency_rate_pct")
    )
    rows[~kc16].to_csv(pub / "csc_indicators_preferred.csv", index=False)  # the preferred file leaves it out
    suppressed = rows[kc16].assign(value="", value_as_published="x")
    pd.concat([rows[~kc16], suppressed]).to_csv(pub / "csc_indicators_long.csv", index=False)
    sn = pd.DataFrame(
        [
            [
                "E09000020",
                "207",
                "Kensington and Chelsea",
                1,
                "202",
                "E09000007",
                "Camden",
                "Close",
                "",
                "",
                "main list",
            ],
            [
                "E09000020",
                "207",
                "Kensington and Chelsea",
                2,
                "213",
                "E09000033",
                "Westminster",
                "Close",
                "",
                "",
                "main list",
            ],
        ],
        columns=[
            "la_code",
            "old_la_code",
            "la_name",
            "rank",
            "neighbour_old_la_code",
            "neighbour_la_code",
            "neighbour_la_name",
            "closeness",
            "source_table",
            "source_file",
            "sn_list",
        ],
    )
    sn.to_csv(pub / "statistical_neighbours_2021.csv", index=False)
    assert public.available(pub)
    wf = public.read_workforce(pub)
    cell = wf[
        (wf["area_name"] == "Kensington and Chelsea") & (wf["year"] == 2016) & (wf["measure"] == "agency_rate_pct")
    ].iloc[0]
    assert np.isnan(cell["value"]) and cell["value_as_published"] == "x"
    nb = public.neighbours(pub)
    assert nb["Kensington and Chelsea"] == ["202"]  # Westminster, a programme borough, left out
    comp = public.comparison(wf, nb)
    row = comp[
        (comp["borough"] == "Kensington and Chelsea") & (comp["year"] == 2016) & (comp["measure"] == "agency_rate_pct")
    ].iloc[0]
    assert np.isnan(row["borough_value"]) and row["neighbours_median"] == 10.0
    section = Section(
        strand="workforce",
        title="t",
        order=50,
        processed_dir=tmp_path / "proc",
        synthetic=False,
        sources=[public.SOURCE],
    )
    wf_section.build_public_section(section, comp)
    meta = json.loads(section.save().read_text())
    assert meta["data_kind"] == "real"
    item = next(i for i in meta["items"] if i["kind"] == "table" and i["name"] == "published_focus")
    table = pd.read_csv(section.folder / item["file"])
    agency = table["measure"] == analysis.MEASURE_LABELS["agency_rate_pct"]
    shown = table[agency & (table["borough"] == "Kensington and Chelsea") & (table["year"] == "Sept 2016")][
        "published"
    ].iloc[0]
    assert shown == "x (not published)"
    html = table_html(table, item["caption"], labels=item["labels"])
    assert "x (not published)" in html
    kc = table[agency & (table["borough"] == "Kensington and Chelsea")]
    assert "0.0" not in kc["published"].tolist()


@needs_public
def test_real_public_figures_keep_published_gaps():
    wf = public.read_workforce(PUBLIC)
    kc = wf[(wf["area_name"] == "Kensington and Chelsea") & (wf["measure"] == "agency_rate_pct")].set_index("year")
    assert np.isnan(kc.loc[2016, "value"]) and np.isnan(kc.loc[2022, "value"])
    assert kc.loc[2022, "value_as_published"] == "x"
    assert kc.loc[2017, "value"] == pytest.approx(3.4)
    assert wf["year"].min() == 2015
    nb = public.neighbours(PUBLIC)
    programme = {"213", "205", "207"}
    for _name, codes in nb.items():
        assert not programme & set(codes)


@pytest.fixture(scope="module")
def synthetic_hr(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    truth = generate_all(raw, strands=("roster", "workforce"))
    return raw, truth["strands"]["workforce"]


def _within_tolerance(ind, targets, tol, years):
    for borough, by_year in targets.items():
        for y in years:
            row = ind[(ind["borough"] == borough) & (ind["year"] == y)].iloc[0]
            t = by_year[str(y)]
            assert abs(row["fte_in_post"] - t["fte_in_post"]) <= tol["fte_in_post_pct"] / 100 * t["fte_in_post"], (
                borough,
                y,
            )
            for m in ("agency_rate_pct", "turnover_rate_pct", "absence_rate_pct"):
                assert abs(row[m] - t[m]) <= tol[m], (borough, y, m, row[m], t[m])


def test_generator_matches_targets_and_planted_change_is_recovered(synthetic_hr, tmp_path):
    raw, truth = synthetic_hr
    posts, absence = inputs.load_hr(raw, tmp_path, key=KEY)
    assert posts.rows_rejected == truth["malformed_rows"]["posts"]
    assert absence.rows_rejected == truth["malformed_rows"]["absence"]
    ind = analysis.indicators(posts.data, absence.data, range(2012, 2019))
    _within_tolerance(ind, truth["targets"], truth["tolerance"], range(2012, 2019))
    change = analysis.before_after(
        posts.data, absence.data, truth["before_years"], truth["after_years"], n_boot=400, seed=3
    )
    for r in change.itertuples():
        planted = truth["planted_rates"][r.borough][r.measure]["change"]
        assert r.ci_low <= planted <= r.ci_high, (r.borough, r.measure, planted, r.ci_low, r.ci_high)
    allb = change[change["borough"] == "All"].set_index("measure")
    assert (allb["ci_high"] < 0).all()  # the planted (negative) changes are found
    for spec, table in ((analysis.INDICATORS, ind), (analysis.CHANGE, change)):
        from helpers import ingest

        ingest.write_output(table, spec, tmp_path)


@needs_public
def test_generator_matches_published_figures(synthetic_hr, tmp_path):
    raw, truth = synthetic_hr
    assert truth["targets_source"].startswith("published")
    posts, absence = inputs.load_hr(raw, tmp_path, key=KEY)
    ind = analysis.indicators(posts.data, absence.data, [2015, 2016, 2017])
    rec = analysis.reconcile(ind, public.published_for_boroughs(public.read_workforce(PUBLIC)))
    tol = truth["tolerance"]
    for r in rec.dropna(subset=["difference"]).itertuples():
        limit = tol["fte_in_post_pct"] / 100 * r.published if r.measure == "fte_in_post" else tol[r.measure]
        assert abs(r.difference) <= limit, r
    # Published suppressed cells stay missing in the reconciliation (K&C agency 2016).
    kc = rec[
        (rec["borough"] == "Kensington and Chelsea") & (rec["measure"] == "agency_rate_pct") & (rec["year"] == 2016)
    ].iloc[0]
    assert np.isnan(kc["published"]) and np.isnan(kc["difference"])
    assert rec[rec["measure"] == "vacancy_rate_pct"]["extract"].isna().all()


def test_null_change_not_found_and_defaults_without_public_data(tmp_path, monkeypatch):
    monkeypatch.setenv("FOP_PUBLIC_DATA", str(tmp_path / "no_public_data"))
    zero = {k: 0.0 for k in ("agency_rate_change", "turnover_rate_change", "absence_rate_change")}
    truth = generate_all(tmp_path / "raw", strands=("roster", "workforce"), effects={"workforce": zero})["strands"][
        "workforce"
    ]
    assert truth["targets_source"].startswith("documented defaults")
    posts, absence = inputs.load_hr(tmp_path / "raw", tmp_path / "proc", key=KEY)
    ind = analysis.indicators(posts.data, absence.data, range(2012, 2019))
    _within_tolerance(ind, truth["targets"], truth["tolerance"], range(2012, 2019))
    change = analysis.before_after(posts.data, absence.data, [2012, 2013], [2016, 2017], n_boot=400, seed=3)
    allb = change[change["borough"] == "All"]
    assert ((allb["ci_low"] <= 0) & (allb["ci_high"] >= 0)).all(), allb


def test_generator_is_deterministic(tmp_path):
    files = []
    for name, seed in (("a", 2014), ("b", 2014), ("c", 7)):
        generate_all(tmp_path / name, seed=seed, strands=("roster", "workforce"))
        files.append((tmp_path / name / "hr_posts.csv").read_bytes())
    assert files[0] == files[1] and files[0] != files[2]


def test_notebook_runs(built):
    """The notebook's sections as the default build wrote them (the same generator's files, run by the
    pipeline once for every test that reads it, rather than once more here)."""
    sections = built["processed"] / "report_sections"
    hr = json.loads((sections / "50_workforce_hr" / "section.json").read_text())
    assert hr["synthetic"] is True and hr["order"] == 50 and hr["key_findings"]
    assert any("not derivable" in i.get("text", "") for i in hr["items"])
    if public.available():
        pub = json.loads((sections / "50_workforce" / "section.json").read_text())
        assert pub["data_kind"] == "real" and pub["sources"]
        assert any("cannot show a before and after" in i.get("text", "") for i in pub["items"])
    assert [f.filename for f in workforce.RAW_FILES] == ["hr_posts.csv", "hr_absence.csv"]


def test_hr_section_on_a_handful_of_workers_gives_no_small_figures(tmp_path):
    _hr(tmp_path)
    posts, absence = inputs.load_hr(tmp_path, tmp_path / "proc", key=KEY)
    ind = analysis.indicators(posts.data, absence.data, [2015, 2016, 2017])
    change = analysis.before_after(posts.data, absence.data, [2015], [2017], n_boot=50, seed=1)
    assert change["workers"].iloc[0] == 6  # A, B, C, D, E and G (F is not a census role; H was rejected)
    section = Section(strand="workforce_hr", title="t", order=50, processed_dir=tmp_path / "proc", synthetic=False)
    wf_section.build_hr_section(
        section, ind, None, change, None, rows={"hr_posts.csv": (posts.rows_read, posts.rows_rejected)}
    )
    text = " ".join(i["text"] for i in section.items if i["kind"] == "markdown")
    assert "(6 workers" in text  # over the threshold of 5: shown
    small = Section(
        strand="workforce_hr", title="t", order=50, processed_dir=tmp_path / "proc2", synthetic=False, threshold=10
    )
    wf_section.build_hr_section(small, ind, None, change, None, rows={})
    text = " ".join(i["text"] for i in small.items if i["kind"] == "markdown")
    assert "(c workers" in text and "agency rate c% before" in text
    assert not small.key_findings


def test_process_mode_rates_vary_around_their_expectations(tmp_path):
    """Process mode (issue 10 calibration): the targets become expectations, so the realised rates
    differ between seeds, and differ from the targets by about what a worker-level process gives
    (here: every realised 'All' change within 4 bootstrap standard errors of the planted one)."""
    changes = []
    for seed in (11, 12):
        truth = generate_all(
            tmp_path / str(seed), seed=seed, strands=("workforce",), effects={"workforce": {"process": 1.0}}
        )["strands"]["workforce"]
        assert truth["mode"].startswith("process")
        posts, absence = inputs.load_hr(tmp_path / str(seed), tmp_path / f"p{seed}", key=KEY)
        ch = analysis.before_after(posts.data, absence.data, [2012, 2013], [2016, 2017], n_boot=200, seed=1)
        allb = ch[ch["borough"] == "All"].set_index("measure")
        for m, r in allb.iterrows():
            planted = truth["planted_rates"]["All"][m]["change"]
            se = (r["ci_high"] - r["ci_low"]) / (2 * 1.96)
            assert abs(r["change"] - planted) <= 4 * se, (seed, m, r["change"], planted)
        changes.append(allb["change"])
    # a quota process would give the same rates to within a few hundredths at every seed
    assert (abs(changes[0] - changes[1]) > 0.05).any()


def _turnover_extract(copies: int):
    """``copies`` repeats of five permanent full-time social workers, census years 2013 and 2014
    (windows 1 Oct 2012 - 30 Sep 2013 and 1 Oct 2013 - 30 Sep 2014):
    W1 in post throughout; W2 leaves in 2013; W3 leaves in 2014; W4 joins in 2013 (replacing W2);
    W5 joins in 2014 (replacing W3). No absence."""
    pattern = [
        ("W1", "2010-01-01", None, None),
        ("W2", "2010-01-01", "2013-03-31", "resigned"),
        ("W3", "2010-01-01", "2014-06-30", "resigned"),
        ("W4", "2013-04-01", None, None),
        ("W5", "2014-07-01", None, None),
    ]
    rows = [
        {
            "worker_id": f"{w}-{k}",
            "borough": W,
            "team": "T1",
            "role": "social_worker",
            "fte": 1.0,
            "contract": "permanent",
            "start_date": pd.Timestamp(s),
            "end_date": pd.Timestamp(e) if e else pd.NaT,
            "leaving_reason": r,
        }
        for k in range(copies)
        for w, s, e, r in pattern
    ]
    absence = pd.DataFrame(
        {
            "worker_id": pd.Series(dtype=str),
            "borough": pd.Series(dtype=str),
            "start_date": pd.Series(dtype="datetime64[ns]"),
            "end_date": pd.Series(dtype="datetime64[ns]"),
            "working_days_lost": pd.Series(dtype=float),
        }
    )
    return pd.DataFrame(rows), absence


def test_turnover_exposure_and_conditional_interval_by_hand():
    # exposure (FTE at risk of leaving): in post on 30 Sep of the year before, or a leaver in the year
    posts, absence = _turnover_extract(1)
    comp = analysis.worker_components(posts, absence, [2013, 2014]).set_index(["worker_id", "year"])
    expected = {  # (worker, year): (at risk, leaver, in post at the end)
        ("W1-0", 2013): (1, 0, 1), ("W2-0", 2013): (1, 1, 0), ("W3-0", 2013): (1, 0, 1),
        ("W4-0", 2013): (0, 0, 1), ("W5-0", 2013): (0, 0, 0),
        ("W1-0", 2014): (1, 0, 1), ("W2-0", 2014): (0, 0, 0), ("W3-0", 2014): (1, 1, 0),
        ("W4-0", 2014): (1, 0, 1), ("W5-0", 2014): (0, 0, 1),
    }  # fmt: skip
    for key, (risk, left, end) in expected.items():
        assert tuple(comp.loc[key, ["at_risk_fte", "leavers_fte", "fte_in_post"]]) == (risk, left, end), key

    # 50 copies: turnover 1/3 in both years, change 0. Conditional on exposure the change moves by
    # sum_i D_i with D_i = (a_i - q e_i)_2014 / B - (a_i - q e_i)_2013 / B, q = 1/3, B = 150:
    # W1 (-1/3) - (-1/3) = 0; W2 0 - 2/3; W3 2/3 + 1/3 = 1; W4 -1/3 - 0; W5 0, so
    # var = 50 x (4/9 + 1 + 1/9) / 150^2 = 14 / (81 x 50) and SD = 100 x sqrt(14/4050) = 5.880 points.
    # (Resampling the FTE in post too would give D = 0, -1, 4/3, 0, -1/3 over B: 26/9, SD 8.01.)
    posts, absence = _turnover_extract(50)
    ch = analysis.before_after(posts, absence, [2013], [2014], n_boot=4000, seed=11).set_index("measure")
    t = ch.loc["turnover_rate_pct"]
    assert t["before"] == pytest.approx(100 / 3) and t["after"] == pytest.approx(100 / 3)
    assert t["change"] == pytest.approx(0.0, abs=1e-9)
    sd_from_ci = (t["ci_high"] - t["ci_low"]) / (2 * 1.959964)
    assert sd_from_ci == pytest.approx(5.880, rel=0.08)
    assert t["ci_low"] < 0 < t["ci_high"]


def _comparison_by_hand() -> pd.DataFrame:
    """Two boroughs, 2015-2017, three measures; every comparator flat, so every count below is read off
    the borough values by eye (see the comments in the test)."""
    rows = []
    values = {
        "agency_rate_pct": {"A": [10, 12, 9], "B": [20, None, 18]},
        "turnover_rate_pct": {"A": [14, 16, 13], "B": [12, 20, 11]},
        "absence_rate_pct": {"A": [2, 2, 2], "B": [3, 3, 3]},
    }
    comparators = {
        "agency_rate_pct": (15, 17, 16),
        "turnover_rate_pct": (15, 13.5, 14.5),
        "absence_rate_pct": (2.5, 2.8, 3.2),
    }
    for m, by in values.items():
        nb, il, en = comparators[m]
        for b, series in by.items():
            for year, v in zip((2015, 2016, 2017), series, strict=True):
                rows.append(
                    {
                        "borough": b,
                        "measure": m,
                        "year": year,
                        "borough_value": float("nan") if v is None else float(v),
                        "borough_as_published": "x" if v is None else str(v),
                        "neighbours_median": nb,
                        "neighbours_with_value": 8,
                        "neighbours": 8,
                        "region": il,
                        "region_name": "Inner London",
                        "england": en,
                    }
                )
    return pd.DataFrame(rows)


def test_published_workforce_findings_are_facts_with_one_answer(tmp_path):
    section = Section(strand="workforce", title="t", order=50, processed_dir=tmp_path, synthetic=False)
    comp = _comparison_by_hand()
    counts = wf_public._stability_counts(comp, (2015, 2016, 2017))
    # agency below the neighbours' 15 in A's 10, 12, 9 and not in B's 20, 18 (2016 not published): 3 of 5
    assert counts["agency_rate_pct"]["neighbours_median"] == {"below": 3, "compared": 5}
    # turnover below 15: A 14, 13 and B 12, 11: 4 of 6; below Inner London's 13.5: A 13, B 12, 11: 3 of 6
    assert counts["turnover_rate_pct"]["neighbours_median"] == {"below": 4, "compared": 6}
    assert counts["turnover_rate_pct"]["region"] == {"below": 3, "compared": 6}
    # absence below the neighbours' 2.5: A's three years; below England's 3.2: all six
    assert counts["absence_rate_pct"]["neighbours_median"] == {"below": 3, "compared": 6}
    assert counts["absence_rate_pct"]["england"] == {"below": 6, "compared": 6}
    wf_public._public_findings(section, comp, counts, (2015, 2016, 2017))
    level, change = section.key_findings
    assert all(f["kind"] == "fact" and f["source"] == "published" and f["strength"] is None for f in (level, change))
    assert level["topic"] == change["topic"] == "workforce" and change["answer"] is None
    # the answer box and the finding lead with the same comparison (the neighbours') and the same counts
    assert level["answer"] == (
        "Published figures for 2015-2017 put the boroughs below their statistical neighbours' median for agency "
        "rate in 3 of 5 borough-years, for turnover in 4 of 6 and for sickness absence in 3 of 6, but start after "
        "the programme began."
    )
    # against Inner London (17, 13.5, 2.8): agency A's three, turnover A 13 and B 12, 11, absence A's three;
    # against England (16, 14.5, 3.2): agency A's three, turnover A 14, 13 and B 12, 11, absence all six
    assert level["text"].startswith(
        "In 2015-2017 the boroughs' published figures were below their statistical neighbours' median for agency "
        "rate in 3 of 5 borough-years, for turnover in 4 of 6 and for sickness absence in 3 of 6 (below Inner "
        "London's in 3, 3 and 3; below England's in 3, 4 and 6); "
    )
    # 2015 to 2017: agency A 10 -> 9, B 20 -> 18 both fell; turnover A 14 -> 13, B 12 -> 11 both fell; absence
    # unchanged; the flat comparators never fall
    assert (
        "the agency rate fell in 2 of 2 boroughs, turnover fell in 2 of 2 and sickness absence fell in 0 of 2"
        in change["text"]
    )
    assert "medians fell in 0 of 2, 0 of 2 and 0 of 2, and none of England's fell" in change["text"]


def test_one_authoritys_change_says_fell_or_did_not_fall(tmp_path):
    """One authority in its own report: each measure "fell" or "did not fall", never "1 of 1 authority"."""
    section = Section(strand="workforce", title="t", order=50, processed_dir=tmp_path, synthetic=False)
    comp = _comparison_by_hand()
    comp = comp[comp["borough"] == "A"]
    counts = wf_public._stability_counts(comp, (2015, 2016, 2017))
    wf_public._public_findings(section, comp, counts, (2015, 2016, 2017))
    change = section.key_findings[1]["text"]
    # A, 2015 to 2017: agency 10 -> 9 fell, turnover 14 -> 13 fell, absence 2 -> 2 did not; the comparators are flat
    assert (
        "to September 2017, A's agency rate fell, turnover fell and sickness absence did not fall; over the same "
        "years its statistical neighbours' median agency rate did not fall, median turnover did not fall and "
        "median sickness absence did not fall, and none of England's fell. The series start too late to show a "
        "before-and-after change." in change
    )
    assert " of 1" not in change
    # A did not run the programme: its figures are not read against the programme's start
    level = section.key_findings[0]
    assert "programme" not in level["answer"] and "programme" not in level["text"]
    assert level["answer"].startswith("Published figures for 2015-2017 put A below its statistical neighbours'")


def test_one_programme_boroughs_report_names_it_and_keeps_the_programmes_timing(tmp_path):
    """A programme borough's own report (scope kensington_chelsea) names the borough ("its", "years"),
    never "the boroughs" or "borough-years", and still reads its figures against the programme's start."""
    section = Section(strand="workforce", title="t", order=50, processed_dir=tmp_path, synthetic=False)
    comp = _comparison_by_hand()
    comp = comp[comp["borough"] == "A"].assign(borough="Kensington and Chelsea")
    counts = wf_public._stability_counts(comp, (2015, 2016, 2017))
    wf_public._public_findings(section, comp, counts, (2015, 2016, 2017))
    level, change = section.key_findings
    # A's agency 10, 12, 9 all below the neighbours' 15; turnover 14, 13 below 15 (16 is not); absence 2 < 2.5
    assert level["answer"] == (
        "Published figures for 2015-2017 put Kensington and Chelsea below its statistical neighbours' median for "
        "agency rate in 3 of 3 years, for turnover in 2 of 3 and for sickness absence in 3 of 3, but start after "
        "the programme began."
    )
    assert "to September 2017, Kensington and Chelsea's agency rate fell, turnover fell" in change["text"]
    assert "the 2016 evaluation reported" in change["text"]
    for text in (level["text"], level["answer"], change["text"]):
        assert "the boroughs" not in text and "borough-years" not in text and " of 1" not in text


@needs_public
def test_the_published_section_never_leans_on_the_synthetic_one(tmp_path):
    comp = public.comparison(public.read_workforce(PUBLIC), public.neighbours(PUBLIC))
    section = Section(
        strand="workforce", title="t", order=50, processed_dir=tmp_path, synthetic=False, sources=[public.SOURCE]
    )
    wf_section.build_public_section(section, comp)
    text = " ".join(
        [i["text"] for i in section.items if i["kind"] == "markdown"] + [f["text"] for f in section.key_findings]
    )
    assert "HR extract" not in text and "next section" not in text
    assert [f["kind"] for f in section.key_findings] == ["fact", "fact"]


def test_a_synthetic_change_says_it_is_the_generators_setting():
    truth = {
        "planted": {"agency_rate_change": -8.0, "turnover_rate_change": -6.0},
        "targets_source": "published DfE figures 2015-2018",
    }
    words = wf_section._made_up(["agency_rate_pct", "turnover_rate_pct"], truth)
    assert "later years copied from the published figures" in words
    assert "8.0 points higher for the agency rate and 6.0 points higher for the turnover rate" in words
    assert "its setting, not a finding" in words
    defaults = wf_section._made_up(["agency_rate_pct"], {**truth, "targets_source": "documented defaults"})
    assert "set to round illustrative values" in defaults
    assert "made-up data" in wf_section._made_up(["agency_rate_pct"], None)
