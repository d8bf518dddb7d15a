"""Practice scenarios report section: the model and change tables as the report shows them (their
rows, columns and headers), and the change table as a reader sees it after suppression."""

from __future__ import annotations

import pandas as pd

from helpers import stats
from helpers.disclosure import suppress_table

from .charts import _outcome_label
from .describe import term_group_size
from .outputs import PAIRED_NAMES, PAIRED_RESULTS

#: The change table's values (:func:`helpers.stats.paired_change_values`: every paired-change result it
#: carries but the count), each hidden with the practitioners it is computed from, or for the difference
#: in differences with the smaller of its two groups (``n_smaller``)
CHANGE_VALUES = stats.paired_change_values(PAIRED_RESULTS, PAIRED_NAMES)
CHANGE_COUNTS = [PAIRED_NAMES["n"], "n_smaller"]
CHANGE_DEPENDENT = {c: CHANGE_COUNTS for c in CHANGE_VALUES}
#: The difference in differences is computed from the practitioners of these two groups: its count
#: is their sum, a margin of the change table.
CHANGE_MARGINS = [
    {
        "column": "group",
        "total": "difference_in_differences",
        "parts": ["trained_between_waves", "not_trained_by_wave2"],
    }
]


def with_smaller_group(change: pd.DataFrame) -> pd.DataFrame:
    """Adds ``n_smaller``: for the difference in differences, the smaller of its two groups (blank on
    the other rows), so that a difference involving a small group is suppressed with it."""
    c = change.copy()
    sizes = dict(zip(c["group"], c["n_practitioners"], strict=True))
    parts = [sizes.get(g, 0) for g in CHANGE_MARGINS[0]["parts"]]
    c["n_smaller"] = [float(min(parts)) if g == "difference_in_differences" else float("nan") for g in c["group"]]
    return c


def change_shown(change: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """The change table as a reader sees it (primary and secondary suppression), for the prose."""
    return suppress_table(
        with_smaller_group(change),
        CHANGE_COUNTS,
        CHANGE_DEPENDENT,
        threshold=threshold,
        row_margins=CHANGE_MARGINS,
    )


def _model_name(m: str, rel: pd.DataFrame) -> str:
    return {
        "overall": "All outcomes",
        "overall_within": "All outcomes, within practitioners (Mundlak)",
        "overall_reliable_outcomes": "Reliable outcomes only",
    }.get(m, _outcome_label(m, rel))


def _model_sizes(model: pd.DataFrame, rel: pd.DataFrame) -> pd.DataFrame:
    """The practitioners and answers each model was fitted on, once per model (not repeated on every
    term's row, where a number suppressed in one row would be read in the next)."""
    sizes = model.drop_duplicates("model")[["model", "n_practitioners", "n_answers"]]
    return sizes.assign(model=sizes["model"].map(lambda m: _model_name(m, rel))).rename(columns={"model": "score"})


def _model_display(model: pd.DataFrame, rel: pd.DataFrame, answers: pd.DataFrame) -> pd.DataFrame:
    t = model.copy()
    t["n_group"] = [term_group_size(term, answers) for term in t["term"]]
    t["model"] = t["model"].map(lambda m: _model_name(m, rel))
    t["p"] = t["p"].map(stats.describe_p)
    t["p_holm"] = t["p_holm"].map(lambda p: "" if pd.isna(p) else stats.describe_p(p))
    return t.rename(columns={"model": "score", "label": "term_in_words"})[
        [
            "score",
            "term_in_words",
            "estimate",
            "ci_low",
            "ci_high",
            "effect_size",
            "p",
            "p_holm",
            "n_group",
        ]
    ]


MODEL_LABELS = {
    "score": "Score",
    "term_in_words": "Term",
    "estimate": "Estimate (points)",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "effect_size": "Standardised effect",
    "p": "p-value",
    "p_holm": "p-value, Holm-adjusted over the eight outcomes",
    "n_group": "Practitioners in the smaller group compared",
}
MODEL_SIZE_LABELS = {
    "score": "Score",
    "n_practitioners": "Practitioners in the model",
    "n_answers": "Answers in the model",
}
CHANGE_LABELS = {
    "group": "Group",
    "n_practitioners": "Practitioners",
    "n_smaller": "Practitioners in the smaller group",
    "mean_wave1": "Mean at wave 1",
    "mean_wave2": "Mean at wave 2",
    "mean_change": "Mean change",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "boot_ci_low": "Bootstrap 95% CI low",
    "boot_ci_high": "Bootstrap 95% CI high",
    "d_z": "Effect size (d_z)",
    "p": "p-value",
}
