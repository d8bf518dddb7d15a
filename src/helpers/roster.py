"""Shared raw inputs that join the strands: the practitioners and the families.

Practitioners link the practice-scenario and time-use strands (and, through the families allocated
to them, whether a family's worker was systemically trained). Families link SCORE-15, network maps
and, in time, outcomes. Both identifiers are pseudonymised at ingest with the same key, so they join
across strands without ever being held in clear.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import BOROUGH_NAMES, borough_names
from .ingest import Column, IngestResult, RawFile, ingest

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

PRACTITIONERS = RawFile(
    key="practitioners",
    filename="practitioners.csv",
    strand="shared",
    description="One row per practitioner in the evaluation: role, contract and systemic training.",
    unique_key=("practitioner_id",),
    columns=(
        Column("practitioner_id", "string", "The LA's staff identifier (pseudonymised at ingest).", identifier_prefix="P"),
        Column("borough", "category", "Employing borough.", codes=BOROUGH_CODES),
        Column("team", "string", "Team name or code as the LA records it (not a person)."),
        Column("role", "category", "Role at the start of the evaluation.", codes=ROLES),
        Column("years_qualified", "number", "Years since professional qualification (0 if unqualified).", minimum=0, maximum=50, nullable=True),
        Column("contract", "category", "Contract type.", codes=CONTRACTS),
        Column("training_cohort", "string", "Systemic training cohort label; blank if not (yet) trained.", nullable=True),
        Column("training_completed", "date", "Date the systemic training course was completed (YYYY-MM-DD); blank if not (yet) trained.", nullable=True),
    ),
)

FAMILIES = RawFile(
    key="families",
    filename="families.csv",
    strand="shared",
    description="One row per family taking part in the families' strands (SCORE-15, network maps).",
    unique_key=("family_id",),
    columns=(
        Column("family_id", "string", "The LA's family or case identifier (pseudonymised at ingest).", identifier_prefix="F"),
        Column("borough", "category", "Borough working with the family.", codes=BOROUGH_CODES),
        Column("practitioner_id", "string", "Allocated practitioner (pseudonymised; joins practitioners.csv).", identifier_prefix="P"),
        Column("level_of_need", "category", "Highest level of statutory involvement when work began.", codes=LEVELS_OF_NEED),
        Column("work_started", "date", "Date the allocated practitioner's work with the family began (YYYY-MM-DD)."),
    ),
)

RAW_FILES = (PRACTITIONERS, FAMILIES)


def load_practitioners(raw_dir, processed_dir: Path, borough: str = "all") -> IngestResult:
    """Ingest practitioners.csv and keep the boroughs selected by ``borough``."""
    result = ingest(PRACTITIONERS, raw_dir, processed_dir)
    result.data = result.data[result.data["borough"].isin(borough_names(borough))].reset_index(drop=True)
    return result


def load_families(raw_dir, processed_dir: Path, practitioners: pd.DataFrame | None = None, borough: str = "all") -> IngestResult:
    """Ingest families.csv, keep the selected boroughs and add ``practitioner_trained``.

    ``practitioner_trained`` is True when the allocated practitioner had completed systemic training
    on or before the date work with the family began; it is missing when the practitioner is not in
    ``practitioners`` (the family is kept: the strands that do not need it can still use it).
    """
    result = ingest(FAMILIES, raw_dir, processed_dir)
    data = result.data[result.data["borough"].isin(borough_names(borough))].reset_index(drop=True)
    if practitioners is not None:
        known = data["practitioner_id"].isin(practitioners["practitioner_id"])
        trained = trained_by(practitioners, data["practitioner_id"], data["work_started"]).astype("boolean")
        data["practitioner_trained"] = trained.where(known, pd.NA)
    result.data = data
    return result


def trained_by(practitioners: pd.DataFrame, practitioner_ids: pd.Series, dates: pd.Series) -> pd.Series:
    """True where the practitioner had completed systemic training on or before the date.

    False for a practitioner not (yet) trained, and for one not in ``practitioners``: callers that
    must tell "unknown" apart check membership themselves. The one definition of "trained" that
    every strand uses (the date work began for families, the answer date for scenarios).
    """
    completed = pd.to_datetime(practitioners.drop_duplicates("practitioner_id").set_index("practitioner_id")["training_completed"])
    # reindex, not map: Series.map with a datetime mapping fails on an empty selection (a borough
    # with no rows).
    done = pd.Series(completed.reindex(practitioner_ids).to_numpy(), index=practitioner_ids.index)
    return (done.notna() & (done <= pd.to_datetime(dates))).astype(bool)
