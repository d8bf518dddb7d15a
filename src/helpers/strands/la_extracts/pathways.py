"""Children's pathways after referral: cohorts referred before and after the programme start,
followed for 12 months (re-referral, child protection plan, entry to care), with Wilson intervals,
Newcombe differences, the Mantel-Haenszel difference over LAs together and Kaplan-Meier curves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .indicators import periods_of_care

PATHWAY_OUTCOMES = {
    "rereferred_12m": "re-referred within 12 months",
    "cpp_12m": "child protection plan within 12 months",
    "care_12m": "started to be looked after within 12 months",
}


def _first_on_or_after(cohort: pd.DataFrame, events: pd.DataFrame, date_col: str, name: str) -> pd.Series:
    """Date of each cohort row's first event (same LA and child) on or after its referral date."""
    if events is None or events.empty:
        return pd.Series(pd.NaT, index=cohort.index)
    ev = events[["la_code", "child", date_col]].dropna().rename(columns={date_col: name})
    # One string dtype for the keys on both sides (the readers may hand over object or str columns).
    ev = ev.assign(la_code=ev["la_code"].astype(str), child=ev["child"].astype(str)).sort_values(name)
    left = (
        cohort[["la_code", "child", "date"]]
        .assign(la_code=cohort["la_code"].astype(str), child=cohort["child"].astype(str), _i=cohort.index)
        .sort_values("date")
    )
    m = pd.merge_asof(left, ev, left_on="date", right_on=name, by=["la_code", "child"], direction="forward")
    return m.set_index("_i")[name].reindex(cohort.index)


def referral_cohorts(
    ref: pd.DataFrame, cpp: pd.DataFrame | None, eps: pd.DataFrame | None, programme_start, first_year: int, data_end
) -> pd.DataFrame:
    """One row per child and period: the child's first referral before / after ``programme_start``
    (referrals from 1 April of ``first_year - 1``; only those with 12 months of follow-up inside the
    data, i.e. referral date + 12 months <= ``data_end``), with the three outcomes within 12 months
    and the days to each (for time-to-event curves; censored at 12 months).

    Outcomes: the child's next referral (re-referral), a child protection plan starting, or a
    non-short-break period of care starting (RNE = S), on or after the referral date and no more
    than 12 calendar months later. A plan or care start on the referral date itself counts."""
    start = pd.Timestamp(programme_start)
    data_end = pd.Timestamp(data_end)
    r = ref.rename(columns={"LAchildID": "child", "CINreferralDate": "date"}).copy()
    r["la_code"] = r["la_code"].astype(str)
    r = r.sort_values(["la_code", "child", "date"])
    same = (r["la_code"] == r["la_code"].shift(-1)) & (r["child"] == r["child"].shift(-1))
    r["next_referral"] = r["date"].shift(-1).where(same)
    r = r[(r["date"] >= pd.Timestamp(first_year - 1, 4, 1)) & (r["date"] + pd.DateOffset(months=12) <= data_end)]
    r["period"] = np.where(r["date"] < start, "before", "after")
    cohort = r.drop_duplicates(["la_code", "child", "period"], keep="first").reset_index(drop=True)
    horizon = cohort["date"] + pd.DateOffset(months=12)
    cpp_ev = None if cpp is None else cpp.rename(columns={"LAchildID": "child"})
    care_ev = None
    if eps is not None and len(eps):
        per = periods_of_care(eps)
        care_ev = per[per["starts_new"] & ~per["short_break_only"]].rename(columns={"CHILD": "child"})
    events = {
        "rereferred_12m": cohort["next_referral"],
        "cpp_12m": _first_on_or_after(cohort, cpp_ev, "CPPstartDate", "ev"),
        "care_12m": _first_on_or_after(cohort, care_ev, "start", "ev"),
    }
    for k, when in events.items():
        when = pd.to_datetime(when)
        hit = when.notna() & (when <= horizon)
        cohort[k] = hit
        cohort[f"days_{k}"] = np.where(hit, (when - cohort["date"]).dt.days, (horizon - cohort["date"]).dt.days)
    return cohort[["la_code", "child", "period", "date", *PATHWAY_OUTCOMES, *(f"days_{k}" for k in PATHWAY_OUTCOMES)]]


def wilson(k, n, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k of n (as proportions). At k = 0 or k = n the bound at the
    estimate is the estimate itself (statsmodels can return it a rounding error past it)."""
    from statsmodels.stats.proportion import proportion_confint

    if n == 0:
        return (np.nan, np.nan)
    lo, hi = proportion_confint(int(k), int(n), alpha=1 - level, method="wilson")
    p = int(k) / int(n)
    return min(float(lo), p), max(float(hi), p)


def pathway_rates(cohort: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Rates (%) with Wilson CIs by LA, period and outcome, and the after - before difference
    (percentage points, Newcombe CI). Children are independent units (one row per child and period)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    rows = []
    for (la, period), g in cohort.groupby(["la_code", "period"]):
        for k in PATHWAY_OUTCOMES:
            n, x = len(g), int(g[k].sum())
            lo, hi = wilson(x, n, level)
            rows.append(
                {
                    "la_code": la,
                    "period": period,
                    "outcome": k,
                    "children": n,
                    "events": x,
                    "pct": 100 * x / n if n else np.nan,
                    "ci_low": 100 * lo,
                    "ci_high": 100 * hi,
                }
            )
    rates = pd.DataFrame(
        rows, columns=["la_code", "period", "outcome", "children", "events", "pct", "ci_low", "ci_high"]
    )
    diffs = []
    for (la, k), g in rates.groupby(["la_code", "outcome"]):
        g = g.set_index("period")
        if {"before", "after"} <= set(g.index):
            a, b = g.loc["after"], g.loc["before"]
            lo, hi = confint_proportions_2indep(
                a["events"],
                a["children"],
                b["events"],
                b["children"],
                method="newcomb",
                compare="diff",
                alpha=1 - level,
            )
            diffs.append(
                {
                    "la_code": la,
                    "outcome": k,
                    "children_before": int(b["children"]),
                    "children_after": int(a["children"]),
                    "pct_before": b["pct"],
                    "pct_after": a["pct"],
                    "diff_pp": a["pct"] - b["pct"],
                    "diff_low": 100 * lo,
                    "diff_high": 100 * hi,
                }
            )
    cols = ["la_code", "outcome", "children_before", "children_after", "pct_before", "pct_after", "diff_pp"]
    return rates, pd.DataFrame(diffs, columns=[*cols, "diff_low", "diff_high"])


def combined_difference(rates: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The after - before difference (percentage points) of each outcome over all LAs together,
    stratified by LA: the Mantel-Haenszel risk difference (weights n_after x n_before / (n_after +
    n_before) per LA) with the Greenland-Robins large-strata variance sum(w^2 var_i) / sum(w)^2,
    var_i = p_a (1 - p_a) / n_a + p_b (1 - p_b) / n_b, and a Wald interval (Greenland and Robins 1985,
    Biometrics 41:55-68; Rothman, Greenland and Lash, Modern Epidemiology, ch. 15). One estimate for
    the boroughs together, so the headline is one test rather than one per borough (three 95%
    intervals would exclude no change in at least one borough about 7% of the time with no effect).
    ``rates`` is the first table :func:`pathway_rates` returns."""
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    rows = []
    for k, g in rates.groupby("outcome"):
        piv = g.pivot_table(index="la_code", columns="period", values=["events", "children"], aggfunc="sum")
        if not {"before", "after"} <= set(piv.columns.get_level_values(1)):
            continue
        piv = piv.dropna()
        na, nb = piv[("children", "after")].to_numpy(float), piv[("children", "before")].to_numpy(float)
        ok = (na > 0) & (nb > 0)
        na, nb = na[ok], nb[ok]
        pa = piv[("events", "after")].to_numpy(float)[ok] / na
        pb = piv[("events", "before")].to_numpy(float)[ok] / nb
        w = na * nb / (na + nb)
        if not len(w):
            continue
        rd = float(np.sum(w * (pa - pb)) / w.sum())
        se = float(np.sqrt(np.sum(w**2 * (pa * (1 - pa) / na + pb * (1 - pb) / nb))) / w.sum())
        rows.append(
            {
                "outcome": k,
                "las": int(len(w)),
                "children_before": int(nb.sum()),
                "children_after": int(na.sum()),
                "diff_pp": 100 * rd,
                "diff_low": 100 * (rd - z * se),
                "diff_high": 100 * (rd + z * se),
            }
        )
    return pd.DataFrame(
        rows, columns=["outcome", "las", "children_before", "children_after", "diff_pp", "diff_low", "diff_high"]
    )


def kaplan_meier(durations, events, z: float = 1.959963984540054) -> pd.DataFrame:
    """Kaplan-Meier survival with Greenwood's variance and the log(-log) ("exponential Greenwood")
    95% interval, at time 0 and at every distinct observed time.

    ``events`` is 1 where the event happened at ``durations`` and 0 where the child was censored
    then. Written here rather than taken from lifelines, whose releases require pandas < 3 (the
    project pins pandas 3); the test checks it against a hand-worked example, and it gives the same
    numbers as lifelines' ``KaplanMeierFitter`` (checked once in the validators' environment).
    Returns columns ``time``, ``at_risk``, ``events``, ``survival``, ``ci_low``, ``ci_high``.
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=int)
    times = np.unique(np.concatenate([[0.0], t]))
    at_risk = np.array([(t >= u).sum() for u in times])
    d = np.array([((t == u) & (e == 1)).sum() for u in times])
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(np.where(at_risk > 0, 1 - d / at_risk, 1.0))
        greenwood = np.cumsum(np.where(at_risk - d > 0, d / (at_risk * (at_risk - d)), 0.0))
        log_s = np.log(survival)
        v = greenwood / log_s**2
        centre = np.log(-log_s)
        low = np.exp(-np.exp(centre + z * np.sqrt(v)))
        high = np.exp(-np.exp(centre - z * np.sqrt(v)))
    # Before any event (S = 1) the interval is the point; after S reaches 0 it is 0.
    low = np.where(survival >= 1, 1.0, np.where(survival <= 0, 0.0, low))
    high = np.where(survival >= 1, 1.0, np.where(survival <= 0, 0.0, high))
    return pd.DataFrame(
        {"time": times, "at_risk": at_risk, "events": d, "survival": survival, "ci_low": low, "ci_high": high}
    )


def km_cumulative_incidence(cohort: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Kaplan-Meier cumulative incidence (1 - S(t), %) of ``outcome`` over the 12 months after
    referral, by LA and period (:func:`kaplan_meier`; censoring at 12 months only, so it equals the
    crude proportion at day 365 up to the 12-month calendar rule): la_code, period, day, pct,
    ci_low, ci_high."""
    frames = []
    for (la, period), g in cohort.groupby(["la_code", "period"]):
        if len(g) == 0:
            continue
        km = kaplan_meier(g[f"days_{outcome}"], g[outcome].astype(int))
        frames.append(
            pd.DataFrame(
                {
                    "la_code": la,
                    "period": period,
                    "day": km["time"].values,
                    "pct": 100 * (1 - km["survival"].values),
                    "ci_low": 100 * (1 - km["ci_high"].values),
                    "ci_high": 100 * (1 - km["ci_low"].values),
                    "children": len(g),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
