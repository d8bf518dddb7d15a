"""SCORE-15 charts: matplotlib/seaborn figures from the analysis results (returned, never shown or closed),
drawn at the report's width in its style (:mod:`helpers.figures`) so that their text stays legible on a phone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.config import DEFAULT_SUPPRESSION_THRESHOLD
from helpers.figures import FIGURE_WIDTH, chart_style

from .analysis import SCALES, TRAINED_LABELS, _trained_group
from .inputs import SUBSCALE_LABELS

# ---------------------------------------------------------------- charts


def chart_change(resp_change: pd.DataFrame, rci: float):
    """Histogram of per-respondent change in the total, with the ±RCI bands marked."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 4.2), layout="constrained")
        ax.axvspan(-rci, rci, color="#dddddd", alpha=0.6, label=f"no reliable change (|change| < {rci:.2f})")
        sns.histplot(resp_change["change"], bins=np.arange(-2.5, 2.55, 0.1), ax=ax, color="#1f77b4")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(
            min(-1.5, resp_change["change"].min() - 0.1) if len(resp_change) else -1.5,
            max(1.5, resp_change["change"].max() + 0.1) if len(resp_change) else 1.5,
        )
        ax.set_xlabel("Change in SCORE-15 total, wave 2 minus wave 1\n(negative = better)")
        ax.set_ylabel("Respondents")
        fig.legend(loc="outside lower center", frameon=False)  # under the axes, never over the bars
    return fig


def _subscale_tick(label: str) -> str:
    return label.replace(" (all 15 items)", "").replace(" and ", " &\n").replace(" by ", " by\n")


def chart_subscales_by_wave(scores: pd.DataFrame, resp_change: pd.DataFrame):
    """Mean subscale and total scores at each wave (respondents with a total at both waves), 95% CI:
    one row per scale (labels read across, however narrow the screen), waves side by side."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    sub = scores[scores["respondent_id"].isin(resp_change["respondent_id"])]
    long = sub.melt(id_vars=["respondent_id", "wave"], value_vars=list(SCALES), var_name="scale", value_name="score")
    long["scale"] = long["scale"].map(SUBSCALE_LABELS).map(_subscale_tick)
    long["wave"] = "Wave " + long["wave"].astype(str)
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 0.75 * long["scale"].nunique() + 1.6), layout="constrained")
        sns.pointplot(
            data=long,
            y="scale",
            x="score",
            hue="wave",
            dodge=0.3,
            errorbar=("ci", 95),
            seed=0,
            linestyle="none",
            markers=["o", "s"],
            ax=ax,
            palette=["#7f7f7f", "#1f77b4"],
        )
        ax.set_ylabel("")
        # the whole 1-5 scale, so that a small change does not look large
        ax.set_xlim(1, 5)
        ax.set_xticks([1, 2, 3, 4, 5])
        ax.set_xlabel("Mean score (1-5,\nhigher = more difficulty)")
        ax.grid(alpha=0.3, axis="x")
        ax.get_legend().remove()
        fig.legend(title="", frameon=False, loc="outside lower center", ncol=2)
    return fig


def chart_wave1_vs_wave2(resp_change: pd.DataFrame, rci: float, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD):
    """Each respondent's wave-1 total against wave-2 total, with the no-change line and RCI band.

    One dot per person: points are coloured by the practitioner's training only when every colour
    group has more than ``threshold`` members (otherwise one colour for all). Returns
    ``(figure, coloured)``.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    data = resp_change.assign(group=_trained_group(resp_change["practitioner_trained"]).map(TRAINED_LABELS))
    coloured = bool(len(data)) and bool((data["group"].value_counts() > threshold).all())
    if not coloured:
        data = data.assign(group="All family members")
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, FIGURE_WIDTH + 0.6), layout="constrained")
        grid = np.array([1, 5])
        ax.fill_between(grid, grid - rci, grid + rci, color="#dddddd", alpha=0.6, label="no reliable change")
        ax.plot(grid, grid, color="black", lw=0.8)
        sns.scatterplot(data=data, x="total_wave1", y="total_wave2", hue="group", alpha=0.7, s=18, ax=ax)
        ax.set_xlim(1, 5)
        ax.set_ylim(1, 5)
        ax.set_aspect("equal")
        ax.set_xlabel("Total at wave 1 (1-5)")
        ax.set_ylabel("Total at wave 2 (1-5)")
        ax.get_legend().remove()
        fig.legend(title="", frameon=False, loc="outside lower center", ncol=2)
    return fig, coloured
