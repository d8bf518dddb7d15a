"""SCORE-15 charts: matplotlib/seaborn figures from the analysis results (returned, never shown or closed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .analysis import SCALES, TRAINED_LABELS, _trained_group
from .inputs import SUBSCALE_LABELS

# ---------------------------------------------------------------- charts


def chart_change(resp_change: pd.DataFrame, rci: float):
    """Histogram of per-respondent change in the total, with the ±RCI bands marked."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.axvspan(-rci, rci, color="#dddddd", alpha=0.6, label=f"no reliable change (|change| < {rci:.2f})")
    sns.histplot(resp_change["change"], bins=np.arange(-2.5, 2.55, 0.1), ax=ax, color="#1f77b4")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(
        min(-1.5, resp_change["change"].min() - 0.1) if len(resp_change) else -1.5,
        max(1.5, resp_change["change"].max() + 0.1) if len(resp_change) else 1.5,
    )
    ax.set_xlabel("Change in SCORE-15 total, wave 2 minus wave 1 (negative = better)")
    ax.set_ylabel("Respondents")
    ax.legend(loc="upper left", frameon=False)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def chart_subscales_by_wave(scores: pd.DataFrame, resp_change: pd.DataFrame):
    """Mean subscale and total scores at each wave (respondents with a total at both waves), 95% CI."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    sub = scores[scores["respondent_id"].isin(resp_change["respondent_id"])]
    long = sub.melt(id_vars=["respondent_id", "wave"], value_vars=list(SCALES), var_name="scale", value_name="score")
    long["scale"] = long["scale"].map(SUBSCALE_LABELS)
    long["wave"] = "Wave " + long["wave"].astype(str)
    fig, ax = plt.subplots(figsize=(7, 4))
    sns.pointplot(
        data=long,
        x="scale",
        y="score",
        hue="wave",
        dodge=0.3,
        errorbar=("ci", 95),
        seed=0,
        linestyle="none",
        markers=["o", "s"],
        ax=ax,
        palette=["#7f7f7f", "#1f77b4"],
    )
    ax.set_xlabel("")
    ax.set_ylabel("Mean score (1-5, higher = more difficulty)")
    ax.set_xticks(
        ax.get_xticks(),
        [
            t.get_text().replace(" (all 15 items)", "").replace(" and ", " &\n").replace(" by ", " by\n")
            for t in ax.get_xticklabels()
        ],
    )
    ax.legend(title="", frameon=False)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def chart_wave1_vs_wave2(resp_change: pd.DataFrame, rci: float):
    """Each respondent's wave-1 total against wave-2 total, with the no-change line and RCI band."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    data = resp_change.assign(group=_trained_group(resp_change["practitioner_trained"]).map(TRAINED_LABELS))
    fig, ax = plt.subplots(figsize=(5.5, 5))
    grid = np.array([1, 5])
    ax.fill_between(grid, grid - rci, grid + rci, color="#dddddd", alpha=0.6, label="no reliable change")
    ax.plot(grid, grid, color="black", lw=0.8)
    sns.scatterplot(data=data, x="total_wave1", y="total_wave2", hue="group", alpha=0.7, s=18, ax=ax)
    ax.set_xlim(1, 5)
    ax.set_ylim(1, 5)
    ax.set_aspect("equal")
    ax.set_xlabel("Total at wave 1 (1-5)")
    ax.set_ylabel("Total at wave 2 (1-5)")
    ax.legend(title="", frameon=False, loc="upper left", fontsize=8)
    sns.despine(fig)
    fig.tight_layout()
    return fig
