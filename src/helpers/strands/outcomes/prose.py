"""Pieces every part of the outcomes section writes with: the section's view of the results, numbers
in their outcome's unit (through the one formatter), the shared wording of p-values and intervals,
and the hand-over of a key finding to the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import evidence
from ...formatting import fmt
from ...report_section import join_words, lower_first
from .definitions import NEIGHBOURS_ID, OUTCOMES, PROGRAMME_LAS, TREATED_ID, method_label

_lc = lower_first
_list = join_words


# ---- the shared wording rule (helpers.evidence owns it; this reads it) ------------------------------


def p_words(p) -> str:
    """ "unusual", "borderline", "ordinary" or "not computed" for a p-value: the report's one rule
    (:func:`helpers.evidence.p_words`), never a threshold of this strand's own."""
    return evidence.p_words(p)


def rule_words() -> str:
    """The wording rule in a sentence, from its own cuts."""
    return (
        f"below {fmt(evidence.P_UNUSUAL, 'p')} unusual, {fmt(evidence.P_UNUSUAL, 'p')} to "
        f"{fmt(evidence.P_BORDERLINE, 'p', decimals=2)} borderline, otherwise ordinary"
    )


def p_is(p) -> str:
    """ "p = 0.03" or "p < 0.001", through the one formatter."""
    shown = fmt(p, "p")
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def p_text(p) -> str:
    """ "unusual (p = 0.03)": the word and the p-value."""
    word = p_words(p)
    return word if word == "not computed" else f"{word} ({p_is(p)})"


# ---- the view -----------------------------------------------------------------------------------


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
    after: int  # the last year of the cost window: the "after" column of the main table


def view(results) -> View:
    """The section's view of the results: the main unit (the treated areas combined when there are
    several), the outcomes analysed with the full design and the main one (children looked after)."""
    r, P = results, results.params
    est_outcomes = set(r.estimates.outcome)
    analysed = [o for o in P["outcomes"] if OUTCOMES[o].analyse and OUTCOMES[o].full_design and o in est_outcomes]
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
        after=min(P["cost_years"][1], P["last_year"]),
    )


def who(v: View, unit) -> str:
    """The unit in a sentence."""
    if unit == TREATED_ID:
        return "the three boroughs combined" if len(v.r.treated) == 3 else "the treated areas combined"
    if unit == NEIGHBOURS_ID:
        return "their statistical neighbours combined"
    return v.names.get(unit, unit)


def places(v: View) -> tuple[str, str]:
    """The treated areas as captions and sentences name them, with their possessive, from the results:
    ("the boroughs", "their") for several Focus on Practice boroughs, ("the treated areas", "their") for
    other areas together, and one area's own name with "its" ("Leeds", "its")."""
    if len(v.treated_names) == 1:
        return v.treated_names[0], "its"
    boroughs = set(v.r.treated) <= set(PROGRAMME_LAS)
    return ("the boroughs" if boroughs else "the treated areas"), "their"


def each_place(v: View) -> str:
    """ "each borough", "each area", or the one area's name: what a per-area caption says."""
    if len(v.treated_names) == 1:
        return v.treated_names[0]
    return "each borough" if set(v.r.treated) <= set(PROGRAMME_LAS) else "each area"


def outside_programme(v: View) -> bool:
    """None of the treated areas ran Focus on Practice (another authority analysed as the boroughs were):
    no cost or change of its can be the programme's."""
    return not set(v.r.treated) & set(PROGRAMME_LAS)


def estimate(results, outcome, unit, method, k=None, year=None):
    """The estimate row of ``outcome`` x ``unit`` x ``method`` (a :class:`definitions.Method` key), or None."""
    e = results.estimates
    r = e[(e.outcome == outcome) & (e.area_code == unit) & (e.method == method_label(method, k, year))]
    return r.iloc[0] if len(r) else None


def series(results, outcome, unit) -> pd.Series:
    """The published values of ``outcome`` for ``unit`` by year (missing years dropped)."""
    p = results.panel
    s = p[(p.outcome == outcome) & (p.area_code == unit)].set_index("year")["value"]
    return s.dropna()


def value_at(results, outcome, unit, year):
    """One published value (None when missing)."""
    s = series(results, outcome, unit)
    return float(s[year]) if year in s.index else None


# ---- numbers in the outcome's unit -------------------------------------------------------------------


def kind_of(outcome: str) -> tuple[str, str]:
    """(kind of a level, kind of a change) for the one formatter: a rate per 10,000, a percentage
    (changes in percentage points), or money."""
    unit = OUTCOMES[outcome].unit
    if unit.startswith("%"):
        return "percent", "pp"
    if unit.startswith("GBP"):
        return "money", "money"
    return "rate", "rate"


def level(outcome: str, x) -> str:
    """A level of the outcome in words ("45.1 per 10,000", "15.7%", "£412")."""
    kind = kind_of(outcome)[0]
    return fmt(x, kind) + (" per 10,000" if kind == "rate" else "")


def change(outcome: str, x, signed: bool = True) -> str:
    """A change of the outcome in words ("+1.5 per 10,000", "-2.0 percentage points", "-£23")."""
    kind = kind_of(outcome)[1]
    return fmt(x, kind, signed=signed) + (" per 10,000" if kind == "rate" else "")


def size(outcome: str, x) -> str:
    """The size of a change, without its sign ("1.5 per 10,000"; "less than 0.1 percentage points" for
    one that rounds to nothing, so no sentence says "fell by 0.0")."""
    if x is None or pd.isna(x):
        return fmt(None)
    shown = change(outcome, abs(x), signed=False)
    if shown == change(outcome, 0.0, signed=False):
        step = 1.0 if kind_of(outcome)[1] == "money" else 0.1
        return "less than " + change(outcome, step, signed=False)
    return shown


def is_flat(outcome: str, x) -> bool:
    """A change that rounds to nothing in the outcome's unit (or is missing)."""
    return x is None or pd.isna(x) or change(outcome, abs(x), signed=False) == change(outcome, 0.0, signed=False)


def direction(x, up: str = "rose", down: str = "fell", flat: str = "did not change", kind: str = "number") -> str:
    """The verb of a change by its sign (``flat`` when it is missing or rounds to nothing)."""
    if x is None or pd.isna(x) or fmt(abs(x), kind) == fmt(0.0, kind):
        return flat
    return up if x > 0 else down


def money(x) -> str:
    """A sum of money (-£2.8m, £850,000) through the one formatter."""
    return fmt(x, "money")


def millions(x) -> str:
    """A sum of money in millions of pounds to one decimal ("£0.3m", "-£3.5m", "£1.3m"), so the sums a
    sentence compares are on one scale with no false precision: the one formatter's money scale."""
    return fmt(x, "money", scale="m")


def interval(outcome: str, lo, hi) -> str:
    """ "-9.7 to +16.7 per 10,000" (or "not computed")."""
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return "not computed"
    kind = kind_of(outcome)[1]
    tail = " per 10,000" if kind == "rate" else ""
    return f"{fmt(lo, kind, signed=True)} to {fmt(hi, kind, signed=True)}{tail}"


def comparison_words(row, outcome: str, movement: str) -> str:
    """An estimate's verdict among the placebo runs in the shared words, with its p-value and 95%
    interval: "ordinary (p = 0.84; 95% interval -11.6 to +17.0 per 10,000)"."""
    if row is None or pd.isna(row.estimate):
        return "not computed"
    words = p_text(row.p_value)
    if pd.isna(row.ci_low):
        return words
    return f"{words[:-1]}; 95% interval {interval(outcome, row.ci_low, row.ci_high)})" if "(" in words else words


# ---- key findings -------------------------------------------------------------------------------------


def finding(section, text: str, **kw) -> None:
    """Hand the report one key finding (CONTRACTS section 3): ``kind`` "effect" or "fact", ``topic``,
    ``answer`` and, for an effect, the results the strength rule reads (``design``, ``unit``,
    ``units``: the independent local authorities, ``p``, ``ci``, ``checks``); the report's evidence
    function derives the strength. ``n`` is the children behind the figure (published counts)."""
    if kw.get("checks"):
        kw["checks"] = [evidence.Check(**c) for c in kw["checks"]]
    section.key_finding(text, **kw)


def finite(x) -> bool:
    """A number that is there."""
    return x is not None and not (isinstance(x, float) and np.isnan(x)) and not pd.isna(x)
