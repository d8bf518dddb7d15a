"""The LA-extracts report section, written from the analysis results only."""

from __future__ import annotations

from ...config import BOROUGHS
from ...evidence import Check
from ...report_section import lower_first
from . import charts
from .analysis import PATHWAY_OUTCOMES

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


def borough_names() -> dict:
    return {str(la): name for name, _, la in BOROUGHS.values()}


_lc = lower_first


def build_section(
    section,
    results: dict,
    reading: dict,
    validation: dict | None = None,
    tolerance_pp: float = 0.0,
    programme_start: str = "2014-07-01",
    targeted_measures=None,
) -> dict:
    """Fill ``section``; ``reading`` = {"children": n, "episodes": n, "referrals": n, "files": n,
    "rejected": n}; ``validation`` = the DfE validators' status and results (or None: not run);
    ``targeted_measures``: on synthetic extracts, the measures the generator aims at (the match is
    judged on those; the others are shown and said not to be targets)."""
    names = borough_names()
    figs = {}
    if reading["episodes"] == 0 and reading["referrals"] == 0:
        section.markdown(
            "No local authority extracts (SSDA903 or CIN census, under `la_extracts/<LA number>/<year>/` in the "
            "raw folder) were found for this scope, so no indicators, pathways or placement costs could be "
            "derived. The DfE validation rules were NOT run."
        )
        return figs
    syn = " (synthetic extracts: the figures are illustrative)" if section.synthetic else ""
    section.markdown(
        f"Each borough's own returns to the DfE, the SSDA903 return on children looked after and the children in need (CIN) "
        f"census, were read as a local authority hands them over{syn}: {reading['files']} files, "
        f"{section.count(reading['children'])} children, {reading['episodes']:,} episodes of care and "
        f"{reading['referrals']:,} referrals, of which {reading['rejected']:,} records were rejected with their reasons "
        f"(see the data-quality section). Child identifiers were replaced by keyed pseudonyms as they were read. From them "
        f"the indicators the DfE publishes were derived by the DfE's definitions and set against the published figures; "
        f"children were then followed from referral; and the cost of their placements was estimated."
    )

    # ---- DfE validation rules ----------------------------------------------------------------
    if validation is None or validation.get("status") != "ran":
        why = (validation or {}).get("reason", "the validators' environment (.venv-validators) was not available")
        section.markdown(
            f"**The DfE validation rules were NOT run** on these extracts: {why}. This is not a pass: nothing is known "
            f"about which DfE rules the extracts break until the validators run."
        )
    else:
        res = validation["results"]
        notrun = validation.get("not_run", [])
        skipped = max([i.get("rules_skipped_no_table", 0) for i in validation.get("returns", {}).values()] or [0])
        failing = res.groupby(["return", "rule", "message"], as_index=False).agg(records=("count", "sum"))
        section.markdown(
            f"The DfE's own validation rules (Data to Insight's validators, the ones LAs run before submitting) ran on "
            f"the extracts: {failing['rule'].nunique()} rules flagged at least one record; "
            f"{len(notrun)} rules could not run and are reported as not run, not as passed"
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
            labels={"return": "Return", "rule": "Rule", "message": "Message", "records": "Records flagged"},
        )

    # ---- reconciliation ------------------------------------------------------------------------
    rec = results["reconciliation"].copy()
    rec["borough"] = rec["la_code"].map(names).fillna("LA " + rec["la_code"])
    rec["measure_label"] = rec["measure"].map(MEASURE_LABELS)
    has_pub = rec[rec["value_published"].notna()]
    counts = has_pub[has_pub["measure"].str.endswith("_number")]
    rates = has_pub[~has_pub["measure"].str.endswith("_number")]
    judged = has_pub if targeted_measures is None else has_pub[has_pub["measure"].isin(list(targeted_measures))]
    n_ok = int(judged["within_tolerance"].astype(bool).sum())
    bad = judged[~judged["within_tolerance"].astype(bool)]
    section.markdown("### Derived indicators against the published figures")
    tol_text = f"exactly for counts and within {tolerance_pp:g} percentage points for the re-referral rate" + (
        " (the generator's stated tolerance)" if section.synthetic else ""
    )
    scope = (
        ""
        if targeted_measures is None
        else (
            " that the synthetic generator aims at ("
            + ", ".join(_lc(MEASURE_LABELS[m]) for m in targeted_measures if m in MEASURE_LABELS)
            + ")"
        )
    )
    text = f"Of {len(judged)} borough-year figures with a published value{scope}, {n_ok} match {tol_text}. "
    if len(bad):
        worst = bad.loc[bad["difference"].abs().idxmax()]
        is_count = str(worst["measure"]).endswith("_number")  # a count of children (a rate is not one)
        text += (
            f"{len(bad)} do not; the largest difference is {_lc(MEASURE_LABELS.get(worst['measure'], worst['measure']))} "
            f"in {worst['borough']} in {int(worst['year'])} ("
            f"{section.value(worst['value_derived'], worst['value_derived'] if is_count else None, '{:,.1f}')} derived "
            f"against {section.published(worst['value_published'], '{:,.1f}')} published). "
        )
        text += (
            "Such differences are what an analyst must explain: late returns and corrections after submission, "
            "children moved between LAs, and definitions (short breaks, the 12-month boundary, counting each child "
            "once) that the published tables may apply slightly differently. "
        )
    if targeted_measures is not None:
        others = sorted(set(has_pub["measure"]) - set(targeted_measures))
        if others:
            text += (
                "The other published measures (" + ", ".join(_lc(MEASURE_LABELS.get(m, m)) for m in others) + ") are "
                "not generator targets, so their differences are expected on synthetic extracts: children ceasing follow "
                "from the numbers in care and starting (the published figures do not obey that identity exactly), and "
                "child protection plans come from the planted pathway rates."
            )
    if section.synthetic:
        # the generator was built to hit these figures, so agreement here tests the code, not any data
        text += (
            "The synthetic extracts were made to match the published figures, so their agreement is true by "
            "construction: it shows that the derivation works, not that any borough's records are right."
        )
    section.markdown(text)
    if len(counts):
        section.table(
            "reconciliation_counts",
            counts[["borough", "year", "measure_label", "value_derived", "value_published", "difference"]],
            "Derived from the extracts vs published by the DfE: counts of children and referrals",
            count_columns=["value_derived"],
            decimals=0,
            labels={
                "borough": "Borough",
                "year": "Year ending 31 March",
                "measure_label": "Measure",
                "value_derived": "Derived",
                "value_published": "Published",
                "difference": "Difference",
            },
        )
    if len(rates):
        r2 = rates.merge(
            rec[rec["measure"] == "cin_referrals_number"][["la_code", "year", "value_derived"]].rename(
                columns={"value_derived": "referrals"}
            ),
            on=["la_code", "year"],
            how="left",
        )
        section.table(
            "reconciliation_rates",
            r2[["borough", "year", "measure_label", "referrals", "value_derived", "value_published", "difference"]],
            "Derived vs published: re-referrals within 12 months of a previous referral (% of referrals)",
            count_columns=["referrals"],
            dependent_columns={"value_derived": "referrals"},
            decimals=1,
            labels={
                "borough": "Borough",
                "year": "Year ending 31 March",
                "measure_label": "Measure",
                "referrals": "Referrals (derived)",
                "value_derived": "Derived %",
                "value_published": "Published %",
                "difference": "Difference (points)",
            },
        )
    if (rec["measure"] == "cla_at_31_march_number").any() and rec["value_published"].notna().any():
        fig = charts.reconciliation_chart(rec, names, "cla_at_31_march_number", "children looked after at 31 March")
        section.figure(
            "reconciliation_cla",
            fig,
            alt="Children looked after at 31 March by year for each borough: the published DfE figure as a line "
            "and the figure derived from the borough's SSDA903 extracts as points.",
            caption="Children looked after at 31 March: derived from the extracts (points) and published (line)",
        )
        figs["reconciliation_cla"] = fig

    # ---- pathways ------------------------------------------------------------------------------
    if "pathway_rates" in results:
        pr = results["pathway_rates"].copy()
        pr["borough"] = pr["la_code"].map(names).fillna("LA " + pr["la_code"].astype(str))
        pr["outcome_label"] = pr["outcome"].map(PATHWAY_OUTCOMES)
        section.markdown("### Children's pathways after referral, before and after the programme")
        section.markdown(
            f"Children referred before the programme start ({programme_start}) and after it were followed for 12 months "
            f"from their first referral in each period (only referrals with 12 months of follow-up inside the data): were "
            f"they referred again, did a child protection plan start, did they start to be looked after? Intervals are 95% "
            f"Wilson intervals, with children as the unit."
        )
        d = results["pathway_diffs"].copy()
        d["borough"] = d["la_code"].map(names).fillna("LA " + d["la_code"].astype(str))
        sentences = []
        for k, label in PATHWAY_OUTCOMES.items():
            g = d[d["outcome"] == k]
            parts = []
            for _, row in g.iterrows():
                n = min(row["children_before"], row["children_after"])
                parts.append(
                    f"{row['borough']} {section.value(row['pct_before'], n, '{:.1f}')}% → "
                    f"{section.value(row['pct_after'], n, '{:.1f}')}% "
                    f"(difference {section.value(row['diff_pp'], n, '{:+.1f}')} points, 95% CI "
                    f"{section.ci(row['diff_low'], row['diff_high'], n, '{:+.1f}')})"
                )
            if parts:
                sentences.append(f"**{label[0].upper() + label[1:]}**: " + "; ".join(parts) + ".")
        comb = results.get("pathway_combined")
        if comb is not None and len(comb):
            parts = []
            for _, row in comb.iterrows():
                n = min(row["children_before"], row["children_after"])
                parts.append(
                    f"{_lc(PATHWAY_OUTCOMES[row['outcome']])} {section.value(row['diff_pp'], n, '{:+.1f}')} points "
                    f"(95% CI {section.ci(row['diff_low'], row['diff_high'], n, '{:+.1f}')})"
                )
            sentences.append(
                f"**The {len(set(d['la_code']))} boroughs together** (after minus before within each borough, combined with "
                "Mantel-Haenszel weights; one estimate, so one test rather than one per borough): "
                + "; ".join(parts)
                + "."
            )
        section.markdown("\n\n".join(sentences))
        section.table(
            "pathway_rates",
            pr[["borough", "period", "outcome_label", "children", "events", "pct", "ci_low", "ci_high"]],
            "Outcomes within 12 months of referral, by borough and period (95% Wilson CIs)",
            count_columns=["children", "events"],
            dependent_columns={"pct": "events", "ci_low": "events", "ci_high": "events"},
            decimals=1,
            labels={
                "borough": "Borough",
                "period": "Referred",
                "outcome_label": "Outcome",
                "children": "Children",
                "events": "With the outcome",
                "pct": "%",
                "ci_low": "95% CI low",
                "ci_high": "95% CI high",
            },
        )
        fig = charts.pathway_chart(results["pathway_rates"], names)
        section.figure(
            "pathways",
            fig,
            alt="Three panels, one per outcome within 12 months of referral (re-referral, child protection plan, "
            "entry to care): for each borough the percentage of children with the outcome among those referred "
            "before and after the programme start, with 95% intervals.",
            caption="Outcomes within 12 months of referral, before and after the programme start",
        )
        figs["pathways"] = fig
        if "km_care" in results and len(results["km_care"]):
            fig = charts.km_chart(results["km_care"], names, "% started to be looked after")
            section.figure(
                "km_care",
                fig,
                alt="For each borough, the cumulative percentage of referred children who started to be looked "
                "after over the 12 months after referral (Kaplan-Meier), before and after the programme start.",
                caption="Entry to care in the 12 months after referral (Kaplan-Meier cumulative incidence, 95% band)",
                appendix=True,
            )
            figs["km_care"] = fig
        section.markdown(
            "What a before/after comparison within each borough cannot separate: anything else that changed over the same "
            "years. Referral and re-referral rates, child protection and care numbers moved nationally too (policy after the "
            "Munro review, thresholds, court practice, population change), and the boroughs' own recording changed with the "
            "programme (new case recording). A difference between the periods is consistent with the programme but also with "
            "these trends; the comparator strand (other LAs over the same years) is the check on that. The later cohorts are "
            "also followed in years closer to the end of the data, so any late correction of records affects them more."
        )

    # ---- costs ---------------------------------------------------------------------------------
    if "cost_vs_s251" in results and len(results["cost_vs_s251"]):
        c = results["cost_vs_s251"].copy()
        c["borough"] = c["la_code"].map(names).fillna("LA " + c["la_code"].astype(str))
        section.markdown("### Cost of placements")
        ratio = c["ratio_central"].dropna()
        section.markdown(
            "Placement days from the SSDA903 episodes were costed with the weekly unit costs shipped with the project "
            "(`unit_costs.csv`: foster care and LA children's home from published sources, the other groups estimates and "
            "marked as such; mixed price years, not inflated) and compared with each borough's published s251 gross spend on "
            "children looked after."
            + (
                f" The central placement cost is between {section.value(ratio.min(), None, '{:.2f}')} and "
                f"{section.value(ratio.max(), None, '{:.2f}')} times the s251 spend across "
                f"borough-years."
                if len(ratio)
                else ""
            )
            + " They differ because s251 spend covers more than placements (social work and care leaver services, adoption "
            "and special guardianship support, UASC, overheads) and records what was actually paid, while this estimate "
            "uses national average unit costs by placement type, not the boroughs' contracted prices, and counts only days "
            "in placement."
            + (" On synthetic extracts the placement days themselves are illustrative." if section.synthetic else "")
        )
        section.table(
            "cost_vs_s251",
            c[["borough", "year", "cost_low", "cost_central", "cost_high", "s251_cla_gross_gbp", "ratio_central"]],
            "Placement cost (GBP, low / central / high unit costs) and published s251 gross CLA spend",
            decimals=2,
            labels={
                "borough": "Borough",
                "year": "Year ending 31 March",
                "cost_low": "Cost, low (£)",
                "cost_central": "Cost, central (£)",
                "cost_high": "Cost, high (£)",
                "s251_cla_gross_gbp": "s251 CLA gross spend (£)",
                "ratio_central": "Ratio central / s251",
            },
        )
        fig = charts.cost_chart(c, names)
        section.figure(
            "costs",
            fig,
            alt="For each borough and year, the estimated cost of placements (central line with a low-high band) "
            "and the published s251 gross spend on children looked after (dashed line), in GBP million.",
            caption="Placement cost estimated from the extracts vs published s251 spend on children looked after",
        )
        figs["costs"] = fig

    # ---- appendix: definitions ------------------------------------------------------------------
    from . import analysis

    section.markdown(
        "**Definitions used for the derived indicators**\n\n"
        + analysis.__doc__[analysis.__doc__.index("* **Episodes") :],
        appendix=True,
    )

    if "pathway_diffs" in results:
        section.markdown(
            "**Pathway estimators.** A rate's interval is the Wilson score interval; a borough's after - before "
            "difference has Newcombe's hybrid score interval (children are the unit: one row per child and period, "
            "so a child counts at most once in each period; the few children referred in both periods make the two "
            "samples slightly dependent, which widens rather than narrows the interval). The boroughs together: the "
            "Mantel-Haenszel risk difference stratified by borough, with the Greenland-Robins large-strata variance "
            "and a Wald interval (Greenland and Robins 1985). It is the headline because three separate 95% intervals "
            "would, with no change at all, exclude zero in at least one borough about 7% of the time. Calibration over "
            "synthetic seeds with and without a planted change: `benchmarks/calibration.py`.",
            appendix=True,
        )

    # ---- key findings ------------------------------------------------------------------------
    if len(judged) and not section.synthetic:  # on synthetic extracts agreement is true by construction
        section.key_finding(
            f"Indicators derived child by child from the DfE returns match the published figures in {n_ok} of "
            f"{len(judged)} borough-year figures.",
            kind="fact",
            source="records",
            label="Reconciliation",
        )
    if "pathway_diffs" in results and len(results["pathway_diffs"]):
        d = results["pathway_diffs"]
        g = d[d["outcome"] == "cpp_12m"]
        comb = results.get("pathway_combined")
        c = comb[comb["outcome"] == "cpp_12m"] if comb is not None and len(comb) else comb
        if len(g):
            n = int(min(g["children_before"].min(), g["children_after"].min()))
            if not section.is_small(n):
                down = int((g["diff_high"] < 0).sum())
                together = ""
                if c is not None and len(c):
                    r0 = c.iloc[0]
                    direction = (
                        "lower after the start"
                        if r0["diff_high"] < 0
                        else "higher after the start"
                        if r0["diff_low"] > 0
                        else "not clearly different"
                    )
                    together = (
                        f"Together (stratified by borough) the share on a plan within 12 months of referral was {direction}: "
                        f"{section.value(r0['diff_pp'], n, '{:+.1f}')} percentage points (95% CI "
                        f"{section.value(r0['diff_low'], n, '{:+.1f}')} to {section.value(r0['diff_high'], n, '{:+.1f}')}); "
                    )
                by_borough = (
                    f"by borough, the 95% CI of the difference was below zero in {down} of {len(g)}"
                    if together
                    else "Children referred after the programme start were less often on a child protection plan within "
                    f"12 months in {down} of {len(g)} boroughs (95% CI of the difference below zero)"
                )
                # before and after, judged on the combined interval (one test; without it, the boroughs'
                # intervals together); each borough on its own is a check; the children are nested in the
                # authorities, so the independent units are the authorities
                ci_all = (
                    (float(c.iloc[0]["diff_low"]), float(c.iloc[0]["diff_high"]))
                    if c is not None and len(c)
                    else (g["diff_low"].min(), g["diff_high"].max())
                )
                estimate = float(c.iloc[0]["diff_pp"]) if c is not None and len(c) else None
                section.key_finding(
                    f"{together}{by_borough}; a before/after comparison cannot separate this from national trends.",
                    kind="effect",
                    design="before_after",
                    unit="local_authorities",
                    units=g["la_code"],
                    estimate=estimate,
                    ci=ci_all,
                    checks=[Check(f"LA {b.la_code}", b.diff_pp) for b in g.itertuples()],
                    label="Pathways after referral",
                    n=n,
                )
    return figs
