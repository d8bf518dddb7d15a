"""Reading one raw file (:func:`read_raw`) and the call strand notebooks make (:func:`ingest`)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..pseudonymise import load_key, pseudonym
from .cells import _check_column, _is_missing, _variant_key, decode_raw
from .links import apply_links, raise_for_links
from .record import raise_if_all_rejected, save_ingest_record
from .schema import (
    DAYFIRST_ENV_VAR,
    ENCODING_ENV_VAR,
    ISSUE_COLUMNS,
    RAW_FORMATS_FILE,
    IngestError,
    IngestResult,
    RawFile,
    is_synthetic,
)


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
    formats = raw_formats(raw_dir)
    encoding = _encoding_declared(schema, encoding, formats)
    table, used_encoding = _read_cells(path, encoding)
    note = None
    if used_encoding != "utf-8" and not (encoding or os.environ.get(ENCODING_ENV_VAR)):
        note = (path.name, 1, "", "", f"not UTF-8: read as {used_encoding} (Windows-1252)", "file read as Windows-1252")
    return check_cells(schema, path, table, key, _dayfirst_declared(schema, dayfirst, formats), used_encoding, note)


def check_cells(
    schema: RawFile,
    path: Path,
    table: pd.DataFrame,
    key: bytes | None = None,
    dayfirst: bool | None = None,
    encoding: str = "utf-8",
    note: tuple | None = None,
    synthetic: bool | None = None,
) -> IngestResult:
    """The rules of :func:`read_raw` applied to a file's cells: ``table`` holds them as text, the
    header row first, as :func:`_read_cells` reads them. Records flattened from an XML file are checked
    by the same rules this way (``helpers.strands.la_extracts.records``). ``path`` names the file in
    messages; ``dayfirst``: None, as declared for the schema's file name (schema, environment);
    ``note``: an issue to list first; ``synthetic``: None works it out from ``path``."""
    if dayfirst is None:
        dayfirst = _dayfirst_declared(schema, None)
    text, ignored = _declared_columns(path, schema, _with_header(path, table))
    # Identifiers are pseudonymised first, so that no later step (issues, rejected rows, duplicate
    # messages, accepted data) ever holds them in clear.
    variants = _pseudonymise(schema, text, key)
    data, issues, reject_reasons = _check_values(path, schema, text, dayfirst)
    if schema.unique_key:
        issues += _duplicates(path, schema, text, data, reject_reasons)
    issues_df = pd.DataFrame(issues, columns=ISSUE_COLUMNS)
    if note is not None:
        issues_df = pd.concat([pd.DataFrame([note], columns=ISSUE_COLUMNS), issues_df], ignore_index=True)
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
        synthetic=is_synthetic(path) if synthetic is None else synthetic,
        unmatched=None,
        encoding=encoding,
        source_rows=source_rows,
        id_variants=variants,
    )


def _read_cells(path: Path, encoding: str | None) -> tuple[pd.DataFrame, str]:
    """The file's cells as text (header row included) and the encoding they were read with."""
    raw = path.read_bytes()
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
    return table, used_encoding


def _with_header(path: Path, table: pd.DataFrame) -> pd.DataFrame:
    """The data rows named by the header row; a header repeated, or repeated but for case, stops the run."""
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
    return text.fillna("")


def _declared_columns(path: Path, schema: RawFile, text: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The declared columns under their declared names, rows numbered as a spreadsheet shows them,
    and the file's other columns (ignored). A required column missing stops the run."""
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
    return text, ignored


def _pseudonymise(schema: RawFile, text: pd.DataFrame, key: bytes | None) -> dict[str, dict]:
    """Replace identifier columns of ``text`` (in place) by keyed pseudonyms; returns, per column,
    pseudonym -> pseudonym of the ID with leading zeros removed (:attr:`IngestResult.id_variants`)."""
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
    return variants


def _check_values(
    path: Path, schema: RawFile, text: pd.DataFrame, first_of_day: bool
) -> tuple[pd.DataFrame, list[tuple], pd.Series]:
    """Every cell checked against its column: (parsed data, issues, reasons each row is rejected or '')."""
    parsed = {}
    issues = []
    reject_reasons = pd.Series("", index=text.index, dtype=object)
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
    return pd.DataFrame(parsed, index=text.index), issues, reject_reasons


def _duplicates(
    path: Path, schema: RawFile, text: pd.DataFrame, data: pd.DataFrame, reject_reasons: pd.Series
) -> list[tuple]:
    """Reject (in ``reject_reasons``) every repeat of a unique key among the rows still accepted, as a
    duplicate or a conflicting duplicate naming the columns that differ; returns the issues."""
    issues = []
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
    return issues


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
