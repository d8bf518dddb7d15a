"""From codes to scores: one resolved code per answer and outcome, alignment per answer and per
practitioner and wave, and the descriptive tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers import roster

from .inputs import FRAME, OUTCOMES, check_codes
from .outputs import ANSWER_SCORES, CLEARLY_PRESENT, GROUPS, PRACTITIONER_WAVES, RESOLVED
from .reliability import coder_table


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
