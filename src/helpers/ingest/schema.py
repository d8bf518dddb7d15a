"""The declarations of the ingest framework: raw files (:class:`RawFile`, :class:`Column`, :class:`Link`),
processed tables (:class:`OutputTable`, :class:`Field`), what reading one file produced (:class:`IngestResult`)
and the columns of the data-quality tables."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

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
