"""The processed tables the LA-extracts strand writes (for the data dictionary)."""

from __future__ import annotations

from ...ingest import Field, OutputTable
from .costs import GROUPS, UNIT_COSTS_FILE
from .schemas import STRAND

_DERIVED = (
    OutputTable(
        "la_indicators",
        f"{STRAND}/indicators.csv",
        STRAND,
        "Indicators derived from the LA extracts by DfE's definitions, one row per LA, year and measure.",
        (
            Field("la_code", "string", "DfE LA number."),
            Field("year", "integer", "Year ending 31 March."),
            Field("measure", "string", "Measure name (as in the published csc_indicators where one exists)."),
            Field("value", "number", "Derived value (a count of children/referrals/plans, or a %)."),
        ),
    ),
    OutputTable(
        "la_placement_days",
        f"{STRAND}/placement_days.csv",
        STRAND,
        "Days in placement in the year by placement type and provider (short breaks excluded).",
        (
            Field("la_code", "string", "DfE LA number."),
            Field("year", "integer", "Year ending 31 March."),
            Field("PLACE", "string", "SSDA903 placement type."),
            Field("PLACE_PROVIDER", "string", "Placement provider."),
            Field("days", "integer", "Days in placement inside the year."),
        ),
    ),
)

UNIT_COST_FIELDS = (
    Field("placement_group", "string", "Placement group: " + ", ".join(GROUPS) + "."),
    Field("weekly_cost_low_gbp", "number", "Low weekly cost per child (GBP)."),
    Field("weekly_cost_central_gbp", "number", "Central weekly cost per child (GBP)."),
    Field("weekly_cost_high_gbp", "number", "High weekly cost per child (GBP)."),
    Field(
        "source", "string", "Where the figure comes from (shared/reference/methods.md), or ESTIMATE and how it was set."
    ),
    Field("price_year", "string", "Price year of the figure (not inflated)."),
    Field("estimate", "boolean", "True when the figure (or its range) is a project estimate, not a sourced cost."),
)
_COSTS = (
    OutputTable(
        "la_unit_costs",
        f"package data: helpers/strands/la_extracts/data/{UNIT_COSTS_FILE}",
        STRAND,
        "Weekly unit costs by placement group, shipped with the package. PLACE -> group: U1-U6 foster care "
        "(in-house unless provider PR4/PR5 = independent fostering agency); K2, K3, R1 children's home; K1 secure "
        "unit; P1 placed with parents; every other code other.",
        UNIT_COST_FIELDS,
    ),
    OutputTable(
        "la_placement_costs",
        f"{STRAND}/placement_costs.csv",
        STRAND,
        "Cost of placements per LA, year and placement group: placement days x weekly unit costs (mixed price years, not inflated).",
        (
            Field("la_code", "string", "DfE LA number."),
            Field("year", "integer", "Year ending 31 March."),
            Field("placement_group", "string", "Placement group."),
            Field("days", "integer", "Placement days in the year."),
            Field("weeks", "number", "days / 7."),
            Field("cost_low", "number", "GBP, low unit cost."),
            Field("cost_central", "number", "GBP, central unit cost."),
            Field("cost_high", "number", "GBP, high unit cost."),
            Field("estimate", "boolean", "The unit cost is a project estimate."),
        ),
    ),
)

EXTRACT_RETURNS = OutputTable(
    "la_extract_returns",
    "data_quality/la_extract_returns.csv",
    STRAND,
    "Every LA extract return read (the raw layout la_extracts/<LA number>/<year>/, or the folders and files "
    "extract_dir names, read in place) and what the report did with it: used; outside its scope (another LA); or "
    "not used because the CIN header's LEA and the folder's LA number (or la) disagree and trust_folder_la is not "
    "set. The report's data-quality section lists it, so a return that was read is never called not found.",
    (
        Field("folder", "string", "Where the return was read: relative to the raw folder, or from the named path."),
        Field("return", "string", "SSDA903 or CIN census."),
        Field("la_code", "string", "DfE LA number the records were labelled with (the folder's, or la)."),
        Field("header_lea", "string", "The CIN header's LEA as written (blank for SSDA903, which has none)."),
        Field("year", "integer", "Year ending 31 March the return covers."),
        Field("year_from", "string", "folder, CIN header, or latest episode start (an SSDA903 return read in place)."),
        Field("records", "integer", "Records read: episodes (SSDA903) or referrals (CIN)."),
        Field("record_kind", "string", "episodes or referrals."),
        Field("fate", "string", "used, outside or not used."),
        Field(
            "detail", "string", "Why, in words (the header's and the folder's LA numbers or years when they disagree)."
        ),
        Field("status", "string", "The one line the report shows: fate and detail."),
    ),
)

OUTPUTS = (*_DERIVED, *_COSTS, EXTRACT_RETURNS)
INDICATORS, PLACEMENT_DAYS = _DERIVED
UNIT_COSTS, PLACEMENT_COSTS = _COSTS
