"""Spend on children looked after and the avoided cost of care in the outcomes section."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ...disclosure import published, things
from ...formatting import plural
from ...report_section import join_words
from . import charts
from .definitions import OUTCOMES, PROGRAMME_LAS, Method
from .panel import spend_table
from .prose import View, change, each_place, estimate, fmt, millions, money, outside_programme, who


def spend(section, v: View) -> None:
    """Spend on children looked after (s251)."""
    r, P = v.r, v.P
    tab = spend_table(r.panel, r.units)
    if len(tab):
        tab["outcome"] = tab["outcome"].map(lambda k: OUTCOMES[k].label)
        tab.columns = [str(c) for c in tab.columns]
        section.table(
            "outcomes_spend",
            tab,
            appendix=True,
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
            appendix=True,
        )


def central_rows(v: View, unit=None) -> pd.DataFrame:
    """The avoided cost of ``unit`` (default: the main unit) at the central unit cost, one row per method."""
    c = v.r.costs
    return c[(c.area_code == (unit or v.main_unit)) & c.unit_cost_label.str.startswith("central")]


def against_programme_cost(v: View) -> bool:
    """The programme's cost was for the three boroughs together: it is set against the avoided cost of
    those boroughs combined only, never against one borough's or another authority's."""
    return set(PROGRAMME_LAS) <= set(v.r.treated)


def cost_sentence(v: View) -> str:
    """The cost of care the programme could be credited with, by method with its interval, against the
    programme cost, and whether any central estimate reaches it (millions of pounds throughout)."""
    central = central_rows(v)
    if not len(central):
        return ""
    low, high = v.P["programme_cost"][0], v.P["programme_cost"][-1]
    first = central.iloc[0]
    methods = [
        f"{millions(x.avoided_cost_gbp)} by {x.method} ({'95% interval ' if i == 0 else ''}"
        f"{millions(x.avoided_cost_low_gbp)} to {millions(x.avoided_cost_high_gbp)})"
        for i, x in enumerate(central.itertuples())
    ]
    recovers = central.avoided_cost_gbp >= low
    spans = (central.avoided_cost_low_gbp < 0) & (central.avoided_cost_high_gbp > 0)
    cost = f"{millions(low)} to {millions(high)}"
    verdict = (
        f"No method's central estimate reaches the programme's cost of {cost}"
        if not recovers.any()
        else f"{plural(int(recovers.sum()), 'method')} reach the programme's cost of {cost} at their central estimate"
    )
    if spans.all():
        verdict += ", and every interval runs from a net cost to a saving"
    worth = (
        f"Priced at {money(first.weekly_unit_cost_gbp)} a week per child in care (the central unit cost), the children the comparators suggest would have been in care "
        f"over {first.cost_years}, less those who were, come to {join_words(methods)} for {who(v, v.main_unit)}"
    )
    if outside_programme(v):
        return (
            f"{worth}: the price of the difference from the comparators after the boroughs' programme began, not "
            f"evidence that anything saved it. {join_words(v.treated_names)} did not run the programme, so no "
            "programme cost is set against this figure."
        )
    worth += ": a cost the programme could be credited with, not evidence that it saved it."
    if not against_programme_cost(v):
        return worth + (
            " The programme's cost was for the three Focus on Practice boroughs together, so it is not set against "
            "this figure."
        )
    return f"{worth} {verdict}."


def window_sentence(v: View) -> str:
    """Why the cost's years differ from the headline comparison's, with both estimates."""
    cy, lvl = v.P["cost_years"], v.P["last_year"]
    whole = estimate(v.r, "cla_rate", v.main_unit, Method.DID)
    part = estimate(v.r, "cla_rate", v.main_unit, Method.DID_COST)
    if whole is None or part is None:
        return ""
    return (
        f"The cost counts {cy[0]}-{cy[1]}, the first three years after the start: over those years the difference "
        f"from the neighbours was {change('cla_rate', part.estimate)} ({change('cla_rate', whole.estimate)} over "
        f"{v.fpy}-{lvl}); "
        + (
            "the appendix table uses the same years."
            if len(v.treated_names) == 1
            else f"{each_place(v)} uses the same years in the appendix table."
        )
    )


def avoided_cost(section, v: View) -> None:
    """The cost of care against the comparators and the programme cost: central estimates first, the
    outer range of unit costs as a sensitivity (appendix), the chart for the boroughs combined only."""
    c = v.r.costs
    central = central_rows(v)
    if not len(c) or not len(central):
        return
    cu = c[c.area_code == v.main_unit]
    lo_all, hi_all = cu.avoided_cost_low_gbp.min(), cu.avoided_cost_high_gbp.max()
    labels = list(dict.fromkeys(cu.unit_cost_label))
    against = against_programme_cost(v)
    cost = f"{millions(v.P['programme_cost'][0])} to {millions(v.P['programme_cost'][-1])}"
    section.markdown(
        f"# Cost of care against the comparators: {_central_range(central)}"
        + (f", against a programme cost of {cost}" if against else "")
        + "\n\n"
        + cost_sentence(v)
        + " "
        + window_sentence(v)
    )
    if against:
        _cost_chart(section, v, cu, central)
    section.markdown(
        f"Sensitivity: across the three methods and the {fmt(len(labels), 'count')} unit costs (from "
        f"{_cheapest(cu)} to {_dearest(cu)} a week), the intervals run from {millions(lo_all)} to {millions(hi_all)}; "
        "most of that width comes from pricing every child-year at the dearest rate.",
        appendix=True,
    )
    _cost_table(section, v)


def _cost_chart(section, v: View, cu, central) -> None:
    """The avoided cost of the boroughs combined by method beside the programme's cost."""
    section.figure(
        "outcomes_costs",
        charts.costs(replace(v.r, costs=cu), central.unit_cost_label.iloc[0]),
        alt=f"Chart of the cost of care against the comparators for {who(v, v.main_unit)} by method at the central "
        "weekly unit cost, each with its 95% interval, beside the programme's cost.",
        caption=f"Cost of care against the comparators for {who(v, v.main_unit)}, beside the programme's cost "
        "(central unit cost)",
    )


def _central_range(central) -> str:
    lo, hi = central.avoided_cost_gbp.min(), central.avoided_cost_gbp.max()
    return f"{millions(lo)} to {millions(hi)} by method" if millions(lo) != millions(hi) else millions(lo)


def _cheapest(cu) -> str:
    return money(cu.weekly_unit_cost_gbp.min())


def _dearest(cu) -> str:
    return money(cu.weekly_unit_cost_gbp.max())


def _cost_table(section, v: View) -> None:
    """Every unit, method and unit cost (technical appendix)."""
    c = v.r.costs
    section.table(
        "outcomes_costs",
        c.drop(columns=["area_code", "unit_cost_source"]),
        appendix=True,
        caption=f"Cost of care against the comparators over {v.P['cost_years'][0]}-{v.P['cost_years'][1]}: (counterfactual minus "
        "actual children looked after) x weekly unit cost x 52, by area, method and unit cost, with the "
        "counterfactual's 95% interval",
        counts={
            "actual_child_years": published("child-years looked after (sum of DfE 31 March counts)"),
            "programme_cost_low_gbp": things("pounds"),
            "programme_cost_high_gbp": things("pounds"),
        },
        labels={
            "area_name": "Area",
            "method": "Counterfactual from",
            "cost_years": "Years",
            "actual_child_years": "Children looked after (sum of 31 March counts)",
            "avoided_child_years": "Child-years fewer than the counterfactual",
            "avoided_child_years_low": "low",
            "avoided_child_years_high": "high",
            "unit_cost_label": "Unit cost",
            "weekly_unit_cost_gbp": "£ a week",
            "price_year": "Price year",
            "avoided_cost_gbp": "Cost difference £",
            "avoided_cost_low_gbp": "low",
            "avoided_cost_high_gbp": "high",
            "programme_cost_low_gbp": "Programme cost £ (low)",
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
        "stands for the average number in care through the year. A negative figure means more children in care than "
        "the counterfactual. "
        + (
            f"{join_words(v.treated_names)} did not run the programme; no programme cost is set against "
            f"{'its' if len(v.treated_names) == 1 else 'their'} figures."
            if outside_programme(v)
            else "The programme's cost is for the three boroughs together; no borough's figure is set against it."
        ),
    )
