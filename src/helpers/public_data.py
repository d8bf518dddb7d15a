"""The one reader of the published DfE/ONS statistics (``FOP_PUBLIC_DATA``, default ``../shared/public_data``).

The folder holds real published statistics for every English local authority, 2009-2025, built
outside this repository and documented in its ``PROVENANCE.md``. Nothing from it is ever copied into
the repository. Every strand that uses it (outcomes and costs, workforce) reads it through this
module, so that the same rules hold everywhere:

* the folder is a parameter (``public_data_dir``); blank or ``None`` means ``$FOP_PUBLIC_DATA`` if set,
  else :data:`helpers.config.PUBLIC_DATA_DIR`;
* each file read has a declared schema (:data:`PUBLIC_FILES`, also :data:`RAW_FILES` for the data
  dictionary). A missing folder or file raises :class:`PublicDataMissing`, whose message says what
  to put where; a missing column raises :class:`helpers.ingest.IngestError` naming the file and the
  column; a value that breaks its column's type rejects the row, logged like any other input;
* suppressed or missing cells stay missing (``NaN``), never 0; the published symbol (``c``, ``x``,
  ``z``, ``..``, ``u``, ``-``) is kept in ``value_as_published``;
* the two population vintages behind rates never meet in one table (:func:`panel` refuses);
* areas whose series is broken by a local-government change inside the years compared are not
  eligible as comparators (:func:`eligible_las`, which says how many it removes and why).

DfE LA numbers (``old_la_code``, e.g. 213 Westminster) are the area key: each number is one fixed
area. GSS codes (``la_code``) and names are accepted wherever an area is asked for.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .ingest import ISSUE_COLUMNS, Column, IngestError, IngestResult, RawFile

STRAND = "public statistics"

#: Symbols DfE/ONS publish instead of a value (PROVENANCE.md); kept in ``value_as_published``.
SUPPRESSION_SYMBOLS = {
    "c": "confidential (small number suppressed)",
    "x": "not available / suppressed",
    "z": "not applicable (e.g. the authority did not exist that year)",
    "..": "not available",
    "u": "published as unreliable",
    "-": "not available (LAIT)",
    "low": "low (suppressed)",
    ".": "not available",
}

#: The two population vintages (column ``pop_vintage``). Rates on one never sit beside rates on the other.
VINTAGE_PRE2021 = "pre-Census-2021 ONS MYE"
VINTAGE_REVISED = "Census-2021-consistent (revised) ONS MYE"
VINTAGES = (VINTAGE_PRE2021, VINTAGE_REVISED)
#: Population measure of each vintage (mid-year estimate of children aged 0-17).
POPULATION_MEASURES = {
    VINTAGE_PRE2021: "pop_0_17_ons_mid_year_pre2021census",
    VINTAGE_REVISED: "pop_0_17_ons_mid_year_revised",
}

GEOGRAPHIC_LEVELS = {
    "Local authority": "Local authority",
    "Regional": "region, Inner or Outer London",
    "National": "England",
}
LA_TYPES = {
    "ILB": "Inner London borough",
    "OLB": "Outer London borough",
    "MD": "metropolitan district",
    "UA": "unitary authority",
    "SC": "shire county",
}

#: Areas with very small numbers, many suppressed; left out of comparator pools (PROVENANCE.md).
SMALL_AREAS = {201: "City of London", 420: "Isles of Scilly"}

ENGLAND = "E92000001"
LONDON = "E12000007"
INNER_LONDON = "E13000001"
OUTER_LONDON = "E13000002"


class PublicDataMissing(IngestError):
    """The public statistics folder, or one of its files, is not there."""


def _missing_message(folder: Path, filename: str | None = None) -> str:
    what = f"the file {filename} is not in {folder}" if filename else f"the folder {folder} does not exist"
    return (
        f"Public statistics not found: {what}. The sections built on published DfE/ONS statistics need "
        f"the folder of published children's social care statistics (csc_indicators_preferred.csv, "
        f"csc_indicators_long.csv, la_lookup.csv, la_changes.csv, statistical_neighbours_2021.csv, "
        f"statistical_neighbours_2025.csv, s251_outturn_lines_2009_2019.csv, with PROVENANCE.md). Put "
        f"that folder at {config.PROJECT_ROOT.parent / 'shared' / 'public_data'} (beside the repository), "
        f"or set the environment variable FOP_PUBLIC_DATA (or the notebook parameter public_data_dir) to "
        f"where it is. It is never copied into the repository. The rest of the report builds without it."
    )


# ---- declared schemas ------------------------------------------------------------------------


def _c(name, dtype, description, nullable=True, **kw) -> Column:
    return Column(name, dtype, description, nullable=nullable, **kw)


_INDICATOR_COLUMNS = (
    _c(
        "la_code",
        "string",
        "ONS/GSS code of the area as in the most recent source listing it (blank for 820 Bedfordshire and 875 Cheshire, abolished 2009).",
    ),
    _c(
        "old_la_code",
        "string",
        "DfE 3-digit LA number (the area key: one number = one fixed area); blank for England, regions, Inner/Outer London.",
    ),
    _c("la_name", "string", "Area name.", nullable=False),
    _c("geographic_level", "category", "Kind of area.", nullable=False, codes=GEOGRAPHIC_LEVELS),
    _c(
        "year",
        "integer",
        "Year in which the reference date or period ends: 31 March t -> t; financial year (t-1)-(t) -> t; 30 September t -> t; ONS mid-t -> t.",
        nullable=False,
        minimum=2000,
        maximum=2100,
    ),
    _c("period", "string", "The reference date or period spelt out (e.g. '31 March 2015', 'mid-2014', '2014-15')."),
    _c(
        "measure",
        "string",
        "Measure name, e.g. cla_at_31_march_number, cla_at_31_march_rate_per_10000, pop_0_17_ons_mid_year_pre2021census.",
        nullable=False,
    ),
    _c("value", "number", "The value; blank when suppressed or not published (never read as 0)."),
    _c(
        "value_as_published",
        "string",
        "The cell as published, keeping the symbol of a suppressed or missing cell: "
        + "; ".join(f"`{k}` {v}" for k, v in SUPPRESSION_SYMBOLS.items())
        + ".",
    ),
    _c("unit", "string", "Unit of the value (children, %, per 10,000 children aged 0-17, GBP (cash), ...)."),
    _c(
        "pop_vintage",
        "string",
        f"Population vintage behind a rate or population: '{VINTAGE_PRE2021}' or '{VINTAGE_REVISED}'; blank for counts, percentages and money.",
    ),
    _c(
        "source_id",
        "string",
        "Release the value was read from (e.g. SFR36/2013, LAIT, EES_CLA_2021) or DERIVED (see PROVENANCE.md).",
        nullable=False,
    ),
    _c("source_table", "string", "Original table or column name in the release."),
    _c("source_file", "string", "github:<repo>@<commit>:<path> of the file read (see SOURCES_MANIFEST.csv)."),
    _c("notes", "string", "Notes on the value (e.g. combined workforce returns)."),
    _c(
        "series_break",
        "string",
        "Blank for a continuous series; otherwise 'series ends: area abolished ...' or 'series starts: area created ...' naming the change in la_changes.csv.",
    ),
)

PREFERRED = RawFile(
    key="public_csc_indicators_preferred",
    filename="csc_indicators_preferred.csv",
    strand=STRAND,
    description=(
        "Published children's social care indicators, one value per area x year x measure (latest revision for "
        "counts and percentages; rates on the pre-Census-2021 population vintage only; s251 CLA finance from the "
        "outturn files to FY2018-19, LAIT after). Every English LA (DfE number), region, Inner/Outer London and "
        "England, 2009-2025. Read from FOP_PUBLIC_DATA, never copied into the repository."
    ),
    columns=_INDICATOR_COLUMNS,
    unique_key=("old_la_code", "la_name", "year", "measure"),
)

LONG = RawFile(
    key="public_csc_indicators_long",
    filename="csc_indicators_long.csv",
    strand=STRAND,
    description=(
        "Every published value from every source, several vintages (releases) per cell, same columns as the "
        "preferred file. Used only where a measure or vintage is not in the preferred file."
    ),
    columns=_INDICATOR_COLUMNS,
)

LA_LOOKUP = RawFile(
    key="public_la_lookup",
    filename="la_lookup.csv",
    strand=STRAND,
    description="One row per area (160 LAs including 7 abolished, 12 aggregates): codes, region, LA type, years with data, series break.",
    columns=(
        _c("old_la_code", "string", "DfE LA number (blank for aggregates)."),
        _c("la_code", "string", "ONS/GSS code (blank for 820, 875)."),
        _c("la_name", "string", "Area name.", nullable=False),
        _c("geographic_level", "category", "Kind of area.", nullable=False, codes=GEOGRAPHIC_LEVELS),
        _c("region_code", "string", "GSS code of the region (Inner/Outer London for London boroughs)."),
        _c("region_name", "string", "Region name."),
        _c("lait_region", "string", "Region as in LAIT."),
        _c("lait_la_type", "string", "LAIT's LA type: " + "; ".join(f"`{k}` {v}" for k, v in LA_TYPES.items()) + "."),
        _c("ons_codes_in_sources", "string", "Every GSS code seen for the area, with years.", required=False),
        _c("first_year_with_data", "integer", "First year with any value."),
        _c("last_year_with_data", "integer", "Last year with any value."),
        _c("values_in_long_file", "integer", "Rows in the long file.", required=False),
        _c("series_break", "string", "Blank, or the series break (see la_changes.csv)."),
        _c("in_sn_2021", "boolean", "Has an April 2021 statistical-neighbour group.", required=False),
        _c("in_sn_2025", "boolean", "Has a May 2025 statistical-neighbour group.", required=False),
        _c("lookup_source", "string", "Where codes and names come from.", required=False),
    ),
    unique_key=("old_la_code", "la_code", "la_name"),
)

LA_CHANGES = RawFile(
    key="public_la_changes",
    filename="la_changes.csv",
    strand=STRAND,
    description="Local-government boundary and code changes 2009-2025, with how each is treated (areas are never spliced).",
    columns=(
        _c("change_id", "string", "Identifier, e.g. 2019-dorset.", nullable=False),
        _c("effective_date", "string", "Date the change took effect, as text (e.g. '1 April 2019')."),
        _c(
            "change_type",
            "string",
            "'boundary change: separate series before/after (not spliced)' or 'GSS code change only ...: one continuous series'.",
            nullable=False,
        ),
        _c("old_dfe_la_codes", "string", "DfE numbers of the areas before the change, '; '-separated."),
        _c("old_la_codes", "string", "Their GSS codes."),
        _c("old_la_names", "string", "Their names."),
        _c("new_dfe_la_codes", "string", "DfE numbers of the areas after the change, '; '-separated."),
        _c("new_la_codes", "string", "Their GSS codes."),
        _c("new_la_names", "string", "Their names."),
        _c("what_happened", "string", "Plain description."),
        _c("la_code_in_these_files", "string", "Which GSS code the files use.", required=False),
        _c("old_areas_last_year_with_data", "integer", "Last year of the old areas' series."),
        _c("old_areas_last_periods_with_data", "string", "Last periods, spelt out.", required=False),
        _c("new_areas_first_year_with_data", "integer", "First year of the new areas' series."),
        _c("new_areas_first_periods_with_data", "string", "First periods, spelt out.", required=False),
        _c(
            "overlapping_measure_years",
            "integer",
            "Measure-years with values for both old and new areas (0).",
            required=False,
        ),
        _c("population_years_on_both_geographies", "string", "Population years on both geographies.", required=False),
        _c("legislation", "string", "The order that made the change.", required=False),
        _c("evidence_in_sources", "string", "Evidence seen in the sources.", required=False),
    ),
    unique_key=("change_id",),
)


def _sn_file(year: str, date: str, n_las: int) -> RawFile:
    return RawFile(
        key=f"public_statistical_neighbours_{year}",
        filename=f"statistical_neighbours_{year}.csv",
        strand=STRAND,
        description=f"DfE Children's Services Statistical Neighbour Benchmarking Tool, {date} groups: the 10 neighbours of each of {n_las} LAs, with rank and closeness as published.",
        columns=(
            _c("la_code", "string", "GSS code of the LA."),
            _c("old_la_code", "integer", "DfE number of the LA.", nullable=False),
            _c("la_name", "string", "LA name."),
            _c("rank", "integer", "Neighbour rank, 1 = closest.", nullable=False, minimum=1, maximum=20),
            _c("neighbour_old_la_code", "integer", "DfE number of the neighbour.", nullable=False),
            _c("neighbour_la_code", "string", "GSS code of the neighbour."),
            _c("neighbour_la_name", "string", "Neighbour name."),
            _c("closeness", "string", "Closeness label as published (e.g. 'Very close', 'Close', 'Not Close')."),
            _c("source_table", "string", "Source table.", required=False),
            _c("source_file", "string", "Source file.", required=False),
            _c("sn_list", "string", "'main list', or the 'Old SNs' list of an abolished authority."),
        ),
        unique_key=("old_la_code", "sn_list", "rank"),
    )


SN_2021 = _sn_file("2021", "April 2021", 156)
SN_2025 = _sn_file("2025", "May 2025", 158)

S251_LINES = RawFile(
    key="public_s251_outturn_lines",
    filename="s251_outturn_lines_2009_2019.csv",
    strand=STRAND,
    description="DfE Section 251 outturn Table A1, every line for every LA, FY2008-09 to FY2018-19 (no England or regional totals).",
    columns=(
        _c("la_code", "string", "GSS code."),
        _c("old_la_code", "integer", "DfE LA number.", nullable=False),
        _c("la_name", "string", "LA name."),
        _c("year", "integer", "Year in which the financial year ends.", nullable=False, minimum=2000, maximum=2100),
        _c("financial_year", "string", "Financial year, e.g. 2014-15."),
        _c("line", "string", "Line number in the table."),
        _c("description", "string", "Line description as published."),
        _c("report_group", "string", "Report group (e.g. CHILDREN LOOKED AFTER)."),
        _c("total_expenditure_gbp", "number", "Gross expenditure, GBP cash."),
        _c("income_gbp", "number", "Income, GBP cash."),
        _c("net_current_expenditure_gbp", "number", "Net current expenditure, GBP cash."),
        _c("source_table", "string", "Source table.", required=False),
        _c("source_file", "string", "Source file.", required=False),
        _c("series_break", "string", "Blank, or the series break."),
    ),
)

#: Every public file this module can read, by short name.
PUBLIC_FILES: dict[str, RawFile] = {
    "preferred": PREFERRED,
    "long": LONG,
    "la_lookup": LA_LOOKUP,
    "la_changes": LA_CHANGES,
    "sn_2021": SN_2021,
    "sn_2025": SN_2025,
    "s251_lines": S251_LINES,
}
#: For the data dictionary (documented like any raw input, but read from ``FOP_PUBLIC_DATA``).
RAW_FILES = tuple(PUBLIC_FILES.values())
OUTPUTS = ()
#: Where the data dictionary says these files are found.
RAW_LOCATION = (
    "in the public statistics folder: `FOP_PUBLIC_DATA`, default `../shared/public_data` beside the "
    "repository; never copied into it. Blank `value` = suppressed or not published, never 0; the symbol is in "
    "`value_as_published`"
)


# ---- folder and reading ----------------------------------------------------------------------


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


def validate(schema: RawFile, path: Path) -> IngestResult:
    """Read one public file against its schema (see the module docstring for the rules).

    Text columns are kept exactly as published (so ``value_as_published`` keeps ``-``); numeric
    columns are parsed, blanks becoming ``NaN``; a non-blank value that is not a number, a code not
    in the list, a value out of range, or a blank in a required value rejects the row, logged with
    file, row (header = row 1), column, value and reason. ``rows read = accepted + rejected``.
    """
    path = Path(path)
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
    data = {}
    reasons = pd.Series("", index=text.index, dtype=object)
    issues = []
    for col in schema.columns:
        raw = text[col.name]
        blank = raw.str.strip() == ""
        reason = pd.Series("", index=text.index, dtype=object)
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
    """The validated :class:`IngestResult` of one public file (cached while the file is unchanged).
    Pass it to :func:`helpers.ingest.save_ingest_record` to show it in the data-quality section."""
    if key not in PUBLIC_FILES:
        raise KeyError(f"unknown public file {key!r}; one of {', '.join(PUBLIC_FILES)}")
    folder = require(path, files=(key,))
    file = folder / PUBLIC_FILES[key].filename
    stat = file.stat()
    ck = (str(file.resolve()), stat.st_mtime_ns, stat.st_size)
    if ck not in _CACHE:
        _CACHE[ck] = validate(PUBLIC_FILES[key], file)
    return _CACHE[ck]


def read(key: str, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The accepted rows of one public file as a DataFrame (a copy; see :func:`read_result`)."""
    return read_result(key, path).data.copy()


# ---- areas -----------------------------------------------------------------------------------


def la_lookup(path=None) -> pd.DataFrame:
    """``la_lookup.csv`` with ``old_la_code`` as a nullable integer."""
    lk = read("la_lookup", path)
    lk["old_la_code"] = pd.to_numeric(lk["old_la_code"], errors="coerce").astype("Int64")
    return lk


def resolve_areas(areas, path=None) -> list[int]:
    """DfE LA numbers for a list of LA numbers, GSS codes or names (one or a comma-separated string).

    Raises ``ValueError`` naming what is not an English LA in ``la_lookup.csv``.
    """
    if isinstance(areas, (str, int, np.integer)):
        areas = [a for a in re.split(r"[,;]", str(areas)) if a.strip()]
    lk = la_lookup(path)
    las = lk[lk["geographic_level"] == "Local authority"]
    out, unknown = [], []
    for a in areas:
        s = str(a).strip()
        hit = pd.Series(False, index=las.index)
        if s.isdigit():
            hit = las["old_la_code"] == int(s)
        else:
            codes = las["la_code"].fillna("").str.upper() == s.upper()
            seen = las["ons_codes_in_sources"].fillna("").str.upper().str.contains(re.escape(s.upper()))
            names = las["la_name"].str.lower() == s.lower()
            hit = codes | names | (seen if len(s) == 9 else False)
        codes_found = las.loc[hit, "old_la_code"].dropna().astype(int).unique().tolist()
        if len(codes_found) == 1:
            out.append(codes_found[0])
        elif len(codes_found) > 1:
            raise ValueError(f"{s!r} matches several LAs ({codes_found}); give the DfE LA number")
        else:
            unknown.append(s)
    if unknown:
        raise ValueError(
            f"not an English local authority in la_lookup.csv: {', '.join(unknown)} "
            f"(give DfE LA numbers such as 213, GSS codes such as E09000033, or names)"
        )
    return list(dict.fromkeys(out))


def area_names(codes: Iterable[int], path=None) -> dict[int, str]:
    """DfE LA number -> name."""
    lk = la_lookup(path).dropna(subset=["old_la_code"])
    names = dict(zip(lk["old_la_code"].astype(int), lk["la_name"], strict=True))
    return {int(c): names.get(int(c), str(c)) for c in codes}


@dataclass
class Eligibility:
    """Which LAs may be compared over a span of years, and which were left out and why."""

    eligible: list[int]
    excluded: pd.DataFrame  # old_la_code, la_name, reason

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)


def eligible_las(
    first_year: int, last_year: int, path=None, exclude_small: bool = True, exclude: Iterable[int] = ()
) -> Eligibility:
    """LAs with one unbroken series over ``first_year``..``last_year`` (years as in the files).

    Left out, each with its reason: an area whose series ends before ``last_year`` or starts after
    ``first_year`` because of a boundary change in ``la_changes.csv`` (abolished or created areas;
    code-only changes keep one series and stay in); an area with no data in the span; with
    ``exclude_small``, City of London and the Isles of Scilly (very small, mostly suppressed
    numbers); and any number in ``exclude`` (e.g. the treated areas, reason 'treated area').
    """
    lk = la_lookup(path)
    las = lk[(lk["geographic_level"] == "Local authority") & lk["old_la_code"].notna()].copy()
    ch = read("la_changes", path)
    boundary = ch[ch["change_type"].str.startswith("boundary change")]
    broken: dict[int, str] = {}
    for _, r in boundary.iterrows():
        for code in re.findall(r"\d+", str(r["old_dfe_la_codes"])):
            last = r["old_areas_last_year_with_data"]
            if pd.isna(last) or int(last) < last_year:
                broken[int(code)] = (
                    f"series ends {'' if pd.isna(last) else int(last)} (change {r['change_id']}: area abolished)"
                )
        for code in re.findall(r"\d+", str(r["new_dfe_la_codes"])):
            first = r["new_areas_first_year_with_data"]
            if pd.isna(first) or int(first) > first_year:
                broken[int(code)] = (
                    f"series starts {'' if pd.isna(first) else int(first)} (change {r['change_id']}: area created)"
                )
    exclude = {int(x) for x in exclude}
    rows, ok = [], []
    for _, r in las.iterrows():
        code = int(r["old_la_code"])
        if code in exclude:
            reason = "treated area (not a comparator)"
        elif code in broken:
            reason = "boundary change: " + broken[code]
        elif exclude_small and code in SMALL_AREAS:
            reason = "very small numbers, many suppressed"
        elif (
            pd.isna(r["first_year_with_data"])
            or int(r["last_year_with_data"]) < last_year
            or int(r["first_year_with_data"]) > first_year
        ):
            reason = "no data over the years compared"
        else:
            ok.append(code)
            continue
        rows.append({"old_la_code": code, "la_name": r["la_name"], "reason": reason})
    return Eligibility(sorted(ok), pd.DataFrame(rows, columns=["old_la_code", "la_name", "reason"]))


def statistical_neighbours(
    treated: Iterable[int], vintage: str = "2021", path=None, exclude_treated: bool = True, old_lists: bool = False
) -> pd.DataFrame:
    """The DfE statistical neighbours of each treated LA (``vintage`` '2021' = April 2021 groups,
    '2025' = May 2025), main list only, as rows ``treated_la, rank, neighbour_la, neighbour_name,
    closeness``. With ``exclude_treated`` the treated areas are removed from each other's lists
    (the three programme boroughs are each other's neighbours). An LA without a group (e.g.
    Cumberland in 2021) has no rows; the caller should say so. With ``old_lists`` an abolished
    authority without a main-list group (Dorset county, Poole, Bournemouth, Northamptonshire, and
    Cumbria in 2025) takes its published 'Old SNs' list instead."""
    key = {"2021": "sn_2021", "2025": "sn_2025"}.get(str(vintage))
    if key is None:
        raise ValueError(f"statistical neighbour list must be '2021' or '2025', not {vintage!r}")
    sn = read(key, path)
    treated = [int(t) for t in treated]
    main = sn[(sn["sn_list"] == "main list") & sn["old_la_code"].isin(treated)]
    if old_lists:
        without = set(treated) - set(main["old_la_code"].astype(int))
        old = sn[(sn["sn_list"] != "main list") & sn["old_la_code"].isin(without)]
        main = pd.concat([main, old])
    sn = main
    if exclude_treated:
        sn = sn[~sn["neighbour_old_la_code"].isin(treated)]
    out = sn.rename(
        columns={
            "old_la_code": "treated_la",
            "neighbour_old_la_code": "neighbour_la",
            "neighbour_la_name": "neighbour_name",
        }
    )
    out = out[["treated_la", "rank", "neighbour_la", "neighbour_name", "closeness"]].astype(
        {"treated_la": int, "neighbour_la": int, "rank": int}
    )
    return out.sort_values(["treated_la", "rank"]).reset_index(drop=True)


# ---- the tidy panel --------------------------------------------------------------------------

PANEL_COLUMNS = [
    "area_code",
    "old_la_code",
    "area_name",
    "geographic_level",
    "year",
    "period",
    "measure",
    "value",
    "value_as_published",
    "unit",
    "pop_vintage",
    "source_id",
    "series_break",
]


def panel(
    measures: Iterable[str],
    areas: Iterable | None = None,
    years: tuple[int, int] | None = None,
    vintage: str = VINTAGE_PRE2021,
    path=None,
    source: str = "preferred",
) -> pd.DataFrame:
    """Tidy rows ``area_code, old_la_code, area_name, geographic_level, year, period, measure, value,
    value_as_published, unit, pop_vintage, source_id, series_break`` for the measures asked.

    ``areas``: DfE LA numbers and/or GSS codes of aggregates (England ``E92000001``, London
    ``E12000007``, Inner London ``E13000001``...); ``None`` = every area. ``years``: inclusive span.
    ``area_code`` is the DfE number as text for LAs and the GSS code for aggregates.

    Vintages never meet: a rate or population on another vintage than ``vintage`` is refused
    (``ValueError``) rather than returned beside one on ``vintage``. ``source='long'`` reads the
    long file: every release of every cell (several rows per area x year x measure, told apart by
    ``source_id``), keeping only rows on ``vintage`` or with no vintage. Suppressed cells are rows with
    ``value`` NaN and their symbol.
    """
    if vintage not in VINTAGES:
        raise ValueError(f"vintage must be one of {VINTAGES}")
    measures = list(dict.fromkeys(measures))
    other = POPULATION_MEASURES[VINTAGES[1 - VINTAGES.index(vintage)]]
    if other in measures:
        raise ValueError(
            f"{other} is on the other population vintage than {vintage!r}: the two vintages never meet in one panel"
        )
    df = read(source, path)
    df = df[df["measure"].isin(measures)]
    unknown = set(measures) - set(df["measure"])
    if unknown:
        raise ValueError(f"measure(s) not in {PUBLIC_FILES[source].filename}: {', '.join(sorted(unknown))}")
    if source == "long":
        df = df[(df["pop_vintage"].fillna("") == "") | (df["pop_vintage"] == vintage)]
    bad = df[(df["pop_vintage"].fillna("") != "") & (df["pop_vintage"] != vintage)]
    if len(bad):
        raise ValueError(
            f"measure(s) {', '.join(sorted(bad['measure'].unique()))} are on {bad['pop_vintage'].iloc[0]!r}, "
            f"not {vintage!r}: the two population vintages never meet in one panel"
        )
    code = df["old_la_code"].fillna("")
    df = df.assign(
        area_code=np.where(code != "", code, df["la_code"].fillna("")),
        old_la_code=pd.to_numeric(code, errors="coerce").astype("Int64"),
        area_name=df["la_name"],
    )
    if areas is not None:
        wanted = {str(a).strip() for a in areas}
        df = df[df["area_code"].isin(wanted)]
    if years is not None:
        df = df[(df["year"] >= years[0]) & (df["year"] <= years[1])]
    return df[PANEL_COLUMNS].sort_values(["area_code", "measure", "year"]).reset_index(drop=True)


#: A release's id names the year it was published: "SFR36/2014" and "OSR26/2011" (statistical first
#: releases), "CLA_UD_2018" (underlying data), "EES_CLA_2021" and "EES_CIN_2022" (Explore Education
#: Statistics). Ids without a year ("LAIT", "LAIT_2025-05", "CSC_OE", "DERIVED", "S251_OUTTURN",
#: "EES_CIN_2022_POP") are compilations or derivations, never a first publication.
_RELEASE = re.compile(r"^(?:SFR|OSR)\d+/(\d{4})$|^(?:CLA_UD|EES_CLA|EES_CIN)_(\d{4})$")


def release_year(source_id) -> int | None:
    """The year the release ``source_id`` was published, or None for a compilation (see :data:`_RELEASE`)."""
    m = _RELEASE.match(str(source_id))
    return int(m.group(1) or m.group(2)) if m else None


def first_published(measures: Iterable[str], areas: Iterable | None = None, years=None, path=None) -> pd.DataFrame:
    """Counts as first published, one vintage throughout: for each area x year x measure, the value in
    the release of that year (DfE's annual release of year t first publishes the figures at 31 March t
    or for the year ending 31 March t), from the long file, with the columns of :func:`panel`.

    Cells no release of their own year carries are absent, not filled from a later revision: for
    children starting, taken into and ceasing care the first-published series ends in 2017, while the
    preferred file switches to LAIT's latest revision from 2015 (PROVENANCE.md). Where two releases of
    the same year carry a cell (a release's several files), the one whose id sorts first is kept.
    Measures the long file does not hold give no rows."""
    present = set(read_result("long", path).data["measure"].unique())
    measures = [m for m in measures if m in present]
    if not measures:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    df = panel(measures, areas=areas, years=years, path=path, source="long")
    published = df["source_id"].map(release_year)
    df = df[published.notna() & (published == df["year"])]
    df = df.sort_values(["area_code", "measure", "year", "source_id"])
    return df.drop_duplicates(["area_code", "measure", "year"]).reset_index(drop=True)


def population(areas=None, years=None, vintage: str = VINTAGE_PRE2021, path=None) -> pd.DataFrame:
    """Mid-year 0-17 population on one vintage: ``area_code, year (mid-year), population``."""
    p = panel([POPULATION_MEASURES[vintage]], areas=areas, years=years, vintage=vintage, path=path)
    return p[["area_code", "year", "value"]].rename(columns={"value": "population"})


def wide(df: pd.DataFrame) -> pd.DataFrame:
    """A tidy panel as a year x area table of one measure (raises if several measures)."""
    if df["measure"].nunique() > 1:
        raise ValueError("wide() takes one measure at a time")
    return df.pivot_table(index="year", columns="area_code", values="value", aggfunc="first", dropna=False)
