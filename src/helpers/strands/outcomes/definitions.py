"""What the outcomes strand measures and compares: the outcomes, the treated and comparison units,
the boroughs' claims, the unit costs, the names of the methods, and the checks on the parameters.

Declarations only (no computation beyond parsing a parameter): every other module of the strand
reads its vocabulary from here, so a key is spelt once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TREATED_ID = "treated"
#: DfE numbers of the three Focus on Practice boroughs (Westminster, Hammersmith and Fulham,
#: Kensington and Chelsea): never comparators, since they had the programme.
PROGRAMME_LAS = (213, 205, 207)
NEIGHBOURS_ID = "neighbours"


@dataclass(frozen=True)
class Outcome:
    """One outcome: a numerator over a denominator (or a plain count)."""

    key: str
    label: str
    numerator: str
    denominator: str | None  # "population" (0-17, mid-(t-1)), another measure, or None for a count
    scale: float
    unit: str
    analyse: bool = True  # run the comparative estimators (rates and percentages only)
    lower_is_better: bool = True
    cost: bool = False


PER_10K = "per 10,000 children aged 0-17"

OUTCOMES: dict[str, Outcome] = {
    o.key: o
    for o in (
        Outcome(
            "cla_rate",
            "Children looked after at 31 March, per 10,000 children",
            "cla_at_31_march_number",
            "population",
            1e4,
            PER_10K,
        ),
        Outcome(
            "cla_number",
            "Children looked after at 31 March (number)",
            "cla_at_31_march_number",
            None,
            1,
            "children",
            analyse=False,
        ),
        Outcome(
            "cin_referral_rate",
            "Referrals to children's social care, per 10,000 children",
            "cin_referrals_number",
            "population",
            1e4,
            PER_10K,
        ),
        Outcome(
            "rereferral_pct",
            "Re-referrals within 12 months (% of referrals)",
            "cin_rereferrals_within_12m_number",
            "cin_referrals_number",
            100,
            "% of referrals",
        ),
        Outcome(
            "cpp_rate",
            "Children on a child protection plan at 31 March, per 10,000 children",
            "cpp_at_31_march_number",
            "population",
            1e4,
            PER_10K,
        ),
        Outcome(
            "cpp_second_pct",
            "Second or subsequent child protection plans (% of plans starting)",
            "cpp_second_or_subsequent_number",
            "cpp_starts_number",
            100,
            "% of plans starting in year",
        ),
        Outcome(
            "cla_starts_rate",
            "Children starting to be looked after in the year, per 10,000 children",
            "cla_started_during_year_number",
            "population",
            1e4,
            PER_10K,
        ),
        Outcome(
            "cla_spend_per_child",
            "s251 spend on children looked after per child aged 0-17 (GBP, cash)",
            "s251_cla_gross_expenditure_gbp",
            "population",
            1,
            "GBP per child aged 0-17, cash",
        ),
        Outcome(
            "cla_spend_per_cla",
            "s251 spend on children looked after per child looked after at 31 March (GBP, cash)",
            "s251_cla_gross_expenditure_gbp",
            "cla_at_31_march_number",
            1,
            "GBP per child looked after, cash",
            cost=True,
        ),
    )
}
DEFAULT_OUTCOMES = tuple(OUTCOMES)

#: Context series (GSS codes): England, London, Inner London.
CONTEXT = {"E92000001": "England", "E12000007": "London", "E13000001": "Inner London"}


class Method:
    """Keys of the estimate rows and counterfactuals. Code looks rows up by these keys; the label a
    reader sees (the ``method`` column of the tables) is declared once, in :data:`METHOD_LABELS`."""

    DID = "did"
    DID_COST = "did_cost"
    PRE_TREND = "pre_trend"
    ITS_COST = "its_cost"
    SC_GAP = "sc_gap"
    SC_COST = "sc_cost"
    SC_RATIO = "sc_ratio"
    MEAN_OF_K = "mean_of_k"
    # counterfactual series (and the methods of the avoided cost)
    CF_DID = "cf_did"
    CF_ITS_NEIGHBOURS = "cf_its_neighbours"
    CF_ITS_ALONE = "cf_its_alone"
    CF_SC = "cf_sc"


#: Terms of the interrupted time series, in the order they are reported.
ITS_TERMS = ("level_change", "slope_change", "pre_slope")


def its_method(against_neighbours: bool, term: str) -> str:
    """Key of one interrupted-time-series term, on the gap from the neighbours or on the series alone."""
    return f"its_{'neighbours' if against_neighbours else 'alone'}_{term}"


METHOD_LABELS = {
    Method.DID: "difference in differences vs neighbours",
    Method.DID_COST: "difference in differences vs neighbours, cost years",
    Method.PRE_TREND: "pre-programme trend of the gap from neighbours (per year)",
    Method.ITS_COST: "interrupted time series vs neighbours, cost years",
    Method.SC_GAP: "synthetic control: mean post-programme gap",
    Method.SC_COST: "synthetic control, cost years",
    Method.SC_RATIO: "synthetic control: post/pre RMSPE ratio",
    Method.MEAN_OF_K: "mean of the {k} treated LAs' DiD estimates",
    Method.CF_DID: "difference in differences",
    Method.CF_ITS_NEIGHBOURS: "interrupted time series vs neighbours",
    Method.CF_ITS_ALONE: "interrupted time series alone",
    Method.CF_SC: "synthetic control",
    **{
        its_method(against, term): f"interrupted time series {'vs neighbours' if against else 'alone'}: "
        f"{term.replace('_', ' ')}"
        for against in (True, False)
        for term in ITS_TERMS
    },
}


def method_label(key: str, k: int | None = None) -> str:
    """The label of a method key as the tables print it (``k``: the number of treated LAs, for the
    mean of their estimates)."""
    return METHOD_LABELS[key].format(k=k)


class Statistic:
    """Labels of the placebo distributions (``statistic`` column of the placebo table)."""

    DID = "difference in differences"
    SC_RATIO = "synthetic control post/pre RMSPE ratio"
    MEAN_OF_K = "mean of {k} placebo DiD estimates (quantiles)"


#: Claims the boroughs published later (programme.md: a November 2017 council release). Quoted,
#: not evidence: the section recomputes them from the published figures.
CLAIMS = (
    {
        "claim": "22% drop in looked-after children 2013-2017",
        "claimed_change_pct": -22.0,
        "measure": "cla_at_31_march_number",
        "from_year": 2013,
        "to_year": 2017,
    },
    {
        "claim": "8.6% drop in children taken into care since 2013",
        "claimed_change_pct": -8.6,
        "measure": "cla_started_during_year_number",
        "from_year": 2013,
        "to_year": 2017,
    },
)

#: Weekly unit costs of a child looked after (methods.md). Each labelled with its source and price
#: year; no price index is shipped, so they are used as published (cash of their own year).
DEFAULT_UNIT_COSTS = (
    {
        "label": "low: foster care (DfE written answer)",
        "weekly_gbp": 600.0,
        "price_year": "c. 2015-16 (LA data to March 2016)",
        "source": "DfE written answer (c. 2016): foster care about GBP 600 per child per week (methods.md)",
    },
    {
        "label": "central: foster care (PSSRU 2017)",
        "weekly_gbp": 646.0,
        "price_year": "2016-17",
        "source": "PSSRU Unit Costs of Health and Social Care 2017: foster care GBP 646 per child per week (methods.md)",
    },
    {
        "label": "high: children's home (DfE written answer)",
        "weekly_gbp": 3000.0,
        "price_year": "c. 2015-16 (LA data to March 2016)",
        "source": "DfE written answer (c. 2016): LA children's home about GBP 3,000 per resident week (methods.md)",
    },
)


def treated_for(borough: str, treated) -> list:
    """The treated areas for a run scope: with a one-borough scope and the default three boroughs,
    that borough alone (its own report); otherwise ``treated`` as given."""
    from ... import config

    slug = config.normalise_borough(borough)
    if (
        slug != config.ALL_BOROUGHS
        and isinstance(treated, (list, tuple))
        and sorted(int(t) for t in treated if str(t).isdigit()) == sorted(PROGRAMME_LAS)
    ):
        return [config.BOROUGHS[slug][2]]
    return treated


def check_parameters(unit_costs, programme_cost, cost_years, neighbour_list, placebo_level) -> None:
    """Clear errors for malformed parameters (the notebook's parameters cell)."""
    if str(neighbour_list) not in ("2021", "2025"):
        raise ValueError(f"neighbour_list must be '2021' or '2025', not {neighbour_list!r}")
    if len(programme_cost) not in (1, 2) or any(float(x) < 0 for x in programme_cost):
        raise ValueError(f"programme_cost must be [low, high] in GBP, not {programme_cost!r}")
    if len(cost_years) != 2 or int(cost_years[0]) > int(cost_years[1]):
        raise ValueError(f"cost_years must be [first, last], not {cost_years!r}")
    if not 0.5 <= float(placebo_level) < 1:
        raise ValueError(f"placebo_level must be between 0.5 and 1, not {placebo_level!r}")
    for uc in unit_costs or ():
        missing = {"label", "weekly_gbp", "price_year", "source"} - set(uc)
        if missing:
            raise ValueError(
                f"each unit cost needs label, weekly_gbp, price_year and source; {uc!r} lacks {sorted(missing)}"
            )
        if float(uc["weekly_gbp"]) <= 0:
            raise ValueError(f"unit cost {uc['label']!r}: weekly_gbp must be positive")


def first_post_year(programme_start: str) -> int:
    """The first year (31 March convention) whose figure is dated after the programme start.

    ``"2014-07"`` -> 2015: the figure at 31 March 2015 is the first after a July 2014 start; a start
    on or before 31 March t makes t itself the first post year.
    """
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?\s*", str(programme_start))
    if not m:
        raise ValueError(f"programme_start must look like 2014-07 or 2014-07-01, not {programme_start!r}")
    year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"programme_start month out of range: {programme_start!r}")
    return year if (month, day) <= (3, 31) else year + 1
