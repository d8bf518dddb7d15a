"""Estimators of the outcomes strand (numpy; run the same way on the treated units and on every
placebo LA or group).

Difference in differences on units (treated unit and its comparators, two-way fixed effects: with a
balanced panel the coefficient equals the treated unit's post-minus-pre change minus the
comparators' mean change, the closed form used here; the treated fits are also run with pyfixest
and must agree); event study (each year against the last pre-programme year); interrupted time
series (segmented OLS, slope-change term = years since the start x post) on a series alone or on its
gap from the comparators; synthetic control (weights >= 0 summing to 1 that best reproduce the
pre-programme outcome).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import nnls


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


def _segmented(years: np.ndarray, first_post: int) -> np.ndarray:
    """The design of the segmented regression: intercept, years from the first, post, years since the
    start x post (0 in the first post-programme year)."""
    t = (years - years[0]).astype(float)
    post = (years >= first_post).astype(float)
    since = (years - first_post).astype(float) * post
    return np.column_stack([np.ones_like(t), t, post, since])


def its(y: np.ndarray, years: np.ndarray, first_post: int, alpha: float = 0.05) -> dict:
    """Segmented regression y = b0 + b1 t + b2 post + b3 (years since start x post) by OLS.

    ``t`` counts years from the first year; ``years since start`` is 0 in the first post-programme
    year. Returns the level change (b2) and slope change (b3) with their CIs, the slope before (b1)
    and after (b1 + b3) the start, the fitted pre-trend counterfactual for every year with its CI."""
    import statsmodels.api as sm

    ok = ~np.isnan(y)
    X = _segmented(years, first_post)
    fit = sm.OLS(y[ok], X[ok]).fit()
    ci = fit.conf_int(alpha)
    Xcf = X.copy()
    Xcf[:, 2:] = 0.0
    pred = fit.get_prediction(Xcf)
    cf_ci = pred.conf_int(alpha=alpha)
    names = ["intercept", "pre_slope", "level_change", "slope_change"]
    out = {
        "params": dict(zip(names, fit.params, strict=True)),
        "ci": {n: tuple(ci[i]) for i, n in enumerate(names)},
        "p": dict(zip(names, fit.pvalues, strict=True)),
        "se": dict(zip(names, fit.bse, strict=True)),
        "n": int(ok.sum()),
        "counterfactual": pred.predicted_mean,
        "counterfactual_low": cf_ci[:, 0],
        "counterfactual_high": cf_ci[:, 1],
        "cf_model": fit,
        "Xcf": Xcf,
    }
    after = fit.t_test(np.array([[0.0, 1.0, 0.0, 1.0]]))  # the slope after the start, b1 + b3
    out["params"]["post_slope"] = float(np.squeeze(after.effect))
    out["ci"]["post_slope"] = tuple(np.asarray(after.conf_int(alpha)).ravel())
    out["p"]["post_slope"] = float(np.squeeze(after.pvalue))
    out["se"]["post_slope"] = float(np.squeeze(after.sd))
    return out


def its_cost_gap(gap: np.ndarray, years: np.ndarray, first_post: int, cost_mask: np.ndarray) -> np.ndarray:
    """Mean over the cost years of (gap - its pre-trend counterfactual), the segmented OLS of
    :func:`its` fitted to a gap series (or to each column of a years x series array): the quantity
    the ITS avoided cost is built from. Linear in the gap, so placebo gaps give its placebo
    distribution."""
    g = np.asarray(gap, dtype=float)
    X = _segmented(years, first_post)
    beta = np.linalg.lstsq(X, g, rcond=None)[0]
    cf = X[:, :2] @ beta[:2]
    return (g - cf)[cost_mask].mean(axis=0)


def pyfixest_did(okey, unit, yrs, y1, Y0, comps, fpy, numpy_estimate) -> dict:
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
        "estimate_pyfixest": _settled(fit.coef().iloc[0]),
        "estimate_numpy": numpy_estimate,
        "se_crv1": _settled(fit.se().iloc[0]),
        "ci_low_crv1": _settled(ci.iloc[0]),
        "ci_high_crv1": _settled(ci.iloc[1]),
        "n_obs": len(d),
    }


def _settled(value) -> float:
    """A pyfixest result to 10 decimal places: its last digits change from run to run with the memory
    layout of its sums (the saved check differed in the 16th digit after unrelated code edits), and a
    build must give the same bytes for the same data. 10 places keep the check's agreement with the
    closed form (to 1e-8) and are far below the 4 the report shows."""
    return round(float(value), 10)
