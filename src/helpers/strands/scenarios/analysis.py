"""Practice scenarios analysis: reliability, resolution, alignment scores, models and change.

Pure functions of DataFrames (no plotting, no prose). Also declares the processed tables the analysis
writes (:data:`OUTPUTS`).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from scipy import stats as st

from helpers import redaction, roster, stats
from helpers.ingest import Field, OutputTable

from .inputs import CODERS, FRAME, OUTCOMES, ROLE_LABELS, ROLLOUT_GROUPS, STRAND, check_codes


def coding_frame_table(frame: dict | None = None) -> pd.DataFrame:
    """The frame as a long table: one row per outcome and level, with definition and anchor."""
    frame = frame or FRAME
    rows = [
        {
            "outcome": o["code"],
            "label": o["label"],
            "definition": o["definition"],
            "level": lv,
            "level_label": frame["scale"][lv],
            "anchor": text,
        }
        for o in frame["outcomes"]
        for lv, text in o["anchors"].items()
    ]
    return pd.DataFrame(rows, columns=CODING_FRAME.column_names)


CODING_FRAME = OutputTable(
    key="scenarios_coding_frame",
    filename="scenarios/coding_frame.csv",
    strand=STRAND,
    description="The coding frame as printed in the report: one row per learning outcome and level.",
    fields=(
        Field("outcome", "category", "Learning outcome code."),
        Field("label", "string", "Learning outcome name."),
        Field("definition", "string", "What the outcome means."),
        Field("level", "integer", "Level on the ordinal scale (0-2)."),
        Field("level_label", "string", "absent, partly present or clearly present."),
        Field("anchor", "string", "Written anchor: what an answer at this level looks like."),
    ),
)
RELIABILITY = OutputTable(
    key="scenarios_reliability",
    filename="scenarios/reliability.csv",
    strand=STRAND,
    description="Inter-rater reliability of coders A and B for each learning outcome, with the benchmark verdict.",
    fields=(
        Field("outcome", "category", "Learning outcome code."),
        Field("label", "string", "Learning outcome name."),
        Field("n_answers", "integer", "Answers coded by both A and B for this outcome (the units compared)."),
        Field("pct_agreement", "number", "% of those answers where A and B gave the same level."),
        Field("kappa_quadratic", "number", "Cohen's kappa with quadratic weights (statsmodels)."),
        Field("alpha", "number", "Krippendorff's alpha, ordinal metric (krippendorff package)."),
        Field(
            "alpha_ci_low",
            "number",
            "Lower end of the 95% BCa bootstrap CI of alpha (practitioners resampled, with all their answers; "
            "acceleration from the leave-one-practitioner-out jackknife).",
        ),
        Field("alpha_ci_high", "number", "Upper end of that CI."),
        Field(
            "verdict",
            "category",
            "reliable (lower end of the 95% CI >= .800), tentative (alpha >= .667, not reliable) or unreliable "
            "(alpha < .667).",
        ),
    ),
)
RESOLVED = OutputTable(
    key="scenarios_resolved_codes",
    filename="scenarios/resolved_codes.csv",
    strand=STRAND,
    description="One row per answer and learning outcome: each coder's level and the resolved code.",
    fields=(
        Field("answer_id", "string", "Answer reference."),
        Field("outcome", "category", "Learning outcome code."),
        Field("level_a", "number", "Coder A's level; blank if not coded or rejected at ingest."),
        Field("level_b", "number", "Coder B's level; blank if not coded or rejected at ingest."),
        Field("level_c", "number", "Third coder's level; blank if C did not code it."),
        Field(
            "resolved",
            "number",
            "Resolved level (0-2; 0.5 and 1.5 possible under the mean rule); blank if no coder coded it.",
        ),
        Field("rule", "category", "third_coder, mean, single_coder or missing (the frame's resolution rules)."),
    ),
)
ANSWER_SCORES = OutputTable(
    key="scenarios_answer_scores",
    filename="scenarios/answer_scores.csv",
    strand=STRAND,
    description="One row per answer of a practitioner on the roster in scope: training status and alignment score.",
    fields=(
        Field("answer_id", "string", "Answer reference."),
        Field("practitioner_id", "string", "Practitioner pseudonym (joins practitioners)."),
        Field("borough", "category", "Practitioner's borough."),
        Field("role", "category", "Practitioner's role."),
        Field("contract", "category", "permanent or agency."),
        Field("scenario_id", "string", "Scenario answered."),
        Field("wave", "integer", "1 or 2."),
        Field("answer_date", "date", "Date of the answer."),
        Field("trained", "boolean", "Training completed on or before the answer date."),
        Field("n_outcomes_coded", "integer", "Learning outcomes with a resolved code."),
        Field(
            "alignment",
            "number",
            "Alignment score 0-100: mean of (resolved level / 2 x 100) over coded outcomes; blank if fewer than min_outcomes_coded.",
        ),
        Field(
            "alignment_reliable",
            "number",
            "The same, over the outcomes rated reliable only (alpha >= .800); blank if none.",
        ),
    ),
)
PRACTITIONER_WAVES = OutputTable(
    key="scenarios_practitioner_waves",
    filename="scenarios/practitioner_waves.csv",
    strand=STRAND,
    description="One row per practitioner and wave: mean alignment over their scored answers.",
    fields=(
        Field("practitioner_id", "string", "Practitioner pseudonym."),
        Field("borough", "category", "Borough."),
        Field("role", "category", "Role."),
        Field("wave", "integer", "1 or 2."),
        Field("trained", "category", "yes (all the wave's answers after training), no, or mixed."),
        Field("n_answers", "integer", "Scored answers in the wave."),
        Field("alignment", "number", "Mean alignment score (0-100)."),
    ),
)
CLEARLY_PRESENT = OutputTable(
    key="scenarios_clearly_present",
    filename="scenarios/clearly_present.csv",
    strand=STRAND,
    description="Share of answers with a learning outcome resolved as clearly present (level 2), by outcome, wave and training status.",
    fields=(
        Field("outcome", "category", "Learning outcome code."),
        Field("wave", "integer", "1 or 2."),
        Field("trained", "category", "trained or not_yet_trained at the answer date."),
        Field("n_answers", "integer", "Answers with a resolved code for the outcome."),
        Field(
            "n_clearly_present",
            "integer",
            "Of which resolved level is 2 (both coders, or the third coder, said clearly present).",
        ),
        Field("pct_clearly_present", "number", "n_clearly_present as a % of n_answers."),
    ),
)
GROUPS = OutputTable(
    key="scenarios_groups",
    filename="scenarios/groups.csv",
    strand=STRAND,
    description="Mean alignment per practitioner-wave by training status, role and borough, per wave.",
    fields=(
        Field("dimension", "category", "training, role or borough."),
        Field("group", "string", "The group."),
        Field("wave", "integer", "1 or 2."),
        Field("n_practitioners", "integer", "Practitioners with a score in the wave."),
        Field("n_answers", "integer", "Their scored answers."),
        Field("mean_alignment", "number", "Mean of the practitioners' alignment (0-100)."),
        Field("sd_alignment", "number", "Standard deviation across practitioners."),
    ),
)
MODEL = OutputTable(
    key="scenarios_model",
    filename="scenarios/model.csv",
    strand=STRAND,
    description=(
        "Linear mixed models (statsmodels MixedLM, REML; practitioner random intercept) of alignment (0-100): the "
        "overall model's fixed effects, and the training effect in one model per learning outcome."
    ),
    fields=(
        Field(
            "model",
            "category",
            "overall (pooled within and between practitioners), overall_within (Mundlak: the training term is the "
            "within-practitioner estimate, the practitioner's share of trained answers held fixed), "
            "overall_reliable_outcomes, or an outcome code.",
        ),
        Field(
            "term",
            "string",
            "Fixed-effect term (trained, wave 2, scenario, role, borough; each against its reference).",
        ),
        Field("label", "string", "The term in words."),
        Field("estimate", "number", "Coefficient: difference in points on the 0-100 scale."),
        Field(
            "ci_low",
            "number",
            "Lower end of the 95% CI: cluster-robust CR2 (practitioners) with Satterthwaite df (Pustejovsky & Tipton 2018).",
        ),
        Field("ci_high", "number", "Upper end of that CI."),
        Field("p", "number", "p-value of the CR2 t test (Satterthwaite df)."),
        Field(
            "p_holm",
            "number",
            "For the training term of the eight per-outcome models: the p-value adjusted by Holm's method over the "
            "eight (family-wise error rate); blank for other rows.",
        ),
        Field(
            "effect_size",
            "number",
            "estimate / SD of alignment within cells (sqrt of random-intercept variance + residual variance).",
        ),
        Field("n_answers", "integer", "Answers in the model."),
        Field("n_practitioners", "integer", "Practitioners in the model."),
    ),
)
CHANGE = OutputTable(
    key="scenarios_change",
    filename="scenarios/change.csv",
    strand=STRAND,
    description=(
        "Change in alignment between waves per practitioner (both waves scored), by rollout group, and the "
        "difference in differences (trained between waves minus not trained by wave 2)."
    ),
    fields=(
        Field(
            "group",
            "category",
            "trained_between_waves, not_trained_by_wave2, trained_before_wave1, or difference_in_differences.",
        ),
        Field("n_practitioners", "integer", "Practitioners in the group (for the DiD: both groups)."),
        Field("mean_wave1", "number", "Mean alignment at wave 1."),
        Field("mean_wave2", "number", "Mean alignment at wave 2."),
        Field(
            "mean_change",
            "number",
            "Mean change (wave 2 - wave 1); for the DiD, the difference between the two groups' mean changes.",
        ),
        Field("ci_low", "number", "Lower end of the t-based 95% CI (Welch for the DiD)."),
        Field("ci_high", "number", "Upper end of that CI."),
        Field(
            "boot_ci_low",
            "number",
            "Lower end of the percentile bootstrap 95% CI (practitioners resampled within groups).",
        ),
        Field("boot_ci_high", "number", "Upper end of that CI."),
        Field("d_z", "number", "Cohen's d_z of the change (blank for the DiD)."),
        Field("p", "number", "Paired t-test p (Welch t-test for the DiD)."),
    ),
)
OUTPUTS = (
    CODING_FRAME,
    RELIABILITY,
    RESOLVED,
    ANSWER_SCORES,
    PRACTITIONER_WAVES,
    CLEARLY_PRESENT,
    GROUPS,
    MODEL,
    CHANGE,
)


# ---------------------------------------------------------------- reliability


def percent_agreement(a, b) -> float:
    """% of units where both codes are present and equal, among units with both present."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = ~(np.isnan(a) | np.isnan(b))
    return float(100 * np.mean(a[both] == b[both])) if both.any() else np.nan


def weighted_kappa(a, b, levels=None, weights: str = "quadratic") -> float:
    """Cohen's kappa with ``weights`` ('quadratic', 'linear' or None) over units with both codes
    (statsmodels ``cohens_kappa`` on the full levels x levels table)."""
    from statsmodels.stats.inter_rater import cohens_kappa

    levels = list(levels if levels is not None else FRAME["scale"])
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = ~(np.isnan(a) | np.isnan(b))
    if both.sum() < 2:
        return np.nan
    index = {float(v): i for i, v in enumerate(levels)}
    table = np.zeros((len(levels), len(levels)))
    for x, y in zip(a[both], b[both], strict=True):
        table[index[x], index[y]] += 1
    rows, cols = table.sum(1), table.sum(0)
    if (rows > 0).sum() < 2 and (cols > 0).sum() < 2:
        return np.nan  # one category only: kappa undefined
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(cohens_kappa(table, wt=weights).kappa) if weights else float(cohens_kappa(table).kappa)


def krippendorff_alpha(a, b, levels=None) -> float:
    """Krippendorff's alpha, ordinal metric, two coders (the ``krippendorff`` package)."""
    import krippendorff

    levels = list(levels if levels is not None else FRAME["scale"])
    data = np.vstack([np.asarray(a, dtype=float), np.asarray(b, dtype=float)])
    pairable = ~np.isnan(data).any(axis=0)
    if pairable.sum() < 2 or len(np.unique(data[:, pairable])) < 2:
        return np.nan
    return float(krippendorff.alpha(reliability_data=data, value_domain=levels, level_of_measurement="ordinal"))


def _ordinal_alpha_from_pair_counts(counts: np.ndarray) -> np.ndarray:
    """Ordinal alpha from counts of (A level, B level) pairs; ``counts`` is (..., K, K).

    Coincidences o = counts + counts^T (each pairable unit of two coders contributes both orders with
    weight 1/(m-1) = 1); n_c the marginals; ordinal distance
    delta^2(c, k) = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2; alpha = 1 - (n - 1) sum o delta^2 / sum n_c n_k delta^2.
    """
    o = counts + np.swapaxes(counts, -1, -2)
    n_c = o.sum(axis=-1)
    n = n_c.sum(axis=-1)
    k = o.shape[-1]
    cum = np.cumsum(n_c, axis=-1)
    delta = np.zeros(o.shape)
    for c in range(k):
        for e in range(c + 1, k):
            between = cum[..., e] - (cum[..., c - 1] if c > 0 else 0)
            d2 = (between - (n_c[..., c] + n_c[..., e]) / 2) ** 2
            delta[..., c, e] = d2
            delta[..., e, c] = d2
    d_o = (o * delta).sum(axis=(-1, -2))
    d_e = (n_c[..., :, None] * n_c[..., None, :] * delta).sum(axis=(-1, -2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(d_e > 0, 1 - (n - 1) * d_o / d_e, np.nan)


def bca_interval(boot, estimate: float, jackknife, level: float = 0.95) -> tuple[float, float]:
    """BCa bootstrap interval (Efron 1987; Efron & Tibshirani 1993, eq. 14.9-14.15) from bootstrap
    replicates ``boot``, the full-sample ``estimate`` and leave-one-cluster-out ``jackknife`` values.

    z0 = Phi^-1(share of replicates below the estimate, ties counted half); acceleration
    a = sum (mean - jack_i)^3 / (6 (sum (mean - jack_i)^2)^(3/2)); the interval is the replicates'
    quantiles at Phi(z0 + (z0 + z)/(1 - a (z0 + z))) for z = Phi^-1 of (1-level)/2 and (1+level)/2.
    With a = 0 and z0 = 0 it is the percentile interval. (nan, nan) with no replicates.
    """
    boot = np.asarray(boot, dtype=float)
    boot = boot[np.isfinite(boot)]
    if len(boot) == 0 or not np.isfinite(estimate):
        return (np.nan, np.nan)
    share = (np.sum(boot < estimate) + 0.5 * np.sum(boot == estimate)) / len(boot)
    share = min(max(share, 0.5 / len(boot)), 1 - 0.5 / len(boot))
    z0 = st.norm.ppf(share)
    jack = np.asarray(jackknife, dtype=float)
    jack = jack[np.isfinite(jack)]
    dev = jack.mean() - jack if len(jack) > 1 else np.zeros(1)
    denom = 6 * (dev**2).sum() ** 1.5
    a = float((dev**3).sum() / denom) if denom > 0 else 0.0
    z = st.norm.ppf([(1 - level) / 2, (1 + level) / 2])
    q = st.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
    return (float(np.quantile(boot, q[0])), float(np.quantile(boot, q[1])))


def ordinal_alpha_bootstrap(
    a, b, levels=None, n_boot: int = 1000, seed: int = 0, level: float = 0.95, clusters=None
) -> dict:
    """Ordinal Krippendorff's alpha of two coders from the coincidence matrix, with a bootstrap CI
    (vectorised over resamples).

    With ``clusters`` (the practitioner of each answer) whole practitioners are resampled, each with
    all of their answers: one practitioner's answers are alike, so resampling answers one by one gives
    an interval that is too narrow. The interval is then the BCa (bias-corrected and accelerated)
    bootstrap interval (Efron 1987; Efron & Tibshirani 1993, ch. 14), with the acceleration from the
    leave-one-practitioner-out jackknife (:func:`bca_interval`): alpha is a bounded ratio whose
    sampling distribution is skewed, and the plain percentile interval covered 92.5% over 200 seeds for
    one outcome. Without ``clusters``, pairable units are resampled one by one (percentile interval).
    Returns alpha (the point estimate of this implementation), ci_low, ci_high and n (pairable units).
    """
    levels = list(levels if levels is not None else FRAME["scale"])
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = ~(np.isnan(a) | np.isnan(b))
    k = len(levels)
    index = {float(v): i for i, v in enumerate(levels)}
    types = np.array([index[x] * k + index[y] for x, y in zip(a[both], b[both], strict=True)], dtype=int)
    n = len(types)
    out = {"n": n, "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    if n < 2:
        return out
    counts = np.bincount(types, minlength=k * k).reshape(k, k).astype(float)
    out["alpha"] = float(_ordinal_alpha_from_pair_counts(counts))
    if n_boot > 0 and clusters is not None:
        # per-cluster pair counts (G x k*k); a resample is the sum over the drawn clusters
        cl = pd.factorize(pd.Series(np.asarray(clusters, dtype=object)[both]).astype(str))[0]
        n_cl = int(cl.max()) + 1
        per = np.bincount(cl * k * k + types, minlength=n_cl * k * k).reshape(n_cl, k * k).astype(float)
        rng = np.random.default_rng(seed)
        weights = np.zeros((n_boot, n_cl))
        draws = rng.integers(0, n_cl, size=(n_boot, n_cl))
        np.add.at(weights, (np.arange(n_boot)[:, None], draws), 1.0)
        boot = (weights @ per).reshape(n_boot, k, k)
        alphas = _ordinal_alpha_from_pair_counts(boot)
        alphas = alphas[~np.isnan(alphas)]
        # leave-one-practitioner-out alphas, for the BCa acceleration
        jack = _ordinal_alpha_from_pair_counts((counts.ravel()[None, :] - per).reshape(n_cl, k, k))
        out["ci_low"], out["ci_high"] = bca_interval(alphas, out["alpha"], jack[~np.isnan(jack)], level)
    elif n_boot > 0:
        rng = np.random.default_rng(seed)
        draws = types[rng.integers(0, n, size=(n_boot, n))]
        flat = (np.arange(n_boot)[:, None] * k * k + draws).ravel()
        boot = np.bincount(flat, minlength=n_boot * k * k).reshape(n_boot, k, k).astype(float)
        alphas = _ordinal_alpha_from_pair_counts(boot)
        alphas = alphas[~np.isnan(alphas)]
        if len(alphas):
            tail = (1 - level) / 2
            out["ci_low"], out["ci_high"] = float(np.quantile(alphas, tail)), float(np.quantile(alphas, 1 - tail))
    return out


def verdict(alpha: float, frame: dict | None = None, ci_low: float | None = None) -> str:
    """The benchmark verdict for an alpha, using its interval as well as the point (Krippendorff's
    benchmarks .800 and .667):

    - reliable: the lower end of the 95% CI is at least .800 (the data rule out alpha below it);
      when no interval was computed (``ci_low`` missing), the point is used;
    - tentative: not reliable, and the point is at least .667;
    - unreliable: the point is below .667 (or not_computed when alpha is missing).
    """
    bench = (frame or FRAME)["benchmark"]
    if alpha is None or np.isnan(alpha):
        return "not_computed"
    lower = alpha if ci_low is None or np.isnan(ci_low) else ci_low
    if alpha >= bench["reliable"] and lower >= bench["reliable"]:
        return "reliable"
    return "tentative" if alpha >= bench["tentative"] else "unreliable"


def coder_table(codes: pd.DataFrame) -> pd.DataFrame:
    """Long codes -> one row per answer and outcome with ``level_a``, ``level_b``, ``level_c`` (float)."""
    c = codes.dropna(subset=["answer_id", "coder", "outcome"]).copy()
    c["level"] = pd.to_numeric(c["level"], errors="coerce").astype(float)
    wide = c.pivot_table(index=["answer_id", "outcome"], columns="coder", values="level", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=list(CODERS))
    wide.columns = [f"level_{x.lower()}" for x in wide.columns]
    return wide.reset_index()


def reliability_table(
    codes: pd.DataFrame, frame: dict | None = None, n_boot: int = 1000, seed: int = 2014, answers=None
) -> pd.DataFrame:
    """Reliability of coders A and B for every outcome of the frame (see :data:`RELIABILITY`).

    With ``answers`` (answer_id, practitioner_id) the CI resamples practitioners with all their
    answers; answers of an unknown practitioner count as their own cluster."""
    frame = frame or FRAME
    wide = coder_table(codes)
    if answers is not None:
        owner = answers.drop_duplicates("answer_id").set_index("answer_id")["practitioner_id"]
        wide["cluster"] = wide["answer_id"].map(owner).astype(object)
        wide["cluster"] = wide["cluster"].where(wide["cluster"].notna(), wide["answer_id"])
    else:
        wide["cluster"] = wide["answer_id"]
    levels = list(frame["scale"])
    rows = []
    for i, o in enumerate(frame["outcomes"]):
        sub = wide[wide["outcome"] == o["code"]]
        a, b = sub["level_a"].to_numpy(float), sub["level_b"].to_numpy(float)
        boot = ordinal_alpha_bootstrap(a, b, levels, n_boot=n_boot, seed=seed + i, clusters=sub["cluster"].to_numpy())
        alpha = krippendorff_alpha(a, b, levels)
        rows.append(
            {
                "outcome": o["code"],
                "label": o["label"],
                "n_answers": boot["n"],
                "pct_agreement": percent_agreement(a, b),
                "kappa_quadratic": weighted_kappa(a, b, levels),
                "alpha": alpha,
                "alpha_ci_low": boot["ci_low"],
                "alpha_ci_high": boot["ci_high"],
                "verdict": verdict(alpha, frame, boot["ci_low"]),
            }
        )
    return pd.DataFrame(rows, columns=RELIABILITY.column_names)


# ---------------------------------------------------------------- resolution and scoring


def resolve_codes(codes: pd.DataFrame, frame: dict | None = None) -> pd.DataFrame:
    """One resolved code per answer and outcome, by the frame's rules (see :data:`RESOLVED`).

    C's code where given; else the mean of A and B where both coded; else the one code given; else
    missing. Levels are checked against the frame's scale first (:func:`check_codes`).
    """
    frame = frame or FRAME
    check_codes(codes["level"], frame, where="scenario codes")
    w = coder_table(codes)
    has_a, has_b, has_c = w["level_a"].notna(), w["level_b"].notna(), w["level_c"].notna()
    w["resolved"] = np.where(
        has_c,
        w["level_c"],
        np.where(has_a & has_b, (w["level_a"] + w["level_b"]) / 2, w["level_a"].fillna(w["level_b"])),
    )
    w["rule"] = np.select([has_c, has_a & has_b, has_a | has_b], ["third_coder", "mean", "single_coder"], "missing")
    order = {code: i for i, code in enumerate(OUTCOMES)}
    w = w.sort_values(["answer_id", "outcome"], key=lambda s: s.map(order) if s.name == "outcome" else s, kind="stable")
    return w.reset_index(drop=True)[RESOLVED.column_names]


def outcome_scores(resolved: pd.DataFrame, frame: dict | None = None) -> pd.DataFrame:
    """answer_id x outcome table of 0-100 scores (resolved level / max level x 100; NaN = not coded)."""
    frame = frame or FRAME
    top = max(frame["scale"])
    wide = resolved.pivot_table(index="answer_id", columns="outcome", values="resolved", aggfunc="first", dropna=False)
    wide = wide.reindex(columns=[o["code"] for o in frame["outcomes"]])
    return 100 * wide.astype(float) / top


def alignment(outcome_table: pd.DataFrame, min_outcomes: int, outcomes=None) -> pd.DataFrame:
    """Alignment per answer from :func:`outcome_scores`: ``n_outcomes_coded`` and ``alignment`` (mean
    of the coded outcomes' scores, blank with fewer than ``min_outcomes`` coded)."""
    t = outcome_table if outcomes is None else outcome_table[list(outcomes)]
    n = t.notna().sum(axis=1)
    return pd.DataFrame({"n_outcomes_coded": n.astype(int), "alignment": t.mean(axis=1).where(n >= min_outcomes)})


def answer_scores(
    answers: pd.DataFrame,
    resolved: pd.DataFrame,
    practitioners: pd.DataFrame,
    reliable_outcomes=(),
    frame: dict | None = None,
) -> pd.DataFrame:
    """One row per answer whose practitioner is in ``practitioners`` (see :data:`ANSWER_SCORES`)."""
    frame = frame or FRAME
    prac = practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")
    a = answers[answers["practitioner_id"].isin(prac.index)].copy()
    for col in ("borough", "role", "contract"):
        a[col] = a["practitioner_id"].map(prac[col])
    a["trained"] = roster.trained_by(practitioners, a["practitioner_id"], a["answer_date"]).to_numpy()
    table = outcome_scores(resolved[resolved["answer_id"].isin(a["answer_id"])], frame)
    al = alignment(table, frame["min_outcomes_coded"])
    a = a.join(al, on="answer_id")
    a["n_outcomes_coded"] = a["n_outcomes_coded"].fillna(0).astype(int)
    reliable = [o for o in reliable_outcomes if o in table.columns]
    if reliable:
        rel = alignment(table, 1, reliable)["alignment"]
        a["alignment_reliable"] = a["answer_id"].map(rel)
    else:
        a["alignment_reliable"] = np.nan
    a = a.sort_values(["wave", "answer_date", "answer_id"], kind="stable").reset_index(drop=True)
    return a[ANSWER_SCORES.column_names]


def practitioner_waves(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean alignment per practitioner and wave over scored answers (see :data:`PRACTITIONER_WAVES`)."""
    s = scores[scores["alignment"].notna()]
    g = s.groupby(["practitioner_id", "wave"], sort=True)
    out = pd.DataFrame(
        {
            "borough": g["borough"].first(),
            "role": g["role"].first(),
            "trained": g["trained"].agg(lambda t: "yes" if t.all() else ("no" if not t.any() else "mixed")),
            "n_answers": g.size(),
            "alignment": g["alignment"].mean(),
        }
    ).reset_index()
    return out[PRACTITIONER_WAVES.column_names]


def clearly_present_table(resolved: pd.DataFrame, scores: pd.DataFrame, frame: dict | None = None) -> pd.DataFrame:
    """Share of answers with each outcome resolved at the top level, by outcome, wave and training."""
    frame = frame or FRAME
    top = max(frame["scale"])
    r = resolved[resolved["resolved"].notna()].merge(scores[["answer_id", "wave", "trained"]], on="answer_id")
    r["trained"] = np.where(r["trained"], "trained", "not_yet_trained")
    r["clear"] = r["resolved"] >= top
    rows = []
    for o in OUTCOMES:
        for wave in sorted(scores["wave"].dropna().unique()):
            for t in ("not_yet_trained", "trained"):
                sub = r[(r["outcome"] == o) & (r["wave"] == wave) & (r["trained"] == t)]
                n, k = len(sub), int(sub["clear"].sum())
                rows.append(
                    {
                        "outcome": o,
                        "wave": int(wave),
                        "trained": t,
                        "n_answers": n,
                        "n_clearly_present": k,
                        "pct_clearly_present": 100 * k / n if n else np.nan,
                    }
                )
    return pd.DataFrame(rows, columns=CLEARLY_PRESENT.column_names)


def group_table(pw: pd.DataFrame) -> pd.DataFrame:
    """Mean alignment of practitioner-waves by training status, role and borough, per wave."""
    t = pw.assign(training=pw["trained"].map({"yes": "trained", "no": "not_yet_trained", "mixed": "mixed"}))
    rows = []
    for dim, col in (("training", "training"), ("role", "role"), ("borough", "borough")):
        for (group, wave), sub in t.groupby([col, "wave"], sort=True):
            rows.append(
                {
                    "dimension": dim,
                    "group": group,
                    "wave": int(wave),
                    "n_practitioners": len(sub),
                    "n_answers": int(sub["n_answers"].sum()),
                    "mean_alignment": sub["alignment"].mean(),
                    "sd_alignment": sub["alignment"].std(ddof=1) if len(sub) > 1 else np.nan,
                }
            )
    return pd.DataFrame(rows, columns=GROUPS.column_names)


# ---------------------------------------------------------------- models


def _term_label(term: str) -> str:
    if term == "trained":
        return "Trained at the answer date (vs not yet trained)"
    m = re.match(r"C\((\w+)(?:, Treatment\('?([^)']*)'?\))?\)\[T\.(.+)\]", term)
    if not m:
        return term
    var, ref, level = m.group(1), m.group(2), m.group(3)
    if var == "wave":
        return f"Wave {level} (vs wave 1)"
    if var == "role":
        return f"Role: {ROLE_LABELS.get(level, level)} (vs {ROLE_LABELS.get(ref, ref).lower()})"
    if var == "scenario_id":
        return f"Scenario {level} (vs {ref})"
    if var == "borough":
        return f"Borough: {level} (vs {ref})"
    return term


def fit_mixed(
    data: pd.DataFrame,
    response: str = "alignment",
    all_terms: bool = True,
    within: bool = False,
    warnings_out: list | None = None,
) -> pd.DataFrame:
    """Fit ``response ~ trained + wave + scenario + role + borough`` with a practitioner random intercept.

    Terms with a single level in ``data`` are left out (e.g. borough when one borough is selected).
    With ``within`` the practitioner's mean of ``trained`` is added (Mundlak), so the ``trained``
    coefficient is the within-practitioner estimate: the change in one practitioner's answers when
    trained, free of differences between practitioners who were and were not trained.
    Returns one row per fixed effect (all, or only ``trained`` when ``all_terms`` is false) with the
    columns of :data:`MODEL` except ``model``. REML point estimates; 95% CIs and p-values cluster-robust
    (CR2 with practitioners as clusters, on the fit's random-intercept working covariance) with
    Satterthwaite degrees of freedom (Pustejovsky & Tipton 2018, :func:`helpers.stats.cr2_gls`): the
    training term rests on the practitioners whose status differs or changes, not on all of them, and
    model-based Wald intervals gave 6.5% (pooled) and 7.0% (within) false positives over 200 seeds.
    Empty if the model cannot be fitted.
    Warnings raised by the fit (convergence, boundary) are not silenced: they are recorded, as text,
    in ``warnings_out`` when a list is given (for the appendix).
    """
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    d = data[data[response].notna()].copy()
    d["trained"] = d["trained"].astype(int)
    d[response] = d[response].astype(float)
    d["wave"] = d["wave"].astype(int)
    for c in ("scenario_id", "role", "borough", "practitioner_id"):
        d[c] = d[c].astype(str)
    cols = [c for c in MODEL.column_names if c != "model"]
    if len(d) < 10 or d["trained"].nunique() < 2 or d["practitioner_id"].nunique() < 3:
        return pd.DataFrame(columns=cols)
    terms = ["trained"]
    if d["wave"].nunique() > 1:
        terms.append("C(wave)")
    if d["scenario_id"].nunique() > 1:
        terms.append(f"C(scenario_id, Treatment('{sorted(d['scenario_id'].unique())[0]}'))")
    if d["role"].nunique() > 1:
        ref = "social_worker" if "social_worker" in set(d["role"]) else sorted(d["role"].unique())[0]
        terms.append(f"C(role, Treatment('{ref}'))")
    if d["borough"].nunique() > 1:
        terms.append(f"C(borough, Treatment('{sorted(d['borough'].unique())[0]}'))")
    if within:
        d["trained_practitioner_mean"] = d.groupby("practitioner_id")["trained"].transform("mean")
        if d["trained_practitioner_mean"].between(0, 1, inclusive="neither").sum() == 0:
            return pd.DataFrame(columns=cols)  # no practitioner changes status: no within estimate
        terms.append("trained_practitioner_mean")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", RuntimeWarning)
        warnings.simplefilter("always", UserWarning)
        res = smf.mixedlm(f"{response} ~ " + " + ".join(terms), d, groups=d["practitioner_id"]).fit(reml=True)
    if warnings_out is not None:
        for w in caught:
            text = f"{response}{' (within)' if within else ''}: {w.category.__name__}: {w.message}"
            if text not in warnings_out:
                warnings_out.append(text)
    # Intervals: CR2 cluster-robust (practitioners) with Satterthwaite df, Pustejovsky & Tipton (2018),
    # on the REML fit's working covariance (random intercept + residual). Model-based Wald intervals on
    # t with (practitioners - fixed effects) df gave 6.5% false positives (z: 7.0%) over 200 seeds.
    sigma_u2, sigma_e2 = float(np.asarray(res.cov_re)[0, 0]), float(res.scale)
    exog, endog = np.asarray(res.model.exog), np.asarray(res.model.endog)
    groups = np.asarray(res.model.groups)
    exog_names = list(res.model.exog_names)

    def working_cov(idx):
        return sigma_u2 + sigma_e2 * np.eye(len(idx))

    names = ["trained"] + [
        t for t in res.fe_params.index if t not in ("Intercept", "trained", "trained_practitioner_mean")
    ]
    if not all_terms:
        names = ["trained"]
    robust = {t: stats.cr2_gls(endog, exog, groups, working_cov, exog_names.index(t)) for t in names}
    sd = float(np.sqrt(sigma_u2 + sigma_e2))
    rows = [
        {
            "term": t,
            "label": _term_label(t),
            "estimate": float(res.fe_params[t]),
            "ci_low": float(res.fe_params[t]) - (robust[t]["estimate"] - robust[t]["ci_low"]),
            "ci_high": float(res.fe_params[t]) + (robust[t]["ci_high"] - robust[t]["estimate"]),
            "p": float(2 * st.t.sf(abs(res.fe_params[t] / robust[t]["se"]), robust[t]["df"])),
            "p_holm": np.nan,
            "effect_size": float(res.fe_params[t]) / sd,
            "n_answers": len(d),
            "n_practitioners": int(d["practitioner_id"].nunique()),
        }
        for t in names
    ]
    return pd.DataFrame(rows, columns=cols)


def model_table(
    scores: pd.DataFrame,
    resolved: pd.DataFrame,
    reliable_outcomes=(),
    frame: dict | None = None,
    warnings_out: list | None = None,
) -> pd.DataFrame:
    """The overall model (all terms; primary), its within-practitioner (Mundlak) training term, the
    overall model on reliable outcomes only (training term; when some outcome is not reliable) and
    one model per outcome (training term; secondary).

    The eight per-outcome training terms get Holm-adjusted p-values (``p_holm``). Holm rather than
    Benjamini-Hochberg: the report names individual outcomes as better or worse, a claim about each
    one, so the chance of any false claim (family-wise error) is what is controlled; Holm holds under
    any dependence between the outcomes (they are scored from the same answers), and with eight tests
    it costs little power. Fit warnings go to ``warnings_out``."""
    frame = frame or FRAME
    parts = [fit_mixed(scores, warnings_out=warnings_out).assign(model="overall")]
    parts.append(
        fit_mixed(scores, all_terms=False, within=True, warnings_out=warnings_out).assign(model="overall_within")
    )
    if 0 < len(reliable_outcomes) < len(OUTCOMES):
        parts.append(
            fit_mixed(scores, "alignment_reliable", all_terms=False, warnings_out=warnings_out).assign(
                model="overall_reliable_outcomes"
            )
        )
    per = outcome_scores(resolved[resolved["answer_id"].isin(scores["answer_id"])], frame)
    for o in OUTCOMES:
        d = scores.assign(outcome_score=scores["answer_id"].map(per[o]) if o in per else np.nan)
        parts.append(fit_mixed(d, "outcome_score", all_terms=False, warnings_out=warnings_out).assign(model=o))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=MODEL.column_names)
    table = pd.concat(parts, ignore_index=True)[MODEL.column_names]
    per_outcome = table["model"].isin(OUTCOMES) & (table["term"] == "trained")
    table.loc[per_outcome, "p_holm"] = stats.holm(table.loc[per_outcome, "p"].to_numpy(float))
    return table


# ---------------------------------------------------------------- change and difference in differences


def rollout_groups(pw: pd.DataFrame) -> pd.DataFrame:
    """Practitioners scored at both waves, wide (``wave1``, ``wave2``) with their rollout group.

    trained_between_waves (not trained at wave 1, trained at wave 2), not_trained_by_wave2, or
    trained_before_wave1; practitioners with a mixed status in a wave are left out.
    """
    w = pw.pivot_table(index="practitioner_id", columns="wave", values="alignment", aggfunc="first")
    t = pw.pivot_table(index="practitioner_id", columns="wave", values="trained", aggfunc="first")
    if 1 not in w.columns or 2 not in w.columns:
        return pd.DataFrame(columns=["practitioner_id", "wave1", "wave2", "group"])
    both = w[[1, 2]].dropna().index
    status = t.loc[both, 1] + "/" + t.loc[both, 2]
    group = status.map(
        {"no/yes": "trained_between_waves", "no/no": "not_trained_by_wave2", "yes/yes": "trained_before_wave1"}
    )
    out = pd.DataFrame({"wave1": w.loc[both, 1], "wave2": w.loc[both, 2], "group": group}).dropna(subset=["group"])
    return out.reset_index()


def change_table(pw: pd.DataFrame, n_boot: int = stats.DEFAULT_BOOTSTRAP, seed: int = 2014) -> pd.DataFrame:
    """Paired change per rollout group (:func:`helpers.stats.paired_change`) and the difference in
    differences: mean change of those trained between the waves minus that of those not trained by
    wave 2, with a Welch t CI and a bootstrap CI (practitioners resampled within each group)."""
    rg = rollout_groups(pw)
    rows = []
    for group in ROLLOUT_GROUPS:
        sub = rg[rg["group"] == group]
        res = stats.paired_change(sub["wave1"], sub["wave2"], n_boot=n_boot, seed=seed)
        rows.append(
            {
                "group": group,
                "n_practitioners": res["n"],
                "mean_wave1": res["mean_before"],
                "mean_wave2": res["mean_after"],
                "mean_change": res["mean_change"],
                "ci_low": res["ci_low"],
                "ci_high": res["ci_high"],
                "boot_ci_low": res["boot_ci_low"],
                "boot_ci_high": res["boot_ci_high"],
                "d_z": res["d_z"],
                "p": res["p"],
            }
        )
    x = (
        rg.loc[rg["group"] == "trained_between_waves", "wave2"]
        - rg.loc[rg["group"] == "trained_between_waves", "wave1"]
    ).to_numpy()
    y = (
        rg.loc[rg["group"] == "not_trained_by_wave2", "wave2"] - rg.loc[rg["group"] == "not_trained_by_wave2", "wave1"]
    ).to_numpy()
    did = {
        "group": "difference_in_differences",
        "n_practitioners": len(x) + len(y),
        "mean_wave1": np.nan,
        "mean_wave2": np.nan,
        "mean_change": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "boot_ci_low": np.nan,
        "boot_ci_high": np.nan,
        "d_z": np.nan,
        "p": np.nan,
    }
    if len(x) >= 2 and len(y) >= 2:
        d = stats.difference_in_means(x, y, n_boot=n_boot, seed=seed + 7)
        did.update(
            mean_change=d["difference"],
            ci_low=d["ci_low"],
            ci_high=d["ci_high"],
            boot_ci_low=d["boot_ci_low"],
            boot_ci_high=d["boot_ci_high"],
            p=d["p"],
        )
    rows.append(did)
    return pd.DataFrame(rows, columns=CHANGE.column_names)


# ---------------------------------------------------------------- quotation


def quotable_answers(answers: pd.DataFrame, scores: pd.DataFrame, max_quotes: int = 2) -> tuple[pd.DataFrame, dict]:
    """Up to ``max_quotes`` answers that may be quoted, and what was dropped on the way.

    Candidates: scored answers at the last wave, highest-aligned first. They go through the project's
    one redaction helper (:func:`helpers.redaction.publishable_quotes`): an answer is dropped when
    consent_to_quote is not yes, when it has no text, or when the helper is unsure it removed every
    identifier; the others are redacted. Then at most one per scenario. Returns (quotes with
    scenario_id, wave, alignment and quote, never the practitioner or answer ID; the helper's counts
    over the candidates: no_consent, empty, unsure, redacted, placeholders).
    """
    s = scores[scores["alignment"].notna() & (scores["wave"] == scores["wave"].max())][
        ["answer_id", "scenario_id", "wave", "alignment"]
    ]
    cands = s.merge(answers[["answer_id", "answer_text", "consent_to_quote"]], on="answer_id").sort_values(
        ["alignment", "answer_id"], ascending=[False, True]
    )
    cands["consent_to_quote"] = pd.Series(cands["consent_to_quote"], dtype="boolean").fillna(False).astype(bool)
    kept, counts = redaction.publishable_quotes(cands.reset_index(drop=True), "answer_text", "consent_to_quote")
    if len(kept):
        kept = kept.drop_duplicates("scenario_id").drop_duplicates("answer_text").head(max_quotes)
    quotes = pd.DataFrame(
        {
            "scenario_id": kept["scenario_id"] if len(kept) else [],
            "wave": kept["wave"] if len(kept) else [],
            "alignment": kept["alignment"] if len(kept) else [],
            "quote": kept["answer_text"] if len(kept) else [],
        }
    ).reset_index(drop=True)
    return quotes, counts


# ---------------------------------------------------------------- everything


def analyse(
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    practitioners: pd.DataFrame,
    borough_names=None,
    n_boot: int = 1000,
    seed: int = 2014,
    frame: dict | None = None,
) -> dict:
    """Everything the strand computes, keyed by output key, plus counts for the prose.

    ``practitioners`` is the whole roster (so answers of unknown practitioners can be counted);
    ``borough_names`` (from :func:`helpers.config.borough_names`) selects the boroughs analysed.
    Reliability uses the codes of the answers in scope.
    """
    frame = frame or FRAME
    prac = practitioners if borough_names is None else practitioners[practitioners["borough"].isin(list(borough_names))]
    unknown = ~answers["practitioner_id"].isin(practitioners["practitioner_id"])
    in_scope = answers[answers["practitioner_id"].isin(prac["practitioner_id"])]
    scope_codes = codes[codes["answer_id"].isin(in_scope["answer_id"])]
    orphan_codes = int((~codes["answer_id"].isin(answers["answer_id"])).sum())
    rel = reliability_table(scope_codes, frame, n_boot=n_boot, seed=seed, answers=in_scope)
    reliable = tuple(rel.loc[rel["verdict"] == "reliable", "outcome"])
    resolved = resolve_codes(scope_codes, frame)
    scores = answer_scores(in_scope, resolved, prac, reliable, frame)
    pw = practitioner_waves(scores)
    model_warnings: list[str] = []
    quotes, quote_counts = quotable_answers(in_scope, scores)
    return {
        CODING_FRAME.key: coding_frame_table(frame),
        RELIABILITY.key: rel,
        RESOLVED.key: resolved,
        ANSWER_SCORES.key: scores,
        PRACTITIONER_WAVES.key: pw,
        CLEARLY_PRESENT.key: clearly_present_table(resolved, scores, frame),
        GROUPS.key: group_table(pw),
        MODEL.key: model_table(scores, resolved, reliable, frame, warnings_out=model_warnings),
        CHANGE.key: change_table(pw, n_boot=n_boot, seed=seed),
        "quotes": quotes,
        "quote_counts": quote_counts,
        "model_warnings": model_warnings,
        "counts": {
            "answers_unknown_practitioner": int(unknown.sum()),
            "codes_without_answer": orphan_codes,
            "answers_in_scope": len(in_scope),
            "answers_scored": int(scores["alignment"].notna().sum()),
            "practitioners_answering": int(in_scope["practitioner_id"].nunique()),
            "practitioners_in_scope": int(prac["practitioner_id"].nunique()),
            "resolution_rules": resolved["rule"].value_counts().to_dict(),
            "reliable_outcomes": reliable,
        },
    }
