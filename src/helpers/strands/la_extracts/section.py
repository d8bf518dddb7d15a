"""The LA-extracts report section, written from the analysis results only.

:func:`build_section` writes, in order: what was read and what happened to each return
(:func:`.section_reading.returns_read`), the DfE validation rules (:func:`_validation`), the derived indicators
against the published figures (:func:`_reconciliation`), children's pathways (:func:`_pathways`),
the cost of placements (:func:`_costs`), the appendix and the key findings.
"""

from __future__ import annotations

import pandas as pd

from ...disclosure import label as row_label
from ...disclosure import people, published, things
from ...evidence import Check
from ...report_section import lower_first
from . import charts
from .indicators import DEFINITIONS
from .pathways import PATHWAY_OUTCOMES
from .section_reading import Scope, returns_read

MEASURE_LABELS = {
    "cla_at_31_march_number": "Children looked after at 31 March",
    "cla_started_during_year_number": "Children starting to be looked after",
    "cla_ceased_during_year_number": "Children ceasing to be looked after",
    "cin_referrals_number": "Referrals",
    "cin_rereferrals_within_12m_pct": "Re-referrals within 12 months (%)",
    "cpp_at_31_march_number": "Children on a child protection plan at 31 March",
}
TITLE = "Local authority extracts: DfE indicators, children's pathways and placement costs"
ORDER = 45


def title(scope: Scope) -> str:
    """The section's title: the authority's name in an authority's own report."""
    if scope.area == "authority":
        return f"{scope.label}'s own returns: DfE indicators, children's pathways and placement costs"
    return TITLE


_lc = lower_first


# ---- DfE validation rules --------------------------------------------------------------------


def _validation(section, validation: dict | None) -> None:
    if validation is None or validation.get("status") != "ran":
        why = (validation or {}).get("reason", "the validators' environment (.venv-validators) was not available")
        section.markdown(
            f"**The DfE validation rules were NOT run** on these extracts: {why}. This is not a pass: nothing is known "
            f"about which DfE rules the extracts break until the validators run."
        )
        return
    res = validation["results"]
    notrun = validation.get("not_run", [])
    skipped = max([i.get("rules_skipped_no_table", 0) for i in validation.get("returns", {}).values()] or [0])
    failing = res.groupby(["return", "rule", "message"], as_index=False).agg(records=("count", "sum"))
    section.markdown(
        f"The DfE's own validation rules (Data to Insight's validators, the ones LAs run before submitting) ran on "
        f"{_validated(validation)}: {failing['rule'].nunique()} rules flagged at least one record; "
        f"{len(notrun)} {'rule' if len(notrun) == 1 else 'rules'} could not run and "
        f"{'is' if len(notrun) == 1 else 'are'} reported as not run, not as passed"
        + (f" ({', '.join(map(str, notrun[:12]))}{'…' if len(notrun) > 12 else ''})." if notrun else ".")
        + (
            f" Some SSDA903 rules need tables the extracts do not hold (e.g. OC2, reviews): they were skipped, "
            f"which says nothing about those tables (up to {skipped} rules per return)."
            if skipped
            else ""
        )
    )
    used = sorted({i.get("ruleset", "") for i in validation.get("returns", {}).values()})
    if used:
        section.markdown(
            f"Rulesets used: {', '.join(used)}. The validators ship rules only for recent collection years, "
            f"so older returns are checked with the earliest ruleset available: a rule that was introduced "
            f"later can flag records that were valid when they were submitted.",
            appendix=True,
        )
    section.table(
        "dfe_validation",
        failing.sort_values("records", ascending=False).head(30),
        "DfE validation rules that flagged records (top 30 by number of records)",
        counts={"records": things("records flagged by the rule")},
        labels={"return": "Return", "rule": "Rule", "message": "Message", "records": "Records flagged"},
    )


def _validated(validation: dict) -> str:
    """Which returns the rules ran on, e.g. "the extracts (SSDA903 2019, CIN census 2019)"."""
    returns = list(validation.get("returns", {}))
    years = sorted({k.split()[-1] for k in returns})
    kinds = sorted({"CIN census" if k.startswith("CIN") else "SSDA903" for k in returns})
    if not returns:
        return "the extracts"
    return f"the extracts ({' and '.join(kinds)} returns for {', '.join(years)})"


# ---- reconciliation --------------------------------------------------------------------------


def _reconciliation_text(section, has_pub, judged, tolerance_pp, targeted_measures, scope: Scope) -> str:
    n_ok = int(judged["within_tolerance"].astype(bool).sum())
    bad = judged[~judged["within_tolerance"].astype(bool)]
    points = "percentage point" if tolerance_pp == 1 else "percentage points"
    tol_text = f"exactly for counts and within {tolerance_pp:g} {points} for the re-referral rate" + (
        " (the generator's stated tolerance)" if targeted_measures is not None else ""
    )
    aimed = ", ".join(_lc(MEASURE_LABELS[m]) for m in (targeted_measures or ()) if m in MEASURE_LABELS)
    within = "" if targeted_measures is None else f" that the synthetic generator aims at ({aimed})"
    text = f"Of {len(judged)} {scope.area}-year figures with a published value{within}, {n_ok} match {tol_text}. "
    if len(bad):
        worst = bad.loc[bad["difference"].abs().idxmax()]
        is_count = str(worst["measure"]).endswith("_number")  # a count of children (a rate is not one)
        fmt = "{:,.0f}" if is_count else "{:,.1f}"
        text += (
            f"{len(bad)} do not; the largest difference is {_lc(MEASURE_LABELS.get(worst['measure'], worst['measure']))} "
            f"in {worst['area']} in {int(worst['year'])} ("
            f"{section.value(worst['value_derived'], worst['value_derived'] if is_count else None, fmt)} derived "
            f"against {section.published(worst['value_published'], fmt)} published). "
        )
        if scope.data == "test":  # made-up children: the differences are expected and say nothing about anyone
            text += (
                f"These are test extracts, not {scope.whose()} own records, so differences from the published "
                "figures are expected and say nothing about either. "
            )
        else:
            text += (
                "Such differences are what an analyst must explain: late returns and corrections after submission, "
                "children moved between LAs, and definitions (short breaks, the 12-month boundary, counting each "
                "child once) that the published tables may apply slightly differently. "
            )
    others = sorted(set(has_pub["measure"]) - set(targeted_measures)) if targeted_measures is not None else []
    if targeted_measures is not None:
        # the generator was built to hit these figures, so agreement here tests the code, not any data
        text += (
            "The synthetic extracts were made to match the published figures, so their agreement is true by "
            f"construction: it shows that the derivation works, not that any {scope.area}'s records are right. "
        )
    if others:
        text += (
            "The other published measures (" + ", ".join(_lc(MEASURE_LABELS.get(m, m)) for m in others) + ") are "
            "not generator targets, so their differences are expected on synthetic extracts: children ceasing follow "
            "from the numbers in care and starting (the published figures do not obey that identity exactly), and "
            "child protection plans come from the planted pathway rates."
        )
    return text


def _reconciliation_tables(section, rec, counts, rates, scope: Scope, figs: dict) -> None:
    area = scope.area.capitalize()
    if len(counts):
        section.table(
            "reconciliation_counts",
            counts[["area", "year", "measure_label", "value_derived", "value_published", "difference"]],
            "Derived from the extracts vs published by the DfE: counts of children and referrals",
            counts={
                "value_derived": people("children or referrals"),
                "value_published": published("children or referrals (DfE)"),
                "year": row_label("year ending 31 March"),
            },
            # derived = published + difference: the difference goes with the derived count
            dependent_columns={"difference": "value_derived"},
            decimals=0,
            labels={
                "area": area,
                "year": "Year ending 31 March",
                "measure_label": "Measure",
                "value_derived": "Derived",
                "value_published": "Published",
                "difference": "Difference",
            },
        )
    if len(rates):
        referrals = rec[rec["measure"] == "cin_referrals_number"][["la_code", "year", "value_derived"]]
        r2 = rates.merge(referrals.rename(columns={"value_derived": "referrals"}), on=["la_code", "year"], how="left")
        section.table(
            "reconciliation_rates",
            r2[["area", "year", "measure_label", "referrals", "value_derived", "value_published", "difference"]],
            "Derived vs published: re-referrals within 12 months of a previous referral (% of referrals)",
            counts={"referrals": people("referrals"), "year": row_label("year ending 31 March")},
            dependent_columns={"value_derived": "referrals"},
            decimals=1,
            labels={
                "area": area,
                "year": "Year ending 31 March",
                "measure_label": "Measure",
                "referrals": "Referrals (derived)",
                "value_derived": "Derived %",
                "value_published": "Published %",
                "difference": "Difference (points)",
            },
        )
    if (rec["measure"] == "cla_at_31_march_number").any() and rec["value_published"].notna().any():
        fig = charts.reconciliation_chart(
            rec, scope.names, "cla_at_31_march_number", "children looked after at 31 March"
        )
        section.figure(
            "reconciliation_cla",
            fig,
            alt=f"Children looked after at 31 March by year for each {scope.area}: the published DfE figure as a line "
            f"and the figure derived from the {scope.area}'s SSDA903 extracts as points.",
            caption="Children looked after at 31 March: derived from the extracts (points) and published (line)",
        )
        figs["reconciliation_cla"] = fig


def _reconciliation(section, results, tolerance_pp, targeted_measures, scope: Scope, figs: dict) -> pd.DataFrame:
    """The derived indicators against the published figures; returns the figures judged."""
    rec = results["reconciliation"].copy()
    rec["area"] = rec["la_code"].map(scope.name)
    rec["measure_label"] = rec["measure"].map(MEASURE_LABELS)
    has_pub = rec[rec["value_published"].notna()]
    judged = has_pub if targeted_measures is None else has_pub[has_pub["measure"].isin(list(targeted_measures))]
    section.markdown("### Derived indicators against the published figures")
    if not len(has_pub):
        section.markdown(
            f"No published figure was found for the {scope.area}-years the returns cover "
            f"({', '.join(map(str, results.get('years', []))) or 'none'}), so nothing could be reconciled."
        )
        return judged
    section.markdown(_reconciliation_text(section, has_pub, judged, tolerance_pp, targeted_measures, scope))
    counts = has_pub[has_pub["measure"].str.endswith("_number")]
    rates = has_pub[~has_pub["measure"].str.endswith("_number")]
    _reconciliation_tables(section, rec, counts, rates, scope, figs)
    return judged


# ---- pathways --------------------------------------------------------------------------------


def _pathway_sentences(section, results, scope: Scope) -> list[str]:
    d = results["pathway_diffs"].copy()
    d["area"] = d["la_code"].map(scope.name) if len(d) else []
    sentences = []
    for k, label in PATHWAY_OUTCOMES.items():
        parts = []
        for _, row in d[d["outcome"] == k].iterrows() if len(d) else []:
            n = min(row["children_before"], row["children_after"])
            parts.append(
                f"{row['area']} {section.value(row['pct_before'], n, '{:.1f}')}% → "
                f"{section.value(row['pct_after'], n, '{:.1f}')}% "
                f"(difference {section.value(row['diff_pp'], n, '{:+.1f}')} points, 95% CI "
                f"{section.ci(row['diff_low'], row['diff_high'], n, '{:+.1f}')})"
            )
        if parts:
            sentences.append(f"**{label[0].upper() + label[1:]}**: " + "; ".join(parts) + ".")
    comb = results.get("pathway_combined")
    if comb is not None and len(comb) and len(d) and d["la_code"].nunique() > 1:
        parts = []
        for _, row in comb.iterrows():
            n = min(row["children_before"], row["children_after"])
            parts.append(
                f"{_lc(PATHWAY_OUTCOMES[row['outcome']])} {section.value(row['diff_pp'], n, '{:+.1f}')} points "
                f"(95% CI {section.ci(row['diff_low'], row['diff_high'], n, '{:+.1f}')})"
            )
        sentences.append(
            f"**The {scope.areas(d['la_code'].nunique())} together** (after minus before within each {scope.area}, "
            "combined with Mantel-Haenszel weights; one estimate, so one test rather than one per "
            f"{scope.area}): " + "; ".join(parts) + "."
        )
    return sentences


def _pathway_intro(results, programme_start, scope: Scope, coverage) -> str:
    text = (
        f"Children referred before the programme start ({programme_start}) and after it were followed for 12 months "
        f"from their first referral in each period (only referrals with 12 months of follow-up inside the data): were "
        f"they referred again, did a child protection plan start, did they start to be looked after? Intervals are 95% "
        f"Wilson intervals, with children as the unit."
    )
    first_return = None if coverage is None else coverage.history_before
    if first_return is not None:
        text += (
            f" The first CIN census read is for {first_return}; referrals before it come only from the history "
            f"later returns carry (children still in need in a later year), so the earlier cohorts are incomplete and "
            f"lean towards children with long involvement."
        )
    return text


def _pathway_figures(section, results, scope: Scope, figs: dict) -> None:
    pr = results["pathway_rates"].copy()
    pr["area"] = pr["la_code"].map(scope.name)
    pr["outcome_label"] = pr["outcome"].map(PATHWAY_OUTCOMES)
    section.table(
        "pathway_rates",
        pr[["area", "period", "outcome_label", "children", "events", "pct", "ci_low", "ci_high"]],
        f"Outcomes within 12 months of referral, by {scope.area} and period (95% Wilson CIs)",
        counts={"children": people("children referred"), "events": people("children with the outcome")},
        dependent_columns={"pct": "events", "ci_low": "events", "ci_high": "events"},
        decimals=1,
        labels={
            "area": scope.area.capitalize(),
            "period": "Referred",
            "outcome_label": "Outcome",
            "children": "Children",
            "events": "With the outcome",
            "pct": "%",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
        },
    )
    fig = charts.pathway_chart(results["pathway_rates"], scope.names)
    section.figure(
        "pathways",
        fig,
        alt="Three panels, one per outcome within 12 months of referral (re-referral, child protection plan, "
        f"entry to care): for each {scope.area} the percentage of children with the outcome among those referred "
        "before and after the programme start, with 95% intervals.",
        caption="Outcomes within 12 months of referral, before and after the programme start",
    )
    figs["pathways"] = fig
    if "km_care" in results and len(results["km_care"]):
        fig = charts.km_chart(results["km_care"], scope.names, "% started to be looked after")
        section.figure(
            "km_care",
            fig,
            alt=f"For each {scope.area}, the cumulative percentage of referred children who started to be looked "
            "after over the 12 months after referral (Kaplan-Meier), before and after the programme start.",
            caption="Entry to care in the 12 months after referral (Kaplan-Meier cumulative incidence, 95% band)",
            appendix=True,
        )
        figs["km_care"] = fig


def _pathways(section, results, programme_start, scope: Scope, figs: dict) -> None:
    if "pathway_rates" not in results or not len(results["pathway_rates"]):
        if "pathway_window" in results:
            first, end = results["pathway_window"]
            section.markdown(
                "### Children's pathways after referral, before and after the programme\n\n"
                f"Children would be followed from referrals made from 1 April {first - 1}, and the returns read "
                f"cover the years to {end:%d %B %Y} (the CIN census for referrals and plans, the SSDA903 return "
                "for entry to care): no referral in that span has 12 months of follow-up inside it, so children's "
                "pathways could not be followed."
            )
            section.markdown(
                "Referrals from earlier years that a CIN census carries (the history of children still in need in "
                "its year) are followed when the la_extracts parameter `first_year` is set earlier.",
                appendix=True,
            )
        return
    section.markdown("### Children's pathways after referral, before and after the programme")
    section.markdown(_pathway_intro(results, programme_start, scope, results.get("coverage")))
    section.markdown("\n\n".join(_pathway_sentences(section, results, scope)))
    _pathway_figures(section, results, scope, figs)
    section.markdown(
        f"What a before/after comparison {scope.within()} cannot separate: anything else that changed over "
        "the same years. Referral and re-referral rates, child protection and care numbers moved nationally too "
        "(policy after the Munro review, thresholds, court practice, population change), and recording changed too "
        "(in the boroughs, new case recording came with the programme). A difference between the periods is "
        "consistent with the programme but also with these trends; the comparator strand (other LAs over the same "
        "years) is the check on that. The later cohorts are also followed in years closer to the end of the data, "
        "so any late correction of records affects them more."
    )


# ---- costs -----------------------------------------------------------------------------------


def _between(section, values: pd.Series, fmt: str, published: bool = False) -> str:
    """ "0.41 to 0.97", or one figure when they are all the same as written (ratios of totals and
    published unit costs: about no group of people)."""
    write = (lambda x: section.published(x, fmt)) if published else (lambda x: section.value(x, None, fmt))
    lo, hi = write(values.min()), write(values.max())
    return lo if lo == hi else f"{lo} to {hi}"


def _own_unit_cost_text(section, results, scope: Scope) -> str:
    own = results.get("own_unit_costs")
    if own is None or not own["cost_gbp"].notna().any():
        return ""
    o = own.dropna(subset=["cost_gbp"]).merge(
        results["cost_vs_s251"][["la_code", "year", "s251_cla_gross_gbp"]], on=["la_code", "year"], how="left"
    )
    ratio = (o["cost_gbp"] / o["s251_cla_gross_gbp"]).dropna()
    text = (
        f" Costed instead at {scope.each()} own published s251 weekly unit cost of a child looked after "
        f"({_between(section, o['weekly_unit_cost_gbp'], '£{:,.0f}', published=True)} a week in the years "
        "covered), the placement weeks in the extracts come to"
    )
    if len(ratio):
        text += (
            f" {_between(section, ratio, '{:.2f}')} times "
            f"the s251 spend: as that unit cost is the spend divided by the weeks children were looked after, the "
            f"ratio compares the weeks in the extracts with the weeks behind the published figure."
        )
    else:
        text += " an amount with no published s251 spend to compare it with."
    return text


def _costs(section, results, scope: Scope, figs: dict) -> None:
    if "cost_vs_s251" not in results or not len(results["cost_vs_s251"]):
        return
    c = results["cost_vs_s251"].copy()
    c["area"] = c["la_code"].map(scope.name)
    own = results.get("own_unit_costs")
    if own is not None:
        c = c.merge(
            own[["la_code", "year", "cost_gbp"]].rename(columns={"cost_gbp": "cost_own"}),
            on=["la_code", "year"],
            how="left",
        )
    section.markdown("### Cost of placements")
    ratio = c["ratio_central"].dropna()
    section.markdown(
        "Placement days from the SSDA903 episodes were costed with the weekly unit costs shipped with the project "
        "(foster care and LA children's home from published sources, the other groups estimates and marked as such; "
        f"mixed price years, not inflated) and compared with {scope.each()} published s251 gross spend on "
        "children looked after."
        + (
            f" The central placement cost is {_between(section, ratio, '{:.2f}')} times the s251 spend"
            + (f" across {scope.area}-years." if len(ratio) > 1 else ".")
            if len(ratio)
            else ""
        )
        + " They differ because s251 spend covers more than placements (social work and care leaver services, adoption "
        "and special guardianship support, UASC, overheads) and records what was actually paid, while this estimate "
        f"uses national average unit costs by placement type, not {scope.each()} contracted prices, and counts only "
        "days in placement."
        + _own_unit_cost_text(section, results, scope)
        + (" On these extracts the placement days themselves are illustrative." if scope.data else "")
    )
    section.markdown(
        "The shipped unit costs are in the package's `unit_costs.csv` (see the data dictionary).", appendix=True
    )
    cols = ["area", "year", "cost_low", "cost_central", "cost_high", *(["cost_own"] if "cost_own" in c else [])]
    section.table(
        "cost_vs_s251",
        c[[*cols, "s251_cla_gross_gbp", "ratio_central"]],
        f"Placement cost (GBP, low / central / high unit costs, and at {scope.each()} own s251 unit cost) and "
        "published s251 gross CLA spend",
        counts={"year": row_label("year ending 31 March")},
        decimals=2,
        labels={
            "area": scope.area.capitalize(),
            "year": "Year ending 31 March",
            "cost_low": "Cost, low (£)",
            "cost_central": "Cost, central (£)",
            "cost_high": "Cost, high (£)",
            "cost_own": "Cost at own s251 unit cost (£)",
            "s251_cla_gross_gbp": "s251 CLA gross spend (£)",
            "ratio_central": "Ratio central / s251",
        },
    )
    # whole pounds, as every money figure is written (the table's 2 decimals are for the ratio)
    section.items[-1]["kinds"] = {k: "money" for k in [*cols[2:], "s251_cla_gross_gbp"]}
    fig = charts.cost_chart(c, scope.names)
    section.figure(
        "costs",
        fig,
        alt=f"For each {scope.area} and year, the estimated cost of placements (central line with a low-high band) "
        "and the published s251 gross spend on children looked after (dashed line), in GBP million.",
        caption="Placement cost estimated from the extracts vs published s251 spend on children looked after",
    )
    figs["costs"] = fig


# ---- appendix and key findings ---------------------------------------------------------------


def _appendix(section, results) -> None:
    section.markdown("**Definitions used for the derived indicators**\n\n" + DEFINITIONS, appendix=True)
    if "pathway_diffs" in results:
        section.markdown(
            "**Pathway estimators.** A rate's interval is the Wilson score interval; an area's after - before "
            "difference has Newcombe's hybrid score interval (children are the unit: one row per child and period, "
            "so a child counts at most once in each period; the few children referred in both periods make the two "
            "samples slightly dependent, which widens rather than narrows the interval). Several areas together: the "
            "Mantel-Haenszel risk difference stratified by area, with the Greenland-Robins large-strata variance "
            "and a Wald interval (Greenland and Robins 1985). It is the headline because three separate 95% intervals "
            "would, with no change at all, exclude zero in at least one area about 7% of the time. Calibration over "
            "synthetic seeds with and without a planted change: `benchmarks/calibration.py`.",
            appendix=True,
        )


def _direction(lo, hi) -> str:
    return "lower after the start" if hi < 0 else "higher after the start" if lo > 0 else "not clearly different"


def _pathway_words(section, g, c, n: int, scope: Scope) -> str:
    """The finding's words: the areas together when there are several (one test), else the one."""

    def ci(r) -> str:
        return section.ci(r["diff_low"], r["diff_high"], n, "{:+.1f}")

    if c is not None:
        r0 = c.iloc[0]
        down = int((g["diff_high"] < 0).sum())
        return (
            f"Together (stratified by {scope.area}) the share on a plan within 12 months of referral was "
            f"{_direction(r0['diff_low'], r0['diff_high'])}: {section.value(r0['diff_pp'], n, '{:+.1f}')} "
            f"percentage points (95% CI {ci(r0)}); by {scope.area}, the 95% CI of the difference was below zero in "
            f"{down} of {len(g)}"
        )
    r = g.iloc[0]
    return (
        f"In {scope.name(r['la_code'])}, the share of referred children on a child protection plan within 12 months "
        f"was {_direction(r['diff_low'], r['diff_high'])}: {section.value(r['diff_pp'], n, '{:+.1f}')} percentage "
        f"points (95% CI {ci(r)})"
    )


def _pathway_finding(section, results, scope: Scope) -> None:
    d = results["pathway_diffs"]
    g = d[d["outcome"] == "cpp_12m"]
    comb = results.get("pathway_combined")
    c = comb[comb["outcome"] == "cpp_12m"] if comb is not None and len(g) > 1 else None
    c = c if c is not None and len(c) else None
    if not len(g) or (c is None and len(g) > 1):
        return
    n = int(min(g["children_before"].min(), g["children_after"].min()))
    if section.is_small(n):
        return
    # before and after, judged on the combined interval when there are several areas (one test); each
    # area on its own is a check; the children are nested in the authorities, so the independent units
    # are the authorities
    r0 = g.iloc[0] if c is None else c.iloc[0]
    section.key_finding(
        f"{_pathway_words(section, g, c, n, scope)}; a before/after comparison cannot separate this from "
        "national trends.",
        kind="effect",
        design="before_after",
        unit="local_authorities",
        units=g["la_code"],
        estimate=float(r0["diff_pp"]),
        ci=(float(r0["diff_low"]), float(r0["diff_high"])),
        checks=[Check(scope.name(b.la_code), b.diff_pp) for b in g.itertuples()],
        label="Pathways after referral",
        n=n,
    )


def _key_findings(section, results, judged: pd.DataFrame, scope: Scope) -> None:
    if len(judged) and not section.synthetic:  # on synthetic extracts agreement is true by construction
        n_ok = int(judged["within_tolerance"].astype(bool).sum())
        section.key_finding(
            f"Indicators derived child by child from {scope.whose()} DfE returns match the published figures in "
            f"{n_ok} of {len(judged)} {scope.area}-year figures.",
            kind="fact",
            source="records",
            label="Reconciliation",
        )
    if "pathway_diffs" in results and len(results["pathway_diffs"]):
        _pathway_finding(section, results, scope)


def build_section(
    section,
    results: dict,
    reading: dict,
    validation: dict | None = None,
    tolerance_pp: float = 0.0,
    programme_start: str = "2014-07-01",
    targeted_measures=None,
    ledger: pd.DataFrame | None = None,
    scope: Scope | None = None,
    notice: str = "",
) -> dict:
    """Fill ``section``; ``reading`` = {"children": n, "episodes": n, "referrals": n, "files": n,
    "rejected": n} for the returns used; ``validation`` = the DfE validators' status and results (or
    None: not run); ``targeted_measures``: on synthetic extracts, the measures the generator aims at
    (the match is judged on those; the others are shown and said not to be targets); ``ledger``:
    every return read and what happened to it (:func:`.inputs.read_extracts`); ``scope``: whom the
    report is about; ``notice``: a sentence the report says at its top and in the section's box (e.g.
    that the extracts are test data; :attr:`helpers.report_section.Section.notice`). Returns the figures."""
    scope = scope or Scope()
    figs: dict = {}
    section.notice = notice or section.notice
    if not returns_read(section, reading, ledger, scope):
        return figs
    _validation(section, validation)
    judged = _reconciliation(section, results, tolerance_pp, targeted_measures, scope, figs)
    _pathways(section, results, programme_start, scope, figs)
    _costs(section, results, scope, figs)
    _appendix(section, results)
    _key_findings(section, results, judged, scope)
    return figs
