"""The ingest framework every strand uses: declared schemas, strict reading, nothing lost silently.

A strand declares each raw file it reads as a :class:`RawFile` (its columns as :class:`Column`) and
each processed table it writes as an :class:`OutputTable`. The same declarations drive validation,
the rejected-rows files, the data-quality section of the report and the data dictionary in ``docs/``,
so the documentation cannot drift from what the code accepts.

Reading a raw file (:func:`read_raw`):

* a file that is missing, cannot be parsed, or lacks a required column stops the run with an
  :class:`IngestError` naming the file and the column;
* every value is checked against its column's type, codes and range. A bad value either rejects the
  whole row or, for columns declared ``on_invalid="set_missing"`` (questionnaire items, where one
  bad tick should not lose a whole form), is blanked; either way it is logged with file, row, column,
  value and reason;
* ``rows read = rows accepted + rows rejected`` always holds and is recorded for the report;
* identifier columns are replaced by keyed pseudonyms before the data leave this module.

Row numbers in messages are line numbers in the file as a spreadsheet shows them: the header is
row 1, the first data row is row 2.
"""
from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .pseudonymise import load_key, pseudonymise_series

DTYPES = ("string", "integer", "number", "date", "category", "boolean")
SYNTHETIC_MANIFEST = "synthetic_manifest.json"
#: Values read as "no answer" in every column. Real extracts write blanks in several ways.
MISSING_TOKENS = frozenset({"", "na", "n/a", "null", "none", "nan", "missing", "-"})
TRUE_TOKENS = frozenset({"yes", "y", "true", "1"})
FALSE_TOKENS = frozenset({"no", "n", "false", "0"})


class IngestError(Exception):
    """A raw file cannot be used at all (missing, unreadable, or lacking a required column)."""


@dataclass(frozen=True)
class Column:
    """One column of a raw file, as the data dictionary documents it."""

    name: str
    dtype: str
    description: str
    required: bool = True
    nullable: bool = False
    codes: Mapping[str, str] | None = None
    minimum: float | None = None
    maximum: float | None = None
    identifier_prefix: str | None = None
    on_invalid: str = "reject_row"
    date_format: str = "%Y-%m-%d"

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(f"column {self.name}: dtype {self.dtype!r} is not one of {DTYPES}")
        if self.dtype == "category" and not self.codes:
            raise ValueError(f"column {self.name}: a category column needs its codes")
        if self.on_invalid not in ("reject_row", "set_missing"):
            raise ValueError(f"column {self.name}: on_invalid must be reject_row or set_missing")

    @property
    def is_identifier(self) -> bool:
        return self.identifier_prefix is not None


@dataclass(frozen=True)
class RawFile:
    """A raw input file: where it is found, what it holds, and the key that must be unique."""

    key: str
    filename: str
    strand: str
    description: str
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Field:
    """One column of a processed output table."""

    name: str
    dtype: str
    description: str


@dataclass(frozen=True)
class OutputTable:
    """A processed output written to ``data/processed/<scope>/<filename>``."""

    key: str
    filename: str
    strand: str
    description: str
    fields: tuple[Field, ...]

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass
class IngestResult:
    """What reading one raw file produced."""

    schema: RawFile
    path: Path
    data: pd.DataFrame
    issues: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    ignored_columns: list[str] = field(default_factory=list)
    synthetic: bool = False

    @property
    def rows_accepted(self) -> int:
        return len(self.data)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def reconciliation(self) -> dict:
        """One row of the reconciliation table; asserts the rows add up."""
        if self.rows_read != self.rows_accepted + self.rows_rejected:
            raise AssertionError(
                f"{self.path.name}: {self.rows_read} rows read but {self.rows_accepted} accepted "
                f"+ {self.rows_rejected} rejected"
            )
        cleared = int((self.issues["action"] == "value set to missing").sum()) if len(self.issues) else 0
        return {
            "file": self.path.name,
            "strand": self.schema.strand,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "values_set_to_missing": cleared,
            "ignored_columns": ";".join(self.ignored_columns),
            "synthetic": self.synthetic,
            "sha256": file_sha256(self.path),
        }


ISSUE_COLUMNS = ["file", "row", "column", "value", "reason", "action"]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_synthetic(path: Path) -> bool:
    """True when ``path`` is byte-for-byte a file written by the synthetic data generator.

    The generator lists every file it writes, with its hash, in ``synthetic_manifest.json`` beside
    them. A real extract dropped in place of one of them has another hash and so counts as real, even
    if the manifest is left behind.
    """
    manifest = Path(path).parent / SYNTHETIC_MANIFEST
    if not manifest.exists():
        return False
    files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
    expected = files.get(Path(path).name)
    return expected is not None and expected == file_sha256(Path(path))


def _is_missing(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().isin(MISSING_TOKENS)


def _check_column(col: Column, text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse one column. Returns (parsed values, reason for each invalid cell or '')."""
    stripped = text.str.strip()
    missing = _is_missing(text)
    reason = pd.Series("", index=text.index, dtype=object)
    if col.dtype in ("string",):
        parsed = stripped.where(~missing, None).astype(object)
    elif col.dtype == "category":
        codes = {str(k): str(k) for k in col.codes}
        # Codes match ignoring case and surrounding spaces, and map to the declared spelling.
        lookup = {k.lower(): k for k in codes}
        parsed = stripped.str.lower().map(lookup)
        bad = ~missing & parsed.isna()
        reason[bad] = "not one of the codes " + ", ".join(codes)
        parsed = parsed.astype(object)
    elif col.dtype in ("integer", "number"):
        parsed = pd.to_numeric(stripped.where(~missing), errors="coerce")
        bad = ~missing & parsed.isna()
        reason[bad] = "not a number"
        if col.dtype == "integer":
            frac = ~parsed.isna() & (parsed != np.floor(parsed.fillna(0)))
            reason[frac] = "not a whole number"
            parsed = parsed.where(~frac)
        if col.minimum is not None:
            low = parsed < col.minimum
            reason[low] = f"below the minimum {col.minimum:g}"
            parsed = parsed.where(~low)
        if col.maximum is not None:
            high = parsed > col.maximum
            reason[high] = f"above the maximum {col.maximum:g}"
            parsed = parsed.where(~high)
        parsed = parsed.astype("Int64") if col.dtype == "integer" else parsed.astype(float)
    elif col.dtype == "date":
        parsed = pd.to_datetime(stripped.where(~missing), format=col.date_format, errors="coerce")
        bad = ~missing & parsed.isna()
        reason[bad] = f"not a date in the form {col.date_format.replace('%Y', 'YYYY').replace('%m', 'MM').replace('%d', 'DD')}"
    elif col.dtype == "boolean":
        low = stripped.str.lower()
        parsed = pd.Series(pd.NA, index=text.index, dtype="boolean")
        parsed[low.isin(TRUE_TOKENS)] = True
        parsed[low.isin(FALSE_TOKENS)] = False
        bad = ~missing & parsed.isna()
        reason[bad] = "not yes/no"
    else:  # pragma: no cover - guarded by Column.__post_init__
        raise ValueError(col.dtype)
    if not col.nullable:
        reason[missing] = "required value is blank"
    return parsed, reason


def read_raw(schema: RawFile, raw_dir: str | Path, key: bytes | None = None) -> IngestResult:
    """Read, validate and pseudonymise one raw file. See the module docstring for the rules."""
    path = Path(raw_dir) / schema.filename
    if not path.exists():
        raise IngestError(
            f"{path}: file not found. The {schema.strand} strand needs it ({schema.description}). "
            f"Put the extract there, or run `make data` to generate synthetic data."
        )
    try:
        text = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise IngestError(f"{path}: cannot be read as a CSV file: {exc}") from exc
    text.columns = [str(c).strip() for c in text.columns]
    by_lower = {c.lower(): c for c in text.columns}
    missing_cols = [c.name for c in schema.columns if c.required and c.name.lower() not in by_lower]
    if missing_cols:
        raise IngestError(
            f"{path}: missing required column(s) {', '.join(missing_cols)}; "
            f"the file has: {', '.join(text.columns)}"
        )
    # Columns are matched ignoring case: exports from case-management systems vary in header case.
    rename = {by_lower[c.name.lower()]: c.name for c in schema.columns if c.name.lower() in by_lower}
    declared = set(rename)
    ignored = [c for c in text.columns if c not in declared]
    text = text.rename(columns=rename)
    for c in schema.columns:  # optional columns absent from the file read as blank
        if c.name not in text.columns:
            text[c.name] = ""
    text = text[[c.name for c in schema.columns]]
    text.index = pd.RangeIndex(2, 2 + len(text))  # spreadsheet row numbers: header is row 1

    # Identifiers are pseudonymised first, so that no later step (issues, rejected rows, duplicate
    # messages, accepted data) ever holds them in clear.
    id_cols = [c for c in schema.columns if c.is_identifier]
    if id_cols:
        secret = key if key is not None else load_key()
        for c in id_cols:
            blank = _is_missing(text[c.name])
            text.loc[~blank, c.name] = pseudonymise_series(text.loc[~blank, c.name].str.strip(), secret, c.identifier_prefix)

    parsed = {}
    issues = []
    reject_reasons = pd.Series("", index=text.index, dtype=object)
    for col in schema.columns:
        values, reason = _check_column(col, text[col.name])
        bad = reason != ""
        if bad.any():
            action = "value set to missing" if (col.on_invalid == "set_missing" and col.nullable) else "row rejected"
            for row in reason.index[bad]:
                issues.append((path.name, int(row), col.name, text.at[row, col.name], reason[row], action))
            if action == "value set to missing":
                values = values.where(~bad)
            else:
                reject_reasons[bad] = reject_reasons[bad] + np.where(reject_reasons[bad] == "", "", "; ") + col.name + ": " + reason[bad]
        parsed[col.name] = values
    data = pd.DataFrame(parsed, index=text.index)

    if schema.unique_key:
        ok = reject_reasons == ""
        keys = list(schema.unique_key)
        sub = data.loc[ok, keys].copy()
        sub["_row"] = sub.index
        first_row = sub.groupby(keys, dropna=False)["_row"].transform("min")
        for row in sub.index[first_row != sub["_row"]]:
            keyval = "/".join(str(text.at[row, k]) for k in keys)
            msg = f"duplicate of row {int(first_row[row])} on {', '.join(keys)}"
            issues.append((path.name, int(row), "+".join(keys), keyval, msg, "row rejected"))
            reject_reasons[row] = msg

    issues_df = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    rejected_mask = reject_reasons != ""
    rejected = text.loc[rejected_mask].copy()
    rejected.insert(0, "reasons", reject_reasons[rejected_mask])
    rejected.insert(0, "row", rejected.index.astype(int))
    rejected.insert(0, "file", path.name)
    accepted = data.loc[~rejected_mask].reset_index(drop=True)
    return IngestResult(
        schema=schema,
        path=path,
        data=accepted,
        issues=issues_df,
        rejected=rejected.reset_index(drop=True),
        rows_read=len(text),
        ignored_columns=ignored,
        synthetic=is_synthetic(path),
    )


def data_quality_dir(processed_dir: Path) -> Path:
    d = Path(processed_dir) / "data_quality"
    d.mkdir(parents=True, exist_ok=True)
    return d


def save_ingest_record(result: IngestResult, processed_dir: Path) -> dict:
    """Write the rejected rows, the cell-level issues and the reconciliation of one raw file.

    Files go to ``<processed_dir>/data_quality/``: ``rejected_<key>.csv`` (the rejected rows with
    their reasons), ``issues_<key>.csv`` (every problem cell, including values set to missing) and
    ``reconciliation_<key>.csv`` (one row). The report's data-quality section reads them.
    """
    out = data_quality_dir(processed_dir)
    key = result.schema.key
    result.rejected.to_csv(out / f"rejected_{key}.csv", index=False)
    result.issues.to_csv(out / f"issues_{key}.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    rec = result.reconciliation()
    pd.DataFrame([rec]).to_csv(out / f"reconciliation_{key}.csv", index=False)
    return rec


def ingest(schema: RawFile, raw_dir: str | Path, processed_dir: Path, key: bytes | None = None) -> IngestResult:
    """Read one raw file and save its data-quality record: the call strand notebooks make."""
    result = read_raw(schema, raw_dir, key=key)
    save_ingest_record(result, processed_dir)
    return result


def write_output(table: pd.DataFrame, spec: OutputTable, processed_dir: Path) -> Path:
    """Write a processed table after checking it has exactly the documented columns, in order."""
    if list(table.columns) != spec.column_names:
        raise ValueError(
            f"{spec.filename}: columns {list(table.columns)} differ from the data dictionary's "
            f"{spec.column_names}"
        )
    path = Path(processed_dir) / spec.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return path


def read_output(spec: OutputTable, processed_dir: Path) -> pd.DataFrame:
    """Read a processed table written by :func:`write_output` (for the report and later strands)."""
    path = Path(processed_dir) / spec.filename
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found; run the notebook of the {spec.strand} strand first")
    return pd.read_csv(path)
