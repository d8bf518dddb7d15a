"""Raw inputs of the workforce strand: the HR extract (posts and absence spells).

Two CSV files, one folder (the strand's ``raw_dir`` or the CLI's ``--hr DIR``):

* ``hr_posts.csv``: one row per worker per post held (a worker who moves post, or leaves and comes
  back, has several rows). Agency (locum) assignments are posts with ``contract = agency``.
* ``hr_absence.csv``: one row per sickness-absence spell of an employee, with the working days lost.

Checks beyond each column's own (:mod:`helpers.ingest`): a post or spell that ends before it starts
is rejected (column ``end_date``). Identifiers are pseudonymised at ingest with the keyed hash, so a
worker's rows still join across the two files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ... import ingest
from ...config import BOROUGH_NAMES
from ...ingest import Column, IngestResult, RawFile

STRAND = "workforce"
HR_ROLES = {
    "social_worker": "Social worker (registered)",
    "senior_social_worker": "Senior, advanced or consultant social worker (registered)",
    "team_manager": "Team or unit manager, practice manager (registered social worker)",
    "family_support_worker": "Family support worker (not a registered social worker)",
    "clinician": "Clinician embedded in a team (family therapist, psychologist)",
    "other": "Any other post",
}
#: Roles counted by the DfE children's social work workforce census (registered social workers).
CENSUS_ROLES = ("social_worker", "senior_social_worker", "team_manager")
CONTRACTS = {"permanent": "Employed by the LA (permanent or fixed-term)", "agency": "Agency (locum) worker"}
LEAVING_REASONS = {
    "resigned": "Resigned",
    "moved_to_other_la": "Left for another local authority",
    "retired": "Retired",
    "dismissed": "Dismissed",
    "end_of_contract": "End of a fixed-term contract or agency assignment",
    "internal_move": "Moved to another post in the same LA (not a leaver)",
    "other": "Other or not known",
}
#: A reason that ends a row without the worker leaving the LA: not counted as a leaver.
NOT_A_LEAVER = ("internal_move",)
BOROUGH_CODES = {b: b for b in BOROUGH_NAMES}

POSTS = RawFile(
    key="hr_posts",
    filename="hr_posts.csv",
    strand=STRAND,
    description=(
        "HR extract, one row per worker per post held, 2012-2018 (or any period). Dates are YYYY-MM-DD; "
        "end_date is the last day in post (blank while still in post). A row ending before it starts is rejected."
    ),
    unique_key=("worker_id", "borough", "start_date"),
    columns=(
        Column(
            "worker_id",
            "string",
            "The LA's staff or agency-worker identifier (pseudonymised at ingest); the same person keeps it across posts.",
            identifier_prefix="W",
        ),
        Column("borough", "category", "Employing (or engaging) borough.", codes=BOROUGH_CODES),
        Column("team", "string", "Team name or code (not a person).", nullable=True),
        Column(
            "role",
            "category",
            f"Role in this post. Census indicators count {', '.join(CENSUS_ROLES)} only.",
            codes=HR_ROLES,
        ),
        Column(
            "fte",
            "number",
            "Full-time equivalent of the post (contracted hours / full-time hours).",
            minimum=0.01,
            maximum=1.0,
        ),
        Column("contract", "category", "Employment basis.", codes=CONTRACTS),
        Column("start_date", "date", "First day in this post (YYYY-MM-DD)."),
        Column("end_date", "date", "Last day in this post (YYYY-MM-DD); blank if still in post.", nullable=True),
        Column(
            "leaving_reason",
            "category",
            "Why the post ended; blank if still in post. internal_move is not a leaver.",
            nullable=True,
            codes=LEAVING_REASONS,
        ),
    ),
)

ABSENCE = RawFile(
    key="hr_absence",
    filename="hr_absence.csv",
    strand=STRAND,
    description=(
        "HR extract, one row per sickness-absence spell of an employee. A spell is counted for the post the worker "
        "held on its first day; a spell crossing 30 September is split between the two census years in proportion to "
        "its weekdays (Monday-Friday) on each side. A spell ending before it starts is rejected."
    ),
    unique_key=("worker_id", "borough", "start_date"),
    columns=(
        Column("worker_id", "string", "As in hr_posts.csv (pseudonymised at ingest).", identifier_prefix="W"),
        Column("borough", "category", "Employing borough.", codes=BOROUGH_CODES),
        Column("start_date", "date", "First day of absence (YYYY-MM-DD)."),
        Column("end_date", "date", "Last day of absence (YYYY-MM-DD)."),
        Column(
            "working_days_lost",
            "number",
            "Working days lost in the spell (days the worker was due to work).",
            minimum=0,
            maximum=366,
        ),
    ),
)

RAW_FILES = (POSTS, ABSENCE)


def check_dates(result: IngestResult) -> IngestResult:
    """Reject rows whose end_date is before start_date (logged with file, row and column)."""
    d = result.data
    bad = (d["end_date"].notna() & (d["end_date"] < d["start_date"])).to_numpy()
    values = [str(v.date()) if hasattr(v, "date") else "" for v in d["end_date"]]
    return ingest.reject_accepted_rows(result, bad, "end_date", values, ["ends before start_date"] * len(d))


def read_hr(raw_dir, key: bytes | None = None) -> tuple[IngestResult, IngestResult]:
    """Read and check both HR files (no data-quality record written: see :func:`load_hr`)."""
    posts = check_dates(ingest.read_raw(POSTS, raw_dir, key=key))
    absence = check_dates(ingest.read_raw(ABSENCE, raw_dir, key=key))
    return posts, absence


def load_hr(
    raw_dir, processed_dir: Path, borough_names=BOROUGH_NAMES, key: bytes | None = None
) -> tuple[IngestResult, IngestResult]:
    """Read both HR files, save their data-quality records, keep the selected boroughs."""
    posts, absence = read_hr(raw_dir, key=key)
    for r in (posts, absence):
        ingest.save_ingest_record(r, processed_dir)
        r.data = r.data[r.data["borough"].isin(borough_names)].reset_index(drop=True)
    return posts, absence


def _hr_files(raw_dir) -> tuple[list[str], list[str]]:
    """(HR files absent from the raw folder, HR files there that are the synthetic generator's)."""
    files = [Path(raw_dir) / spec.filename for spec in (POSTS, ABSENCE)]
    missing = [p.name for p in files if not p.exists()]
    return missing, [p.name for p in files if p.exists() and ingest.is_synthetic(p)]


def hr_left_out(raw_dir, la=None) -> str:
    """Why the HR part is left out of this report, or "" when it is not: in an authority's own
    report (``la``) the HR files must be there and be its own, not the synthetic generator's (the
    three boroughs' invented staff); the default build reads them as always."""
    if la in (None, ""):
        return ""
    missing, generated = _hr_files(raw_dir)
    if missing:
        return f"no {' or '.join(missing)} in the raw folder"
    if generated:
        return f"{' and '.join(generated)} in the raw folder {'is' if len(generated) == 1 else 'are'} the synthetic generator's"
    return ""


def record_hr_left_out(processed_dir, raw_dir, reason: str, section_folder) -> None:
    """Record (``reason`` set) or clear that the HR part is left out of this report: then it has no
    section (an earlier build's is removed) but one line in the report's list of strands left out,
    naming the files that would bring it in (:func:`helpers.provenance.record_left_out`, with the
    runner's fields for a step left out)."""
    import shutil

    from ... import provenance

    missing, generated = _hr_files(raw_dir)
    entry = {
        "description": "Workforce stability from the HR extract",
        "needs": [POSTS.filename, ABSENCE.filename],
        "missing": missing,
        "synthetic": [] if missing else generated,
        "reason": reason,
    }
    provenance.record_left_out(processed_dir, "workforce_hr", entry if reason else None)
    if reason:
        shutil.rmtree(section_folder, ignore_errors=True)


def parse_years(text) -> list[int]:
    """'2012,2013' or [2012, 2013] -> [2012, 2013] (census years, each the year to 30 September)."""
    if isinstance(text, (list, tuple, np.ndarray)):
        return [int(y) for y in text]
    return [int(y) for y in str(text).replace(" ", "").split(",") if y]
