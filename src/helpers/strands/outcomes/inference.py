"""Inference of the outcomes strand: placebo in space over every eligible LA, and groups of LAs for
the treated areas combined.

A single treated LA is compared with every placebo LA; the treated LAs combined with *groups* of the
same size (:func:`group_placebos`: seeded random sets drawn from the placebo LAs and the treated LAs
together, each combined by summed counts and compared with its members' neighbours; Cavallo,
Galiani, Noy and Pantano 2013, "Catastrophic natural disasters and economic growth", REStat 95(5);
Abadie 2021, JEL 59(2)), since a combination of several LAs varies less than one LA. Placebo
interval of a single LA = estimate minus the placebo estimates' order statistics that leave
(1 - level)/2 in each tail (test inversion under an additive effect with no placebo exposed; blank
with at most 2/(1 - level) - 1 placebos). The combined unit's DiD and cost-year gaps, linear in the
rates, get a randomisation interval by test inversion (:func:`randomisation_interval`; Imbens and
Rubin 2015, ch. 5; Firpo and Possebom 2018): each hypothesised effect is removed from the treated
LAs' post-programme rates wherever they appear; its synthetic-control and event-study bands use the
groups without a treated member. Placebo p-values are two-sided with equal tails, on the same terms
as the intervals (:func:`randomisation_p`; Phipson and Smyth 2010 for random draws), so p < 0.05
exactly when the 95% interval excludes 0; the synthetic-control p ranks the post/pre RMSPE ratio
(one-sided).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import estimators as est


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


def rank_side(estimate: float, exposure: float, reference: np.ndarray, reference_exposure: np.ndarray) -> str:
    """The side :func:`randomisation_p` ranks an estimate on: "low" when as few reference values are at
    least as low as it as are at least as high (its rank counts those at least as low), else "high";
    "" without an estimate or a reference. Said so that "12 of 147 LAs fell as much or more" is only
    written of an estimate ranked on the low side."""
    e, c = _usable(reference, reference_exposure)
    if np.isnan(estimate) or not len(e):
        return ""
    high, low = _as_far_out(estimate, exposure, e, c, np.array([0.0]))
    if high[0] != low[0]:
        return "high" if high[0] < low[0] else "low"
    return "low" if estimate <= 0 else "high"


@dataclass
class Groups:
    """Placebo groups (:func:`group_placebos`): years x groups arrays and each group's members."""

    rate: np.ndarray  # the group's combined series: summed numerators over summed denominators
    comparator: np.ndarray  # its neighbours combined the same way
    sets: list  # member indices (into the codes) of each group
    exposure: np.ndarray  # how the gap (rate - comparator) moves if every treated LA's rate rises by 1
    own_exposure: np.ndarray  # how the group's own rate moves: its treated members' share of children


def group_placebos(
    Num: np.ndarray,
    Den: np.ndarray,
    codes: list,
    candidates: list,
    neighbours_of: dict,
    k: int,
    scale: float,
    draws: int,
    seed: int = 2014,
    treated=(),
) -> Groups:
    """Reference groups for a combined treated unit of ``k`` LAs (placebo in space with groups of the
    treated group's size; Cavallo, Galiani, Noy and Pantano 2013, Abadie 2021): ``draws`` random sets
    of ``k`` distinct LAs from ``candidates`` (seeded), each combined as the treated areas are (summed
    numerators over summed denominators x ``scale``) and compared with the union of its members'
    neighbours (members left out) combined the same way. ``Num``, ``Den``: years x ``codes`` arrays of
    numerators and denominators.

    For randomisation inference the candidates include the ``treated`` LAs themselves: a group is
    then any set of ``k`` LAs the programme could have gone to, drawn exactly as the treated group
    is assumed to have been (leaving the treated LAs out made the reference distribution lack the
    treated areas' own variability: with an LA whose series moves unusually, placebo-in-real-data
    runs gave 7-8% false positives). ``exposure`` says how each group's gap would move if every
    treated LA's rate rose by 1 in a year: the treated members' share of the group's denominator,
    less the treated LAs' share of its comparators' denominator (0 for a group that neither contains
    nor is compared with a treated LA; 1 for the treated group). Groups with no comparator are left out."""
    col = {c: i for i, c in enumerate(codes)}
    cand = np.array([col[c] for c in candidates])
    if len(cand) < k or draws < 1:
        empty = np.empty((len(Num), 0))
        return Groups(empty, empty, [], empty, empty)
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
    A, B = A[ok], B[ok]
    own = (Den @ (A * is_treated).T) / (Den @ A.T)
    return Groups(
        rate=(Num @ A.T) / (Den @ A.T) * scale,
        comparator=(Num @ B.T) / (Den @ B.T) * scale,
        sets=[s for s, o in zip(sets, ok, strict=True) if o],
        exposure=own - (Den @ (B * is_treated).T) / (Den @ B.T),
        own_exposure=own,
    )


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
        "its_cost": lambda G: est.its_cost_gap(G, years, first_post, cost_mask),
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
    synthetic: bool = True,
) -> dict:
    """The reference distribution of every statistic of the combined treated unit (years x areas
    frames over ``years``; ``complete``: the eligible LAs with a complete series, ``candidates``
    those that are placebo LAs). Groups are drawn by :func:`group_placebos` from the candidates
    and the treated LAs, compared with their members' neighbours among ``complete`` and the treated.

    The linear statistics (:func:`gap_statistics`, and the change of the group's own rate, ``change``)
    and the pre-programme trend are taken over every group, with each group's exposure to the treated
    LAs' post-programme rates (``exposure``; the treated group's own in ``exposure_treated``), for
    :func:`randomisation_interval`. The event-study band and the synthetic-control statistics (left
    out with ``synthetic=False``) are taken over the groups with no treated member, since neither is
    linear in the rates and a treated member would carry the effect into them."""
    codes = list(complete) + [t for t in treated if t not in set(complete)]
    pre = years < first_post
    post = ~pre
    g = group_placebos(
        num[codes].to_numpy(dtype=float),
        den[codes].to_numpy(dtype=float),
        codes,
        list(candidates) + list(treated),
        neighbours_of,
        len(treated),
        scale,
        draws,
        treated=treated,
    )
    gap = g.rate - g.comparator
    stats = gap_statistics(years, first_post, cost_mask)
    out = {name: f(gap) for name, f in stats.items()}
    out["exposure"] = {name: f(g.exposure * post[:, None]) for name, f in stats.items()}
    out["exposure_treated"] = {name: float(f(post.astype(float)[:, None])[0]) for name, f in stats.items()}
    out["change"] = stats["did"](g.rate)
    out["exposure"]["change"] = stats["did"](g.own_exposure * post[:, None])
    out["exposure_treated"]["change"] = 1.0
    out["pre_slope"] = (
        np.polyfit(years[pre].astype(float), gap[pre], 1)[0] if pre.sum() >= 2 else np.full(gap.shape[1], np.nan)
    )
    n_complete = len(complete)
    clean = [i for i, idx in enumerate(g.sets) if idx.max() < n_complete]  # no treated member
    out["event"] = (gap[:, clean] - gap[reference_index, clean]).T
    if synthetic:
        pool = rates[complete].to_numpy(dtype=float)
        scs = [est.synth_fit(g.rate[:, i], np.delete(pool, g.sets[i], axis=1), pre, post) for i in clean]
        out["sc_ratio"] = np.array([z["ratio"] for z in scs])
        out["sc_effect"] = np.array([z["effect"] for z in scs])
        out["sc_cost"] = np.array([float(z["gap"][cost_mask].mean()) for z in scs])
    return out


def detectable_change(reference, level: float) -> tuple[float, float]:
    """What an estimate had to pass to stand out from a placebo distribution at ``level`` (two-sided,
    the rule of :func:`randomisation_p` with no effect): an estimate below the first returned value,
    or above the second, has p < 1 - level. With n placebos sorted, an estimate x is unusual on the
    low side when 2 x (1 + number of placebos <= x) / (n + 1) < 1 - level, i.e. when at most m placebos
    are at or below it, m the largest whole number below (1 - level) (n + 1) / 2 - 1: so when x lies
    below the (m + 1)-th lowest placebo. (nan, nan) when there are too few placebos to stand out at all
    (:func:`placebos_bound_interval`)."""
    e = np.sort(np.asarray(reference, dtype=float)[~np.isnan(np.asarray(reference, dtype=float))])
    n = len(e)
    if not placebos_bound_interval(n, level):
        return float("nan"), float("nan")
    m = math.ceil((1 - level) * (n + 1) / 2 - 1 - 1e-12) - 1
    return float(e[m]), float(e[n - 1 - m])


def placebo_inference(level: float, stat: str, estimate: float, reference: dict) -> dict:
    """A statistic's interval at ``level``, p-value and rank against its placebo distribution
    ``reference[stat]``, by :func:`randomisation_interval` and :func:`randomisation_p`. For the
    combined unit's statistics that are linear in the rates, ``reference`` carries every group's
    exposure to the treated LAs (:func:`group_reference`); otherwise (a single LA against the
    placebo LAs, or a statistic that is not linear in the rates, over groups with no treated
    member) no placebo is exposed and the interval is the estimate minus the placebo order
    statistics. Returns ``ci_low``, ``ci_high``, ``p_value``, ``rank`` and ``rank_side``."""
    values = np.asarray(reference[stat], dtype=float)
    exposed = reference.get("exposure", {})
    if stat in exposed:
        own, others = reference["exposure_treated"][stat], exposed[stat]
    else:
        own, others = 1.0, np.zeros(len(values))
    low, high = randomisation_interval(estimate, own, values, others, level)
    rank, p = randomisation_p(estimate, own, values, others)
    side = rank_side(estimate, own, values, others)
    return {"ci_low": low, "ci_high": high, "p_value": p, "rank": rank, "rank_side": side}


#: Means of every set of k LAs while there are at most this many sets, else of this many random sets.
MEAN_OF_K_MAX_EXACT, MEAN_OF_K_DRAWS = 2_000_000, 200_000


def mean_of_k_distribution(
    values: np.ndarray, k: int, max_exact: int = MEAN_OF_K_MAX_EXACT, seed: int = 2014, draws: int = MEAN_OF_K_DRAWS
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
