"""Children's outcomes and the cost of care: pure functions from the published panel to results.

Conventions (stated in the report):

* **Years.** A figure "at 31 March t", "in the year ending 31 March t" or for financial year
  (t-1)-(t) belongs to year t. With the programme starting in July 2014, the figure at
  31 March 2015 is the first one after the start (:func:`first_post_year`); 2014 is the last
  pre-programme year (the reference year of the index and the event study).
* **Rates** are computed here, never averaged: a group's rate is its summed numerator over its
  summed denominator. Rates per 10,000 children use the ONS mid-(t-1) estimate of children aged
  0-17 on the pre-Census-2021 vintage only (DfE's own convention for CLA rates; the other vintage
  is never read). Percentages are summed counts over summed counts.
* **Estimators** (each run the same way on the treated areas and on every placebo LA):
  difference in differences on units (treated unit and each comparator, two-way fixed effects;
  with a balanced panel the coefficient equals the treated unit's post-minus-pre change minus the
  comparators' mean change, which is what the fast placebo loop computes; the treated fits are
  also run with pyfixest and must agree); event study (each year against the last pre-programme
  year); interrupted time series (segmented OLS, slope-change term = years since the start x
  post) on the treated series alone and on its gap from the neighbours' mean; synthetic control
  (weights >= 0 summing to 1 that best reproduce the pre-programme outcome, from the eligible
  English LAs). Inference comes from placebo-in-space runs over every eligible LA: a single treated
  LA is compared with every placebo LA; the treated LAs combined with *groups* of the same size
  (:func:`group_placebos`: ``group_draws`` seeded random sets drawn from the placebo LAs and the
  treated LAs together, each combined by summed counts and compared with the union of its members'
  neighbours; Cavallo, Galiani, Noy and Pantano 2013, "Catastrophic natural disasters and economic
  growth", REStat 95(5); Abadie 2021, JEL 59(2)), since a combination of several LAs varies less
  than one LA. Placebo interval of a single LA = estimate minus the placebo estimates' order
  statistics that leave (1 - level)/2 in each tail (test inversion under an additive effect, as
  below with no placebo exposed; blank with at most 2/(1 - level) - 1 placebos). The combined unit's
  DiD and cost-year gaps, linear in the rates, get a randomisation interval by test inversion
  (:func:`randomisation_interval`; Imbens and Rubin 2015, ch. 5; Firpo and Possebom 2018): each
  hypothesised effect is removed from the treated LAs' post-programme rates wherever they appear,
  in the treated group and in any reference group that contains them or compares with them; its
  synthetic-control and event-study bands use the groups without a treated member. Placebo
  p-values are two-sided with equal tails, on the same terms as the intervals
  (:func:`randomisation_p`: twice (1 + number at least as far out on the estimate's side) /
  (1 + number of placebos); Phipson and Smyth 2010 for random draws), so p < 0.05 exactly when the
  95% interval excludes 0; the synthetic-control p ranks the post/pre RMSPE ratio (one-sided). The
  avoided cost by interrupted time series carries the placebo interval of its mean gap over the cost
  years (:func:`its_cost_gap`), as DiD and synthetic control do. Checked by
  placebo-in-real-data calibration (``benchmarks/calibration.py``: random untreated LAs analysed
  as if treated).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from ... import public_data as pdm

TREATED_ID = "treated"
#: DfE numbers of the three Focus on Practice boroughs (Westminster, Hammersmith and Fulham,
#: Kensington and Chelsea): never comparators, since they had the programme.
PROGRAMME_LAS = (213, 205, 207)
NEIGHBOURS_ID = "neighbours"


@dataclass(frozen=True)
class Outcome:
    """One outcome: a numerator over a denominator (or a plain count)."""

    key: str
    label: str
    numerator: str
    denominator: str | None  # "population" (0-17, mid-(t-1)), another measure, or None for a count
    scale: float
    unit: str
    analyse: bool = True  # run the comparative estimators (rates and percentages only)
    lower_is_better: bool = True
    cost: bool = False


OUTCOMES: dict[str, Outcome] = {
    o.key: o
    for o in (
        Outcome(
            "cla_rate",
            "Children looked after at 31 March, per 10,000 children",
            "cla_at_31_march_number",
            "population",
            1e4,
            "per 10,000 children aged 0-17",
        ),
        Outcome(
            "cla_number",
            "Children looked after at 31 March (number)",
            "cla_at_31_march_number",
            None,
            1,
            "children",
            analyse=False,
        ),
        Outcome(
            "cin_referral_rate",
            "Referrals to children's social care, per 10,000 children",
            "cin_referrals_number",
            "population",
            1e4,
            "per 10,000 children aged 0-17",
        ),
        Outcome(
            "rereferral_pct",
            "Re-referrals within 12 months (% of referrals)",
            "cin_rereferrals_within_12m_number",
            "cin_referrals_number",
            100,
            "% of referrals",
        ),
        Outcome(
            "cpp_rate",
            "Children on a child protection plan at 31 March, per 10,000 children",
            "cpp_at_31_march_number",
            "population",
            1e4,
            "per 10,000 children aged 0-17",
        ),
        Outcome(
            "cpp_second_pct",
            "Second or subsequent child protection plans (% of plans starting)",
            "cpp_second_or_subsequent_number",
            "cpp_starts_number",
            100,
            "% of plans starting in year",
        ),
        Outcome(
            "cla_starts_rate",
            "Children starting to be looked after in the year, per 10,000 children",
            "cla_started_during_year_number",
            "population",
            1e4,
            "per 10,000 children aged 0-17",
        ),
        Outcome(
            "cla_spend_per_child",
            "s251 spend on children looked after per child aged 0-17 (GBP, cash)",
            "s251_cla_gross_expenditure_gbp",
            "population",
            1,
            "GBP per child aged 0-17, cash",
        ),
        Outcome(
            "cla_spend_per_cla",
            "s251 spend on children looked after per child looked after at 31 March (GBP, cash)",
            "s251_cla_gross_expenditure_gbp",
            "cla_at_31_march_number",
            1,
            "GBP per child looked after, cash",
            cost=True,
        ),
    )
}
DEFAULT_OUTCOMES = tuple(OUTCOMES)

#: Context series (GSS codes): England, London, Inner London.
CONTEXT = {"E92000001": "England", "E12000007": "London", "E13000001": "Inner London"}

#: Claims the boroughs published later (programme.md: a November 2017 council release). Quoted,
#: not evidence: the section recomputes them from the published figures.
CLAIMS = (
    {
        "claim": "22% drop in looked-after children 2013-2017",
        "claimed_change_pct": -22.0,
        "measure": "cla_at_31_march_number",
        "from_year": 2013,
        "to_year": 2017,
    },
    {
        "claim": "8.6% drop in children taken into care since 2013",
        "claimed_change_pct": -8.6,
        "measure": "cla_started_during_year_number",
        "from_year": 2013,
        "to_year": 2017,
    },
)

#: Weekly unit costs of a child looked after (methods.md). Each labelled with its source and price
#: year; no price index is shipped, so they are used as published (cash of their own year).
DEFAULT_UNIT_COSTS = (
    {
        "label": "low: foster care (DfE written answer)",
        "weekly_gbp": 600.0,
        "price_year": "c. 2015-16 (LA data to March 2016)",
        "source": "DfE written answer (c. 2016): foster care about GBP 600 per child per week (methods.md)",
    },
    {
        "label": "central: foster care (PSSRU 2017)",
        "weekly_gbp": 646.0,
        "price_year": "2016-17",
        "source": "PSSRU Unit Costs of Health and Social Care 2017: foster care GBP 646 per child per week (methods.md)",
    },
    {
        "label": "high: children's home (DfE written answer)",
        "weekly_gbp": 3000.0,
        "price_year": "c. 2015-16 (LA data to March 2016)",
        "source": "DfE written answer (c. 2016): LA children's home about GBP 3,000 per resident week (methods.md)",
    },
)


def treated_for(borough: str, treated) -> list:
    """The treated areas for a run scope: with a one-borough scope and the default three boroughs,
    that borough alone (its own report); otherwise ``treated`` as given."""
    from ... import config

    slug = config.normalise_borough(borough)
    if (
        slug != config.ALL_BOROUGHS
        and isinstance(treated, (list, tuple))
        and sorted(int(t) for t in treated if str(t).isdigit()) == sorted(PROGRAMME_LAS)
    ):
        return [config.BOROUGHS[slug][2]]
    return treated


def _placebo_estimate(base: dict, method: str, estimate: float, inference: dict, n_comparators: int, note: str) -> dict:
    """One estimate row with its placebo interval, p-value and rank (:func:`placebo_inference`)."""
    return {**base, "method": method, "estimate": estimate, **inference, "n_comparators": n_comparators, "note": note}


def check_parameters(unit_costs, programme_cost, cost_years, neighbour_list, placebo_level) -> None:
    """Clear errors for malformed parameters (the notebook's parameters cell)."""
    if str(neighbour_list) not in ("2021", "2025"):
        raise ValueError(f"neighbour_list must be '2021' or '2025', not {neighbour_list!r}")
    if len(programme_cost) not in (1, 2) or any(float(x) < 0 for x in programme_cost):
        raise ValueError(f"programme_cost must be [low, high] in GBP, not {programme_cost!r}")
    if len(cost_years) != 2 or int(cost_years[0]) > int(cost_years[1]):
        raise ValueError(f"cost_years must be [first, last], not {cost_years!r}")
    if not 0.5 <= float(placebo_level) < 1:
        raise ValueError(f"placebo_level must be between 0.5 and 1, not {placebo_level!r}")
    for uc in unit_costs or ():
        missing = {"label", "weekly_gbp", "price_year", "source"} - set(uc)
        if missing:
            raise ValueError(
                f"each unit cost needs label, weekly_gbp, price_year and source; {uc!r} lacks {sorted(missing)}"
            )
        if float(uc["weekly_gbp"]) <= 0:
            raise ValueError(f"unit cost {uc['label']!r}: weekly_gbp must be positive")


def first_post_year(programme_start: str) -> int:
    """The first year (31 March convention) whose figure is dated after the programme start.

    ``"2014-07"`` -> 2015: the figure at 31 March 2015 is the first after a July 2014 start; a start
    on or before 31 March t makes t itself the first post year.
    """
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", str(programme_start))
    if not m:
        raise ValueError(f"programme_start must look like 2014-07 or 2014-07-01, not {programme_start!r}")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"programme_start month out of range: {programme_start!r}")
    return year if (month, day) <= (3, 31) else year + 1


# ---- the panel ---------------------------------------------------------------------------------

#: Read alongside the outcomes: the areas' own s251 weekly unit cost (for the cost table).
EXTRA_MEASURES = ("s251_cla_weekly_unit_cost_gbp",)


def component_measures(outcomes) -> list[str]:
    out = list(EXTRA_MEASURES)
    for k in outcomes:
        o = OUTCOMES[k]
        out.append(o.numerator)
        if o.denominator and o.denominator != "population":
            out.append(o.denominator)
    return list(dict.fromkeys(out))


def load_components(outcomes, first_year: int, last_year: int, path=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Published counts of every area, wide: (area_code, year) x measure, plus ``population``
    (mid-(t-1) 0-17, pre-Census-2021 vintage) and a parallel frame of source ids."""
    present = set(pdm.read_result("preferred", path).data["measure"].unique())
    measures = [m for m in component_measures(outcomes) if m in present or m not in EXTRA_MEASURES]
    popm = pdm.POPULATION_MEASURES[pdm.VINTAGE_PRE2021]
    p = pdm.panel(measures + [popm], years=(first_year - 1, last_year), path=path)
    pop = p[p.measure == popm].assign(year=lambda d: d.year + 1, measure="population")  # mid-(t-1) -> year t
    p = pd.concat([p[p.measure != popm], pop])
    p = p[(p.year >= first_year) & (p.year <= last_year)]
    values = p.pivot_table(
        index=["area_code", "year"], columns="measure", values="value", aggfunc="first", dropna=False
    )
    sources = p.pivot_table(index=["area_code", "year"], columns="measure", values="source_id", aggfunc="first")
    for m in measures + ["population"]:
        if m not in values:
            values[m] = np.nan
    return values, sources


def outcome_matrix(values: pd.DataFrame, outcome: Outcome) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(numerator, denominator) as year x area tables for one outcome (denominator 1 for counts)."""
    num = values[outcome.numerator].unstack("area_code")
    if outcome.denominator is None:
        den = num.notna().astype(float).where(num.notna())
    else:
        den = values[outcome.denominator].unstack("area_code")
    den = den.where(den > 0)
    return num, den


def combine(num: pd.DataFrame, den: pd.DataFrame, members, scale: float) -> pd.Series:
    """A group's series from summed numerators over summed denominators, only in years where every
    member has both (a partial sum would fall when an area goes missing)."""
    members = [m for m in members]
    n = num.reindex(columns=members)
    d = den.reindex(columns=members)
    ok = n.notna().all(axis=1) & d.notna().all(axis=1)
    return (n.sum(axis=1) / d.sum(axis=1) * scale).where(ok)


# ---- estimators (numpy, used for the treated units and for every placebo) -----------------------


def did(y1: np.ndarray, Y0: np.ndarray, pre: np.ndarray, post: np.ndarray) -> float:
    """Two-way fixed-effects DiD of one treated series on comparator series (balanced panel):
    (mean post - mean pre of the treated) - mean over comparators of (mean post - mean pre)."""
    c = Y0.mean(axis=1)
    return float((y1[post].mean() - y1[pre].mean()) - (c[post].mean() - c[pre].mean()))


def event_study(y1: np.ndarray, Y0: np.ndarray, ref: int) -> np.ndarray:
    """Each year's treated-minus-comparator-mean gap, minus the gap in the reference year."""
    gap = y1 - Y0.mean(axis=1)
    return gap - gap[ref]


def pre_slope(y1: np.ndarray, Y0: np.ndarray, pre: np.ndarray, years: np.ndarray) -> float:
    """OLS slope per year of the treated-minus-comparator gap over the pre-programme years."""
    gap = (y1 - Y0.mean(axis=1))[pre]
    x = years[pre].astype(float)
    return float(np.polyfit(x, gap, 1)[0]) if len(x) >= 2 else float("nan")


def synth_weights(y1_pre: np.ndarray, Y0_pre: np.ndarray, penalty: float = 1e3) -> np.ndarray:
    """Synthetic-control weights: min ||y1 - Y0 w||^2 subject to w >= 0, sum(w) = 1.

    Solved as non-negative least squares with the sum-to-one constraint as an extra, heavily
    weighted row (values rescaled to order 1 first), then normalised. With equal importance of
    every pre-programme year (no covariates), this is the outcome-only synthetic control;
    ``tests/test_outcomes.py`` checks it against an exact solution, a hand case and pysyncon.
    """
    s = max(float(np.abs(Y0_pre).max()), 1e-9)
    A = np.vstack([Y0_pre / s, np.full((1, Y0_pre.shape[1]), penalty)])
    b = np.concatenate([y1_pre / s, [penalty]])
    w, _ = nnls(A, b, maxiter=50 * A.shape[1])
    total = w.sum()
    return w / total if total > 0 else np.full(len(w), 1 / len(w))


def synth_fit(y1: np.ndarray, Y0: np.ndarray, pre: np.ndarray, post: np.ndarray) -> dict:
    w = synth_weights(y1[pre], Y0[pre])
    synth = Y0 @ w
    gap = y1 - synth
    pre_rmspe = float(np.sqrt(np.mean(gap[pre] ** 2)))
    post_rmspe = float(np.sqrt(np.mean(gap[post] ** 2)))
    return {
        "weights": w,
        "synthetic": synth,
        "gap": gap,
        "pre_rmspe": pre_rmspe,
        "post_rmspe": post_rmspe,
        "ratio": post_rmspe / max(pre_rmspe, 1e-9),
        "effect": float(gap[post].mean()),
    }


def its(y: np.ndarray, years: np.ndarray, first_post: int, alpha: float = 0.05) -> dict:
    """Segmented regression y = b0 + b1 t + b2 post + b3 (years since start x post) by OLS.

    ``t`` counts years from the first year; ``years since start`` is 0 in the first post-programme
    year. Returns the level change (b2) and slope change (b3) with their CIs, the fitted pre-trend
    counterfactual for every year with its CI, and the pre-period slope (b1)."""
    import statsmodels.api as sm

    ok = ~np.isnan(y)
    t = (years - years[0]).astype(float)
    post = (years >= first_post).astype(float)
    since = (years - first_post).astype(float) * post
    X = np.column_stack([np.ones_like(t), t, post, since])
    fit = sm.OLS(y[ok], X[ok]).fit()
    ci = fit.conf_int(alpha)
    Xcf = np.column_stack([np.ones_like(t), t, np.zeros_like(t), np.zeros_like(t)])
    pred = fit.get_prediction(Xcf)
    cf = pred.predicted_mean
    cf_ci = pred.conf_int(alpha=alpha)
    names = ["intercept", "pre_slope", "level_change", "slope_change"]
    return {
        "params": dict(zip(names, fit.params, strict=True)),
        "ci": {n: tuple(ci[i]) for i, n in enumerate(names)},
        "p": dict(zip(names, fit.pvalues, strict=True)),
        "se": dict(zip(names, fit.bse, strict=True)),
        "n": int(ok.sum()),
        "counterfactual": cf,
        "counterfactual_low": cf_ci[:, 0],
        "counterfactual_high": cf_ci[:, 1],
        "cf_model": fit,
        "Xcf": Xcf,
    }


def _usable(reference, reference_exposure) -> tuple[np.ndarray, np.ndarray]:
    """Reference values and their exposures, with any pair holding a missing value left out."""
    e = np.asarray(reference, dtype=float)
    c = np.broadcast_to(np.asarray(reference_exposure, dtype=float), e.shape)
    keep = ~(np.isnan(e) | np.isnan(c))
    return e[keep], c[keep]


def _as_far_out(
    estimate: float, exposure: float, e: np.ndarray, c: np.ndarray, deltas: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each hypothesised effect in ``deltas``, taken off the treated unit (``exposure``) and the
    reference values ``e`` (``c``): the number of reference values at least as high as the treated
    unit's, and the number at least as low. Ties (within rounding) count on both sides, so they
    count against rejection."""
    deltas = np.asarray(deltas, dtype=float)
    gap = (estimate - deltas[:, None] * exposure) - (e[None, :] - deltas[:, None] * c[None, :])
    tol = 1e-9 * max(1.0, float(np.max(np.abs(e), initial=0.0)), abs(estimate))
    return (gap <= tol).sum(axis=1), (gap >= -tol).sum(axis=1)


def placebos_bound_interval(n: int, level: float) -> bool:
    """Whether ``n`` placebos can bound a two-sided interval at ``level`` (reject any effect): the
    most extreme of n + 1 has p = 2 / (n + 1), which must fall below 1 - level, so n > 2 / (1 - level) - 1
    (at least 40 for 95%)."""
    return 2 / (n + 1) < 1 - level - 1e-12


def randomisation_p(
    estimate: float, exposure: float, reference: np.ndarray, reference_exposure: np.ndarray, delta: float = 0.0
) -> tuple[int, float]:
    """Two-sided randomisation p-value of the hypothesis that the programme moved each treated LA's
    rate by ``delta`` (0: no effect), on the same terms as :func:`randomisation_interval`: with delta
    taken off, ``rank`` = 1 + the number of reference values at least as far out as the treated
    unit's on its own side (at least as high if it is high, as low if it is low), and
    p = min(1, 2 x rank / (1 + number of reference values)) (equal tails; Phipson and Smyth 2010 for
    random draws). p < 1 - level exactly when delta lies outside the interval at that level, so a
    change called unusual (p < 0.05) never has a 95% interval that includes no change."""
    e, c = _usable(reference, reference_exposure)
    if np.isnan(estimate) or not len(e):
        return 0, float("nan")
    high, low = _as_far_out(estimate, exposure, e, c, np.array([delta]))
    rank = 1 + int(min(high[0], low[0]))
    return rank, min(1.0, 2 * rank / (len(e) + 1))


def its_cost_gap(gap: np.ndarray, years: np.ndarray, first_post: int, cost_mask: np.ndarray) -> np.ndarray:
    """Mean over the cost years of (gap - its pre-trend counterfactual), the segmented OLS of
    :func:`its` fitted to a gap series (or to each column of a years x series array): the quantity
    the ITS avoided cost is built from. Linear in the gap, so placebo gaps give its placebo
    distribution."""
    g = np.asarray(gap, dtype=float)
    t = (years - years[0]).astype(float)
    post = (years >= first_post).astype(float)
    since = (years - first_post).astype(float) * post
    X = np.column_stack([np.ones_like(t), t, post, since])
    beta = np.linalg.lstsq(X, g, rcond=None)[0]
    cf = X[:, :2] @ beta[:2]
    return (g - cf)[cost_mask].mean(axis=0)


def group_placebos(
    Num: np.ndarray,
    Den: np.ndarray,
    R: np.ndarray,
    codes: list,
    candidates: list,
    neighbours_of: dict,
    k: int,
    scale: float,
    draws: int,
    seed: int = 2014,
    treated=(),
) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
    """Reference groups for a combined treated unit of ``k`` LAs (placebo in space with groups of the
    treated group's size; Cavallo, Galiani, Noy and Pantano 2013, Abadie 2021): ``draws`` random sets
    of ``k`` distinct LAs from ``candidates`` (seeded), each combined as the treated areas are (summed
    numerators over summed denominators x ``scale``) and compared with the mean of the union of its
    members' neighbours (members left out). ``Num``, ``Den``, ``R``: years x ``codes`` arrays of
    numerators, denominators and rates.

    For randomisation inference the candidates include the ``treated`` LAs themselves: a group is
    then any set of ``k`` LAs the programme could have gone to, drawn exactly as the treated group
    is assumed to have been (leaving the treated LAs out made the reference distribution lack the
    treated areas' own variability: with an LA whose series moves unusually, placebo-in-real-data
    runs gave 7-8% false positives). ``exposure`` says how each group's gap (its combined rate minus
    its comparators' mean) would move if every treated LA's rate rose by 1 in a year: the treated
    members' share of the group's denominator, less the share of treated LAs among its comparators
    (0 for a group that neither contains nor is compared with a treated LA; 1 for the treated group).

    Returns the groups' combined series (years x draws), their neighbours' mean series (years x
    draws), the member index sets and the exposure (years x draws)."""
    col = {c: i for i, c in enumerate(codes)}
    cand = np.array([col[c] for c in candidates])
    empty = np.empty((len(R), 0))
    if len(cand) < k or draws < 1:
        return empty, empty, [], empty
    rng = np.random.default_rng(seed)
    sets = [np.sort(rng.choice(cand, size=k, replace=False)) for _ in range(draws)]
    is_treated = np.array([c in set(treated) for c in codes], dtype=float)
    A = np.zeros((draws, len(codes)))
    B = np.zeros((draws, len(codes)))
    for g, idx in enumerate(sets):
        A[g, idx] = 1.0
        members = {codes[i] for i in idx}
        comps = {x for c in members for x in neighbours_of.get(c, []) if x in col and x not in members}
        B[g, [col[x] for x in comps]] = 1.0
    ok = B.sum(axis=1) > 0
    n_comps = np.where(ok, B.sum(axis=1), 1.0)
    y1 = (Num @ A.T) / (Den @ A.T) * scale
    c = (R @ B.T) / n_comps
    exposure = (Den @ (A * is_treated).T) / (Den @ A.T) - (B @ is_treated) / n_comps
    return y1[:, ok], c[:, ok], [s for s, o in zip(sets, ok, strict=True) if o], exposure[:, ok]


def randomisation_interval(
    estimate: float, exposure: float, reference: np.ndarray, reference_exposure: np.ndarray, level: float
) -> tuple[float, float]:
    """Equal-tailed randomisation interval for an additive effect, by test inversion (Imbens and
    Rubin 2015, ch. 5; for placebo groups, Firpo and Possebom 2018, J. Causal Inference 6(2)).

    Under the hypothesis that the programme moved each treated LA's rate by delta, the statistic of
    the treated group would have been ``estimate - delta x exposure`` without it, and that of each
    reference group ``reference - delta x reference_exposure`` (every statistic here is linear in the
    rates, so ``exposure`` is the statistic of the exposure series). Delta is kept when the treated
    group's adjusted statistic is not among the lowest or the highest (1 - level) / 2 of itself and
    the reference groups: (1 + number of groups at least as low, or as high) / (1 + number of
    groups) must reach (1 - level) / 2 on both sides (ties count against rejection), which is
    :func:`randomisation_p` >= 1 - level.
    The kept set is an interval, since the treated group's exposure is the largest; its ends are
    among the deltas where the treated group ties with a reference group. With no reference group
    exposed this is the estimate minus the placebo order statistics. Returns (low, high); (nan, nan)
    when there are too few groups for the level (:func:`placebos_bound_interval`)."""
    e, c = _usable(reference, reference_exposure)
    n = len(e)
    if np.isnan(estimate) or not placebos_bound_interval(n, level):
        return float("nan"), float("nan")
    d = exposure - c
    crossing = np.abs(d) > 1e-12
    breaks = np.unique((estimate - e[crossing]) / d[crossing])
    if not len(breaks):
        return float("nan"), float("nan")
    # the counts change only at the breakpoints: test them and the points between
    mids = (breaks[:-1] + breaks[1:]) / 2
    trial = np.concatenate([breaks, mids, [breaks[0] - 1.0, breaks[-1] + 1.0]])
    high, low = _as_far_out(estimate, exposure, e, c, trial)
    # kept while 2 x (1 + the smaller count) / (n + 1) >= 1 - level, i.e. randomisation_p >= 1 - level
    # (rejected when p < 1 - level: the report's "unusual" cut is strict too)
    kept = trial[2 * (1 + np.minimum(high, low)) / (n + 1) >= 1 - level - 1e-12]
    if not len(kept) or kept.min() < breaks[0] or kept.max() > breaks[-1]:
        return float("nan"), float("nan")
    return float(kept.min()), float(kept.max())


def gap_statistics(years: np.ndarray, first_post: int, cost_mask: np.ndarray) -> dict:
    """The combined unit's statistics of a gap series (treated minus comparators; years x series)
    that are linear in it, so that an additive effect can be inverted for an interval
    (:func:`randomisation_interval`): the DiD over all post years, the DiD over the cost years and
    the ITS mean gap over the cost years."""
    pre = years < first_post
    post = ~pre
    return {
        "did": lambda G: G[post].mean(axis=0) - G[pre].mean(axis=0),
        "did_cost": lambda G: G[cost_mask].mean(axis=0) - G[pre].mean(axis=0),
        "its_cost": lambda G: its_cost_gap(G, years, first_post, cost_mask),
    }


def group_reference(
    num: pd.DataFrame,
    den: pd.DataFrame,
    rates: pd.DataFrame,
    complete: list,
    candidates: list,
    treated: list,
    neighbours_of: dict,
    scale: float,
    draws: int,
    years: np.ndarray,
    first_post: int,
    cost_mask: np.ndarray,
    reference_index: int,
) -> dict:
    """The reference distribution of every statistic of the combined treated unit (years x areas
    frames over ``years``; ``complete``: the eligible LAs with a complete series, ``candidates``
    those that are placebo LAs). Groups are drawn by :func:`group_placebos` from the candidates
    and the treated LAs, compared with their members' neighbours among ``complete`` and the treated.

    The linear statistics (:func:`gap_statistics`) and the pre-programme trend are taken over every
    group, with each group's exposure to the treated LAs' post-programme rates (``exposure``; the
    treated group's own in ``exposure_treated``), for :func:`randomisation_interval`. The event-study
    band and the synthetic-control statistics are taken over the groups with no treated member,
    since neither is linear in the rates and a treated member would carry the effect into them."""
    codes = list(complete) + [t for t in treated if t not in set(complete)]
    pre = years < first_post
    post = ~pre
    gy, gc, sets, exposure = group_placebos(
        num[codes].to_numpy(dtype=float),
        den[codes].to_numpy(dtype=float),
        rates[codes].to_numpy(dtype=float),
        codes,
        list(candidates) + list(treated),
        neighbours_of,
        len(treated),
        scale,
        draws,
        treated=treated,
    )
    gap = gy - gc
    stats = gap_statistics(years, first_post, cost_mask)
    out = {name: f(gap) for name, f in stats.items()}
    out["exposure"] = {name: f(exposure * post[:, None]) for name, f in stats.items()}
    out["exposure_treated"] = {name: float(f(post.astype(float)[:, None])[0]) for name, f in stats.items()}
    out["pre_slope"] = (
        np.polyfit(years[pre].astype(float), gap[pre], 1)[0] if pre.sum() >= 2 else np.full(gap.shape[1], np.nan)
    )
    n_complete = len(complete)
    clean = [g for g, idx in enumerate(sets) if idx.max() < n_complete]  # no treated member
    out["event"] = (gap[:, clean] - gap[reference_index, clean]).T
    pool = rates[complete].to_numpy(dtype=float)
    scs = [synth_fit(gy[:, g], np.delete(pool, sets[g], axis=1), pre, post) for g in clean]
    out["sc_ratio"] = np.array([z["ratio"] for z in scs])
    out["sc_effect"] = np.array([z["effect"] for z in scs])
    out["sc_cost"] = np.array([float(z["gap"][cost_mask].mean()) for z in scs])
    return out


def placebo_inference(level: float, stat: str, estimate: float, reference: dict) -> dict:
    """A statistic's interval at ``level``, p-value and rank against its placebo distribution
    ``reference[stat]``, by :func:`randomisation_interval` and :func:`randomisation_p`. For the
    combined unit's statistics that are linear in the rates, ``reference`` carries every group's
    exposure to the treated LAs (:func:`group_reference`); otherwise (a single LA against the
    placebo LAs, or a statistic that is not linear in the rates, over groups with no treated
    member) no placebo is exposed and the interval is the estimate minus the placebo order
    statistics. Returns ``ci_low``, ``ci_high``, ``p_value``, ``rank``."""
    values = np.asarray(reference[stat], dtype=float)
    exposed = reference.get("exposure", {})
    if stat in exposed:
        own, others = reference["exposure_treated"][stat], exposed[stat]
    else:
        own, others = 1.0, np.zeros(len(values))
    low, high = randomisation_interval(estimate, own, values, others, level)
    rank, p = randomisation_p(estimate, own, values, others)
    return {"ci_low": low, "ci_high": high, "p_value": p, "rank": rank}


def mean_of_k_distribution(
    values: np.ndarray, k: int, max_exact: int = 2_000_000, seed: int = 2014, draws: int = 200_000
) -> np.ndarray:
    """Means of every set of ``k`` values (exact, when there are at most ``max_exact`` sets), else of
    ``draws`` random sets without replacement within a set (seeded)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n < k or k < 1:
        return np.array([])
    if math.comb(n, k) <= max_exact:
        idx = np.fromiter(
            itertools.chain.from_iterable(itertools.combinations(range(n), k)),
            dtype=np.int32,
            count=math.comb(n, k) * k,
        ).reshape(-1, k)
    else:
        rng = np.random.default_rng(seed)
        idx = np.argsort(rng.random((draws, n)), axis=1)[:, :k]
    return values[idx].mean(axis=1)


# ---- the whole analysis ------------------------------------------------------------------------


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
    notes: list = field(default_factory=list)
    pyfixest_check: pd.DataFrame | None = None


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
    outcomes = list(outcomes)
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown:
        raise ValueError(f"unknown outcome(s) {unknown}; choose from {list(OUTCOMES)}")
    if "cla_number" not in outcomes and "cla_rate" in outcomes:
        outcomes.append("cla_number")
    if not first_year < last_year:
        raise ValueError("first_year must be before last_year")
    fpy = first_post_year(programme_start)
    ref = fpy - 1
    if not first_year < fpy <= last_year:
        raise ValueError(
            f"the programme start {programme_start} (first post year {fpy}) must fall inside {first_year}-{last_year}"
        )
    treated = pdm.resolve_areas(treated, path=public_data_dir)
    names = {
        str(k): v
        for k, v in pdm.area_names(
            pdm.la_lookup(public_data_dir).dropna(subset=["old_la_code"])["old_la_code"].astype(int), public_data_dir
        ).items()
    }
    names.update(CONTEXT)
    names[TREATED_ID] = "Treated areas combined" if len(treated) > 1 else names[str(treated[0])]
    names[NEIGHBOURS_ID] = "Statistical neighbours combined"
    tcodes = [str(t) for t in treated]
    notes: list[str] = []

    # the programme boroughs had the intervention: never comparators, whichever areas are treated
    never = set(treated) | set(PROGRAMME_LAS)
    elig = pdm.eligible_las(first_year, last_year, path=public_data_dir, exclude_small=exclude_small, exclude=never)
    elig.excluded.loc[elig.excluded.old_la_code.isin(set(PROGRAMME_LAS) - set(treated)), "reason"] = (
        "Focus on Practice borough (had the programme; not a comparator)"
    )
    pool_all = set(elig.eligible)
    # a treated area whose own series is broken over the years cannot be analysed: say so
    own = pdm.eligible_las(first_year, last_year, path=public_data_dir, exclude_small=False)
    broken_treated = own.excluded[own.excluded.old_la_code.isin(treated)]
    for _, r in broken_treated.iterrows():
        notes.append(
            f"{r.la_name} ({r.old_la_code}) has no unbroken series over {first_year}-{last_year}: {r.reason}. "
            f"It cannot be compared over these years."
        )

    # one read of the neighbour lists, of every eligible LA and every treated LA; a programme borough
    # that is not treated is never anyone's neighbour
    sn_every = pdm.statistical_neighbours(
        sorted(pool_all | set(treated)),
        vintage=neighbour_list,
        path=public_data_dir,
        exclude_treated=False,
        old_lists=True,
    )
    sn_every = sn_every[~sn_every.neighbour_la.isin(never - set(treated))]
    untreated_neighbour = ~sn_every.neighbour_la.isin(never)
    # the treated LAs' own comparators, and each placebo LA's, are never treated
    sn = sn_every[sn_every.treated_la.isin(treated) & untreated_neighbour].reset_index(drop=True)
    sn_all = sn_every[sn_every.treated_la.isin(pool_all) & untreated_neighbour]
    sn_of = {int(k): [int(x) for x in g.neighbour_la] for k, g in sn_all.groupby("treated_la")}
    # the combined unit's reference groups are drawn from the placebo LAs and the treated LAs alike,
    # each compared with its members' neighbours among all of them (treated LAs included)
    group_neighbours = {str(k): [str(x) for x in g.neighbour_la] for k, g in sn_every.groupby("treated_la")}
    no_group = [t for t in treated if t not in set(sn.treated_la)]
    for t in no_group:
        notes.append(
            f"{names[str(t)]} has no DfE statistical-neighbour group in the {neighbour_list} list, so it has no neighbour comparison."
        )
    nb_excluded = sn[~sn.neighbour_la.isin(pool_all)]
    for _, r in nb_excluded.drop_duplicates("neighbour_la").iterrows():
        reason = elig.excluded.set_index("old_la_code").reason.get(r.neighbour_la, "not eligible")
        notes.append(f"Neighbour {r.neighbour_name} is left out of the comparisons ({reason}).")
    sn = sn[sn.neighbour_la.isin(pool_all)]
    neighbours_of = {str(t): [str(x) for x in sn[sn.treated_la == t].neighbour_la] for t in treated}
    all_neighbours = sorted({x for v in neighbours_of.values() for x in v}, key=int)
    neighbours_of[TREATED_ID] = all_neighbours

    values, sources = load_components(outcomes, first_year, last_year, path=public_data_dir)
    years_all = np.arange(first_year, last_year + 1)
    units = [str(t) for t in treated if int(t) not in set(broken_treated.old_la_code)]
    if len(treated) > 1 and len(units) == len(treated):
        units.append(TREATED_ID)

    panel_parts: list[pd.DataFrame] = []
    est_rows, plc_rows, ev_rows, w_rows, ser_rows, excl_rows = [], [], [], [], [], []
    pyfx_rows = []
    pool_codes = [str(c) for c in sorted(pool_all)]
    for okey in outcomes:
        o = OUTCOMES[okey]
        num, den = outcome_matrix(values, o)
        num = num.reindex(years_all)
        den = den.reindex(years_all)
        rate = num / den * o.scale
        # series for the panel table
        series = {
            c: rate[c] for c in rate.columns if c in set(tcodes) | set(CONTEXT) | set(all_neighbours) | set(pool_codes)
        }
        if len(treated) > 1:
            series[TREATED_ID] = combine(num, den, tcodes, o.scale)
        series[NEIGHBOURS_ID] = combine(num, den, all_neighbours, o.scale)
        panel_parts.append(_panel_rows(okey, o, series, num, den, sources, years_all, tcodes, all_neighbours, names))
        if not o.analyse or not units:
            continue
        # years the outcome can be compared: those with the treated (combined) series present
        tser = series[TREATED_ID] if TREATED_ID in series else series[tcodes[0]]
        yrs = years_all[tser.notna().to_numpy()]
        pre_mask_all = yrs < fpy
        if pre_mask_all.sum() < 2 or (~pre_mask_all).sum() < 1:
            notes.append(
                f"{o.label}: the published series has {int(pre_mask_all.sum())} year(s) before the programme "
                f"(first year {yrs.min() if len(yrs) else 'none'}), too few to compare change before and after; shown as a trend only."
            )
            continue
        R = rate.reindex(yrs)
        if TREATED_ID in series:
            R = R.assign(**{TREATED_ID: series[TREATED_ID].reindex(yrs)})
        complete = [c for c in pool_codes if c in R and R[c].notna().all()]
        for c in pool_codes:
            if c not in complete:
                excl_rows.append(
                    (
                        okey,
                        c,
                        names.get(c, c),
                        f"incomplete {o.label.split(',')[0].lower()} series over {yrs.min()}-{yrs.max()}",
                    )
                )
        pre = yrs < fpy
        post = yrs >= fpy
        ref_i = int(np.where(yrs == ref)[0][0]) if ref in yrs else int(np.where(pre)[0][-1])
        cost_mask = (yrs >= cost_years[0]) & (yrs <= cost_years[1])
        Ypool = R[complete].to_numpy()
        col = {c: i for i, c in enumerate(complete)}

        # placebo runs: each complete pool LA with at least 3 complete neighbours
        plc = {}
        for c in complete:
            comps = [str(x) for x in sn_of.get(int(c), []) if str(x) in col and str(x) != c]
            if len(comps) < 3:
                continue
            y1 = Ypool[:, col[c]]
            Y0 = Ypool[:, [col[x] for x in comps]]
            donors = [i for i in range(len(complete)) if i != col[c]]
            sc = synth_fit(y1, Ypool[:, donors], pre, post)
            plc[c] = {
                "did": did(y1, Y0, pre, post),
                "did_cost": did(y1, Y0, pre, cost_mask),
                "event": event_study(y1, Y0, ref_i),
                "pre_slope": pre_slope(y1, Y0, pre, yrs),
                "sc_ratio": sc["ratio"],
                "sc_effect": sc["effect"],
                "sc_cost": float(sc["gap"][cost_mask].mean()),
                "sc_pre_rmspe": sc["pre_rmspe"],
                "its_cost": float(its_cost_gap(y1 - Y0.mean(axis=1), yrs, fpy, cost_mask)),
            }
        n_plc = len(plc)
        notes_n = len(complete) - n_plc
        P = {
            k: np.array([v[k] for v in plc.values()])
            for k in ("did", "did_cost", "pre_slope", "sc_ratio", "sc_effect", "sc_cost", "its_cost")
        }
        # a combined unit of several treated LAs is compared with placebo groups of the same size
        Pg = P
        if TREATED_ID in units and len(plc) >= len(tcodes):
            Pg = group_reference(
                num.reindex(yrs),
                den.reindex(yrs),
                R,
                complete,
                candidates=list(plc),
                treated=tcodes,
                neighbours_of=group_neighbours,
                scale=o.scale,
                draws=group_draws,
                years=yrs,
                first_post=fpy,
                cost_mask=cost_mask,
                reference_index=ref_i,
            )
        Pev = np.array([v["event"] for v in plc.values()]) if plc else np.empty((0, len(yrs)))
        for c, v in plc.items():
            plc_rows.append((okey, "difference in differences", c, names.get(c, c), v["did"], False))
            plc_rows.append((okey, "synthetic control post/pre RMSPE ratio", c, names.get(c, c), v["sc_ratio"], False))
        lo_q, hi_q = (1 - placebo_level) / 2, 1 - (1 - placebo_level) / 2

        did_by_unit = {}
        for u in units:
            comps = [x for x in neighbours_of.get(u, []) if x in col]
            y1 = R[u].to_numpy()
            if np.isnan(y1).any():
                gaps = ", ".join(str(y) for y in yrs[np.isnan(y1)])
                notes.append(
                    f"{o.label}: {names.get(u, u)} has no published value (suppressed or missing) in {gaps}; "
                    f"it is shown as a trend only for this outcome."
                )
                continue
            base = dict(outcome=okey, area_code=u, area_name=names.get(u, u), unit=o.unit, n_placebo=n_plc)
            PP = Pg if u == TREATED_ID else P  # placebo groups of the same size for the combined unit
            if u == TREATED_ID:
                base["n_placebo"] = len(PP["did"])
            if len(comps) >= 1:
                Y0 = Ypool[:, [col[x] for x in comps]]
                est = did(y1, Y0, pre, post)
                did_by_unit[u] = est
                est_rows.append(
                    _placebo_estimate(
                        base,
                        "difference in differences vs neighbours",
                        est,
                        placebo_inference(placebo_level, "did", est, PP),
                        len(comps),
                        f"{placebo_level:.0%} interval and p-value from the placebo runs",
                    )
                )
                ps = pre_slope(y1, Y0, pre, yrs)
                est_rows.append(
                    _placebo_estimate(
                        base,
                        "pre-programme trend of the gap from neighbours (per year)",
                        ps,
                        {**placebo_inference(placebo_level, "pre_slope", ps, PP), "ci_low": np.nan, "ci_high": np.nan},
                        len(comps),
                        "slope of treated minus neighbours' mean before the start; placebo p-value",
                    )
                )
                ev = event_study(y1, Y0, ref_i)
                band = (
                    np.quantile(PP["event"] if u == TREATED_ID else Pev, [lo_q, hi_q], axis=0)
                    if n_plc
                    else np.full((2, len(yrs)), np.nan)
                )
                for i, y in enumerate(yrs):
                    ev_rows.append((okey, u, names.get(u, u), int(y), int(y - ref), ev[i], band[0, i], band[1, i]))
                # counterfactual under parallel trends, and its placebo interval
                cmean = Y0.mean(axis=1)
                cf = y1[pre].mean() + (cmean - cmean[pre].mean())
                did_cost = did(y1, Y0, pre, cost_mask)
                for i, y in enumerate(yrs):
                    ser_rows.append((okey, u, "difference in differences", int(y), y1[i], cf[i], np.nan, np.nan))
                est_rows.append(
                    _placebo_estimate(
                        base,
                        "difference in differences vs neighbours, cost years",
                        did_cost,
                        placebo_inference(placebo_level, "did_cost", did_cost, PP),
                        len(comps),
                        f"mean over {cost_years[0]}-{cost_years[1]} only (for the cost)",
                    )
                )
                if use_pyfixest and okey == "cla_rate":
                    pyfx_rows.append(_pyfixest_did(okey, u, yrs, y1, Y0, comps, fpy, est))
                # ITS against neighbours: the gap series
                g = its(y1 - cmean, yrs, fpy)
                for term in ("level_change", "slope_change", "pre_slope"):
                    est_rows.append(
                        {
                            **base,
                            "method": f"interrupted time series vs neighbours: {term.replace('_', ' ')}",
                            "estimate": g["params"][term],
                            "ci_low": g["ci"][term][0],
                            "ci_high": g["ci"][term][1],
                            "p_value": g["p"][term],
                            "rank": np.nan,
                            "n_comparators": len(comps),
                            "note": f"OLS on {g['n']} yearly gaps; intervals likely too narrow (short series)",
                        }
                    )
                its_cost = float(its_cost_gap(y1 - cmean, yrs, fpy, cost_mask))
                est_rows.append(
                    _placebo_estimate(
                        base,
                        "interrupted time series vs neighbours, cost years",
                        its_cost,
                        placebo_inference(placebo_level, "its_cost", its_cost, PP),
                        len(comps),
                        f"mean gap from the ITS counterfactual over {cost_years[0]}-{cost_years[1]}; "
                        f"{placebo_level:.0%} placebo interval",
                    )
                )
                cf_its = cmean + g["counterfactual"]
                for i, y in enumerate(yrs):
                    ser_rows.append(
                        (
                            okey,
                            u,
                            "interrupted time series vs neighbours",
                            int(y),
                            y1[i],
                            cf_its[i],
                            cmean[i] + g["counterfactual_low"][i],
                            cmean[i] + g["counterfactual_high"][i],
                        )
                    )
            a = its(y1, yrs, fpy)
            for term in ("level_change", "slope_change", "pre_slope"):
                est_rows.append(
                    {
                        **base,
                        "method": f"interrupted time series alone: {term.replace('_', ' ')}",
                        "estimate": a["params"][term],
                        "ci_low": a["ci"][term][0],
                        "ci_high": a["ci"][term][1],
                        "p_value": a["p"][term],
                        "rank": np.nan,
                        "n_comparators": 0,
                        "note": f"OLS on {a['n']} years; intervals likely too narrow (short series)",
                    }
                )
            for i, y in enumerate(yrs):
                ser_rows.append(
                    (
                        okey,
                        u,
                        "interrupted time series alone",
                        int(y),
                        y1[i],
                        a["counterfactual"][i],
                        a["counterfactual_low"][i],
                        a["counterfactual_high"][i],
                    )
                )
            # synthetic control from the whole eligible pool
            sc = synth_fit(y1, Ypool, pre, post)
            rank_one = int((PP["sc_ratio"] >= sc["ratio"]).sum()) + 1
            p_one = rank_one / (len(PP["sc_ratio"]) + 1)
            ce = placebo_inference(placebo_level, "sc_effect", sc["effect"], PP)
            sc_base = {**base, "n_placebo": len(PP["sc_ratio"])}  # the combined unit: groups without a treated LA
            est_rows.append(
                {
                    **sc_base,
                    "method": "synthetic control: mean post-programme gap",
                    "estimate": sc["effect"],
                    "ci_low": ce["ci_low"],
                    "ci_high": ce["ci_high"],
                    "p_value": p_one,
                    "rank": rank_one,
                    "n_comparators": int((sc["weights"] > 1e-3).sum()),
                    "note": f"p-value: rank of the post/pre RMSPE ratio {sc['ratio']:.2f} among placebos; "
                    f"pre-programme RMSPE {sc['pre_rmspe']:.3g}",
                }
            )
            sc_cost = float(sc["gap"][cost_mask].mean())
            csc = placebo_inference(placebo_level, "sc_cost", sc_cost, PP)
            est_rows.append(
                {
                    **sc_base,
                    "method": "synthetic control, cost years",
                    "estimate": sc_cost,
                    "ci_low": csc["ci_low"],
                    "ci_high": csc["ci_high"],
                    "p_value": np.nan,
                    "rank": np.nan,
                    "n_comparators": int((sc["weights"] > 1e-3).sum()),
                    "note": f"mean gap over {cost_years[0]}-{cost_years[1]}",
                }
            )
            est_rows.append(
                {
                    **sc_base,
                    "method": "synthetic control: post/pre RMSPE ratio",
                    "estimate": sc["ratio"],
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "p_value": p_one,
                    "rank": rank_one,
                    "n_comparators": int((sc["weights"] > 1e-3).sum()),
                    "note": f"pre RMSPE {sc['pre_rmspe']:.3g}, post RMSPE {sc['post_rmspe']:.3g}",
                }
            )
            for j, c in enumerate(complete):
                if sc["weights"][j] > 1e-3:
                    w_rows.append((okey, u, c, names.get(c, c), float(sc["weights"][j])))
            for i, y in enumerate(yrs):
                ser_rows.append((okey, u, "synthetic control", int(y), y1[i], sc["synthetic"][i], np.nan, np.nan))
            plc_rows.append((okey, "difference in differences", u, names.get(u, u), did_by_unit.get(u, np.nan), True))
            plc_rows.append((okey, "synthetic control post/pre RMSPE ratio", u, names.get(u, u), sc["ratio"], True))
        # the three (or k) treated LAs together: mean of their DiD estimates against means of k drawn LAs
        singles = [did_by_unit[u] for u in units if u != TREATED_ID and u in did_by_unit]
        if len(singles) > 1 and n_plc >= len(singles):
            dist = mean_of_k_distribution(P["did"], len(singles))
            m = float(np.mean(singles))
            more = int((np.abs(dist) >= abs(m) - 1e-12).sum())
            est_rows.append(
                {
                    "outcome": okey,
                    "area_code": TREATED_ID,
                    "area_name": names[TREATED_ID],
                    "unit": o.unit,
                    "n_placebo": n_plc,
                    "method": f"mean of the {len(singles)} treated LAs' DiD estimates",
                    "estimate": m,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                    "p_value": (more + 1) / (len(dist) + 1),
                    "rank": np.nan,
                    "n_comparators": len(dist),
                    "note": f"p-value: share of all {len(dist):,} sets of {len(singles)} placebo LAs whose mean is at least as far from 0",
                }
            )
            qs = np.quantile(dist, np.linspace(0, 1, 201))
            for q in qs:
                plc_rows.append(
                    (okey, f"mean of {len(singles)} placebo DiD estimates (quantiles)", "", "", float(q), False)
                )
            plc_rows.append(
                (
                    okey,
                    f"mean of {len(singles)} placebo DiD estimates (quantiles)",
                    TREATED_ID,
                    names[TREATED_ID],
                    m,
                    True,
                )
            )
        if len(units) and not placebos_bound_interval(n_plc, placebo_level):
            notes.append(
                f"{o.label}: only {n_plc} placebo LAs. A single LA's two-sided {placebo_level:.0%} placebo interval "
                f"needs more than {2 / (1 - placebo_level) - 1:.0f} (with fewer, even the most extreme estimate has "
                f"p = 2 / (placebos + 1) >= {1 - placebo_level:.2f}), so it is left blank."
            )
        if notes_n:
            notes.append(
                f"{o.label}: {notes_n} LA(s) with complete data had fewer than 3 eligible neighbours and were not used as placebos."
            )

    panel = pd.concat(panel_parts, ignore_index=True) if panel_parts else pd.DataFrame(columns=PANEL_COLUMNS)
    estimates = pd.DataFrame(
        est_rows,
        columns=[
            "outcome",
            "area_code",
            "area_name",
            "method",
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "rank",
            "n_placebo",
            "n_comparators",
            "unit",
            "note",
        ],
    )
    placebo = pd.DataFrame(plc_rows, columns=["outcome", "statistic", "area_code", "area_name", "value", "is_treated"])
    event = pd.DataFrame(
        ev_rows,
        columns=[
            "outcome",
            "area_code",
            "area_name",
            "year",
            "years_from_reference",
            "estimate",
            "placebo_low",
            "placebo_high",
        ],
    )
    weights = pd.DataFrame(w_rows, columns=["outcome", "area_code", "donor_code", "donor_name", "weight"])
    series_df = pd.DataFrame(
        ser_rows,
        columns=[
            "outcome",
            "area_code",
            "method",
            "year",
            "actual",
            "counterfactual",
            "counterfactual_low",
            "counterfactual_high",
        ],
    )
    exclusions = pd.concat(
        [
            elig.excluded.assign(outcome="all", old_la_code=lambda d: d.old_la_code.astype(str)).rename(
                columns={"old_la_code": "area_code", "la_name": "area_name"}
            ),
            pd.DataFrame(excl_rows, columns=["outcome", "area_code", "area_name", "reason"]),
        ]
    )[["outcome", "area_code", "area_name", "reason"]].reset_index(drop=True)
    params = dict(
        treated=treated,
        programme_start=programme_start,
        first_post_year=fpy,
        reference_year=ref,
        first_year=first_year,
        last_year=last_year,
        neighbour_list=neighbour_list,
        outcomes=outcomes,
        cost_years=tuple(cost_years),
        programme_cost=tuple(programme_cost),
        placebo_level=placebo_level,
        group_draws=group_draws,
        public_data_dir=str(pdm.public_data_dir(public_data_dir)),
    )
    claims = recompute_claims(values, treated, all_neighbours, pool_codes, names)
    costs = avoided_costs(estimates, series_df, values, units, tcodes, cost_years, unit_costs, programme_cost, names)
    return Results(
        params=params,
        names=names,
        treated=treated,
        units=units,
        neighbours=sn.assign(treated_name=lambda d: d.treated_la.astype(str).map(names)),
        eligibility=elig,
        panel=panel,
        estimates=estimates,
        placebo=placebo,
        event=event,
        synth_weights=weights,
        series=series_df,
        claims=claims,
        costs=costs,
        exclusions=exclusions,
        notes=notes,
        pyfixest_check=pd.DataFrame(pyfx_rows) if pyfx_rows else None,
    )


PANEL_COLUMNS = [
    "area_code",
    "area_name",
    "role",
    "year",
    "outcome",
    "value",
    "numerator",
    "denominator",
    "unit",
    "source",
    "pop_vintage",
]


def _panel_rows(okey, o, series, num, den, sources, years_all, tcodes, neighbours, names) -> pd.DataFrame:
    """Tidy rows of one outcome for every area shown or compared (vectorised)."""
    codes = [c for c in series if c not in (TREATED_ID, NEIGHBOURS_ID)]
    val = pd.DataFrame({c: series[c] for c in series}).reindex(years_all)
    n = num.reindex(index=years_all, columns=codes)
    d = (
        den.reindex(index=years_all, columns=codes)
        if o.denominator
        else pd.DataFrame(np.nan, index=years_all, columns=codes)
    )
    for gid, members in ((TREATED_ID, tcodes), (NEIGHBOURS_ID, neighbours)):
        if gid in series:
            ok = series[gid].reindex(years_all).notna()
            n[gid] = num.reindex(index=years_all, columns=members).sum(axis=1).where(ok)
            d[gid] = den.reindex(index=years_all, columns=members).sum(axis=1).where(ok) if o.denominator else np.nan
    cols = list(val.columns)
    index = pd.MultiIndex.from_product([cols, years_all], names=["area_code", "year"])

    def src(measure):
        if measure not in sources:
            return np.full(len(index), "", dtype=object)
        return np.array(sources[measure].reindex(index).astype(object).fillna("").to_numpy(), dtype=object)

    sn = src(o.numerator)
    if o.denominator:
        sd = src(o.denominator)
        sn = np.array(
            [a if (not b or a == b) else (b if not a else f"{a}; {b}") for a, b in zip(sn, sd, strict=True)],
            dtype=object,
        )
    codes_long = index.get_level_values(0).to_numpy()
    for gid, members in ((TREATED_ID, tcodes), (NEIGHBOURS_ID, neighbours)):
        sn[codes_long == gid] = "sum of " + ", ".join(members)
    long = pd.DataFrame(
        {
            "area_code": codes_long,
            "year": index.get_level_values(1).to_numpy(),
            "value": val[cols].to_numpy(dtype=float).T.ravel(),
            "numerator": n[cols].to_numpy(dtype=float).T.ravel(),
            "denominator": d[cols].to_numpy(dtype=float).T.ravel(),
            "source": sn,
        }
    )
    tset, nset = set(tcodes), set(neighbours)
    role = {
        c: (
            "treated"
            if c in tset
            else "treated combined"
            if c == TREATED_ID
            else "neighbours combined"
            if c == NEIGHBOURS_ID
            else "context"
            if c in CONTEXT
            else "statistical neighbour"
            if c in nset
            else "comparison pool"
        )
        for c in cols
    }
    long["area_name"] = long.area_code.map({c: names.get(c, c) for c in cols})
    long["role"] = long.area_code.map(role)
    long["outcome"] = okey
    long["unit"] = o.unit
    long["pop_vintage"] = pdm.VINTAGE_PRE2021 if o.denominator == "population" else ""
    return long[PANEL_COLUMNS]


def _pyfixest_did(okey, unit, yrs, y1, Y0, comps, fpy, numpy_estimate) -> dict:
    """The same DiD by pyfixest (two-way fixed effects, CRV1 by area): must equal the numpy value."""
    import pyfixest as pf

    rows = [(unit, int(y), float(y1[i]), 1) for i, y in enumerate(yrs)]
    for j, c in enumerate(comps):
        rows += [(c, int(y), float(Y0[i, j]), 0) for i, y in enumerate(yrs)]
    d = pd.DataFrame(rows, columns=["area", "year", "y", "treated"])
    d["treated_post"] = d["treated"] * (d["year"] >= fpy).astype(int)
    fit = pf.feols("y ~ treated_post | area + year", data=d, vcov={"CRV1": "area"})
    ci = fit.confint().iloc[0]
    return {
        "outcome": okey,
        "area_code": unit,
        "estimate_pyfixest": float(fit.coef().iloc[0]),
        "estimate_numpy": numpy_estimate,
        "se_crv1": float(fit.se().iloc[0]),
        "ci_low_crv1": float(ci.iloc[0]),
        "ci_high_crv1": float(ci.iloc[1]),
        "n_obs": len(d),
    }


def recompute_claims(values: pd.DataFrame, treated, neighbours, pool, names) -> pd.DataFrame:
    """Each published claim recomputed from the published counts, beside the comparators'
    change over the same years and the share of eligible LAs with a fall at least as large."""
    rows = []
    tcodes = [str(t) for t in treated]
    for c in CLAIMS:
        m, y0, y1 = c["measure"], c["from_year"], c["to_year"]
        s = values[m] if m in values else pd.Series(dtype=float)

        def level(codes, y, s=s):
            v = [s.get((code, y), np.nan) for code in codes]
            return float(np.sum(v)) if len(v) and not np.any(np.isnan(v)) else np.nan

        first_avail = sorted({y for (code, y), v in s.items() if code in tcodes and not pd.isna(v)}) if len(s) else []
        groups = (
            [(names.get(TREATED_ID, "Treated"), tcodes)]
            + [(names.get(t, t), [t]) for t in tcodes]
            + [(names.get(NEIGHBOURS_ID), list(neighbours))]
            + [(v, [k]) for k, v in CONTEXT.items()]
        )
        pool_changes = []
        for code in pool:
            a, b = level([code], y0), level([code], y1)
            if not (np.isnan(a) or np.isnan(b) or a == 0):
                pool_changes.append((b - a) / a * 100)
        pool_changes = np.array(pool_changes)
        for label, codes in groups:
            a, b = level(codes, y0), level(codes, y1)
            ch = (b - a) / a * 100 if not (np.isnan(a) or np.isnan(b) or a == 0) else np.nan
            share = float((pool_changes <= ch).mean()) if (len(pool_changes) and not np.isnan(ch)) else np.nan
            rows.append(
                {
                    "claim": c["claim"],
                    "claimed_change_pct": c["claimed_change_pct"],
                    "measure": m,
                    "from_year": y0,
                    "to_year": y1,
                    "area": label,
                    "value_from": a,
                    "value_to": b,
                    "change_pct": ch,
                    "share_of_eligible_las_with_fall_at_least_as_large": share,
                    "n_eligible_las": len(pool_changes),
                    "note": ""
                    if not np.isnan(ch)
                    else (
                        f"not in the published files for {y0}"
                        if first_avail and first_avail[0] > y0
                        else "not available"
                    ),
                }
            )
    return pd.DataFrame(rows)


def avoided_costs(
    estimates, series, values, units, tcodes, cost_years, unit_costs, programme_cost, names
) -> pd.DataFrame:
    """Avoided cost = (counterfactual - actual children looked after) x weekly unit cost x 52, per
    method, over the cost years, for the treated unit(s): central estimate and the interval carried
    from the counterfactual: the placebo interval of each method's mean gap over the cost years (DiD,
    synthetic control and the interrupted time series against the neighbours alike; the ITS's own OLS
    interval, from a handful of autocorrelated yearly points, covered the truth in only 69% of
    placebo-in-real-data runs, see ``benchmarks/calibration.py``)."""
    unit_costs = list(unit_costs or DEFAULT_UNIT_COSTS)
    rows = []
    if "cla_at_31_march_number" not in values or "population" not in values:
        units = []  # children looked after not among the outcomes: nothing to cost
    cy = range(cost_years[0], cost_years[1] + 1)
    pop = values["population"]
    for u in units:
        codes = tcodes if u == TREATED_ID else [u]
        pops = [sum(pop.get((c, y), np.nan) for c in codes) for y in cy]
        if any(np.isnan(pops)):
            continue
        child_years_per_rate = float(np.sum(pops)) / 1e4  # one unit of rate over the cost years -> child-years
        actual = [sum(values["cla_at_31_march_number"].get((c, y), np.nan) for c in codes) for y in cy]
        own_costs = _own_unit_costs(values, codes, cost_years)
        e = estimates[(estimates.outcome == "cla_rate") & (estimates.area_code == u)]
        for method, label in (
            ("difference in differences vs neighbours, cost years", "difference in differences"),
            ("synthetic control, cost years", "synthetic control"),
            ("interrupted time series vs neighbours, cost years", "interrupted time series vs neighbours"),
        ):
            r = e[e.method == method]
            if not len(r):
                continue
            r = r.iloc[0]
            # a negative gap (fewer in care than the counterfactual) is children not in care
            cy_central = -r.estimate * child_years_per_rate
            cy_low, cy_high = -r.ci_high * child_years_per_rate, -r.ci_low * child_years_per_rate
            rows += _cost_rows(
                u,
                names,
                label,
                cy_central,
                cy_low,
                cy_high,
                float(np.nansum(actual)),
                unit_costs + own_costs,
                programme_cost,
                cost_years,
            )
    return pd.DataFrame(
        rows,
        columns=[
            "area_code",
            "area_name",
            "method",
            "cost_years",
            "actual_child_years",
            "avoided_child_years",
            "avoided_child_years_low",
            "avoided_child_years_high",
            "unit_cost_label",
            "weekly_unit_cost_gbp",
            "price_year",
            "unit_cost_source",
            "avoided_cost_gbp",
            "avoided_cost_low_gbp",
            "avoided_cost_high_gbp",
            "programme_cost_low_gbp",
            "programme_cost_high_gbp",
        ],
    )


def _own_unit_costs(values, codes, cost_years) -> list[dict]:
    """The areas' own s251 weekly unit cost per child looked after, in the first cost year with one
    (FY2015-16 is the first in the files), CLA-weighted across several areas."""
    if "s251_cla_weekly_unit_cost_gbp" not in values:
        return []
    w = values["s251_cla_weekly_unit_cost_gbp"]
    for y in range(cost_years[0], cost_years[1] + 2):
        v = [w.get((c, y), np.nan) for c in codes]
        n = [
            values["cla_at_31_march_number"].get((c, y), np.nan) if "cla_at_31_march_number" in values else 1
            for c in codes
        ]
        if not np.any(np.isnan(v)) and not np.any(np.isnan(n)):
            cost = float(np.average(v, weights=n))
            fy = f"{y - 1}-{str(y)[2:]}"
            return [
                {
                    "label": "the area's own s251 weekly unit cost",
                    "weekly_gbp": cost,
                    "price_year": f"FY{fy} (cash)",
                    "source": f"DfE s251 outturn via LAIT, weekly unit cost per child looked after, FY{fy}"
                    + (" (CLA-weighted mean of the areas)" if len(codes) > 1 else ""),
                }
            ]
    return []


def _cost_rows(u, names, method, cy_central, cy_low, cy_high, actual, unit_costs, programme_cost, cost_years):
    rows = []
    for uc in unit_costs:
        wk = float(uc["weekly_gbp"])
        rows.append(
            (
                u,
                names.get(u, u),
                method,
                f"{cost_years[0]}-{cost_years[1]}",
                actual,
                cy_central,
                cy_low,
                cy_high,
                uc["label"],
                wk,
                uc.get("price_year", ""),
                uc.get("source", ""),
                cy_central * wk * 52,
                cy_low * wk * 52,
                cy_high * wk * 52,
                float(programme_cost[0]),
                float(programme_cost[-1]),
            )
        )
    return rows


def spend_table(panel: pd.DataFrame, units, years=None) -> pd.DataFrame:
    """s251 spend per child aged 0-17 and per child looked after, treated vs neighbours vs England."""
    keep = panel[
        panel.outcome.isin(["cla_spend_per_child", "cla_spend_per_cla"])
        & panel.role.isin(["treated", "treated combined", "neighbours combined", "context"])
    ]
    if years is not None:
        keep = keep[keep.year.isin(years)]
    return keep.pivot_table(index=["outcome", "area_name"], columns="year", values="value").reset_index()
