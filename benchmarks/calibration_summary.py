"""Reading the calibration's runs (see ``calibration.py``): coverage, false positives and bias per
estimator, their Monte Carlo error (Wilson intervals, exact binomial chance) and the verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from calibration_strands import Estimator

COVERAGE_TARGET = (0.93, 0.97)
FALSE_POSITIVE_MAX = 0.06


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n: the Monte Carlo uncertainty of a rate over n seeds."""
    if n == 0:
        return (np.nan, np.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - half, centre + half)


def chance_within_target(n_cover: int, n_null: int | None) -> float:
    """Probability that an exactly calibrated estimator (95% coverage, 5% false positives) lands
    within the target at these numbers of runs (exact binomial): the Monte Carlo error the PASS/FAIL
    column cannot escape. At 200 runs it is 0.86 x 0.80 = 0.68 for a row with a null."""
    from scipy.stats import binom

    misses_ok = (
        int(np.ceil((1 - COVERAGE_TARGET[1]) * n_cover - 1e-9)),
        int(np.floor((1 - COVERAGE_TARGET[0]) * n_cover + 1e-9)),
    )
    p = float(binom.cdf(misses_ok[1], n_cover, 0.05) - binom.cdf(misses_ok[0] - 1, n_cover, 0.05))
    if n_null:
        p *= float(binom.cdf(int(np.floor(FALSE_POSITIVE_MAX * n_null + 1e-9)), n_null, 0.05))
    return p


def verdict(covered: int, n_cover: int, false_pos: int | None, n_null: int | None) -> str:
    """PASS: the rates are within the target. FAIL: the Monte Carlo 95% interval of a rate lies wholly
    outside the target (the estimator is miscalibrated, not unlucky). "MC": outside the target, but
    the Monte Carlo interval still reaches it: at this number of seeds it cannot be told from an
    estimator that meets the target, and more seeds (``--first-seed``, combined with ``--from-csv``)
    settle it."""
    cover = covered / n_cover if n_cover else np.nan
    fp = false_pos / n_null if n_null else np.nan
    in_target = COVERAGE_TARGET[0] <= cover <= COVERAGE_TARGET[1] and (np.isnan(fp) or fp <= FALSE_POSITIVE_MAX)
    if in_target:
        return "PASS"
    c_lo, c_hi = wilson(covered, n_cover)
    reachable = c_hi >= COVERAGE_TARGET[0] and c_lo <= COVERAGE_TARGET[1]
    if n_null:
        reachable = reachable and wilson(false_pos, n_null)[0] <= FALSE_POSITIVE_MAX
    return "MC" if reachable else "FAIL"


def summarise(results: pd.DataFrame, estimators: list[Estimator]) -> pd.DataFrame:
    """Coverage, false-positive rate and bias per estimator from the per-run rows, with the Monte
    Carlo intervals of the rates and a verdict (:func:`verdict`)."""
    out = []
    for est in estimators:
        r = results[results["name"] == est.name]
        if r.empty:
            continue
        planted = r[r["effect"]].copy()
        null = r[~r["effect"]].copy()
        if planted["truth"].isna().all():
            planted["truth"] = planted["estimate"].mean()
            truth_note = "mean of estimates"
        else:
            truth_note = "generator"
        ok = planted.dropna(subset=["estimate", "lo", "hi", "truth"])
        covered = int(((ok["lo"] <= ok["truth"]) & (ok["truth"] <= ok["hi"])).sum())
        cover = covered / len(ok) if len(ok) else np.nan
        bias = float((ok["estimate"] - ok["truth"]).mean()) if len(ok) else np.nan
        fp, n_fp, n_null = np.nan, None, None
        if est.has_null:
            nk = null.dropna(subset=["lo", "hi"])
            n_null, n_fp = len(nk), int(((nk["lo"] > 0) | (nk["hi"] < 0)).sum())
            fp = n_fp / n_null if n_null else np.nan
        result = verdict(covered, len(ok), n_fp, n_null) if len(ok) else "FAIL"
        chance = chance_within_target(len(ok), n_null) if len(ok) else np.nan
        if est.test_only:  # the estimate is a p-value: false positive = p < 0.05 under the null; no coverage
            from scipy.stats import binom

            nk = null.dropna(subset=["estimate"])
            n_null, n_fp = len(nk), int((nk["estimate"] < 0.05).sum())
            fp = n_fp / n_null if n_null else np.nan
            cover, bias, covered = np.nan, np.nan, 0
            ok, truth_note = planted.dropna(subset=["estimate"]), "p < 0.05"
            result = (
                "FAIL"
                if not n_null
                else "PASS"
                if fp <= FALSE_POSITIVE_MAX
                else "MC"
                if wilson(n_fp, n_null)[0] <= FALSE_POSITIVE_MAX
                else "FAIL"
            )
            chance = (
                float(binom.cdf(int(np.floor(FALSE_POSITIVE_MAX * n_null + 1e-9)), n_null, 0.05)) if n_null else np.nan
            )
        out.append(
            {
                "estimate": est.name,
                "runs": len(ok),
                "coverage": cover,
                "coverage_mc": wilson(covered, len(ok)) if not est.test_only else (np.nan, np.nan),
                "false_pos": fp,
                "false_pos_mc": wilson(n_fp, n_null) if n_null else (np.nan, np.nan),
                "bias": bias,
                "mean_truth": float(ok["truth"].mean()) if len(ok) and not est.test_only else np.nan,
                "truth": truth_note,
                "chance": chance,
                "result": result + (" (naive)" if est.naive else ""),
                "naive": est.naive,
            }
        )
    return pd.DataFrame(out)


def format_table(summary: pd.DataFrame, n: int) -> str:
    mc = np.sqrt(0.95 * 0.05 / max(n, 1))
    lines = [
        f"Calibration over {n} seeds or more per row (see runs; planted and null runs each); coverage target "
        f"{COVERAGE_TARGET[0]:.0%}-{COVERAGE_TARGET[1]:.0%} (Monte Carlo SE at 95%: {mc:.1%}), "
        f"false positives <= {FALSE_POSITIVE_MAX:.0%}. In brackets: the Monte Carlo 95% interval of each rate "
        "(Wilson). Result: PASS within target; MC outside it but within Monte Carlo error of it; FAIL "
        "outside it beyond Monte Carlo error. 'Exact': the chance that an exactly calibrated estimator "
        "would be within target at these runs.",
        "",
        f"| {'estimate':<50} | runs | coverage (MC 95%) | false pos. (MC 95%) | bias | mean truth | truth from | exact | result |",
        f"|{'-' * 52}|-----:|------------------:|--------------------:|-----:|-----------:|------------|------:|--------|",
    ]
    for _, r in summary.iterrows():
        lo, hi = r["coverage_mc"]
        cov = "-" if np.isnan(r["coverage"]) else f"{r['coverage']:.1%} ({lo:.0%}-{hi:.0%})"
        if np.isnan(r["false_pos"]):
            fp = "-"
        else:
            flo, fhi = r["false_pos_mc"]
            fp = f"{r['false_pos']:.1%} ({flo:.0%}-{fhi:.0%})"
        bias = "-" if np.isnan(r["bias"]) else f"{r['bias']:+.3f}"
        mt = "-" if np.isnan(r["mean_truth"]) else f"{r['mean_truth']:.3f}"
        lines.append(
            f"| {r['estimate']:<50} | {r['runs']:>4} | {cov:>17} | {fp:>19} | {bias} | "
            f"{mt:>10} | {r['truth']:<10} | {r['chance']:>5.0%} | {r['result']:<6} |"
        )
    headline = summary[~summary["naive"]]
    res = headline["result"]
    expected = float(headline["chance"].sum())
    lines += [
        "",
        f"Headline estimates: {int((res == 'PASS').sum())} of {len(headline)} within target, "
        f"{int((res == 'MC').sum())} outside it only within Monte Carlo error, {int((res == 'FAIL').sum())} "
        f"outside it beyond Monte Carlo error. Exactly calibrated estimators would put about {expected:.1f} of "
        f"{len(headline)} within target at these runs (naive appendix-only estimators, expected to miss: "
        f"{int(summary['naive'].sum())}).",
    ]
    return "\n".join(lines)
