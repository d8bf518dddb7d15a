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
    out = {"n": n, "mean_before": np.nan, "mean_after": np.nan, "mean_change": np.nan, "sd_change": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "boot_ci_low": np.nan, "boot_ci_high": np.nan,
           "d_z": np.nan, "dz_ci_low": np.nan, "dz_ci_high": np.nan, "t": np.nan, "df": np.nan, "p": np.nan}
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
    out = {"n_x": len(x), "n_y": len(y), "mean_x": np.nan, "mean_y": np.nan, "difference": np.nan,
           "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "boot_ci_low": np.nan, "boot_ci_high": np.nan}
    if len(x) == 0 or len(y) == 0:
        return out
    out.update(mean_x=float(x.mean()), mean_y=float(y.mean()), difference=float(x.mean() - y.mean()))
    if len(x) < 2 or len(y) < 2:
        return out
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = np.sqrt(vx + vy)
    if se > 0:
        df = (vx + vy) ** 2 / (vx ** 2 / (len(x) - 1) + vy ** 2 / (len(y) - 1))  # Welch-Satterthwaite
        tcrit = st.t.ppf(1 - (1 - level) / 2, df)
        out.update(ci_low=out["difference"] - tcrit * se, ci_high=out["difference"] + tcrit * se,
                   p=float(2 * st.t.sf(abs(out["difference"] / se), df)))
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        bx = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
        by = y[rng.integers(0, len(y), size=(n_boot, len(y)))].mean(axis=1)
        a = (1 - level) / 2
        out.update(boot_ci_low=float(np.quantile(bx - by, a)), boot_ci_high=float(np.quantile(bx - by, 1 - a)))
    return out


def cronbach_alpha(items: pd.DataFrame, level: float = 0.95) -> dict:
    """Cronbach's alpha of the item columns over complete rows, with its CI (Feldt, via pingouin).

    Returns n (complete rows), k (items), alpha, ci_low, ci_high.
    """
    import pingouin as pg  # imported here: pingouin is slow to import and only this needs it

    complete = items.dropna()
    if len(complete) < 3:
        return {"n": len(complete), "k": items.shape[1], "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    alpha, ci = pg.cronbach_alpha(data=complete, ci=level)
    return {"n": len(complete), "k": items.shape[1], "alpha": float(alpha), "ci_low": float(ci[0]), "ci_high": float(ci[1])}


def describe_p(p: float) -> str:
    """A p-value as the report prints it."""
    if p is None or np.isnan(p):
        return "not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
