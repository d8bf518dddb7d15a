"""Shared raw inputs that join the strands: the practitioners and the families.

Practitioners link the practice-scenario and time-use strands (and, through the families allocated
to them, whether a family's worker was systemically trained). Families link SCORE-15, network maps
and, in time, outcomes. Both identifiers are pseudonymised at ingest with the same key, so they join
across strands without ever being held in clear.

Both files are required and may not be empty: a header-only roster stops the run with one line.
Every family's practitioner is checked against practitioners.csv (a declared :class:`Link`; a family
whose practitioner is not on the roster is kept, logged, and its ``practitioner_trained`` is
unknown). families.csv is the authoritative source of a family's borough: files that refer to a
family (SCORE-15 forms, network maps) declare links to :data:`FAMILIES` that take the borough from
here, so every strand puts a family in the same borough.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import BOROUGH_NAMES, borough_names
from .ingest import (
    Column,
    IngestResult,
    Link,
    RawFile,
    apply_links,
    raise_for_links,
    raise_if_all_rejected,
    read_raw,
    save_ingest_record,
)

ROLES = {
    "social_worker": "Social worker",
    "senior_social_worker": "Senior or consultant social worker",
    "supervisor": "Supervisor or team manager",
    "family_support_worker": "Family support worker",
    "clinician": "Clinician (family therapist or clinical psychologist) embedded in a team",
}
CONTRACTS = {"permanent": "Permanent employee", "agency": "Agency (locum) worker"}
LEVELS_OF_NEED = {
    "child_in_need": "Child in need (section 17)",
    "child_protection": "Child protection plan (section 47 enquiry led to a plan)",
    "looked_after": "A child of the family is looked after",
}
BOROUGH_CODES = {name: name for name in BOROUGH_NAMES}
#: Share of rows of a file that must match the roster they refer to; below it the run stops (a
#: wrong file, IDs reformatted by a spreadsheet, or a roster from another extract). Rows that do
#: not match above it are rejected as unmatched (or kept, where a link says so) and reconciled.
REQUIRED_MATCH = 0.5

PRACTITIONERS = RawFile(
    key="practitioners",
    filename="practitioners.csv",
    strand="shared",
    description="One row per practitioner in the evaluation: role, contract and systemic training.",
    unique_key=("practitioner_id",),
    may_be_empty=False,
    # Systemic training may have been completed long before the programme (clinicians).
    date_window=("1980-01-01", "2018-12-31"),
    columns=(
        Column(
            "practitioner_id", "string", "The LA's staff identifier (pseudonymised at ingest).", identifier_prefix="P"
        ),
        Column("borough", "category", "Employing borough.", codes=BOROUGH_CODES),
        Column("team", "string", "Team name or code as the LA records it (not a person)."),
        Column("role", "category", "Role at the start of the evaluation.", codes=ROLES),
        Column(
            "years_qualified",
            "number",
            "Years since professional qualification (0 if unqualified).",
            minimum=0,
            maximum=50,
            nullable=True,
        ),
        Column("contract", "category", "Contract type.", codes=CONTRACTS),
        Column(
            "training_cohort", "string", "Systemic training cohort label; blank if not (yet) trained.", nullable=True
        ),
        Column(
            "training_completed",
            "date",
            "Date the systemic training course was completed (YYYY-MM-DD); blank if not (yet) trained.",
            nullable=True,
        ),
    ),
)

FAMILIES = RawFile(
    key="families",
    filename="families.csv",
    strand="shared",
    description="One row per family taking part in the families' strands (SCORE-15, network maps).",
    unique_key=("family_id",),
    may_be_empty=False,
    # Work with a family may have begun years before the programme (long-running cases).
    date_window=("2005-01-01", "2018-12-31"),
    links=(
        Link(
            ("practitioner_id",),
            PRACTITIONERS,
            required_share=REQUIRED_MATCH,
            on_unmatched="keep",
            description="Allocated practitioner on the roster",
        ),
    ),
    columns=(
        Column(
            "family_id",
            "string",
            "The LA's family or case identifier (pseudonymised at ingest).",
            identifier_prefix="F",
        ),
        Column("borough", "category", "Borough working with the family.", codes=BOROUGH_CODES),
        Column(
            "practitioner_id",
            "string",
            "Allocated practitioner (pseudonymised; joins practitioners.csv).",
            identifier_prefix="P",
        ),
        Column(
            "level_of_need", "category", "Highest level of statutory involvement when work began.", codes=LEVELS_OF_NEED
        ),
        Column("work_started", "date", "Date the allocated practitioner's work with the family began (YYYY-MM-DD)."),
    ),
)

RAW_FILES = (PRACTITIONERS, FAMILIES)


def _scope(result: IngestResult, borough: str) -> IngestResult:
    """Narrow ``result.data`` to the boroughs of ``borough``; ``result.full`` keeps every row."""
    result.full = result.data
    result.data = result.data[result.data["borough"].isin(borough_names(borough))].reset_index(drop=True)
    return result


def load_practitioners(raw_dir, processed_dir: Path, borough: str = "all") -> IngestResult:
    """Ingest practitioners.csv and keep the boroughs selected by ``borough`` in ``data``.

    ``result.accepted()`` (``result.full``) keeps every borough: links from other files check
    against the whole roster, so a row is never "unmatched" only because of the report's scope.
    """
    result = read_raw(PRACTITIONERS, raw_dir)
    save_ingest_record(result, processed_dir)
    raise_if_all_rejected(result)
    return _scope(result, borough)


def load_families(
    raw_dir, processed_dir: Path, practitioners: pd.DataFrame | IngestResult | None = None, borough: str = "all"
) -> IngestResult:
    """Ingest families.csv, check each family's practitioner, keep the selected boroughs, add ``practitioner_trained``.

    ``practitioners`` is the result of :func:`load_practitioners` (preferred: the whole roster is
    used) or a DataFrame of practitioners. ``practitioner_trained`` is True when the allocated
    practitioner had completed systemic training on or before the date work with the family
    began; it is missing when the practitioner is not on the roster (the family is kept, and the
    link's record counts it).
    """
    result = read_raw(FAMILIES, raw_dir)
    prac = None
    if practitioners is not None:
        if isinstance(practitioners, IngestResult):
            prac = practitioners.accepted()
            roster = practitioners
        else:  # a DataFrame may be narrowed to a borough: check the link against the whole roster
            prac = practitioners
            roster = read_raw(PRACTITIONERS, raw_dir)
        apply_links(result, {PRACTITIONERS.key: roster})
    save_ingest_record(result, processed_dir)
    raise_if_all_rejected(result)
    raise_for_links(result)
    _scope(result, borough)
    if prac is not None:
        for frame in (result.full, result.data):
            known = frame["practitioner_id"].isin(prac["practitioner_id"])
            trained = trained_by(prac, frame["practitioner_id"], frame["work_started"]).astype("boolean")
            frame["practitioner_trained"] = trained.where(known, pd.NA)
    return result


def trained_by(practitioners: pd.DataFrame, practitioner_ids: pd.Series, dates: pd.Series) -> pd.Series:
    """True where the practitioner had completed systemic training on or before the date.

    False for a practitioner not (yet) trained, and for one not in ``practitioners``: callers that
    must tell "unknown" apart check membership themselves. The one definition of "trained" that
    every strand uses (the date work began for families, the answer date for scenarios).
    """
    completed = pd.to_datetime(
        practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")["training_completed"]
    )
    # reindex, not map: Series.map with a datetime mapping fails on an empty selection (a borough
    # with no rows).
    done = pd.Series(completed.reindex(practitioner_ids).to_numpy(), index=practitioner_ids.index)
    return (done.notna() & (done <= pd.to_datetime(dates))).astype(bool)


def practitioner_of(family_ids: pd.Series, families: pd.DataFrame | None) -> pd.Series:
    """Each family's allocated practitioner, the cluster for practitioner-clustered intervals (up to
    five families share one); the family itself where the practitioner is unknown, so such a family
    is its own cluster rather than pooled with the others. Keeps the index of ``family_ids``."""
    family_ids = pd.Series(family_ids)
    if families is None or "practitioner_id" not in families.columns:
        return family_ids.astype(object)
    lookup = families.drop_duplicates("family_id").set_index("family_id")["practitioner_id"]
    return family_ids.map(lookup).astype(object).where(lambda c: c.notna(), family_ids)
