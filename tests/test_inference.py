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


def test_ancova_clustered_is_the_leave_one_practitioner_out_jackknife():
    # Second implementation: refit with statsmodels leaving out each practitioner in turn.
    import statsmodels.formula.api as smf

    d = _ancova_data()
    full = smf.ols("y2 ~ y1 + z", d).fit().params["z"]
    loo = np.array([smf.ols("y2 ~ y1 + z", d[d["prac"] != p]).fit().params["z"] for p in d["prac"].unique()])
    g = len(loo)
    se = np.sqrt((g - 1) / g * ((loo - full) ** 2).sum())
    tcrit = st.t.ppf(0.975, g - 1)
    ours = stats.ancova_clustered(d["y2"], d["y1"], d["z"].astype(bool), d["prac"])
    assert ours["difference"] == pytest.approx(full)
    assert (ours["ci_low"], ours["ci_high"]) == pytest.approx((full - tcrit * se, full + tcrit * se), rel=1e-6)
    assert ours["n_clusters"] == 20


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


def test_practitioner_bootstrap_with_one_answer_each_is_the_answer_bootstrap():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 3, 60).astype(float)
    b = np.where(rng.random(60) < 0.8, a, rng.integers(0, 3, 60)).astype(float)
    plain = sc.ordinal_alpha_bootstrap(a, b, [0, 1, 2], n_boot=300, seed=4)
    clustered = sc.ordinal_alpha_bootstrap(a, b, [0, 1, 2], n_boot=300, seed=4, clusters=[f"P{i}" for i in range(60)])
    assert (clustered["ci_low"], clustered["ci_high"]) == pytest.approx((plain["ci_low"], plain["ci_high"]))


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
