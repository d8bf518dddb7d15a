"""Synthetic time-use survey (``time_use_survey.csv``): the roster's practitioners, two waves.

The same practitioners as the practice-scenarios strand (``ctx.practitioners``). Wave 1 is answered
in October-November 2014, as training began; wave 2 two years later. About 80% answer wave 1 and 75%
wave 2 (independently), so about 60% answer both.

How a week is made. Total hours ~ Normal(40, 5) clipped to 20..60 (family support workers and
clinicians a little fewer). The direct-work share at wave 1 is ``BASE_DIRECT`` + a role shift +
Normal(0, ``SD_DIRECT``); at wave 2 it is the wave-1 share + the planted change ``direct_share_change``
+ Normal(0, ``SD_DIRECT_CHANGE``), clipped to 0.03..0.75 (the clip binds in well under 1% of answers).
The other activities share the rest of the week in proportions drawn afresh at each wave from a
Dirichlet around :data:`OTHER_SHARES`, so the planted change comes out of them proportionally. Hours
are rounded to the half hour, which moves each share by at most a few tenths of a percentage point
and leaves the expected change unchanged. The planted change is in the *practitioner's direct-work
share* (0-1), which is what the analysis estimates for practitioners answering both waves.

Training status: ``trained`` when the roster's training was completed on or before the answer date,
``in_training`` when completed within the following 90 days (on the course), else ``not_trained``.

Malformed rows (each rejected for one reason) are added for practitioner-waves that gave no answer,
so they never duplicate a valid row: a negative hours value, a blank hours value, a non-numeric hours
value, a weekly total over 80 and one under 5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..strands.time_use.inputs import MAX_WEEKLY_HOURS, MIN_WEEKLY_HOURS, hours_column, load_activities

FILENAME = "time_use_survey.csv"
WAVE_START = {1: pd.Timestamp("2014-10-06"), 2: pd.Timestamp("2016-10-03")}
WAVE_DAYS = 50
P_ANSWER = {1: 0.80, 2: 0.75}
BASE_DIRECT = 0.22
ROLE_DIRECT = {
    "social_worker": 0.0,
    "senior_social_worker": -0.02,
    "supervisor": -0.08,
    "family_support_worker": 0.10,
    "clinician": 0.05,
}
ROLE_HOURS = {"family_support_worker": -3.0, "clinician": -4.0}
SD_DIRECT = 0.06
SD_DIRECT_CHANGE = 0.05
#: Mean proportions of the non-direct part of the week (normalised over the listed activities).
OTHER_SHARES = {
    "case_recording": 0.34,
    "internal_meetings": 0.12,
    "multi_agency_meetings": 0.12,
    "supervision": 0.08,
    "training": 0.06,
    "travel": 0.14,
    "administration": 0.14,
}
DIRICHLET_CONCENTRATION = 60.0


def _status(completed: str, answered: pd.Timestamp) -> str:
    if not completed:
        return "not_trained"
    done = pd.Timestamp(completed)
    if done <= answered:
        return "trained"
    return "in_training" if (done - answered).days <= 90 else "not_trained"


def _week(rng, direct: float, total: float, others: list[str]) -> dict:
    base = np.array([OTHER_SHARES.get(c, 0.1) for c in others])
    props = rng.dirichlet(DIRICHLET_CONCENTRATION * base / base.sum())
    hours = {"direct": direct * total, **{c: (1 - direct) * total * p for c, p in zip(others, props, strict=False)}}
    return {k: round(v * 2) / 2 for k, v in hours.items()}


def generate(ctx) -> dict:
    rng = ctx.rng("time_use")
    acts = load_activities()
    direct_code = str(acts.loc[acts["direct_work"], "code"].iloc[0])
    others = [c for c in acts["code"] if c != direct_code]
    change = ctx.effect("time_use", "direct_share_change", 0.06)
    staff = ctx.practitioners.reset_index(drop=True)
    n = len(staff)
    total_hours = np.clip(rng.normal(40, 5, n) + staff["role"].map(ROLE_HOURS).fillna(0).to_numpy(), 20, 60)
    d1 = BASE_DIRECT + staff["role"].map(ROLE_DIRECT).fillna(0).to_numpy() + rng.normal(0, SD_DIRECT, n)
    d2 = d1 + change + rng.normal(0, SD_DIRECT_CHANGE, n)
    d1, d2 = np.clip(d1, 0.03, 0.75), np.clip(d2, 0.03, 0.75)
    answers = {w: rng.random(n) < P_ANSWER[w] for w in (1, 2)}
    rows, unanswered = [], []
    for wave, direct in ((1, d1), (2, d2)):
        dates = WAVE_START[wave] + pd.to_timedelta(rng.integers(0, WAVE_DAYS, n), unit="D")
        total_w = np.clip(total_hours + rng.normal(0, 2, n), 20, 60)
        for i in range(n):
            p = staff.iloc[i]
            week = _week(rng, float(direct[i]), float(total_w[i]), others)
            row = {
                "practitioner_id": p["practitioner_id"],
                "wave": str(wave),
                "completed_on": dates[i].strftime("%Y-%m-%d"),
                "borough": p["borough"],
                "role": p["role"],
                "training_status": _status(p["training_completed"], dates[i]),
                hours_column(direct_code): f"{week['direct']:g}",
                **{hours_column(c): f"{week[c]:g}" for c in others},
            }
            (rows if answers[wave][i] else unanswered).append(row)
    table = pd.DataFrame(rows)
    both = answers[1] & answers[2]
    realised = float(np.mean((d2 - d1)[both])) if both.any() else float("nan")

    # Malformed rows, from practitioner-waves with no answer (never a duplicate of a valid row).
    hcols = [hours_column(c) for c in acts["code"]]
    bad = []
    pick = rng.choice(len(unanswered), size=min(5, len(unanswered)), replace=False)
    kinds = ["negative", "blank", "not_a_number", "total_too_high", "total_too_low"]
    for kind, j in zip(kinds, pick, strict=False):
        row = dict(unanswered[j])
        if kind == "negative":
            row[hcols[1]] = "-2"
        elif kind == "blank":
            row[hcols[2]] = ""
        elif kind == "not_a_number":
            row[hcols[3]] = "lots"
        elif kind == "total_too_high":
            row[hcols[0]] = f"{MAX_WEEKLY_HOURS:g}"
        else:
            row.update({c: "0" for c in hcols})
            row[hcols[0]] = f"{MIN_WEEKLY_HOURS - 2:g}"
        bad.append(row)
    order = np.r_[np.arange(len(table)), rng.uniform(0, len(table), size=len(bad))]
    out = pd.concat([table, pd.DataFrame(bad)], ignore_index=True)
    out = out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    columns = ["practitioner_id", "wave", "completed_on", "borough", "role", "training_status", *hcols]
    ctx.write_csv(out[columns], FILENAME)
    return {
        "file": FILENAME,
        "rows_written": int(len(out)),
        "answers_valid": int(len(table)),
        "practitioners": int(n),
        "practitioners_both_waves": int(both.sum()),
        "malformed_rows": len(bad),
        "malformed_reasons": kinds[: len(bad)],
        "rejected_by_total_check": int(sum(k.startswith("total") for k in kinds[: len(bad)])),
        "planted": {
            "direct_share_change": change,
            "realised_latent_mean_change_both_waves": realised,
            "note": "change in each practitioner's direct-work share (0-1 scale) from wave 1 to wave 2, "
            "before rounding hours to the half hour",
        },
        "mean_direct_share_wave1_latent": float(d1.mean()),
    }
