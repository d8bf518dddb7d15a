"""Figures of the outcomes strand, drawn from :class:`analysis.Results` (returned, never shown)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from .analysis import NEIGHBOURS_ID, OUTCOMES, TREATED_ID

TREATED_COLOURS = ["#1b5e9e", "#e07b00", "#2e8b57", "#8e44ad", "#c0392b"]
CONTEXT_STYLE = {"E92000001": ("#444444", "--"), "E12000007": ("#999999", ":"), "E13000001": ("#777777", "-.")}


def _start_line(ax, results):
    x = results.params["first_post_year"] - 0.5
    ax.axvline(x, color="#b00020", lw=1, ls="--")
    ax.text(x, ax.get_ylim()[1], " start", color="#b00020", fontsize=7, va="top")


def _unit_colour(results, code):
    if code == TREATED_ID:
        return "#000000"
    codes = [str(t) for t in results.treated]
    return TREATED_COLOURS[codes.index(code) % len(TREATED_COLOURS)] if code in codes else "#555555"


def _series(results, outcome, code):
    s = results.panel[(results.panel.outcome == outcome) & (results.panel.area_code == code)].sort_values("year")
    return s.year.to_numpy(), s.value.to_numpy(dtype=float)


def trends(results, outcomes, index: bool = False):
    """Small multiples: each treated area, the treated areas combined, their neighbours combined and
    England, London, Inner London; the start marked. ``index``: last pre-programme year = 100."""
    outcomes = [o for o in outcomes if o in set(results.panel.outcome)]
    n = len(outcomes)
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.3 * rows), squeeze=False)
    ref = results.params["reference_year"]
    codes = (
        [str(t) for t in results.treated]
        + ([TREATED_ID] if TREATED_ID in results.units else [])
        + [NEIGHBOURS_ID, *CONTEXT_STYLE]
    )
    for ax, o in zip(axes.flat, outcomes, strict=False):
        for code in codes:
            x, y = _series(results, o, code)
            if not len(x) or np.all(np.isnan(y)):
                continue
            if index:
                base = y[x == ref]
                if not len(base) or np.isnan(base[0]) or base[0] == 0:
                    continue
                y = y / base[0] * 100
            if code in CONTEXT_STYLE:
                colour, ls = CONTEXT_STYLE[code]
                ax.plot(x, y, color=colour, ls=ls, lw=1.2, label=results.names.get(code, code))
            elif code == NEIGHBOURS_ID:
                ax.plot(x, y, color="#7f7f7f", lw=2.2, label=results.names[code])
            else:
                ax.plot(
                    x,
                    y,
                    color=_unit_colour(results, code),
                    lw=2.6 if code == TREATED_ID else 1.4,
                    marker="o",
                    ms=3,
                    label=results.names.get(code, code),
                )
        ax.set_title(OUTCOMES[o].label + (f" (index, {ref} = 100)" if index else ""), fontsize=8.5)
        ax.set_ylabel("index" if index else OUTCOMES[o].unit, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        _start_line(ax, results)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=7, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def event_study(results, outcome):
    """Each treated unit's gap from its neighbours, relative to the last pre-programme year, with
    the middle range of the same quantity over the placebo LAs (grey)."""
    ev = results.event[results.event.outcome == outcome]
    fig, ax = plt.subplots(figsize=(7, 3.8))
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
        f"gap from neighbours, change since {results.params['reference_year']}\n({OUTCOMES[outcome].unit})", fontsize=8
    )
    ax.set_title(f"Event study: {OUTCOMES[outcome].label}", fontsize=9)
    ax.grid(alpha=0.3)
    _start_line(ax, results)
    ax.legend(fontsize=7, frameon=False, ncol=2)
    fig.tight_layout()
    return fig


def placebo(results, outcome):
    """Left: the DiD estimate of every placebo LA, treated units marked. Right: the means of every
    set of k placebo LAs, the treated LAs' mean marked."""
    p = results.placebo[results.placebo.outcome == outcome]
    did = p[p.statistic == "difference in differences"]
    means = p[p.statistic.str.startswith("mean of")]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    ax = axes[0]
    ax.hist(did[~did.is_treated].value.dropna(), bins=30, color="#bbbbbb", edgecolor="white")
    for _, r in did[did.is_treated].iterrows():
        ax.axvline(r.value, color=_unit_colour(results, r.area_code), lw=2, label=r.area_name)
    ax.set_title("Difference in differences, every eligible LA as if treated", fontsize=8.5)
    ax.set_xlabel(OUTCOMES[outcome].unit, fontsize=8)
    ax.set_ylabel("number of LAs", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    ax = axes[1]
    q = means[~means.is_treated].value.dropna()
    if len(q):
        ax.hist(q, bins=30, color="#bbbbbb", edgecolor="white")
        for _, r in means[means.is_treated].iterrows():
            ax.axvline(r.value, color="black", lw=2, label="mean of the treated LAs")
        ax.set_title("Mean of a set of LAs drawn from the pool (quantiles)", fontsize=8.5)
        ax.set_xlabel(OUTCOMES[outcome].unit, fontsize=8)
        ax.legend(fontsize=7, frameon=False)
    else:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def synthetic(results, outcome):
    """Actual vs synthetic control, one panel per treated unit."""
    s = results.series[(results.series.outcome == outcome) & (results.series.method == "synthetic control")]
    units = list(dict.fromkeys(s.area_code))
    fig, axes = plt.subplots(1, max(len(units), 1), figsize=(3.3 * max(len(units), 1), 3.1), squeeze=False)
    for ax, u in zip(axes.flat, units, strict=False):
        g = s[s.area_code == u].sort_values("year")
        ax.plot(g.year, g.actual, color=_unit_colour(results, u), marker="o", ms=3, lw=1.8, label="actual")
        ax.plot(g.year, g.counterfactual, color="#7f7f7f", ls="--", lw=1.6, label="synthetic control")
        ax.set_title(results.names.get(u, u), fontsize=8.5)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        _start_line(ax, results)
    axes.flat[0].set_ylabel(OUTCOMES[outcome].unit, fontsize=8)
    axes.flat[0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig


def costs(results, unit_cost_label: str):
    """Avoided cost (central, with the counterfactual's interval) per method and treated unit at one
    weekly unit cost, beside the programme's cost (shaded)."""
    c = results.costs[results.costs.unit_cost_label == unit_cost_label]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * max(len(c), 2) + 1.2))
    labels = [f"{results.names.get(r.area_code, r.area_code)}: {r.method}" for r in c.itertuples()]
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
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_xlabel(f"cost of care against the comparators, GBP million ({unit_cost_label})", fontsize=8)
    ax.legend(fontsize=7, frameon=False)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig
