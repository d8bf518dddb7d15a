"""What the public statistics folder holds: its files and their declared columns, the population
vintages, the suppression symbols, the areas' keys, and the message when the folder is missing."""

from __future__ import annotations

from pathlib import Path

from .. import config
from ..ingest import Column, IngestError, RawFile

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
