"""Raw inputs of the implementation strand: only the practitioners' roster, declared (and documented)
in :mod:`helpers.roster`. The strand declares no raw file of its own."""

from __future__ import annotations

from pathlib import Path

from ... import roster

#: The roster is documented under ``roster`` in the data dictionary; nothing new is read here.
RAW_FILES: tuple = ()


def load(raw_dir, processed_dir: Path, borough: str = "all"):
    """Ingest ``practitioners.csv`` (through :func:`helpers.roster.load_practitioners`, which saves
    its data-quality record) and keep the selected boroughs."""
    return roster.load_practitioners(raw_dir, processed_dir, borough=borough)
