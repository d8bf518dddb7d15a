"""Practice scenarios: how far practitioners' answers align with the training's learning outcomes.

Practitioners answered a small set of scenarios (short case vignettes, ``scenarios.csv``) at two waves
(``scenario_answers.csv``). Two coders (A and B) coded every answer for every learning outcome on the
ordinal scale of the project's coding frame (``coding_frame.yaml``: 0 absent, 1 partly, 2 clearly
present); a third coder (C) coded the answer and outcome where A and B were two levels apart
(``scenario_codes.csv``, long: one row per answer, coder and outcome).

The analysis, in order:

1. **Reliability first.** For every outcome, A against B: percentage agreement, Cohen's kappa with
   quadratic weights (statsmodels), and Krippendorff's alpha for ordinal data (the ``krippendorff``
   package) with a percentile bootstrap CI over answers (:func:`ordinal_alpha_bootstrap`, a second,
   vectorised implementation from the coincidence matrix). The benchmark is the frame's, stated in
   advance: alpha >= .800 reliable, .667 to .800 tentative, below .667 unreliable.
2. **Resolution** (:func:`resolve_codes`): C's code where given; otherwise the mean of A and B;
   otherwise the one code given.
3. **Alignment** (:func:`answer_scores`): each outcome's resolved code as 0-100 (level / 2 x 100), and
   the answer's alignment score = the mean over its coded outcomes, when at least
   ``min_outcomes_coded`` (frame) are coded. Per practitioner and wave: the mean over their answers.
4. **Comparisons**: a linear mixed model of the answer's alignment (practitioner random intercept;
   training status at the answer date, wave, scenario, role and borough fixed effects), one model
   per outcome for its 0-100 score; before-and-after per practitioner and a difference-in-differences
   across the rollout (trained between the waves against not trained by wave 2).

Training status of an answer: the practitioner's ``training_completed`` is on or before the answer
date (``practitioners.csv``). Free text is never put in the report unless ``consent_to_quote`` is yes,
and then only after :func:`redact_names`.
"""
from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import roster, stats
from .ingest import Column, Field, OutputTable, RawFile

STRAND = "scenarios"
FRAME_FILE = Path(__file__).resolve().parent / "coding_frame.yaml"
CODERS = {"A": "First coder (codes every answer)", "B": "Second coder (codes every answer, blind to A)",
          "C": "Third coder: codes an answer and outcome where A and B were two levels apart"}
WAVES = {1: "Wave 1 (early 2015)", 2: "Wave 2 (early 2016)"}
ROLE_LABELS = {
    "social_worker": "Social worker",
    "senior_social_worker": "Senior social worker",
    "supervisor": "Supervisor / manager",
    "family_support_worker": "Family support worker",
    "clinician": "Clinician",
}
ROLLOUT_GROUPS = {
    "trained_between_waves": "Trained between the waves",
    "not_trained_by_wave2": "Not trained by wave 2",
    "trained_before_wave1": "Trained before wave 1",
}


class CodingFrameError(ValueError):
    """The coding frame is malformed, or a code lies outside its scale."""


# ---------------------------------------------------------------- coding frame


def validate_coding_frame(frame: dict) -> dict:
    """Check a coding frame (as loaded from YAML) and return it with levels as integers.

    Errors (:class:`CodingFrameError`): no scale, or scale levels that are not consecutive integers
    from 0; benchmark thresholds missing or not 0 < tentative < reliable <= 1; no outcomes; an outcome
    without code, label, definition or anchors; a duplicate code; an anchor for a level outside the
    scale (a code outside its scale); a scale level without an anchor; ``min_outcomes_coded`` not
    between 1 and the number of outcomes.
    """
    if not isinstance(frame, dict):
        raise CodingFrameError("the coding frame must be a mapping")
    scale = frame.get("scale")
    if not isinstance(scale, dict) or not scale:
        raise CodingFrameError("the coding frame needs a scale (level: label)")
    try:
        levels = sorted(int(k) for k in scale)
    except (TypeError, ValueError) as exc:
        raise CodingFrameError(f"scale levels must be whole numbers, got {list(scale)}") from exc
    if levels != list(range(len(levels))) or len(levels) < 2:
        raise CodingFrameError(f"scale levels must be 0, 1, 2, ... (consecutive from 0), got {levels}")
    out = dict(frame)
    out["scale"] = {int(k): str(v) for k, v in scale.items()}
    bench = frame.get("benchmark") or {}
    try:
        reliable, tentative = float(bench["reliable"]), float(bench["tentative"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CodingFrameError("the benchmark needs numeric 'reliable' and 'tentative' thresholds") from exc
    if not 0 < tentative < reliable <= 1:
        raise CodingFrameError(f"benchmark thresholds must satisfy 0 < tentative < reliable <= 1, got {tentative}, {reliable}")
    outcomes = frame.get("outcomes")
    if not isinstance(outcomes, list) or not outcomes:
        raise CodingFrameError("the coding frame lists no outcomes")
    seen = set()
    checked = []
    for i, o in enumerate(outcomes, start=1):
        for key in ("code", "label", "definition", "anchors"):
            if not o.get(key):
                raise CodingFrameError(f"outcome {i} ({o.get('code', '?')}): missing {key}")
        code = str(o["code"])
        if code in seen:
            raise CodingFrameError(f"outcome {code}: duplicate code")
        seen.add(code)
        anchors = {}
        for k, text in o["anchors"].items():
            try:
                level = int(k)
            except (TypeError, ValueError) as exc:
                raise CodingFrameError(f"outcome {code}: anchor level {k!r} is not a whole number") from exc
            if level not in out["scale"]:
                raise CodingFrameError(f"outcome {code}: anchor for level {level}, outside the scale {levels[0]}-{levels[-1]}")
            if not str(text).strip():
                raise CodingFrameError(f"outcome {code}: the anchor for level {level} is empty")
            anchors[level] = str(text).strip()
        missing = [lv for lv in levels if lv not in anchors]
        if missing:
            raise CodingFrameError(f"outcome {code}: no anchor for level(s) {missing}")
        checked.append({**o, "code": code, "anchors": dict(sorted(anchors.items()))})
    out["outcomes"] = checked
    m = int(frame.get("min_outcomes_coded", len(checked)))
    if not 1 <= m <= len(checked):
        raise CodingFrameError(f"min_outcomes_coded must be between 1 and {len(checked)}, got {m}")
    out["min_outcomes_coded"] = m
    out["benchmark"] = {**bench, "reliable": reliable, "tentative": tentative}
    return out


def load_coding_frame(path: str | Path | None = None) -> dict:
    """Load and validate the coding frame (default: the package's ``coding_frame.yaml``)."""
    path = Path(path) if path is not None else FRAME_FILE
    with open(path, encoding="utf-8") as fh:
        return validate_coding_frame(yaml.safe_load(fh))


@lru_cache(maxsize=1)
def _default_frame() -> dict:
    return load_coding_frame()


FRAME = _default_frame()
OUTCOMES = tuple(o["code"] for o in FRAME["outcomes"])
OUTCOME_LABELS = {o["code"]: o["label"] for o in FRAME["outcomes"]}
MAX_LEVEL = max(FRAME["scale"])


def check_codes(levels, frame: dict | None = None, where: str = "codes") -> None:
    """Raise :class:`CodingFrameError` if any non-missing level is not on the frame's scale."""
    frame = frame or FRAME
    values = pd.Series(levels, dtype="Float64")
    bad = values.notna() & ~values.isin([float(v) for v in frame["scale"]])
    if bad.any():
        raise CodingFrameError(f"{where}: level(s) {sorted(set(values[bad].astype(float)))} outside the scale {sorted(frame['scale'])}")


def coding_frame_table(frame: dict | None = None) -> pd.DataFrame:
    """The frame as a long table: one row per outcome and level, with definition and anchor."""
    frame = frame or FRAME
    rows = [
        {"outcome": o["code"], "label": o["label"], "definition": o["definition"], "level": lv,
         "level_label": frame["scale"][lv], "anchor": text}
        for o in frame["outcomes"] for lv, text in o["anchors"].items()
    ]
    return pd.DataFrame(rows, columns=CODING_FRAME.column_names)


# ---------------------------------------------------------------- schemas

SCENARIOS = RawFile(
    key="scenarios",
    filename="scenarios.csv",
    strand=STRAND,
    description="The practice scenarios (case vignettes): one row per scenario, with its text and the questions asked.",
    unique_key=("scenario_id",),
    columns=(
        Column("scenario_id", "string", "Scenario code (e.g. S1); joins scenario_answers.csv."),
        Column("title", "string", "Short title of the scenario."),
        Column("vignette", "string", "The case vignette as shown to practitioners (fictional; no real family)."),
        Column("questions", "string", "The questions asked about the vignette, separated by ' | '."),
    ),
)
ANSWERS = RawFile(
    key="scenario_answers",
    filename="scenario_answers.csv",
    strand=STRAND,
    description="One row per practitioner, scenario and wave: the free-text answer and whether it may be quoted.",
    unique_key=("answer_id",),
    columns=(
        Column("answer_id", "string", "Answer reference given by the evaluation team (not a person); joins scenario_codes.csv."),
        Column("practitioner_id", "string", "The LA's staff identifier (pseudonymised at ingest; joins practitioners.csv).", identifier_prefix="P"),
        Column("scenario_id", "string", "Scenario answered (joins scenarios.csv)."),
        Column("wave", "integer", "Wave: 1 (early 2015) or 2 (early 2016).", minimum=1, maximum=2),
        Column("answer_date", "date", "Date the answer was written (YYYY-MM-DD); training status is judged at this date."),
        Column("answer_text", "string", "The free-text answer. Never shown in the report unless consent_to_quote is yes, and then with names removed.", nullable=True),
        Column("consent_to_quote", "boolean", "yes if the practitioner agreed that the answer may be quoted anonymously."),
    ),
)
CODES = RawFile(
    key="scenario_codes",
    filename="scenario_codes.csv",
    strand=STRAND,
    description=(
        "Codes given to the answers: one row per answer, coder and learning outcome (long). Coders A and B code every "
        "answer; C codes where A and B were two levels apart. Levels follow src/helpers/coding_frame.yaml."
    ),
    unique_key=("answer_id", "coder", "outcome"),
    columns=(
        Column("answer_id", "string", "Answer coded (joins scenario_answers.csv)."),
        Column("coder", "category", "Who coded.", codes=CODERS),
        Column("outcome", "category", "Learning outcome coded (the coding frame's codes).", codes=OUTCOME_LABELS),
        Column(
            "level", "integer",
            "Code on the frame's scale: " + ", ".join(f"{k} {v}" for k, v in FRAME["scale"].items())
            + ". Blank = not coded (kept as missing). A value outside the scale rejects the row (logged with file, row, column).",
            nullable=True, minimum=min(FRAME["scale"]), maximum=MAX_LEVEL,
        ),
    ),
)
RAW_FILES = (SCENARIOS, ANSWERS, CODES)

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
        Field("alpha_ci_low", "number", "Lower end of the 95% percentile bootstrap CI of alpha (answers resampled)."),
        Field("alpha_ci_high", "number", "Upper end of that CI."),
        Field("verdict", "category", "reliable (alpha >= .800), tentative (.667 to .800) or unreliable (< .667)."),
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
        Field("resolved", "number", "Resolved level (0-2; 0.5 and 1.5 possible under the mean rule); blank if no coder coded it."),
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
        Field("alignment", "number", "Alignment score 0-100: mean of (resolved level / 2 x 100) over coded outcomes; blank if fewer than min_outcomes_coded."),
        Field("alignment_reliable", "number", "The same, over the outcomes rated reliable only (alpha >= .800); blank if none."),
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
        Field("n_clearly_present", "integer", "Of which resolved level is 2 (both coders, or the third coder, said clearly present)."),
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
        Field("model", "category", "overall, overall_reliable_outcomes, or an outcome code."),
        Field("term", "string", "Fixed-effect term (trained, wave 2, scenario, role, borough; each against its reference)."),
        Field("label", "string", "The term in words."),
        Field("estimate", "number", "Coefficient: difference in points on the 0-100 scale."),
        Field("ci_low", "number", "Lower end of the 95% Wald CI."),
        Field("ci_high", "number", "Upper end of the 95% Wald CI."),
        Field("p", "number", "Wald test p-value."),
        Field("effect_size", "number", "estimate / SD of alignment within cells (sqrt of random-intercept variance + residual variance)."),
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
        Field("group", "category", "trained_between_waves, not_trained_by_wave2, trained_before_wave1, or difference_in_differences."),
        Field("n_practitioners", "integer", "Practitioners in the group (for the DiD: both groups)."),
        Field("mean_wave1", "number", "Mean alignment at wave 1."),
        Field("mean_wave2", "number", "Mean alignment at wave 2."),
        Field("mean_change", "number", "Mean change (wave 2 - wave 1); for the DiD, the difference between the two groups' mean changes."),
        Field("ci_low", "number", "Lower end of the t-based 95% CI (Welch for the DiD)."),
        Field("ci_high", "number", "Upper end of that CI."),
        Field("boot_ci_low", "number", "Lower end of the percentile bootstrap 95% CI (practitioners resampled within groups)."),
        Field("boot_ci_high", "number", "Upper end of that CI."),
        Field("d_z", "number", "Cohen's d_z of the change (blank for the DiD)."),
        Field("p", "number", "Paired t-test p (Welch t-test for the DiD)."),
    ),
)
OUTPUTS = (CODING_FRAME, RELIABILITY, RESOLVED, ANSWER_SCORES, PRACTITIONER_WAVES, CLEARLY_PRESENT, GROUPS, MODEL, CHANGE)


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
    for x, y in zip(a[both], b[both]):
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


def ordinal_alpha_bootstrap(a, b, levels=None, n_boot: int = 1000, seed: int = 0, level: float = 0.95) -> dict:
    """Ordinal Krippendorff's alpha of two coders from the coincidence matrix, with a percentile
    bootstrap CI (pairable units resampled with replacement; vectorised over resamples).

    Returns alpha (the point estimate of this implementation), ci_low, ci_high and n (pairable units).
    """
    levels = list(levels if levels is not None else FRAME["scale"])
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = ~(np.isnan(a) | np.isnan(b))
    k = len(levels)
    index = {float(v): i for i, v in enumerate(levels)}
    types = np.array([index[x] * k + index[y] for x, y in zip(a[both], b[both])], dtype=int)
    n = len(types)
    out = {"n": n, "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    if n < 2:
        return out
    counts = np.bincount(types, minlength=k * k).reshape(k, k).astype(float)
    out["alpha"] = float(_ordinal_alpha_from_pair_counts(counts))
    if n_boot > 0:
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


def verdict(alpha: float, frame: dict | None = None) -> str:
    """The benchmark verdict for an alpha: reliable, tentative, unreliable (or not_computed)."""
    bench = (frame or FRAME)["benchmark"]
    if alpha is None or np.isnan(alpha):
        return "not_computed"
    if alpha >= bench["reliable"]:
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


def reliability_table(codes: pd.DataFrame, frame: dict | None = None, n_boot: int = 1000, seed: int = 2014) -> pd.DataFrame:
    """Reliability of coders A and B for every outcome of the frame (see :data:`RELIABILITY`)."""
    frame = frame or FRAME
    wide = coder_table(codes)
    levels = list(frame["scale"])
    rows = []
    for i, o in enumerate(frame["outcomes"]):
        sub = wide[wide["outcome"] == o["code"]]
        a, b = sub["level_a"].to_numpy(float), sub["level_b"].to_numpy(float)
        boot = ordinal_alpha_bootstrap(a, b, levels, n_boot=n_boot, seed=seed + i)
        alpha = krippendorff_alpha(a, b, levels)
        rows.append({
            "outcome": o["code"], "label": o["label"], "n_answers": boot["n"],
            "pct_agreement": percent_agreement(a, b), "kappa_quadratic": weighted_kappa(a, b, levels),
            "alpha": alpha, "alpha_ci_low": boot["ci_low"], "alpha_ci_high": boot["ci_high"],
            "verdict": verdict(alpha, frame),
        })
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
    w["resolved"] = np.where(has_c, w["level_c"], np.where(has_a & has_b, (w["level_a"] + w["level_b"]) / 2,
                                                           w["level_a"].fillna(w["level_b"])))
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


def answer_scores(answers: pd.DataFrame, resolved: pd.DataFrame, practitioners: pd.DataFrame,
                  reliable_outcomes=(), frame: dict | None = None) -> pd.DataFrame:
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
    out = pd.DataFrame({
        "borough": g["borough"].first(), "role": g["role"].first(),
        "trained": g["trained"].agg(lambda t: "yes" if t.all() else ("no" if not t.any() else "mixed")),
        "n_answers": g.size(), "alignment": g["alignment"].mean(),
    }).reset_index()
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
                rows.append({"outcome": o, "wave": int(wave), "trained": t, "n_answers": n, "n_clearly_present": k,
                             "pct_clearly_present": 100 * k / n if n else np.nan})
    return pd.DataFrame(rows, columns=CLEARLY_PRESENT.column_names)


def group_table(pw: pd.DataFrame) -> pd.DataFrame:
    """Mean alignment of practitioner-waves by training status, role and borough, per wave."""
    t = pw.assign(training=pw["trained"].map({"yes": "trained", "no": "not_yet_trained", "mixed": "mixed"}))
    rows = []
    for dim, col in (("training", "training"), ("role", "role"), ("borough", "borough")):
        for (group, wave), sub in t.groupby([col, "wave"], sort=True):
            rows.append({"dimension": dim, "group": group, "wave": int(wave), "n_practitioners": len(sub),
                         "n_answers": int(sub["n_answers"].sum()), "mean_alignment": sub["alignment"].mean(),
                         "sd_alignment": sub["alignment"].std(ddof=1) if len(sub) > 1 else np.nan})
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


def fit_mixed(data: pd.DataFrame, response: str = "alignment", all_terms: bool = True) -> pd.DataFrame:
    """Fit ``response ~ trained + wave + scenario + role + borough`` with a practitioner random intercept.

    Terms with a single level in ``data`` are left out (e.g. borough when one borough is selected).
    Returns one row per fixed effect (all, or only ``trained`` when ``all_terms`` is false) with the
    columns of :data:`MODEL` except ``model``. REML; Wald 95% CIs. Empty if the model cannot be fitted.
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        res = smf.mixedlm(f"{response} ~ " + " + ".join(terms), d, groups=d["practitioner_id"]).fit(reml=True)
    ci = res.conf_int()
    sd = float(np.sqrt(float(np.asarray(res.cov_re)[0, 0]) + float(res.scale)))
    names = ["trained"] + [t for t in res.fe_params.index if t not in ("Intercept", "trained")]
    if not all_terms:
        names = ["trained"]
    rows = [{"term": t, "label": _term_label(t), "estimate": float(res.fe_params[t]), "ci_low": float(ci.loc[t, 0]),
             "ci_high": float(ci.loc[t, 1]), "p": float(res.pvalues[t]), "effect_size": float(res.fe_params[t]) / sd,
             "n_answers": len(d), "n_practitioners": int(d["practitioner_id"].nunique())} for t in names]
    return pd.DataFrame(rows, columns=cols)


def model_table(scores: pd.DataFrame, resolved: pd.DataFrame, reliable_outcomes=(), frame: dict | None = None) -> pd.DataFrame:
    """The overall model (all terms), the overall model on reliable outcomes only (training term;
    when some outcome is not reliable) and one model per outcome (training term)."""
    frame = frame or FRAME
    parts = [fit_mixed(scores).assign(model="overall")]
    if 0 < len(reliable_outcomes) < len(OUTCOMES):
        parts.append(fit_mixed(scores, "alignment_reliable", all_terms=False).assign(model="overall_reliable_outcomes"))
    per = outcome_scores(resolved[resolved["answer_id"].isin(scores["answer_id"])], frame)
    for o in OUTCOMES:
        d = scores.assign(outcome_score=scores["answer_id"].map(per[o]) if o in per else np.nan)
        parts.append(fit_mixed(d, "outcome_score", all_terms=False).assign(model=o))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=MODEL.column_names)
    return pd.concat(parts, ignore_index=True)[MODEL.column_names]


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
    group = status.map({"no/yes": "trained_between_waves", "no/no": "not_trained_by_wave2", "yes/yes": "trained_before_wave1"})
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
        rows.append({"group": group, "n_practitioners": res["n"], "mean_wave1": res["mean_before"],
                     "mean_wave2": res["mean_after"], "mean_change": res["mean_change"], "ci_low": res["ci_low"],
                     "ci_high": res["ci_high"], "boot_ci_low": res["boot_ci_low"], "boot_ci_high": res["boot_ci_high"],
                     "d_z": res["d_z"], "p": res["p"]})
    x = (rg.loc[rg["group"] == "trained_between_waves", "wave2"] - rg.loc[rg["group"] == "trained_between_waves", "wave1"]).to_numpy()
    y = (rg.loc[rg["group"] == "not_trained_by_wave2", "wave2"] - rg.loc[rg["group"] == "not_trained_by_wave2", "wave1"]).to_numpy()
    did = {"group": "difference_in_differences", "n_practitioners": len(x) + len(y), "mean_wave1": np.nan,
           "mean_wave2": np.nan, "mean_change": np.nan, "ci_low": np.nan, "ci_high": np.nan, "boot_ci_low": np.nan,
           "boot_ci_high": np.nan, "d_z": np.nan, "p": np.nan}
    if len(x) >= 2 and len(y) >= 2:
        d = stats.difference_in_means(x, y, n_boot=n_boot, seed=seed + 7)
        did.update(mean_change=d["difference"], ci_low=d["ci_low"], ci_high=d["ci_high"],
                   boot_ci_low=d["boot_ci_low"], boot_ci_high=d["boot_ci_high"], p=d["p"])
    rows.append(did)
    return pd.DataFrame(rows, columns=CHANGE.column_names)


# ---------------------------------------------------------------- quotation


#: Capitalised words that are never taken for names when redacting.
NOT_NAMES = frozenset({"I", "I'd", "I'm", "I've", "I'll", "Mum", "Dad", "Monday", "Tuesday", "Wednesday", "Thursday",
                       "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July",
                       "August", "September", "October", "November", "December", "GP", "CAMHS", "OK"})


def redact_names(text: str) -> str:
    """Replace every capitalised word not at the start of a sentence (and not in :data:`NOT_NAMES`)
    with "[name]". Crude on purpose: it over-redacts (places, services) rather than miss a name."""
    out = []
    start = True
    for token in re.split(r"(\s+)", str(text)):
        if not token or token.isspace():
            out.append(token)
            continue
        word = re.sub(r"^[^\w]+|[^\w']+$", "", token)
        if word and word[0].isupper() and not start and word not in NOT_NAMES:
            token = token.replace(word, "[name]")
        out.append(token)
        start = bool(re.search(r"[.!?:]['\")]*$", token))
    return "".join(out)


def quotable_answers(answers: pd.DataFrame, scores: pd.DataFrame, max_quotes: int = 2) -> pd.DataFrame:
    """Up to ``max_quotes`` answers that may be quoted: consent_to_quote is yes, scored, text present;
    the highest-aligned at wave 2, at most one per scenario; text passed through :func:`redact_names`.
    Returns scenario_id, wave, alignment and quote (never the practitioner or answer ID)."""
    consent = pd.Series(answers["consent_to_quote"], dtype="boolean").fillna(False).astype(bool)
    ok = answers[consent & answers["answer_text"].notna()]
    s = scores[scores["alignment"].notna() & (scores["wave"] == scores["wave"].max())][["answer_id", "scenario_id", "wave", "alignment"]]
    s = s.merge(ok[["answer_id", "answer_text"]], on="answer_id").sort_values(["alignment", "answer_id"], ascending=[False, True])
    s = s.drop_duplicates("scenario_id").drop_duplicates("answer_text").head(max_quotes)
    return pd.DataFrame({"scenario_id": s["scenario_id"], "wave": s["wave"], "alignment": s["alignment"],
                         "quote": s["answer_text"].map(redact_names)}).reset_index(drop=True)


# ---------------------------------------------------------------- everything


def analyse(answers: pd.DataFrame, codes: pd.DataFrame, practitioners: pd.DataFrame, borough_names=None,
            n_boot: int = 1000, seed: int = 2014, frame: dict | None = None) -> dict:
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
    rel = reliability_table(scope_codes, frame, n_boot=n_boot, seed=seed)
    reliable = tuple(rel.loc[rel["verdict"] == "reliable", "outcome"])
    resolved = resolve_codes(scope_codes, frame)
    scores = answer_scores(in_scope, resolved, prac, reliable, frame)
    pw = practitioner_waves(scores)
    return {
        CODING_FRAME.key: coding_frame_table(frame),
        RELIABILITY.key: rel,
        RESOLVED.key: resolved,
        ANSWER_SCORES.key: scores,
        PRACTITIONER_WAVES.key: pw,
        CLEARLY_PRESENT.key: clearly_present_table(resolved, scores, frame),
        GROUPS.key: group_table(pw),
        MODEL.key: model_table(scores, resolved, reliable, frame),
        CHANGE.key: change_table(pw, n_boot=n_boot, seed=seed),
        "quotes": quotable_answers(in_scope, scores),
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


# ---------------------------------------------------------------- charts

TRAINED_LABELS = {"not_yet_trained": "not yet trained", "trained": "trained"}
VERDICT_MARK = {"reliable": "", "tentative": " (tentative coding)", "unreliable": " (unreliable coding)", "not_computed": " (reliability not computed)"}


def _outcome_label(code: str, rel: pd.DataFrame | None = None) -> str:
    label = OUTCOME_LABELS.get(code, code)
    if rel is not None and code in set(rel["outcome"]):
        label += VERDICT_MARK[rel.set_index("outcome").loc[code, "verdict"]]
    return label


def chart_clearly_present(cp: pd.DataFrame, rel: pd.DataFrame | None = None, min_n: int = 10):
    """Heatmap: % of answers with each outcome clearly present, by wave and training status.
    Cells with fewer than ``min_n`` answers are left blank."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    t = cp.copy()
    t["column"] = "Wave " + t["wave"].astype(str) + "\n" + t["trained"].map(TRAINED_LABELS)
    t["pct"] = t["pct_clearly_present"].where(t["n_answers"] >= min_n)
    grid = t.pivot_table(index="outcome", columns="column", values="pct", aggfunc="first", dropna=False)
    grid = grid.reindex(index=[o for o in OUTCOMES if o in grid.index])
    grid.index = [_outcome_label(o, rel) for o in grid.index]
    fig, ax = plt.subplots(figsize=(8, 5))
    sns.heatmap(grid, annot=True, fmt=".0f", cmap="Blues", vmin=0, vmax=100, cbar_kws={"label": "% clearly present"},
                linewidths=0.5, ax=ax)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", rotation=0)
    fig.tight_layout()
    return fig


def chart_distributions(pw: pd.DataFrame):
    """Box and strip plots of practitioner-wave alignment: by wave and training status, and by role."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    d = pw[pw["trained"] != "mixed"].copy()
    d["group"] = "Wave " + d["wave"].astype(str) + "\n" + d["trained"].map({"yes": "trained", "no": "not yet trained"})
    d["role_label"] = d["role"].map(ROLE_LABELS).fillna(d["role"]).str.replace(" / ", " /\n").str.replace(" worker", "\nworker")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True, gridspec_kw={"width_ratios": [4, 5]})
    for ax, col in zip(axes, ("group", "role_label")):
        order = sorted(d[col].unique())
        counts = d[col].value_counts()
        sns.boxplot(data=d, x=col, y="alignment", order=order, ax=ax, color="#c6dbef", showfliers=False, width=0.6)
        sns.stripplot(data=d, x=col, y="alignment", order=order, ax=ax, color="#08519c", size=2.5, alpha=0.5, jitter=0.25)
        ax.set_xticks(range(len(order)), [f"{g}\n(n={counts[g]})" for g in order], fontsize=8)
        ax.set_xlabel("")
        ax.set_ylabel("Alignment score (0-100)" if col == "group" else "")
        ax.set_ylim(0, 100)
    axes[0].set_title("By wave and training status", fontsize=10)
    axes[1].set_title("By role (both waves)", fontsize=10)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def chart_change(pw: pd.DataFrame):
    """Each practitioner's alignment at wave 1 and wave 2, one panel per rollout group, group mean in bold."""
    import matplotlib.pyplot as plt

    rg = rollout_groups(pw)
    groups = [g for g in ROLLOUT_GROUPS if (rg["group"] == g).any()]
    fig, axes = plt.subplots(1, max(1, len(groups)), figsize=(3.4 * max(1, len(groups)), 4), sharey=True, squeeze=False)
    for ax, g in zip(axes[0], groups):
        sub = rg[rg["group"] == g]
        for _, r in sub.iterrows():
            ax.plot([1, 2], [r["wave1"], r["wave2"]], color="#9ecae1", lw=0.8, alpha=0.7)
        ax.plot([1, 2], [sub["wave1"].mean(), sub["wave2"].mean()], color="#08306b", lw=3, marker="o")
        ax.set_title(f"{ROLLOUT_GROUPS[g]}\n(n={len(sub)})", fontsize=10)
        ax.set_xticks([1, 2], ["Wave 1", "Wave 2"])
        ax.set_xlim(0.8, 2.2)
        ax.set_ylim(0, 100)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("Alignment score (0-100)")
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- report section


def _ci(row, lo="ci_low", hi="ci_high", digits=1) -> str:
    return f"{row[lo]:.{digits}f} to {row[hi]:.{digits}f}"


def _list(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def frame_display(frame: dict | None = None) -> pd.DataFrame:
    """The coding frame as the report prints it: one row per outcome, one column per level's anchor."""
    frame = frame or FRAME
    rows = []
    for o in frame["outcomes"]:
        row = {"learning outcome": o["label"], "definition": o["definition"]}
        for lv, text in o["anchors"].items():
            row[f"{lv} {frame['scale'][lv]}"] = text
        rows.append(row)
    return pd.DataFrame(rows)


def describe_reliability(rel: pd.DataFrame, frame: dict | None = None) -> str:
    """Paragraph on inter-rater reliability against the benchmark stated in advance."""
    bench = (frame or FRAME)["benchmark"]
    ok = rel[rel["verdict"] == "reliable"]
    tent = rel[rel["verdict"] == "tentative"]
    bad = rel[rel["verdict"] == "unreliable"]
    text = (
        f"**How reliable the coding was.** Before any comparison, the two coders' codes were compared for each learning "
        f"outcome. The benchmark was set in advance (Krippendorff's alpha for ordinal codes: {bench['reliable']:.3f} or above "
        f"reliable, {bench['tentative']:.3f} to {bench['reliable']:.3f} tentative, below {bench['tentative']:.3f} unreliable). "
        f"Alpha ranged from {rel['alpha'].min():.2f} to {rel['alpha'].max():.2f}; the coders gave the same level on "
        f"{rel['pct_agreement'].min():.0f}% to {rel['pct_agreement'].max():.0f}% of answers. "
        f"{len(ok)} of {len(rel)} outcomes met the benchmark"
    )
    text += f" ({_list(ok['label'].str.lower())})." if len(ok) else "."
    for sub, word in ((tent, "tentative"), (bad, "unreliable")):
        if len(sub):
            parts = [f"{r['label'].lower()} (alpha {r['alpha']:.2f}, 95% CI {_ci(r, 'alpha_ci_low', 'alpha_ci_high', 2)})" for _, r in sub.iterrows()]
            text += f" Coding was {word} for {_list(parts)}."
    if len(tent) or len(bad):
        text += (" Results for these outcomes are still shown, marked, but should be read with that caveat: some of "
                 "what looks like difference between groups may be difference between coders. The overall score is also "
                 "given over the reliable outcomes alone as a check.")
    return text


def describe_resolution(resolved: pd.DataFrame, frame: dict | None = None) -> str:
    """Paragraph on how disagreements were resolved, with counts per rule."""
    frame = frame or FRAME
    counts = resolved["rule"].value_counts()
    n = len(resolved)
    rules = " ".join(r["text"] for r in frame.get("resolution", []))
    return (
        f"**From two codes to one.** {rules} Of {n:,} answer-and-outcome pairs, {int(counts.get('mean', 0)):,} were resolved as the "
        f"mean of A and B, {int(counts.get('third_coder', 0)):,} by the third coder, {int(counts.get('single_coder', 0)):,} from the one "
        f"coder who coded it and {int(counts.get('missing', 0)):,} were left missing. Codes outside the 0-2 scale were rejected "
        "when the data were read (listed, with file, row and column, in the data-quality section)."
    )


def describe_alignment(scores: pd.DataFrame, frame: dict | None = None) -> str:
    """Paragraph defining the alignment score and giving its mean per wave."""
    frame = frame or FRAME
    s = scores[scores["alignment"].notna()]
    by_wave = s.groupby("wave")["alignment"].agg(["mean", "size"])
    waves = "; ".join(f"wave {int(w)}: mean {r['mean']:.1f} over {int(r['size'])} answers" for w, r in by_wave.iterrows())
    return (
        "**Alignment score.** Each learning outcome's resolved code is put on a 0-100 scale (absent 0, partly present 50, "
        "clearly present 100) and an answer's alignment score is the mean over its coded outcomes (computed when at least "
        f"{frame['min_outcomes_coded']} of the {len(frame['outcomes'])} are coded). 100 would mean every outcome clearly present. "
        f"{len(s)} of {len(scores)} answers were scored ({waves})."
    )


def describe_model(model: pd.DataFrame, rel: pd.DataFrame) -> str:
    """Paragraph on the mixed model: the training effect overall and by outcome, roles."""
    if model.empty or not (model["model"] == "overall").any():
        return "**Trained and not yet trained.** Too few answers, or no variation in training status, to fit the model."
    m = model[model["model"] == "overall"].set_index("term")
    t = m.loc["trained"]
    per = model[model["model"].isin(OUTCOMES) & (model["term"] == "trained")].sort_values("estimate", ascending=False)
    held = [name for key, name in (("C(wave", "wave"), ("C(scenario_id", "scenario"), ("C(role", "role"), ("C(borough", "borough"))
            if m.index.str.startswith(key).any()] or ["nothing else"]
    text = (
        f"**Trained and not yet trained.** A mixed model of the alignment score ({int(t['n_answers'])} answers from "
        f"{int(t['n_practitioners'])} practitioners; the same practitioner's answers are linked by a random effect; "
        f"{_list(held)} held constant) estimates that answers written after the practitioner had completed the "
        f"training scored {t['estimate']:+.1f} points (95% CI {_ci(t)}; standardised effect {t['effect_size']:.2f}) compared "
        "with answers written before."
    )
    r = model[(model["model"] == "overall_reliable_outcomes") & (model["term"] == "trained")]
    if len(r):
        r = r.iloc[0]
        text += f" Over the reliably coded outcomes alone the difference was {r['estimate']:+.1f} (95% CI {_ci(r)})."
    if len(per):
        hi, lo = per.iloc[0], per.iloc[-1]
        text += (
            f" The difference was largest for {_outcome_label(hi['model'], rel).lower()} ({hi['estimate']:+.1f}, {_ci(hi)}) "
            f"and smallest for {_outcome_label(lo['model'], rel).lower()} ({lo['estimate']:+.1f}, {_ci(lo)})."
        )
        unclear = per[(per["ci_low"] <= 0) & (per["ci_high"] >= 0)]
        if len(unclear):
            text += f" For {_list([_outcome_label(o, rel).lower() for o in unclear['model']])} the interval includes no difference."
    for key, what in (("C(role", "By role"), ("C(borough", "By borough")):
        rows = m[m.index.str.startswith(key)]
        if len(rows):
            text += f" {what}: " + "; ".join(
                f"{row['label'].split(': ', 1)[-1]} {row['estimate']:+.1f} points ({_ci(row)})" for _, row in rows.iterrows()) + "."
    if (m.index.str.startswith("C(role") | m.index.str.startswith("C(borough")).any():
        text += (" Some of these groups are small (see the numbers of practitioners in the table of group means): their "
                 "intervals are wide and they are not interpreted on their own.")
    return text


def describe_change(change: pd.DataFrame) -> str:
    """Paragraph on before-and-after change by rollout group and the difference in differences."""
    c = change.set_index("group")
    sw, nv, did = c.loc["trained_between_waves"], c.loc["not_trained_by_wave2"], c.loc["difference_in_differences"]
    if sw["n_practitioners"] < 2 or nv["n_practitioners"] < 2 or pd.isna(did["mean_change"]):
        return ("**Before and after.** Too few practitioners answered at both waves in each rollout group to compare "
                "their change.")
    return (
        "**Before and after, the same practitioners.** The training was rolled out in cohorts, so some practitioners were "
        "trained between the two waves and others not by wave 2. "
        f"The {int(sw['n_practitioners'])} practitioners trained between the waves changed by {sw['mean_change']:+.1f} points "
        f"on average (from {sw['mean_wave1']:.1f} to {sw['mean_wave2']:.1f}; 95% CI {_ci(sw)}; d_z {sw['d_z']:.2f}); the "
        f"{int(nv['n_practitioners'])} not trained by wave 2 changed by {nv['mean_change']:+.1f} (95% CI {_ci(nv)}). "
        f"The difference in differences, {did['mean_change']:+.1f} points (95% CI {_ci(did)}; bootstrap "
        f"{_ci(did, 'boot_ci_low', 'boot_ci_high')}), is the change that went with training beyond what happened anyway "
        "over the year, if the two groups would otherwise have changed alike."
    )


CAVEATS = (
    "**What cannot be concluded.** Answers to vignettes show what practitioners say they would do, not what they do with "
    "families (Hughes & Huby 2004). Practitioners were not allocated to training cohorts at random: those trained early or "
    "late may differ in ways the model does not capture, and the difference-in-differences rests on the untrained group "
    "showing what would have happened to the others. Answering the same scenarios twice may itself change answers. If "
    "coders could tell an answer's wave or training status from its content, that may have coloured their codes (the data "
    "do not record whether coding was blind), and for outcomes with tentative or unreliable coding a difference may partly "
    "reflect coder disagreement. Small groups (roles, single boroughs) give wide intervals and are not "
    "interpreted on their own."
)


def _model_display(model: pd.DataFrame, rel: pd.DataFrame) -> pd.DataFrame:
    t = model.copy()
    t["model"] = t["model"].map(lambda m: "All outcomes" if m == "overall" else (
        "Reliable outcomes only" if m == "overall_reliable_outcomes" else _outcome_label(m, rel)))
    t["p"] = t["p"].map(stats.describe_p)
    return t.rename(columns={"model": "score", "label": "term_in_words"})[
        ["score", "term_in_words", "estimate", "ci_low", "ci_high", "effect_size", "p", "n_practitioners", "n_answers"]]


def build_section(section, results: dict, scenarios: pd.DataFrame, borough_label: str = "all three boroughs",
                  frame: dict | None = None, min_cell: int = 10):
    """Fill a :class:`helpers.report_section.Section` with the strand's prose, tables and charts.

    ``results`` is the dict from :func:`analyse`; ``scenarios`` the ingested scenarios table. Figures
    are returned in a list (not shown, not closed). No free text is added except consented,
    name-redacted quotes (:func:`quotable_answers`).
    """
    frame = frame or FRAME
    rel = results[RELIABILITY.key]
    scores = results[ANSWER_SCORES.key]
    pw = results[PRACTITIONER_WAVES.key]
    cp = results[CLEARLY_PRESENT.key]
    model = results[MODEL.key]
    change = results[CHANGE.key]
    counts = results["counts"]
    if scores["alignment"].notna().sum() == 0:
        # A borough (or extract) with no scored answer: say so plainly rather than fail on empty
        # tables; the coding frame is still printed so the reader knows what would have been coded.
        section.markdown(
            f"No practice-scenario answer could be scored in {borough_label} "
            f"({counts['answers_in_scope']} answers from {counts['practitioners_answering']} practitioners in scope), "
            "so this strand has no results for this report. The coding frame the answers would be coded against is below."
        )
        section.table("coding_frame", frame_display(frame), caption="The coding frame: learning outcomes, definitions and anchors for each level.")
        return []
    used = scenarios[scenarios["scenario_id"].isin(scores["scenario_id"])]
    n_w = scores.groupby("wave")["practitioner_id"].nunique()
    questions = " ".join(f"*{q.strip()}*" for q in used["questions"].iloc[0].split("|")) if len(used) else ""
    section.markdown(
        "Practitioners were asked to answer short practice scenarios (case vignettes) \"to ascertain the extent to which "
        "respondents aligned their work with the intended learning outcomes of the training\". "
        f"In {borough_label}, {counts['practitioners_answering']} of the {counts['practitioners_in_scope']} practitioners on "
        f"the roster answered {len(used)} scenarios ({_list([f'*{t}*' for t in used['title']])}): "
        + "; ".join(f"{int(n)} practitioners at wave {int(w)}" for w, n in n_w.items())
        + f", {counts['answers_in_scope']} answers in all. Each scenario asked, for example: {questions}"
    )
    section.markdown(
        f"**How answers were coded.** Two coders independently coded every answer for each of the {len(frame['outcomes'])} "
        "learning outcomes of the project's coding frame (below), on a three-point scale: "
        + ", ".join(f"{k} {v}" for k, v in frame["scale"].items())
        + ". No published frame with anchors for these outcomes was found, so the project wrote one; every level has a "
        "written anchor describing what an answer at that level looks like."
    )
    section.table("coding_frame", frame_display(frame), caption="The coding frame: learning outcomes, definitions and anchors for each level.")
    section.markdown(describe_reliability(rel, frame))
    disp = rel.assign(verdict=rel["verdict"].str.replace("_", " "))[
        ["label", "n_answers", "pct_agreement", "kappa_quadratic", "alpha", "alpha_ci_low", "alpha_ci_high", "verdict"]]
    section.table(
        "reliability", disp,
        caption="Agreement between coders A and B for each learning outcome (answers coded by both).",
        count_columns=["n_answers"], dependent_columns={c: "n_answers" for c in ["pct_agreement", "kappa_quadratic", "alpha", "alpha_ci_low", "alpha_ci_high"]},
        note="Kappa: Cohen's kappa with quadratic weights. Alpha: Krippendorff's alpha for ordinal codes, with a 95% bootstrap CI (answers resampled).",
    )
    section.markdown(describe_resolution(results[RESOLVED.key], frame))
    section.markdown(describe_alignment(scores, frame))
    figs = []
    fig = chart_clearly_present(cp, rel, min_n=min_cell)
    top = cp.groupby("outcome").apply(lambda g: 100 * g["n_clearly_present"].sum() / max(1, g["n_answers"].sum()), include_groups=False)
    section.figure(
        "clearly_present", fig,
        alt=("Heatmap of the percentage of answers in which each of the learning outcomes was coded clearly present, with "
             "one column for each wave and training status (not yet trained, trained). Across all answers, "
             f"{_outcome_label(top.idxmax()).lower()} was most often clearly present ({top.max():.0f}%) and "
             f"{_outcome_label(top.idxmin()).lower()} least often ({top.min():.0f}%)."),
        caption=f"% of answers with the learning outcome clearly present (both coders, or the third coder, said so). Cells with fewer than {min_cell} answers are left blank.",
    )
    figs.append(fig)
    cp_disp = cp.assign(outcome=cp["outcome"].map(lambda o: _outcome_label(o, rel)), trained=cp["trained"].map(TRAINED_LABELS))
    section.table(
        "clearly_present", cp_disp,
        caption="Answers with each learning outcome clearly present, by wave and training status at the answer date.",
        count_columns=["n_answers", "n_clearly_present"], dependent_columns={"pct_clearly_present": "n_clearly_present"}, decimals=0,
    )
    section.markdown(describe_model(model, rel))
    if len(model):
        section.table(
            "model", _model_display(model, rel),
            caption=("Mixed-model estimates (points on the 0-100 alignment scale). First block: all terms of the model of the "
                     "overall score; then the training term of the model of each learning outcome's score."),
            count_columns=["n_practitioners", "n_answers"],
            note="Practitioner as random effect; CI: 95% Wald interval. Effect size: estimate divided by the SD of scores around the model's fixed effects.",
            decimals=2,
        )
    groups = results[GROUPS.key]
    gd = groups.assign(group=groups.apply(lambda r: ROLE_LABELS.get(r["group"], TRAINED_LABELS.get(r["group"], r["group"])), axis=1))
    section.table(
        "groups", gd,
        caption="Mean alignment of practitioners by training status, role and borough, per wave (a practitioner's score is the mean of their answers in the wave).",
        count_columns=["n_practitioners", "n_answers"], dependent_columns={"mean_alignment": "n_practitioners", "sd_alignment": "n_practitioners"},
        decimals=1,
    )
    if len(pw):
        fig = chart_distributions(pw)
        w = pw[pw["trained"] != "mixed"].groupby(["wave", "trained"])["alignment"].median()
        section.figure(
            "distributions", fig,
            alt=("Box plots with one dot per practitioner of alignment scores (0-100): on the left by wave and training status, "
                 "on the right by role. Median scores: " + "; ".join(
                     f"wave {int(wv)} {'trained' if t == 'yes' else 'not yet trained'} {v:.0f}" for (wv, t), v in w.items()) + "."),
            caption="Alignment per practitioner and wave, by training status and by role; n = practitioner-waves.",
        )
        figs.append(fig)
    section.markdown(describe_change(change))
    cd = change.assign(group=change["group"].map({**ROLLOUT_GROUPS, "difference_in_differences": "Difference in differences"}))
    cd["p"] = cd["p"].map(stats.describe_p)
    section.table(
        "change", cd,
        caption="Change in alignment between waves for practitioners who answered at both, by when they were trained.",
        count_columns=["n_practitioners"],
        dependent_columns={c: "n_practitioners" for c in ["mean_wave1", "mean_wave2", "mean_change", "ci_low", "ci_high", "boot_ci_low", "boot_ci_high", "d_z", "p"]},
        note="Difference in differences: mean change of those trained between the waves minus that of those not trained by wave 2 (Welch CI).",
        decimals=1,
    )
    rg = rollout_groups(pw)
    if len(rg):
        fig = chart_change(pw)
        means = rg.assign(ch=rg["wave2"] - rg["wave1"]).groupby("group")["ch"].mean()
        section.figure(
            "change", fig,
            alt=("Line charts, one line per practitioner from wave 1 to wave 2, in panels by rollout group, with the group mean "
                 "in bold. Mean change: " + "; ".join(f"{ROLLOUT_GROUPS[g].lower()} {means[g]:+.1f} points" for g in ROLLOUT_GROUPS if g in means) + "."),
            caption="Each practitioner's alignment at the two waves, by when they were trained.",
        )
        figs.append(fig)
    quotes = results.get("quotes")
    if quotes is not None and len(quotes):
        text = (f"**In their words.** {'One answer' if len(quotes) == 1 else f'{len(quotes)} answers'} from practitioners who "
                "agreed to be quoted (names removed), chosen as the most aligned answer to a scenario at the last wave:\n\n")
        text += "\n\n".join(f"> {q['quote']} *(scenario {q['scenario_id']}, wave {int(q['wave'])})*" for _, q in quotes.iterrows())
        section.markdown(text)
    section.markdown(CAVEATS)
    return figs
