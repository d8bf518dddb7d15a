"""The avoided cost of care: (counterfactual - actual children looked after) x weekly unit cost x 52,
per counterfactual method, over the cost years, with the interval carried from the counterfactual."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .definitions import DEFAULT_UNIT_COSTS, TREATED_ID, Method, method_label
from .outputs import COSTS

#: Each cost method: the estimate row of its mean gap over the cost years, and its counterfactual.
COST_METHODS = (
    (Method.DID_COST, Method.CF_DID),
    (Method.SC_COST, Method.CF_SC),
    (Method.ITS_COST, Method.CF_ITS_NEIGHBOURS),
)

COST_COLUMNS = COSTS.column_names


def avoided_costs(
    estimates, series, values, units, tcodes, cost_years, unit_costs, programme_cost, names
) -> pd.DataFrame:
    """Avoided cost = (counterfactual - actual children looked after) x weekly unit cost x 52, per
    method, over the cost years, for the treated unit(s): central estimate and the interval carried
    from the counterfactual: the placebo interval of each method's mean gap over the cost years (DiD,
    synthetic control and the interrupted time series against the neighbours alike; the ITS's own OLS
    interval, from a handful of autocorrelated yearly points, covered the truth in only 69% of
    placebo-in-real-data runs, see ``benchmarks/calibration.py``)."""
    unit_costs = list(unit_costs or DEFAULT_UNIT_COSTS)
    rows = []
    if "cla_at_31_march_number" not in values or "population" not in values:
        units = []  # children looked after not among the outcomes: nothing to cost
    cy = range(cost_years[0], cost_years[1] + 1)
    pop = values["population"]
    for u in units:
        codes = tcodes if u == TREATED_ID else [u]
        pops = [sum(pop.get((c, y), np.nan) for c in codes) for y in cy]
        if any(np.isnan(pops)):
            continue
        child_years_per_rate = float(np.sum(pops)) / 1e4  # one unit of rate over the cost years -> child-years
        actual = [sum(values["cla_at_31_march_number"].get((c, y), np.nan) for c in codes) for y in cy]
        own_costs = _own_unit_costs(values, codes, cost_years)
        e = estimates[(estimates.outcome == "cla_rate") & (estimates.area_code == u)]
        for gap_key, counterfactual in COST_METHODS:
            r = e[e.method == method_label(gap_key)]
            if not len(r):
                continue
            r = r.iloc[0]
            # a negative gap (fewer in care than the counterfactual) is children not in care
            cy_central = -r.estimate * child_years_per_rate
            cy_low, cy_high = -r.ci_high * child_years_per_rate, -r.ci_low * child_years_per_rate
            rows += _cost_rows(
                u,
                names,
                method_label(counterfactual),
                cy_central,
                cy_low,
                cy_high,
                float(np.nansum(actual)),
                unit_costs + own_costs,
                programme_cost,
                cost_years,
            )
    return pd.DataFrame(rows, columns=COST_COLUMNS)


def _own_unit_costs(values, codes, cost_years) -> list[dict]:
    """The areas' own s251 weekly unit cost per child looked after, in the first cost year with one
    (FY2015-16 is the first in the files), CLA-weighted across several areas."""
    if "s251_cla_weekly_unit_cost_gbp" not in values:
        return []
    w = values["s251_cla_weekly_unit_cost_gbp"]
    for y in range(cost_years[0], cost_years[1] + 2):
        v = [w.get((c, y), np.nan) for c in codes]
        n = [
            values["cla_at_31_march_number"].get((c, y), np.nan) if "cla_at_31_march_number" in values else 1
            for c in codes
        ]
        if not np.any(np.isnan(v)) and not np.any(np.isnan(n)):
            cost = float(np.average(v, weights=n))
            fy = f"{y - 1}-{str(y)[2:]}"
            return [
                {
                    "label": "the area's own s251 weekly unit cost",
                    "weekly_gbp": cost,
                    "price_year": f"FY{fy} (cash)",
                    "source": f"DfE s251 outturn via LAIT, weekly unit cost per child looked after, FY{fy}"
                    + (" (CLA-weighted mean of the areas)" if len(codes) > 1 else ""),
                }
            ]
    return []


def _cost_rows(u, names, method, cy_central, cy_low, cy_high, actual, unit_costs, programme_cost, cost_years):
    rows = []
    for uc in unit_costs:
        wk = float(uc["weekly_gbp"])
        rows.append(
            (
                u,
                names.get(u, u),
                method,
                f"{cost_years[0]}-{cost_years[1]}",
                actual,
                cy_central,
                cy_low,
                cy_high,
                uc["label"],
                wk,
                uc.get("price_year", ""),
                uc.get("source", ""),
                cy_central * wk * 52,
                cy_low * wk * 52,
                cy_high * wk * 52,
                float(programme_cost[0]),
                float(programme_cost[-1]),
            )
        )
    return rows
