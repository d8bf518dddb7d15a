"""The sentences the outcomes section says about one outcome and one treated unit, each written from
the results: when the change happened relative to the start, how it compares with England and every
eligible LA, how it compares with the statistical neighbours, whether the pre-programme trend
explains it, and what change the design could have detected.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass

import numpy as np

from ...formatting import fmt
from .definitions import NOUNS, PROGRAMME_LAS, TREATED_ID, Method, its_method, method_label
from .prose import (
    View,
    change,
    comparison_words,
    direction,
    estimate,
    finite,
    is_flat,
    kind_of,
    level,
    p_is,
    p_text,
    p_words,
    series,
    size,
    who,
)

#: The share of the difference between the average before and the average after the start that must
#: have happened on one side of the start for the section to say the change came "before" or "after"
#: it (otherwise "both before and after"). A descriptive rule on the published figures, stated in the
#: section's appendix; it is not a test.
MOST = 2 / 3
#: Small numbers in words ("sets of three LAs").
SMALL_NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five"}


@dataclass
class Timing:
    """Where a unit's change between the years before and after the start happened: the published
    values at the first compared year, the last year before the start and the last compared year, the
    averages before and after, and the split of their difference at the start."""

    years: np.ndarray
    first: float
    ref: float
    last: float
    pre_mean: float
    post_mean: float
    before: float  # value at the last year before the start minus the average before
    after: float  # average after minus the value at the last year before the start
    when: str  # "before", "after", "both" or "none" (the averages are the same to the figure shown)


def start_words(programme_start: str) -> str:
    """ "July 2014" for a start given as "2014-07" (the year alone when no month is given)."""
    parts = str(programme_start).strip().split("-")
    return f"{calendar.month_name[int(parts[1])]} {parts[0]}" if len(parts) > 1 else parts[0]


def compared_years(v: View, outcome: str) -> np.ndarray:
    """The years the outcome was compared over (those of its event study)."""
    ev = v.r.event[v.r.event.outcome == outcome]
    return np.sort(ev.year.unique())


def timing(v: View, outcome: str, unit) -> Timing | None:
    """The unit's :class:`Timing` over the compared years (None without a value in each)."""
    years = compared_years(v, outcome)
    s = series(v.r, outcome, unit).reindex(years)
    if not len(years) or s.isna().any() or v.ref not in set(years):
        return None
    pre, post = s[s.index < v.fpy], s[s.index >= v.fpy]
    ref = float(s[v.ref])
    before, after = ref - pre.mean(), post.mean() - ref
    total = before + after
    when = "none"
    if not is_flat(outcome, total):
        when = "before" if before / total >= MOST else "after" if after / total >= MOST else "both"
    return Timing(years, float(s.iloc[0]), ref, float(s.iloc[-1]), pre.mean(), post.mean(), before, after, when)


def levels(outcome: str, pairs: list) -> str:
    """ "68.4 in 2010, 47.6 in 2014 and 48.6 per 10,000 in 2019": published levels, a rate's unit said
    once (percentages and money carry theirs in every figure)."""
    shown = [level(outcome, x) if kind_of(outcome)[0] != "rate" else fmt(x, "rate") for x, _ in pairs]
    if kind_of(outcome)[0] == "rate":
        shown[-1] = level(outcome, pairs[-1][0])
    parts = [f"{x} in {y}" for x, (_, y) in zip(shown, pairs, strict=True)]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


#: What a level of each kind of outcome is, in a sentence about one area ("The rate", "The share").
SUBJECT = {"rate": "The rate", "percent": "The share", "money": "Spend"}


def when_sentence(v: View, outcome: str, unit, detail: bool = False) -> str:
    """When the change happened relative to the start: the published values at the first year, the
    last year before the start and the last year, the averages before and after, and on which side
    of the start their difference came (``detail``: the outcome named in full, for the appendix)."""
    t = timing(v, outcome, unit)
    if t is None:
        return ""
    kind = kind_of(outcome)[0]
    noun = NOUNS[outcome][0].upper() + NOUNS[outcome][1:] if detail else SUBJECT[kind]
    values = f"{noun} {'in' if detail else 'for'} {who(v, unit)} was " + levels(
        outcome, [(t.first, int(t.years[0])), (t.ref, v.ref), (t.last, int(t.years[-1]))]
    )
    bare = (lambda x: fmt(x, "rate")) if kind == "rate" else (lambda x: level(outcome, x))
    if t.when == "none":
        return f"{values}: on average the same after the start as before ({bare(t.post_mean)})."
    moved = direction(t.post_mean - t.pre_mean, "higher", "lower")
    tail = {
        "before": f", most of the difference by {v.ref}, before the start",
        "after": ", most of the difference after the start",
        "both": ", the difference coming both before and after the start",
    }[t.when]
    return (
        f"{values}: on average {moved} after the start than before ({bare(t.post_mean)} against "
        f"{bare(t.pre_mean)}){tail}."
    )


def england_change(v: View, outcome: str) -> float | None:
    """England's change between the averages before and after the start, over the compared years."""
    years = compared_years(v, outcome)
    s = series(v.r, outcome, "E92000001").reindex(years)
    if not len(years) or s.isna().any():
        return None
    return float(s[s.index >= v.fpy].mean() - s[s.index < v.fpy].mean())


def as_far(x, side) -> str:
    """What the placebos a rank counts did, in words: "fell as much or more" when a fall is ranked on
    the low side, "rose as much or more" when a rise is ranked on the high side, otherwise "had a
    change at least as low (high)" (an estimate ranked on the other side of the placebos' middle)."""
    if side == "low" and x < 0:
        return "fell as much or more"
    if side == "high" and x > 0:
        return "rose as much or more"
    return f"had a change at least as {'low' if side == 'low' else 'high'}"


def _noun(outcome: str, x) -> str:
    """ "fall of 11.6 per 10,000" (or rise, or change of less than ...)."""
    return f"{direction(x, 'rise', 'fall', 'change')} of {size(outcome, x)}"


def all_las_sentence(v: View, outcome: str, unit, detail: bool = False, short: bool = False) -> str:
    """How the unit's own change (mean after minus mean before, no comparator) compares with England's
    and with every eligible LA's, saying what each p-value is computed against. For the treated areas
    combined, two readings: the mean of the treated LAs' own changes among the means of every set of as
    many eligible LAs, and their combined rate (summed counts) among random groups of as many LAs
    combined the same way. Every p-value is two-sided (twice the share at least as far out on the
    estimate's side, counting the estimate); ``detail`` adds how many LAs, sets or groups moved as far;
    ``short`` names the two readings without saying again what each is computed against (for the body's
    outcomes after the first, which says it)."""
    row = estimate(v.r, outcome, unit, Method.CHANGE)
    if row is None or not finite(row.estimate):
        return ""
    eng = england_change(v, outcome)
    england = f"England ({change(outcome, eng)}) and " if eng is not None else ""
    k, n = int(row["rank"]) - 1, int(row.n_placebo)
    if unit != TREATED_ID:
        return (
            f"Against {england}all eligible LAs, {who(v, unit)}'s {_noun(outcome, row.estimate)} is "
            f"{p_text(row.p_value)}: {fmt(k, 'count')} of {fmt(n, 'count')} eligible LAs "
            f"{as_far(row.estimate, row.rank_side)}."
        )
    size_words = SMALL_NUMBERS.get(len(v.r.treated), str(len(v.r.treated)))
    mean = estimate(v.r, outcome, unit, Method.MEAN_OF_K_CHANGE, k=len(v.r.treated))
    combined = (
        f"their combined {'rate' if kind_of(outcome)[0] == 'rate' else 'figure'}'s {_noun(outcome, row.estimate)} (summed counts) is {p_words(row.p_value)} among "
        f"{fmt(n, 'count')} random groups of {size_words} LAs combined the same way ({p_is(row.p_value)})"
    )
    if detail:
        combined += f": {fmt(k, 'count')} groups {as_far(row.estimate, row.rank_side)}"
    if mean is None or not finite(mean.p_value):
        return f"Against {england}all eligible LAs, {combined}; p-values two-sided."
    places = "boroughs" if set(v.r.treated) <= set(PROGRAMME_LAS) else "areas"
    if short:
        return f"Against {england}all eligible LAs, {_two_readings(mean.p_value, row.p_value, places)}."
    sets = int(mean.n_comparators)
    which = (
        "every set" if sets == math.comb(int(mean.n_placebo), len(v.r.treated)) else f"{fmt(sets, 'count')} random sets"
    )
    average = (
        f"the {size_words} {places}' average change (a {_noun(outcome, mean.estimate)}) is {p_words(mean.p_value)} "
        f"among the average changes of {which} of {size_words} eligible LAs ({p_is(mean.p_value)})"
    )
    if detail:
        share = (int(mean["rank"]) - 1) / sets * 100
        average += (
            f": {fmt(share, 'percent')} of the {fmt(sets, 'count')} sets {as_far(mean.estimate, mean.rank_side)} on "
            "average"
        )
    return f"Against {england}all eligible LAs, {average}, and {combined}; p-values two-sided."


def _two_readings(p_mean, p_combined, places: str) -> str:
    """ "the change is unusual for the boroughs' average change (p = 0.03) and borderline for their
    combined rate (p = 0.07)", or, when the words agree, "ordinary (p = 0.72 for the boroughs' average
    change, 0.59 for their combined rate)"."""
    if p_words(p_mean) == p_words(p_combined):
        return (
            f"the change is {p_words(p_mean)} ({p_is(p_mean)} for the {places}' average change, "
            f"{fmt(p_combined, 'p')} for their combined rate)"
        )
    return (
        f"the change is {p_words(p_mean)} for the {places}' average change ({p_is(p_mean)}) and "
        f"{p_words(p_combined)} for their combined rate ({p_is(p_combined)})"
    )


def neighbours_sentence(v: View, outcome: str, unit, detail: bool = False) -> str:
    """How the unit's change compares with its statistical neighbours' (the difference in differences),
    with its 95% interval when ``detail``."""
    did = estimate(v.r, outcome, unit, Method.DID)
    own = estimate(v.r, outcome, unit, Method.CHANGE)
    if did is None or not finite(did.estimate):
        return ""
    theirs = ""
    if own is not None and finite(own.estimate):
        c = own.estimate - did.estimate  # the neighbours' change over the same years
        theirs = f", which {direction(c, 'rose', 'fell', 'changed')} by {size(outcome, c)},"
    words = comparison_words(did, outcome, "ordinary movement") if detail else p_text(did.p_value)
    return (
        f"Against {'their' if unit == TREATED_ID else 'its'} statistical neighbours{theirs} the difference of "
        f"{change(outcome, did.estimate)} is {words}."
    )


def trend_sentence(v: View, outcome: str, unit) -> str:
    """Whether the pre-programme trend explains the change: the gap from the neighbours before the
    start (placebo test) and the unit's own trend before and after the start (a trend test on the
    yearly figures, whose intervals are likely too narrow)."""
    parts = []
    gap = estimate(v.r, outcome, unit, Method.PRE_TREND)
    if gap is not None and finite(gap.p_value):
        if p_words(gap.p_value) == "ordinary":
            parts.append(f"The gap from the neighbours was steady before the start ({p_is(gap.p_value)})")
        else:
            parts.append(
                f"The gap from the neighbours was already moving by {change(outcome, gap.estimate)} a year before the "
                f"start, {p_text(gap.p_value)}, so part of the difference may predate the programme"
            )
    pre = estimate(v.r, outcome, unit, its_method(False, "pre_slope"))
    turn = estimate(v.r, outcome, unit, its_method(False, "slope_change"))
    t = timing(v, outcome, unit)
    if pre is not None and turn is not None and finite(pre.estimate) and finite(turn.estimate):
        parts.append(_own_trend(outcome, pre, turn, t.when if t is not None else "none"))
    return "; ".join(parts) + "." if parts else ""


def _own_trend(outcome: str, pre, turn, when: str) -> str:
    """The unit's own trend before the start, how it changed after (ITS on the series alone), and
    whether that trend explains the difference between the averages."""
    flat = is_flat(outcome, pre.estimate)
    before = (
        "the figure itself was flat before the start"
        if flat
        else f"the figure itself was {direction(pre.estimate, 'rising', 'falling')} by {size(outcome, pre.estimate)} "
        "a year before the start"
    )
    test = f"{p_words(turn.p_value)} by a trend test, {p_is(turn.p_value)}"
    if p_words(turn.p_value) == "ordinary":
        if flat:
            return f"{before} and did not change after it ({test})"
        return f"{before} and carried on after it ({test}), so that trend explains the change"
    if not flat and np.sign(turn.estimate) != np.sign(pre.estimate):
        word = "rise" if pre.estimate > 0 else "fall"
        explained = (
            f", so the earlier {word}, not a change after the start, explains the difference"
            if when == "before"
            else ""
        )
        return f"{before} and that {word} stopped after it ({test}){explained}"
    return (
        f"{before} and after it the trend changed by a further {change(outcome, turn.estimate)} a year ({test}), so "
        "the change went beyond that trend"
    )


def detectable_sentence(v: View, outcome: str, unit, single: bool = False) -> str:
    """What the neighbour comparison could have detected: the difference an estimate had to pass to
    stand out from the placebo runs at the report's level, in plain words."""
    d = v.r.detectable
    row = d[(d.outcome == outcome) & (d.area_code == unit) & (d.method == method_label(Method.DID))]
    if not len(row) or not finite(row.iloc[0].fall_threshold):
        return ""
    row = row.iloc[0]
    subject = "For a single borough, a" if single else "A"
    return (
        f"{subject} difference from the neighbours smaller than a fall of {size(outcome, row.fall_threshold)} or a "
        f"rise of {size(outcome, row.rise_threshold)} could not have been told apart from ordinary movement among "
        "English LAs."
    )


def unit_paragraph(v: View, outcome: str, unit, detail: bool = False, short: bool = False, trend: bool = True) -> str:
    """The sentences about one outcome and one unit, in reading order: when, against England and all
    LAs, against the neighbours, the earlier trend (unless not ``trend``); with ``detail`` (the technical
    appendix), how many LAs or groups moved as far, the intervals and what could have been detected;
    ``short``: the all-LAs readings named only (:func:`all_las_sentence`)."""
    parts = [when_sentence(v, outcome, unit, detail), all_las_sentence(v, outcome, unit, detail, short)]
    parts += [neighbours_sentence(v, outcome, unit, detail), trend_sentence(v, outcome, unit) if trend else ""]
    if detail:
        parts.append(detectable_sentence(v, outcome, unit))
    return " ".join(p for p in parts if p)


def boroughs_sentence(v: View, outcome: str, units: list) -> str:
    """Each single treated unit in one sentence: its difference from its neighbours and its change
    against every LA, each in the shared words."""
    parts = []
    for u in units:
        did, own = estimate(v.r, outcome, u, Method.DID), estimate(v.r, outcome, u, Method.CHANGE)
        if did is None or own is None or not finite(did.estimate):
            continue
        parts.append(f"{who(v, u)} {change(outcome, did.estimate)}, {p_text(did.p_value)} and {p_text(own.p_value)}")
    if not parts:
        return ""
    return f"Each borough on its own, against its neighbours and against all eligible LAs: {'; '.join(parts)}."


def verdicts(v: View, outcome: str, unit) -> dict:
    """The shared words for the unit's two comparisons (for titles, main points and answers)."""
    out = {}
    for key, name in ((Method.DID, "neighbours"), (Method.CHANGE, "all")):
        row = estimate(v.r, outcome, unit, key)
        out[name] = p_words(row.p_value) if row is not None and finite(row.estimate) else "not computed"
    t = timing(v, outcome, unit)
    out["when"] = t.when if t is not None else "none"
    return out
