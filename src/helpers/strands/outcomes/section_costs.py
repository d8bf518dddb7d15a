"""Spend on children looked after and the avoided cost of care in the outcomes section."""

from __future__ import annotations

from . import charts
from .definitions import (
    OUTCOMES,
)
from .panel import spend_table
from .prose import _money, _who


def spend(section, v):
    """Spend on children looked after (s251)."""
    r, P = v.r, v.P
    tab = spend_table(r.panel, r.units)
    if len(tab):
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


def avoided_cost(section, v):
    """The avoided cost of care against the programme cost."""
    r, P, main_unit = v.r, v.P, v.main_unit
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
