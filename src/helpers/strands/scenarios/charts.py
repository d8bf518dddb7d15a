"""Practice scenarios charts: matplotlib/seaborn figures from the analysis results (returned, never shown or closed)."""

from __future__ import annotations

import pandas as pd

from .analysis import rollout_groups
from .inputs import OUTCOME_LABELS, OUTCOMES, ROLE_LABELS, ROLLOUT_GROUPS

# ---------------------------------------------------------------- charts

TRAINED_LABELS = {"not_yet_trained": "not yet trained", "trained": "trained"}
VERDICT_MARK = {
    "reliable": "",
    "tentative": " (tentative coding)",
    "unreliable": " (unreliable coding)",
    "not_computed": " (reliability not computed)",
}


def _outcome_label(code: str, rel: pd.DataFrame | None = None) -> str:
    label = OUTCOME_LABELS.get(code, code)
    if rel is not None and code in set(rel["outcome"]):
        label += VERDICT_MARK[rel.set_index("outcome").loc[code, "verdict"]]
    return label


def chart_clearly_present(cp: pd.DataFrame, rel: pd.DataFrame | None = None, min_n: int = 10):
    """Heatmap: % of answers with each outcome clearly present, by wave and training status.
    Cells with fewer than ``min_n`` answers are left blank."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    t = cp.copy()
    t["column"] = "Wave " + t["wave"].astype(str) + "\n" + t["trained"].map(TRAINED_LABELS)
    t["pct"] = t["pct_clearly_present"].where(t["n_answers"] >= min_n)
    grid = t.pivot_table(index="outcome", columns="column", values="pct", aggfunc="first", dropna=False)
    grid = grid.reindex(index=[o for o in OUTCOMES if o in grid.index])
    grid.index = [_outcome_label(o, rel) for o in grid.index]
    fig, ax = plt.subplots(figsize=(8, 5))
    sns.heatmap(
        grid,
        annot=True,
        fmt=".0f",
        cmap="Blues",
        vmin=0,
        vmax=100,
        cbar_kws={"label": "% clearly present"},
        linewidths=0.5,
        ax=ax,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", rotation=0)
    fig.tight_layout()
    return fig


def _seeded_stripplot(seed: int = 2014, **kwargs):
    """seaborn's strip plot with its jitter seeded, so the same data always give the same picture.

    seaborn draws the jitter from NumPy's global generator; it is seeded for this call only and then
    restored, so nothing else's random numbers change.
    """
    import numpy as np
    import seaborn as sns

    state = np.random.get_state()
    np.random.seed(seed)
    try:
        return sns.stripplot(**kwargs)
    finally:
        np.random.set_state(state)


def chart_distributions(pw: pd.DataFrame):
    """Box and strip plots of practitioner-wave alignment: by wave and training status, and by role."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    d = pw[pw["trained"] != "mixed"].copy()
    d["group"] = "Wave " + d["wave"].astype(str) + "\n" + d["trained"].map({"yes": "trained", "no": "not yet trained"})
    d["role_label"] = (
        d["role"].map(ROLE_LABELS).fillna(d["role"]).str.replace(" / ", " /\n").str.replace(" worker", "\nworker")
    )
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharey=True, gridspec_kw={"width_ratios": [4, 5]})
    for ax, col in zip(axes, ("group", "role_label"), strict=True):
        order = sorted(d[col].unique())
        counts = d[col].value_counts()
        sns.boxplot(data=d, x=col, y="alignment", order=order, ax=ax, color="#c6dbef", showfliers=False, width=0.6)
        _seeded_stripplot(
            data=d, x=col, y="alignment", order=order, ax=ax, color="#08519c", size=2.5, alpha=0.5, jitter=0.25
        )
        ax.set_xticks(range(len(order)), [f"{g}\n(n={counts[g]})" for g in order], fontsize=8)
        ax.set_xlabel("")
        ax.set_ylabel("Alignment score (0-100)" if col == "group" else "")
        ax.set_ylim(0, 100)
    axes[0].set_title("By wave and training status", fontsize=10)
    axes[1].set_title("By role (both waves)", fontsize=10)
    sns.despine(fig)
    fig.tight_layout()
    return fig


def chart_change(pw: pd.DataFrame):
    """Each practitioner's alignment at wave 1 and wave 2, one panel per rollout group, group mean in bold."""
    import matplotlib.pyplot as plt

    rg = rollout_groups(pw)
    groups = [g for g in ROLLOUT_GROUPS if (rg["group"] == g).any()]
    fig, axes = plt.subplots(1, max(1, len(groups)), figsize=(3.4 * max(1, len(groups)), 4), sharey=True, squeeze=False)
    for ax, g in zip(axes[0], groups, strict=False):  # one empty panel when no group has data
        sub = rg[rg["group"] == g]
        for _, r in sub.iterrows():
            ax.plot([1, 2], [r["wave1"], r["wave2"]], color="#9ecae1", lw=0.8, alpha=0.7)
        ax.plot([1, 2], [sub["wave1"].mean(), sub["wave2"].mean()], color="#08306b", lw=3, marker="o")
        ax.set_title(f"{ROLLOUT_GROUPS[g]}\n(n={len(sub)})", fontsize=10)
        ax.set_xticks([1, 2], ["Wave 1", "Wave 2"])
        ax.set_xlim(0.8, 2.2)
        ax.set_ylim(0, 100)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("Alignment score (0-100)")
    fig.tight_layout()
    return fig
