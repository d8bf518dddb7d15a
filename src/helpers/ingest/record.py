"""The data-quality record of a file (rejected rows, issues, reconciliation) and processed tables."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from .cells import write_csv
from .schema import ISSUE_COLUMNS, LINK_COLUMNS, IngestError, IngestResult, OutputTable


def data_quality_dir(processed_dir: Path) -> Path:
    d = Path(processed_dir) / "data_quality"
    d.mkdir(parents=True, exist_ok=True)
    return d


def save_ingest_record(result: IngestResult, processed_dir: Path) -> dict:
    """Write the rejected rows, the cell-level issues and the reconciliation of one raw file.

    Files go to ``<processed_dir>/data_quality/``: ``rejected_<key>.csv`` (the rejected rows with
    their reasons), ``issues_<key>.csv`` (every problem cell, including values set to missing) and
    ``reconciliation_<key>.csv`` (one row). The report's data-quality section reads them. When
    links have been applied, ``unmatched_<key>.csv`` (the rows they took out) and
    ``links_<key>.csv`` (one row per link) too.
    """
    out = data_quality_dir(processed_dir)
    key = result.schema.key
    write_csv(result.rejected, out / f"rejected_{key}.csv")
    write_csv(result.issues, out / f"issues_{key}.csv", quoting=csv.QUOTE_MINIMAL)
    rec = result.reconciliation()
    write_csv(pd.DataFrame([rec]), out / f"reconciliation_{key}.csv")
    if result.unmatched is not None:
        write_csv(result.unmatched, out / f"unmatched_{key}.csv")
    if result.links:
        write_csv(pd.DataFrame(result.links, columns=LINK_COLUMNS), out / f"links_{key}.csv")
    return rec


def raise_if_all_rejected(result: IngestResult) -> None:
    """Stop the run when a file has rows but every one was rejected: its format is wrong, not its data."""
    if result.rows_read and result.rows_accepted == 0 and result.rows_rejected == result.rows_read:
        first = str(result.rejected["reasons"].iloc[0]) if len(result.rejected) else ""
        raise IngestError(
            f"{result.path.name}: all {result.rows_read} rows were rejected (first reason, row "
            f"{int(result.rejected['row'].iloc[0])}: {first}); see data_quality/issues_{result.schema.key}.csv"
        )


def nothing_dropped_silently(reconciliation: pd.DataFrame, links: pd.DataFrame | None = None) -> tuple[bool, str]:
    """Whether every row read is accounted for, and the sentence that says so, from the counts.

    ``reconciliation`` has one row per file (rows_read, rows_accepted, rows_rejected and, when links
    were applied, rows_unmatched); ``links`` one row per link (rows_checked = rows_matched +
    rows_unmatched + rows kept without a match). The sentence is built from these numbers only.
    """
    rec = reconciliation.copy()
    for c in ("rows_read", "rows_accepted", "rows_rejected", "rows_unmatched"):
        rec[c] = pd.to_numeric(rec[c], errors="coerce").fillna(0).astype(int) if c in rec else 0
    gap = rec["rows_read"] - rec["rows_accepted"] - rec["rows_rejected"] - rec["rows_unmatched"]
    bad_files = list(rec.loc[gap != 0, "file"])
    bad_links = []
    if links is not None and len(links):
        lk = links.copy()
        for c in ("rows_checked", "rows_matched", "rows_unmatched"):
            lk[c] = pd.to_numeric(lk[c], errors="coerce").fillna(0).astype(int)
        kept = lk["on_unmatched"].astype(str).eq("keep")
        lgap = lk["rows_checked"] - lk["rows_matched"] - lk["rows_unmatched"]
        bad_links = list(lk.loc[(lgap != 0) & ~kept, "link"])
    read, acc, rej, unm = (int(rec[c].sum()) for c in ("rows_read", "rows_accepted", "rows_rejected", "rows_unmatched"))
    if bad_files or bad_links:
        where = ", ".join(bad_files + bad_links)
        return False, (
            f"ROWS ARE UNACCOUNTED FOR: of {read:,} rows read, {acc:,} were accepted, {rej:,} rejected and "
            f"{unm:,} unmatched, which does not add up in {where}."
        )
    parts = f"{acc:,} accepted, {rej:,} rejected"
    parts += f" and {unm:,} unmatched" if unm else ""
    return True, (
        f"Nothing was dropped silently: all {read:,} rows read are accounted for ({parts}); each rejected "
        "or unmatched row is kept, with its reasons, in the data-quality files beside the processed data."
    )


def write_output(table: pd.DataFrame, spec: OutputTable, processed_dir: Path) -> Path:
    """Write a processed table after checking it has exactly the documented columns, in order.

    Text cells are neutralised against spreadsheet formulas (:func:`neutralise_cells`); numbers,
    including negative ones, are written as numbers.
    """
    if list(table.columns) != spec.column_names:
        raise ValueError(
            f"{spec.filename}: columns {list(table.columns)} differ from the data dictionary's {spec.column_names}"
        )
    path = Path(processed_dir) / spec.filename
    return write_csv(table, path)


def read_output(spec: OutputTable, processed_dir: Path) -> pd.DataFrame:
    """Read a processed table written by :func:`write_output` (for the report and later strands)."""
    path = Path(processed_dir) / spec.filename
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found; run the notebook of the {spec.strand} strand first")
    return pd.read_csv(path)


# ---- checks across columns, after reading (used by the time-use and workforce strands) ---------


def accepted_rows(result: IngestResult) -> np.ndarray:
    """Spreadsheet row numbers of ``result.data``, in order (ingest keeps file order and drops the
    rejected rows, so they are the file's rows less the rejected ones)."""
    all_rows = np.arange(2, 2 + result.rows_read)
    rejected = set(result.rejected["row"].astype(int)) if len(result.rejected) else set()
    return np.array([r for r in all_rows if r not in rejected], dtype=int)


def reject_accepted_rows(result: IngestResult, bad, column: str, values, reasons) -> IngestResult:
    """Move accepted rows that fail a check across columns to the rejected rows, logging each.

    ``bad`` is a boolean mask over ``result.data``; ``values`` and ``reasons`` give, for each row, the
    value shown in the issues file and why it failed. Each is logged with file, row (as a spreadsheet
    shows it) and ``column``; rows read = accepted + rejected still holds.
    """
    bad = np.asarray(bad, dtype=bool)
    rows = accepted_rows(result)
    if bad.any():
        issues, rejected = [], []
        for i in np.flatnonzero(bad):
            row = int(rows[i])
            issues.append((result.path.name, row, column, str(values[i]), str(reasons[i]), "row rejected"))
            rec = (
                result.data.iloc[i]
                .astype(object)
                .map(
                    lambda v: (
                        ""
                        if v is None or v is pd.NaT or (not isinstance(v, str) and pd.isna(v))
                        else str(v.date())
                        if isinstance(v, pd.Timestamp)
                        else str(v)
                    )
                )
            )
            rejected.append(
                {"file": result.path.name, "row": row, "reasons": f"{column}: {reasons[i]}", **rec.to_dict()}
            )
        result.issues = pd.concat([result.issues, pd.DataFrame(issues, columns=ISSUE_COLUMNS)], ignore_index=True)
        extra = pd.DataFrame(rejected)
        result.rejected = pd.concat([result.rejected, extra], ignore_index=True) if len(result.rejected) else extra
        result.rejected = result.rejected.sort_values("row", kind="stable").reset_index(drop=True)
    result.data = result.data.loc[~bad].reset_index(drop=True)
    return result
