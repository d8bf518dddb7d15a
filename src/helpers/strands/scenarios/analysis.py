"""Practice scenarios analysis: reliability, resolution, alignment scores, models and change.

Pure functions of DataFrames (no plotting, no prose). The parts live in their own modules and are all
importable from here: the processed tables (:mod:`.outputs`, :data:`OUTPUTS`), the coders' reliability
(:mod:`.reliability`), codes to scores (:mod:`.scores`) and the mixed models (:mod:`.models`); this module
holds the change between waves, the quotes and :func:`analyse`, which runs them all.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import redaction, stats

from .inputs import FRAME, ROLLOUT_GROUPS
from .models import _term_label, fit_mixed, model_table
from .outputs import (
    ANSWER_SCORES,
    CHANGE,
    CLEARLY_PRESENT,
    CODING_FRAME,
    GROUPS,
    MODEL,
    OUTPUTS,
    PAIRED_NAMES,
    PAIRED_RESULTS,
    PRACTITIONER_WAVES,
    RELIABILITY,
    RESOLVED,
    coding_frame_table,
)
from .reliability import (
    _ordinal_alpha_from_pair_counts,
    bca_interval,
    coder_table,
    krippendorff_alpha,
    ordinal_alpha_bootstrap,
    percent_agreement,
    reliability_table,
    verdict,
    weighted_kappa,
)
from .scores import (
    alignment,
    answer_scores,
    clearly_present_table,
    group_table,
    outcome_scores,
    practitioner_waves,
    resolve_codes,
)

__all__ = [
    "ANSWER_SCORES",
    "CHANGE",
    "CLEARLY_PRESENT",
    "CODING_FRAME",
    "GROUPS",
    "MODEL",
    "OUTPUTS",
    "PRACTITIONER_WAVES",
    "RELIABILITY",
    "RESOLVED",
    "_ordinal_alpha_from_pair_counts",
    "_term_label",
    "alignment",
    "analyse",
    "answer_scores",
    "bca_interval",
    "change_table",
    "clearly_present_table",
    "coder_table",
    "coding_frame_table",
    "fit_mixed",
    "group_table",
    "krippendorff_alpha",
    "model_table",
    "ordinal_alpha_bootstrap",
    "outcome_scores",
    "percent_agreement",
    "practitioner_waves",
    "quotable_answers",
    "reliability_table",
    "resolve_codes",
    "rollout_groups",
    "verdict",
    "weighted_kappa",
]


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
        rows.append({"group": group, **stats.paired_change_row(res, PAIRED_RESULTS, PAIRED_NAMES)})
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
