"""The programme as implemented: pure functions from the practitioners' roster to tables.

Roles are grouped as the programme stated its reach (``shared/reference/programme.md``: "trained
over 500 social workers and related practitioners, over 160 supervising practitioners"):
practitioners (social workers, senior social workers, family support workers), supervisors
(supervisors and team managers) and clinicians (embedded in teams; counted, not compared with a
training target). The roster holds the practitioners taking part in the evaluation, not every member
of staff, so its counts are set beside the stated reach, not expected to reach it.
"""

from __future__ import annotations

import pandas as pd

from ...ingest import Field, OutputTable

REACH_GROUPS = {
    "social_worker": "Practitioners",
    "senior_social_worker": "Practitioners",
    "family_support_worker": "Practitioners",
    "supervisor": "Supervisors",
    "clinician": "Clinicians",
}
GROUP_ORDER = ("Practitioners", "Supervisors", "Clinicians")

CUMULATIVE = OutputTable(
    key="cumulative_trained",
    filename="implementation/cumulative_trained.csv",
    strand="implementation",
    description="Cumulative number of roster members who had completed systemic training, at each completion date, by reach group and by borough.",
    fields=(
        Field("date", "date", "A date on which at least one roster member completed training (YYYY-MM-DD)."),
        Field("dimension", "string", "'reach group' or 'borough': what the group column holds."),
        Field("group", "string", "The reach group (Practitioners, Supervisors, Clinicians) or the borough."),
        Field(
            "trained",
            "integer",
            "Roster members of the group trained on or before the date (people: suppressed when small in the report).",
        ),
    ),
)
REACH = OutputTable(
    key="reach",
    filename="implementation/reach.csv",
    strand="implementation",
    description="One row per reach group: roster members, how many completed training, by when, and the programme's stated reach.",
    fields=(
        Field("group", "string", "Reach group."),
        Field("in_roster", "integer", "Roster members in the group."),
        Field("trained", "integer", "Of those, how many completed systemic training."),
        Field("share_trained", "number", "trained / in_roster, as a percentage."),
        Field("first_trained", "date", "Earliest completion date in the group."),
        Field(
            "half_trained_by",
            "date",
            "Date by which half of the group's roster members had completed training; blank if never.",
        ),
        Field(
            "stated_reach",
            "integer",
            "The programme's stated reach for the group ('over N'); blank where none was stated.",
        ),
    ),
)
CLINICIANS = OutputTable(
    key="clinicians",
    filename="implementation/clinicians.csv",
    strand="implementation",
    description="Clinicians embedded in social work teams, by borough.",
    fields=(
        Field("borough", "string", "Borough."),
        Field("clinicians", "integer", "Clinicians in the roster (people)."),
        Field("teams", "integer", "Teams in the roster (not people)."),
        Field("teams_with_clinician", "integer", "Teams with at least one clinician (not people)."),
    ),
)
OUTPUTS = (CUMULATIVE, REACH, CLINICIANS)


def with_groups(practitioners: pd.DataFrame) -> pd.DataFrame:
    """The roster with ``reach_group`` and ``completed`` (a date, or NaT when not trained)."""
    out = practitioners.copy()
    out["reach_group"] = out["role"].map(REACH_GROUPS).fillna("Other")
    out["completed"] = pd.to_datetime(out["training_completed"], errors="coerce")
    return out


def cumulative_trained(practitioners: pd.DataFrame) -> pd.DataFrame:
    """Cumulative trained at each completion date, by reach group and by borough (long table)."""
    data = with_groups(practitioners)
    dates = sorted(data["completed"].dropna().unique())
    rows = []
    for dimension, column, groups in (
        ("reach group", "reach_group", [g for g in GROUP_ORDER if g in set(data["reach_group"])]),
        ("borough", "borough", sorted(data["borough"].unique())),
    ):
        for group in groups:
            done = data.loc[data[column] == group, "completed"].dropna()
            for d in dates:
                rows.append(
                    {
                        "date": pd.Timestamp(d).strftime("%Y-%m-%d"),
                        "dimension": dimension,
                        "group": group,
                        "trained": int((done <= d).sum()),
                    }
                )
    return pd.DataFrame(rows, columns=CUMULATIVE.column_names)


def half_trained_by(completed: pd.Series, total: int):
    """The first date by which at least half of ``total`` people had completed training, or None."""
    if total == 0:
        return None
    done = completed.dropna().sort_values().reset_index(drop=True)
    needed = -(-total // 2)  # ceil(total / 2)
    if len(done) < needed:
        return None
    return done.iloc[needed - 1]


def reach(practitioners: pd.DataFrame, stated: dict[str, int]) -> pd.DataFrame:
    """One row per reach group: in roster, trained, share, first date, date half trained, stated reach."""
    data = with_groups(practitioners)
    rows = []
    for group in GROUP_ORDER:
        sub = data[data["reach_group"] == group]
        trained = int(sub["completed"].notna().sum())
        half = half_trained_by(sub["completed"], len(sub))
        first = sub["completed"].min()
        rows.append(
            {
                "group": group,
                "in_roster": len(sub),
                "trained": trained,
                "share_trained": 100.0 * trained / len(sub) if len(sub) else float("nan"),
                "first_trained": "" if pd.isna(first) else first.strftime("%Y-%m-%d"),
                "half_trained_by": "" if half is None else half.strftime("%Y-%m-%d"),
                "stated_reach": stated.get(group),
            }
        )
    out = pd.DataFrame(rows, columns=REACH.column_names)
    out["stated_reach"] = out["stated_reach"].astype("Int64")
    return out


def clinicians(practitioners: pd.DataFrame, boroughs) -> pd.DataFrame:
    """Clinicians and teams with a clinician, per borough (every selected borough, even if empty)."""
    rows = []
    for b in boroughs:
        sub = practitioners[practitioners["borough"] == b]
        clin = sub[sub["role"] == "clinician"]
        rows.append(
            {
                "borough": b,
                "clinicians": len(clin),
                "teams": sub["team"].nunique(),
                "teams_with_clinician": clin["team"].nunique(),
            }
        )
    return pd.DataFrame(rows, columns=CLINICIANS.column_names)


def overall_half_trained(practitioners: pd.DataFrame):
    """Date by which half of the roster's practitioners and supervisors (not clinicians) were trained."""
    data = with_groups(practitioners)
    staff = data[data["reach_group"].isin(["Practitioners", "Supervisors"])]
    return half_trained_by(staff["completed"], len(staff)), len(staff), int(staff["completed"].notna().sum())


def analyse(practitioners: pd.DataFrame, boroughs, stated: dict[str, int]) -> dict:
    """Every result the section needs."""
    half, n_staff, n_trained = overall_half_trained(practitioners)
    data = with_groups(practitioners)
    return {
        CUMULATIVE.key: cumulative_trained(practitioners),
        REACH.key: reach(practitioners, stated),
        CLINICIANS.key: clinicians(practitioners, boroughs),
        "half_trained_by": half,
        "n_staff": n_staff,
        "n_staff_trained": n_trained,
        "last_completed": data["completed"].max(),
    }
