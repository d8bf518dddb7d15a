"""Processed tables of the outcomes strand (declared for the data dictionary, written by :func:`write`)."""

from __future__ import annotations

from pathlib import Path

from ...ingest import Field, OutputTable, write_output

S = "outcomes"
_AREA = Field(
    "area_code",
    "string",
    "DfE LA number (as text) for an LA, GSS code for England/London/Inner London, 'treated' for the treated areas combined, 'neighbours' for their statistical neighbours combined.",
)
_OUT = Field(
    "outcome",
    "string",
    "Outcome key: cla_rate, cla_number, cin_referral_rate, rereferral_pct, cpp_rate, cpp_second_pct, cla_starts_rate, "
    "cla_taken_rate, cla_starts_first_published_rate, cla_spend_per_child, cla_spend_per_cla.",
)

PANEL = OutputTable(
    "outcomes_panel",
    "outcomes/panel.csv",
    S,
    "The panel actually analysed: one row per area x year x outcome, computed from published counts (never averaged rates).",
    (
        _AREA,
        Field("area_name", "string", "Area name."),
        Field(
            "role",
            "string",
            "treated, treated combined, statistical neighbour, neighbours combined, context, comparison pool.",
        ),
        Field("year", "integer", "Year (31 March / year ending 31 March / financial year ending in it)."),
        _OUT,
        Field("value", "number", "numerator / denominator x scale; blank when a component is suppressed or missing."),
        Field("numerator", "number", "Published count (summed over the group's members for combined rows)."),
        Field("denominator", "number", "Mid-(year-1) 0-17 population, or the count the % is of; blank for counts."),
        Field("unit", "string", "Unit of value."),
        Field("source", "string", "source_id(s) of the published figures ('sum of ...' for combined rows)."),
        Field(
            "pop_vintage", "string", "Population vintage of rates per 10,000 (always pre-Census-2021); blank otherwise."
        ),
    ),
)
ESTIMATES = OutputTable(
    "outcomes_estimates",
    "outcomes/estimates.csv",
    S,
    "One row per method x outcome x treated unit: estimate with interval and/or p-value and placebo rank.",
    (
        _OUT,
        _AREA,
        Field("area_name", "string", "Treated unit name."),
        Field(
            "method",
            "string",
            "Estimator and term (difference in differences, pre-programme trend, interrupted time series terms, synthetic control, mean of k).",
        ),
        Field("estimate", "number", "Estimate in the outcome's unit (ratio for the RMSPE ratio)."),
        Field(
            "ci_low",
            "number",
            "Lower end: placebo interval (DiD, synthetic control; the treated areas combined: DiD and cost-year gaps "
            "by randomisation inference) or OLS 95% CI (ITS).",
        ),
        Field("ci_high", "number", "Upper end."),
        Field(
            "p_value",
            "number",
            "Placebo p-value: two-sided for DiD, trend and cost-year gaps (twice the share of placebos at least as far "
            "out on the estimate's side; below 0.05 exactly when the 95% interval excludes 0), one-sided rank of the "
            "post/pre RMSPE ratio for synthetic control; OLS p for ITS.",
        ),
        Field(
            "rank",
            "number",
            "1 + placebo LAs or groups at least as far out on the estimate's side (synthetic control: at least as large a "
            "ratio); 1 = most extreme.",
        ),
        Field(
            "rank_side",
            "string",
            "The side the rank counts: 'low' (placebos at least as low as the estimate) or 'high' (at least as high); "
            "blank without a rank.",
        ),
        Field(
            "n_placebo",
            "integer",
            "Placebo LAs (for the treated areas combined: reference groups of as many LAs) behind the p-value.",
        ),
        Field(
            "n_comparators", "integer", "Comparators (DiD), donors with weight > 0.001 (SC) or sets drawn (mean of k)."
        ),
        Field("unit", "string", "Unit of the estimate."),
        Field("note", "string", "How to read it."),
    ),
)
PLACEBO = OutputTable(
    "outcomes_placebo",
    "outcomes/placebo.csv",
    S,
    "The placebo distributions: each eligible LA's DiD estimate and synthetic-control RMSPE ratio as if treated, and quantiles of the mean of k placebo LAs.",
    (
        _OUT,
        Field("statistic", "string", "Which statistic."),
        _AREA,
        Field("area_name", "string", "Area name (blank for quantiles)."),
        Field("value", "number", "The statistic."),
        Field("is_treated", "boolean", "True for the treated units' own values."),
    ),
)
EVENT = OutputTable(
    "outcomes_event_study",
    "outcomes/event_study.csv",
    S,
    "Event study: each year's treated-minus-neighbours gap relative to the last pre-programme year, with the placebo range.",
    (
        _OUT,
        _AREA,
        Field("area_name", "string", "Treated unit."),
        Field("year", "integer", "Year."),
        Field("years_from_reference", "integer", "Year minus the last pre-programme year."),
        Field("estimate", "number", "Gap change since the reference year."),
        Field("placebo_low", "number", "Lower quantile of the same quantity over placebo LAs."),
        Field("placebo_high", "number", "Upper quantile."),
    ),
)
WEIGHTS = OutputTable(
    "outcomes_synth_weights",
    "outcomes/synthetic_weights.csv",
    S,
    "Synthetic control donor weights above 0.001.",
    (
        _OUT,
        _AREA,
        Field("donor_code", "string", "Donor DfE LA number."),
        Field("donor_name", "string", "Donor name."),
        Field("weight", "number", "Weight (weights sum to 1)."),
    ),
)
COUNTERFACTUALS = OutputTable(
    "outcomes_counterfactuals",
    "outcomes/counterfactuals.csv",
    S,
    "Actual and counterfactual series of each treated unit by method.",
    (
        _OUT,
        _AREA,
        Field(
            "method",
            "string",
            "difference in differences, interrupted time series alone / vs neighbours, synthetic control.",
        ),
        Field("year", "integer", "Year."),
        Field("actual", "number", "Published value."),
        Field("counterfactual", "number", "What the method predicts without the programme."),
        Field("counterfactual_low", "number", "Lower 95% limit (ITS only)."),
        Field("counterfactual_high", "number", "Upper 95% limit (ITS only)."),
    ),
)
CLAIMS_T = OutputTable(
    "outcomes_claims",
    "outcomes/claims.csv",
    S,
    "The boroughs' later claims and the bid's aim recomputed from the published counts, every reading on one "
    "vintage, beside the comparators.",
    (
        Field("claim", "string", "The claim or aim as published (programme.md)."),
        Field("claimed_change_pct", "number", "Claimed change, %."),
        Field("measure", "string", "Published measure used."),
        Field(
            "vintage",
            "string",
            "'latest revision' (the preferred file: the latest release of each year) or 'as first published' "
            "(each year's own annual release).",
        ),
        Field("from_year", "integer", "From (31 March)."),
        Field("to_year", "integer", "To (31 March)."),
        Field("area", "string", "Area or group."),
        Field("value_from", "number", "Number in the first year (summed for groups)."),
        Field("value_to", "number", "Number in the last year."),
        Field("change_pct", "number", "Change, %."),
        Field(
            "share_of_eligible_las_with_fall_at_least_as_large",
            "number",
            "Share of eligible LAs whose change is at or below this one.",
        ),
        Field("n_eligible_las", "integer", "Eligible LAs with both years."),
        Field("note", "string", "What this reading is, or why a figure is missing."),
    ),
)
COSTS = OutputTable(
    "outcomes_costs",
    "outcomes/costs.csv",
    S,
    "Cost of care against the comparators (the counterfactual's children in care less the actual, priced) by treated unit x "
    "method x unit cost, with the counterfactual's interval and the programme cost.",
    (
        _AREA,
        Field("area_name", "string", "Treated unit."),
        Field("method", "string", "Counterfactual method."),
        Field("cost_years", "string", "Years summed."),
        Field("actual_child_years", "number", "Sum of the 31 March CLA counts over the cost years."),
        Field("avoided_child_years", "number", "Counterfactual minus actual child-years (central)."),
        Field("avoided_child_years_low", "number", "Low end (counterfactual interval)."),
        Field("avoided_child_years_high", "number", "High end."),
        Field("unit_cost_label", "string", "Which unit cost."),
        Field("weekly_unit_cost_gbp", "number", "GBP per child per week."),
        Field("price_year", "string", "Price year of the unit cost."),
        Field("unit_cost_source", "string", "Source of the unit cost."),
        Field("avoided_cost_gbp", "number", "avoided child-years x weekly cost x 52."),
        Field("avoided_cost_low_gbp", "number", "Low end."),
        Field("avoided_cost_high_gbp", "number", "High end."),
        Field("programme_cost_low_gbp", "number", "Programme cost, low (parameter)."),
        Field("programme_cost_high_gbp", "number", "Programme cost, high."),
    ),
)
EXCLUSIONS = OutputTable(
    "outcomes_exclusions",
    "outcomes/exclusions.csv",
    S,
    "Areas left out of the comparisons and why ('all' = every outcome).",
    (
        _OUT,
        _AREA,
        Field("area_name", "string", "Area name."),
        Field("reason", "string", "Why."),
    ),
)

DETECTABLE = OutputTable(
    "outcomes_detectable",
    "outcomes/detectable.csv",
    S,
    "What the design could have detected: for each outcome, treated unit and comparison, the change an estimate "
    "had to pass to stand out from the placebo runs at the level of the placebo intervals (two-sided, as the p-values).",
    (
        _OUT,
        _AREA,
        Field("area_name", "string", "Treated unit."),
        Field(
            "method",
            "string",
            "The estimate's method (difference in differences vs neighbours, or change against every LA).",
        ),
        Field("estimate", "number", "The estimate itself."),
        Field("fall_threshold", "number", "An estimate below this would have stood out (blank with too few placebos)."),
        Field("rise_threshold", "number", "An estimate above this would have stood out."),
        Field("n_placebo", "integer", "Placebo LAs or groups behind the thresholds."),
        Field("unit", "string", "Unit of the thresholds."),
    ),
)
VINTAGE_JOIN = OutputTable(
    "outcomes_vintage_join",
    "outcomes/vintage_join.csv",
    S,
    "Where the preferred file joins first-published and revised counts: each year with both, the count as first "
    "published and as latest revised, for the treated areas, their neighbours and the median eligible LA.",
    (
        Field("measure", "string", "Published measure."),
        Field("year", "integer", "Year (year ending 31 March)."),
        Field("area", "string", "Area or group ('median of eligible LAs' for the pool)."),
        Field("first_published", "number", "Count as first published (summed for groups)."),
        Field("latest", "number", "Count in the preferred file (latest revision)."),
        Field("revision_pct", "number", "(latest - first published) / first published x 100."),
        Field("n_las", "integer", "LAs behind the figure."),
    ),
)

OUTPUTS = (
    PANEL,
    ESTIMATES,
    PLACEBO,
    EVENT,
    WEIGHTS,
    COUNTERFACTUALS,
    CLAIMS_T,
    COSTS,
    EXCLUSIONS,
    DETECTABLE,
    VINTAGE_JOIN,
)


def write(results, processed_dir: Path) -> list[Path]:
    """Write every processed table of a run."""
    tables = (
        results.panel,
        results.estimates,
        results.placebo,
        results.event,
        results.synth_weights,
        results.series,
        results.claims,
        results.costs,
        results.exclusions,
        results.detectable,
        results.vintage_join,
    )
    return [write_output(t, spec, processed_dir) for t, spec in zip(tables, OUTPUTS, strict=True)]
