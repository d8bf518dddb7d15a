"""Sentence pieces shared by the parts of the outcomes section, written from :class:`analysis.Results`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...report_section import P_VALUE_THRESHOLD, join_words, lower_first
from .definitions import OUTCOMES, TREATED_ID, method_label

#: p-value below which the section calls a change unusual among English LAs: the cut the strength of
#: evidence uses (:data:`helpers.report_section.P_VALUE_THRESHOLD`), so "unusual" never sits beside
#: "not possible to tell".
UNUSUAL_P = P_VALUE_THRESHOLD
#: p-value of the pre-programme divergence test below which the section warns that the treated area
#: was already moving apart before the start: a warning, so a looser cut than for a finding.
EARLY_P = 0.10

_lc = lower_first
_list = join_words


@dataclass
class View:
    """What every part of the section reads: the results and the names derived from them once."""

    r: object
    P: dict
    fpy: int
    ref: int
    names: dict
    treated_names: list
    main_unit: str | None
    analysed: list
    key: str | None


def view(results) -> View:
    """The section's view of the results: the main unit (the treated areas combined when there are
    several), the outcomes analysed and the main one (children looked after)."""
    r, P = results, results.params
    analysed = [o for o in P["outcomes"] if OUTCOMES[o].analyse and o in set(r.estimates.outcome)]
    return View(
        r=r,
        P=P,
        fpy=P["first_post_year"],
        ref=P["reference_year"],
        names=r.names,
        treated_names=[r.names[str(t)] for t in r.treated],
        main_unit=TREATED_ID if TREATED_ID in r.units else (r.units[0] if r.units else None),
        analysed=analysed,
        key="cla_rate" if "cla_rate" in analysed else (analysed[0] if analysed else None),
    )


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


def _est(results, outcome, unit, method, k=None):
    """The estimate row of ``outcome`` x ``unit`` x ``method`` (a :class:`definitions.Method` key), or None."""
    e = results.estimates
    r = e[(e.outcome == outcome) & (e.area_code == unit) & (e.method == method_label(method, k))]
    return r.iloc[0] if len(r) else None
