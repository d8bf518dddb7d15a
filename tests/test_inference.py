"""Inference that respects who is nested in whom: clustered errors, ANCOVA, Holm, Feldt, the
practitioner bootstrap of Krippendorff's alpha, its verdict rule, the within-practitioner (Mundlak)
estimate, the SCORE-15 scoring direction and prorated total. Expected values are worked out by hand
or by a second, independent implementation (statsmodels, scipy), never copied from the code."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from helpers import stats
from helpers.strands.scenarios import analysis as sc
from helpers.strands.score15 import analysis as s15

# ---------------------------------------------------------------- clustered errors


def test_clustered_mean_with_one_unit_per_cluster_is_the_one_sample_t():
    # Intercept only, every cluster a single unit: the CR1 variance is n/(n-1) x sum(e^2)/n^2 = s^2/n,
    # on n-1 df: exactly the one-sample t interval.
    x = np.array([-0.4, 0.1, -1.0, 0.3, -0.2, -0.6, 0.0, -0.3])
    r = stats.clustered_mean(x, [f"P{i}" for i in range(len(x))])
    lo, hi = st.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=x.std(ddof=1) / np.sqrt(len(x)))
    assert r["mean"] == pytest.approx(x.mean())
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    assert r["p"] == pytest.approx(st.ttest_1samp(x, 0).pvalue)


def test_clustered_mean_by_hand_with_two_units_per_cluster():
    # Clusters A (1, 3), B (2, 2), C (6, 8); mean 22/6 = 11/3. Residual sums per cluster: 4 - 22/3 = -10/3,
    # 4 - 22/3 = -10/3, 14 - 22/3 = 20/3; meat = (100 + 100 + 400)/9 = 600/9; bread = 1/6;
    # CR1 factor = 3/2 x 5/5 = 1.5; var = 1.5 x 600/9 / 36 = 100/36; se = 10/6; t(0.975, 2) = 4.302653.
    r = stats.clustered_mean([1, 3, 2, 2, 6, 8], list("AABBCC"))
    assert r["n_clusters"] == 3
    assert r["ci_low"] == pytest.approx(11 / 3 - 4.302653 * 10 / 6, abs=1e-5)
    assert r["ci_high"] == pytest.approx(11 / 3 + 4.302653 * 10 / 6, abs=1e-5)


def _ancova_data():
    rng = np.random.default_rng(5)
    n = 60
    d = pd.DataFrame({"prac": np.repeat([f"P{i}" for i in range(20)], 3), "z": np.repeat(rng.random(20) < 0.5, 3)})
    d["y1"] = rng.normal(3, 0.5, n) + np.repeat(rng.normal(0, 0.3, 20), 3)
    d["y2"] = 0.5 + 0.7 * d["y1"] - 0.3 * d["z"] + np.repeat(rng.normal(0, 0.2, 20), 3) + rng.normal(0, 0.2, n)
    return d.assign(z=d["z"].astype(float))


def test_cr1_matches_statsmodels():
    import statsmodels.formula.api as smf

    d = _ancova_data()
    X = np.column_stack([np.ones(len(d)), d["y1"], d["z"]])
    ours = stats.cluster_robust_ols(d["y2"].to_numpy(), X, d["prac"].to_numpy(), method="CR1")
    fit = smf.ols("y2 ~ y1 + z", d).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(d["prac"])[0]}, use_t=True)
    assert ours["beta"][2] == pytest.approx(fit.params["z"])
    ci = fit.conf_int().loc["z"]
    assert (ours["ci_low"][2], ours["ci_high"][2]) == pytest.approx((ci[0], ci[1]), rel=1e-6)
    assert ours["p"][2] == pytest.approx(fit.pvalues["z"], rel=1e-6)


def test_cr3_is_the_leave_one_practitioner_out_jackknife():
    # Second implementation: refit with statsmodels leaving out each practitioner in turn.
    import statsmodels.formula.api as smf

    d = _ancova_data()
    full = smf.ols("y2 ~ y1 + z", d).fit().params["z"]
    loo = np.array([smf.ols("y2 ~ y1 + z", d[d["prac"] != p]).fit().params["z"] for p in d["prac"].unique()])
    g = len(loo)
    se = np.sqrt((g - 1) / g * ((loo - full) ** 2).sum())
    tcrit = st.t.ppf(0.975, g - 1)
    X = np.column_stack([np.ones(len(d)), d["y1"], d["z"]])
    ours = stats.cluster_robust_ols(d["y2"].to_numpy(), X, d["prac"].to_numpy(), method="CR3")
    assert ours["beta"][2] == pytest.approx(full)
    assert (ours["ci_low"][2], ours["ci_high"][2]) == pytest.approx((full - tcrit * se, full + tcrit * se), rel=1e-6)
    assert ours["df"][2] == g - 1


def test_cr2_intercept_only_balanced_is_the_one_sample_t_on_cluster_means():
    # Intercept only, m units in each of G clusters: H_gg = J/n, and the vector of ones is an
    # eigenvector of I - J/n with eigenvalue 1 - 1/G, so A_g 1 = (1 - 1/G)^(-1/2) 1 and the CR2 variance is
    # (1/n^2) x G/(G-1) x sum_g m^2 (mean_g - mean)^2 = s^2(cluster means)/G: the one-sample t on the
    # cluster means, whose Bell-McCaffrey df are G - 1.
    rng = np.random.default_rng(11)
    G, m = 7, 3
    y = rng.normal(0, 1, G * m) + np.repeat(rng.normal(0, 1, G), m)
    cl = np.repeat([f"P{i}" for i in range(G)], m)
    r = stats.cluster_robust_ols(y, np.ones((G * m, 1)), cl, method="CR2")
    means = y.reshape(G, m).mean(axis=1)
    lo, hi = st.t.interval(0.95, G - 1, loc=means.mean(), scale=means.std(ddof=1) / np.sqrt(G))
    assert r["df"][0] == pytest.approx(G - 1)
    assert (r["ci_low"][0], r["ci_high"][0]) == pytest.approx((lo, hi))
    assert r["p"][0] == pytest.approx(st.ttest_1samp(means, 0).pvalue)


def test_cr2_two_groups_of_whole_clusters_by_hand():
    # y ~ 1 + z, z constant within clusters, m units per cluster, G1 treated and G0 control clusters.
    # By the argument of the test above within each group, the CR2 variance of the difference is
    # s1^2/G1 + s0^2/G0 (cluster means of each group), the unequal-variance two-sample variance; under
    # the working model (independent, equal variances) it is sigma^2 (chi2_{G1-1}/(G1 (G1-1)) +
    # chi2_{G0-1}/(G0 (G0-1))), so the Satterthwaite df are (1/G1 + 1/G0)^2 / (1/(G1^2 (G1-1)) + 1/(G0^2 (G0-1))).
    G1, G0, m = 3, 5, 2
    z = np.repeat(np.r_[np.ones(G1), np.zeros(G0)], m)
    y = np.array([1.0, 2.0, 4.0, 3.0, 0.5, 1.5, 2.0, 2.0, 1.0, 0.0, 3.0, 1.0, 2.5, 1.5, 0.0, 1.0])
    cl = np.repeat(list("ABCDEFGH"), m)
    r = stats.cluster_robust_ols(y, np.column_stack([np.ones(len(y)), z]), cl, method="CR2")
    means = y.reshape(-1, m).mean(axis=1)
    m1, m0 = means[:G1], means[G1:]
    se = np.sqrt(m1.var(ddof=1) / G1 + m0.var(ddof=1) / G0)
    df = (1 / G1 + 1 / G0) ** 2 / (1 / (G1**2 * (G1 - 1)) + 1 / (G0**2 * (G0 - 1)))
    diff = m1.mean() - m0.mean()
    assert r["beta"][1] == pytest.approx(diff)
    assert r["se"][1] == pytest.approx(se)
    assert r["df"][1] == pytest.approx(df)
    tcrit = st.t.ppf(0.975, df)
    assert (r["ci_low"][1], r["ci_high"][1]) == pytest.approx((diff - tcrit * se, diff + tcrit * se))


def _cr2_brute_force(y, X, cl, col):
    # Full n x n matrices: hat matrix, block-diagonal adjustment by scipy's matrix square root, the
    # sandwich as one product, and the df from explicit eigenvalues of G'G (Imbens & Kolesar 2016).
    from scipy.linalg import block_diag, sqrtm

    n = len(y)
    bread = np.linalg.pinv(X.T @ X)
    ident = np.eye(n)
    resid_maker = ident - X @ bread @ X.T
    labels = list(dict.fromkeys(cl))
    order = np.concatenate([np.flatnonzero(cl == c) for c in labels])
    y, X, resid_maker = y[order], X[order], resid_maker[np.ix_(order, order)]
    cl = cl[order]
    blocks = []
    for c in labels:
        i = np.flatnonzero(cl == c)
        blocks.append(np.real(np.linalg.inv(sqrtm(resid_maker[np.ix_(i, i)]))))
    A = block_diag(*blocks)
    e = resid_maker @ y
    scores = np.stack([(X[cl == c].T @ (A @ e)[cl == c]) for c in labels])
    V = bread @ scores.T @ scores @ bread
    Gm = np.column_stack(
        [resid_maker[:, cl == c] @ (A[np.ix_(cl == c, cl == c)] @ X[cl == c] @ bread[:, col]) for c in labels]
    )
    lam = np.linalg.eigvalsh(Gm.T @ Gm)
    return np.sqrt(V[col, col]), lam.sum() ** 2 / (lam**2).sum()


def test_cr2_matches_a_brute_force_matrix_implementation():
    d = _ancova_data()
    d = d.iloc[:-4]  # unbalanced: the last practitioner keeps one family, the one before it two
    X = np.column_stack([np.ones(len(d)), d["y1"], d["z"]])
    ours = stats.cluster_robust_ols(d["y2"].to_numpy(), X, d["prac"].to_numpy(), method="CR2")
    for col in range(3):
        se, df = _cr2_brute_force(d["y2"].to_numpy(), X, d["prac"].to_numpy(), col)
        assert ours["se"][col] == pytest.approx(se, rel=1e-8)
        assert ours["df"][col] == pytest.approx(df, rel=1e-8)
    # with few practitioners behind the group term its df are well below G - 1
    assert ours["df"][2] < ours["n_clusters"] - 1


def test_ancova_clustered_is_cr2_with_satterthwaite_df():
    d = _ancova_data()
    X = np.column_stack([np.ones(len(d)), d["y1"], d["z"]])
    se, df = _cr2_brute_force(d["y2"].to_numpy(), X, d["prac"].to_numpy(), 2)
    ours = stats.ancova_clustered(d["y2"], d["y1"], d["z"].astype(bool), d["prac"])
    b = ours["difference"]
    tcrit = st.t.ppf(0.975, df)
    assert ours["df"] == pytest.approx(df)
    assert (ours["ci_low"], ours["ci_high"]) == pytest.approx((b - tcrit * se, b + tcrit * se), rel=1e-8)
    assert ours["p"] == pytest.approx(2 * st.t.sf(abs(b / se), df), rel=1e-8)


def _cr2_gls_brute_force(y, X, cl, phi_blocks, col):
    # Pustejovsky & Tipton (2018) with full n x n matrices: W = Phi^-1, H = X M X'W, and
    # A_g = D_g' B_g^(-1/2) D_g with B_g = D_g [(I - H) Phi (I - H)']_gg D_g' taken from the full product
    # (not the shortcut Phi_g - X_g M X_g'); df from the eigenvalues of Phi^(1/2) P P' Phi^(1/2).
    from scipy.linalg import block_diag, sqrtm

    Phi = block_diag(*phi_blocks)
    W = np.linalg.inv(Phi)
    M = np.linalg.inv(X.T @ W @ X)
    n = len(y)
    H = X @ M @ X.T @ W
    IH = np.eye(n) - H
    e = IH @ y
    full = IH @ Phi @ IH.T
    labels = list(dict.fromkeys(cl))
    meat = np.zeros((X.shape[1], X.shape[1]))
    P = []
    for c in labels:
        i = np.flatnonzero(cl == c)
        D = np.linalg.cholesky(Phi[np.ix_(i, i)]).T
        B = D @ full[np.ix_(i, i)] @ D.T
        A = D.T @ np.real(np.linalg.inv(sqrtm(B))) @ D
        u = X[i].T @ W[np.ix_(i, i)] @ A @ e[i]
        meat += np.outer(u, u)
        P.append(IH[i].T @ A @ W[np.ix_(i, i)] @ X[i] @ M[:, col])
    V = M @ meat @ M
    P = np.column_stack(P)
    root = np.real(sqrtm(Phi))
    lam = np.linalg.eigvalsh(root @ P @ P.T @ root)
    return np.sqrt(V[col, col]), lam.sum() ** 2 / (lam**2).sum()


def test_cr2_gls_with_a_random_intercept_matches_brute_force():
    rng = np.random.default_rng(21)
    sizes = rng.integers(1, 6, 15)
    cl = np.repeat([f"P{i}" for i in range(15)], sizes)
    n = len(cl)
    z = (rng.random(n) < 0.4).astype(float)
    X = np.column_stack([np.ones(n), z, rng.normal(0, 1, n)])
    y = X @ [1.0, 0.5, -0.2] + np.repeat(rng.normal(0, 1, 15), sizes) + rng.normal(0, 1, n)
    su, se = 0.8, 1.3
    blocks = [su + se * np.eye(m) for m in sizes]
    r = stats.cr2_gls(y, X, cl, lambda idx: su + se * np.eye(len(idx)), 1)
    bf_se, bf_df = _cr2_gls_brute_force(y, X, cl, blocks, 1)
    W = np.linalg.inv(__import__("scipy.linalg", fromlist=["block_diag"]).block_diag(*blocks))
    assert r["beta"] == pytest.approx(np.linalg.solve(X.T @ W @ X, X.T @ W @ y))
    assert r["se"] == pytest.approx(bf_se, rel=1e-8)
    assert r["df"] == pytest.approx(bf_df, rel=1e-8)
    # with identity working covariance it is the OLS CR2
    ols = stats.cluster_robust_ols(y, X, cl, method="CR2")
    ident = stats.cr2_gls(y, X, cl, lambda idx: np.eye(len(idx)), 1)
    assert (ident["se"], ident["df"]) == pytest.approx((ols["se"][1], ols["df"][1]))


def test_ancova_recovers_an_exact_group_difference():
    # y2 = 1 + 0.5 y1 - 1.0 z exactly (no noise): the adjusted difference is -1 whatever the baselines.
    y1 = np.array([2.0, 3.0, 4.0, 2.5, 3.5, 1.5, 4.5, 3.0])
    z = np.array([True, False, True, False, True, False, True, False])
    y2 = 1 + 0.5 * y1 - 1.0 * z
    r = stats.ancova_clustered(y2, y1, z, list("AABBCCDD"))
    assert r["difference"] == pytest.approx(-1.0)
    assert (r["n_treated"], r["n_control"]) == (4, 4)


def test_score15_trained_difference_uses_practitioners_as_clusters():
    fam = pd.DataFrame(
        {
            "family_id": [f"F{i}" for i in range(8)],
            "total_wave1": [2.0, 3.0, 4.0, 2.5, 3.5, 1.5, 4.5, 3.0],
            "practitioner_trained": pd.array([True, False, True, False, True, False, True, False], dtype="boolean"),
        }
    )
    fam["total_wave2"] = 1 + 0.5 * fam["total_wave1"] - 1.0 * fam["practitioner_trained"].astype(float)
    fam["change"] = fam["total_wave2"] - fam["total_wave1"]
    families = pd.DataFrame(
        {
            "family_id": fam["family_id"],
            "practitioner_id": list("AABBCCDD"),
            "work_started": ["2015-01-01", "2015-06-01", "2015-03-01", "2015-08-01"] * 2,
        }
    )
    d = s15.trained_difference(fam, families=families)
    assert d["difference"] == pytest.approx(-1.0)
    assert d["n_practitioners"] == 4
    # trained families start 2015-01-01 x2 and 2015-03-01 x2: median 2015-02-... midpoint of Jan 1 and Mar 1 = Jan 30
    assert d["median_start_trained"] == "2015-01-30"
    # untrained: 2015-06-01 x2, 2015-08-01 x2 -> midpoint 2015-07-01 12:00 -> 2015-07-01
    assert d["median_start_not_trained"] == "2015-07-01"


# ---------------------------------------------------------------- multiple outcomes


def test_paired_change_values_are_the_chosen_results_but_the_count_under_the_tables_names():
    names = {"n": "n_families", "mean_before": "mean_wave1"}
    chosen = ("n", "mean_before", "mean_change", "p")
    assert stats.paired_change_values(chosen, names) == ["mean_wave1", "mean_change", "p"]
    assert stats.paired_change_values(("d_z", "n", "t")) == ["d_z", "t"]


def test_holm_by_hand_and_against_statsmodels():
    from statsmodels.stats.multitest import multipletests

    p = [0.01, 0.04, 0.03, 0.005]
    # sorted 0.005 x 4 = 0.02; 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> running max 0.06
    assert stats.holm(p) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert stats.holm(p) == pytest.approx(multipletests(p, method="holm")[1])
    out = stats.holm([0.2, np.nan, 0.01])  # a missing p does not count as a test
    assert out[0] == pytest.approx(0.2) and np.isnan(out[1]) and out[2] == pytest.approx(0.02)


# ---------------------------------------------------------------- Cronbach's alpha and Feldt


def test_cronbach_alpha_and_feldt_ci_by_hand():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 4], "c": [1, 3, 3, 4, 5]})
    # item variances 2.5, 1.7, 2.2 (sum 6.4); row sums 4, 7, 9, 13, 14 -> variance 17.3
    alpha = 3 / 2 * (1 - 6.4 / 17.3)
    r = stats.cronbach_alpha(items)
    assert r["alpha"] == pytest.approx(alpha)
    lo = 1 - (1 - alpha) * st.f.ppf(0.975, 4, 8)
    hi = 1 - (1 - alpha) * st.f.ppf(0.025, 4, 8)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi))
    # pingouin's interval is the same one rounded to 3 decimals (the reason for computing it here)
    import pingouin as pg

    _, ci = pg.cronbach_alpha(data=items)
    assert ci[0] == pytest.approx(round(lo, 3)) and ci[1] == pytest.approx(round(hi, 3))


# ---------------------------------------------------------------- Krippendorff's alpha


def test_practitioner_bootstrap_with_one_answer_each_is_bca_on_the_answer_resamples():
    # One answer per practitioner: the practitioner resamples are the answer resamples (same draws),
    # the jackknife leaves out one answer; replicates and jackknife recomputed here with the
    # krippendorff package (a second implementation of alpha), then the BCa rule.
    import krippendorff

    rng = np.random.default_rng(1)
    a = rng.integers(0, 3, 60).astype(float)
    b = np.where(rng.random(60) < 0.8, a, rng.integers(0, 3, 60)).astype(float)

    def kalpha(i):
        return krippendorff.alpha(
            reliability_data=np.vstack([a[i], b[i]]), value_domain=[0, 1, 2], level_of_measurement="ordinal"
        )

    draws = np.random.default_rng(4).integers(0, 60, size=(300, 60))
    reps = np.array([kalpha(i) for i in draws])
    jack = np.array([kalpha(np.delete(np.arange(60), j)) for j in range(60)])
    expected = sc.bca_interval(reps, kalpha(np.arange(60)), jack)
    clustered = sc.ordinal_alpha_bootstrap(a, b, [0, 1, 2], n_boot=300, seed=4, clusters=[f"P{i}" for i in range(60)])
    assert (clustered["ci_low"], clustered["ci_high"]) == pytest.approx(expected)


def test_bca_interval_agrees_with_scipy():
    # The mean of a skewed sample: scipy.stats.bootstrap(method="BCa") draws its own resamples, so
    # the two agree to Monte Carlo error only (40 000 resamples each).
    x = np.random.default_rng(8).exponential(1.0, 40)
    rng = np.random.default_rng(9)
    reps = x[rng.integers(0, len(x), size=(40000, len(x)))].mean(axis=1)
    jack = np.array([np.delete(x, j).mean() for j in range(len(x))])
    ours = sc.bca_interval(reps, x.mean(), jack)
    ref = st.bootstrap((x,), np.mean, n_resamples=40000, method="BCa", random_state=3).confidence_interval
    assert ours == pytest.approx((ref.low, ref.high), abs=0.02)
    # and it is not the percentile interval: BCa moves right for a right-skewed mean
    assert ours[1] > np.quantile(reps, 0.975)


def test_bca_interval_is_the_percentile_interval_without_bias_or_skew():
    reps = np.linspace(-1, 1, 2001)  # symmetric about the estimate 0: z0 = 0
    jack = np.array([-0.1, 0.1, -0.2, 0.2])  # symmetric: acceleration 0
    assert sc.bca_interval(reps, 0.0, jack) == pytest.approx((np.quantile(reps, 0.025), np.quantile(reps, 0.975)))


def test_practitioner_bootstrap_is_wider_when_a_practitioner_answers_alike():
    # 40 practitioners, each with 5 identical pairs of codes: really 40 independent units, not 200.
    rng = np.random.default_rng(2)
    a0 = rng.integers(0, 3, 40).astype(float)
    b0 = np.where(rng.random(40) < 0.75, a0, rng.integers(0, 3, 40)).astype(float)
    a, b, prac = np.repeat(a0, 5), np.repeat(b0, 5), np.repeat(np.arange(40), 5)
    by_answer = sc.ordinal_alpha_bootstrap(a, b, [0, 1, 2], n_boot=500, seed=1)
    by_prac = sc.ordinal_alpha_bootstrap(a, b, [0, 1, 2], n_boot=500, seed=1, clusters=prac)
    w_answer = by_answer["ci_high"] - by_answer["ci_low"]
    w_prac = by_prac["ci_high"] - by_prac["ci_low"]
    assert w_prac > 1.7 * w_answer  # about sqrt(5) = 2.2 times as wide


@pytest.mark.parametrize(
    ("alpha", "ci_low", "expected"),
    [
        (0.85, 0.81, "reliable"),
        (0.85, 0.78, "tentative"),  # point above .800 but the interval reaches below it
        (0.70, 0.60, "tentative"),
        (0.66, 0.55, "unreliable"),
        (0.85, np.nan, "reliable"),  # no interval: the point alone
        (np.nan, np.nan, "not_computed"),
    ],
)
def test_verdict_uses_the_interval(alpha, ci_low, expected):
    assert sc.verdict(alpha, ci_low=ci_low) == expected


# ---------------------------------------------------------------- within-practitioner estimate


def test_mundlak_within_estimate_is_free_of_between_practitioner_selection():
    # 30 practitioners trained throughout score 20 points higher at baseline (selection); 30 never
    # trained; 30 switch between the waves and gain 5 points when trained. The true within effect is 5;
    # the pooled estimate mixes in the 20-point difference between practitioners.
    # Noise within practitioners is large beside their spread, so the random intercept shrinks
    # little and the pooled estimate borrows from the between-practitioner contrast.
    rng = np.random.default_rng(3)
    rows = []
    for i in range(180):
        kind = ("always", "never", "switch")[i // 60]
        base = 50 + (20 if kind == "always" else 0) + rng.normal(0, 1)
        for wave in (1, 2):
            trained = kind == "always" or (kind == "switch" and wave == 2)
            for s in ("S1", "S2"):
                rows.append(
                    {
                        "practitioner_id": f"P{i}",
                        "wave": wave,
                        "scenario_id": s,
                        "role": "social_worker",
                        "borough": "Hackney",
                        "trained": trained,
                        "alignment": base + 5 * (kind == "switch" and wave == 2) + rng.normal(0, 6),
                    }
                )
    d = pd.DataFrame(rows)
    warn: list = []
    pooled = sc.fit_mixed(d, all_terms=False, warnings_out=warn).set_index("term").loc["trained"]
    within = sc.fit_mixed(d, all_terms=False, within=True, warnings_out=warn).set_index("term").loc["trained"]
    assert within["ci_low"] <= 5 <= within["ci_high"]
    assert not pooled["ci_low"] <= 5 <= pooled["ci_high"]  # pulled towards the 20-point gap
    assert pooled["estimate"] > within["estimate"]
    assert isinstance(warn, list)


def test_fit_warnings_are_recorded_not_silenced(monkeypatch):
    # Whatever the fit warns (here a convergence warning raised on purpose by a wrapper around
    # statsmodels' fit) is kept, as text, for the appendix.
    import warnings

    from statsmodels.regression.mixed_linear_model import MixedLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    original = MixedLM.fit

    def fit(self, *args, **kwargs):
        warnings.warn("planted: gradient optimization failed", ConvergenceWarning, stacklevel=2)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MixedLM, "fit", fit)
    rng = np.random.default_rng(0)
    d = pd.DataFrame(
        {
            "practitioner_id": np.repeat([f"P{i}" for i in range(6)], 4),
            "wave": np.tile([1, 1, 2, 2], 6),
            "scenario_id": "S1",
            "role": "social_worker",
            "borough": "Hackney",
            "trained": np.tile([False, True, False, True], 6),
            "alignment": 50 + 5 * np.tile([0, 1, 0, 1], 6) + np.repeat(rng.normal(0, 2, 6), 4) + rng.normal(0, 1, 24),
        }
    )
    warn: list = []
    sc.fit_mixed(d, all_terms=False, warnings_out=warn)
    assert "alignment: ConvergenceWarning: planted: gradient optimization failed" in warn


# ---------------------------------------------------------------- SCORE-15 scoring direction


#: The five items worded as strengths, read off the item wording in the published form (a higher
#: answer, "not at all", means *more* difficulty only for these when kept as answered). Typed here
#: independently of the strand's reversal list.
STRENGTH_WORDED = {
    1: "In my family we talk to each other about things which matter to us",
    3: "Each of us gets listened to in our family",
    6: "We trust each other",
    10: "When one of us is upset they get looked after within the family",
    15: "We are good at finding new ways to deal with things that are difficult",
}


def _form(answers: dict[int, float | None]) -> pd.DataFrame:
    return pd.DataFrame([{f"q{i:02d}": answers.get(i) for i in range(1, 16)}], dtype="Float64")


def test_hand_made_forms_score_in_the_published_direction():
    # A family that ticks "describes us very well" (1) on every strength and "not at all" (5) on every
    # problem statement is functioning as well as the scale can say: total 1.0 (lower = better).
    best = _form({i: (1 if i in STRENGTH_WORDED else 5) for i in range(1, 16)})
    worst = _form({i: (5 if i in STRENGTH_WORDED else 1) for i in range(1, 16)})
    assert s15.score_items(s15.scored_items(best))["total"].iloc[0] == pytest.approx(1.0)
    assert s15.score_items(s15.scored_items(worst))["total"].iloc[0] == pytest.approx(5.0)
    # "partly" (3) everywhere is the middle whatever the direction
    mid = _form({i: 3 for i in range(1, 16)})
    assert s15.score_items(s15.scored_items(mid))["total"].iloc[0] == pytest.approx(3.0)


def test_prorated_total_is_the_mean_of_answered_items_not_of_subscales():
    # Scored values (the form's answers are already in the scored direction for strengths; problem
    # items are written as 6 - scored). Strengths 1,3,6,10,15 = 1,1,1,1,1; overwhelmed 5,7,9,11,14 =
    # 5,5,5,5,5; communication 2,4,8,12,13 = 3,3,3,3 with item 2 missing.
    scored = {1: 1, 3: 1, 6: 1, 10: 1, 15: 1, 5: 5, 7: 5, 9: 5, 11: 5, 14: 5, 4: 3, 8: 3, 12: 3, 13: 3}
    answers = {i: (v if i in STRENGTH_WORDED else 6 - v) for i, v in scored.items()}
    out = s15.score_items(s15.scored_items(_form(answers))).iloc[0]
    mean_of_items = (5 * 1 + 5 * 5 + 4 * 3) / 14  # = 3.0
    mean_of_subscales = (1 + 5 + 3) / 3  # = 3.0 as well here; make the subscales unequal below
    assert out["total"] == pytest.approx(mean_of_items)
    assert bool(out["total_prorated"]) is True
    # Unequal: communication 4,4,4,4 (item 2 missing) -> items (5 + 25 + 16)/14 = 46/14 = 3.2857,
    # subscales (1 + 5 + 4)/3 = 3.3333: the code gives the first.
    scored.update({4: 4, 8: 4, 12: 4, 13: 4})
    answers = {i: (v if i in STRENGTH_WORDED else 6 - v) for i, v in scored.items()}
    out = s15.score_items(s15.scored_items(_form(answers))).iloc[0]
    assert out["total"] == pytest.approx(46 / 14)
    assert out["total"] != pytest.approx(10 / 3)
    assert mean_of_subscales == pytest.approx(3.0)
