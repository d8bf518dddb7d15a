"""The processed tables the practice-scenarios analysis writes (:data:`OUTPUTS`), as the data dictionary documents them."""

from __future__ import annotations

import pandas as pd

from helpers import stats
from helpers.ingest import Field, OutputTable

from .inputs import FRAME, STRAND


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
#: The paired change of alignment (:func:`helpers.stats.paired_change`), declared once for every strand.
PAIRED_RESULTS = (
    "n",
    "mean_before",
    "mean_after",
    "mean_change",
    "ci_low",
    "ci_high",
    "boot_ci_low",
    "boot_ci_high",
    "d_z",
    "p",
)
PAIRED_NAMES = {"n": "n_practitioners", "mean_before": "mean_wave1", "mean_after": "mean_wave2"}
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
        *stats.paired_change_fields(
            PAIRED_RESULTS,
            unit="practitioners",
            names=PAIRED_NAMES,
            notes={
                "n": "For the DiD: both groups.",
                "mean_before": "Alignment (0-100).",
                "mean_after": "Alignment (0-100).",
                "mean_change": "For the DiD, the difference between the two groups' mean changes.",
                "ci_low": "For the DiD: Welch t.",
                "boot_ci_low": "For the DiD: practitioners resampled within each group.",
                "d_z": "Blank for the DiD.",
                "p": "For the DiD: Welch t-test.",
            },
        ),
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
