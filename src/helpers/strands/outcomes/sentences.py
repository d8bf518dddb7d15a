"""The sentences the outcomes section says about one outcome and one treated unit, each written from
the results: when the change happened relative to the start, how it compares with England and every
eligible LA, how it compares with the statistical neighbours, whether the pre-programme trend
explains it, and what change the design could have detected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...formatting import fmt
from .definitions import NOUNS, TREATED_ID, Method, its_method, method_label
from .prose import (
    View,
    change,
    comparison_words,
    direction,
    estimate,
    finite,
    level,
    p_is,
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
    when: str  # "before", "after", "both" or "none"


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
    if total:
        when = "before" if before / total >= MOST else "after" if after / total >= MOST else "both"
    return Timing(years, float(s.iloc[0]), ref, float(s.iloc[-1]), pre.mean(), post.mean(), before, after, when)


def when_sentence(v: View, outcome: str, unit) -> str:
    """When the change happened relative to the start: the published values at the first year, the
    last year before the start and the last year, the averages before and after, and on which side
    of the start their difference came."""
    t = timing(v, outcome, unit)
    if t is None:
        return ""
    y0, y1 = int(t.years[0]), int(t.years[-1])
    noun = NOUNS[outcome][0].upper() + NOUNS[outcome][1:]
    values = (
        f"{noun} in {who(v, unit)} was {level(outcome, t.first)} in {y0}, {level(outcome, t.ref)} in {v.ref} (the "
        f"last year before the start) and {level(outcome, t.last)} in {y1}"
    )
    moved = direction(t.post_mean - t.pre_mean, "higher", "lower", "the same")
    averages = (
        f"on average it was {moved} after the start than before ({level(outcome, t.post_mean)} against "
        f"{level(outcome, t.pre_mean)})"
    )
    tail = {
        "before": f", and most of that difference had come by {v.ref}, before the start",
        "after": ", and most of that difference came after the start",
        "both": ", a difference that came both before and after the start",
    }.get(t.when, "")
    return f"{values}; {averages}{tail}."


def england_change(v: View, outcome: str) -> float | None:
    """England's change between the averages before and after the start, over the compared years."""
    years = compared_years(v, outcome)
    s = series(v.r, outcome, "E92000001").reindex(years)
    if not len(years) or s.isna().any():
        return None
    return float(s[s.index >= v.fpy].mean() - s[s.index < v.fpy].mean())


def all_las_sentence(v: View, outcome: str, unit) -> str:
    """How the unit's own change compares with England's and every eligible LA's."""
    row = estimate(v.r, outcome, unit, Method.CHANGE)
    if row is None or not finite(row.estimate):
        return ""
    moved = direction(row.estimate)
    k, n = int(row["rank"]) - 1, int(row.n_placebo)
    others = f"random groups of {len(v.r.treated)} eligible LAs" if unit == TREATED_ID else "eligible English LAs"
    eng = england_change(v, outcome)
    england = f" (England: {change(outcome, eng)})" if eng is not None else ""
    return (
        f"Against England and every eligible LA: between the years before and after the start "
        f"{who(v, unit)} {moved} by {size(outcome, row.estimate)}{england}, and {fmt(k, 'count')} of "
        f"{fmt(n, 'count')} {others} {moved} as much or more: {p_words(row.p_value)} among English LAs "
        f"({p_is(row.p_value)})."
    )


def neighbours_sentence(v: View, outcome: str, unit) -> str:
    """How the unit's change compares with its statistical neighbours' (the difference in differences)."""
    did = estimate(v.r, outcome, unit, Method.DID)
    own = estimate(v.r, outcome, unit, Method.CHANGE)
    if did is None or not finite(did.estimate):
        return ""
    theirs = ""
    if own is not None and finite(own.estimate):
        c = own.estimate - did.estimate  # the neighbours' change over the same years
        theirs = f", which {direction(c)} by {size(outcome, c)} over the same years"
    return (
        f"Against {'their' if unit == TREATED_ID else 'its'} statistical neighbours{theirs}: a difference of "
        f"{change(outcome, did.estimate)}, {comparison_words(did, outcome, 'ordinary movement')}."
    )


def trend_sentence(v: View, outcome: str, unit) -> str:
    """Whether the pre-programme trend explains the change: the gap from the neighbours before the
    start (placebo test) and the unit's own trend before and after the start (a trend test on the
    yearly figures, whose intervals are likely too narrow)."""
    parts = []
    gap = estimate(v.r, outcome, unit, Method.PRE_TREND)
    if gap is not None and finite(gap.p_value):
        if p_words(gap.p_value) == "ordinary":
            parts.append(
                f"Before the start the gap from the neighbours was steady: its trend was ordinary among English LAs "
                f"({p_is(gap.p_value)})"
            )
        else:
            parts.append(
                f"Before the start the gap from the neighbours was already moving by {change(outcome, gap.estimate)} a "
                f"year, {p_words(gap.p_value)} among English LAs ({p_is(gap.p_value)}), so part of the "
                "difference may predate the programme"
            )
    pre = estimate(v.r, outcome, unit, its_method(False, "pre_slope"))
    turn = estimate(v.r, outcome, unit, its_method(False, "slope_change"))
    if pre is not None and turn is not None and finite(pre.estimate):
        parts.append(_own_trend(outcome, pre, turn))
    return "; ".join(parts) + "." if parts else ""


def _own_trend(outcome: str, pre, turn) -> str:
    """The unit's own trend before the start and how it changed after (ITS on the series alone)."""
    before = f"its own trend before the start was {direction(pre.estimate, 'rising', 'falling', 'flat')}"
    if finite(pre.estimate) and pre.estimate:
        before += f" by {size(outcome, pre.estimate)} a year"
    changed = p_words(turn.p_value) != "ordinary"
    after = (
        f"after the start it changed by {change(outcome, turn.estimate)} a year, {p_words(turn.p_value)} by a trend "
        f"test on the yearly figures ({p_is(turn.p_value)})"
    )
    if not changed:
        verdict = "so the trend that was already there explains the change"
    elif np.sign(turn.estimate) != np.sign(pre.estimate) and pre.estimate:
        verdict = f"so the {'rise' if pre.estimate > 0 else 'fall'} under way before the start did not continue"
    else:
        verdict = "so the change went beyond the trend that was already there"
    return f"{before}, and {after}: {verdict}"


def detectable_sentence(v: View, outcome: str, unit, single: bool = False) -> str:
    """What the neighbour comparison could have detected: the difference an estimate had to pass to
    stand out from the placebo runs at the 5% level, in plain words."""
    d = v.r.detectable
    row = d[(d.outcome == outcome) & (d.area_code == unit) & (d.method == method_label(Method.DID))]
    if not len(row) or not finite(row.iloc[0].fall_threshold):
        return ""
    row = row.iloc[0]
    subject = "a single borough" if single else who(v, unit)
    return (
        f"For {subject}, a difference from the neighbours smaller than a fall of {size(outcome, row.fall_threshold)} "
        f"or a rise of {size(outcome, row.rise_threshold)} could not have been told apart from ordinary movement among "
        f"English LAs (the {fmt((1 - v.P['placebo_level']) * 100, 'percent', decimals=0)} level of the same placebo "
        "runs), so a smaller effect of the programme would not show here."
    )


def unit_paragraph(v: View, outcome: str, unit) -> str:
    """The four sentences about one outcome and one unit, in reading order."""
    parts = [when_sentence(v, outcome, unit), all_las_sentence(v, outcome, unit)]
    parts += [neighbours_sentence(v, outcome, unit), trend_sentence(v, outcome, unit)]
    return " ".join(p for p in parts if p)


def verdicts(v: View, outcome: str, unit) -> dict:
    """The shared words for the unit's two comparisons (for titles, main points and answers)."""
    out = {}
    for key, name in ((Method.DID, "neighbours"), (Method.CHANGE, "all")):
        row = estimate(v.r, outcome, unit, key)
        out[name] = p_words(row.p_value) if row is not None and finite(row.estimate) else "not computed"
    t = timing(v, outcome, unit)
    out["when"] = t.when if t is not None else "none"
    return out
