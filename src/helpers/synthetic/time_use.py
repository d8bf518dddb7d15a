"""Synthetic time-use survey (``time_use_survey.csv``): the roster's practitioners, two waves.

The same practitioners as the practice-scenarios strand (``ctx.practitioners``). Wave 1 is answered
in October-November 2014, as training began; wave 2 two years later. About 80% answer wave 1 and 75%
wave 2 (independently), so about 60% answer both.

How a week is made. Total hours ~ Normal(40, 5) clipped to 20..60 (family support workers and
clinicians a little fewer). The direct-work share at wave 1 is ``BASE_DIRECT`` + a role shift +
Normal(0, ``SD_DIRECT``), clipped to 0.03..0.75; at wave 2 it is the wave-1 share + the planted change
``direct_share_change`` + the practitioner's *team* shift + Normal(0, ``SD_DIRECT_CHANGE``), clipped to
0.03..0.75.

Team effect. Practitioners sit in roster teams (the ``team`` column of ``practitioners.csv``, about six
a borough, about ten practitioners each at the default size). Teams share what moves a week between
waves (a manager's priorities, a vacancy, a court-heavy caseload, a new recording system), so the
wave-2 change has a team-level shift, Normal(0, ``team_change_sd``) per team, drawn independently for
each team from its own random stream (``time_use.teams``): mean zero over the population of teams.
Default :data:`TEAM_CHANGE_SD` = 0.02 (2 percentage points) against the practitioner-level SD of 0.05:
an intra-team correlation of the change of 0.02^2 / (0.02^2 + 0.05^2) = 0.14, inside the 0.05-0.20
usually reported for workload and practice measures of staff nested in teams or wards, and a design
effect of about 1 + (6 - 1) x 0.14 = 1.7 for the six or so practitioners a team who answer both waves
(so an interval that treats practitioners as independent is visibly too narrow). Overridable with
``ctx.effect("time_use", "team_change_sd", ...)`` (0 switches it off) and recorded in the truth record.

The expected change stays exactly the planted value despite the clip: for each practitioner the wave-2
mean is nudged by an offset ``o`` solved so that E[clip(d1 + change + o + e)] = d1 + change with
e ~ Normal(0, sqrt(team_change_sd^2 + SD_DIRECT_CHANGE^2)) (the clipped-normal mean in closed form;
``o`` is 0 to machine precision except for practitioners within a few SDs of a bound, mostly
supervisors at the lower one, and under a thousandth for all but the few within 1-2 SDs), so
E[d2 - d1] = change for every practitioner and hence for any set of them chosen independently of the
noise (who answers both waves is). The truth record counts the practitioners nudged by more than
1e-6 and any for whom d1 + change lies outside the range (no offset can work there; plain clip).
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
from scipy import optimize
from scipy import stats as st

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
#: SD of the team-level shift in the wave-2 change (0-1 scale); see the module docstring.
TEAM_CHANGE_SD = 0.02
SHARE_RANGE = (0.03, 0.75)
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


def clipped_normal_mean(mu, sd: float, lo: float = SHARE_RANGE[0], hi: float = SHARE_RANGE[1]):
    """E[clip(X, lo, hi)] for X ~ Normal(mu, sd^2) (elementwise over ``mu``)."""
    mu = np.asarray(mu, dtype=float)
    if sd <= 0:
        return np.clip(mu, lo, hi)
    a, b = (lo - mu) / sd, (hi - mu) / sd
    return (
        lo * st.norm.cdf(a)
        + hi * st.norm.sf(b)
        + mu * (st.norm.cdf(b) - st.norm.cdf(a))
        + sd * (st.norm.pdf(a) - st.norm.pdf(b))
    )


def mean_preserving_offsets(target, sd: float, lo: float = SHARE_RANGE[0], hi: float = SHARE_RANGE[1]):
    """Offsets ``o`` with E[clip(target + o + e, lo, hi)] = target, e ~ Normal(0, sd^2).

    NaN where ``target`` is outside (lo, hi) (no offset can work: the caller clips plainly)."""
    target = np.asarray(target, dtype=float)
    out = np.zeros_like(target)
    if sd <= 0:
        out[(target < lo) | (target > hi)] = np.nan
        return out
    for i, t in enumerate(target):
        if not lo < t < hi:
            out[i] = np.nan
        elif abs(clipped_normal_mean(t, sd, lo, hi) - t) > 1e-12:
            # E[clip(t + o + e)] rises monotonically in o from lo to hi: one root
            out[i] = optimize.brentq(lambda o, t=t: clipped_normal_mean(t + o, sd, lo, hi) - t, -1.0, 1.0, xtol=1e-14)
    return out


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
    team_sd = ctx.effect("time_use", "team_change_sd", TEAM_CHANGE_SD)
    staff = ctx.practitioners.reset_index(drop=True)
    n = len(staff)
    teams = sorted(staff["team"].astype(str).unique())
    team_shift = dict(zip(teams, ctx.rng("time_use.teams").normal(0, team_sd, len(teams)), strict=True))
    shift = staff["team"].astype(str).map(team_shift).to_numpy(dtype=float)
    total_hours = np.clip(rng.normal(40, 5, n) + staff["role"].map(ROLE_HOURS).fillna(0).to_numpy(), 20, 60)
    d1 = BASE_DIRECT + staff["role"].map(ROLE_DIRECT).fillna(0).to_numpy() + rng.normal(0, SD_DIRECT, n)
    d1 = np.clip(d1, *SHARE_RANGE)
    offset = mean_preserving_offsets(d1 + change, float(np.hypot(team_sd, SD_DIRECT_CHANGE)))
    d2 = np.clip(d1 + change + np.nan_to_num(offset) + shift + rng.normal(0, SD_DIRECT_CHANGE, n), *SHARE_RANGE)
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

    hcols = [hours_column(c) for c in acts["code"]]
    bad, kinds = _malformed_rows(rng, unanswered, hcols)
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
        "teams": len(teams),
        "planted": {
            "direct_share_change": change,
            "team_change_sd": team_sd,
            "practitioner_change_sd": SD_DIRECT_CHANGE,
            "icc_change": team_sd**2 / (team_sd**2 + SD_DIRECT_CHANGE**2),
            "practitioners_offset_for_clip": int((np.abs(np.nan_to_num(offset)) > 1e-6).sum()),
            "practitioners_change_not_preserved": int(np.isnan(offset).sum()),
            "realised_latent_mean_change_both_waves": realised,
            "note": "expected change in each practitioner's direct-work share (0-1 scale) from wave 1 to wave 2, "
            "before rounding hours to the half hour; the team shift has mean zero over the population of teams, "
            "so the estimand is the mean change a team-clustered interval covers",
        },
        "mean_direct_share_wave1_latent": float(d1.mean()),
    }


def _malformed_rows(rng, unanswered: list[dict], hcols: list[str]) -> tuple[list[dict], list[str]]:
    """Malformed rows, from practitioner-waves with no answer (never a duplicate of a valid row), and
    the kinds of fault, one per row."""
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
    return bad, kinds
