"""Raw inputs of the interviews strand: a REFI-QDA project (``.qdpx``) or a plain CSV of coded excerpts.

Both readers produce the same two tables:

* ``interviews``: one row per interview (``interview_id``, ``participant_id``, ``participant_type``,
  ``borough``, ``wave``, ``interview_date``, ``consent_to_quote``, ``n_chars``);
* ``codings``: one row per code applied to a coded segment (``interview_id``, ``segment_id``,
  ``start``, ``end``, ``code``, ``code_path``, ``theme``, ``excerpt``).

Identifiers (participants, interviews) are pseudonymised as they are read, with the project key and
the prefix ``P`` for participants (the practitioners' pseudonyms then join ``practitioners.csv``) and
``I`` for interviews. Excerpt text stays in memory: it is never written to a processed file, and
reaches the report only through :func:`helpers.redaction.publishable_quotes`.

The ``.qdpx`` reader validates ``project.qde`` against the REFI-QDA (QDA-XML 1.0) schema with
``xmlschema`` and accepts any valid file, whichever program wrote it. The schema is read from
``FOP_REFI_QDA_SCHEMA`` (default ``../shared/conformance/refi_qda/Project.xsd`` relative to the
project root); it is never copied into the repository. See :data:`QDPX_MARKDOWN` for the subset read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ... import config, ingest
from ...ingest import ISSUE_COLUMNS
from .formats import (
    CODING_COLUMNS,
    CODINGS_CSV,
    CSV_FILENAME,
    DEFAULT_SCHEMA,
    INTERVIEW_COLUMNS,
    NS,
    PARTICIPANT_TYPES,
    QDPX_FILENAME,
    QDPX_MARKDOWN,
    RAW_FILES,
    SCHEMA_ENV_VAR,
    STRAND,
    VARIABLE_NAMES,
    WAVE_DATES,
    InterviewData,
    Q,
)
from .qdpx import QdpxError, read_qdpx, schema_missing_reason, schema_path, validate_project_xml

__all__ = [
    "CODINGS_CSV",
    "CODING_COLUMNS",
    "CSV_FILENAME",
    "DEFAULT_SCHEMA",
    "INTERVIEW_COLUMNS",
    "NS",
    "PARTICIPANT_TYPES",
    "Q",
    "QDPX_FILENAME",
    "QDPX_MARKDOWN",
    "RAW_FILES",
    "SCHEMA_ENV_VAR",
    "STRAND",
    "VARIABLE_NAMES",
    "WAVE_DATES",
    "InterviewData",
    "QdpxError",
    "load_interviews",
    "read_codings_csv",
    "read_qdpx",
    "schema_missing_reason",
    "schema_path",
    "validate_project_xml",
]


def read_codings_csv(raw_dir: str | Path, processed_dir: Path | None = None, key: bytes | None = None) -> InterviewData:
    """Read ``interview_codings.csv`` through :func:`helpers.ingest.read_raw` into the same tables as
    :func:`read_qdpx`. Rows contradicting their interview's first row are rejected and reconciled."""
    res = ingest.read_raw(CODINGS_CSV, raw_dir, key=key)
    d = res.data.copy()
    # Spreadsheet row of each accepted row (read_raw keeps accepted rows in file order).
    gone = set(pd.to_numeric(res.rejected["row"], errors="coerce").dropna().astype(int))
    d.index = [r for r in range(2, res.rows_read + 2) if r not in gone]
    attrs = ["participant_id", "participant_type", "borough", "wave", "consent_to_quote"]
    first = d.groupby("interview_id", sort=False)[attrs].transform("first")
    conflict = (d[attrs].astype(str) != first.astype(str)).any(axis=1)
    if conflict.any():
        bad = d[conflict]
        reason = "contradicts the interview's first row on participant, type, borough, wave or consent"
        extra_rej = bad.astype(str).assign(file=res.path.name, row=bad.index, reasons=reason)
        res.rejected = pd.concat([res.rejected, extra_rej[["file", "row", "reasons", *bad.columns]]], ignore_index=True)
        res.issues = pd.concat(
            [
                res.issues,
                pd.DataFrame(
                    [
                        (res.path.name, int(r.Index), "interview_id", r.interview_id, reason, "row rejected")
                        for r in bad.itertuples()
                    ],
                    columns=ISSUE_COLUMNS,
                ),
            ],
            ignore_index=True,
        )
        d = d[~conflict]
        res.data = d.reset_index(drop=True)
    d = d.reset_index(drop=True)
    iv = d.drop_duplicates("interview_id")[
        ["interview_id", "participant_id", "participant_type", "borough", "wave", "interview_date", "consent_to_quote"]
    ].copy()
    iv["consent_to_quote"] = iv["consent_to_quote"].astype(bool)
    iv["wave"] = iv["wave"].astype(int)
    iv["n_chars"] = pd.NA
    coded = d[d["code"].notna()].copy()
    coded["code_path"] = coded["code"].str.split(r"\s*>\s*").str.join(" > ")
    coded["theme"] = coded["code_path"].str.split(" > ").str[0]
    coded["code"] = coded["code_path"].str.split(" > ").str[-1]
    coded["excerpt"] = coded["excerpt"].fillna("")
    # A segment = one excerpt of one interview: the codes on it co-occur.
    coded["segment_id"] = coded.groupby(["interview_id", "excerpt"], sort=False).ngroup().map(lambda k: f"csv-{k}")
    coded["start"] = pd.NA
    coded["end"] = pd.NA
    paths = coded["code_path"].drop_duplicates()
    cb = []
    for p in paths:
        parts = p.split(" > ")
        for k in range(len(parts)):
            cb.append(
                {
                    "code_guid": "",
                    "code": parts[k],
                    "parent": parts[k - 1] if k else None,
                    "code_path": " > ".join(parts[: k + 1]),
                    "theme": parts[0],
                    "depth": k,
                    "is_codable": True,
                    "description": "",
                }
            )
    codebook = (
        pd.DataFrame(
            cb, columns=["code_guid", "code", "parent", "code_path", "theme", "depth", "is_codable", "description"]
        )
        .drop_duplicates("code_path")
        .reset_index(drop=True)
    )
    return InterviewData(
        iv[INTERVIEW_COLUMNS].reset_index(drop=True),
        coded[CODING_COLUMNS].reset_index(drop=True),
        codebook,
        [res],
        "csv",
        res.synthetic,
    )


def load_interviews(
    raw_dir, processed_dir: Path, borough: str = "all", interviews_format: str = "auto", key: bytes | None = None
) -> InterviewData:
    """Read the coded interviews (``.qdpx`` preferred, else the CSV), save the data-quality records,
    keep the selected boroughs. ``interviews_format``: ``auto``, ``qdpx`` or ``csv``."""
    raw_dir = Path(raw_dir)
    if interviews_format not in ("auto", "qdpx", "csv"):
        raise ValueError(f"interviews_format must be auto, qdpx or csv, got {interviews_format!r}")
    qdpx = raw_dir / QDPX_FILENAME
    use_qdpx = interviews_format == "qdpx" or (
        interviews_format == "auto" and (qdpx.exists() or not (raw_dir / CSV_FILENAME).exists())
    )
    data = read_qdpx(qdpx, key=key) if use_qdpx else read_codings_csv(raw_dir, key=key)
    for rec in data.records:
        ingest.save_ingest_record(rec, processed_dir)
    keep = data.interviews["borough"].isin(config.borough_names(borough))
    data.interviews = data.interviews[keep].reset_index(drop=True)
    data.codings = data.codings[data.codings["interview_id"].isin(data.interviews["interview_id"])].reset_index(
        drop=True
    )
    return data
