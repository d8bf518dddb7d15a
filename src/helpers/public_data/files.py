"""Finding and reading the public statistics folder: each file validated against its declared schema
(rows that break a column's type rejected and logged), cached while the file is unchanged."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..ingest import ISSUE_COLUMNS, Column, IngestError, IngestResult, RawFile
from . import cache
from .schema import PUBLIC_FILES, PublicDataMissing, _missing_message


def public_data_dir(path: str | os.PathLike | None = None) -> Path:
    """The public statistics folder: ``path`` if given (relative to the project root), else
    ``$FOP_PUBLIC_DATA`` (read now, not at import), else :data:`helpers.config.PUBLIC_DATA_DIR`."""
    if path is not None and str(path).strip() != "":
        return config.resolve(path)
    env = os.environ.get("FOP_PUBLIC_DATA", "").strip()
    return config.resolve(env) if env else Path(config.PUBLIC_DATA_DIR)


def available(
    path: str | os.PathLike | None = None, files: Iterable[str] = ("preferred", "la_lookup", "la_changes")
) -> bool:
    """True when the folder and the named files (keys of :data:`PUBLIC_FILES`) are all present."""
    folder = public_data_dir(path)
    return folder.is_dir() and all((folder / PUBLIC_FILES[k].filename).is_file() for k in files)


def require(
    path: str | os.PathLike | None = None, files: Iterable[str] = ("preferred", "la_lookup", "la_changes")
) -> Path:
    """The folder, after checking it and the named files exist; else :class:`PublicDataMissing`."""
    folder = public_data_dir(path)
    if not folder.is_dir():
        raise PublicDataMissing(_missing_message(folder))
    for k in files:
        if not (folder / PUBLIC_FILES[k].filename).is_file():
            raise PublicDataMissing(_missing_message(folder, PUBLIC_FILES[k].filename))
    return folder


def missing_message(path: str | os.PathLike | None = None) -> str:
    """The one-paragraph 'what to put where' text (for a section shown when the folder is absent)."""
    folder = public_data_dir(path)
    if not folder.is_dir():
        return _missing_message(folder)
    for spec in PUBLIC_FILES.values():
        if not (folder / spec.filename).is_file():
            return _missing_message(folder, spec.filename)
    return ""


_BOOL = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _read_text(schema: RawFile, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The file as text in the schema's columns (a missing optional column blank), indexed by the
    spreadsheet row (header = row 1), and the columns the schema does not know."""
    if not path.is_file():
        raise PublicDataMissing(_missing_message(path.parent, path.name))
    try:
        text = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise IngestError(f"{path}: cannot be read as a CSV file: {exc}") from exc
    text.columns = [str(c).strip() for c in text.columns]
    missing_cols = [c.name for c in schema.columns if c.required and c.name not in text.columns]
    if missing_cols:
        raise IngestError(
            f"{path}: missing required column(s) {', '.join(missing_cols)}; the file has: {', '.join(text.columns)}"
        )
    ignored = [c for c in text.columns if c not in {col.name for col in schema.columns}]
    for c in schema.columns:
        if c.name not in text.columns:
            text[c.name] = ""
    text = text[[c.name for c in schema.columns]]
    text.index = pd.RangeIndex(2, 2 + len(text))
    return text, ignored


def _parse_column(col: Column, raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """One column's values parsed by its type, and each row's reason to reject it ("" when none)."""
    blank = raw.str.strip() == ""
    reason = pd.Series("", index=raw.index, dtype=object)
    if col.dtype in ("integer", "number"):
        val = pd.to_numeric(raw.where(~blank), errors="coerce")
        reason[~blank & val.isna()] = "not a number"
        if col.dtype == "integer":
            frac = val.notna() & (val != np.floor(val.fillna(0)))
            reason[frac] = "not a whole number"
        if col.minimum is not None:
            reason[val < col.minimum] = f"below the minimum {col.minimum:g}"
        if col.maximum is not None:
            reason[val > col.maximum] = f"above the maximum {col.maximum:g}"
        val = val.where(reason == "")
        val = val.astype("Int64") if col.dtype == "integer" else val.astype(float)
    elif col.dtype == "category":
        val = raw.where(raw.isin(list(col.codes)))
        reason[~blank & val.isna()] = "not one of the codes " + ", ".join(col.codes)
        val = val.astype(object)
    elif col.dtype == "boolean":
        val = raw.str.strip().str.lower().map(_BOOL).astype("boolean")
        reason[~blank & val.isna()] = "not true/false"
    else:
        val = raw.astype(object)
    if not col.nullable:
        reason[blank] = "required value is blank"
    return val, reason


def validate(schema: RawFile, path: Path) -> IngestResult:
    """Read one public file against its schema (see the package docstring for the rules).

    Text columns are kept exactly as published (so ``value_as_published`` keeps ``-``); numeric
    columns are parsed, blanks becoming ``NaN``; a non-blank value that is not a number, a code not
    in the list, a value out of range, or a blank in a required value rejects the row, logged with
    file, row (header = row 1), column, value and reason. ``rows read = accepted + rejected``.
    """
    path = Path(path)
    text, ignored = _read_text(schema, path)
    data = {}
    reasons = pd.Series("", index=text.index, dtype=object)
    issues = []
    for col in schema.columns:
        raw = text[col.name]
        val, reason = _parse_column(col, raw)
        bad = reason != ""
        for row in reason.index[bad][:1000]:  # log at most 1000 per column
            issues.append((path.name, int(row), col.name, raw[row], reason[row], "row rejected"))
        reasons[bad] = reasons[bad] + np.where(reasons[bad] == "", "", "; ") + col.name + ": " + reason[bad]
        data[col.name] = val
    df = pd.DataFrame(data, index=text.index)
    if schema.unique_key:
        dup = df.duplicated(list(schema.unique_key), keep="first") & (reasons == "")
        for row in df.index[dup][:1000]:
            issues.append((path.name, int(row), "+".join(schema.unique_key), "", "duplicate key", "row rejected"))
        reasons[dup] = "duplicate of an earlier row on " + ", ".join(schema.unique_key)
    rejected_mask = reasons != ""
    rejected = text.loc[rejected_mask].copy()
    rejected.insert(0, "reasons", reasons[rejected_mask])
    rejected.insert(0, "row", rejected.index.astype(int))
    rejected.insert(0, "file", path.name)
    return IngestResult(
        schema=schema,
        path=path,
        data=df.loc[~rejected_mask].reset_index(drop=True),
        issues=pd.DataFrame(issues, columns=ISSUE_COLUMNS),
        rejected=rejected.reset_index(drop=True),
        rows_read=len(text),
        ignored_columns=ignored,
        synthetic=False,
    )


_CACHE: dict[tuple, IngestResult] = {}


def read_result(key: str, path: str | os.PathLike | None = None) -> IngestResult:
    """The validated :class:`IngestResult` of one public file (cached while the file is unchanged, in
    this process and, through :mod:`helpers.public_data.cache`, between processes).
    Pass it to :func:`helpers.ingest.save_ingest_record` to show it in the data-quality section."""
    if key not in PUBLIC_FILES:
        raise KeyError(f"unknown public file {key!r}; one of {', '.join(PUBLIC_FILES)}")
    folder = require(path, files=(key,))
    file = folder / PUBLIC_FILES[key].filename
    stat = file.stat()
    ck = (str(file.resolve()), stat.st_mtime_ns, stat.st_size)
    if ck not in _CACHE:
        schema = PUBLIC_FILES[key]
        kept = cache.load(key, schema, file, stat)
        if kept is None:
            kept = validate(schema, file)
            cache.keep(key, schema, file, stat, kept)
        _CACHE[ck] = kept
    return _CACHE[ck]


def read(key: str, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The accepted rows of one public file as a DataFrame (a copy; see :func:`read_result`)."""
    return read_result(key, path).data.copy()
