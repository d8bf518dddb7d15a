"""The report section of the outcomes strand, written from :class:`analysis.Results` only.

The figures are published LA-level statistics (already public): they need no small-number
suppression, and no individual-level count is ever put beside them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...report_section import P_VALUE_THRESHOLD, evidence_strength, join_words, lower_first
from . import charts
from .analysis import CLAIMS, NEIGHBOURS_ID, OUTCOMES, PROGRAMME_LAS, TREATED_ID
from .inputs import SOURCES

TITLE = "Children's outcomes and the cost of care, against comparators"
ORDER = 40
#: p-value below which the section calls a change unusual among English LAs: the cut the strength of
#: evidence uses (:data:`helpers.report_section.P_VALUE_THRESHOLD`), so "unusual" never sits beside
#: "not possible to tell".
UNUSUAL_P = P_VALUE_THRESHOLD
#: p-value of the pre-programme divergence test below which the section warns that the treated area
#: was already moving apart before the start: a warning, so a looser cut than for a finding.
EARLY_P = 0.10


_lc = lower_first
_list = join_words


def _who(results, unit) -> str:
    return "the treated areas combined" if unit == TREATED_ID else results.names.get(unit, unit)


def _money(section, x) -> str:
    """A published or derived sum of money in words ("minus £1.2 million"), through the one formatter."""
    if x is None or np.isnan(x):
        return "–"
    sign = "minus " if x < 0 else ""
    return sign + section.published(abs(x) / 1e6, "£{:,.1f} million")


def _children(results, unit, year):
    """Children looked after at 31 March ``year`` in ``unit`` (published count): the people behind a finding."""
    p = results.panel
    v = p[(p.outcome == "cla_number") & (p.area_code == unit) & (p.year == year)].value
    return float(v.iloc[0]) if len(v) and not pd.isna(v.iloc[0]) else None


def _est(results, outcome, unit, method):
    e = results.estimates
    r = e[(e.outcome == outcome) & (e.area_code == unit) & (e.method == method)]
    return r.iloc[0] if len(r) else None


def build_missing(section, message: str) -> None:
    """The whole section when the public statistics are not there: one paragraph, what to put where."""
    section.markdown(message)


def build_section(section, results) -> None:
    """Prose, tables and figures of the section, in reading order."""
    r = results
    P = r.params
    fpy, ref = P["first_post_year"], P["reference_year"]
    names = r.names
    treated_names = [names[str(t)] for t in r.treated]
    main_unit = TREATED_ID if TREATED_ID in r.units else (r.units[0] if r.units else None)
    analysed = [o for o in P["outcomes"] if OUTCOMES[o].analyse and o in set(r.estimates.outcome)]
    nb = r.neighbours.drop_duplicates("neighbour_la")

    section.markdown(
        f"This section is built on **real published statistics** (DfE and ONS, listed below), not on synthetic data. "
        f"It asks whether children's outcomes and the cost of care in {_list(treated_names)} changed after the "
        f"programme started ({P['programme_start']}) in a way that other local authorities did not see. "
        f"**Year convention:** a figure at 31 March, for the year ending 31 March or for a financial year belongs to the "
        f"year in which that date falls, so the figure at 31 March {fpy} is the first one after the start and {ref} is the "
        f"last year before it. The years compared are {P['first_year']} to {P['last_year']}."
    )
    nb_text = _list([f"{x}" for x in nb.neighbour_name]) if len(nb) else "none"
    elig = r.eligibility
    reasons = (
        elig.excluded.reason.str.replace(r" \(.*", "", regex=True)
        .str.replace(r": series.*", "", regex=True)
        .value_counts()
    )
    section.markdown(
        f"**Comparators.** (1) The treated areas' DfE statistical neighbours ({P['neighbour_list']} groups), leaving out "
        f"the programme boroughs themselves, which are each other's neighbours: {nb_text}. The {P['neighbour_list']} groups "
        f"are used because {'they are the older of the two published lists, closer in time to the programme' if P['neighbour_list'] == '2021' else 'they were chosen by parameter'}; "
        f"no list from 2014 is in the published files. (2) England, London and Inner London as context. (3) Every eligible "
        f"English local authority, as if it had been treated (placebo runs) and as donors to a synthetic control. "
        f"{len(elig.eligible)} authorities are eligible; {elig.n_excluded} are left out ("
        + "; ".join(f"{n} {k.lower()}" for k, n in reasons.items())
        + "). Areas whose series is broken by a boundary change "
        "within the years compared are never spliced or compared. **Rates** are computed from the published counts and the "
        "ONS mid-year child population of the year before (pre-Census-2021 series only; the revised series is never mixed in); "
        "the treated areas combined and the neighbours combined are summed counts over summed populations, not averages of rates."
    )
    for note in r.notes:
        section.markdown(note)
    if not r.units:
        section.markdown(
            "No treated area has an unbroken published series over these years, so no comparison is possible."
        )
        return

    # ---- the main table ---------------------------------------------------------------------
    rows = []
    for o in analysed:
        for u in r.units:
            d = _est(r, o, u, "difference in differences vs neighbours")
            sc = _est(r, o, u, "synthetic control: mean post-programme gap")
            pt = _est(r, o, u, "pre-programme trend of the gap from neighbours (per year)")
            pv = r.panel[(r.panel.outcome == o) & (r.panel.area_code == u)].set_index("year").value
            rows.append(
                {
                    "outcome": OUTCOMES[o].label,
                    "area": names.get(u, u),
                    "before": pv.get(ref, np.nan),
                    "after": pv.get(min(P["cost_years"][1], P["last_year"]), np.nan),
                    "did": d.estimate if d is not None else np.nan,
                    "did_interval": section.ci(d.ci_low, d.ci_high, None, "{:,.1f}") if d is not None else "–",
                    "did_p": d.p_value if d is not None else np.nan,
                    "pre_p": pt.p_value if pt is not None else np.nan,
                    "sc_gap": sc.estimate if sc is not None else np.nan,
                    "sc_p": sc.p_value if sc is not None else np.nan,
                }
            )
    main = pd.DataFrame(rows)
    last_cost = min(P["cost_years"][1], P["last_year"])
    section.table(
        "outcomes_summary",
        main,
        caption=f"Each outcome before ({ref}) and after ({last_cost}), the change against the statistical neighbours "
        f"(difference in differences, with the range of placebo LAs), and how unusual it is among English LAs",
        labels={
            "outcome": "Outcome",
            "area": "Area",
            "before": f"{ref}",
            "after": f"{last_cost}",
            "did": "Change vs neighbours (DiD)",
            "did_interval": f"{P['placebo_level']:.0%} placebo interval",
            "did_p": "Placebo p-value",
            "pre_p": "Pre-programme divergence, placebo p",
            "sc_gap": "Gap from synthetic control",
            "sc_p": "Synthetic control p",
        },
        note="Published statistics. p-values come from running the same estimator on every eligible English LA as if it "
        "had been treated (small = unusual). A small 'pre-programme divergence' p means the treated area was already "
        "moving away from its neighbours before the start.",
    )

    # ---- trends ---------------------------------------------------------------------------
    section.figure(
        "outcomes_trends",
        charts.trends(r, analysed),
        alt=f"Line charts, {P['first_year']} to {P['last_year']}, of {len(analysed)} outcomes for "
        f"{_list(treated_names)}, their statistical neighbours combined, England, London and Inner London, "
        f"with the programme start marked between {ref} and {fpy}.",
        caption="Trends: treated areas, neighbours, England, London and Inner London (published statistics)",
    )
    section.figure(
        "outcomes_index",
        charts.trends(r, [o for o in ("cla_number", "cla_rate") if o in P["outcomes"]], index=True),
        alt=f"Index charts ({ref} = 100) of the number and rate of children looked after at 31 March for the "
        f"treated areas, their neighbours, England, London and Inner London.",
        caption=f"Children looked after, indexed to the last year before the programme ({ref} = 100)",
    )

    # ---- the claims ---------------------------------------------------------------------------
    cl = r.claims
    c1 = cl[(cl.measure == "cla_at_31_march_number")]
    programme = set(r.treated) <= set(PROGRAMME_LAS)
    if len(c1) and not programme:
        t = c1[c1.area == (names[TREATED_ID] if TREATED_ID in r.units else treated_names[0])].iloc[0]
        nbr = c1[c1.area == names[NEIGHBOURS_ID]].iloc[0]
        eng = c1[c1.area == "England"].iloc[0]
        section.markdown(
            f"**Children looked after, {CLAIMS[0]['from_year']} to {CLAIMS[0]['to_year']}.** {t.area}: {section.published(t.value_from, '{:,.0f}')} "
            f"at 31 March {CLAIMS[0]['from_year']} and {section.published(t.value_to, '{:,.0f}')} at 31 March {CLAIMS[0]['to_year']} "
            f"({section.published(t.change_pct, '{:+.1f}')}%); statistical neighbours combined {section.published(nbr.change_pct, '{:+.1f}')}%, England "
            f"{section.published(eng.change_pct, '{:+.1f}')}%. (The Focus on Practice boroughs' published claims are about themselves and are "
            f"checked only when they are the treated areas.)"
        )
        c1 = c1.iloc[0:0]
    if len(c1):
        t = c1[c1.area == names[TREATED_ID]] if (TREATED_ID in r.units) else c1[c1.area == treated_names[0]]
        t = t.iloc[0]
        nbr = c1[c1.area == names[NEIGHBOURS_ID]].iloc[0]
        eng = c1[c1.area == "England"].iloc[0]
        inner = c1[c1.area == "Inner London"].iloc[0]
        section.markdown(
            f"**The boroughs' own claims.** A November 2017 council release claimed a {section.published(abs(CLAIMS[0]['claimed_change_pct']), '{:.0f}')}% drop "
            f"in looked-after children from {CLAIMS[0]['from_year']} to {CLAIMS[0]['to_year']}. From the published figures, "
            f"{'the treated areas combined' if (TREATED_ID in r.units and t.area == names[TREATED_ID]) else t.area} had {section.published(t.value_from, '{:,.0f}')} children looked after at "
            f"31 March {CLAIMS[0]['from_year']} and {section.published(t.value_to, '{:,.0f}')} at 31 March {CLAIMS[0]['to_year']}: a change of "
            f"{section.published(t.change_pct)}%"
            + (
                " (the published counts do not reproduce the claimed fall; the release's own figures and definition are not known)"
                if abs(t.change_pct - CLAIMS[0]["claimed_change_pct"]) > 1
                else " (close to the claim)"
            )
            + f". Over the same years the statistical neighbours combined changed by {section.published(nbr.change_pct)}%, Inner "
            f"London by {section.published(inner.change_pct)}% and England by {section.published(eng.change_pct)}%; "
            f"{section.published(t.share_of_eligible_las_with_fall_at_least_as_large * 100, '{:.0f}')}% of eligible English LAs had a fall at least as large. "
            f"The claim of an {abs(CLAIMS[1]['claimed_change_pct'])}% drop in children taken into care since {CLAIMS[1]['from_year']} "
            f"cannot be checked here: the published files hold LA-level counts of children starting to be looked after only from "
            f"31 March 2015, after the programme started."
            + (
                ""
                if TREATED_ID in r.units
                else f" The claims were made for the three boroughs together; this section covers {_list(treated_names)} only."
            )
        )
        shown = cl.drop(columns=["measure", "note"]).astype({"from_year": str, "to_year": str})
        shown["value_from"] = shown["value_from"].round().astype("Int64")
        shown["value_to"] = shown["value_to"].round().astype("Int64")
        section.table(
            "outcomes_claims",
            shown,
            caption="The boroughs' later claims beside the published figures and the comparators",
            labels={
                "claim": "Claim",
                "claimed_change_pct": "Claimed change %",
                "from_year": "From",
                "to_year": "To",
                "area": "Area",
                "value_from": "Number (from)",
                "value_to": "Number (to)",
                "change_pct": "Change %",
                "share_of_eligible_las_with_fall_at_least_as_large": "Share of eligible LAs with a fall at least as large",
                "n_eligible_las": "Eligible LAs",
            },
            decimals=2,
        )

    # ---- event study, placebo, synthetic control for children looked after ----------------
    key = "cla_rate" if "cla_rate" in analysed else (analysed[0] if analysed else None)
    if key:
        d = _est(r, key, main_unit, "difference in differences vs neighbours")
        pt = _est(r, key, main_unit, "pre-programme trend of the gap from neighbours (per year)")
        section.figure(
            f"outcomes_event_{key}",
            charts.event_study(r, key),
            alt=f"Event-study chart of {_lc(OUTCOMES[key].label)}: each year's gap between the treated areas and "
            f"their neighbours, relative to {ref}, with the middle range of the same gap over placebo LAs shaded.",
            caption=f"Event study: {OUTCOMES[key].label} (each year against {ref})",
        )
        already = pt is not None and pt.p_value < EARLY_P
        section.markdown(
            f"**Reading the event study.** Each point is how far the treated area's gap from its neighbours had moved since {ref}. "
            f"Points before {fpy} show whether the areas were already diverging before the programme: "
            + (
                f"for {_who(r, main_unit)}, the gap was "
                f"moving by {section.published(pt.estimate, '{:+.1f}')} {OUTCOMES[key].unit} a year before the start, which "
                + (
                    "is unusual among placebo LAs (p = "
                    + section.published(pt.p_value, "{:.2f}")
                    + "): the change had started before the programme."
                    if already
                    else "is within the range seen among placebo LAs (p = "
                    + section.published(pt.p_value, "{:.2f}")
                    + "): no sign of an earlier divergence."
                )
                if pt is not None
                else "not available."
            )
        )
        ia = {
            t: _est(r, key, main_unit, f"interrupted time series alone: {t}")
            for t in ("pre slope", "level change", "slope change")
        }
        iv = {
            t: _est(r, key, main_unit, f"interrupted time series vs neighbours: {t}")
            for t in ("pre slope", "level change", "slope change")
        }
        if ia["pre slope"] is not None:

            def _ci(e):
                return f"{section.published(e.estimate, '{:+.1f}')} (95% CI {section.ci(e.ci_low, e.ci_high, None, '{:+.1f}')})"

            trend_word = "falling" if ia["pre slope"].estimate < 0 else "rising"
            section.markdown(
                f"**Interrupted time series** ({_who(r, main_unit)}, {OUTCOMES[key].unit}). Before the programme the series was "
                f"{trend_word}: {_ci(ia['pre slope'])} a year, so any change after {ref} has to be read against a trend that "
                f"had started earlier. After the start, the step in the first year was {_ci(ia['level change'])} and the yearly "
                f"trend changed by {_ci(ia['slope change'])}. Against the neighbours (the gap between the two series), the step was "
                + (
                    f"{_ci(iv['level change'])} and the change in trend {_ci(iv['slope change'])}. "
                    if iv["level change"] is not None
                    else "not available. "
                )
                + "These intervals come from about ten yearly points and are likely too narrow; the placebo comparisons below are the fairer test."
            )
        section.figure(
            f"outcomes_placebo_{key}",
            charts.placebo(r, key),
            alt=f"Histograms of the difference-in-differences estimate of {_lc(OUTCOMES[key].label)} for every "
            f"eligible English LA as if it had been treated, with the treated areas marked, and of the mean of "
            f"every set of {len(r.treated)} such LAs with the treated areas' mean marked.",
            caption="Placebo in space: where the treated areas fall among every eligible LA",
        )
        m3 = _est(r, key, TREATED_ID, f"mean of the {len(r.treated)} treated LAs' DiD estimates")
        parts = []
        for u in r.units:
            e = _est(r, key, u, "difference in differences vs neighbours")
            if e is not None:
                parts.append(
                    f"{names.get(u, u)} {section.published(e.estimate, '{:+.1f}')} (rank {int(e['rank'])} of {int(e.n_placebo) + 1}, p = {section.published(e.p_value, '{:.2f}')})"
                )
        section.markdown(
            f"**Against every English LA.** The change in {_lc(OUTCOMES[key].label)} against the statistical neighbours "
            f"(after minus before, {OUTCOMES[key].unit}) was: "
            + "; ".join(parts)
            + ". "
            + (
                f"The mean of the {len(r.treated)} boroughs' estimates, {section.published(m3.estimate, '{:+.1f}')}, is as far from zero as that "
                f"of {section.published(m3.p_value * 100, '{:.0f}')}% of all sets of {len(r.treated)} LAs drawn from the pool. "
                if m3 is not None
                else ""
            )
            + (
                "Judged this way the change looks **unusual**."
                if d is not None and d.p_value < UNUSUAL_P
                else "Judged this way the change looks **ordinary**: many authorities that had no such programme moved as much or more."
            )
        )
        section.figure(
            f"outcomes_synthetic_{key}",
            charts.synthetic(r, key),
            alt=f"Line charts of {_lc(OUTCOMES[key].label)} for each treated unit and its synthetic control, "
            f"a weighted mix of eligible English LAs matched on the years before {fpy}.",
            caption="Synthetic control: each treated area against a weighted mix of other LAs",
        )
        scs = []
        for u in r.units:
            e = _est(r, key, u, "synthetic control: post/pre RMSPE ratio")
            g = _est(r, key, u, "synthetic control: mean post-programme gap")
            if e is not None:
                scs.append(
                    f"{names.get(u, u)}: gap {section.published(g.estimate, '{:+.1f}')}, ratio {section.published(e.estimate, '{:.2f}')} (rank {int(e['rank'])} of {int(e.n_placebo) + 1}, p = {section.published(e.p_value, '{:.2f}')})"
                )
        section.markdown(
            "**Synthetic control.** Each treated area is matched with a weighted mix of eligible LAs that followed the "
            f"same path before {fpy}; the gap after the start is the estimate, and the ratio of the fit after to the fit before "
            "is ranked among the same ratio for every placebo LA (rank 1 = the largest departure of all). "
            + "; ".join(scs)
            + "."
        )

    # ---- the other outcomes in brief ----------------------------------------------------------
    lines = []
    for o in analysed:
        if o == key:
            continue
        e = _est(r, o, main_unit, "difference in differences vs neighbours")
        pt = _est(r, o, main_unit, "pre-programme trend of the gap from neighbours (per year)")
        if e is None:
            continue
        verdict = "unusual" if e.p_value < UNUSUAL_P else "ordinary"
        pre = " (already diverging before the start)" if pt is not None and pt.p_value < EARLY_P else ""
        lines.append(
            f"- {OUTCOMES[o].label}: {section.published(e.estimate, '{:+.1f}')} against the neighbours; {verdict} among English LAs "
            f"(p = {section.published(e.p_value, '{:.2f}')}){pre}."
        )
    if lines:
        section.markdown(
            f"**Other outcomes** ({_who(r, main_unit)}, "
            "change after minus before against the statistical neighbours):\n\n" + "\n".join(lines)
        )
    skipped = [OUTCOMES[o].label for o in P["outcomes"] if OUTCOMES[o].analyse and o not in analysed]
    if skipped:
        section.markdown(
            "Shown as trends only, without a before-and-after comparison (no or too few published years before "
            f"the start): {_list(skipped)}."
        )

    # ---- spend --------------------------------------------------------------------------------
    sp = r.panel[
        r.panel.outcome.isin(["cla_spend_per_child", "cla_spend_per_cla"])
        & r.panel.role.isin(["treated", "treated combined", "neighbours combined", "context"])
    ]
    if len(sp) and sp.value.notna().any():
        tab = sp.pivot_table(index=["outcome", "area_name"], columns="year", values="value").reset_index()
        tab["outcome"] = tab["outcome"].map(lambda k: OUTCOMES[k].label)
        tab.columns = [str(c) for c in tab.columns]
        section.table(
            "outcomes_spend",
            tab,
            decimals=0,
            caption="s251 spend on children looked after, per child aged 0-17 and per child looked after (GBP, cash terms)",
            labels={"outcome": "Measure", "area_name": "Area"},
            note="Cash terms: no price index is shipped with the project, so no inflation adjustment is made. "
            "England and regional s251 totals are published only from FY2015-16 (year 2016). The lines that "
            "make up 'children looked after' change over time (e.g. adoption and special guardianship support from "
            "2012-13): compare levels across those years with care.",
        )
        section.figure(
            "outcomes_spend",
            charts.trends(r, [o for o in ("cla_spend_per_child", "cla_spend_per_cla") if o in P["outcomes"]]),
            alt="Line charts of s251 spend on children looked after per child aged 0-17 and per child looked after, "
            "in cash terms, for the treated areas, their neighbours and England where published.",
            caption="Spend on children looked after (s251, cash terms)",
        )

    # ---- avoided cost --------------------------------------------------------------------------
    c = r.costs
    if len(c):
        cu = c[c.area_code == main_unit]
        central = cu[cu.unit_cost_label.str.startswith("central")]
        section.table(
            "outcomes_costs",
            c.drop(columns=["area_code", "unit_cost_source"]),
            caption=f"Avoided cost of care over {P['cost_years'][0]}-{P['cost_years'][1]}: (counterfactual minus actual "
            "children looked after) x weekly unit cost x 52, by method and unit cost, with the counterfactual's interval",
            labels={
                "area_name": "Area",
                "method": "Counterfactual from",
                "cost_years": "Years",
                "actual_child_years": "Children looked after (sum of 31 March counts)",
                "avoided_child_years": "Child-years avoided",
                "avoided_child_years_low": "low",
                "avoided_child_years_high": "high",
                "unit_cost_label": "Unit cost",
                "weekly_unit_cost_gbp": "GBP a week",
                "price_year": "Price year",
                "avoided_cost_gbp": "Avoided cost GBP",
                "avoided_cost_low_gbp": "low",
                "avoided_cost_high_gbp": "high",
                "programme_cost_low_gbp": "Programme cost GBP (low)",
                "programme_cost_high_gbp": "(high)",
            },
            decimals=0,
            note="Unit costs: "
            + "; ".join(
                dict.fromkeys(
                    f"{x.unit_cost_label}: {x.unit_cost_source}, price year {x.price_year}" for x in c.itertuples()
                )
            )
            + ". Each is used as published (cash of its own year): no price index is shipped. The number at 31 March "
            "stands for the average number in care through the year. A negative figure means more children in care "
            "than the counterfactual.",
        )
        if len(central):
            section.figure(
                "outcomes_costs",
                charts.costs(r, central.unit_cost_label.iloc[0]),
                alt="Chart of the avoided cost of care by method and treated unit at the central weekly unit cost, each "
                "with the interval carried from its counterfactual, beside the programme's cost.",
                caption="Avoided cost of care against the programme's cost (central unit cost)",
            )
            lo_all, hi_all = cu.avoided_cost_low_gbp.min(), cu.avoided_cost_high_gbp.max()
            section.markdown(
                f"**Cost.** At the central unit cost ({central.unit_cost_label.iloc[0]}), the avoided cost of care for "
                f"{_who(r, main_unit)} over "
                f"{P['cost_years'][0]}-{P['cost_years'][1]} is "
                + "; ".join(
                    f"{_money(section, x.avoided_cost_gbp)} by {x.method} ({_money(section, x.avoided_cost_low_gbp)} to {_money(section, x.avoided_cost_high_gbp)})"
                    for x in central.itertuples()
                )
                + f", against a programme cost of about {_money(section, P['programme_cost'][0])} to {_money(section, P['programme_cost'][-1])} "
                f"(a parameter: the grant as stated in the project brief, not checked against a published source here). "
                f"Across all methods and unit costs the range runs from {_money(section, lo_all)} to {_money(section, hi_all)}"
                + (
                    ": it includes zero, so the published figures cannot show whether the programme paid for itself through fewer children in care."
                    if lo_all < 0 < hi_all
                    else "."
                )
            )

    n_tests = int((r.estimates.method == "difference in differences vs neighbours").sum())
    section.markdown(
        "**What these comparisons can and cannot show.** They show whether the treated areas' published figures moved "
        "differently from their statistical neighbours, from England, and from what every other eligible authority did over the "
        "same years, and whether any difference had begun before the programme. They cannot show that the programme caused a "
        "difference: other changes in the same boroughs and years (local policy, housing, the courts, unaccompanied asylum-seeking "
        "children, changes of recording) would look the same in these data. With three treated areas and short yearly series, the "
        "placebo ranks are the fairest test; the interrupted time series intervals are likely too narrow, and the synthetic "
        "control rests on a few years of fit. "
        f"The section reports {n_tests} placebo p-values (outcomes x treated units): about {n_tests * UNUSUAL_P:.0f} of them would fall "
        f"below {UNUSUAL_P:.2f} by chance alone, so one small p-value for one outcome is weak evidence on its own. Rates use the pre-Census-2021 population series, in which central London's child "
        "population was later revised down sharply; levels on the revised series would be higher, but the comparison is made "
        "on one series throughout."
    )

    # ---- key findings --------------------------------------------------------------------------
    if key:
        d = _est(r, key, main_unit, "difference in differences vs neighbours")
        pt = _est(r, key, main_unit, "pre-programme trend of the gap from neighbours (per year)")
        if d is not None:
            unusual = d.p_value < UNUSUAL_P
            early = pt is not None and pt.p_value < EARLY_P
            # the placebo test among English LAs is the test; a pre-programme divergence is a check
            # pointing the other way
            strength = evidence_strength("comparison", _children(r, main_unit, ref), consistent=not early, p=d.p_value)
            section.key_finding(
                f"Real published statistics: against their statistical neighbours, {_lc(OUTCOMES[key].label)} in "
                f"{_who(r, main_unit)} changed by "
                f"{section.published(d.estimate, '{:+.1f}')} after the programme began; among every eligible English LA treated as a placebo this is "
                + ("unusual" if unusual else "ordinary")
                + f" (p = {section.published(d.p_value, '{:.2f}')})"
                + (", and the divergence had begun before the start." if early else "."),
                strength=strength,
                estimate=d.estimate,
                ci=(d.ci_low, d.ci_high),
                interval=f"{P['placebo_level']:.0%} placebo interval",
                label=OUTCOMES[key].label,
            )
    if len(c1):
        t = c1[c1.area == (names[TREATED_ID] if TREATED_ID in r.units else treated_names[0])].iloc[0]
        section.key_finding(
            f"Real published statistics: children looked after fell by {section.published(-t.change_pct)}% from {CLAIMS[0]['from_year']} to "
            f"{CLAIMS[0]['to_year']} in {t.area if not (TREATED_ID in r.units and t.area == names[TREATED_ID]) else 'the treated areas combined'}, against the "
            f"{section.published(abs(CLAIMS[0]['claimed_change_pct']), '{:.0f}')}% the boroughs later claimed (the release's own definition is not known); over the same years the change was "
            f"{section.published(nbr.change_pct, '{:+.1f}')}% in their statistical neighbours and {section.published(eng.change_pct, '{:+.1f}')}% in England."
            if t.change_pct < 0
            else f"Real published statistics: children looked after changed by {section.published(t.change_pct)}% from {CLAIMS[0]['from_year']} to "
            f"{CLAIMS[0]['to_year']} (the boroughs later claimed a {section.published(abs(CLAIMS[0]['claimed_change_pct']), '{:.0f}')}% fall).",
            # complete published counts, for a descriptive question
            strength=evidence_strength("records", t.value_from),
            estimate=t.change_pct,
            label="Change in children looked after, 2013-2017 (%)",
        )
    if len(c) and main_unit in set(c.area_code):
        cu = c[c.area_code == main_unit]
        lo_all, hi_all = cu.avoided_cost_low_gbp.min(), cu.avoided_cost_high_gbp.max()
        section.key_finding(
            f"Real published statistics: the avoided cost of care, across methods and unit costs, ranges from {_money(section, lo_all)} to "
            f"{_money(section, hi_all)} over {P['cost_years'][0]}-{P['cost_years'][1]}, against a programme cost of about "
            f"{_money(section, P['programme_cost'][0])} to {_money(section, P['programme_cost'][-1])}"
            + (
                "; the range includes zero, so whether the programme saved money cannot be told from these figures."
                if lo_all < 0 < hi_all
                else "."
            ),
            # a counterfactual from the comparison designs; the range over methods and unit costs is its interval
            strength=evidence_strength("comparison", _children(r, main_unit, ref), ci=(lo_all, hi_all)),
            label="Avoided cost of care",
        )

    # ---- appendix ------------------------------------------------------------------------------
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


def sources() -> list[dict]:
    return list(SOURCES)
