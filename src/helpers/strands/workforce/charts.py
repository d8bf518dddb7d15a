"""Workforce charts (returned, never shown or closed)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from .analysis import MEASURE_LABELS

COMPARATOR_STYLE = {
    "borough_value": ("Borough", "#1b4f9c", "-", "o"),
    "neighbours_median": ("Statistical neighbours (median)", "#e08214", "--", None),
    "region": ("Inner London", "#7f7f7f", ":", None),  # the label is the data's region_name when it has one
    "england": ("England", "#000000", "-.", None),
}


def published_panels(comp: pd.DataFrame, measures: list[str], boroughs: list[str], programme_year: int = 2014):
    """Grid: one row per borough, one column per measure; the borough's published series against its
    neighbours' median, its region (Inner London for the programme boroughs) and England. A suppressed or missing borough value is a gap in
    the line, marked with an 'x' on the axis and labelled 'not published'."""
    fig, axes = plt.subplots(
        len(boroughs),
        len(measures),
        figsize=(3.2 * len(measures), 2.4 * len(boroughs) + 0.6),
        sharex=True,
        squeeze=False,
    )
    for i, b in enumerate(boroughs):
        for j, m in enumerate(measures):
            ax = axes[i][j]
            d = comp[(comp["borough"] == b) & (comp["measure"] == m)].sort_values("year")
            for col, (label, colour, ls, marker) in COMPARATOR_STYLE.items():
                if col == "region" and "region_name" in d and len(d):
                    label = str(d["region_name"].iloc[0])
                ax.plot(
                    d["year"],
                    d[col],
                    color=colour,
                    ls=ls,
                    marker=marker,
                    ms=3,
                    lw=1.6 if col == "borough_value" else 1.1,
                    label=label,
                )
            gaps = d[d["borough_value"].isna()]
            if len(gaps):
                ax.plot(
                    gaps["year"],
                    np.zeros(len(gaps)),
                    "x",
                    color="#b00020",
                    ms=6,
                    clip_on=False,
                    label="Borough figure not published",
                )
            ax.set_ylim(bottom=0)
            if i == 0:
                ax.set_title(MEASURE_LABELS.get(m, m), fontsize=9)
            if j == 0:
                ax.set_ylabel(b, fontsize=9)
            ax.tick_params(labelsize=7)
    handles, labels = [], []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=False):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8, frameon=False)
    sns.despine(fig=fig)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def hr_series(ind: pd.DataFrame, published: pd.DataFrame | None, measures: list[str], programme_year: int = 2014):
    """One panel per measure: each borough's HR-extract series by census year, the published figure
    as hollow markers, and a shaded band from the programme start."""
    fig, axes = plt.subplots(1, len(measures), figsize=(4.0 * len(measures), 3.2), squeeze=False)
    boroughs = [b for b in ind["borough"].unique() if b != "All"]
    colours = dict(zip(boroughs, sns.color_palette("colorblind", len(boroughs)), strict=False))
    for ax, m in zip(axes[0], measures, strict=False):
        ax.axvspan(programme_year - 0.5, ind["year"].max() + 0.5, color="#eeeeee", zorder=0)
        ax.text(
            programme_year - 0.4,
            0.98,
            "programme",
            transform=ax.get_xaxis_transform(),
            va="top",
            fontsize=7,
            color="#555555",
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
                    ms=7,
                    label=f"{b} (published)",
                )
        ax.set_title(MEASURE_LABELS.get(m, m), fontsize=9)
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=7, frameon=False)
    sns.despine(fig=fig)
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    return fig


def change_dots(change: pd.DataFrame, measures: list[str]):
    """Dot-and-whisker chart of the before/after change (percentage points, 95% CI) per borough and
    overall, one panel per measure, zero marked."""
    fig, axes = plt.subplots(1, len(measures), figsize=(3.6 * len(measures), 2.8), squeeze=False)
    for ax, m in zip(axes[0], measures, strict=False):
        d = change[change["measure"] == m].reset_index(drop=True).iloc[::-1].reset_index(drop=True)
        ax.axvline(0, color="#999999", lw=1)
        for i, r in d.iterrows():
            colour = "#000000" if r["borough"] == "All" else "#1b4f9c"
            ax.plot([r["ci_low"], r["ci_high"]], [i, i], color=colour, lw=2)
            ax.plot(r["change"], i, "o", color=colour)
        ax.set_yticks(range(len(d)), d["borough"] if ax is axes[0][0] else [""] * len(d), fontsize=8)
        ax.set_title(MEASURE_LABELS.get(m, m), fontsize=9)
        ax.set_xlabel("after - before (points)", fontsize=8)
        ax.tick_params(labelsize=7)
    sns.despine(fig=fig)
    fig.tight_layout()
    return fig
