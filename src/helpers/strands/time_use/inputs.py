"""Raw input of the time-use strand: the survey file, its activity list, and the row checks.

The activity list is data, not code: ``activities.csv`` beside this module (code, label, group,
direct_work, description). The survey has one ``hours_<code>`` column per activity, so when focus
groups change the list, the expected columns, the data dictionary and the analysis follow the file.
A different list can be passed to :func:`survey_schema` (e.g. one shipped with a real extract).

Checks beyond the per-column ones of :mod:`helpers.ingest` (negative, non-numeric or blank hours
reject the row there): the weekly total of the hours must lie in a plausible range
(:data:`MIN_WEEKLY_HOURS`..:data:`MAX_WEEKLY_HOURS`); a row outside it is rejected with file, row,
the column ``hours_total`` and the total found, and reconciled like any other rejected row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import ingest
from ...config import BOROUGH_NAMES
from ...ingest import Column, IngestResult, RawFile
from ...roster import ROLES

STRAND = "time_use"
ACTIVITIES_FILE = Path(__file__).with_name("activities.csv")
#: A typical week's total hours outside this range is implausible (a full-time week is 37 hours;
#: 80 allows heavy overtime; under 5 is not a working week). Rows outside are rejected.
MIN_WEEKLY_HOURS = 5.0
MAX_WEEKLY_HOURS = 80.0
#: Hours for one activity in one week: above this the value is rejected as impossible.
MAX_ACTIVITY_HOURS = 80.0
TOTAL_COLUMN = "hours_total"

TRAINING_STATUS = {
    "trained": "Had completed the systemic training when answering",
    "in_training": "On the systemic training course when answering",
    "not_trained": "Not (yet) trained when answering",
}
WAVES = {"1": "Wave 1", "2": "Wave 2", "3": "Wave 3", "4": "Wave 4"}


def load_activities(path: str | Path = ACTIVITIES_FILE) -> pd.DataFrame:
    """The activity list (one row per activity): code, label, group, direct_work (bool), description.

    Exactly one activity must be marked ``direct_work = yes`` (the share the analysis follows); codes
    must be unique lower-case identifiers.
    """
    acts = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"code", "label", "direct_work"} - set(acts.columns)
    if missing:
        raise ingest.IngestError(f"{path}: activity list lacks column(s) {', '.join(sorted(missing))}")
    acts["code"] = acts["code"].str.strip()
    if acts["code"].duplicated().any() or not acts["code"].str.fullmatch(r"[a-z][a-z0-9_]*").all():
        raise ingest.IngestError(f"{path}: activity codes must be unique lower-case identifiers (a-z, 0-9, _)")
    acts["direct_work"] = acts["direct_work"].str.strip().str.lower().isin(["yes", "y", "true", "1"])
    if acts["direct_work"].sum() != 1:
        raise ingest.IngestError(f"{path}: exactly one activity must have direct_work = yes")
    return acts.reset_index(drop=True)


def hours_column(code: str) -> str:
    return f"hours_{code}"


def survey_schema(activities: pd.DataFrame | None = None) -> RawFile:
    """The declared format of ``time_use_survey.csv`` for an activity list (default: the shipped one)."""
    acts = load_activities() if activities is None else activities
    hour_cols = tuple(
        Column(
            hours_column(a.code),
            "number",
            f"Hours in a typical week: {a.label.lower()}. {a.description} 0 if none; blank, negative or over "
            f"{MAX_ACTIVITY_HOURS:g} rejects the row.",
            minimum=0,
            maximum=MAX_ACTIVITY_HOURS,
        )
        for a in acts.itertuples()
    )
    return RawFile(
        key="time_use_survey",
        filename="time_use_survey.csv",
        strand=STRAND,
        description=(
            "One row per practitioner per survey wave: hours spent in a typical week on each activity of the "
            "activity list (src/helpers/strands/time_use/activities.csv; one hours_<code> column per activity). "
            f"A row whose hours add up to less than {MIN_WEEKLY_HOURS:g} or more than {MAX_WEEKLY_HOURS:g} a week is "
            "rejected (column hours_total in the issues file)."
        ),
        unique_key=("practitioner_id", "wave"),
        columns=(
            Column(
                "practitioner_id",
                "string",
                "The LA's staff identifier, as in practitioners.csv (pseudonymised at ingest).",
                identifier_prefix="P",
            ),
            Column("wave", "category", "Survey wave (1 = first survey, 2 = the repeat, ...).", codes=WAVES),
            Column("completed_on", "date", "Date the survey was answered (YYYY-MM-DD)."),
            Column("borough", "category", "Employing borough.", codes={b: b for b in BOROUGH_NAMES}),
            Column("role", "category", "Role when answering.", codes=ROLES),
            Column("training_status", "category", "Systemic training status when answering.", codes=TRAINING_STATUS),
            *hour_cols,
        ),
    )


SURVEY = survey_schema()
RAW_FILES = (SURVEY,)


def check_weekly_totals(
    result: IngestResult, activities: pd.DataFrame, minimum: float = MIN_WEEKLY_HOURS, maximum: float = MAX_WEEKLY_HOURS
) -> IngestResult:
    """Reject accepted rows whose weekly total is outside ``minimum``..``maximum`` hours.

    Each is logged (file, row, ``hours_total``, the total, the reason) and moved to the rejected rows,
    so rows read = accepted + rejected still holds. Returns the same (updated) result.
    """
    cols = [hours_column(c) for c in activities["code"]]
    total = result.data[cols].sum(axis=1, min_count=len(cols)).to_numpy()
    bad = (total < minimum) | (total > maximum)
    reasons = [
        f"weekly total {t:g} hours is "
        + (f"below the plausible minimum {minimum:g}" if t < minimum else f"above the plausible maximum {maximum:g}")
        for t in total
    ]
    return ingest.reject_accepted_rows(result, bad, TOTAL_COLUMN, [f"{t:g}" for t in total], reasons)


def load_survey(
    raw_dir,
    processed_dir: Path,
    activities: pd.DataFrame | None = None,
    borough_names=BOROUGH_NAMES,
    key: bytes | None = None,
) -> IngestResult:
    """Read ``time_use_survey.csv``: ingest checks, the weekly-total check, the data-quality record
    saved; then keep the selected boroughs."""
    acts = load_activities() if activities is None else activities
    schema = SURVEY if activities is None else survey_schema(acts)
    result = ingest.read_raw(schema, raw_dir, key=key)
    check_weekly_totals(result, acts)
    ingest.save_ingest_record(result, processed_dir)
    result.data = result.data[result.data["borough"].isin(borough_names)].reset_index(drop=True)
    return result
