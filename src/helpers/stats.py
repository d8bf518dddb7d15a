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

from .ingest import Field

DEFAULT_BOOTSTRAP = 2000


def resample_indices(n: int, n_boot: int, rng) -> np.ndarray:
    """The bootstrap's draws: ``n_boot`` resamples of ``n`` indices with replacement (``n_boot x n``),
    from ``rng`` (a seed or a ``numpy`` Generator, so a caller may draw several groups from one stream)."""
    return np.random.default_rng(rng).integers(0, n, size=(n_boot, n))


def cluster_weights(n: int, n_boot: int, rng) -> np.ndarray:
    """How often each of ``n`` clusters is drawn in each of ``n_boot`` resamples (``n_boot x n``, each
    row summing to ``n``), from ``rng`` (a seed or a Generator): for statistics that are sums over
    clusters, a resample is then ``weights @ per-cluster sums``."""
    rng = np.random.default_rng(rng)
    if n == 0:
        return np.zeros((n_boot, 0))
    return rng.multinomial(n, np.full(n, 1 / n), size=n_boot)


def percentile_interval(replicates, level: float = 0.95) -> tuple[float, float]:
    """The percentile interval of bootstrap replicates at ``level``.

    A resample with no spread gives an infinite or undefined ratio (e.g. d_z); it carries no
    information about the interval, so it is left out rather than stretching it to infinity.
    (nan, nan) when no replicate is left.
    """
    boots = np.asarray(replicates, dtype=float)
    boots = boots[np.isfinite(boots)]
    if len(boots) == 0:
        return (np.nan, np.nan)
    alpha = (1 - level) / 2
    return (float(np.quantile(boots, alpha)), float(np.quantile(boots, 1 - alpha)))


def bootstrap_ci(
    values,
    statistic: Callable[[np.ndarray], float] = np.mean,
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap CI of ``statistic`` over resamples of ``values`` (1-D).

    The project's one bootstrap: its draws (:func:`resample_indices`, or :func:`cluster_weights` for
    whole clusters) and its interval (:func:`percentile_interval`) are what every strand's bootstrap
    uses. Resampling is vectorised (one ``n_boot x n`` index draw) when the statistic accepts
    ``axis``. Returns (nan, nan) with fewer than two values.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return (np.nan, np.nan)
    idx = resample_indices(len(x), n_boot, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            boots = statistic(x[idx], axis=1)
        except TypeError:
            boots = np.array([statistic(x[i]) for i in idx])
    return percentile_interval(boots, level)


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


#: The results of :func:`paired_change` as every strand's change table writes them: result -> (type,
#: description). The one declaration of those columns (:func:`paired_change_fields`): ``{unit}`` is what
#: the pairs are (families, practitioners ...), ``{before}`` and ``{after}`` the two occasions.
PAIRED_CHANGE_SCHEMA: dict[str, tuple[str, str]] = {
    "n": ("integer", "Pairs ({unit}) with a value at both {before} and {after}."),
    "mean_before": ("number", "Mean at {before}."),
    "mean_after": ("number", "Mean at {after}."),
    "mean_change": ("number", "Mean of the changes ({after} minus {before})."),
    "sd_change": ("number", "Standard deviation of the changes."),
    "ci_low": ("number", "Lower end of the paired t 95% CI of the mean change ({unit} treated as independent)."),
    "ci_high": ("number", "Upper end of the paired t 95% CI of the mean change."),
    "boot_ci_low": ("number", "Lower end of the percentile bootstrap 95% CI of the mean change (resampling {unit})."),
    "boot_ci_high": ("number", "Upper end of the percentile bootstrap 95% CI of the mean change."),
    "d_z": ("number", "Cohen's d_z: mean change / SD of the changes."),
    "dz_ci_low": ("number", "Lower end of the bootstrap 95% CI of d_z."),
    "dz_ci_high": ("number", "Upper end of the bootstrap 95% CI of d_z."),
    "t": ("number", "Paired t statistic."),
    "df": ("integer", "Degrees of freedom of the paired t-test (pairs - 1)."),
    "p": ("number", "Two-sided p-value of the paired t-test ({unit} treated as independent)."),
}


def paired_change_fields(
    results, *, unit: str, before: str = "wave 1", after: str = "wave 2", names=None, notes=None
) -> tuple[Field, ...]:
    """The columns of a change table for the chosen ``results`` of :func:`paired_change`, in order,
    described from :data:`PAIRED_CHANGE_SCHEMA`. ``names`` renames a result's column where the table
    calls it otherwise (``{"mean_before": "mean_wave1"}``); ``notes`` adds a sentence to a result's
    description (``{"mean_before": "0-1 scale."}``)."""
    names, notes = names or {}, notes or {}
    fields = []
    for key in results:
        dtype, text = PAIRED_CHANGE_SCHEMA[key]
        text = text.format(unit=unit, before=before, after=after)
        fields.append(Field(names.get(key, key), dtype, f"{text} {notes[key]}" if key in notes else text))
    return tuple(fields)


def paired_change_row(result: dict, results, names=None) -> dict:
    """One row of a change table from a :func:`paired_change` result: the chosen ``results`` under the
    table's column names (``names``, as in :func:`paired_change_fields`)."""
    names = names or {}
    return {names.get(key, key): result[key] for key in results}


def paired_change_values(results, names=None) -> list[str]:
    """The columns of a change table that describe its pairs: the chosen ``results`` of
    :func:`paired_change` but their count ``n``, in order, under the table's column names (``names``, as
    in :func:`paired_change_fields`). Each says something about the pairs counted, so each is hidden
    where that count is (a table's ``dependent_columns``): a result a strand adds to its table is
    protected with the rest without a second list to keep in step."""
    names = names or {}
    return [names.get(key, key) for key in results if key != "n"]


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
        bx = x[resample_indices(len(x), n_boot, rng)].mean(axis=1)
        by = y[resample_indices(len(y), n_boot, rng)].mean(axis=1)
        out["boot_ci_low"], out["boot_ci_high"] = percentile_interval(bx - by, level)
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


def _inv_sqrt_psd(m: np.ndarray) -> np.ndarray:
    """Symmetric inverse square root of a symmetric positive semi-definite matrix (pseudo-inverse on
    eigenvalues near 0, as in Bell & McCaffrey 2002 when a cluster's leverage block is singular)."""
    w, v = np.linalg.eigh((m + m.T) / 2)
    keep = w > 1e-12 * max(float(w.max()), 1.0)
    inv = np.zeros_like(w)
    inv[keep] = 1 / np.sqrt(w[keep])
    return (v * inv) @ v.T


def cluster_robust_ols(
    y, X, clusters, level: float = 0.95, method: str = "CR1", test_column: int | None = None
) -> dict:
    """OLS of ``y`` on the design ``X`` (n x k, intercept included by the caller) with a
    cluster-robust covariance and t intervals.

    ``method``:

    - "CR1", the Liang-Zeger sandwich with the small-sample factor G/(G-1) x (n-1)/(n-k), t on G - 1 df
      (G = number of clusters);
    - "CR3", the leave-one-cluster-out jackknife, (G-1)/G x sum over clusters of
      (beta without that cluster - beta)(...)', t on G - 1 df;
    - "CR2", the bias-reduced linearisation of Bell & McCaffrey (2002): each cluster's residuals are
      multiplied by A_g = (I - H_gg)^(-1/2) (H_gg the cluster's block of the hat matrix) before the
      sandwich, which makes it unbiased when errors are independent and homoskedastic; each
      coefficient's t interval uses the Bell-McCaffrey Satterthwaite degrees of freedom (Imbens &
      Kolesar 2016, eq. 7; Pustejovsky & Tipton 2018 with a working independence model):
      df = (sum of eigenvalues of G'G)^2 / sum of their squares, where column g of the n x G matrix G is
      (I - H)_g' A_g X_g (X'X)^-1 c for the coefficient's contrast c. When the information on a
      coefficient comes from few clusters (e.g. a group compared whose practitioners are few, or
      unbalanced), these df are far fewer than G - 1, and CR1/CR3 on G - 1 df are too narrow.

    Used wherever units share a higher-level unit (families under one practitioner): the interval
    allows for units of one cluster being alike. Returns beta, se, ci_low, ci_high, p, df (arrays, one
    per column; df is G - 1 for CR1/CR3, per coefficient for CR2; with ``test_column`` set, CR2 df are
    computed for that column only and the others get G - 1), n, n_clusters; NaNs with fewer than
    3 clusters or a singular design.
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
        "df": nan.copy(),
        "n": n,
        "n_clusters": G,
        "method": method,
    }
    if G < 3 or n <= k or np.linalg.matrix_rank(X) < k:
        return out
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ X.T @ y
    resid = y - X @ beta
    df = np.full(k, float(G - 1))
    if method == "CR3":
        cov = _cr3_cov(X, y, g, G, beta)
    elif method == "CR2":
        cov = _cr2_cov(X, g, G, bread, resid, df, test_column)
    else:
        scores = np.zeros((G, k))
        np.add.at(scores, g, X * resid[:, None])
        meat = scores.T @ scores
        factor = G / (G - 1) * (n - 1) / (n - k)
        cov = factor * bread @ meat @ bread
    se = np.sqrt(np.diag(cov))
    tcrit = st.t.ppf(1 - (1 - level) / 2, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * st.t.sf(np.abs(beta / se), df)
    out.update(beta=beta, se=se, ci_low=beta - tcrit * se, ci_high=beta + tcrit * se, p=p, df=df)
    return out


def _cr3_cov(X: np.ndarray, y: np.ndarray, g: np.ndarray, G: int, beta: np.ndarray) -> np.ndarray:
    """CR3: the leave-one-cluster-out jackknife covariance, (G-1)/G x sum of (beta_(-g) - beta)(...)'."""
    k = X.shape[1]
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
    return (G - 1) / G * dev.T @ dev


def _cr2_cov(X, g, G: int, bread, resid, df: np.ndarray, test_column: int | None) -> np.ndarray:
    """CR2 (Bell & McCaffrey): the covariance; fills ``df`` with each coefficient's Bell-McCaffrey
    Satterthwaite degrees of freedom (only ``test_column``'s when it is set)."""
    n, k = X.shape
    members = [np.flatnonzero(g == j) for j in range(G)]
    scores = np.zeros((G, k))
    ax = []  # A_g X_g (bread), kept for the df
    for j, idx in enumerate(members):
        xg = X[idx]
        a = _inv_sqrt_psd(np.eye(len(idx)) - xg @ bread @ xg.T)
        scores[j] = xg.T @ (a @ resid[idx])
        ax.append(a @ xg @ bread)
    cov = bread @ (scores.T @ scores) @ bread
    cols = range(k) if test_column is None else [test_column]
    for c in cols:
        # n x G matrix: column j is (I - H)[:, idx_j] A_j X_j bread e_c = m_j - X bread X' m_j,
        # where m_j is A_j X_j bread e_c placed on cluster j's rows.
        m = np.zeros((n, G))
        for j, idx in enumerate(members):
            m[idx, j] = ax[j][:, c]
        gm = m - X @ (bread @ (X.T @ m))
        gtg = gm.T @ gm
        lam_sum, lam_sq = np.trace(gtg), float((gtg * gtg).sum())
        df[c] = lam_sum**2 / lam_sq if lam_sq > 0 else np.nan
    return cov


def cr2_gls(y, X, clusters, working_cov, column: int, level: float = 0.95) -> dict:
    """Cluster-robust CR2 inference for one coefficient of a GLS / linear mixed model fit, with the
    Satterthwaite degrees of freedom of Pustejovsky & Tipton (2018) (the method of R's clubSandwich
    ``coef_test(vcovCR(fit, type = "CR2"), test = "Satterthwaite")``).

    ``working_cov(idx) -> Phi_g``: the fitted (working) covariance of the rows ``idx`` of one cluster,
    e.g. sigma_u^2 J + sigma_e^2 I for a random intercept. With W = Phi^-1 block-diagonal,
    M = (X'WX)^-1, beta = M X'Wy, e = y - X beta; the adjustment A_g = D_g' B_g^(-1/2) D_g with D_g the
    upper Cholesky factor of Phi_g (Phi_g = D_g' D_g) and B_g = D_g (Phi_g - X_g M X_g') D_g'; covariance
    M (sum_g X_g' W_g A_g e_g e_g' A_g W_g X_g) M; df = tr(S)^2 / ||S||_F^2 with S = P' Phi P and column g
    of P equal to (I - H)_g' A_g W_g X_g M c (H = X M X'W, c the coefficient's unit vector).
    The sandwich is right whatever the within-cluster correlation (if clusters are independent) and
    nearly unbiased when the working model holds; the df, often far fewer than G - 1 when the
    coefficient rests on few clusters, keep the t interval calibrated with few or unbalanced clusters.
    With Phi_g = I it is :func:`cluster_robust_ols` with ``method="CR2"``.

    Returns beta (all coefficients), estimate, se, df, ci_low, ci_high, p (for ``column``), n_clusters.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    g = pd.factorize(pd.Series(np.asarray(clusters)).astype(str))[0]
    n, k = X.shape
    G = int(g.max() + 1) if n else 0
    members = [np.flatnonzero(g == j) for j in range(G)]
    phi = [np.asarray(working_cov(idx), dtype=float) for idx in members]
    w = [np.linalg.inv(p) for p in phi]
    wx = np.zeros_like(X)
    wy = np.zeros(n)
    for idx, wg in zip(members, w, strict=True):
        wx[idx] = wg @ X[idx]
        wy[idx] = wg @ y[idx]
    M = np.linalg.inv(X.T @ wx)
    beta = M @ (X.T @ wy)
    e = y - X @ beta
    c = np.zeros(k)
    c[column] = 1.0
    mc = M @ c
    scores = np.zeros(G)
    L = np.zeros((n, G))
    for j, (idx, pg, wg) in enumerate(zip(members, phi, w, strict=True)):
        xg = X[idx]
        d = np.linalg.cholesky(pg).T  # upper: Phi_g = D'D
        b = d @ (pg - xg @ M @ xg.T) @ d.T
        a = d.T @ _inv_sqrt_psd(b) @ d
        v = a @ (wg @ (xg @ mc))  # A_g W_g X_g M c (A_g symmetric)
        scores[j] = v @ e[idx]
        L[idx, j] = v
    var = float(scores @ scores)
    # P = (I - H)' L = L - W X M X' L
    P = L - wx @ (M @ (X.T @ L))
    phiP = np.zeros_like(P)
    for idx, pg in zip(members, phi, strict=True):
        phiP[idx] = pg @ P[idx]
    S = P.T @ phiP
    df = float(np.trace(S) ** 2 / (S * S).sum())
    se = np.sqrt(var)
    tcrit = st.t.ppf(1 - (1 - level) / 2, df)
    est = float(beta[column])
    return {
        "beta": beta,
        "estimate": est,
        "se": se,
        "df": df,
        "ci_low": est - tcrit * se,
        "ci_high": est + tcrit * se,
        "p": float(2 * st.t.sf(abs(est / se), df)) if se > 0 else np.nan,
        "n_clusters": G,
    }


def clustered_mean(values, clusters, level: float = 0.95, method: str = "CR1") -> dict:
    """Mean of ``values`` with a cluster-robust t CI (intercept-only :func:`cluster_robust_ols`;
    ``method`` "CR1" on G - 1 df, or "CR2" on Bell-McCaffrey Satterthwaite df for few or uneven clusters).

    Rows with a missing value or cluster are dropped. Returns n, n_clusters, mean, ci_low, ci_high, p, df.
    """
    t = pd.DataFrame({"v": np.asarray(values, dtype=float), "c": np.asarray(clusters, dtype=object)}).dropna()
    r = cluster_robust_ols(t["v"].to_numpy(), np.ones((len(t), 1)), t["c"].to_numpy(), level=level, method=method)
    return {
        "n": r["n"],
        "n_clusters": r["n_clusters"],
        "mean": float(t["v"].mean()) if len(t) else np.nan,
        "ci_low": float(r["ci_low"][0]),
        "ci_high": float(r["ci_high"][0]),
        "p": float(r["p"][0]),
        "df": float(r["df"][0]),
    }


def ancova_clustered(wave2, wave1, treated, clusters, level: float = 0.95) -> dict:
    """Baseline-adjusted group difference: OLS ``wave2 ~ 1 + wave1 + treated`` with practitioner
    (cluster) robust errors, CR2 with Bell-McCaffrey Satterthwaite degrees of freedom for the group term
    (Bell & McCaffrey 2002; Imbens & Kolesar 2016; Pustejovsky & Tipton 2018; see
    :func:`cluster_robust_ols`). Training is a property of the practitioner, so the group term rests on
    the practitioners of the smaller group, not on all G: in calibration CR1 on G - 1 df (92.0%
    coverage, 8.5% false positives over 200 seeds) and the leave-one-practitioner-out jackknife CR3 on
    G - 1 df (92.5%, 8.0%) were too narrow. ``treated`` is boolean (True = trained).

    Returns n, n_treated, n_control, n_clusters, difference (the ``treated`` coefficient: the wave-2
    difference between groups at the same wave-1 value), ci_low, ci_high, p and df (the
    Satterthwaite degrees of freedom used for the interval).
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
        "df": np.nan,
    }
    if out["n_treated"] < 2 or out["n_control"] < 2:
        return out
    X = np.column_stack([np.ones(len(t)), t["y1"].to_numpy(), z.astype(float)])
    r = cluster_robust_ols(t["y2"].to_numpy(), X, t["c"].to_numpy(), level=level, method="CR2", test_column=2)
    out.update(
        difference=float(r["beta"][2]),
        ci_low=float(r["ci_low"][2]),
        ci_high=float(r["ci_high"][2]),
        p=float(r["p"][2]),
        df=float(r["df"][2]),
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
