"""Figures of the outcomes strand, drawn from :class:`analysis.Results` (returned, never shown).

Every chart is drawn at the report's width (:data:`helpers.figures.FIGURE_WIDTH`) in its style, so its
text stays legible on a phone: one idea per chart (:func:`trend`), and where several outcomes or
areas are shown together, one column of full-width panels with one legend under them.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ...figures import FIGURE_WIDTH, chart_style, legend_below, panels, wrap, year_ticks
from .analysis import NEIGHBOURS_ID, OUTCOMES, TREATED_ID

TREATED_COLOURS = ["#1b5e9e", "#e07b00", "#2e8b57", "#8e44ad", "#c0392b"]
ENGLAND = "E92000001"
CONTEXT_STYLE = {ENGLAND: ("#444444", "--"), "E12000007": ("#999999", ":"), "E13000001": ("#777777", "-.")}
START_COLOUR = "#b00020"


def _start_line(ax, results, label: bool = True):
    """The programme's start, between the last year before it and the first year after."""
    x = results.params["first_post_year"] - 0.5
    ax.axvline(x, color=START_COLOUR, lw=1, ls="--")
    if label:
        ax.text(x, 1, " start", color=START_COLOUR, va="top", transform=ax.get_xaxis_transform())


def _unit_colour(results, code):
    if code == TREATED_ID:
        return "#000000"
    codes = [str(t) for t in results.treated]
    return TREATED_COLOURS[codes.index(code) % len(TREATED_COLOURS)] if code in codes else "#555555"


def _series(results, outcome, code):
    s = results.panel[(results.panel.outcome == outcome) & (results.panel.area_code == code)].sort_values("year")
    return s.year.to_numpy(), s.value.to_numpy(dtype=float)


def _draw_lines(ax, results, outcome, codes, index: bool) -> None:
    """Each area's series of one outcome (indexed to the last pre-programme year = 100 if ``index``)."""
    ref = results.params["reference_year"]
    for code in codes:
        x, y = _series(results, outcome, code)
        if not len(x) or np.all(np.isnan(y)):
            continue
        if index:
            base = y[x == ref]
            if not len(base) or np.isnan(base[0]) or base[0] == 0:
                continue
            y = y / base[0] * 100
        name = results.names.get(code, code)
        if code in CONTEXT_STYLE:
            colour, ls = CONTEXT_STYLE[code]
            ax.plot(x, y, color=colour, ls=ls, lw=1.4, label=name)
        elif code == NEIGHBOURS_ID:
            ax.plot(x, y, color="#7f7f7f", lw=2.4, label=name)
        else:
            bold = code == TREATED_ID
            ax.plot(x, y, color=_unit_colour(results, code), lw=2.8 if bold else 1.4, marker="o", ms=3, label=name)


def _codes(results, context) -> list:
    treated = [str(t) for t in results.treated]
    combined = [TREATED_ID] if TREATED_ID in results.units else []
    return treated + combined + [NEIGHBOURS_ID, *context]


def trend(results, outcome):
    """One outcome, one chart: each treated area, the treated areas combined (bold), their statistical
    neighbours combined and England, the programme's start marked."""
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 4.6), layout="constrained")
        _draw_lines(ax, results, outcome, _codes(results, [ENGLAND]), index=False)
        ax.set_title(wrap(OUTCOMES[outcome].label, 52), loc="left")
        ax.set_ylabel(wrap(OUTCOMES[outcome].unit, 30))
        ax.grid(alpha=0.3)
        year_ticks(ax, results.panel.year)
        _start_line(ax, results)
        legend_below(fig, [ax])
    return fig


def trends(results, outcomes, index: bool = False):
    """Several outcomes, one full-width panel each in one column (legible on a phone): each treated
    area, the treated areas combined, their neighbours combined, England, London and Inner London;
    the start marked. ``index``: last pre-programme year = 100."""
    outcomes = [o for o in outcomes if o in set(results.panel.outcome)]
    n = max(len(outcomes), 1)
    ref = results.params["reference_year"]
    with chart_style():
        fig, axes = panels(n, panel_height=2.5, extra=1.3, sharex=True)
        for ax, o in zip(axes, outcomes, strict=False):
            _draw_lines(ax, results, o, _codes(results, list(CONTEXT_STYLE)), index)
            ax.set_title(wrap(OUTCOMES[o].label + (f" (index, {ref} = 100)" if index else ""), 52), loc="left")
            ax.set_ylabel("index" if index else wrap(OUTCOMES[o].unit, 20))
            ax.grid(alpha=0.3)
            _start_line(ax, results, label=ax is axes[0])
        year_ticks(axes[-1], results.panel.year)
        legend_below(fig, axes)
    return fig


def event_study(results, outcome):
    """Each treated unit's gap from its neighbours, relative to the last pre-programme year, with
    the middle range of the same quantity over the placebo LAs (grey)."""
    ev = results.event[results.event.outcome == outcome]
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 4.4), layout="constrained")
        if len(ev):
            band = ev.drop_duplicates("year").sort_values("year")
            ax.fill_between(
                band.year,
                band.placebo_low,
                band.placebo_high,
                color="#cccccc",
                alpha=0.7,
                label=f"middle {results.params['placebo_level']:.0%} of placebo LAs",
            )
        for code, g in ev.groupby("area_code", sort=False):
            g = g.sort_values("year")
            ax.plot(
                g.year,
                g.estimate,
                marker="o",
                ms=4,
                lw=2.6 if code == TREATED_ID else 1.3,
                color=_unit_colour(results, code),
                label=results.names.get(code, code),
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.set_ylabel(
            wrap(f"gap from neighbours, change since {results.params['reference_year']} ({OUTCOMES[outcome].unit})", 30)
        )
        ax.set_title(wrap(f"Event study: {OUTCOMES[outcome].label}", 52), loc="left")
        ax.grid(alpha=0.3)
        _start_line(ax, results)
        legend_below(fig, [ax])
    return fig


def placebo(results, outcome):
    """Top: the DiD estimate of every placebo LA, treated units marked. Bottom: the means of every
    set of k placebo LAs, the treated LAs' mean marked."""
    p = results.placebo[results.placebo.outcome == outcome]
    did = p[p.statistic == "difference in differences"]
    means = p[p.statistic.str.startswith("mean of")]
    q = means[~means.is_treated].value.dropna()
    with chart_style():
        fig, axes = panels(2 if len(q) else 1, panel_height=2.8, extra=0.8)
        ax = axes[0]
        ax.hist(did[~did.is_treated].value.dropna(), bins=30, color="#bbbbbb", edgecolor="white")
        for _, r in did[did.is_treated].iterrows():
            ax.axvline(r.value, color=_unit_colour(results, r.area_code), lw=2, label=r.area_name)
        ax.set_title("Difference in differences,\nevery eligible LA as if treated", loc="left")
        ax.set_xlabel(wrap(OUTCOMES[outcome].unit, 40))
        ax.set_ylabel("number of LAs")
        if len(q):
            ax = axes[1]
            ax.hist(q, bins=30, color="#bbbbbb", edgecolor="white")
            for _, r in means[means.is_treated].iterrows():
                ax.axvline(r.value, color="black", lw=2, label="mean of the treated LAs")
            ax.set_title("Mean of a set of LAs drawn from the pool", loc="left")
            ax.set_xlabel(wrap(OUTCOMES[outcome].unit, 40))
            ax.set_ylabel("number of sets")
        legend_below(fig, axes)  # under the panels: a legend beside them would take half the width
    return fig


def synthetic(results, outcome):
    """Actual against synthetic control, one full-width panel per treated unit, in one column."""
    s = results.series[(results.series.outcome == outcome) & (results.series.method == "synthetic control")]
    units = list(dict.fromkeys(s.area_code))
    n = max(len(units), 1)
    with chart_style():
        fig, axes = panels(n, panel_height=2.3, extra=1.0, sharex=True)
        for ax, u in zip(axes, units, strict=False):
            g = s[s.area_code == u].sort_values("year")
            ax.plot(g.year, g.actual, color=_unit_colour(results, u), marker="o", ms=3, lw=1.8, label="actual")
            ax.plot(g.year, g.counterfactual, color="#7f7f7f", ls="--", lw=1.6, label="synthetic control")
            ax.set_title(results.names.get(u, u), loc="left")
            ax.set_ylabel(wrap(OUTCOMES[outcome].unit, 20))
            ax.grid(alpha=0.3)
            _start_line(ax, results, label=ax is axes[0])
        legend_below(fig, axes)
    return fig


def costs(results, unit_cost_label: str):
    """Avoided cost (central, with the counterfactual's interval) per method and treated unit at one
    weekly unit cost, beside the programme's cost (shaded)."""
    c = results.costs[results.costs.unit_cost_label == unit_cost_label]
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 0.55 * max(len(c), 2) + 1.8), layout="constrained")
        areas = list(dict.fromkeys(c.area_code))
        if len(areas) == 1:  # one area: its name once, as the title
            ax.set_title(results.names.get(areas[0], areas[0]), loc="left")
            labels = [wrap(r.method, 24) for r in c.itertuples()]
        else:
            labels = [wrap(f"{results.names.get(r.area_code, r.area_code)}: {r.method}", 30) for r in c.itertuples()]
        y = np.arange(len(c))[::-1]
        ax.errorbar(
            c.avoided_cost_gbp / 1e6,
            y,
            xerr=[
                (c.avoided_cost_gbp - c.avoided_cost_low_gbp) / 1e6,
                (c.avoided_cost_high_gbp - c.avoided_cost_gbp) / 1e6,
            ],
            fmt="o",
            color="#1b5e9e",
            capsize=3,
        )
        if len(c):
            lo, hi = c.programme_cost_low_gbp.iloc[0] / 1e6, c.programme_cost_high_gbp.iloc[0] / 1e6
            ax.axvspan(lo, hi, color="#e07b00", alpha=0.3, label="programme cost")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, labels)
        ax.set_xlabel(f"cost of care against the comparators,\nGBP million ({unit_cost_label})")
        ax.grid(alpha=0.3, axis="x")
        legend_below(fig, [ax], ncol=1)
    return fig
