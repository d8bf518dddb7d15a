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


#: The two vintages of a count: the preferred file's (latest revision of each year) and the counts
#: as first published (:func:`helpers.public_data.first_published`).
PREFERRED = "preferred"
FIRST_PUBLISHED = "first published"
VINTAGE_WORDS = {PREFERRED: "latest revision", FIRST_PUBLISHED: "as first published"}


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
    #: where the numerator comes from: the preferred file (latest revision of each year) or the
    #: counts as first published (:func:`helpers.public_data.first_published`, one vintage throughout)
    source: str = PREFERRED
    #: every estimator (True), or, for a check on another outcome, the difference in differences
    #: against the neighbours and the change against every LA only
    full_design: bool = True

    @property
    def column(self) -> str:
        """The numerator's column in the panel's values (the first-published counts apart)."""
        return self.numerator if self.source == PREFERRED else f"{self.numerator} ({FIRST_PUBLISHED})"

    @property
    def per_population(self) -> bool:
        """A rate per child in the population (so its denominator is the mid-year population)."""
        return self.denominator == "population"


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
            "cla_taken_rate",
            "Children taken into care in the year, per 10,000 children",
            "cla_taken_into_care_during_year_number",
            "population",
            1e4,
            PER_10K,
        ),
        Outcome(
            "cla_starts_first_published_rate",
            "Children starting to be looked after in the year, per 10,000 children, as first published",
            "cla_started_during_year_number",
            "population",
            1e4,
            PER_10K,
            source=FIRST_PUBLISHED,
            full_design=False,
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

#: Each outcome in a sentence ("{noun} fell from ... to ...").
NOUNS = {
    "cla_rate": "the rate of children looked after",
    "cla_number": "the number of children looked after",
    "cin_referral_rate": "the rate of referrals",
    "rereferral_pct": "the share of referrals that were re-referrals within 12 months",
    "cpp_rate": "the rate of children on child protection plans",
    "cpp_second_pct": "the share of child protection plans that were second or later plans",
    "cla_starts_rate": "the rate of children starting to be looked after",
    "cla_taken_rate": "the rate of children taken into care",
    "cla_starts_first_published_rate": "the rate of children starting to be looked after (as first published)",
    "cla_spend_per_child": "spend on children looked after per child aged 0-17",
    "cla_spend_per_cla": "spend per child looked after",
}
#: Each outcome's short name, for headings and the summary.
SHORT = {
    "cla_rate": "Children looked after",
    "cla_number": "Children looked after",
    "cin_referral_rate": "Referrals",
    "rereferral_pct": "Re-referrals within 12 months",
    "cpp_rate": "Children on child protection plans",
    "cpp_second_pct": "Second or later child protection plans",
    "cla_starts_rate": "Children starting care",
    "cla_taken_rate": "Children taken into care",
    "cla_starts_first_published_rate": "Children starting care (as first published)",
    "cla_spend_per_child": "Spend on children looked after per child",
    "cla_spend_per_cla": "Spend per child looked after",
}
#: The report's answer topics (helpers.evidence.TOPICS) of the outcomes that answer one.
TOPIC_OF = {
    "cla_rate": "children_in_care",
    "cla_starts_rate": "flow_into_care",
    "cpp_rate": "child_protection",
    "rereferral_pct": "re_referrals",
}

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
    MEAN_OF_K_CHANGE = "mean_of_k_change"
    MEAN_OF_K_CHANGE_REBASED = "mean_of_k_change_rebased"
    CHANGE = "change"
    DID_REBASED = "did_rebased"
    CHANGE_REBASED = "change_rebased"
    # counterfactual series (and the methods of the avoided cost)
    CF_DID = "cf_did"
    CF_ITS_NEIGHBOURS = "cf_its_neighbours"
    CF_ITS_ALONE = "cf_its_alone"
    CF_SC = "cf_sc"


#: Terms of the interrupted time series, in the order they are reported.
ITS_TERMS = ("level_change", "slope_change", "pre_slope", "post_slope")


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
    Method.MEAN_OF_K_CHANGE: "mean of the {k} treated LAs' changes after minus before, against every set of {k} eligible LAs",
    Method.MEAN_OF_K_CHANGE_REBASED: "mean of the {k} treated LAs' changes after minus before, against every set of {k} "
    "eligible LAs, from {year} (rebased populations only)",
    Method.CHANGE: "change after minus before, against every eligible LA",
    Method.DID_REBASED: "difference in differences vs neighbours, from {year} (rebased populations only)",
    Method.CHANGE_REBASED: "change after minus before, against every eligible LA, from {year} (rebased populations only)",
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


def method_label(key: str, k: int | None = None, year: int | None = None) -> str:
    """The label of a method key as the tables print it (``k``: the number of treated LAs, for the
    mean of their estimates; ``year``: the first year of a check that leaves earlier years out)."""
    return METHOD_LABELS[key].format(k=k, year=year)


class Statistic:
    """Labels of the placebo distributions (``statistic`` column of the placebo table)."""

    DID = "difference in differences"
    SC_RATIO = "synthetic control post/pre RMSPE ratio"
    MEAN_OF_K = "mean of {k} placebo DiD estimates (quantiles)"


CLA_NUMBER = "cla_at_31_march_number"
STARTED = "cla_started_during_year_number"
TAKEN = "cla_taken_into_care_during_year_number"
#: What each published count is, in words (claims table, prose).
MEASURE_WORDS = {
    CLA_NUMBER: "children looked after at 31 March",
    STARTED: "children who started to be looked after in the year",
    TAKEN: "children taken into care in the year",
}


@dataclass(frozen=True)
class ClaimCheck:
    """One reading of a claim: a published count from one year to another, on one vintage."""

    measure: str
    from_year: int
    to_year: int
    vintage: str
    note: str = ""


@dataclass(frozen=True)
class Claim:
    """A figure the boroughs published (programme.md), with every reading of it the published counts allow."""

    key: str
    claim: str
    claimed_change_pct: float
    topic: str
    checks: tuple


#: The boroughs' claims (a November 2017 council release) and the March 2015 bid's aim (programme.md).
#: Quoted, not evidence: the section recomputes each from the published counts. The 8.6% claim is read
#: on both flows into care and every end year it could mean, on the first-published counts (one
#: vintage: the preferred file switches to revised counts in 2015); the change in children looked
#: after over the year before the programme is shown beside it as a published fact.
CLAIMS = (
    Claim(
        "cla_2013_2017",
        "22% drop in looked-after children 2013-2017",
        -22.0,
        "claims",
        (ClaimCheck(CLA_NUMBER, 2013, 2017, PREFERRED), ClaimCheck(CLA_NUMBER, 2013, 2017, FIRST_PUBLISHED)),
    ),
    Claim(
        "taken_since_2013",
        "8.6% drop in children taken into care since 2013",
        -8.6,
        "claims",
        tuple(ClaimCheck(m, 2013, end, FIRST_PUBLISHED) for m in (STARTED, TAKEN) for end in (2014, 2015, 2016, 2017))
        + tuple(
            ClaimCheck(CLA_NUMBER, 2013, 2014, v, note="not the measure the claim names; the year before the programme")
            for v in (PREFERRED, FIRST_PUBLISHED)
        ),
    ),
    Claim(
        "bid_target",
        "20% fewer looked-after children over three years (the March 2015 bid's aim)",
        -20.0,
        "bid_target",
        (
            ClaimCheck(
                CLA_NUMBER,
                2014,
                2017,
                PREFERRED,
                note="the programme's first three years, from the last count before the July 2014 start",
            ),
            ClaimCheck(CLA_NUMBER, 2015, 2018, PREFERRED, note="three years from the date of the bid, March 2015"),
        ),
    ),
)

#: Weekly unit costs of a child looked after (methods.md). Each labelled with its source and price
#: year; no price index is shipped, so they are used as published (cash of their own year).
DEFAULT_UNIT_COSTS = (
    {
        "label": "low: foster care (DfE written answer)",
        "weekly_gbp": 600.0,
        "price_year": "about 2015-16 (LA data to March 2016)",
        "source": "DfE written answer (about 2016): foster care about GBP 600 per child per week (methods.md)",
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
        "price_year": "about 2015-16 (LA data to March 2016)",
        "source": "DfE written answer (about 2016): LA children's home about GBP 3,000 per resident week (methods.md)",
    },
)


def treated_for(borough: str, treated, la=None) -> list:
    """The treated areas for a run scope: an authority's own report (``la``, a DfE LA number) treats
    that authority against its own neighbours; with a one-borough scope and the default three
    boroughs, that borough alone (its own report); otherwise ``treated`` as given."""
    from ... import config

    if la not in (None, ""):
        return [la]
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
