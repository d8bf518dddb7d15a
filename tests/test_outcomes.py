"""Outcomes strand: estimators on hand-made tiny panels (planted effect recovered, none not found),
combined rates from summed counts, suppressed cells, vintages; the section for another LA, for an
LA touched by a boundary change, and with the public folder missing.

Tiny public folders are written by hand here (never real data); checks on the real folder skip when
it is absent.
"""

import csv
import html
import json
import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import yaml

from helpers import config
from helpers import public_data as pdm
from helpers.evidence import p_words
from helpers.report_section import Section
from helpers.strands.outcomes import analysis, estimators, inference, outputs
from helpers.strands.outcomes import section as outcome_section

needs_real = pytest.mark.skipif(
    not pdm.available(),
    reason=f"public statistics folder not found at {pdm.public_data_dir()} "
    "(set FOP_PUBLIC_DATA); real-data checks skipped",
)
YEARS = list(range(2010, 2018))  # 2010-2014 before, 2015-2017 after a July 2014 start
CODES = list(range(101, 161))  # 60 hand-made LAs: a two-sided 5% placebo test needs at least 40 placebos


def _write(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow([r.get(c, "") for c in columns])


def _row(code, year, measure, value, published=None, vintage="", source="HAND"):
    return {
        "la_code": f"E0{code:07d}",
        "old_la_code": str(code),
        "la_name": f"LA {code}",
        "geographic_level": "Local authority",
        "year": str(year),
        "measure": measure,
        "value": "" if value is None else f"{value}",
        "value_as_published": published if published is not None else f"{value}",
        "pop_vintage": vintage,
        "source_id": source,
    }


def make_folder(path, counts: dict, pops: dict, suppressed=(), revised_pop=None, extra_rows=(), long_rows=()):
    """counts[(code, year)] CLA at 31 March; pops[(code, mid_year)] 0-17 population (pre-2021 vintage).
    ``extra_rows`` go into the preferred and long files, ``long_rows`` (other vintages) into the long file only."""
    path.mkdir(parents=True, exist_ok=True)
    rows = []
    for (code, year), v in counts.items():
        if (code, year) in suppressed:
            rows.append(_row(code, year, "cla_at_31_march_number", None, published="c"))
        else:
            rows.append(_row(code, year, "cla_at_31_march_number", v))
    for (code, year), v in pops.items():
        rows.append(_row(code, year, "pop_0_17_ons_mid_year_pre2021census", v, vintage=pdm.VINTAGE_PRE2021))
        if revised_pop is not None:
            rows.append(_row(code, year, "pop_0_17_ons_mid_year_revised", revised_pop, vintage=pdm.VINTAGE_REVISED))
    rows += list(extra_rows)
    _write(path / "csc_indicators_preferred.csv", [c.name for c in pdm.PREFERRED.columns], rows)
    _write(path / "csc_indicators_long.csv", [c.name for c in pdm.LONG.columns], rows + list(long_rows))
    codes = sorted({c for c, _ in counts})
    _write(
        path / "la_lookup.csv",
        [c.name for c in pdm.LA_LOOKUP.columns],
        [
            {
                "old_la_code": str(c),
                "la_code": f"E0{c:07d}",
                "la_name": f"LA {c}",
                "geographic_level": "Local authority",
                "first_year_with_data": "2009",
                "last_year_with_data": "2025",
            }
            for c in codes
        ],
    )
    _write(path / "la_changes.csv", [c.name for c in pdm.LA_CHANGES.columns], [])
    sn_rows = []
    for i, c in enumerate(codes):  # each LA's neighbours: the next 10 LAs, cyclically
        for rank in range(1, 11):
            n = codes[(i + rank) % len(codes)]
            sn_rows.append(
                {
                    "old_la_code": str(c),
                    "rank": str(rank),
                    "neighbour_old_la_code": str(n),
                    "neighbour_la_name": f"LA {n}",
                    "closeness": "Close",
                    "sn_list": "main list",
                }
            )
    for vintage in ("2021", "2025"):
        _write(path / f"statistical_neighbours_{vintage}.csv", [c.name for c in pdm.SN_2021.columns], sn_rows)
    return path


def planted_panel(effect: float, seed: int, noise: float = 1.0, treated=(101,)):
    """Rates per 10,000 = counts (population 10,000): LA level + common year effect + noise, and
    ``effect`` added to the treated LAs from 2015 on."""
    rng = np.random.default_rng(seed)
    year_effect = {y: -1.5 * (y - 2010) + (2.0 if y == 2013 else 0.0) for y in YEARS}
    counts, pops = {}, {}
    for i, c in enumerate(CODES):
        level = 40 + 3 * (i % 9)
        for y in YEARS:
            v = level + year_effect[y] + rng.normal(0, noise) + (effect if (c in treated and y >= 2015) else 0)
            counts[(c, y)] = round(v, 3)
            pops[(c, y - 1)] = 10000
    return counts, pops


def run_tiny(folder, treated=(101,), **kw):
    return analysis.run(
        treated=list(treated),
        programme_start="2014-07",
        first_year=2010,
        last_year=2017,
        outcomes=["cla_rate"],
        public_data_dir=str(folder),
        cost_years=(2015, 2017),
        **kw,
    )


def _est(r, method, unit="101"):
    e = r.estimates
    return e[(e.outcome == "cla_rate") & (e.area_code == unit) & (e.method == method)].iloc[0]


# ---- conventions ------------------------------------------------------------------------------


def test_first_post_year_convention():
    assert analysis.first_post_year("2014-07") == 2015  # figure at 31 March 2015 is the first after July 2014
    assert analysis.first_post_year("2014-03") == 2014
    assert analysis.first_post_year("2014-03-31") == 2014
    assert analysis.first_post_year("2014-04-01") == 2015
    with pytest.raises(ValueError):
        analysis.first_post_year("July 2014")


def test_randomisation_p_and_mean_of_k_by_hand():
    # 3 against 1, -4, 2, 5: one placebo at least as high (5), three at least as low; the high side is
    # the estimate's own -> rank 1 + 1 = 2, p = 2 x 2 / 5
    no_exposure = np.zeros(4)
    assert inference.randomisation_p(3.0, 1.0, np.array([1, -4, 2, 5]), no_exposure) == (2, 4 / 5)
    # -4 is the lowest of all five: rank 1, p = 2/5; a tie counts as at least as far out
    assert inference.randomisation_p(-4.0, 1.0, np.array([1, 3, 2, 5]), no_exposure) == (1, 2 / 5)
    assert inference.randomisation_p(5.0, 1.0, np.array([1, 3, 2, 5]), no_exposure) == (2, 4 / 5)
    # p is capped at 1 (the middle of an even number of values)
    assert inference.randomisation_p(2.5, 1.0, np.array([1, 2, 3, 4]), no_exposure) == (3, 1.0)
    means = np.sort(inference.mean_of_k_distribution(np.array([1.0, 2, 3, 4]), 2))
    assert np.allclose(means, [1.5, 2, 2.5, 2.5, 3, 3.5])


def test_did_closed_form_by_hand():
    y1 = np.array([10.0, 12, 20, 22])  # treated: pre mean 11, post mean 21
    Y0 = np.array([[5.0, 7], [7, 9], [9, 11], [11, 13]])  # comparators' mean: pre 7, post 11
    pre, post = np.array([1, 1, 0, 0], bool), np.array([0, 0, 1, 1], bool)
    assert estimators.did(y1, Y0, pre, post) == pytest.approx((21 - 11) - (11 - 7))
    ev = estimators.event_study(y1, Y0, ref=1)
    assert np.allclose(ev, [0, 0, 6, 6])  # gaps 4, 4, 10, 10 less the gap in the reference year


def test_synthetic_weights_hand_case_exact_and_pysyncon():
    A, B, C = np.array([1.0, 2, 3]), np.array([3.0, 2, 1]), np.array([10.0, 10, 10])
    Y0 = np.column_stack([A, B, C])
    y1 = 0.25 * A + 0.75 * B  # exactly a convex mix of A and B
    w = estimators.synth_weights(y1, Y0)
    assert np.allclose(w, [0.25, 0.75, 0.0], atol=1e-4)
    # a random case: the loss is as small as an exact constrained solver's (SLSQP) and pysyncon's
    from scipy.optimize import minimize

    rng = np.random.default_rng(7)
    Y0 = rng.normal(50, 10, (5, 20))
    y1 = Y0[:, :4] @ np.array([0.1, 0.2, 0.3, 0.4]) + rng.normal(0, 2, 5)
    w = estimators.synth_weights(y1, Y0)
    loss = lambda v: float(np.sum((y1 - Y0 @ v) ** 2))  # noqa: E731
    exact = minimize(
        loss,
        np.full(20, 1 / 20),
        method="SLSQP",
        bounds=[(0, 1)] * 20,
        constraints={"type": "eq", "fun": lambda v: v.sum() - 1},
        options={"ftol": 1e-12, "maxiter": 1000},
    )
    assert w.min() >= 0 and w.sum() == pytest.approx(1)
    assert loss(w) <= loss(exact.x) + 1e-3
    pysyncon = pytest.importorskip("pysyncon")
    import pandas as pd

    X0 = pd.DataFrame(Y0, columns=[f"d{i}" for i in range(20)])
    X1 = pd.Series(y1, name="treated")
    # pysyncon scales each year by its standard deviation over units; V = those variances undoes it,
    # so both solve the same problem (every pre-programme year weighted equally)
    v = pd.concat([X0, X1], axis=1).std(axis=1).to_numpy() ** 2
    synth = pysyncon.Synth()
    synth.fit(X0=X0, X1=X1, Z0=X0, Z1=X1, custom_V=v)
    w_ps = np.asarray(synth.W, dtype=float)
    assert loss(w) <= loss(w_ps) + 1e-3
    assert loss(w_ps) <= loss(w) * 1.05 + 1e-3  # and pysyncon finds the same optimum


# ---- the whole analysis on hand-made panels -----------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    counts, pops = planted_panel(effect=-10.0, seed=1)
    folder = make_folder(tmp_path_factory.mktemp("planted"), counts, pops)
    return run_tiny(folder)


def test_planted_effect_recovered_by_each_estimator(planted):
    r = planted
    d = _est(r, "difference in differences vs neighbours")
    assert d.ci_low <= -10 <= d.ci_high and abs(d.estimate + 10) < 2.5
    assert d["rank"] == 1 and d.p_value == pytest.approx(2 / (d.n_placebo + 1))  # lowest of all 60, two-sided
    check = r.pyfixest_check.iloc[0]
    assert check.estimate_pyfixest == pytest.approx(check.estimate_numpy, abs=1e-8)
    its_alone = _est(r, "interrupted time series alone: level change")
    assert its_alone.ci_low <= -10 <= its_alone.ci_high
    its_vs = _est(r, "interrupted time series vs neighbours: level change")
    assert its_vs.ci_low <= -10 <= its_vs.ci_high
    sc = _est(r, "synthetic control: mean post-programme gap")
    assert sc.ci_low <= -10 <= sc.ci_high and abs(sc.estimate + 10) < 3
    ev = r.event[r.event.area_code == "101"].set_index("year").estimate
    assert all(abs(ev[y] + 10) < 4 for y in (2015, 2016, 2017)) and all(
        abs(ev[y]) < 4 for y in (2010, 2011, 2012, 2013)
    )


def test_planted_effect_costed_with_its_interval(planted):
    # 10 fewer per 10,000 in a population of 10,000 = 10 children a year, 3 years = 30 child-years;
    # at GBP 646 a week: 30 x 646 x 52 = GBP 1,007,760
    c = planted.costs
    row = c[(c.method == "difference in differences") & c.unit_cost_label.str.startswith("central")].iloc[0]
    assert row.avoided_child_years_low <= 30 <= row.avoided_child_years_high
    assert row.avoided_cost_low_gbp <= 30 * 646 * 52 <= row.avoided_cost_high_gbp
    assert row.avoided_cost_gbp == pytest.approx(row.avoided_child_years * 646 * 52)
    assert set(c.method) == {"difference in differences", "synthetic control", "interrupted time series vs neighbours"}


def test_no_effect_placebo_p_not_small(tmp_path):
    counts, pops = planted_panel(effect=0.0, seed=2)
    r = run_tiny(make_folder(tmp_path, counts, pops), use_pyfixest=False)
    d = _est(r, "difference in differences vs neighbours")
    assert d.p_value > 0.1 and d.ci_low <= 0 <= d.ci_high


def test_placebo_test_calibrated_under_no_effect():
    """Over 40 seeded null panels the placebo p-value of a truly untreated LA is below 0.1 in about
    10% of them (allowing for chance: at most 9 of 40)."""
    small = 0
    for seed in range(40):
        counts, _ = planted_panel(effect=0.0, seed=100 + seed)
        Y = np.array([[counts[(c, y)] for c in CODES] for y in YEARS])
        pre = np.array(YEARS) < 2015
        post = ~pre
        ests = []
        for i in range(len(CODES)):
            comps = [(i + k) % len(CODES) for k in range(1, 11)]
            ests.append(estimators.did(Y[:, i], Y[:, comps], pre, post))
        _, p = inference.randomisation_p(ests[0], 1.0, np.array(ests[1:]), np.zeros(len(ests) - 1))
        small += p < 0.1
    assert small <= 9


def test_combined_rate_from_summed_counts_and_suppressed_stays_missing(tmp_path):
    counts, pops = {}, {}
    for c in CODES:
        for y in YEARS:
            counts[(c, y)] = 10
            pops[(c, y - 1)] = 1000 if c == 101 else 9000
    folder = make_folder(tmp_path, counts, pops, suppressed={(101, 2012)}, revised_pop=5000)
    r = run_tiny(folder, treated=(101, 102), use_pyfixest=False)
    p = r.panel[(r.panel.outcome == "cla_rate")].set_index(["area_code", "year"])
    # (10 + 10) / (1,000 + 9,000) x 10,000 = 20, not the mean of 100 and 11.1
    assert p.loc[("treated", 2011), "value"] == pytest.approx(20.0)
    assert p.loc[("101", 2011), "value"] == pytest.approx(100.0)
    # the suppressed 2012 count: missing for the LA and for the group, never a sum that reads it as 0
    assert math.isnan(p.loc[("101", 2012), "value"]) and math.isnan(p.loc[("101", 2012), "numerator"])
    assert math.isnan(p.loc[("treated", 2012), "value"]) and math.isnan(p.loc[("treated", 2012), "numerator"])
    # only the pre-Census-2021 population is used (the revised 5,000 would give 20 and 180)
    assert set(p.pop_vintage) == {pdm.VINTAGE_PRE2021}
    assert p.loc[("102", 2011), "value"] == pytest.approx(10 / 9000 * 1e4)
    assert p.loc[("102", 2011), "denominator"] == 9000


def test_outputs_have_the_declared_columns(planted, tmp_path):
    paths = outputs.write(planted, tmp_path)
    assert len(paths) == len(outputs.OUTPUTS) and all(p.exists() for p in paths)


def test_section_from_tiny_panel_is_real_and_says_what_it_cannot_show(planted, tmp_path):
    sec = Section("outcomes", outcome_section.TITLE, 40, tmp_path, synthetic=False, sources=outcome_section.sources())
    outcome_section.build_section(sec, planted)
    meta = json.loads(sec.save().read_text())
    assert meta["data_kind"] == "real" and meta["sources"]
    text = " ".join(i["text"] for i in meta["items"] if i["kind"] == "markdown")
    assert "cannot show that the programme caused" in text and "31 March 2015 is the first after the start" in text
    assert 1 <= len(meta["key_findings"]) <= 3
    assert any(i["kind"] == "figure" and "event" in i["name"] for i in meta["items"])
    assert any(i.get("appendix") and i["kind"] == "table" for i in meta["items"])
    # an area that is not the three programme boroughs: its cost difference is never set against the
    # programme's cost (which was for the three together), in a chart or in words
    assert not any(i["kind"] == "figure" and i["name"] == "outcomes_costs" for i in meta["items"])
    cost = [f for f in meta["key_findings"] if f.get("topic") == "costs"]
    # LA 101 did not run the programme: the planted fall (-10 per 10,000 from 2015) means fewer children
    # in care than its comparators suggest, and no programme cost is set against it
    assert cost[0]["answer"].startswith(
        "LA 101 had fewer children in care over 2015-2017 than its comparators suggest, worth £"
    )
    assert cost[0]["answer"].endswith("; LA 101 did not run the programme, so no programme cost is set against it.")
    assert "could be credited" not in cost[0]["answer"]


def _captions(meta: dict) -> dict:
    return {i["name"]: i.get("caption", "") + " | " + i.get("alt", "") for i in meta["items"] if i["kind"] == "figure"}


def test_one_treated_area_is_named_in_every_caption_and_cost_line(planted, tmp_path):
    """One area (LA 101), not a borough: each chart names it, with "its" neighbours; no caption or
    alt text speaks of boroughs; the cost text says it did not run the programme."""
    sec = Section("outcomes", outcome_section.TITLE, 40, tmp_path, synthetic=False, sources=outcome_section.sources())
    outcome_section.build_section(sec, planted)
    meta = json.loads(sec.save().read_text())
    captions = _captions(meta)
    assert captions["outcomes_trends"].startswith(
        "Children looked after at 31 March, per 10,000 children: LA 101, its neighbours and England"
    )
    assert captions["outcomes_synthetic_cla_rate"].startswith(
        "Synthetic control: LA 101 against a weighted mix of other LAs | Line charts of children looked after at 31 "
        "March, per 10,000 children for LA 101 and its synthetic control"
    )
    assert captions["outcomes_placebo_cla_rate"].startswith("Placebo in space: where LA 101 falls among every")
    assert "borough" not in " ".join(captions.values())
    text = " ".join(i["text"] for i in meta["items"] if i["kind"] == "markdown")
    assert "LA 101 did not run the programme, so no programme cost is set against this figure." in text
    assert "the appendix table uses the same years." in text and "each borough" not in text
    assert "With 1 treated area and about ten yearly figures" in text
    assert "LA 101 is compared with the average of its neighbours' rates" in text
    # the estimators in the appendix: one area is never combined, so nothing is said of areas combined
    assert "LA 101 is compared with each of its neighbours (the estimate is against their average rate)" in text
    assert "combined" not in text.split("**Estimators.**")[1].split("**What the design")[0]


def test_two_treated_areas_are_the_treated_areas_not_the_boroughs(planted_pair, tmp_path):
    sec = Section("outcomes", outcome_section.TITLE, 40, tmp_path, synthetic=False, sources=outcome_section.sources())
    outcome_section.build_section(sec, planted_pair)
    meta = json.loads(sec.save().read_text())
    captions = _captions(meta)
    assert ": the treated areas, their neighbours and England" in captions["outcomes_trends"]
    assert captions["outcomes_synthetic_cla_rate"].startswith("Synthetic control: each area against")
    assert captions["outcomes_placebo_cla_rate"].startswith("Placebo in space: where the treated areas fall")
    text = " ".join(i["text"] for i in meta["items"] if i["kind"] == "markdown")
    assert "With 2 treated areas and about ten yearly figures" in text
    assert "LA 101 and LA 102 did not run the programme" in text
    assert "A single area is compared with each of its neighbours" in text
    assert "the treated areas combined are compared with their neighbours combined" in text
    assert "The synthetic-control gap and the event-study band use the groups with no treated area." in text


def test_the_three_boroughs_keep_their_words():
    """The default build's treated areas (213, 205, 207): the boroughs, each borough, inside the programme."""
    from types import SimpleNamespace

    from helpers.strands.outcomes import prose

    v = SimpleNamespace(r=SimpleNamespace(treated=[213, 205, 207]), treated_names=["W", "H", "K"])
    assert prose.places(v) == ("the boroughs", "their") and prose.each_place(v) == "each borough"
    assert not prose.outside_programme(v)
    one = SimpleNamespace(r=SimpleNamespace(treated=[213]), treated_names=["Westminster"])
    assert prose.places(one) == ("Westminster", "its") and not prose.outside_programme(one)
    leeds = SimpleNamespace(r=SimpleNamespace(treated=[383]), treated_names=["Leeds"])
    assert prose.each_place(leeds) == "Leeds" and prose.outside_programme(leeds)


# ---- real published statistics ---------------------------------------------------------------


@needs_real
def test_real_rates_match_published_cla_rates():
    """Rates computed here (count / mid-(t-1) population) against DfE's published CLA rates: the
    rounding of DfE's integers is the only difference (PROVENANCE: 815 of 815 cells reproduce)."""
    r = analysis.run(outcomes=["cla_rate"], use_pyfixest=False)
    mine = r.panel[(r.panel.outcome == "cla_rate") & r.panel.area_code.isin(["213", "205", "207"])]
    pub = pdm.panel(["cla_at_31_march_rate_per_10000"], areas=["213", "205", "207"], years=(2015, 2019))
    merged = mine.merge(pub, on=["area_code", "year"], suffixes=("", "_pub"))
    assert len(merged) == 15
    assert (merged.value.round() == merged.value_pub).all()


@needs_real
def test_real_percentages_match_published_percentages():
    """Re-referral and repeat-plan percentages from summed counts against DfE's published ones (1 dp)."""
    r = analysis.run(outcomes=["rereferral_pct", "cpp_second_pct"], use_pyfixest=False)
    mine = r.panel[r.panel.area_code.isin(["213", "205", "207"])]
    for outcome, measure in (
        ("rereferral_pct", "cin_rereferrals_within_12m_pct"),
        ("cpp_second_pct", "cpp_second_or_subsequent_pct"),
    ):
        pub = pdm.panel([measure], areas=["213", "205", "207"], years=(2010, 2019))
        merged = (
            mine[mine.outcome == outcome]
            .merge(pub, on=["area_code", "year"], suffixes=("", "_pub"))
            .dropna(subset=["value", "value_pub"])
        )
        assert len(merged) >= 20
        assert (merged.value - merged.value_pub).abs().max() <= 0.051


@needs_real
def test_real_boundary_change_las(tmp_path):
    # Dorset unitary (838) was created in 2019: no unbroken series over 2010-2019, said plainly
    r = analysis.run(treated=[838], outcomes=["cla_rate"], use_pyfixest=False)
    assert r.units == [] and any("boundary change" in n for n in r.notes)
    sec = Section("outcomes", outcome_section.TITLE, 40, tmp_path, synthetic=False)
    outcome_section.build_section(sec, r)
    assert any("no unbroken" in i["text"] for i in sec.items if i["kind"] == "markdown")
    # Northamptonshire (928), abolished 2021, is complete over 2010-2019 and takes its 'Old SNs' list
    r = analysis.run(treated=[928], outcomes=["cla_rate"], use_pyfixest=False)
    assert r.units == ["928"] and len(r.neighbours) >= 5
    assert not np.isnan(_est(r, "difference in differences vs neighbours", "928").estimate)


def _pipeline(args, env_extra, tmp_path):
    env = {**os.environ, "FOP_PSEUDONYMISATION_KEY": "test-key", **env_extra}
    cmd = [
        sys.executable,
        "-m",
        "helpers.pipeline",
        "--no-progress",
        "--force",
        "--processed-dir",
        str(tmp_path / "processed"),
        "--runs-dir",
        str(tmp_path / "runs"),
        "--report-dir",
        str(tmp_path / "reports"),
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=config.PROJECT_ROOT)


@pytest.mark.slow
def test_public_folder_missing_section_says_what_to_put_where_and_report_builds(tmp_path):
    """Without the public statistics every notebook that reads them (the outcomes, LA-extracts and
    workforce sections, with the DfE validation the LA extracts read) still runs and the report builds;
    the notebooks that never read them are left out of this run (their behaviour cannot change)."""
    from conftest import write_test_declaration
    from helpers.synthetic import generate_all

    empty = tmp_path / "no_public_data"
    empty.mkdir()
    raw = tmp_path / "raw"
    generate_all(raw, scale=0.3, strands=("roster", "la_extracts", "workforce"))
    declared = yaml.safe_load(config.PIPELINE_FILE.read_text(encoding="utf-8"))["notebooks"]
    reading = {nb["name"] for nb in declared if nb.get("public_data")}
    decl = write_test_declaration(tmp_path / "pipeline.yaml", steps=reading | {"dfe_validation"})
    done = _pipeline(["--pipeline", str(decl), "--raw-dir", str(raw)], {"FOP_PUBLIC_DATA": str(empty)}, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    meta = json.loads((tmp_path / "processed" / "all" / "report_sections" / "40_outcomes" / "section.json").read_text())
    texts = [i["text"] for i in meta["items"]]
    assert len(texts) == 1 and str(empty) in texts[0] and "FOP_PUBLIC_DATA" in texts[0]
    page = (tmp_path / "reports" / "focus_on_practice_evaluation.html").read_text(encoding="utf-8")
    text = html.unescape(page)  # the title's apostrophe is written &#x27;
    assert outcome_section.TITLE.split(",")[0] in text and "FOP_PUBLIC_DATA" in text


@needs_real
@pytest.mark.slow
def test_other_la_override_file_builds_the_section(tmp_path):
    """The override file as shipped builds Leeds's section, cut to one outcome and no pyfixest cross-check
    (every outcome and the cross-check run in the default build): 13 s of kernel CPU otherwise."""
    cut = ["--set", "outcomes.outcomes=[cla_rate]", "--set", "outcomes.use_pyfixest=false"]
    done = _pipeline(["--params", "config/outcomes_other_la.yaml", *cut, "--only", "outcomes"], {}, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    # A non-default parameter set writes to its own variant folder (never over the default build), named
    # after the file (and, for the cut, "__custom_<hash>").
    (variant,) = (tmp_path / "processed" / "variants").iterdir()
    assert variant.name.startswith("outcomes_other_la")
    scope = variant / "all"
    meta = json.loads((scope / "report_sections" / "40_outcomes" / "section.json").read_text())
    text = " ".join(i.get("text", "") for i in meta["items"])
    assert "Leeds" in text and meta["data_kind"] == "real"
    est = (scope / "outcomes" / "estimates.csv").read_text()
    assert "383" in est


# ---- the combined unit's placebo groups and the ITS cost interval (issue 10 calibration) -----------


def test_its_cost_gap_by_hand():
    years = np.arange(2010, 2018)
    post = years >= 2015
    cost = post  # 2015-2017
    t = years - 2010
    level = 1 + 2 * t + 5 * post  # a line before, shifted up by 5 after: the ITS gap is 5
    flat = 3.0 - t  # no change at all: 0
    slope = t + 2 * (years - 2015) * post  # slope change 2 a year from 2015: mean of 0, 2, 4 = 2
    got = estimators.its_cost_gap(np.column_stack([level, flat, slope]).astype(float), years, 2015, cost)
    assert got == pytest.approx([5.0, 0.0, 2.0], abs=1e-9)
    assert estimators.its_cost_gap(level.astype(float), years, 2015, cost) == pytest.approx(5.0)


def test_group_placebos_combine_members_and_compare_with_their_neighbours_by_hand():
    codes = ["a", "b", "c", "d", "e"]
    rng = np.random.default_rng(7)
    Num = rng.integers(5, 50, size=(4, 5)).astype(float)
    Den = rng.integers(800, 1200, size=(4, 5)).astype(float)
    nb = {"a": ["b", "c"], "b": ["a", "d"], "c": ["d", "e"], "d": ["e"], "e": ["a"]}
    g = inference.group_placebos(Num, Den, codes, ["a", "b", "c", "d"], nb, 2, 1e4, draws=30, seed=3, treated=["b"])
    assert g.rate.shape == g.comparator.shape == g.exposure.shape == (4, len(g.sets)) and len(g.sets) == 30
    seen = set()
    for k, idx in enumerate(g.sets):
        members = [codes[i] for i in idx]
        assert len(set(members)) == 2 and "e" not in members  # candidates only, no repeats in a set
        i, j = idx
        expected_y = (Num[:, i] + Num[:, j]) / (Den[:, i] + Den[:, j]) * 1e4  # summed counts, not mean of rates
        comps = sorted({x for m in members for x in nb[m]} - set(members))
        ci = [codes.index(x) for x in comps]
        # the comparators combined the same way: summed counts over summed populations
        expected_c = Num[:, ci].sum(axis=1) / Den[:, ci].sum(axis=1) * 1e4
        assert g.rate[:, k] == pytest.approx(expected_y) and g.comparator[:, k] == pytest.approx(expected_c)
        # if b's rate rose by 1: the group's rate moves by b's share of its children, the comparators'
        # by b's share of theirs when b is one of them
        b = codes.index("b")
        share = Den[:, b] / (Den[:, i] + Den[:, j]) if "b" in members else np.zeros(4)
        comp_share = Den[:, b] / Den[:, ci].sum(axis=1) if "b" in comps else np.zeros(4)
        assert g.exposure[:, k] == pytest.approx(share - comp_share)
        assert g.own_exposure[:, k] == pytest.approx(share)
        seen.add(("b" in members, "b" in comps))
    assert seen == {(True, False), (False, True), (False, False)}  # every kind of group was checked


def _summed_panel():
    """Two treated LAs (101, 102, 10,000 children each, 40 per 10,000 throughout) whose neighbours
    (103-112: LA 103 has 100,000 children, the others 10,000) are at 50 per 10,000, except LA 103,
    which falls to 30 after the start. The other LAs vary a little at random around 45."""
    rng = np.random.default_rng(3)
    counts, pops = {}, {}
    for c in CODES:
        pop = 100_000 if c == 103 else 10_000
        for y in YEARS:
            if c in (101, 102):
                rate = 40.0
            elif c == 103:
                rate = 50.0 if y < 2015 else 30.0
            elif c <= 112:
                rate = 50.0
            else:
                rate = 45.0 + rng.normal(0, 1)
            counts[(c, y)] = round(rate * pop / 1e4, 6)
            pops[(c, y - 1)] = pop
    return counts, pops


def test_combined_areas_against_summed_neighbours_by_hand(tmp_path):
    counts, pops = _summed_panel()
    r = run_tiny(make_folder(tmp_path, counts, pops), treated=(101, 102), use_pyfixest=True)
    # neighbours of the pair: 103-112 (the next ten LAs of each, the treated left out). Summed: 950 children
    # per 190,000 before (50 per 10,000) and 300 + 9 x 50 = 750 after (750 / 190,000 x 10,000 = 39.4737):
    # a change of -10.5263; the boroughs' own change is 0, so the DiD is +10.5263. The mean of the
    # neighbours' rates changes by -20 / 10 = -2 only: the unweighted DiD would be +2.
    summed = 0 - (750 / 190_000 * 1e4 - 50)
    d = _est(r, "difference in differences vs neighbours", "treated")
    assert d.estimate == pytest.approx(summed, abs=1e-9)
    assert abs(d.estimate - 2.0) > 8
    # the event study and the ITS gap use the same summed comparator: each post year's gap moved by +10.5263
    ev = r.event[(r.event.area_code == "treated")].set_index("year").estimate
    assert ev[2016] == pytest.approx(summed, abs=1e-9) and ev[2012] == pytest.approx(0, abs=1e-9)
    # pyfixest on the two combined series gives the same estimate
    check = r.pyfixest_check.set_index("area_code").loc["treated"]
    assert check.estimate_pyfixest == pytest.approx(summed, abs=1e-8)
    # the cost: -10.5263 per 10,000 over 20,000 children x 3 cost years = 63.16 more child-years in care
    c = r.costs[(r.costs.area_code == "treated") & (r.costs.method == "difference in differences")]
    assert c.avoided_child_years.iloc[0] == pytest.approx(-summed * 20_000 * 3 / 1e4, abs=1e-6)
    # a single treated LA is still compared with the mean of its neighbours' rates: 101's neighbours are
    # 103-111 (9 LAs: the other treated LA is left out), so the mean changes by -20 / 9
    single = _est(r, "difference in differences vs neighbours", "101")
    assert single.estimate == pytest.approx(20 / 9, abs=1e-9)


def test_detectable_change_from_a_hand_made_placebo_distribution():
    # 79 placebos -39..39: an estimate is unusual (two-sided p < 0.05) when 2 x (1 + placebos at least as
    # far out) / 80 < 0.05, i.e. when no placebo is as far out: below -39 or above +39
    assert inference.detectable_change(np.arange(79.0) - 39, 0.95) == (-39.0, 39.0)
    # 120 placebos 1..120: 2 x (1 + k) / 121 < 0.05 needs k <= 2, so below the third lowest (3) or above the
    # third highest (118)
    ref = np.arange(1.0, 121.0)
    low, high = inference.detectable_change(ref, 0.95)
    assert (low, high) == (3.0, 118.0)
    # the same cut as the p-values: just inside the thresholds is not unusual, just outside is
    none = np.zeros(len(ref))
    assert (
        inference.randomisation_p(2.99, 1.0, ref, none)[1] < 0.05 <= inference.randomisation_p(3.0, 1.0, ref, none)[1]
    )
    assert (
        inference.randomisation_p(118.01, 1.0, ref, none)[1]
        < 0.05
        <= inference.randomisation_p(118.0, 1.0, ref, none)[1]
    )
    # too few placebos to stand out at all, and missing values left out
    assert np.isnan(inference.detectable_change(np.arange(39.0), 0.95)).all()
    assert inference.detectable_change(np.append(np.arange(79.0) - 39, np.nan), 0.95) == (-39.0, 39.0)


def test_randomisation_interval_by_hand_and_by_brute_force():
    # no reference group exposed: 39 placebo values 0..38, estimate 100, level 0.90 (tail 0.05).
    # delta is rejected when (1 + #values at least as high as 100 - delta) / 40 < 0.05, i.e. when no
    # value is: kept while 100 - delta <= 38 -> delta >= 62; and likewise while 100 - delta >= 0 -> delta <= 100
    ref = np.arange(39.0)
    assert inference.randomisation_interval(100.0, 1.0, ref, np.zeros(39), 0.90) == pytest.approx((62.0, 100.0))
    # consistent with the p-value: p < 0.10 exactly outside the interval (the two ends are kept)
    for delta, inside in ((61.9, False), (62.0, True), (80.0, True), (100.0, True), (100.1, False)):
        _, p = inference.randomisation_p(100.0, 1.0, ref, np.zeros(39), delta=delta)
        assert (p >= 0.10) == inside, delta
    # too few groups for the level: no bound can be found. The most extreme of n + 1 has p = 2 / (n + 1):
    # 2 / 40 = 0.05 is not below 0.05, 2 / 41 is; 2 / 20 = 0.10 is not below 0.10, 2 / 21 is
    assert np.isnan(inference.randomisation_interval(1.0, 1.0, np.arange(10.0), np.zeros(10), 0.95)).all()
    assert [inference.placebos_bound_interval(n, 0.95) for n in (39, 40)] == [False, True]
    assert [inference.placebos_bound_interval(n, 0.90) for n in (19, 20)] == [False, True]
    assert np.isnan(inference.randomisation_interval(100.0, 1.0, np.arange(39.0), np.zeros(39), 0.95)).all()
    # exposed groups: the kept deltas by brute force over a fine grid, from the definition
    rng = np.random.default_rng(11)
    e, c = rng.normal(0, 1, 200), np.where(rng.random(200) < 0.2, rng.uniform(-0.3, 0.6, 200), 0.0)
    est = 2.5
    low, high = inference.randomisation_interval(est, 1.0, e, c, 0.95)
    grid = np.linspace(-3, 8, 110_001)
    kept = []
    for d in grid:
        t, r = est - d, e - d * c
        up = (1 + np.sum(r >= t)) / 201
        down = (1 + np.sum(r <= t)) / 201
        if up >= 0.025 and down >= 0.025:
            kept.append(d)
    assert low == pytest.approx(min(kept), abs=2e-4) and high == pytest.approx(max(kept), abs=2e-4)
    # and it differs from the unexposed quantile interval (the exposed groups move with delta)
    q = np.quantile(e, [0.025, 0.975])
    assert abs(low - (est - q[1])) > 1e-3 or abs(high - (est - q[0])) > 1e-3


@pytest.fixture(scope="module")
def planted_pair(tmp_path_factory):
    counts, pops = planted_panel(effect=-10.0, seed=5, treated=(101, 102))
    return run_tiny(make_folder(tmp_path_factory.mktemp("pair"), counts, pops), treated=(101, 102), use_pyfixest=False)


def test_combined_unit_against_groups_of_its_size_recovers_planted_effect(planted_pair):
    r = planted_pair
    d = _est(r, "difference in differences vs neighbours", "treated")
    single = _est(r, "difference in differences vs neighbours", "101")
    assert d.n_placebo == r.params["group_draws"] == 400 and single.n_placebo < 60
    assert d.ci_low <= -10 <= d.ci_high
    # two LAs' combined series varies less than one LA's: the group interval is the narrower
    assert d.ci_high - d.ci_low < single.ci_high - single.ci_low
    its_cost = _est(r, "interrupted time series vs neighbours, cost years", "treated")
    assert its_cost.ci_low <= -10 <= its_cost.ci_high
    # 10 fewer per 10,000 in 2 x 10,000 children = 20 a year, over 2015-2017 = 60 child-years
    c = r.costs[(r.costs.area_code == "treated") & r.costs.unit_cost_label.str.startswith("central")]
    assert set(c.method) == {"difference in differences", "synthetic control", "interrupted time series vs neighbours"}
    for row in c.itertuples():
        assert row.avoided_child_years_low <= 60 <= row.avoided_child_years_high, row.method


def _flow_rows():
    """Children starting care and taken into care for LAs 101-103 as a published folder holds them: the
    preferred file as first published to 2014 and revised (LAIT) from 2015, the long file also keeping
    the first-published counts of 2015-2017 (each from its own year's release)."""
    started = {101: (200, 180, 185), 102: (150, 137, 142), 103: (150, 140, 143)}  # 2013-2016, 2017 first, 2017 revised
    preferred, long_only = [], []
    for code, (base, first_2017, revised_2017) in started.items():
        for y in range(2010, 2018):
            first = first_2017 if y == 2017 else base
            release = f"SFR99/{y}"
            if y < 2015:
                preferred.append(_row(code, y, "cla_started_during_year_number", first, source=release))
            else:
                latest = revised_2017 if y == 2017 else base + 1
                preferred.append(_row(code, y, "cla_started_during_year_number", latest, source="LAIT"))
                long_only.append(_row(code, y, "cla_started_during_year_number", first, source=release))
        for y, v in ((2013, 70), (2014, 66), (2016, None), (2017, 60)):
            if code == 101 and v is None:
                preferred.append(
                    _row(code, y, "cla_taken_into_care_during_year_number", None, published="x", source=f"SFR99/{y}")
                )
            else:
                preferred.append(_row(code, y, "cla_taken_into_care_during_year_number", v or 65, source=f"SFR99/{y}"))
    return preferred, long_only


def test_taken_into_care_claim_on_one_vintage_across_the_join(tmp_path):
    counts, pops = planted_panel(effect=0.0, seed=4)
    preferred, long_only = _flow_rows()
    folder = make_folder(tmp_path, counts, pops, extra_rows=preferred, long_rows=long_only)
    r = run_tiny(folder, treated=(101, 102, 103), use_pyfixest=False)
    c = r.claims[(r.claims.area == "Treated areas combined") & r.claims.claim.str.startswith("8.6%")]
    started = c[c.measure == "cla_started_during_year_number"].set_index("to_year")
    assert set(started.vintage) == {"as first published"}
    # 2013: 200 + 150 + 150 = 500; 2017 as first published: 180 + 137 + 140 = 457, -8.6%. The preferred file's
    # revised 2017 (185 + 142 + 143 = 470, -6.0%) is never mixed with the 2013 count.
    assert started.loc[2017, "value_from"] == 500 and started.loc[2017, "value_to"] == 457
    assert started.loc[2017, "change_pct"] == pytest.approx((457 - 500) / 500 * 100)
    assert round(started.loc[2017, "change_pct"], 1) == -8.6
    assert started.loc[2015, "change_pct"] == pytest.approx(0.0)  # first published 2015 = 2013, not the revised +1
    taken = c[c.measure == "cla_taken_into_care_during_year_number"].set_index("to_year")
    assert taken.loc[2014, "change_pct"] == pytest.approx((66 * 3 - 70 * 3) / (70 * 3) * 100)
    assert np.isnan(taken.loc[2016, "change_pct"]) and "2016" in taken.loc[2016, "note"]  # suppressed for 101
    # every end year the claim could mean is read, on both flows
    assert sorted(started.index) == sorted(taken.index) == [2014, 2015, 2016, 2017]
    # the join: 2015-2017 hold revised counts; the revision is (latest - first) / first
    j = r.vintage_join[(r.vintage_join.area == "Treated areas combined")].set_index("year")
    assert list(j.index) == [2015, 2016, 2017]
    assert j.loc[2017, "first_published"] == 457 and j.loc[2017, "latest"] == 470
    assert j.loc[2017, "revision_pct"] == pytest.approx((470 - 457) / 457 * 100)


def test_first_published_keeps_each_years_own_release(tmp_path):
    counts, pops = planted_panel(effect=0.0, seed=4)
    preferred, long_only = _flow_rows()
    folder = make_folder(tmp_path, counts, pops, extra_rows=preferred, long_rows=long_only)
    fp = pdm.first_published(["cla_started_during_year_number", "no_such_measure"], areas=["101"], path=folder)
    got = fp.set_index("year")["value"]
    assert list(got.index) == list(range(2010, 2018)) and got[2017] == 180 and got[2016] == 200
    assert set(fp.source_id) == {f"SFR99/{y}" for y in range(2010, 2018)}  # never the LAIT revision
    assert [pdm.release_year(x) for x in ("SFR36/2014", "OSR26/2011", "CLA_UD_2018", "EES_CLA_2021", "LAIT")] == [
        2014,
        2011,
        2018,
        2021,
        None,
    ]


@needs_real
def test_real_children_in_care_around_the_start_read_from_the_published_file():
    # read independently of the strand: the preferred CSV itself, the three boroughs summed
    path = pdm.public_data_dir() / "csc_indicators_preferred.csv"
    total = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["measure"] == "cla_at_31_march_number" and row["old_la_code"] in ("213", "205", "207"):
                if row["year"] in ("2013", "2014", "2017"):
                    total[int(row["year"])] = total.get(int(row["year"]), 0) + float(row["value"])
    assert total == {2013: 522, 2014: 477, 2017: 485}
    # -8.6% in the year to 31 March 2014 (before the July 2014 start), +1.7% over 2014-2017
    assert round((477 - 522) / 522 * 100, 1) == -8.6 and round((485 - 477) / 477 * 100, 1) == 1.7
    r = analysis.run(outcomes=["cla_rate"], use_pyfixest=False, group_draws=50)
    p = r.panel[(r.panel.outcome == "cla_number") & (r.panel.area_code == "treated")].set_index("year").value
    assert (p[2013], p[2014], p[2017]) == (522, 477, 485)  # the combined count is the sum, not the mean
    c = r.claims[(r.claims.area == "Treated areas combined") & (r.claims.vintage == "latest revision")]
    before = c[(c.from_year == 2013) & (c.to_year == 2014)].iloc[0]
    assert before.change_pct == pytest.approx((477 - 522) / 522 * 100)
    bid = c[(c.from_year == 2014) & (c.to_year == 2017)].iloc[0]
    assert bid.change_pct == pytest.approx((485 - 477) / 477 * 100)


@pytest.fixture
def real_section(built):
    """The outcomes section of the default build (``built``: the notebook with its defaults, the real
    published statistics), as the report reads it; built once for the session, not again here."""
    if not pdm.available():
        pytest.skip("public statistics folder not found")
    return json.loads((built["processed"] / "report_sections" / "40_outcomes" / "section.json").read_text())


# a verdict word and the first p-value after it, with no other verdict word between them
WORD_P = re.compile(
    r"\b(unusual|borderline|ordinary)\b(?:(?!unusual|borderline|ordinary)[^.;]){0,90}?\(p (=|<) ([0-9.]+)"
)


@needs_real
def test_real_section_words_agree_with_numbers_and_say_what_the_issue_asks(real_section):
    meta = real_section
    body = [i["text"] for i in meta["items"] if i["kind"] == "markdown" and not i["appendix"]]
    texts = body + [f["text"] for f in meta["key_findings"]] + [f.get("answer") or "" for f in meta["key_findings"]]
    seen = 0
    for text in texts:
        for word, op, p in WORD_P.findall(text):
            p = float(p)
            seen += 1
            # one wording rule: below 0.05 unusual, 0.05 to 0.10 borderline, otherwise ordinary
            assert (word == "unusual") == (p < 0.05 or op == "<"), text
            if word == "borderline":
                assert 0.05 <= p < 0.10, text
            if word == "ordinary":
                assert p >= 0.10, text
        # two readings with one word: "ordinary (p = 0.72 for the boroughs' average change, 0.59 for ...)"
        for word, p1, p2 in re.findall(r"(unusual|borderline|ordinary) \(p = ([0-9.]+) for [^,]+, ([0-9.]+) for", text):
            seen += 1
            assert {p_words(float(p1)), p_words(float(p2))} == {word}, text
    assert seen > 50
    joined = " ".join(body)
    # when the fall happened, the two comparisons (each saying what it is computed against), the claim,
    # what could be detected, the costs
    assert "most of the difference by 2014, before the start" in joined
    assert "Against England (" in joined and "Against their statistical neighbours" in joined
    assert "among the average changes of every set of three eligible LAs" in joined
    assert "among 400 random groups of three LAs combined the same way" in joined and "p-values two-sided" in joined
    # the claims with the numbers checked: taken into care 96 in 2013, 84 in 2014 (first published). Said
    # once in the report, by the claims finding (its 2016 section); the body leaves it to the appendix.
    assert round((84 - 96) / 96 * 100, 1) == -12.5
    claims = " ".join(f["answer"] for f in meta["key_findings"] if f.get("topic") == "claims")
    assert "children taken into care went from 96 in 2013 to 84 in 2014 (-12.5%)" in claims
    assert "no reading is -8.6%" in claims and "March 2013 to March 2014 (522 to 477), before the programme" in claims
    assert "no reading is -8.6%" not in joined
    detail = " ".join(i["text"] for i in meta["items"] if i["kind"] == "markdown" and i["appendix"])
    assert "A November 2017 council release claimed an 8.6% drop" in detail
    assert "could not have been told apart from ordinary movement among English LAs" in joined
    assert "No method's central estimate reaches the programme's cost" in joined
    found = {f["topic"]: f for f in meta["key_findings"] if f.get("topic")}
    box = ("children_in_care", "flow_into_care", "child_protection", "re_referrals", "costs")
    # the report's answer box: one short sentence per topic (the box holds at most 250 words in all)
    assert all(len(found[t]["answer"].split()) <= 30 for t in box), [found[t]["answer"] for t in box]
    assert found["children_in_care"]["answer"].startswith("Children in care fell from 522 to 477 (-8.6%) before")
    # costs: no "avoided" (it presumes an effect); money at one scale, in millions
    costs = found["costs"]["answer"] + found["costs"]["text"]
    assert "avoided" not in costs.lower() and re.findall(r"£[0-9.]+m", costs) and not re.search(r"£[0-9]+,", costs)
    assert re.search(
        r"Children taken into care (rose|fell) from [0-9.]+ to [0-9.]+ per 10,000 \(2014 to 2017\)",
        found["flow_into_care"]["text"],
    )
    topics = [f["topic"] for f in meta["key_findings"] if f.get("topic")] if "topic" in meta["key_findings"][0] else []
    answers = " ".join(f.get("answer") or f["text"] for f in meta["key_findings"])
    assert "fell from 35.2 to 22.4 per 10,000 (2014 to 2017)" in answers  # child protection reaches the summary
    if topics:
        assert {
            "children_in_care",
            "flow_into_care",
            "child_protection",
            "re_referrals",
            "costs",
            "bid_target",
            "claims",
        } <= set(topics)
    # no file paths or module names in the body
    assert not re.search(r"\.py\b|benchmarks/|helpers\.|src/", joined)


def test_treated_for_an_authority_scope_and_a_borough_scope():
    assert analysis.treated_for("all", [213, 205, 207], la=383) == [383]  # an authority's own report
    assert analysis.treated_for("westminster", [213, 205, 207]) == [213]
    assert analysis.treated_for("all", [213, 205, 207]) == [213, 205, 207]
    assert analysis.treated_for("all", [383, 384]) == [383, 384]


def test_two_outcomes_get_their_own_placebo_ranks(tmp_path, monkeypatch):
    # Children in care with no effect; children on plans 10 per 10,000 lower in the two treated LAs after
    # the start. Each outcome's combined estimate must be ranked among ITS OWN placebo groups (the same
    # draws of LAs, each outcome's own rates): a shared or reused reference would give both the same rank.
    counts, pops = planted_panel(effect=0.0, seed=11, treated=(101, 102))
    plans, _ = planted_panel(effect=-10.0, seed=12, treated=(101, 102))
    extra = [_row(c, y, "cpp_at_31_march_number", v) for (c, y), v in plans.items()]
    seen = {}
    real_reference = analysis.inf.group_reference

    def recording(num, *args, **kw):
        out = real_reference(num, *args, **kw)
        if kw.get("synthetic", True):  # the main run (not the check without the pre-rebase years)
            # whose counts these are: LA 103's 2012 count is planted differently in the two outcomes
            which = [
                o for o, c in (("cla_rate", counts), ("cpp_rate", plans)) if num.loc[2012, "103"] == c[(103, 2012)]
            ]
            seen[which[0]] = out["did"]
        return out

    monkeypatch.setattr(analysis.inf, "group_reference", recording)
    r = analysis.run(
        treated=[101, 102],
        programme_start="2014-07",
        first_year=2010,
        last_year=2017,
        outcomes=["cla_rate", "cpp_rate"],
        public_data_dir=str(make_folder(tmp_path, counts, pops, extra_rows=extra)),
        cost_years=(2015, 2017),
        use_pyfixest=False,
    )
    e = r.estimates
    did = e[(e.area_code == "treated") & (e.method == "difference in differences vs neighbours")].set_index("outcome")
    assert set(seen) == {"cla_rate", "cpp_rate"}
    assert not np.allclose(seen["cla_rate"], seen["cpp_rate"])
    for o, ref in seen.items():
        # by hand from the outcome's own groups: rank = 1 + groups at least as far out on the estimate's
        # side, p = 2 x rank / (groups + 1)
        x = did.loc[o, "estimate"]
        rank = 1 + min(int((ref >= x).sum()), int((ref <= x).sum()))
        assert did.loc[o, "rank"] == rank and did.loc[o, "p_value"] == pytest.approx(
            min(1.0, 2 * rank / (len(ref) + 1))
        )
    # the planted fall stands out among its own groups; no change in children in care does not
    assert did.loc["cpp_rate", "p_value"] < 0.05 < 0.1 < did.loc["cla_rate", "p_value"]


def test_how_sure_the_cost_estimates_are_in_words():
    """Each method's 95% interval read for zero: all include it, none do, or some (said as a count)."""
    import pandas as pd

    from helpers.strands.outcomes.section_findings import _zero_in_intervals

    def central(*intervals):
        return pd.DataFrame(intervals, columns=["avoided_cost_low_gbp", "avoided_cost_high_gbp"])

    assert _zero_in_intervals(central((-1e6, 2e6), (-3e6, 1e6))) == " (every interval includes zero)"
    assert _zero_in_intervals(central((1e6, 2e6), (-3e6, -1e6))) == " (no interval includes zero)"
    assert _zero_in_intervals(central((1e6, 2e6))) == " (its interval excludes zero)"
    # Leeds-like: two methods above zero, one spanning it
    assert _zero_in_intervals(central((1e6, 2e6), (-3e6, 1e6), (2e6, 4e7))) == " (1 of 3 intervals include zero)"


def test_costs_said_in_words_not_as_a_signed_range():
    """The answer box's cost sentence: amounts saved; amounts higher than the comparators suggest; or,
    when the methods differ on the direction, from an amount higher to an amount lower (never "-£3.5m")."""
    from helpers.strands.outcomes.section_findings import _credited

    saved = _credited(300_000, 1_340_000, "2015-2017")
    assert saved == "Care costs the programme could be credited with over 2015-2017 were £0.3m to £1.3m by method"
    both = _credited(-3_460_000, 1_300_000, "2015-2017")
    assert both == (
        "Care costs over 2015-2017 were between £3.5m higher and £1.3m lower than the comparators suggest, by method"
    )
    more = _credited(-2_000_000, -960_000, "2015-2017")
    assert more == (
        "Care costs over 2015-2017 were £1.0m to £2.0m higher than the comparators suggest by method, "
        "none to the programme's credit"
    )
    assert (
        _credited(1_000_000, 1_040_000, "2016")
        == "Care costs the programme could be credited with over 2016 were £1.0m"
    )


def test_another_areas_costs_said_in_words_when_the_methods_differ():
    from types import SimpleNamespace

    from helpers.strands.outcomes import section_findings

    view = SimpleNamespace(treated_names=["Leeds"])
    said = section_findings._costs_outside_programme(view, -1_020_000, 2_000_000, "2015-2017")
    assert said == (
        "The methods differ on whether Leeds had fewer or more children in care over 2015-2017 than its "
        "comparators suggest: from £1.0m of care costs more to £2.0m less, by method"
    )
