"""The outcomes section's account of the effects: the event study, interrupted time series, placebo runs and synthetic control of the main outcome (children looked after), and the other outcomes in brief."""

from __future__ import annotations

from . import charts
from .definitions import (
    ITS_TERMS,
    OUTCOMES,
    TREATED_ID,
    Method,
    its_method,
)
from .prose import EARLY_P, UNUSUAL_P, _est, _lc, _list, _who


def children_looked_after(section, v) -> None:
    """The main outcome: event study, interrupted time series, placebo runs, synthetic control."""
    _event_study(section, v)
    _interrupted_time_series(section, v)
    _placebo_paragraph(section, v)
    _synthetic_control(section, v)


def _event_study(section, v):
    """The event study and how to read it."""
    r, key, main_unit, fpy, ref = v.r, v.key, v.main_unit, v.fpy, v.ref
    pt = _est(r, key, main_unit, Method.PRE_TREND)
    section.figure(
        f"outcomes_event_{key}",
        charts.event_study(r, key),
        alt=f"Event-study chart of {_lc(OUTCOMES[key].label)}: each year's gap between the treated areas and "
        f"their neighbours, relative to {ref}, with the middle range of the same gap over placebo LAs shaded.",
        caption=f"Event study: {OUTCOMES[key].label} (each year against {ref})",
    )
    already = pt is not None and pt.p_value < EARLY_P
    section.markdown(
        f"**Reading the event study.** Each point is how far the treated area's gap from its neighbours had moved since {ref}. "
        f"Points before {fpy} show whether the areas were already diverging before the programme: "
        + (
            f"for {_who(r, main_unit)}, the gap was "
            f"moving by {section.published(pt.estimate, '{:+.1f}')} {OUTCOMES[key].unit} a year before the start, which "
            + (
                "is unusual among placebo LAs (p = "
                + section.published(pt.p_value, "{:.2f}")
                + "): the change had started before the programme."
                if already
                else "is within the range seen among placebo LAs (p = "
                + section.published(pt.p_value, "{:.2f}")
                + "): no sign of an earlier divergence."
            )
            if pt is not None
            else "not available."
        )
    )


def _interrupted_time_series(section, v):
    """The interrupted time series of the main outcome, alone and against the neighbours."""
    r, key, main_unit, ref = v.r, v.key, v.main_unit, v.ref
    ia = {t: _est(r, key, main_unit, its_method(False, t)) for t in ITS_TERMS}
    iv = {t: _est(r, key, main_unit, its_method(True, t)) for t in ITS_TERMS}
    if ia["pre_slope"] is not None:

        def _ci(e):
            return f"{section.published(e.estimate, '{:+.1f}')} (95% CI {section.ci(e.ci_low, e.ci_high, None, '{:+.1f}')})"

        trend_word = "falling" if ia["pre_slope"].estimate < 0 else "rising"
        section.markdown(
            f"**Interrupted time series** ({_who(r, main_unit)}, {OUTCOMES[key].unit}). Before the programme the series was "
            f"{trend_word}: {_ci(ia['pre_slope'])} a year, so any change after {ref} has to be read against a trend that "
            f"had started earlier. After the start, the step in the first year was {_ci(ia['level_change'])} and the yearly "
            f"trend changed by {_ci(ia['slope_change'])}. Against the neighbours (the gap between the two series), the step was "
            + (
                f"{_ci(iv['level_change'])} and the change in trend {_ci(iv['slope_change'])}. "
                if iv["level_change"] is not None
                else "not available. "
            )
            + "These intervals come from about ten yearly points and are likely too narrow; the placebo comparisons below are the fairer test."
        )


def _placebo_paragraph(section, v):
    """Where the treated areas fall among every English LA."""
    r, names, key = v.r, v.names, v.key
    section.figure(
        f"outcomes_placebo_{key}",
        charts.placebo(r, key),
        alt=f"Histograms of the difference-in-differences estimate of {_lc(OUTCOMES[key].label)} for every "
        f"eligible English LA as if it had been treated, with the treated areas marked, and of the mean of "
        f"every set of {len(r.treated)} such LAs with the treated areas' mean marked.",
        caption="Placebo in space: where the treated areas fall among every eligible LA",
    )
    d = _est(r, key, v.main_unit, Method.DID)
    m3 = _est(r, key, TREATED_ID, Method.MEAN_OF_K, len(r.treated))
    parts = []
    for u in r.units:
        e = _est(r, key, u, Method.DID)
        if e is not None:
            parts.append(
                f"{names.get(u, u)} {section.published(e.estimate, '{:+.1f}')} (rank {int(e['rank'])} of {int(e.n_placebo) + 1}, p = {section.published(e.p_value, '{:.2f}')})"
            )
    section.markdown(
        f"**Against every English LA.** The change in {_lc(OUTCOMES[key].label)} against the statistical neighbours "
        f"(after minus before, {OUTCOMES[key].unit}) was: "
        + "; ".join(parts)
        + ". "
        + (
            f"The mean of the {len(r.treated)} boroughs' estimates, {section.published(m3.estimate, '{:+.1f}')}, is as far from zero as that "
            f"of {section.published(m3.p_value * 100, '{:.0f}')}% of all sets of {len(r.treated)} LAs drawn from the pool. "
            if m3 is not None
            else ""
        )
        + (
            "Judged this way the change looks **unusual**."
            if d is not None and d.p_value < UNUSUAL_P
            else "Judged this way the change looks **ordinary**: many authorities that had no such programme moved as much or more."
        )
    )


def _synthetic_control(section, v):
    """Each treated area against its synthetic control."""
    r, names, key, fpy = v.r, v.names, v.key, v.fpy
    section.figure(
        f"outcomes_synthetic_{key}",
        charts.synthetic(r, key),
        alt=f"Line charts of {_lc(OUTCOMES[key].label)} for each treated unit and its synthetic control, "
        f"a weighted mix of eligible English LAs matched on the years before {fpy}.",
        caption="Synthetic control: each treated area against a weighted mix of other LAs",
    )
    scs = []
    for u in r.units:
        e = _est(r, key, u, Method.SC_RATIO)
        g = _est(r, key, u, Method.SC_GAP)
        if e is not None:
            scs.append(
                f"{names.get(u, u)}: gap {section.published(g.estimate, '{:+.1f}')}, ratio {section.published(e.estimate, '{:.2f}')} (rank {int(e['rank'])} of {int(e.n_placebo) + 1}, p = {section.published(e.p_value, '{:.2f}')})"
            )
    section.markdown(
        "**Synthetic control.** Each treated area is matched with a weighted mix of eligible LAs that followed the "
        f"same path before {fpy}; the gap after the start is the estimate, and the ratio of the fit after to the fit before "
        "is ranked among the same ratio for every placebo LA (rank 1 = the largest departure of all). "
        + "; ".join(scs)
        + "."
    )


def other_outcomes(section, v):
    """The other outcomes in brief, and those shown as trends only."""
    r, P, key, main_unit, analysed = v.r, v.P, v.key, v.main_unit, v.analysed
    lines = []
    for o in analysed:
        if o == key:
            continue
        e = _est(r, o, main_unit, Method.DID)
        pt = _est(r, o, main_unit, Method.PRE_TREND)
        if e is None:
            continue
        verdict = "unusual" if e.p_value < UNUSUAL_P else "ordinary"
        pre = " (already diverging before the start)" if pt is not None and pt.p_value < EARLY_P else ""
        lines.append(
            f"- {OUTCOMES[o].label}: {section.published(e.estimate, '{:+.1f}')} against the neighbours; {verdict} among English LAs "
            f"(p = {section.published(e.p_value, '{:.2f}')}){pre}."
        )
    if lines:
        section.markdown(
            f"**Other outcomes** ({_who(r, main_unit)}, "
            "change after minus before against the statistical neighbours):\n\n" + "\n".join(lines)
        )
    skipped = [OUTCOMES[o].label for o in P["outcomes"] if OUTCOMES[o].analyse and o not in analysed]
    if skipped:
        section.markdown(
            "Shown as trends only, without a before-and-after comparison (no or too few published years before "
            f"the start): {_list(skipped)}."
        )
