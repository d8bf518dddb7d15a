"""One table read from one or more extract files, and the bridge from XML records to the CSV rules.

A :class:`TableResult` is what every reader returns per table: the accepted rows (with ``la_code``
and ``year`` added), the issues, the rejected rows with their reasons, and rows read = accepted +
rejected. XML forms (SSDA903 XML, CIN census XML) are flattened into records and then checked by the
same rules as a CSV file (:func:`helpers.ingest.check_cells`, what :func:`helpers.ingest.read_raw`
applies to a file's cells), so an XML file is validated exactly like a CSV one; problems name the XML file and the element path (e.g.
``/Message/Children/Child[12]/CINdetails[2]``) instead of a row number.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ... import ingest
from ...ingest import RawFile
from .schemas import STRAND


@dataclass
class TableResult:
    """One table read from one or more files (IngestResult-like: rows read = accepted + rejected)."""

    schema: RawFile
    data: pd.DataFrame
    issues: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    files: list[Path] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    synthetic: bool = False

    @property
    def rows_accepted(self) -> int:
        return len(self.data)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    def reconciliation(self) -> dict:
        if self.rows_read != self.rows_accepted + self.rows_rejected:
            raise AssertionError(
                f"{self.schema.key}: {self.rows_read} read but {self.rows_accepted} accepted + {self.rows_rejected} rejected"
            )
        cleared = int((self.issues["action"] == "value set to missing").sum()) if len(self.issues) else 0
        h = hashlib.sha256()
        for p in self.files:
            h.update(ingest.file_sha256(p).encode())
        label = self.files[0].name if len(self.files) == 1 else f"{self.schema.key} ({len(self.files)} files)"
        return {
            "file": label,
            "strand": STRAND,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "values_set_to_missing": cleared,
            "ignored_columns": ";".join(sorted(set(self.ignored_columns))),
            "synthetic": self.synthetic,
            "sha256": h.hexdigest(),
        }


def empty_result(schema: RawFile) -> TableResult:
    cols = [c.name for c in schema.columns] + ["la_code", "year"]
    return TableResult(
        schema,
        pd.DataFrame(columns=cols),
        pd.DataFrame(columns=ingest.ISSUE_COLUMNS),
        pd.DataFrame(columns=["file", "row", "reasons"]),
        0,
    )


def file_label(path: Path, raw_dir: Path | None) -> str:
    if raw_dir is not None:
        try:
            return str(Path(path).relative_to(raw_dir))
        except ValueError:
            pass
    return Path(path).name


def is_synthetic(path: Path) -> bool:
    """True when ``path`` is byte-for-byte a file the synthetic generator wrote. The generator's
    manifest sits at the top of the raw folder and names nested files by their relative path
    (``la_extracts/213/2015/ssda903/episodes.csv``), so it is looked for in every parent folder."""
    path = Path(path).resolve()
    for parent in path.parents:
        manifest = parent / ingest.SYNTHETIC_MANIFEST
        if manifest.exists():
            files = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
            expected = files.get(path.relative_to(parent).as_posix())
            return expected is not None and expected == ingest.file_sha256(path)
    return False


def from_ingest(
    res: ingest.IngestResult, label: str, la_code, year, row_paths: list[str] | None = None, source: Path | None = None
) -> TableResult:
    """Convert one IngestResult, naming the file by ``label`` and (XML) rows by element path."""
    data = res.data.copy()
    data["la_code"] = la_code
    data["year"] = year
    issues = res.issues.copy()
    rejected = res.rejected.copy()
    for df in (issues, rejected):
        if len(df):
            df["file"] = label
            if row_paths is not None:
                df["row"] = [row_paths[int(r) - 2] for r in df["row"]]
    src = source or res.path
    return TableResult(res.schema, data, issues, rejected, res.rows_read, [src], res.ignored_columns, is_synthetic(src))


def stack(schema: RawFile, parts: list[TableResult]) -> TableResult:
    if not parts:
        return empty_result(schema)
    return TableResult(
        schema,
        pd.concat([p.data for p in parts], ignore_index=True),
        pd.concat([p.issues for p in parts], ignore_index=True),
        pd.concat([p.rejected for p in parts], ignore_index=True),
        sum(p.rows_read for p in parts),
        [f for p in parts for f in p.files],
        [c for p in parts for c in p.ignored_columns],
        any(p.synthetic for p in parts),
    )


def read_records(
    schema: RawFile,
    records: list[dict],
    row_paths: list[str],
    source: Path,
    label: str,
    la_code,
    year,
    key: bytes | None,
) -> TableResult:
    """Validate records flattened from XML with exactly the CSV rules: their cells as the text a CSV
    file of them would hold (a blank for a missing field, ``str`` of anything else), checked by
    :func:`helpers.ingest.check_cells`, the rules :func:`helpers.ingest.read_raw` applies to a file.
    The table is named ``<key>.csv`` as if it were one (what a declared day-first file list names);
    messages name the XML file."""
    names = [c.name for c in schema.columns]
    cells = [names] + [["" if r.get(n) is None else str(r.get(n)) for n in names] for r in records]
    as_csv = replace(schema, filename=f"{schema.key}.csv")
    table = pd.DataFrame(cells, dtype=str)
    res = ingest.check_cells(as_csv, Path(source), table, key, synthetic=False)
    return from_ingest(res, label, la_code, year, row_paths, source)


def text_of(el, tag):
    """The stripped text of ``el``'s child ``tag`` (None when absent)."""
    v = el.findtext(tag)
    return None if v is None else v.strip()


def texts_of(el) -> dict:
    """The stripped text of each of ``el``'s direct children by tag, in one pass over them: what
    :func:`text_of` gives for each tag (the first child of that tag; "" for an empty one; absent
    tags are not keys, so ``.get`` gives None). A record's fields read this way instead of one
    ``findtext`` each, which searched the children again for every field."""
    out: dict = {}
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and tag not in out:  # comments and processing instructions have no str tag
            out[tag] = (child.text or "").strip()
    return out
