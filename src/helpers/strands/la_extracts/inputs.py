"""The LA extracts as an analyst hands them over: every return found (:mod:`.folders`: the raw
layout ``<raw_dir>/la_extracts/<LA number>/<year>/``, or folders read in place), read with the
readers of the two returns, and stacked.

Every return found is read, so the data-quality record covers it (one reconciliation record per
table across its files: rows read = accepted + rejected); the returns this report uses (its scope,
and a CIN header that agrees with its folder) are stacked apart, and a ledger says what happened to
each return (:func:`read_extracts`), so a return that was read is never reported as not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ... import ingest
from ...ingest import IngestError
from .cin import read_cin_xml
from .folders import (
    SSDA903,
    Decision,
    ExtractFolderError,
    Return,
    decide_all,
    find_returns,
    in_place_returns,
    layout_returns,
)
from .outputs import EXTRACT_RETURNS
from .records import TableResult, stack
from .schemas import CIN_FILES, CIN_TABLES, SSDA903_FILES, SSDA903_TABLES
from .ssda903 import read_ssda903_csv, read_ssda903_xml

LEDGER_COLUMNS = [
    "folder",
    "return",
    "la_code",
    "header_lea",
    "year",
    "year_from",
    "records",
    "record_kind",
    "fate",
    "detail",
    "status",
]
_ALL_TABLES = (*SSDA903_TABLES, *CIN_TABLES)
_SCHEMAS = {**SSDA903_FILES, **CIN_FILES}


def read_return(
    ret: Return, la_code=None, key: bytes | None = None, raw_dir: Path | None = None
) -> dict[str, TableResult]:
    """Read one return, its records labelled with ``la_code`` (None: the CIN header's LEA) and its year."""
    if ret.kind == SSDA903 and ret.path.is_dir():
        return read_ssda903_csv(ret.path, la_code, ret.year, key, raw_dir)
    if ret.kind == SSDA903:
        return read_ssda903_xml(ret.path, la_code, ret.year, key, raw_dir)
    return read_cin_xml(ret.path, la_code, ret.year, key, raw_dir)


def _stack_all(parts: list[dict[str, TableResult]]) -> dict[str, TableResult]:
    return {t: stack(_SCHEMAS[t], [p[t] for p in parts if t in p]) for t in _ALL_TABLES}


@dataclass
class Extracts:
    """Every return found, what was read from it and what this report does with it."""

    decisions: list[Decision]
    read: dict[str, TableResult]  # every return read, stacked (the data-quality record)
    used: dict[str, TableResult]  # the returns this report uses, stacked
    ledger: pd.DataFrame  # one row per return: LEDGER_COLUMNS

    @property
    def years(self) -> dict[str, set]:
        """{"SSDA903" | "CIN census": {(la_code, year), ...}} of the returns used."""
        out: dict[str, set] = {}
        for d in self.decisions:
            if d.used and d.ret.year is not None:
                out.setdefault(d.ret.kind, set()).add((d.la, d.ret.year))
        return out


def _ledger_row(d: Decision, res: dict[str, TableResult]) -> dict:
    kind = "episodes" if d.ret.kind == SSDA903 else "referrals"
    table = "episodes" if d.ret.kind == SSDA903 else "cin_referrals"
    r = d.ret
    return {
        "folder": r.where,
        "return": r.kind,
        "la_code": d.la or r.folder_la,
        "header_lea": r.lea,
        "year": r.year,
        "year_from": r.year_from,
        "records": res[table].rows_read if table in res else 0,
        "record_kind": kind,
        "fate": d.fate,
        "detail": d.detail,
        "status": d.status,
    }


def read_extracts(
    raw_dir: Path,
    extract_dir=None,
    la=None,
    scope=None,
    trust_folder_la: bool = False,
    key: bytes | None = None,
    resolve=Path,
) -> Extracts:
    """Find every return (:func:`.folders.find_returns`), decide what this report does with each
    (scope: the LA numbers of the report, None = all), read them all and stack the used ones."""
    try:
        found = find_returns(raw_dir, extract_dir, la, resolve)
    except ExtractFolderError as exc:
        raise IngestError(str(exc)) from exc
    decisions = decide_all(found, scope, trust_folder_la)
    read, used, rows = [], [], []
    for d in decisions:
        res = read_return(d.ret, d.la or d.ret.folder_la, key, raw_dir)
        read.append(res)
        if d.used:
            used.append(res)
        rows.append(_ledger_row(d, res))
    return Extracts(decisions, _stack_all(read), _stack_all(used), pd.DataFrame(rows, columns=LEDGER_COLUMNS))


def read_extract(
    folder: Path, la_code=None, year=None, key: bytes | None = None, raw_dir: Path | None = None
) -> dict[str, TableResult]:
    """Read one extract folder in place (``ssda903/`` and/or ``cin/``, or the files directly), every
    return labelled ``la_code`` (None: the CIN header's LEA) and ``year`` (None: the return's own)."""
    parts = []
    try:
        found = in_place_returns(Path(folder), None)
    except ExtractFolderError as exc:
        raise IngestError(str(exc)) from exc
    for ret in found:
        res = read_return(ret, la_code, key, raw_dir)
        if year is not None:
            for r in res.values():
                r.data["year"] = year
        parts.append(res)
    return {t: r for t, r in _stack_all(parts).items() if r.files}


def read_all(raw_dir: Path, key: bytes | None = None, missing_ok: bool = False) -> dict[str, TableResult]:
    """Read every return under ``<raw_dir>/la_extracts`` labelled with its folder's LA number, and
    stack each table across them (``missing_ok``: no extracts at all gives empty tables instead of
    an error)."""
    raw_dir = Path(raw_dir)
    found = layout_returns(raw_dir)
    if not found and not missing_ok:
        raise IngestError(f"{raw_dir / 'la_extracts'}: no LA extract folders (<LA number>/<year>/ssda903 or cin) found")
    return _stack_all([read_return(r, r.folder_la, key, raw_dir) for r in found])


def save_records(results: dict[str, TableResult], processed_dir: Path) -> pd.DataFrame:
    """Write each table's rejected rows, issues and reconciliation as ``helpers.ingest`` does."""
    out = ingest.data_quality_dir(processed_dir)
    recs = []
    for t, r in results.items():
        if not r.files:
            continue
        k = r.schema.key
        r.rejected.to_csv(out / f"rejected_{k}.csv", index=False)
        r.issues.to_csv(out / f"issues_{k}.csv", index=False)
        rec = r.reconciliation()
        pd.DataFrame([rec]).to_csv(out / f"reconciliation_{k}.csv", index=False)
        recs.append({"table": t, **rec})
    return pd.DataFrame(recs, columns=["table", *ingest.RECONCILIATION_COLUMNS])


def save_ledger(ledger: pd.DataFrame, processed_dir: Path) -> Path:
    """Write the ledger of returns to the data-quality folder (``la_extract_returns.csv``)."""
    ingest.data_quality_dir(processed_dir)
    return ingest.write_output(ledger, EXTRACT_RETURNS, processed_dir)


def reading_summary(extracts: Extracts) -> dict:
    """What the section says was read for its scope: files, children, episodes, referrals and
    records rejected, over the returns used."""
    used = extracts.used
    header, children = used["header"].data, used["cin_children"].data
    kids = set(zip(header["la_code"], header["CHILD"], strict=False))
    kids |= set(zip(children["la_code"], children["LAchildID"], strict=False))
    return {
        "files": sum(len(r.files) for k, r in used.items() if k in ("episodes", "cin_referrals")),
        "children": len(kids),
        "episodes": len(used["episodes"].data),
        "referrals": len(used["cin_referrals"].data),
        "rejected": int(sum(r.rows_rejected for r in used.values())),
    }
