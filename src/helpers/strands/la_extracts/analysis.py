"""Everything the LA-extracts section shows, from the tidy tables the readers produce and the
published figures: derived indicators (:mod:`.indicators`), their reconciliation, children's
pathways (:mod:`.pathways`) and placement costs (:mod:`.costs`), each for the years the returns
read cover (:class:`Coverage`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .costs import compare_with_s251, own_unit_costs, placement_costs
from .indicators import (
    derive_indicators,
    keep_covered,
    longitudinal_cpp,
    longitudinal_episodes,
    longitudinal_referrals,
    placement_days,
    reconcile,
)
from .pathways import combined_difference, km_cumulative_incidence, pathway_rates, referral_cohorts

S251_SPEND = "s251_cla_gross_expenditure_gbp"
S251_UNIT_COST = "s251_cla_weekly_unit_cost_gbp"


@dataclass(frozen=True)
class Coverage:
    """The years the returns used cover: (la_code, year) pairs with an SSDA903 return and with a CIN
    return, and the optional bounds ``first_year`` / ``last_year`` (None: every year covered).

    ``first_year`` also starts the pathway cohorts: referrals from 1 April of the year before it.
    Without it they start with the first year both returns cover (the CIN return alone when no
    episodes are read); before the first CIN return, the referrals in the data are only the history
    later returns carry (:attr:`history_before`)."""

    ssda903: frozenset = frozenset()
    cin: frozenset = frozenset()
    first_year: int | None = None
    last_year: int | None = None

    @classmethod
    def of(cls, years: dict, first_year=None, last_year=None) -> Coverage:
        """From :attr:`.inputs.Extracts.years` ({"SSDA903" | "CIN census": {(la, year)}})."""
        pairs = {k: frozenset((str(la), int(y)) for la, y in v) for k, v in years.items()}
        return cls(pairs.get("SSDA903", frozenset()), pairs.get("CIN census", frozenset()), first_year, last_year)

    def _within(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )

    @property
    def years(self) -> list[int]:
        return sorted({y for _, y in self.ssda903 | self.cin if self._within(y)})

    def pathway_window(self, with_episodes: bool) -> tuple[int, pd.Timestamp] | None:
        """(first year of referrals, end of follow-up): the follow-up ends on 31 March of the last
        year the CIN returns (and, when episodes are read, the SSDA903 returns) cover."""
        cin = [y for _, y in self.cin if self._within(y)]
        if not cin:
            return None
        last = max(cin)
        s903 = [y for _, y in self.ssda903 if self._within(y)]
        if with_episodes and s903:
            last = min(last, max(s903))
        first = min(y for _, y in self.cin)
        if with_episodes and self.ssda903:
            first = max(first, min(y for _, y in self.ssda903))
        return (self.first_year or first), pd.Timestamp(last, 3, 31)

    @property
    def history_before(self) -> int | None:
        """The first CIN return's year when the cohorts start earlier (their referrals then come
        only from the history later returns carry: children still in need in a later year)."""
        first_return = min((y for _, y in self.cin), default=None)
        if first_return is None or self.first_year is None or self.first_year >= first_return:
            return None
        return first_return


def _costs(eps, years, coverage: Coverage, published: pd.DataFrame) -> dict:
    days = keep_covered(placement_days(eps, years), coverage.ssda903, coverage.cin)
    pc = placement_costs(days)
    out = {"placement_days": days, "placement_costs": pc}
    out["cost_vs_s251"] = compare_with_s251(pc, published[published["measure"] == S251_SPEND])
    out["own_unit_costs"] = own_unit_costs(days, published[published["measure"] == S251_UNIT_COST])
    return out


def _pathways(ref, cpp, eps, programme_start, window) -> dict:
    cohort = referral_cohorts(ref, cpp, eps, programme_start, window[0], window[1])
    out = {"cohort": cohort, "pathway_window": window}
    out["pathway_rates"], out["pathway_diffs"] = pathway_rates(cohort)
    out["pathway_combined"] = combined_difference(out["pathway_rates"])
    out["km_care"] = km_cumulative_incidence(cohort, "care_12m")
    out["km_cpp"] = km_cumulative_incidence(cohort, "cpp_12m")
    return out


def analyse(
    tables: dict[str, pd.DataFrame],
    published: pd.DataFrame,
    coverage: Coverage,
    programme_start,
    rereferral_tolerance_pp: float = 0.0,
) -> dict:
    """Everything the LA-extracts section shows, from tidy tables and published figures, for the
    years ``coverage`` says the returns cover."""
    years = coverage.years
    eps = longitudinal_episodes(tables["episodes"]) if len(tables.get("episodes", [])) else None
    ref = longitudinal_referrals(tables["cin_referrals"]) if len(tables.get("cin_referrals", [])) else None
    cpp = longitudinal_cpp(tables["cin_cpp"]) if len(tables.get("cin_cpp", [])) else None
    ind = keep_covered(derive_indicators(tables, years), coverage.ssda903, coverage.cin)
    out = {"indicators": ind, "years": years, "coverage": coverage}
    pub = published[~published["measure"].isin([S251_SPEND, S251_UNIT_COST])]
    out["reconciliation"] = reconcile(ind, pub, {"cin_rereferrals_within_12m_pct": rereferral_tolerance_pp})
    if eps is not None and years:
        out.update(_costs(eps, years, coverage, published))
    window = coverage.pathway_window(eps is not None)
    if ref is not None and window is not None:
        out.update(_pathways(ref, cpp, eps, programme_start, window))
    return out
