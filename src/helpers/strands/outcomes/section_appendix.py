"""The outcomes section's technical appendix: estimators and every table behind the section."""

from __future__ import annotations


def appendix(section, v) -> None:
    """Estimators and every table behind the section, for the technical appendix."""
    _estimators(section, v)
    _tables(section, v)


def _estimators(section, v) -> None:
    """How each estimate is made, in words."""
    r, P, ref = v.r, v.P, v.ref
    section.markdown(
        "**Estimators.** Difference in differences: two-way fixed effects on the treated unit and each comparator (pyfixest "
        "for the treated units, cross-checked against the closed form used for the placebo runs). Event study: each year's "
        f"treated-minus-neighbours gap less the gap in {ref}. Interrupted time series (Lopez Bernal et al. 2017): OLS of the "
        "series on time, a post-programme step and years since the start x post, on the treated series alone and on its gap "
        "from the neighbours' mean. Synthetic control: non-negative weights summing to one over the eligible LAs that best "
        f"reproduce the treated series from {P['first_year']} to {ref} (all pre-programme years weighted equally, no covariates). "
        "Placebo in space: each estimator run on every eligible LA with at least 3 eligible neighbours, as if it were treated; "
        "the placebo interval is the estimate minus the middle range of the placebo estimates, and the p-value is two-sided "
        "on the same terms: twice (1 + number of placebo LAs at least as far out on the estimate's side) / (1 + number of "
        "placebo LAs), so p < 0.05 exactly when the 95% interval excludes no change; the rank counts from that side. The "
        "treated areas combined (summed counts over summed populations, against the union of their neighbours) are "
        "compared with groups of the same size: "
        f"{r.params.get('group_draws', 400)} seeded random sets of as many LAs, drawn from the placebo LAs and the treated "
        "areas together, each combined and compared with its members' neighbours in the same way (placebo in space with "
        "groups; Cavallo, Galiani, Noy and Pantano 2013; Abadie 2021). Single placebo LAs vary more than a combination of "
        "three, so intervals from them were too wide for the combined areas. Groups drawn from the untreated LAs alone were "
        "slightly too narrow when a treated area's own series is unusual (no group could contain it), so the combined areas' "
        "difference in differences and cost-year gaps now carry a randomisation interval: the effects kept are those that, "
        "taken off the treated areas' post-programme rates wherever they appear (in the treated group, and in any group that "
        "contains or is compared with a treated area), leave the treated group neither among the lowest nor among the "
        "highest of all groups (Imbens and Rubin 2015; Firpo and Possebom 2018). Their synthetic-control gap and event-study "
        "band use the groups with no treated area. Both are checked on the published figures with random LAs treated "
        "(benchmarks/calibration.py). The avoided cost by interrupted time series carries the placebo interval of "
        "its mean gap over the cost years, like the other two methods (the OLS interval from a handful of autocorrelated "
        "yearly points covered the truth in only 69% of those runs). Cluster-robust errors with "
        "three treated areas are unreliable and are shown for reference only.",
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
        labels={"area_name": "Area", "n_placebo": "Placebo LAs", "n_comparators": "Comparators / donors"},
    )
    if r.pyfixest_check is not None:
        section.table(
            "outcomes_pyfixest_check",
            r.pyfixest_check,
            appendix=True,
            decimals=4,
            caption="The DiD of children looked after (rate) by pyfixest (two-way fixed effects, CRV1 errors by area) "
            "and by the closed form used for the placebo runs: the two must agree",
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
        )
