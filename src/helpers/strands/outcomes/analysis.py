"""Children's outcomes and the cost of care: the run, from the published panel to results.

Conventions (stated in the report):

* **Years.** A figure "at 31 March t", "in the year ending 31 March t" or for financial year
  (t-1)-(t) belongs to year t. With the programme starting in July 2014, the figure at
  31 March 2015 is the first one after the start (:func:`first_post_year`); 2014 is the last
  pre-programme year (the reference year of the index and the event study).
* **Rates** are computed, never averaged (:mod:`.panel`): a group's rate is its summed numerator
  over its summed denominator, on the pre-Census-2021 population vintage only.
* **Estimators** (:mod:`.estimators`), each run the same way on the treated areas and on every
  placebo LA: difference in differences, event study, interrupted time series on the treated series
  alone and on its gap from the neighbours' mean, synthetic control from the eligible English LAs.
* **Inference** (:mod:`.inference`): placebo in space over every eligible LA; the treated LAs
  combined against groups of the same size, with a randomisation interval for the statistics that
  are linear in the rates. The avoided cost (:mod:`.costs`) carries the placebo interval of each
  method's mean gap over the cost years. Checked by placebo-in-real-data calibration
  (``benchmarks/calibration.py``: random untreated LAs analysed as if treated).

This module holds the run: which areas are treated and compared (:mod:`.design`), then for each
outcome the placebo runs, the treated units' estimates and the mean of their estimates, then the
claims and costs. The names other modules and notebooks use are importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ... import public_data as pdm
from . import estimators as est
from . import inference as inf
from . import panel as pnl
from .claims import recompute_claims
from .costs import avoided_costs
from .definitions import (
    CLA_NUMBER,
    CONTEXT,
    DEFAULT_OUTCOMES,
    NEIGHBOURS_ID,
    OUTCOMES,
    PROGRAMME_LAS,
    STARTED,
    TAKEN,
    TREATED_ID,
    Method,
    Statistic,
    check_parameters,
    first_post_year,
    method_label,
    treated_for,
)
from .design import Design, design
from .outputs import COUNTERFACTUALS, DETECTABLE, ESTIMATES, EVENT, EXCLUSIONS, PANEL, PLACEBO, WEIGHTS
from .unit_estimates import Frame, Rows, check_estimates, mean_of_k, mean_of_k_change, unit_estimates

#: Names the notebook, the charts and the calibration read from the run's module.
__all__ = [
    "DEFAULT_OUTCOMES",
    "NEIGHBOURS_ID",
    "OUTCOMES",
    "PROGRAMME_LAS",
    "TREATED_ID",
    "Method",
    "Results",
    "Statistic",
    "first_post_year",
    "method_label",
    "run",
    "treated_for",
]

#: The placebo statistics of a single LA, kept for each placebo run.
PLACEBO_STATS = ("did", "did_cost", "pre_slope", "sc_ratio", "sc_effect", "sc_cost", "its_cost")
#: The first year whose rate uses a population estimated after the Census 2011 rebase: the rate of
#: year t uses the mid-(t-1) estimate, and ONS's mid-2011 estimates were the first on the census base
#: (for example Kensington and Chelsea, children aged 0-17: 30,340 at mid-2010, 26,700 at mid-2011).
REBASED_FROM = 2012
#: The counts the claims are read on, as first published.
CLAIM_MEASURES = (CLA_NUMBER, STARTED, TAKEN)


@dataclass
class Results:
    """Everything the section, charts and output tables need."""

    params: dict
    names: dict
    treated: list
    units: list  # treated unit ids analysed: each treated LA (as str) and, with several, TREATED_ID
    neighbours: pd.DataFrame
    eligibility: pdm.Eligibility
    panel: pd.DataFrame
    estimates: pd.DataFrame
    placebo: pd.DataFrame
    event: pd.DataFrame
    synth_weights: pd.DataFrame
    series: pd.DataFrame  # outcome, unit, year, actual, counterfactual by method
    claims: pd.DataFrame
    costs: pd.DataFrame
    exclusions: pd.DataFrame
    detectable: pd.DataFrame | None = None
    vintage_join: pd.DataFrame | None = None
    notes: list = field(default_factory=list)
    pyfixest_check: pd.DataFrame | None = None


def _comparison_frame(d: Design, okey, o, num, den, rate, series, rows: Rows) -> Frame | None:
    """The years the outcome can be compared (those with the treated (combined) series present) and
    the eligible LAs with a complete series over them; None (with a note) when too few years fall
    before the start."""
    tser = series[TREATED_ID] if TREATED_ID in series else series[d.tcodes[0]]
    yrs = d.years_all[tser.notna().to_numpy()]
    pre_mask_all = yrs < d.fpy
    if pre_mask_all.sum() < 2 or (~pre_mask_all).sum() < 1:
        rows.notes.append(
            f"{o.label}: the published series has {int(pre_mask_all.sum())} year(s) before the programme "
            f"(first year {yrs.min() if len(yrs) else 'none'}), too few to compare change before and after; shown as a trend only."
        )
        return None
    R = rate.reindex(yrs)
    if TREATED_ID in series:
        R = R.assign(**{TREATED_ID: series[TREATED_ID].reindex(yrs)})
    complete = [c for c in d.pool_codes if c in R and R[c].notna().all()]
    what = o.label.split(",")[0].lower()
    for c in d.pool_codes:
        if c not in complete:
            rows.excl.append((okey, c, d.names.get(c, c), f"incomplete {what} series over {yrs.min()}-{yrs.max()}"))
    f = Frame(okey=okey, o=o, num=num, den=den, yrs=yrs, R=R, complete=complete)
    f.pre, f.post = yrs < d.fpy, yrs >= d.fpy
    f.ref_i = int(np.where(yrs == d.ref)[0][0]) if d.ref in yrs else int(np.where(f.pre)[0][-1])
    f.cost_mask = (yrs >= d.cost_years[0]) & (yrs <= d.cost_years[1])
    f.Ypool = R[complete].to_numpy()
    f.col = {c: i for i, c in enumerate(complete)}
    return f


def _placebo_runs(d: Design, f: Frame, synthetic: bool = True) -> dict:
    """Each complete pool LA with at least 3 complete neighbours, analysed as if treated (without
    the synthetic control and the ITS cost gap for a check, ``synthetic=False``)."""
    plc = {}
    for c in f.complete:
        comps = [str(x) for x in d.sn_of.get(int(c), []) if str(x) in f.col and str(x) != c]
        if len(comps) < 3:
            continue
        y1 = f.Ypool[:, f.col[c]]
        Y0 = f.Ypool[:, [f.col[x] for x in comps]]
        plc[c] = {
            "did": est.did(y1, Y0, f.pre, f.post),
            "did_cost": est.did(y1, Y0, f.pre, f.cost_mask),
            "event": est.event_study(y1, Y0, f.ref_i),
            "pre_slope": est.pre_slope(y1, Y0, f.pre, f.yrs),
        }
        if synthetic:
            donors = [i for i in range(len(f.complete)) if i != f.col[c]]
            sc = est.synth_fit(y1, f.Ypool[:, donors], f.pre, f.post)
            plc[c].update(
                sc_ratio=sc["ratio"],
                sc_effect=sc["effect"],
                sc_cost=float(sc["gap"][f.cost_mask].mean()),
                its_cost=float(est.its_cost_gap(y1 - Y0.mean(axis=1), f.yrs, d.fpy, f.cost_mask)),
            )
    return plc


def _references(d: Design, f: Frame, rows: Rows, synthetic: bool = True) -> int:
    """The placebo distributions of the frame: single LAs (``P``, ``Pev``; the change of every
    eligible LA with a complete series, ``P["change"]``) and, for a combined unit of several treated
    LAs, placebo groups of the same size (``Pg``). Returns the number of complete LAs left out of the
    placebo runs (fewer than 3 eligible neighbours)."""
    plc = _placebo_runs(d, f, synthetic)
    f.n_plc = len(plc)
    stats = PLACEBO_STATS if synthetic else ("did", "did_cost", "pre_slope")
    f.P = {k: np.array([v[k] for v in plc.values()]) for k in stats}
    f.P["change"] = f.Ypool[f.post].mean(axis=0) - f.Ypool[f.pre].mean(axis=0)
    f.Pg = f.P
    if TREATED_ID in d.units and len(plc) >= len(d.tcodes):
        f.Pg = inf.group_reference(
            f.num.reindex(f.yrs),
            f.den.reindex(f.yrs),
            f.R,
            f.complete,
            candidates=list(plc),
            treated=d.tcodes,
            neighbours_of=d.group_neighbours,
            scale=f.o.scale,
            draws=d.group_draws,
            years=f.yrs,
            first_post=d.fpy,
            cost_mask=f.cost_mask,
            reference_index=f.ref_i,
            synthetic=synthetic,
        )
    f.Pev = np.array([v["event"] for v in plc.values()]) if plc else np.empty((0, len(f.yrs)))
    for c, v in plc.items() if synthetic else ():
        rows.plc.append((f.okey, Statistic.DID, c, d.names.get(c, c), v["did"], False))
        rows.plc.append((f.okey, Statistic.SC_RATIO, c, d.names.get(c, c), v["sc_ratio"], False))
    return len(f.complete) - f.n_plc


def _rebased(d: Design, f: Frame, rows: Rows) -> None:
    """The same comparison without the years whose rates use populations from before the Census 2011
    rebase (years before ``d.rebased_from``): each unit's DiD and change against every LA, so the
    section can say whether any conclusion depends on those years."""
    keep = f.yrs >= d.rebased_from
    if (f.yrs < d.rebased_from).sum() == 0 or (keep & f.pre).sum() < 2:
        return
    yrs = f.yrs[keep]
    g = Frame(okey=f.okey, o=f.o, num=f.num, den=f.den, yrs=yrs, R=f.R.loc[yrs], complete=f.complete)
    g.pre, g.post, g.cost_mask = f.pre[keep], f.post[keep], f.cost_mask[keep]
    g.ref_i = int(np.where(yrs == d.ref)[0][0]) if d.ref in yrs else int(np.where(g.pre)[0][-1])
    g.Ypool, g.col = f.Ypool[keep], f.col
    _references(d, g, rows, synthetic=False)
    singles = []
    for u in d.units:
        e = check_estimates(d, g, u, rows, (Method.DID_REBASED, Method.CHANGE_REBASED), int(yrs.min()))
        if u != TREATED_ID and e is not None:
            singles.append(u)
    if TREATED_ID in d.units and len(singles) > 1:
        mean_of_k_change(d, g, singles, rows, Method.MEAN_OF_K_CHANGE_REBASED, int(yrs.min()))


def _notes(d: Design, o, f: Frame, without_placebo: int, rows: Rows) -> None:
    """What the reader must know about the frame's placebo runs."""
    lvl = d.placebo_level
    if len(d.units) and not inf.placebos_bound_interval(f.n_plc, lvl):
        rows.notes.append(
            f"{o.label}: only {f.n_plc} placebo LAs. A single LA's two-sided {lvl:.0%} placebo interval "
            f"needs more than {2 / (1 - lvl) - 1:.0f} (with fewer, even the most extreme estimate has "
            f"p = 2 / (placebos + 1) >= {1 - lvl:.2f}), so it is left blank."
        )
    if without_placebo:
        rows.notes.append(
            f"{o.label}: {without_placebo} LA(s) with complete data had fewer than 3 eligible neighbours and were not used as placebos."
        )


def _analyse_outcome(d: Design, okey: str, values, sources, rows: Rows) -> None:
    """One outcome: its panel rows, then (for an analysed outcome) the placebo runs, every treated
    unit's estimates (or, for a check on another outcome, its DiD and change only), the mean of the
    treated LAs' estimates, the check without the pre-rebase years, and the notes."""
    o = OUTCOMES[okey]
    num, den = pnl.outcome_matrix(values, o)
    num, den = num.reindex(d.years_all), den.reindex(d.years_all)
    rate = num / den * o.scale
    shown = set(d.tcodes) | set(CONTEXT) | set(d.all_neighbours) | set(d.pool_codes)
    series = {c: rate[c] for c in rate.columns if c in shown}
    count = o.denominator is None
    if len(d.treated) > 1:
        series[TREATED_ID] = pnl.combine(num, den, d.tcodes, o.scale, count)
    series[NEIGHBOURS_ID] = pnl.combine(num, den, d.all_neighbours, o.scale, count)
    rows.panel.append(
        pnl.panel_rows(okey, o, series, num, den, sources, d.years_all, d.tcodes, d.all_neighbours, d.names)
    )
    if not o.analyse or not d.units:
        return
    f = _comparison_frame(d, okey, o, num, den, rate, series, rows)
    if f is None:
        return
    without_placebo = _references(d, f, rows, synthetic=o.full_design)
    did_by_unit = {}
    for u in d.units:
        e = unit_estimates(d, f, u, rows) if o.full_design else check_estimates(d, f, u, rows)
        if e is not None and not np.isnan(e):
            did_by_unit[u] = e
    if o.full_design:
        mean_of_k(d, f, did_by_unit, rows)
        if o.per_population:
            _rebased(d, f, rows)
    _notes(d, o, f, without_placebo, rows)


def _tables(d: Design, rows: Rows) -> dict:
    """The row lists as the result's tables."""
    excluded = d.elig.excluded.assign(outcome="all", old_la_code=lambda x: x.old_la_code.astype(str))
    excluded = excluded.rename(columns={"old_la_code": "area_code", "la_name": "area_name"})
    by_outcome = pd.DataFrame(rows.excl, columns=EXCLUSIONS.column_names)
    exclusions = pd.concat([excluded, by_outcome])[EXCLUSIONS.column_names].reset_index(drop=True)
    return {
        "panel": pd.concat(rows.panel, ignore_index=True) if rows.panel else pd.DataFrame(columns=PANEL.column_names),
        "estimates": pd.DataFrame(rows.est, columns=ESTIMATES.column_names),
        "placebo": pd.DataFrame(rows.plc, columns=PLACEBO.column_names),
        "event": pd.DataFrame(rows.ev, columns=EVENT.column_names),
        "synth_weights": pd.DataFrame(rows.w, columns=WEIGHTS.column_names),
        "series": pd.DataFrame(rows.ser, columns=COUNTERFACTUALS.column_names),
        "exclusions": exclusions,
        "detectable": pd.DataFrame(rows.det, columns=DETECTABLE.column_names),
        "pyfixest_check": pd.DataFrame(rows.pyfx) if rows.pyfx else None,
    }


def _checked(outcomes, first_year: int, last_year: int, programme_start: str) -> tuple[list, int]:
    """The outcomes to run (children looked after in numbers beside their rate) and the first
    post-programme year, with clear errors for what cannot be run."""
    outcomes = list(outcomes)
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown:
        raise ValueError(f"unknown outcome(s) {unknown}; choose from {list(OUTCOMES)}")
    if "cla_number" not in outcomes and "cla_rate" in outcomes:
        outcomes.append("cla_number")
    if not first_year < last_year:
        raise ValueError("first_year must be before last_year")
    fpy = first_post_year(programme_start)
    if not first_year < fpy <= last_year:
        raise ValueError(
            f"the programme start {programme_start} (first post year {fpy}) must fall inside {first_year}-{last_year}"
        )
    return outcomes, fpy


def run(
    treated=(213, 205, 207),
    programme_start: str = "2014-07",
    first_year: int = 2010,
    last_year: int = 2019,
    neighbour_list: str = "2021",
    outcomes=DEFAULT_OUTCOMES,
    public_data_dir=None,
    unit_costs=None,
    programme_cost=(4.0e6, 4.2e6),
    cost_years=(2015, 2017),
    exclude_small: bool = True,
    placebo_level: float = 0.95,
    use_pyfixest: bool = True,
    group_draws: int = 400,
) -> Results:
    """Run every comparison for the treated LAs. See the module docstring for the conventions.

    ``group_draws``: the number of placebo groups the combined treated unit is compared with (its
    placebo intervals, p-values and event-study band; the avoided cost of the combined areas)."""
    check_parameters(unit_costs, programme_cost, cost_years, neighbour_list, placebo_level)
    neighbour_list = str(neighbour_list)
    outcomes, fpy = _checked(outcomes, first_year, last_year, programme_start)
    treated = pdm.resolve_areas(treated, path=public_data_dir)
    rows = Rows(notes=[])
    cost_years = tuple(cost_years)
    settings = dict(fpy=fpy, ref=fpy - 1, cost_years=cost_years, placebo_level=placebo_level)
    settings.update(group_draws=group_draws, use_pyfixest=use_pyfixest, rebased_from=REBASED_FROM)
    d = design(treated, first_year, last_year, neighbour_list, public_data_dir, exclude_small, settings, rows.notes)
    values, sources = pnl.load_components(outcomes, first_year, last_year, path=public_data_dir)
    for okey in outcomes:
        _analyse_outcome(d, okey, values, sources, rows)
    t = _tables(d, rows)
    params = dict(
        treated=treated,
        programme_start=programme_start,
        first_post_year=fpy,
        reference_year=fpy - 1,
        first_year=first_year,
        last_year=last_year,
        neighbour_list=neighbour_list,
        outcomes=outcomes,
        cost_years=cost_years,
        programme_cost=tuple(programme_cost),
        placebo_level=placebo_level,
        group_draws=group_draws,
        rebased_from=REBASED_FROM,
        public_data_dir=str(pdm.public_data_dir(public_data_dir)),
    )
    first = pnl.first_published_counts(CLAIM_MEASURES, first_year, last_year, path=public_data_dir)
    claims = recompute_claims(values, first, treated, d.all_neighbours, d.pool_codes, d.names)
    groups = [(d.names[TREATED_ID], d.tcodes)] + [(d.names[t], [t]) for t in d.tcodes]
    groups.append((d.names[NEIGHBOURS_ID], d.all_neighbours))
    join = [pnl.vintage_join(values, first, sources, m, groups, d.pool_codes) for m in (STARTED, CLA_NUMBER)]
    costs = avoided_costs(
        t["estimates"], t["series"], values, d.units, d.tcodes, cost_years, unit_costs, programme_cost, d.names
    )
    return Results(
        params=params,
        names=d.names,
        treated=treated,
        units=d.units,
        neighbours=d.sn.assign(treated_name=lambda x: x.treated_la.astype(str).map(d.names)),
        eligibility=d.elig,
        claims=claims,
        costs=costs,
        vintage_join=pd.concat(join, ignore_index=True),
        notes=rows.notes,
        **t,
    )
