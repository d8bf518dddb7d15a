"""The outcomes section's technical appendix: estimators and every table behind the section."""

from __future__ import annotations

from ...disclosure import label, published, things
from . import inference as inf
from .prose import fmt, places
from .sentences import MOST

#: What the estimates table's whole numbers count: local authorities and placebo groups (published
#: statistics, never people), and a rank that names a place in the placebo distribution.
ESTIMATE_COUNTS = {
    "rank": label("rank among the placebo runs"),
    "n_placebo": things("placebo local authorities or groups"),
    "n_comparators": things("comparator or donor local authorities, or sets drawn"),
}
#: The vintage table: published counts of children, as first published and as revised.
VINTAGE_COUNTS = {
    "year": label("year ending 31 March"),
    "first_published": published("children (DfE, as first published)"),
    "latest": published("children (DfE, latest revision)"),
    "n_las": things("local authorities"),
}


def appendix(section, v) -> None:
    """Estimators and every table behind the section, for the technical appendix."""
    _estimators(section, v)
    _tables(section, v)


def _combined_words(v) -> tuple[str, str, str]:
    """The estimators' sentences on the treated areas combined (nothing for one area, which is never
    combined): how they are compared, how their change against every LA is read, and their groups."""
    if len(v.treated_names) == 1:
        return (
            f"{v.treated_names[0]} is compared with each of its neighbours (the estimate is against their average "
            "rate), as is every placebo LA. ",
            "",
            "The estimators are checked on the published figures with random LAs treated (placebo-in-real-data "
            "calibration, "
            "benchmarks/calibration_results.md).",
        )
    areas, _ = places(v)
    one = "borough" if areas == "the boroughs" else "area"
    return (
        f"A single {one} is compared with each of its neighbours (the estimate is against their average rate); "
        f"{areas} combined are compared with their neighbours combined, both as summed counts over summed "
        "populations, and so is every placebo group. ",
        f" For {areas} combined it is read two ways: their combined rate's change among the random groups of as "
        f"many LAs combined the same way (below), and the mean of {areas}' own changes among the means of every set "
        "of as many eligible LAs with a complete series (all sets while there are at most "
        f"{fmt(inf.MEAN_OF_K_MAX_EXACT, 'count')}, else {fmt(inf.MEAN_OF_K_DRAWS, 'count')} seeded random sets); "
        "both p-values are two-sided as below, so the share of sets or groups that moved as far on the same side is "
        "about half the p-value.",
        f"{areas[:1].upper() + areas[1:]} combined are compared with groups of the same size: "
        f"{fmt(v.r.params.get('group_draws', 400), 'count')} seeded random sets of as many LAs, drawn from the "
        f"placebo LAs and {areas} together, each combined and compared with its members' neighbours in the same way "
        "(Cavallo, Galiani, Noy and Pantano 2013; Abadie 2021). The combined difference in differences, change and "
        f"cost-year gaps carry a randomisation interval: the effects kept are those that, taken off {areas}' "
        f"post-programme rates wherever they appear, leave {areas}' group neither among the lowest nor among the "
        "highest of all groups (Imbens and Rubin 2015; Firpo and Possebom 2018). The synthetic-control gap and the "
        f"event-study band use the groups with no treated {one}. Both are checked on the published figures with "
        "random LAs treated (placebo-in-real-data calibration, benchmarks/calibration_results.md).",
    )


def _estimators(section, v) -> None:
    """How each estimate is made, in words (the sentences on areas combined only where there are several)."""
    P, ref = v.P, v.ref
    compared, combined, groups = _combined_words(v)
    section.markdown(
        "**Estimators.** Difference in differences: two-way fixed effects on the treated unit and its comparators "
        "(pyfixest for the treated units, cross-checked against the closed form used for the placebo runs). "
        + compared
        + "Change against every LA: the average of the years after the start less the average "
        "of the years before, ranked among every eligible LA's own change."
        + combined
        + " Event study: each year's treated-minus-neighbours gap less the gap in "
        f"{ref}. Interrupted time series (Lopez Bernal et al. 2017): OLS of the series on time, a post-programme step "
        "and years since the start x post, on the treated series alone and on its gap from the neighbours; the slope "
        "after the start is the slope before plus the change. Synthetic control: non-negative weights summing to one "
        f"over the eligible LAs that best reproduce the treated series from {P['first_year']} to {ref} (all "
        "pre-programme years weighted equally, no covariates).",
        appendix=True,
    )
    section.markdown(
        "**Placebo runs and intervals.** Each estimator is run on every eligible LA with at least 3 eligible neighbours, "
        "as if it were treated; the placebo interval is the estimate minus the placebo estimates' order statistics, "
        "and the p-value is two-sided on the same terms: twice (1 + number of placebo LAs at least as far out on the "
        "estimate's side) / (1 + number of placebo LAs), so an interval excludes no change exactly when the p-value is "
        "below 1 minus its level. " + groups,
        appendix=True,
    )
    section.markdown(
        "**What the design could have detected.** For each outcome, unit and comparison, the estimate had to fall "
        "below the lower or above the upper threshold in the table below to stand out at the "
        f"{fmt((1 - P['placebo_level']) * 100, 'percent', decimals=0)} level: the order "
        "statistics of the same placebo runs at which the two-sided p-value drops below "
        f"{fmt(1 - P['placebo_level'], 'p')}. "
        "**When a change happened.** The difference between the average after the start and the average before it is "
        f"split at {ref}: the part before (the value in {ref} less the average before) and the part after (the average "
        "after less the value in "
        f"{ref}). The section says the change came before (or after) the start when at least "
        f"{fmt(MOST * 100, 'percent', decimals=0)} of it lies on that side, otherwise both; this describes the "
        "published figures and is not a test. "
        f"**Checks.** Rates for years before {P['rebased_from']} use child populations estimated before the 2011 "
        "Census rebase: the comparisons are repeated without those years. Children starting care are compared on "
        "the preferred series (first published to 2014, latest revision from 2015) and, as a check, on the counts "
        "as first published (to 2017); children taken into care exist only as first published. "
        "Cluster-robust errors with three treated areas are unreliable and are shown for reference only.",
        appendix=True,
    )


def _tables(section, v) -> None:
    """Every estimate, the pyfixest check, donor weights, exclusions and the releases read."""
    r, names, key = v.r, v.names, v.key
    section.table(
        "outcomes_estimates",
        r.estimates.drop(columns=["area_code"]),
        appendix=True,
        decimals=3,
        caption="Every estimate: method x outcome x area, with interval, p-value and placebo rank",
        counts=ESTIMATE_COUNTS,
        labels={"area_name": "Area", "n_placebo": "Placebo LAs", "n_comparators": "Comparators / donors"},
    )
    section.table(
        "outcomes_detectable",
        r.detectable.drop(columns=["area_code"]),
        appendix=True,
        decimals=1,
        caption="What the design could have detected: an estimate below the first threshold or above the second "
        "would have stood out from the placebo runs",
        labels={
            "area_name": "Area",
            "fall_threshold": "Stands out below",
            "rise_threshold": "Stands out above",
            "n_placebo": "Placebo LAs or groups",
        },
        counts={"n_placebo": things("placebo local authorities or groups")},
    )
    if len(r.vintage_join):
        section.table(
            "outcomes_vintage_join",
            r.vintage_join,
            appendix=True,
            decimals=1,
            caption="Counts as first published and as latest revised, in the years the preferred file holds revisions",
            counts=VINTAGE_COUNTS,
            labels={"first_published": "As first published", "latest": "Latest revision", "revision_pct": "Revision %"},
        )
    if r.pyfixest_check is not None:
        section.table(
            "outcomes_pyfixest_check",
            r.pyfixest_check,
            appendix=True,
            decimals=4,
            caption="The DiD of children looked after (rate) by pyfixest (two-way fixed effects, CRV1 errors by area) "
            "and by the closed form used for the placebo runs: the two must agree",
            counts={"n_obs": things("area-years")},
        )
    w = r.synth_weights[r.synth_weights.outcome == key].copy() if key else r.synth_weights
    if len(w):
        w["area_code"] = w["area_code"].map(lambda u: names.get(u, u))
        section.table(
            "outcomes_synth_weights",
            w.drop(columns=["donor_code"]),
            appendix=True,
            decimals=3,
            caption="Synthetic control donor weights (above 0.001)",
            labels={"area_code": "Treated unit", "donor_name": "Donor LA", "weight": "Weight"},
        )
    section.table(
        "outcomes_exclusions",
        r.exclusions,
        appendix=True,
        caption="Areas left out of the comparisons, and why",
        counts={"area_code": label("DfE LA number")},
        labels={"outcome": "Outcome", "area_code": "DfE LA number", "area_name": "Area", "reason": "Reason"},
    )
    used = r.panel[r.panel.role != "comparison pool"].source.str.split("; ").explode()
    used = used[used.notna() & (used != "")]
    used = used[~used.str.startswith("sum of")]
    if len(used):
        section.table(
            "outcomes_source_ids",
            used.value_counts().rename_axis("source_id").reset_index(name="values"),
            appendix=True,
            caption="Releases the treated areas', neighbours' and context figures were read from "
            "(source ids as in the public files; see their PROVENANCE.md)",
            counts={"values": things("values read")},
        )
