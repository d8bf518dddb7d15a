"""The network generator's practitioner effect, and the practitioner-clustered change interval.

Expected values are worked out by hand (in the comments) or from the generator's design, never copied
from the code's output; the generated files are read here with plain pandas, not with the strand's
readers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from helpers import roster
from helpers.strands.networks import analysis, inputs
from helpers.synthetic import generate_all
from helpers.synthetic.networks import CHURN

NULL = {"informal_gain_trained": 0.0, "informal_gain_untrained": 0.0}
DOMAINS = {"household", "extended_family", "friends", "neighbours", "work_school", "community", "formal_services"}
SCORES = ["support_emotional", "support_practical", "support_informational", "criticism", "closeness"]


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key-networks-practitioner")


def _generate(raw: Path, seed: int, scale: float, sd: float) -> dict:
    truth = generate_all(
        raw,
        seed=seed,
        scale=scale,
        strands=("roster", "networks"),
        effects={"networks": {**NULL, "practitioner_sd": sd}},
    )
    return truth["strands"]["networks"]


def _informal_change(raw: Path) -> pd.DataFrame:
    """Per family with maps at both waves: wave-1 informal members, their change and the practitioner,
    read from the raw files by the documented format (rows with an unknown domain or a score outside
    1-3 are not valid members)."""
    maps = pd.read_csv(raw / "network_maps.csv")
    members = pd.read_csv(raw / "network_members.csv")
    families = pd.read_csv(raw / "families.csv")
    members = members[members["domain"].isin(DOMAINS) & members[SCORES].isin([1, 2, 3]).all(axis=1)]
    informal = members[members["domain"] != "formal_services"].groupby(["family_id", "wave"]).size()
    both = maps.groupby("family_id")["wave"].nunique().loc[lambda s: s == 2].index
    n1 = informal.reindex([(f, 1) for f in both], fill_value=0).to_numpy()
    n2 = informal.reindex([(f, 2) for f in both], fill_value=0).to_numpy()
    out = pd.DataFrame({"family_id": both, "n1": n1, "change": n2 - n1})
    return out.merge(families[["family_id", "practitioner_id"]], on="family_id")


def _pair_products(d: pd.DataFrame) -> tuple[list[float], list[float]]:
    """y_f * y_g, y = change / (CHURN x n1): over all pairs of families f != g of one practitioner, and
    (the control) over the pairs of families next to each other in family-ID order whose practitioners
    differ."""
    y = d.assign(y=d["change"] / (CHURN * d["n1"])).sort_values("family_id")
    same = []
    for _, g in y.groupby("practitioner_id"):
        v = g["y"].to_numpy()
        same += [v[i] * v[j] for i in range(len(v)) for j in range(i + 1, len(v))]
    v, p = y["y"].to_numpy(), y["practitioner_id"].to_numpy()
    different = [v[i] * v[i + 1] for i in range(len(v) - 1) if p[i] != p[i + 1]]
    return same, different


def test_truth_records_the_practitioner_effect(tmp_path):
    t = _generate(tmp_path / "a", seed=1, scale=0.5, sd=0.5)
    assert t["planted"]["practitioner_sd"] == 0.5
    assert t["planted"]["arrival_mean_clipped"] == 0  # effects >= 0: the arrival mean is never clipped
    # Switched off through ctx.effect, for a test or a run without it.
    assert _generate(tmp_path / "b", seed=1, scale=0.5, sd=0.0)["planted"]["practitioner_sd"] == 0.0
    # The default run records the default.
    truth = generate_all(tmp_path / "c", seed=1, scale=0.5, strands=("roster", "networks"))
    assert truth["strands"]["networks"]["planted"]["practitioner_sd"] > 0


@pytest.mark.slow
def test_families_of_one_practitioner_change_alike(tmp_path):
    """With no planted gain, a family's informal change has expectation CHURN x n1 x (G - 1) given its
    practitioner's factor G (arrivals Poisson with mean CHURN x n1 x G, each of the n1 wave-1 informal
    members lost with probability CHURN). So y = change / (CHURN x n1) has E[y | G] = G - 1, and for two
    families f != g of one practitioner, independent given G: E[y_f y_g] = E[(G - 1)^2] = Var(G) = SD^2.
    For families of different practitioners (independent, each of mean E[G] - 1 = 0) E[y_f y_g] = 0.
    Over 40 other seeds (100-139) of a design four times the default, the mean product was 0.274 +- 0.022
    (SE; SD 0.14 a seed) for SD^2 = 0.25 and -0.010 +- 0.012 (SD 0.075 a seed) across practitioners, so
    pooled over 8 seeds the Monte Carlo SE is about 0.05 and 0.027: the bounds are about 3 SE."""
    same, different = [], []
    for seed in range(8):
        _generate(tmp_path / f"s{seed}", seed=seed, scale=4, sd=0.5)
        a, b = _pair_products(_informal_change(tmp_path / f"s{seed}"))
        same += a
        different += b
    assert len(same) > 1000 and len(different) > 2000
    var_same, var_different = np.mean(same), np.mean(different)
    # SD^2 = 0.25 planted: recovered roughly, and families of different practitioners are not correlated.
    assert 0.1 <= var_same <= 0.42, var_same
    assert abs(var_different) <= 0.08, var_different
    assert np.sqrt(var_same) == pytest.approx(0.5, abs=0.17)


def _summary_row(raw: Path, out: Path) -> pd.Series:
    pr = roster.load_practitioners(raw, out)
    fam = roster.load_families(raw, out, pr.data)
    data = inputs.load_networks(raw, out, fam.data)
    measures = analysis.map_measures(analysis.build_graphs(data.maps, data.members, data.ties))
    s = analysis.change_summary(measures, fam.data, n_boot=200)
    return s[(s["measure"] == "n_informal") & (s["group"] == "all")].iloc[0]


@pytest.mark.slow
def test_clustered_interval_wider_than_naive_with_the_effect(tmp_path):
    """With a strong practitioner effect (SD 1: about 40% of the variance of the change between
    practitioners, families per practitioner about 1.85 at this size), the design effect is about 1.3-1.5,
    so the practitioner-clustered CI is wider than the paired t CI that treats families as independent
    (width ratio 1.15-1.23 at seeds 3-5); without the effect the two estimate the same variance (ratio
    0.96-1.02)."""
    ratios = {}
    for sd in (1.0, 0.0):
        raw, out = tmp_path / f"raw{sd}", tmp_path / f"out{sd}"
        _generate(raw, seed=3, scale=2, sd=sd)
        r = _summary_row(raw, out)
        assert r["n_practitioners"] < r["n_families"]  # some practitioners have several families
        assert r["cluster_ci_low"] < r["mean_change"] < r["cluster_ci_high"]
        ratios[sd] = (r["cluster_ci_high"] - r["cluster_ci_low"]) / (r["ci_high"] - r["ci_low"])
    assert ratios[1.0] > 1.08, ratios
    assert ratios[1.0] > ratios[0.0], ratios
    assert 0.85 < ratios[0.0] < 1.15, ratios


def test_clustered_change_interval_by_hand():
    """Seven families: f1, f2 with practitioner A; f3, f4 with B; f5, f6 with C; f7's practitioner is not
    known, so f7 is its own cluster. Changes (wave 2 - wave 1): +2, +4, 0, -1, +1, +2, +3.
    Mean 11/7. Residuals from it, summed per cluster: A 6 - 22/7 = 20/7; B -1 - 22/7 = -29/7;
    C 3 - 22/7 = -1/7; f7 3 - 11/7 = 10/7. CR1 (intercept only, G = 4 clusters):
    var = G/(G-1) x sum of squared cluster sums / n^2 = 4/3 x (400 + 841 + 1 + 100)/49 / 49,
    t on G - 1 = 3 df."""
    change = {"f1": 2, "f2": 4, "f3": 0, "f4": -1, "f5": 1, "f6": 2, "f7": 3}
    rows = []
    for i, (f, c) in enumerate(change.items()):
        for wave, v in ((1, 5.0 + i), (2, 5.0 + i + c)):
            rows.append({"family_id": f, "wave": wave, **{m: v for m in analysis.CHANGE_MEASURES}})
    measures = pd.DataFrame(rows)
    families = pd.DataFrame(
        {
            "family_id": ["f1", "f2", "f3", "f4", "f5", "f6"],
            "practitioner_id": ["A", "A", "B", "B", "C", "C"],
            "practitioner_trained": [True, False, True, False, True, False],
        }
    )
    s = analysis.change_summary(measures, families, n_boot=200)
    r = s[(s["measure"] == "n_informal") & (s["group"] == "all")].iloc[0]
    mean = 11 / 7
    se = np.sqrt(4 / 3 * (400 + 841 + 1 + 100) / 49 / 49)
    half = st.t.ppf(0.975, 3) * se
    assert r["mean_change"] == pytest.approx(mean)
    assert r["n_practitioners"] == 4
    assert r["cluster_ci_low"] == pytest.approx(mean - half)
    assert r["cluster_ci_high"] == pytest.approx(mean + half)
    assert r["cluster_p"] == pytest.approx(2 * st.t.sf(mean / se, 3))
