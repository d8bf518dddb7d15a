"""Workforce charts (returned, never shown or closed), drawn at the report's width in its style so that
their text stays legible on a phone (:mod:`helpers.figures`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.transforms import blended_transform_factory

from ...figures import FIGURE_WIDTH, chart_style, legend_below, panels, wrap, year_ticks
from .analysis import MEASURE_LABELS

COMPARATOR_STYLE = {
    "borough_value": ("Borough", "#1b4f9c", "-", "o"),
    "neighbours_median": ("Statistical neighbours (median)", "#e08214", "--", None),
    "region": ("Inner London", "#7f7f7f", ":", None),  # the label is the data's region_name when it has one
    "england": ("England", "#000000", "-.", None),
}
#: One colour per borough (Okabe-Ito: readable with colour-blindness).
BOROUGH_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")
NOT_PUBLISHED = "#b00020"


def _mark_not_published(ax, years, colour: str = NOT_PUBLISHED) -> None:
    """An 'x' on the bottom edge of the panel at each year with no published figure (never a value)."""
    if len(years):
        ax.plot(
            years,
            np.zeros(len(years)),
            "x",
            color=colour,
            ms=7,
            clip_on=False,
            label="x: figure not published",
            transform=ax.get_xaxis_transform(),
        )


def published_gaps(comp: pd.DataFrame, measures: list[str], boroughs: list[str]):
    """One chart of one idea: how far each borough's published figure sat above or below its
    statistical neighbours' median, year by year, one full-width panel per measure. Below the line
    (negative) is lower than the neighbours; a year without a published borough figure is a gap,
    marked 'x' on the line."""
    colours = dict(zip(boroughs, BOROUGH_COLOURS, strict=False))
    with chart_style():
        fig, axes = panels(len(measures), panel_height=2.1, sharex=True)
        for ax, m in zip(axes, measures, strict=True):
            # the neighbours' median in black: no borough's colour, so the line reads as the reference
            ax.axhline(0, color="#000000", ls="--", lw=1.2, label="neighbours' median")
            for b in boroughs:
                d = comp[(comp["borough"] == b) & (comp["measure"] == m)].sort_values("year")
                ax.plot(
                    d["year"], d["borough_value"] - d["neighbours_median"], color=colours[b], marker="o", ms=4, label=b
                )
                _mark_not_published(ax, d[d["borough_value"].isna()]["year"], colours[b])
            ax.set_title(MEASURE_LABELS.get(m, m), loc="left")
            ax.set_ylabel("percentage points")
            ax.grid(alpha=0.3, axis="y")
        year_ticks(axes[-1], comp["year"])
        axes[-1].set_xlabel("Year to 30 September")
        legend_below(fig, axes)
    return fig


def published_panels(comp: pd.DataFrame, measures: list[str], boroughs: list[str], programme_year: int = 2014):
    """Every published figure (for the appendix): one row per measure, one column per borough; the
    borough's series against its neighbours' median, its region (Inner London for the programme
    boroughs) and England. A suppressed or missing borough value is a gap in the line, marked with an
    'x' on the axis and labelled 'not published'."""
    with chart_style():
        fig, axes = panels(len(measures), len(boroughs), panel_height=2.0, extra=1.6, sharex=True, sharey="row")
        for j, b in enumerate(boroughs):
            for i, m in enumerate(measures):
                ax = axes[i * len(boroughs) + j]
                d = comp[(comp["borough"] == b) & (comp["measure"] == m)].sort_values("year")
                for col, (label, colour, ls, marker) in COMPARATOR_STYLE.items():
                    if col == "region" and "region_name" in d and len(d):
                        label = str(d["region_name"].iloc[0])  # the data's region, when it names one
                    lw = 1.8 if col == "borough_value" else 1.2
                    ax.plot(d["year"], d[col], color=colour, ls=ls, marker=marker, ms=3, lw=lw, label=label)
                _mark_not_published(ax, d[d["borough_value"].isna()]["year"])
                if i == 0:
                    ax.set_title(wrap(b, 14))
                if j == 0:
                    ax.set_ylabel(wrap(MEASURE_LABELS.get(m, m), 16))
        for ax in axes:
            ax.set_ylim(bottom=0)  # once every panel of the row is drawn (they share it)
        years = sorted({int(y) for y in comp["year"]})
        for ax in axes[-len(boroughs) :]:
            ax.set_xticks([years[0], years[-1]] if years else [])
        legend_below(fig, axes)
    return fig


def hr_series(ind: pd.DataFrame, published: pd.DataFrame | None, measures: list[str], programme_year: int = 2014):
    """One full-width panel per measure, in one column: each borough's HR-extract series by census year,
    the published figure as hollow markers, and the programme years shaded."""
    boroughs = [b for b in ind["borough"].unique() if b != "All"]
    colours = dict(zip(boroughs, BOROUGH_COLOURS, strict=False))
    with chart_style():
        fig, axes = panels(len(measures), panel_height=2.2, extra=1.4, sharex=True)
        for ax, m in zip(axes, measures, strict=False):
            ax.axvspan(programme_year - 0.5, ind["year"].max() + 0.5, color="#eeeeee", zorder=0)
            ax.text(
                programme_year - 0.4, 0.97, "programme", transform=ax.get_xaxis_transform(), va="top", color="#555555"
            )
            for b in boroughs:
                d = ind[ind["borough"] == b].sort_values("year")
                ax.plot(d["year"], d[m], color=colours[b], marker="o", ms=3, label=f"{b} (HR extract)")
                if published is not None:
                    p = published[
                        (published["borough"] == b)
                        & (published["measure"] == m)
                        & published["year"].between(ind["year"].min(), ind["year"].max())
                    ]
                    ax.plot(
                        p["year"],
                        p["value"],
                        ls="none",
                        marker="o",
                        mfc="none",
                        mec=colours[b],
                        ms=8,
                        label=f"{b} (published)",
                    )
            ax.set_title(MEASURE_LABELS.get(m, m), loc="left")
            ax.set_ylim(bottom=0)
        year_ticks(axes[-1], ind["year"])
        axes[-1].set_xlabel("Census year (to 30 September)")
        legend_below(fig, axes)
    return fig


def change_dots(change: pd.DataFrame, measures: list[str]):
    """One dot-and-whisker chart of the before/after change (percentage points, 95% CI): a block of
    rows per measure (each borough, then all boroughs together, in black), zero marked."""
    with chart_style():
        rows = [(m, r) for m in measures for _, r in change[change["measure"] == m].reset_index(drop=True).iterrows()]
        fig, ax = plt.subplots(
            figsize=(FIGURE_WIDTH, 0.38 * len(rows) + 0.5 * len(measures) + 1.2), layout="constrained"
        )
        ax.axvline(0, color="#999999", lw=1)
        y, ticks, labels, previous = 0.0, [], [], None
        for m, r in rows:
            if m != previous:
                y -= 0.9 if previous is not None else 0
                ax.text(  # from the figure's left edge: a long heading never runs off the right
                    0.01,
                    y + 0.05,
                    MEASURE_LABELS.get(m, m),
                    transform=blended_transform_factory(fig.transFigure, ax.transData),
                    fontweight="bold",
                    va="bottom",
                )
                y -= 0.75
                previous = m
            colour = "#000000" if r["borough"] == "All" else "#1b4f9c"
            ax.plot([r["ci_low"], r["ci_high"]], [y, y], color=colour, lw=2)
            ax.plot(r["change"], y, "o", color=colour)
            ticks.append(y)
            labels.append("All boroughs" if r["borough"] == "All" else r["borough"])
            y -= 1
        ax.set_yticks(ticks, labels)
        ax.set_ylim(y + 0.4, 0.2)
        ax.set_xlabel(wrap("after minus before (percentage points), 95% interval", 34))
        ax.grid(alpha=0.3, axis="x")
    return fig
