"""The estimates of each treated unit for one outcome (against its neighbours, alone, and by
synthetic control) and of the treated LAs together, as rows of the result's tables.

:class:`Frame` holds one outcome's comparison (years, rates, the eligible LAs with a complete series
and the placebo distributions, filled by :mod:`.analysis`); :class:`Rows` collects the rows every
outcome adds, in the order the tables keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import estimators as est
from . import inference as inf
from . import panel as pnl
from .definitions import ITS_TERMS, NEIGHBOURS_ID, TREATED_ID, Method, Outcome, Statistic, its_method, method_label
from .design import Design


@dataclass
class Rows:
    """The rows every outcome adds to, in the order the tables keep."""

    notes: list
    panel: list = field(default_factory=list)
    est: list = field(default_factory=list)
    plc: list = field(default_factory=list)
    ev: list = field(default_factory=list)
    w: list = field(default_factory=list)
    ser: list = field(default_factory=list)
    excl: list = field(default_factory=list)
    pyfx: list = field(default_factory=list)
    det: list = field(default_factory=list)


@dataclass
class Frame:
    """One outcome's comparison: the years compared, the rates (years x areas, the combined unit
    included), the eligible LAs with a complete series and the placebo distributions."""

    okey: str
    o: Outcome
    num: pd.DataFrame
    den: pd.DataFrame
    yrs: np.ndarray
    R: pd.DataFrame
    complete: list
    pre: np.ndarray = None
    post: np.ndarray = None
    ref_i: int = 0
    cost_mask: np.ndarray = None
    Ypool: np.ndarray = None
    col: dict = None
    P: dict = None  # single placebo LAs: statistic -> values
    Pg: dict = None  # the combined unit's reference (groups), or P
    Pev: np.ndarray = None  # single placebo LAs' event studies
    n_plc: int = 0


def _placebo_row(
    base: dict, key: str, estimate: float, inference: dict, n_comparators: int, note: str, year=None
) -> dict:
    """One estimate row with its placebo interval, p-value and rank (:func:`placebo_inference`)."""
    return {
        **base,
        "method": method_label(key, year=year),
        "estimate": estimate,
        **inference,
        "n_comparators": n_comparators,
        "note": note,
    }


def _its_rows(base: dict, fit: dict, against_neighbours: bool, n_comparators: int, note: str) -> list[dict]:
    """The interrupted time series terms as estimate rows (OLS intervals and p-values)."""
    return [
        {
            **base,
            "method": method_label(its_method(against_neighbours, term)),
            "estimate": fit["params"][term],
            "ci_low": fit["ci"][term][0],
            "ci_high": fit["ci"][term][1],
            "p_value": fit["p"][term],
            "rank": np.nan,
            "n_comparators": n_comparators,
            "note": note,
        }
        for term in ITS_TERMS
    ]


def _series_rows(okey, u, key, yrs, actual, cf, low=None, high=None) -> list[tuple]:
    """A counterfactual series (and its interval, where the method gives one) as series rows."""
    low = np.full(len(yrs), np.nan) if low is None else low
    high = np.full(len(yrs), np.nan) if high is None else high
    label = method_label(key)
    return [(okey, u, label, int(y), actual[i], cf[i], low[i], high[i]) for i, y in enumerate(yrs)]


def comparator(f: Frame, u, comps) -> tuple[np.ndarray, list]:
    """The comparator series (years x columns) of a treated unit and their names. A single LA is
    compared with each neighbour (the DiD is against their mean rate, each neighbour one unit of the
    two-way fixed effects); the treated areas combined with their neighbours combined the same way
    as they are, summed counts over summed populations (:func:`panel.combine`)."""
    if u == TREATED_ID:
        summed = pnl.combine(f.num.reindex(f.yrs), f.den.reindex(f.yrs), comps, f.o.scale)
        return summed.to_numpy(dtype=float)[:, None], [NEIGHBOURS_ID]
    return f.Ypool[:, [f.col[x] for x in comps]], list(comps)


def detectable_row(d: Design, f: Frame, u, key: str, estimate: float, reference, rows: Rows) -> None:
    """What the estimate had to pass to stand out from its placebo runs (:func:`inference.detectable_change`)."""
    low, high = inf.detectable_change(reference, d.placebo_level)
    n = int(np.sum(~np.isnan(np.asarray(reference, dtype=float))))
    rows.det.append((f.okey, u, d.names.get(u, u), method_label(key), estimate, low, high, n, f.o.unit))


def change_against_every_la(d: Design, f: Frame, u, y1, base, PP, rows: Rows, key=Method.CHANGE, year=None) -> float:
    """The unit's own change (mean after minus mean before) among every eligible LA's (or, for the
    treated areas combined, every placebo group's): how it compares with all LAs, with no comparator."""
    change = float(y1[f.post].mean() - y1[f.pre].mean())
    ref = PP["change"]
    inference = inf.placebo_inference(d.placebo_level, "change", change, PP)
    n = int(np.sum(~np.isnan(ref)))
    who = "placebo groups" if u == TREATED_ID else "eligible LAs"
    note = f"rank among {n} {who}' own change over the same years; {d.placebo_level:.0%} interval and p-value"
    rows.est.append(_placebo_row({**base, "n_placebo": n}, key, change, inference, 0, note, year))
    if key == Method.CHANGE and f.o.full_design:
        detectable_row(d, f, u, key, change, ref, rows)
    return change


def _neighbour_estimates(d: Design, f: Frame, u, y1, comps, base, PP, rows: Rows) -> float:
    """Against the neighbours: DiD, its pre-programme trend, event study, the cost-year DiD, the
    pyfixest check and the ITS on the gap, with their counterfactual series. Returns the DiD."""
    lvl, okey, yrs = d.placebo_level, f.okey, f.yrs
    Y0, columns = comparator(f, u, comps)
    e = est.did(y1, Y0, f.pre, f.post)
    note = f"{lvl:.0%} interval and p-value from the placebo runs"
    rows.est.append(_placebo_row(base, Method.DID, e, inf.placebo_inference(lvl, "did", e, PP), len(comps), note))
    detectable_row(d, f, u, Method.DID, e, PP["did"], rows)
    ps = est.pre_slope(y1, Y0, f.pre, yrs)
    inference = {**inf.placebo_inference(lvl, "pre_slope", ps, PP), "ci_low": np.nan, "ci_high": np.nan}
    note = "slope of treated minus neighbours' mean before the start; placebo p-value"
    rows.est.append(_placebo_row(base, Method.PRE_TREND, ps, inference, len(comps), note))
    ev = est.event_study(y1, Y0, f.ref_i)
    lo_q, hi_q = (1 - lvl) / 2, 1 - (1 - lvl) / 2
    band = (
        np.quantile(PP["event"] if u == TREATED_ID else f.Pev, [lo_q, hi_q], axis=0)
        if f.n_plc
        else np.full((2, len(yrs)), np.nan)
    )
    for i, y in enumerate(yrs):
        rows.ev.append((okey, u, d.names.get(u, u), int(y), int(y - d.ref), ev[i], band[0, i], band[1, i]))
    # counterfactual under parallel trends, and its placebo interval
    cmean = Y0.mean(axis=1)
    rows.ser += _series_rows(okey, u, Method.CF_DID, yrs, y1, y1[f.pre].mean() + (cmean - cmean[f.pre].mean()))
    did_cost = est.did(y1, Y0, f.pre, f.cost_mask)
    cy = d.cost_years
    inference = inf.placebo_inference(lvl, "did_cost", did_cost, PP)
    note = f"mean over {cy[0]}-{cy[1]} only (for the cost)"
    rows.est.append(_placebo_row(base, Method.DID_COST, did_cost, inference, len(comps), note))
    if d.use_pyfixest and okey == "cla_rate":
        rows.pyfx.append(est.pyfixest_did(okey, u, yrs, y1, Y0, columns, d.fpy, e))
    # ITS against neighbours: the gap series
    g = est.its(y1 - cmean, yrs, d.fpy)
    note = f"OLS on {g['n']} yearly gaps; intervals likely too narrow (short series)"
    rows.est += _its_rows(base, g, True, len(comps), note)
    its_cost = float(est.its_cost_gap(y1 - cmean, yrs, d.fpy, f.cost_mask))
    note = f"mean gap from the ITS counterfactual over {cy[0]}-{cy[1]}; {lvl:.0%} placebo interval"
    inference = inf.placebo_inference(lvl, "its_cost", its_cost, PP)
    rows.est.append(_placebo_row(base, Method.ITS_COST, its_cost, inference, len(comps), note))
    rows.ser += _series_rows(
        okey,
        u,
        Method.CF_ITS_NEIGHBOURS,
        yrs,
        y1,
        cmean + g["counterfactual"],
        cmean + g["counterfactual_low"],
        cmean + g["counterfactual_high"],
    )
    return e


def _synthetic_estimates(d: Design, f: Frame, u, y1, base, PP, rows: Rows) -> float:
    """Synthetic control from the whole eligible pool: the mean post-programme gap, the cost-year
    gap and the post/pre RMSPE ratio ranked among the placebos; donor weights and the series.
    Returns the ratio."""
    lvl, cy = d.placebo_level, d.cost_years
    sc = est.synth_fit(y1, f.Ypool, f.pre, f.post)
    rank_one = int((PP["sc_ratio"] >= sc["ratio"]).sum()) + 1
    p_one = rank_one / (len(PP["sc_ratio"]) + 1)
    ce = inf.placebo_inference(lvl, "sc_effect", sc["effect"], PP)
    sc_base = {**base, "n_placebo": len(PP["sc_ratio"])}  # the combined unit: groups without a treated LA
    donors = int((sc["weights"] > 1e-3).sum())
    ratio_note = f"p-value: rank of the post/pre RMSPE ratio {sc['ratio']:.2f} among placebos; "
    rows.est.append(
        {
            **sc_base,
            "method": method_label(Method.SC_GAP),
            "estimate": sc["effect"],
            "ci_low": ce["ci_low"],
            "ci_high": ce["ci_high"],
            "p_value": p_one,
            "rank": rank_one,
            "rank_side": "high",
            "n_comparators": donors,
            "note": ratio_note + f"pre-programme RMSPE {sc['pre_rmspe']:.3g}",
        }
    )
    sc_cost = float(sc["gap"][f.cost_mask].mean())
    csc = inf.placebo_inference(lvl, "sc_cost", sc_cost, PP)
    rows.est.append(
        {
            **sc_base,
            "method": method_label(Method.SC_COST),
            "estimate": sc_cost,
            "ci_low": csc["ci_low"],
            "ci_high": csc["ci_high"],
            "p_value": np.nan,
            "rank": np.nan,
            "n_comparators": donors,
            "note": f"mean gap over {cy[0]}-{cy[1]}",
        }
    )
    rows.est.append(
        {
            **sc_base,
            "method": method_label(Method.SC_RATIO),
            "estimate": sc["ratio"],
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": p_one,
            "rank": rank_one,
            "rank_side": "high",
            "n_comparators": donors,
            "note": f"pre RMSPE {sc['pre_rmspe']:.3g}, post RMSPE {sc['post_rmspe']:.3g}",
        }
    )
    for j, c in enumerate(f.complete):
        if sc["weights"][j] > 1e-3:
            rows.w.append((f.okey, u, c, d.names.get(c, c), float(sc["weights"][j])))
    rows.ser += _series_rows(f.okey, u, Method.CF_SC, f.yrs, y1, sc["synthetic"])
    return sc["ratio"]


def _unit_inputs(d: Design, f: Frame, u, rows: Rows, note_gaps: bool = True):
    """The unit's series, the base of its rows, its placebo reference and its neighbours with a
    complete series; None for the series when it has a gap (shown as a trend only, with a note)."""
    comps = [x for x in d.neighbours_of.get(u, []) if x in f.col]
    y1 = f.R[u].to_numpy()
    if np.isnan(y1).any():
        if note_gaps:
            gaps = ", ".join(str(y) for y in f.yrs[np.isnan(y1)])
            rows.notes.append(
                f"{f.o.label}: {d.names.get(u, u)} has no published value (suppressed or missing) in {gaps}; "
                f"it is shown as a trend only for this outcome."
            )
        return None, None, None, comps
    base = dict(outcome=f.okey, area_code=u, area_name=d.names.get(u, u), unit=f.o.unit, n_placebo=f.n_plc)
    PP = f.Pg if u == TREATED_ID else f.P  # placebo groups of the same size for the combined unit
    if u == TREATED_ID:
        base["n_placebo"] = len(PP["did"])
    return y1, base, PP, comps


def unit_estimates(d: Design, f: Frame, u, rows: Rows) -> float | None:
    """Every estimate of one treated unit for one outcome. Returns its DiD (NaN without neighbours;
    None when its own series has a gap, shown as a trend only)."""
    y1, base, PP, comps = _unit_inputs(d, f, u, rows)
    if y1 is None:
        return None
    okey, yrs = f.okey, f.yrs
    e = np.nan
    if len(comps) >= 1:
        e = _neighbour_estimates(d, f, u, y1, comps, base, PP, rows)
    change_against_every_la(d, f, u, y1, base, PP, rows)
    a = est.its(y1, yrs, d.fpy)
    rows.est += _its_rows(base, a, False, 0, f"OLS on {a['n']} years; intervals likely too narrow (short series)")
    rows.ser += _series_rows(
        okey, u, Method.CF_ITS_ALONE, yrs, y1, a["counterfactual"], a["counterfactual_low"], a["counterfactual_high"]
    )
    ratio = _synthetic_estimates(d, f, u, y1, base, PP, rows)
    rows.plc.append((okey, Statistic.DID, u, d.names.get(u, u), e, True))
    rows.plc.append((okey, Statistic.SC_RATIO, u, d.names.get(u, u), ratio, True))
    return e


def check_estimates(d: Design, f: Frame, u, rows: Rows, keys=(Method.DID, Method.CHANGE), year=None) -> float | None:
    """A check on another outcome's result (the same outcome on another vintage, or without some
    years): the DiD against the neighbours and the change against every LA only, each with its
    placebo interval and p-value, under the method ``keys`` (labelled with ``year`` when given)."""
    y1, base, PP, comps = _unit_inputs(d, f, u, rows, note_gaps=year is None)
    if y1 is None:
        return None
    e = np.nan
    if len(comps) >= 1:
        Y0, _ = comparator(f, u, comps)
        e = est.did(y1, Y0, f.pre, f.post)
        inference = inf.placebo_inference(d.placebo_level, "did", e, PP)
        note = f"{d.placebo_level:.0%} interval and p-value from the placebo runs"
        rows.est.append(_placebo_row(base, keys[0], e, inference, len(comps), note, year))
    change_against_every_la(d, f, u, y1, base, PP, rows, keys[1], year)
    return e


def mean_of_k(d: Design, f: Frame, did_by_unit: dict, rows: Rows) -> None:
    """The treated LAs together, by the mean of their own estimates: their DiD estimates against the
    means of every set (or many random sets) of as many placebo LAs, and their changes (after minus
    before) against the means of every set of as many eligible LAs (:func:`mean_of_k_change`)."""
    singles = [did_by_unit[u] for u in d.units if u != TREATED_ID and u in did_by_unit]
    if not (len(singles) > 1 and f.n_plc >= len(singles)):
        return
    k = len(singles)
    dist = inf.mean_of_k_distribution(f.P["did"], k)
    m = float(np.mean(singles))
    more = int((np.abs(dist) >= abs(m) - 1e-12).sum())
    rows.est.append(
        {
            "outcome": f.okey,
            "area_code": TREATED_ID,
            "area_name": d.names[TREATED_ID],
            "unit": f.o.unit,
            "n_placebo": f.n_plc,
            "method": method_label(Method.MEAN_OF_K, k),
            "estimate": m,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": (more + 1) / (len(dist) + 1),
            "rank": np.nan,
            "n_comparators": len(dist),
            "note": f"p-value: share of all {len(dist):,} sets of {k} placebo LAs whose mean is at least as far from 0",
        }
    )
    statistic = Statistic.MEAN_OF_K.format(k=k)
    for q in np.quantile(dist, np.linspace(0, 1, 201)):
        rows.plc.append((f.okey, statistic, "", "", float(q), False))
    rows.plc.append((f.okey, statistic, TREATED_ID, d.names[TREATED_ID], m, True))
    mean_of_k_change(d, f, [u for u in d.units if u != TREATED_ID and u in did_by_unit], rows)


def mean_of_k_change(
    d: Design, f: Frame, singles: list, rows: Rows, key: str = Method.MEAN_OF_K_CHANGE, year=None
) -> None:
    """The mean of the treated LAs' own changes (mean after minus mean before, no comparator) against
    the means of every set of as many eligible LAs with a complete series (or many random sets): how
    the treated LAs compare with all English LAs, read as the mean of three LAs. Its p-value is two-sided
    with equal tails on the same terms as every placebo p-value (:func:`inference.randomisation_p`):
    ``rank`` = 1 + the number of sets whose mean is at least as far out on the treated mean's side,
    so (rank - 1) / sets is the share of sets of LAs that moved as much or more."""
    k = len(singles)
    change = np.array([f.R[u].to_numpy()[f.post].mean() - f.R[u].to_numpy()[f.pre].mean() for u in singles])
    dist = inf.mean_of_k_distribution(f.P["change"], k)
    if not len(dist) or np.isnan(change).any():
        return
    m = float(change.mean())
    none = np.zeros(len(dist))
    rank, p = inf.randomisation_p(m, 1.0, dist, none)
    n_las = int(np.sum(~np.isnan(f.P["change"])))
    rows.est.append(
        {
            "outcome": f.okey,
            "area_code": TREATED_ID,
            "area_name": d.names[TREATED_ID],
            "unit": f.o.unit,
            "n_placebo": n_las,
            "method": method_label(key, k, year),
            "estimate": m,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": p,
            "rank": rank,
            "rank_side": inf.rank_side(m, 1.0, dist, none),
            "n_comparators": len(dist),
            "note": f"rank among the means of {len(dist):,} sets of {k} of the {n_las} eligible LAs with a complete "
            "series (every set, or random sets when there are too many); two-sided p-value with equal tails",
        }
    )
