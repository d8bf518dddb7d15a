"""Cost of placements: placement days (SSDA903) x weekly unit costs, with a low / high range.

The unit-cost table ships with the package (``data/unit_costs.csv``, documented in the data
dictionary): one row per placement group with low, central and high weekly costs, the source
(``shared/reference/methods.md``), the price year and whether it is an estimate. Only two figures
are sourced (foster care, LA children's home); every other row is a project estimate and says so.
Price years differ (2013-14 to 2016-17) and nothing is inflated: methods.md asks for one price year
but gives no deflator, so totals are indicative and the report says so.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

UNIT_COSTS_FILE = "unit_costs.csv"
GROUPS = (
    "in_house_foster_care",
    "independent_fostering_agency",
    "childrens_home",
    "secure_unit",
    "placed_with_parents",
    "other",
)
GROUP_LABELS = {
    "in_house_foster_care": "In-house foster care",
    "independent_fostering_agency": "Independent fostering agency",
    "childrens_home": "Children's home",
    "secure_unit": "Secure unit",
    "placed_with_parents": "Placed with parents",
    "other": "Other",
}
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
#: Placement providers counted as agency (private PR4, voluntary PR5) for foster placements;
#: PR1-PR3 (own LA, other LA, other public) and unknown providers count as in-house.
AGENCY_PROVIDERS = ("PR4", "PR5")
PLACE_GROUP = {
    "K2": "childrens_home",
    "K3": "childrens_home",
    "R1": "childrens_home",
    "K1": "secure_unit",
    "P1": "placed_with_parents",
}


def unit_costs() -> pd.DataFrame:
    """The shipped unit-cost table."""
    with resources.files(__package__).joinpath("data", UNIT_COSTS_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def placement_group(place: pd.Series, provider: pd.Series) -> pd.Series:
    """SSDA903 PLACE (and PLACE_PROVIDER for foster placements) -> placement group."""
    place = place.astype(object)
    grp = place.map(PLACE_GROUP).fillna("other")
    foster = place.isin(FOSTER)
    agency = provider.astype(object).isin(AGENCY_PROVIDERS)
    grp[foster & agency] = "independent_fostering_agency"
    grp[foster & ~agency] = "in_house_foster_care"
    return grp


def placement_costs(days: pd.DataFrame, costs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cost by LA, year and placement group from ``analysis.placement_days`` output: days, weeks,
    cost_low / cost_central / cost_high (GBP, mixed price years)."""
    costs = unit_costs() if costs is None else costs
    d = days.assign(placement_group=placement_group(days["PLACE"], days["PLACE_PROVIDER"]))
    g = d.groupby(["la_code", "year", "placement_group"], as_index=False)["days"].sum()
    g["weeks"] = g["days"] / 7
    g = g.merge(
        costs[
            ["placement_group", "weekly_cost_low_gbp", "weekly_cost_central_gbp", "weekly_cost_high_gbp", "estimate"]
        ],
        on="placement_group",
        how="left",
    )
    for k in ("low", "central", "high"):
        g[f"cost_{k}"] = g["weeks"] * g[f"weekly_cost_{k}_gbp"]
    return g[
        ["la_code", "year", "placement_group", "days", "weeks", "cost_low", "cost_central", "cost_high", "estimate"]
    ]


def compare_with_s251(cost: pd.DataFrame, s251: pd.DataFrame) -> pd.DataFrame:
    """Per LA and year: placement cost (low/central/high) vs published s251 CLA gross expenditure,
    with the ratio central / s251. ``s251``: la_code, year, value (GBP, cash)."""
    tot = cost.groupby(["la_code", "year"], as_index=False)[["cost_low", "cost_central", "cost_high"]].sum()
    tot["la_code"] = tot["la_code"].astype(str)
    s = s251.rename(columns={"value": "s251_cla_gross_gbp"})[["la_code", "year", "s251_cla_gross_gbp"]].copy()
    s["la_code"] = s["la_code"].astype(str)
    s["year"] = s["year"].astype(int)
    m = tot.merge(s, on=["la_code", "year"], how="left")
    m["ratio_central"] = m["cost_central"] / m["s251_cla_gross_gbp"]
    m["ratio_low"] = m["cost_low"] / m["s251_cla_gross_gbp"]
    m["ratio_high"] = m["cost_high"] / m["s251_cla_gross_gbp"]
    return m.replace([np.inf, -np.inf], np.nan)


def own_unit_costs(days: pd.DataFrame, unit_cost: pd.DataFrame) -> pd.DataFrame:
    """Placement weeks costed at the LA's own published s251 weekly unit cost of a child looked
    after (one figure for every placement type: its total CLA spend per child-week, published from
    2015-16), per LA and year: la_code, year, weeks, weekly_unit_cost_gbp, cost_gbp. Years without
    a published unit cost have a blank cost. ``unit_cost``: la_code, year, value (GBP per week)."""
    w = days.assign(la_code=days["la_code"].astype(str)).groupby(["la_code", "year"], as_index=False)["days"].sum()
    w["weeks"] = w["days"] / 7
    u = unit_cost.rename(columns={"value": "weekly_unit_cost_gbp"})[["la_code", "year", "weekly_unit_cost_gbp"]].copy()
    u["la_code"] = u["la_code"].astype(str)
    u["year"] = u["year"].astype(int)
    m = w.merge(u, on=["la_code", "year"], how="left")
    m["cost_gbp"] = m["weeks"] * m["weekly_unit_cost_gbp"]
    return m[["la_code", "year", "weeks", "weekly_unit_cost_gbp", "cost_gbp"]]
