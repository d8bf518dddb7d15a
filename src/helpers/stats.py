"""Statistics shared by the strands: paired change with effect sizes, bootstrap intervals, alpha.

Every strand that compares two waves (SCORE-15, network maps, practice scenarios) uses
:func:`paired_change`, so the report describes change the same way everywhere: the mean change with
a t-based 95% CI, a percentile bootstrap CI, Cohen's d_z (mean change / SD of the changes, the
effect size that matches a paired test) with its own bootstrap CI, and the paired t-test.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats as st

DEFAULT_BOOTSTRAP = 2000


def bootstrap_ci(
    values,
    statistic: Callable[[np.ndarray], float] = np.mean,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap CI of ``statistic`` over resamples of ``values`` (1-D).

    Resampling is vectorised (one ``n_boot x n`` index draw) when the statistic accepts ``axis``.
    Returns (nan, nan) with fewer than two values.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), size=(n_boot, len(x)))
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            boots = statistic(x[idx], axis=1)
        except TypeError:
            boots = np.array([statistic(x[i]) for i in idx])
    # A resample with no spread gives an infinite or undefined ratio (e.g. d_z); it carries no
    # information about the interval, so it is left out rather than stretching it to infinity.
    boots = boots[np.isfinite(boots)]
    if len(boots) == 0:
        return (np.nan, np.nan)
    alpha = (1 - level) / 2
    return (float(np.quantile(boots, alpha)), float(np.quantile(boots, 1 - alpha)))


def _dz(changes, axis=None):
    changes = np.asarray(changes, dtype=float)
    sd = np.std(changes, axis=axis, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.mean(changes, axis=axis) / sd


def paired_change(before, after, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0, level: float = 0.95) -> dict:
    """Describe change from ``before`` to ``after`` (paired; pairs with a missing value dropped).

    Returns a dict: n, mean_before, mean_after, mean_change, sd_change, ci_low/ci_high (t-based),
    boot_ci_low/boot_ci_high (percentile bootstrap of the mean change), d_z with
    dz_ci_low/dz_ci_high (bootstrap), t, df, p (two-sided paired t-test).
    """
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    keep = ~(np.isnan(b) | np.isnan(a))
    b, a = b[keep], a[keep]
    d = a - b
    n = len(d)
    out = {
        "n": n,
        "mean_before": np.nan,
        "mean_after": np.nan,
        "mean_change": np.nan,
        "sd_change": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "boot_ci_low": np.nan,
        "boot_ci_high": np.nan,
        "d_z": np.nan,
        "dz_ci_low": np.nan,
        "dz_ci_high": np.nan,
        "t": np.nan,
        "df": np.nan,
        "p": np.nan,
    }
    if n == 0:
        return out
    out.update(mean_before=float(b.mean()), mean_after=float(a.mean()), mean_change=float(d.mean()))
    if n < 2:
        return out
    sd = float(d.std(ddof=1))
    se = sd / np.sqrt(n)
    tcrit = st.t.ppf(1 - (1 - level) / 2, n - 1)
    out.update(sd_change=sd, ci_low=float(d.mean() - tcrit * se), ci_high=float(d.mean() + tcrit * se), df=n - 1)
    if sd > 0:
        t = float(d.mean() / se)
        out.update(t=t, p=float(2 * st.t.sf(abs(t), n - 1)), d_z=float(d.mean() / sd))
        out["dz_ci_low"], out["dz_ci_high"] = bootstrap_ci(d, _dz, n_boot=n_boot, seed=seed + 1, level=level)
    out["boot_ci_low"], out["boot_ci_high"] = bootstrap_ci(d, np.mean, n_boot=n_boot, seed=seed, level=level)
    return out


def difference_in_means(x, y, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0, level: float = 0.95) -> dict:
    """Difference of means of two independent groups, ``mean(x) - mean(y)`` (missing values dropped).

    Used by every strand that compares change between groups (trained vs not, difference in
    differences). Returns n_x, n_y, mean_x, mean_y, difference; with two or more values in each
    group also the Welch t CI (ci_low, ci_high) and two-sided p; and, when ``n_boot`` > 0, a
    bootstrap CI resampling within each group (boot_ci_low, boot_ci_high).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    out = {
        "n_x": len(x),
        "n_y": len(y),
        "mean_x": np.nan,
        "mean_y": np.nan,
        "difference": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p": np.nan,
        "boot_ci_low": np.nan,
        "boot_ci_high": np.nan,
    }
    if len(x) == 0 or len(y) == 0:
        return out
    out.update(mean_x=float(x.mean()), mean_y=float(y.mean()), difference=float(x.mean() - y.mean()))
    if len(x) < 2 or len(y) < 2:
        return out
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = np.sqrt(vx + vy)
    if se > 0:
        df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))  # Welch-Satterthwaite
        tcrit = st.t.ppf(1 - (1 - level) / 2, df)
        out.update(
            ci_low=out["difference"] - tcrit * se,
            ci_high=out["difference"] + tcrit * se,
            p=float(2 * st.t.sf(abs(out["difference"] / se), df)),
        )
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        bx = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
        by = y[rng.integers(0, len(y), size=(n_boot, len(y)))].mean(axis=1)
        a = (1 - level) / 2
        out.update(boot_ci_low=float(np.quantile(bx - by, a)), boot_ci_high=float(np.quantile(bx - by, 1 - a)))
    return out


def cronbach_alpha(items: pd.DataFrame, level: float = 0.95) -> dict:
    """Cronbach's alpha of the item columns over complete rows, with its Feldt CI computed directly
    (:func:`feldt_ci`; pingouin's own CI is rounded to 3 decimals, so it is not used).

    alpha = k/(k-1) x (1 - sum of item variances / variance of the row sums).
    Returns n (complete rows), k (items), alpha, ci_low, ci_high.
    """
    complete = items.dropna()
    k = items.shape[1]
    if len(complete) < 3:
        return {"n": len(complete), "k": k, "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    x = complete.to_numpy(dtype=float)
    total_var = x.sum(axis=1).var(ddof=1)
    alpha = float(k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var)) if total_var > 0 else np.nan
    lo, hi = feldt_ci(alpha, len(complete), k, level)
    return {"n": len(complete), "k": k, "alpha": alpha, "ci_low": lo, "ci_high": hi}


def describe_p(p: float) -> str:
    """A p-value as the report prints it."""
    if p is None or np.isnan(p):
        return "not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# ---------------------------------------------------------------- clustered inference


def cluster_robust_ols(y, X, clusters, level: float = 0.95, method: str = "CR1") -> dict:
    """OLS of ``y`` on the design ``X`` (n x k, intercept included by the caller) with a
    cluster-robust covariance and t intervals on G - 1 degrees of freedom (G = number of clusters).

    ``method``: "CR1", the Liang-Zeger sandwich with the small-sample factor G/(G-1) x (n-1)/(n-k);
    or "CR3", the leave-one-cluster-out jackknife, (G-1)/G x sum over clusters of
    (beta without that cluster - beta)(...)': larger when a few clusters carry much of the
    information (e.g. a group compared whose practitioners are few), where CR1 is too narrow.

    Used wherever units share a higher-level unit (families under one practitioner): the interval
    allows for units of one cluster being alike. Returns beta, se, ci_low, ci_high, p (arrays, one per
    column), n, n_clusters; NaNs with fewer than 3 clusters or a singular design.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    g = pd.factorize(pd.Series(np.asarray(clusters)).astype(str))[0]
    n, k = X.shape
    G = int(g.max() + 1) if n else 0
    nan = np.full(k, np.nan)
    out = {
        "beta": nan.copy(),
        "se": nan.copy(),
        "ci_low": nan.copy(),
        "ci_high": nan.copy(),
        "p": nan.copy(),
        "n": n,
        "n_clusters": G,
    }
    if G < 3 or n <= k or np.linalg.matrix_rank(X) < k:
        return out
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ X.T @ y
    resid = y - X @ beta
    if method == "CR3":
        xtx_g = np.zeros((G, k, k))
        np.add.at(xtx_g, g, X[:, :, None] * X[:, None, :])
        xty_g = np.zeros((G, k))
        np.add.at(xty_g, g, X * y[:, None])
        xtx, xty = X.T @ X, X.T @ y
        loo = np.full((G, k), np.nan)
        for j in range(G):
            m = xtx - xtx_g[j]
            if np.linalg.matrix_rank(m) == k:
                loo[j] = np.linalg.solve(m, xty - xty_g[j])
        dev = loo[~np.isnan(loo).any(axis=1)] - beta
        cov = (G - 1) / G * dev.T @ dev
    else:
        scores = np.zeros((G, k))
        np.add.at(scores, g, X * resid[:, None])
        meat = scores.T @ scores
        factor = G / (G - 1) * (n - 1) / (n - k)
        cov = factor * bread @ meat @ bread
    se = np.sqrt(np.diag(cov))
    tcrit = st.t.ppf(1 - (1 - level) / 2, G - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * st.t.sf(np.abs(beta / se), G - 1)
    out.update(beta=beta, se=se, ci_low=beta - tcrit * se, ci_high=beta + tcrit * se, p=p)
    return out


def clustered_mean(values, clusters, level: float = 0.95) -> dict:
    """Mean of ``values`` with a cluster-robust t CI (intercept-only :func:`cluster_robust_ols`).

    Rows with a missing value or cluster are dropped. Returns n, n_clusters, mean, ci_low, ci_high, p.
    """
    t = pd.DataFrame({"v": np.asarray(values, dtype=float), "c": np.asarray(clusters, dtype=object)}).dropna()
    r = cluster_robust_ols(t["v"].to_numpy(), np.ones((len(t), 1)), t["c"].to_numpy(), level=level)
    return {
        "n": r["n"],
        "n_clusters": r["n_clusters"],
        "mean": float(t["v"].mean()) if len(t) else np.nan,
        "ci_low": float(r["ci_low"][0]),
        "ci_high": float(r["ci_high"][0]),
        "p": float(r["p"][0]),
    }


def ancova_clustered(wave2, wave1, treated, clusters, level: float = 0.95) -> dict:
    """Baseline-adjusted group difference: OLS ``wave2 ~ 1 + wave1 + treated`` with practitioner
    (cluster) robust errors, the leave-one-practitioner-out jackknife (CR3, :func:`cluster_robust_ols`):
    training is a property of the practitioner, so the group term rests on the practitioners of the
    smaller group and CR1 was too narrow in calibration (92% coverage over 200 seeds).
    ``treated`` is boolean (True = trained).

    Returns n, n_treated, n_control, n_clusters, difference (the ``treated`` coefficient: the wave-2
    difference between groups at the same wave-1 value), ci_low, ci_high, p.
    """
    t = pd.DataFrame(
        {
            "y2": np.asarray(wave2, dtype=float),
            "y1": np.asarray(wave1, dtype=float),
            "z": pd.Series(np.asarray(treated, dtype=object)).astype("boolean"),
            "c": np.asarray(clusters, dtype=object),
        }
    ).dropna()
    z = t["z"].astype(bool).to_numpy()
    out = {
        "n": len(t),
        "n_treated": int(z.sum()),
        "n_control": int((~z).sum()),
        "n_clusters": int(t["c"].nunique()),
        "difference": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "p": np.nan,
    }
    if out["n_treated"] < 2 or out["n_control"] < 2:
        return out
    X = np.column_stack([np.ones(len(t)), t["y1"].to_numpy(), z.astype(float)])
    r = cluster_robust_ols(t["y2"].to_numpy(), X, t["c"].to_numpy(), level=level, method="CR3")
    out.update(
        difference=float(r["beta"][2]), ci_low=float(r["ci_low"][2]), ci_high=float(r["ci_high"][2]), p=float(r["p"][2])
    )
    return out


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error rate; valid under any dependence).

    Missing p-values stay missing and do not count towards the number of tests.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adj
    return out


def feldt_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) CI of Cronbach's alpha from n complete rows and k items:
    1 - (1 - alpha) x F_{1-a/2}(n-1, (n-1)(k-1)) .. 1 - (1 - alpha) x F_{a/2}(n-1, (n-1)(k-1))."""
    if n < 3 or k < 2 or np.isnan(alpha):
        return (np.nan, np.nan)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    a = (1 - level) / 2
    return (float(1 - (1 - alpha) * st.f.ppf(1 - a, df1, df2)), float(1 - (1 - alpha) * st.f.ppf(a, df1, df2)))
