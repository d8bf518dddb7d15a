"""Time-use charts: the week as stacked bars, and the change per activity. Figures are returned, drawn
at the report's width in its style (:mod:`helpers.figures`) so that their text stays legible on a phone."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from ...figures import FIGURE_WIDTH, chart_style, legend_below, wrap


def _palette(n: int):
    return sns.color_palette("tab10", n)


def stacked_week(summary: pd.DataFrame, activities: pd.DataFrame, rows: list[tuple[str, str]]):
    """Horizontal 100% stacked bars: one bar per (wave code, bar label) in ``rows``, one segment per
    activity (mean share), labelled with the percentage where the segment is wide enough."""
    codes = list(activities["code"])
    labels = activities.set_index("code")["label"]
    with chart_style():
        fig, ax = plt.subplots(
            figsize=(FIGURE_WIDTH, 0.7 * len(rows) + 0.35 * ((len(codes) + 1) // 2) + 1.2), layout="constrained"
        )
        colours = _palette(len(codes))
        for y, (wave, _bar_label) in enumerate(rows):
            sub = summary[summary["wave"] == wave].set_index("activity")
            left = 0.0
            for k, code in enumerate(codes):
                w = float(sub.loc[code, "mean_share"]) if code in sub.index else 0.0
                ax.barh(y, w, left=left, color=colours[k], edgecolor="white", label=labels[code] if y == 0 else None)
                if w >= 0.08:
                    ax.text(left + w / 2, y, f"{100 * w:.0f}%", ha="center", va="center", color="white")
                left += w
        ax.set_yticks(range(len(rows)), [r[1] for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{100 * v:.0f}%"))
        ax.set_xlabel("Share of a typical week (mean of practitioners' shares)")
        sns.despine(fig=fig, left=True)
        legend_below(fig, [ax])
    return fig


def change_per_activity(change: pd.DataFrame, direct: str):
    """Dot-and-whisker chart of the mean change in each activity's share (percentage points, 95% CI:
    the team-clustered one where the table has it, else the paired t one), direct work highlighted,
    zero line marked."""
    c = change.iloc[::-1].reset_index(drop=True)
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 0.5 * len(c) + 1.4), layout="constrained")
        y = np.arange(len(c))
        colours = ["#1b7837" if a == direct else "#555555" for a in c["activity"]]
        ax.axvline(0, color="#999999", lw=1)
        for i, row in c.iterrows():
            team = "team_ci_low" in row
            lo, hi = (row["team_ci_low"], row["team_ci_high"]) if team else (row["ci_low"], row["ci_high"])
            ax.plot([100 * lo, 100 * hi], [i, i], color=colours[i], lw=2)
            ax.plot(100 * row["mean_change"], i, "o", color=colours[i], ms=7)
        ax.set_yticks(y, [wrap(label, 24) for label in c["label"]])
        ax.set_xlabel(wrap("Change in share of the week, percentage points (later wave minus earlier; 95% CI)", 40))
        ax.grid(alpha=0.3, axis="x")
    return fig
