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

Inside a file (see :func:`read_raw`): UTF-8 with or without a byte-order mark is read as such;
a file that is not UTF-8 but is valid Windows-1252 (what Excel often saves) is read as that and the
choice is logged; a declared encoding (``encoding=``, ``FOP_RAW_ENCODING`` or the folder's
``raw_formats.yaml``, see :func:`raw_formats`) is used as declared;
anything else stops naming the file and line. Two headers that differ only in case, or a repeated
header, stop the run naming both columns. Dates follow one convention per file: ISO ``YYYY-MM-DD``
unless the file is declared day-first (``RawFile.dayfirst``, ``FOP_RAW_DAYFIRST`` or ``raw_formats.yaml``); a date such as
``03/04/2015`` in an ISO file is rejected with a reason that says whether the file's slashed dates
look day-first, month-first or cannot be told apart; dates outside the file's plausible window
(``RawFile.date_window``) reject their row. A repeated unique key is a "duplicate" when the rows
are identical and a "conflicting duplicate" (naming the columns that differ) when they are not.
A file that must not be empty (``RawFile.may_be_empty=False``) and holds only its header, or any
file whose every row is rejected, stops the run (:func:`raise_if_all_rejected`).

Between files (see :class:`Link` and :func:`apply_links`): every foreign key is declared with the
schema that holds it. Rows whose key matches nothing in the target file are "unmatched": taken out
of the data, kept in ``unmatched_<key>.csv`` with the reason and reconciled, so that
``rows read = accepted + rejected + unmatched``; each link's match rate is written to
``data_quality/links_<key>.csv``; below a link's ``required_share`` the run stops with one line
(with a hint when the IDs would match but for leading zeros). A link also says which file is
authoritative for an attribute both files hold (such as borough) and what a disagreement does.

Every CSV written here for people to open (:func:`write_csv`) has its text cells neutralised
against spreadsheet formula injection (:func:`neutralise_cells`).

Row numbers in messages are line numbers in the file as a spreadsheet shows them: the header is
row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .pseudonymise import load_key, pseudonym

DTYPES = ("string", "integer", "number", "date", "category", "boolean")
SYNTHETIC_MANIFEST = "synthetic_manifest.json"
#: Values read as "no answer" in every column. Real extracts write blanks in several ways.
MISSING_TOKENS = frozenset({"", "na", "n/a", "null", "none", "nan", "missing", "-"})
TRUE_TOKENS = frozenset({"yes", "y", "true", "1"})
FALSE_TOKENS = frozenset({"no", "n", "false", "0"})
#: Environment variables declaring, for a run, the encoding of every raw file and the files whose
#: dates are day-first (comma-separated file names, or ``all``).
ENCODING_ENV_VAR = "FOP_RAW_ENCODING"
DAYFIRST_ENV_VAR = "FOP_RAW_DAYFIRST"
#: The same declarations kept with the data (see :func:`raw_formats`): a data team states once how
#: its export was written, and the runner fingerprints this file with every notebook's inputs.
RAW_FORMATS_FILE = "raw_formats.yaml"
#: Dates before or after these are implausible in any file of this evaluation (2014 programme);
#: a file may declare a narrower window (``RawFile.date_window``).
DEFAULT_DATE_WINDOW = ("1990-01-01", "2030-12-31")
#: Encodings tried in order when none is declared: UTF-8 (with or without a byte-order mark), then
#: Windows-1252, which Excel writes on Windows ("Save as CSV").
FALLBACK_ENCODING = "cp1252"
#: First characters that make a spreadsheet treat a cell as a formula (or that hide one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class IngestError(Exception):
    """A raw file cannot be used at all (missing, unreadable, or lacking a required column)."""


class LinkError(IngestError):
    """A declared link between two raw files matches below its required share: the run stops."""


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
class Link:
    """A foreign key: ``columns`` of this file must match ``target_columns`` of the ``target`` file.

    * ``target``: the :class:`RawFile` referred to (its accepted rows, all boroughs).
    * ``required_share``: the share of this file's rows (with a value in ``columns``) that must
      match; below it the run stops with one line (:class:`LinkError`). 0 never stops.
    * ``on_unmatched``: ``"reject"`` takes an unmatched row out of the data (kept in
      ``unmatched_<key>.csv``, reconciled as unmatched); ``"keep"`` keeps it and logs it.
    * ``shared``: attributes both files hold (e.g. ``("borough",)``); ``authority`` says which
      file is right (``"target"`` or ``"source"``) and ``on_disagreement`` what happens when they
      differ: ``"use_authority"`` (this file's value replaced by the target's and logged; only with
      ``authority="target"``), ``"reject"`` (the row is unmatched) or ``"log"`` (kept, logged).
    """

    columns: tuple[str, ...]
    target: RawFile
    target_columns: tuple[str, ...] | None = None
    required_share: float = 0.0
    on_unmatched: str = "reject"
    shared: tuple[str, ...] = ()
    authority: str = "target"
    on_disagreement: str = "use_authority"
    description: str = ""

    def __post_init__(self):
        if isinstance(self.columns, str):
            object.__setattr__(self, "columns", (self.columns,))
        if self.target_columns is None:
            object.__setattr__(self, "target_columns", tuple(self.columns))
        elif isinstance(self.target_columns, str):
            object.__setattr__(self, "target_columns", (self.target_columns,))
        if len(self.columns) != len(self.target_columns):
            raise ValueError("a link needs as many target columns as columns")
        if self.on_unmatched not in ("reject", "keep"):
            raise ValueError("on_unmatched must be reject or keep")
        if self.authority not in ("target", "source"):
            raise ValueError("authority must be target or source")
        if self.on_disagreement not in ("use_authority", "reject", "log"):
            raise ValueError("on_disagreement must be use_authority, reject or log")
        if not 0 <= self.required_share <= 1:
            raise ValueError("required_share is a share between 0 and 1")

    def name(self, source: RawFile) -> str:
        """``file.col -> target.col`` as shown in the data-quality section."""
        left = "+".join(self.columns)
        right = "+".join(self.target_columns)
        return f"{source.filename}:{left} -> {self.target.filename}:{right}"

    def summary(self) -> str:
        """The link in words, for the data dictionary."""
        cols = ", ".join(f"`{c}`" for c in self.columns)
        tcols = ", ".join(f"`{c}`" for c in self.target_columns)
        text = f"{cols} must match {tcols} of an accepted row of `{self.target.filename}`"
        text += (
            "; a row without a match is rejected as unmatched"
            if self.on_unmatched == "reject"
            else "; a row without a match is kept and logged"
        )
        if self.required_share:
            text += f"; the run stops if fewer than {self.required_share:.0%} of rows match"
        for col in self.shared:
            owner = self.target.filename if self.authority == "target" else "this file"
            what = {
                "use_authority": f"this file's value is replaced by `{self.target.filename}`'s and logged",
                "reject": "the row is rejected as unmatched",
                "log": "the row is kept and the difference logged",
            }[self.on_disagreement]
            text += f". `{col}`: {owner} is authoritative; where the two differ, {what}"
        return text + "."


@dataclass(frozen=True)
class RawFile:
    """A raw input file: where it is found, what it holds, and the key that must be unique.

    ``may_be_empty=False`` stops the run when the file holds only its header (a roster or the main
    file of a strand); ``links`` are its foreign keys (:class:`Link`); ``dayfirst`` declares that
    its dates are written DD/MM/YYYY; ``date_window`` the plausible dates of every date column.
    """

    key: str
    filename: str
    strand: str
    description: str
    columns: tuple[Column, ...]
    unique_key: tuple[str, ...] = ()
    may_be_empty: bool = True
    links: tuple[Link, ...] = ()
    dayfirst: bool = False
    date_window: tuple[str, str] = DEFAULT_DATE_WINDOW

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
    """What reading one raw file produced.

    ``data`` holds the accepted rows (a strand may narrow it to a borough afterwards; ``full`` then
    keeps every accepted row, which is what links check against). ``unmatched`` holds the rows that
    links took out; ``links`` one record per link applied.
    """

    schema: RawFile
    path: Path
    data: pd.DataFrame
    issues: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    ignored_columns: list[str] = field(default_factory=list)
    synthetic: bool = False
    unmatched: pd.DataFrame | None = None
    links: list = field(default_factory=list)
    encoding: str = "utf-8"
    full: pd.DataFrame | None = None
    #: Spreadsheet row number of each accepted row, aligned with ``data`` as read.
    source_rows: np.ndarray | None = None
    #: For identifier columns: pseudonym -> pseudonym of the ID with leading zeros removed, used to
    #: say when two files differ only by lost leading zeros (never holds an ID in clear).
    id_variants: dict = field(default_factory=dict)

    @property
    def rows_accepted(self) -> int:
        return len(self.full) if self.full is not None else len(self.data)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def rows_unmatched(self) -> int:
        return 0 if self.unmatched is None else len(self.unmatched)

    def accepted(self) -> pd.DataFrame:
        """Every accepted row (before any narrowing to a borough)."""
        return self.full if self.full is not None else self.data

    def reconciliation(self) -> dict:
        """One row of the reconciliation table; asserts the rows add up."""
        if self.rows_read != self.rows_accepted + self.rows_rejected + self.rows_unmatched:
            raise AssertionError(
                f"{self.path.name}: {self.rows_read} rows read but {self.rows_accepted} accepted "
                f"+ {self.rows_rejected} rejected + {self.rows_unmatched} unmatched"
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
            "rows_unmatched": self.rows_unmatched,
            "encoding": self.encoding,
        }


#: The columns every file's reconciliation row has (:meth:`IngestResult.reconciliation`; readers of
#: other formats write the same), for tables of them that must exist even when no file was read.
RECONCILIATION_COLUMNS = [
    "file",
    "strand",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "values_set_to_missing",
    "ignored_columns",
    "synthetic",
    "sha256",
]
ISSUE_COLUMNS = ["file", "row", "column", "value", "reason", "action"]
LINK_COLUMNS = [
    "link",
    "file",
    "target",
    "rows_checked",
    "rows_matched",
    "rows_unmatched",
    "rows_without_key",
    "match_rate",
    "required_share",
    "values_disagreeing",
    "authority",
    "on_unmatched",
    "hint",
]


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
    try:
        files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
    except (ValueError, AttributeError, OSError):
        return False  # an unreadable manifest proves nothing synthetic
    expected = files.get(Path(path).name) if isinstance(files, dict) else None
    return expected is not None and expected == file_sha256(Path(path))


# --------------------------------------------------------------------------------------------------
# Spreadsheet-safe CSV


def _neutralise(v):
    if isinstance(v, str) and v[:1] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.match(v) and v not in ("-", "+"):
        return "'" + v
    return v


def neutralise_cells(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells cannot run as spreadsheet formulas.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe (``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``), which spreadsheets show as text.
    Numbers are never changed: numeric columns are left alone, and a text cell that is a plain
    number (``-3``, ``+1.5``, ``-2e3``) stays as it is, so negative values stay numeric for programs
    that read the file. Column names are neutralised the same way.
    """
    out = table.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(_neutralise)
    out.columns = [_neutralise(str(c)) for c in out.columns]
    return out


def write_csv(table: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Write a CSV a person may open in a spreadsheet: text cells neutralised (see above)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralise_cells(table).to_csv(path, index=False, **kwargs)
    return path


# --------------------------------------------------------------------------------------------------
# Reading


def _is_missing(values: pd.Series) -> pd.Series:
    return values.str.strip().str.lower().isin(MISSING_TOKENS)


_SLASHED = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:\s+00:00(?::00)?)?\s*$")


def _date_convention_hint(values: pd.Series) -> str:
    """What the slashed dates of a column look like: day-first, month-first or ambiguous."""
    m = values.str.extract(_SLASHED)
    m = m.dropna()
    if m.empty:
        return ""
    a, b = m[0].astype(int), m[1].astype(int)
    if (a > 12).any() and not (b > 12).any():
        return " (the file's dates look day-first, DD/MM/YYYY: declare the file day-first, or export ISO dates)"
    if (b > 12).any() and not (a > 12).any():
        return " (the file's dates look month-first, MM/DD/YYYY: export ISO dates)"
    return " (day and month cannot be told apart, e.g. 03/04/2015: export ISO dates YYYY-MM-DD)"


def _parse_dates(
    col: Column, stripped: pd.Series, missing: pd.Series, dayfirst: bool, window
) -> tuple[pd.Series, pd.Series]:
    reason = pd.Series("", index=stripped.index, dtype=object)
    iso = pd.to_datetime(stripped.where(~missing), format=col.date_format, errors="coerce")
    parsed = iso
    form = col.date_format.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
    if dayfirst:
        m = stripped.where(~missing & iso.isna()).str.extract(_SLASHED)
        ok = m.notna().all(axis=1)
        if ok.any():
            year = m.loc[ok, 2].astype(int)
            year = year.where(year >= 100, year + 2000)
            parts = pd.DataFrame({"year": year, "month": m.loc[ok, 1].astype(int), "day": m.loc[ok, 0].astype(int)})
            dm = pd.to_datetime(parts, errors="coerce")
            parsed = parsed.copy()
            parsed.loc[ok] = dm
        form = "DD/MM/YYYY (or YYYY-MM-DD)"
    bad = ~missing & parsed.isna()
    if bad.any():
        hint = "" if dayfirst else _date_convention_hint(stripped[bad])
        reason[bad] = f"not a date in the form {form}{hint}"
    lo, hi = (pd.Timestamp(window[0]), pd.Timestamp(window[1])) if window else (None, None)
    if lo is not None:
        out = parsed.notna() & ((parsed < lo) | (parsed > hi))
        reason[out] = f"outside the plausible dates for this file ({window[0]} to {window[1]})"
        parsed = parsed.where(~out)
    return parsed, reason


def _check_column(
    col: Column, text: pd.Series, dayfirst: bool = False, window=DEFAULT_DATE_WINDOW
) -> tuple[pd.Series, pd.Series]:
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
        # inf and nan spelled out are not numbers anyone recorded
        parsed = parsed.where(np.isfinite(parsed.astype(float)))
        bad = ~missing & parsed.isna()
        reason[bad] = "not a number"
        if col.dtype == "integer":
            frac = ~parsed.isna() & (parsed != np.floor(parsed.fillna(0)))
            reason[frac] = "not a whole number"
            parsed = parsed.where(~frac)
            huge = parsed.abs() > 2**53
            reason[huge] = "not a plausible whole number"
            parsed = parsed.where(~huge)
        if col.minimum is not None:
            low = parsed < col.minimum
            reason[low] = f"below the minimum {col.minimum:g}"
            parsed = parsed.where(~low)
        if col.maximum is not None:
            high = parsed > col.maximum
            reason[high] = f"above the maximum {col.maximum:g}"
            parsed = parsed.where(~high)
        parsed = parsed.astype(float).astype("Int64") if col.dtype == "integer" else parsed.astype(float)
    elif col.dtype == "date":
        parsed, reason = _parse_dates(col, stripped, missing, dayfirst, window)
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


def _line_of(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def decode_raw(path: Path, raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode a raw file's bytes. Returns (text, encoding used).

    Declared ``encoding`` (or ``FOP_RAW_ENCODING``): used as declared. Otherwise UTF-8 (a BOM is
    dropped) and, if the bytes are not UTF-8, Windows-1252. A file that fits neither stops the run
    naming the file and the line of the first byte that does not fit.
    """
    declared = encoding or os.environ.get(ENCODING_ENV_VAR) or None
    if not declared and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise IngestError(f"{path}: line 1: the file is UTF-16 (Excel's 'Unicode text'); save it as CSV UTF-8")
    tries = [declared] if declared else ["utf-8-sig", FALLBACK_ENCODING]
    first_error = None
    for enc in tries:
        try:
            text = raw.decode(enc)
        except LookupError as exc:
            raise IngestError(f"{path}: the declared encoding {enc!r} is not one Python knows") from exc
        except UnicodeDecodeError as exc:
            first_error = first_error or (enc, exc)
            continue
        if text.startswith("\ufeff"):
            text = text[1:]
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    enc, exc = first_error
    what = f"declared as {enc}" if declared else "neither UTF-8 nor Windows-1252"
    raise IngestError(
        f"{path}: line {_line_of(raw, exc.start)}: the file is {what}; byte {raw[exc.start : exc.start + 1]!r} "
        f"cannot be read. Save it as CSV UTF-8."
    )


def _variant_key(value: str) -> str:
    """An identifier as a spreadsheet may have rewritten it: leading zeros of a numeric ID dropped."""
    v = str(value).strip()
    m = re.fullmatch(r"0*(\d+?)(?:\.0+)?", v)
    return m.group(1) if m else v


def raw_formats(raw_dir: str | Path) -> dict:
    """How the files of a raw folder were written, from ``<raw_dir>/raw_formats.yaml`` if present::

        encoding:            # file name (or all) -> a Python codec name
          practitioners.csv: cp1252
        dayfirst: [families.csv, hr_absence.csv]   # or: all

    Returns ``{"encoding": {name: codec}, "dayfirst": {names}}`` with names in lower case; empty
    when there is no file. A malformed file stops the run naming the file and the entry. An explicit
    argument or environment variable (``FOP_RAW_ENCODING``, ``FOP_RAW_DAYFIRST``) wins over it.
    """
    import codecs

    import yaml

    path = Path(raw_dir) / RAW_FORMATS_FILE
    out: dict = {"encoding": {}, "dayfirst": set()}
    if not path.is_file():
        return out
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict) or set(data) - {"encoding", "dayfirst"}:
        extra = sorted(set(data) - {"encoding", "dayfirst"}) if isinstance(data, dict) else data
        raise IngestError(f"{path}: only 'encoding:' and 'dayfirst:' may be declared here, got {extra!r}")
    enc = data.get("encoding") or {}
    if not isinstance(enc, dict):
        raise IngestError(f"{path}: encoding: must map file names (or all) to encodings, got {enc!r}")
    for name, codec in enc.items():
        try:
            codecs.lookup(str(codec))
        except LookupError as exc:
            raise IngestError(f"{path}: encoding: {name}: {codec!r} is not an encoding Python knows") from exc
        out["encoding"][str(name).strip().lower()] = str(codec)
    day = data.get("dayfirst") or []
    day = [day] if isinstance(day, str) else day
    if not isinstance(day, list) or not all(isinstance(n, str) for n in day):
        raise IngestError(f"{path}: dayfirst: must be a list of file names (or all), got {day!r}")
    out["dayfirst"] = {n.strip().lower() for n in day if n.strip()}
    return out


def _dayfirst_declared(schema: RawFile, dayfirst: bool | None, formats: dict | None = None) -> bool:
    if dayfirst is not None:
        return bool(dayfirst)
    env = os.environ.get(DAYFIRST_ENV_VAR, "")
    names = {n.strip().lower() for n in env.split(",") if n.strip()} | (formats or {}).get("dayfirst", set())
    return schema.dayfirst or "all" in names or schema.filename.lower() in names


def _encoding_declared(schema: RawFile, encoding: str | None, formats: dict) -> str | None:
    """The encoding declared for this file: argument, then FOP_RAW_ENCODING, then raw_formats.yaml."""
    declared = formats["encoding"]
    return (
        encoding
        or os.environ.get(ENCODING_ENV_VAR)
        or declared.get(schema.filename.lower())
        or declared.get("all")
        or None
    )


def read_raw(
    schema: RawFile,
    raw_dir: str | Path,
    key: bytes | None = None,
    encoding: str | None = None,
    dayfirst: bool | None = None,
) -> IngestResult:
    """Read, validate and pseudonymise one raw file. See the module docstring for the rules."""
    path = Path(raw_dir) / schema.filename
    if not path.exists():
        raise IngestError(
            f"{path}: file not found. The {schema.strand} strand needs it ({schema.description}). "
            f"Put the extract there, or run `make data` to generate synthetic data."
        )
    if path.is_dir():
        raise IngestError(f"{path}: is a folder, not a CSV file")
    raw = path.read_bytes()
    formats = raw_formats(raw_dir)
    encoding = _encoding_declared(schema, encoding, formats)
    decoded, used_encoding = decode_raw(path, raw, encoding)
    if "\x00" in decoded:
        line = decoded[: decoded.index("\x00")].count("\n") + 1
        raise IngestError(f"{path}: line {line}: the file holds a NUL byte, so it is not a text CSV file")
    try:
        table = pd.read_csv(
            io.StringIO(decoded), dtype=str, keep_default_na=False, na_filter=False, header=None, skip_blank_lines=True
        )
    except pd.errors.EmptyDataError as exc:
        raise IngestError(f"{path}: the file is empty (not even a header row)") from exc
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise IngestError(
            f"{path}: cannot be read as a CSV file: {str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}"
        ) from exc
    header = [str(c).strip() for c in table.iloc[0]] if len(table) else []
    text = table.iloc[1:].reset_index(drop=True)
    text.columns = range(text.shape[1])
    header = [h if h else f"(unnamed column {i + 1})" for i, h in enumerate(header)]
    seen: dict[str, str] = {}
    for h in header:
        other = seen.get(h.lower())
        if other is not None:
            if other == h:
                raise IngestError(
                    f"{path}: the column {h!r} appears twice in the header; which one to read cannot be told"
                )
            raise IngestError(
                f"{path}: the columns {other!r} and {h!r} differ only in case; which one to read cannot be told"
            )
        seen[h.lower()] = h
    text.columns = header
    text = text.fillna("")
    by_lower = {c.lower(): c for c in text.columns}
    missing_cols = [c.name for c in schema.columns if c.required and c.name.lower() not in by_lower]
    if missing_cols:
        raise IngestError(
            f"{path}: missing required column(s) {', '.join(missing_cols)}; the file has: {', '.join(text.columns)}"
        )
    if not len(text) and not schema.may_be_empty:
        raise IngestError(
            f"{path}: the file has a header but no rows; the {schema.strand} strand cannot run without them"
        )
    # Columns are matched ignoring case: exports from case-management systems vary in header case.
    rename = {by_lower[c.name.lower()]: c.name for c in schema.columns if c.name.lower() in by_lower}
    declared = set(rename)
    ignored = [c for c in text.columns if c not in declared]
    text = text.rename(columns=rename)
    for c in schema.columns:  # optional columns absent from the file read as blank
        if c.name not in text.columns:
            text[c.name] = ""
    text = text[[c.name for c in schema.columns]].astype(str)
    text.index = pd.RangeIndex(2, 2 + len(text))  # spreadsheet row numbers: header is row 1
    # A row number must be a line number: quoted values spanning lines shift later rows; this
    # keeps the row as a record count, which is what a spreadsheet shows.

    # Identifiers are pseudonymised first, so that no later step (issues, rejected rows, duplicate
    # messages, accepted data) ever holds them in clear.
    id_cols = [c for c in schema.columns if c.is_identifier]
    variants: dict[str, dict] = {}
    if id_cols:
        secret = key if key is not None else load_key()
        for c in id_cols:
            blank = _is_missing(text[c.name])
            clear = text.loc[~blank, c.name].str.strip()
            names = {u: pseudonym(u, secret, c.identifier_prefix) for u in pd.unique(clear)}
            var = {}
            for u, p in names.items():
                v = _variant_key(u)
                var[p] = p if v == u else names.get(v) or pseudonym(v, secret, c.identifier_prefix)
            variants[c.name] = var
            text.loc[~blank, c.name] = clear.map(names)
            del clear, names

    parsed = {}
    issues = []
    reject_reasons = pd.Series("", index=text.index, dtype=object)
    first_of_day = _dayfirst_declared(schema, dayfirst, formats)
    for col in schema.columns:
        values, reason = _check_column(col, text[col.name], first_of_day, schema.date_window)
        bad = reason != ""
        if bad.any():
            action = "value set to missing" if (col.on_invalid == "set_missing" and col.nullable) else "row rejected"
            for row in reason.index[bad]:
                issues.append((path.name, int(row), col.name, text.at[row, col.name], reason[row], action))
            if action == "value set to missing":
                values = values.where(~bad)
            else:
                reject_reasons[bad] = (
                    reject_reasons[bad] + np.where(reject_reasons[bad] == "", "", "; ") + col.name + ": " + reason[bad]
                )
        parsed[col.name] = values
    data = pd.DataFrame(parsed, index=text.index)

    if schema.unique_key:
        ok = reject_reasons == ""
        keys = list(schema.unique_key)
        sub = data.loc[ok, keys].copy()
        sub["_row"] = sub.index
        first_row = sub.groupby(keys, dropna=False)["_row"].transform("min")
        others = [c.name for c in schema.columns if c.name not in keys]
        for row in sub.index[first_row != sub["_row"]]:
            first = int(first_row[row])
            keyval = "/".join(str(text.at[row, k]) for k in keys)
            differ = [c for c in others if text.at[row, c].strip() != text.at[first, c].strip()]
            if differ:
                msg = f"conflicting duplicate of row {first} on {', '.join(keys)}: differs in {', '.join(differ)}"
                keyval += " | " + "; ".join(f"{c}: {text.at[first, c]!r} vs {text.at[row, c]!r}" for c in differ)
            else:
                msg = f"duplicate of row {first} on {', '.join(keys)}"
            issues.append((path.name, int(row), "+".join(keys), keyval, msg, "row rejected"))
            reject_reasons[row] = msg

    issues_df = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    if used_encoding != "utf-8" and not (encoding or os.environ.get(ENCODING_ENV_VAR)):
        issues_df = pd.concat(
            [
                pd.DataFrame(
                    [
                        (
                            path.name,
                            1,
                            "",
                            "",
                            f"not UTF-8: read as {used_encoding} (Windows-1252)",
                            "file read as Windows-1252",
                        )
                    ],
                    columns=ISSUE_COLUMNS,
                ),
                issues_df,
            ],
            ignore_index=True,
        )
    rejected_mask = reject_reasons != ""
    rejected = text.loc[rejected_mask].copy()
    rejected.insert(0, "reasons", reject_reasons[rejected_mask])
    rejected.insert(0, "row", rejected.index.astype(int))
    rejected.insert(0, "file", path.name)
    accepted = data.loc[~rejected_mask]
    source_rows = accepted.index.to_numpy(dtype=int)
    return IngestResult(
        schema=schema,
        path=path,
        data=accepted.reset_index(drop=True),
        issues=issues_df,
        rejected=rejected.reset_index(drop=True),
        rows_read=len(text),
        ignored_columns=ignored,
        synthetic=is_synthetic(path),
        unmatched=None,
        encoding=used_encoding,
        source_rows=source_rows,
        id_variants=variants,
    )


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


def ingest(
    schema: RawFile, raw_dir: str | Path, processed_dir: Path, key: bytes | None = None, links: Mapping | None = None
) -> IngestResult:
    """Read one raw file and save its data-quality record: the call strand notebooks make.

    ``links`` maps a target file's key to its :class:`IngestResult` (or accepted DataFrame); the
    schema's links to those files are applied (:func:`apply_links`) before the record is saved.
    """
    result = read_raw(schema, raw_dir, key=key)
    if links:
        apply_links(result, links, processed_dir=None)
    save_ingest_record(result, processed_dir)
    raise_if_all_rejected(result)
    if links:
        raise_for_links(result)
    return result


# --------------------------------------------------------------------------------------------------
# Between files


def _target_frame(target) -> tuple[pd.DataFrame, dict]:
    if isinstance(target, IngestResult):
        return target.accepted(), target.id_variants
    return target, {}


def _as_text(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return str(v)


def _padding_hint(
    link: Link, src: pd.DataFrame, unmatched: pd.Series, src_var: dict, tgt: pd.DataFrame, tgt_var: dict
) -> tuple[str, int]:
    """How many unmatched rows would match if leading zeros of numeric IDs were ignored."""
    if not unmatched.any():
        return "", 0

    def var(df, variants, cols):
        parts = []
        for c in cols:
            m = variants.get(c)
            parts.append(df[c].map(lambda v, m=m: m.get(v, v) if m else _variant_key(v) if isinstance(v, str) else v))
        return pd.Series(list(zip(*parts, strict=True)), index=df.index) if parts else pd.Series([], dtype=object)

    tgt_keys = set(var(tgt, tgt_var, link.target_columns))
    near = var(src[unmatched], src_var, link.columns).isin(tgt_keys)
    n = int(near.sum())
    if not n:
        return "", 0
    return (
        f"{n} of the unmatched rows would match if leading zeros were ignored: one of the two files has lost "
        f"the zeros at the start of its IDs (a spreadsheet does this when it reads IDs as numbers); export the "
        f"IDs as text"
    ), n


def _target_hint(link: Link, src: pd.DataFrame, unmatched: pd.Series, target) -> str:
    """Why rows may not match: the target has no rows, or the rows they refer to were rejected there."""
    if not unmatched.any() or not isinstance(target, IngestResult):
        return ""
    name = link.target.filename
    if target.rows_accepted == 0:
        return f"{name} has no accepted rows ({target.rows_read} read, {target.rows_rejected} rejected: see its issues file)"
    if not len(target.rejected):
        return ""
    cols, tcols = list(link.columns), list(link.target_columns)
    rejected_keys = set(map(tuple, target.rejected[tcols].astype(str).to_numpy().tolist()))
    mine = pd.Series(list(map(tuple, src.loc[unmatched, cols].map(_as_text).to_numpy().tolist())), dtype=object)
    n = int(mine.isin(rejected_keys).sum())
    if not n:
        return ""
    return f"{n} of the unmatched rows refer to rows of {name} that were themselves rejected (see its issues file)"


def raise_if_all_rejected(result: IngestResult) -> None:
    """Stop the run when a file has rows but every one was rejected: its format is wrong, not its data."""
    if result.rows_read and result.rows_accepted == 0 and result.rows_rejected == result.rows_read:
        first = str(result.rejected["reasons"].iloc[0]) if len(result.rejected) else ""
        raise IngestError(
            f"{result.path.name}: all {result.rows_read} rows were rejected (first reason, row "
            f"{int(result.rejected['row'].iloc[0])}: {first}); see data_quality/issues_{result.schema.key}.csv"
        )


def apply_links(result: IngestResult, targets: Mapping, processed_dir: Path | None = None) -> list[dict]:
    """Check ``result`` against every declared link whose target is in ``targets``.

    ``targets`` maps a :class:`RawFile` key to the target's :class:`IngestResult` (its accepted rows,
    every borough, are the keys that exist) or to a DataFrame of them. Unmatched rows are moved
    from ``result.data`` to ``result.unmatched`` (``on_unmatched="reject"``) and logged; shared
    attributes are reconciled by the link's authority rule; one record per link is kept in
    ``result.links``. With ``processed_dir`` the file's data-quality record is rewritten and the run
    stops (:class:`LinkError`) when a link matches below its required share.
    """
    schema = result.schema
    for link in schema.links:
        if link.target.key not in targets:
            continue
        tgt, tgt_var = _target_frame(targets[link.target.key])
        data = result.accepted()
        rows = result.source_rows if result.source_rows is not None and len(result.source_rows) == len(data) else None
        cols, tcols = list(link.columns), list(link.target_columns)
        has_key = data[cols].notna().all(axis=1)
        tgt_ok = tgt[tcols].dropna()
        tgt_keys = set(map(tuple, tgt_ok.astype(object).to_numpy().tolist()))
        src_keys = pd.Series(
            list(map(tuple, data[cols].astype(object).to_numpy().tolist())), index=data.index, dtype=object
        )
        matched = has_key & src_keys.isin(tgt_keys)
        unmatched = has_key & ~matched
        reason = {}
        for i in data.index[unmatched]:
            reason[i] = f"no row of {link.target.filename} has this {'+'.join(tcols)}"
        new_issues = []
        disagreeing = 0
        if link.shared and matched.any():
            lookup = tgt.dropna(subset=tcols).drop_duplicates(tcols).set_index(tcols)
            idx = (
                pd.MultiIndex.from_frame(data.loc[matched, cols])
                if len(cols) > 1
                else pd.Index(data.loc[matched, cols[0]])
            )
            for attr in link.shared:
                theirs = pd.Series(lookup[attr].reindex(idx).to_numpy(), index=data.index[matched])
                ours = data.loc[matched, attr]
                differ = theirs.notna() & ours.notna() & (ours.astype(str) != theirs.astype(str))
                disagreeing += int(differ.sum())
                for i in differ.index[differ]:
                    row = int(rows[i]) if rows is not None else ""
                    value = f"{ours[i]} here, {theirs[i]} in {link.target.filename}"
                    if link.on_disagreement == "reject":
                        reason[i] = f"{attr} differs from {link.target.filename}, which is authoritative for it"
                        unmatched[i] = True
                        matched[i] = False
                    elif link.on_disagreement == "use_authority" and link.authority == "target":
                        new_issues.append(
                            (
                                result.path.name,
                                row,
                                attr,
                                value,
                                f"{attr} differs from {link.target.filename}, which is authoritative for it",
                                f"value replaced by {link.target.filename}'s",
                            )
                        )
                    else:
                        new_issues.append(
                            (
                                result.path.name,
                                row,
                                attr,
                                value,
                                f"{attr} differs from {link.target.filename}"
                                + ("; this file is authoritative for it" if link.authority == "source" else ""),
                                "kept, difference logged",
                            )
                        )
                if link.on_disagreement == "use_authority" and link.authority == "target":
                    fix = differ & ~unmatched[differ.index]
                    data.loc[fix.index[fix], attr] = theirs[fix]
        hint, near = _padding_hint(link, data, unmatched, result.id_variants, tgt, tgt_var)
        hint = "; ".join(h for h in (_target_hint(link, data, unmatched, targets[link.target.key]), hint) if h)
        action = "row unmatched" if link.on_unmatched == "reject" else "row kept (no match)"
        for i in data.index[unmatched]:
            row = int(rows[i]) if rows is not None else ""
            value = "/".join(_as_text(data.at[i, c]) for c in cols)
            new_issues.append((result.path.name, row, "+".join(cols), value, reason[i], action))
        n_checked = int(has_key.sum())
        n_matched = int(matched.sum())
        name = link.name(schema)
        record = {
            "link": name,
            "file": schema.filename,
            "target": link.target.filename,
            "rows_checked": n_checked,
            "rows_matched": n_matched,
            "rows_unmatched": int(unmatched.sum()),
            "rows_without_key": int((~has_key).sum()),
            "match_rate": (n_matched / n_checked) if n_checked else float("nan"),
            "required_share": link.required_share,
            "values_disagreeing": disagreeing,
            "authority": ", ".join(
                f"{a}: {link.target.filename if link.authority == 'target' else schema.filename}" for a in link.shared
            ),
            "on_unmatched": link.on_unmatched,
            "hint": hint,
        }
        result.links = [r for r in result.links if r["link"] != name] + [record]
        if new_issues:
            result.issues = pd.concat(
                [result.issues, pd.DataFrame(new_issues, columns=ISSUE_COLUMNS)], ignore_index=True
            )
        if link.on_unmatched == "reject" and unmatched.any():
            gone = data.loc[unmatched].copy()
            out = pd.DataFrame({c: gone[c].map(_as_text) for c in gone.columns}, index=gone.index)
            out.insert(0, "reasons", [f"{'+'.join(cols)}: {reason[i]}" for i in gone.index])
            out.insert(0, "row", [int(rows[i]) if rows is not None else "" for i in gone.index])
            out.insert(0, "file", result.path.name)
            result.unmatched = (
                out.reset_index(drop=True)
                if result.unmatched is None
                else pd.concat([result.unmatched, out], ignore_index=True)
            )
            keep = ~unmatched
            if rows is not None:
                result.source_rows = rows[keep.to_numpy()]
            kept = data.loc[keep].reset_index(drop=True)
            # A strand that narrowed ``data`` to a borough keeps its narrowing.
            if result.full is not None:
                gone_keys = set(src_keys[unmatched])
                narrowed = result.data
                nk = pd.Series(
                    list(map(tuple, narrowed[cols].astype(object).to_numpy().tolist())),
                    index=narrowed.index,
                    dtype=object,
                )
                result.data = narrowed[~nk.isin(gone_keys)].reset_index(drop=True)
                result.full = kept
            else:
                result.data = kept
        elif result.full is None:
            result.data = data
        if result.unmatched is None:
            result.unmatched = pd.DataFrame(columns=["file", "row", "reasons", *[c.name for c in schema.columns]])
        del near
    if processed_dir is not None:
        save_ingest_record(result, processed_dir)
        raise_for_links(result)
    return result.links


def raise_for_links(result: IngestResult) -> None:
    """Stop the run (one line) when a link of ``result`` matched below its required share."""
    for rec in result.links:
        req = float(rec["required_share"] or 0)
        rate = rec["match_rate"]
        if req and rec["rows_checked"] and rate < req:
            msg = (
                f"{rec['file']}: only {rec['rows_matched']} of {rec['rows_checked']} rows ({rate:.0%}) match "
                f"{rec['target']} on {rec['link'].split(':', 1)[1].split(' -> ')[0]} (at least {req:.0%} required)"
            )
            if rec["hint"]:
                msg += "; " + rec["hint"]
            raise LinkError(msg + ".")


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
