"""One value at a time: decoding a raw file's bytes, parsing and checking a column's cells against its
declared type, and writing CSV cells a spreadsheet cannot run as formulas."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import (
    _PLAIN_NUMBER,
    DEFAULT_DATE_WINDOW,
    ENCODING_ENV_VAR,
    FALLBACK_ENCODING,
    FALSE_TOKENS,
    FORMULA_TRIGGERS,
    MISSING_TOKENS,
    TRUE_TOKENS,
    Column,
    IngestError,
)

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
    missing = stripped.str.lower().isin(MISSING_TOKENS)  # what _is_missing(text) gives, stripped once
    reason = pd.Series("", index=text.index, dtype=object)
    if col.dtype in ("string",):
        parsed = stripped.where(~missing, None).astype(object)
    elif col.dtype == "category":
        codes = {str(k): str(k) for k in col.codes}
        # Codes match ignoring case and surrounding spaces, and map to the declared spelling.
        lookup = {k.lower(): k for k in codes}
        parsed = stripped.str.lower().map(lookup)
        _flag(reason, ~missing & parsed.isna(), "not one of the codes " + ", ".join(codes))
        parsed = parsed.astype(object)
    elif col.dtype in ("integer", "number"):
        parsed = _check_number(col, stripped, missing, reason)
    elif col.dtype == "date":
        parsed, reason = _parse_dates(col, stripped, missing, dayfirst, window)
    elif col.dtype == "boolean":
        low = stripped.str.lower()
        parsed = pd.Series(pd.NA, index=text.index, dtype="boolean")
        parsed[low.isin(TRUE_TOKENS)] = True
        parsed[low.isin(FALSE_TOKENS)] = False
        _flag(reason, ~missing & parsed.isna(), "not yes/no")
    else:  # pragma: no cover - guarded by Column.__post_init__
        raise ValueError(col.dtype)
    if not col.nullable:
        _flag(reason, missing, "required value is blank")
    return parsed, reason


def _flag(reason: pd.Series, bad: pd.Series, why: str) -> bool:
    """Set ``reason`` to ``why`` where ``bad``; whether any cell was. Most columns of most files have
    no bad cell, and a masked assignment costs as much with none as with many (a file is checked column
    by column, and an XML return table by table: thousands of these per build)."""
    if not bad.any():
        return False
    reason[bad] = why
    return True


def _check_number(col: Column, stripped: pd.Series, missing: pd.Series, reason: pd.Series) -> pd.Series:
    """An integer or number column parsed, its invalid cells flagged in ``reason`` (and left missing)."""
    parsed = pd.to_numeric(stripped.where(~missing), errors="coerce")
    # inf and nan spelled out are not numbers anyone recorded
    parsed = parsed.where(np.isfinite(parsed.astype(float)))
    _flag(reason, ~missing & parsed.isna(), "not a number")
    if col.dtype == "integer":
        frac = ~parsed.isna() & (parsed != np.floor(parsed.fillna(0)))
        if _flag(reason, frac, "not a whole number"):
            parsed = parsed.where(~frac)
        huge = parsed.abs() > 2**53
        if _flag(reason, huge, "not a plausible whole number"):
            parsed = parsed.where(~huge)
    if col.minimum is not None:
        low = parsed < col.minimum
        if _flag(reason, low, f"below the minimum {col.minimum:g}"):
            parsed = parsed.where(~low)
    if col.maximum is not None:
        high = parsed > col.maximum
        if _flag(reason, high, f"above the maximum {col.maximum:g}"):
            parsed = parsed.where(~high)
    return parsed.astype(float).astype("Int64") if col.dtype == "integer" else parsed.astype(float)


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
