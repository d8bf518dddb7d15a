"""Practice scenarios charts: matplotlib/seaborn figures from the analysis results (returned, never shown or
closed), drawn at the report's width in its style (:mod:`helpers.figures`) so that their text stays legible
on a phone."""

from __future__ import annotations

import pandas as pd

from helpers.config import DEFAULT_SUPPRESSION_THRESHOLD
from helpers.disclosure import is_small
from helpers.figures import FIGURE_WIDTH, chart_style, wrap

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


def chart_clearly_present(
    cp: pd.DataFrame, rel: pd.DataFrame | None = None, min_n: int = 10, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD
):
    """Heatmap: % of answers with each outcome clearly present, by wave and training status.
    Cells with fewer than ``min_n`` answers, or whose number of answers clearly present is small
    (1 to ``threshold``: the % would give it back), are left blank."""
    import matplotlib.pyplot as plt
    import seaborn as sns

    t = cp.copy()
    t["column"] = ("Wave " + t["wave"].astype(str) + " " + t["trained"].map(TRAINED_LABELS)).map(lambda c: wrap(c, 11))
    keep = (t["n_answers"] >= min_n) & ~t["n_clearly_present"].map(lambda k: is_small(k, threshold))
    t["pct"] = t["pct_clearly_present"].where(keep)
    grid = t.pivot_table(index="outcome", columns="column", values="pct", aggfunc="first", dropna=False)
    grid = grid.reindex(index=[o for o in OUTCOMES if o in grid.index])
    grid.index = [wrap(_outcome_label(o, rel), 22) for o in grid.index]
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 0.62 * len(grid) + 1.5), layout="constrained")
        # no colour bar: every cell carries its number; blank cells are the ones left out
        sns.heatmap(grid, annot=True, fmt=".0f", cmap="Blues", vmin=0, vmax=100, cbar=False, linewidths=0.5, ax=ax)
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="x", rotation=0, labeltop=True, labelbottom=False, length=0)
        ax.tick_params(axis="y", rotation=0)
        # from the figure's left edge, not the grid's: the outcome labels take half the width
        fig.suptitle("% of answers with each outcome clearly present", x=0.01, ha="left", fontsize="medium")
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


def shown_groups(labels: pd.Series, threshold: int, other: str = "Other roles") -> pd.Series:
    """Chart groups with no group of ``threshold`` or fewer members: small groups are merged into
    ``other`` (kept only if the merged group is large enough), else left out (NaN)."""
    counts = labels.value_counts()
    small = set(counts[counts <= threshold].index)
    out = labels.where(~labels.isin(small), other if counts[list(small)].sum() > threshold else None)
    return out


def chart_distributions(pw: pd.DataFrame, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD, hidden=()):
    """Box and strip plots of practitioner-wave alignment: by wave and training status, and by role.

    One dot per practitioner-wave, so no group of ``threshold`` or fewer is drawn: small roles are
    merged into "Other roles" (or left out when that is small too), small wave-and-training groups
    are left out, and so are the groups named in ``hidden`` (e.g. "Wave 1\\nnot yet trained": groups
    a table suppresses). Returns ``(figure, the rows drawn in the left panel)``.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    d = pw[pw["trained"] != "mixed"].copy()
    d["group"] = "Wave " + d["wave"].astype(str) + "\n" + d["trained"].map({"yes": "trained", "no": "not yet trained"})
    counts = d["group"].value_counts()
    d["group"] = d["group"].where((d["group"].map(counts) > threshold) & ~d["group"].isin(list(hidden)))
    d["role_label"] = shown_groups(d["role"].map(ROLE_LABELS).fillna(d["role"]), threshold).map(
        lambda r: r if not isinstance(r, str) else r.replace(" / ", " /\n").replace(" worker", "\nworker")
    )
    with chart_style():
        fig, axes = plt.subplots(2, 1, figsize=(FIGURE_WIDTH, 7.6), layout="constrained")
        _draw_distributions(sns, d, axes)
    return fig, d[d["group"].notna()]


def _draw_distributions(sns, d: pd.DataFrame, axes) -> None:
    """The two panels of :func:`chart_distributions`: by wave and training, and by role."""
    for ax, col in zip(axes, ("group", "role_label"), strict=True):
        sub = d[d[col].notna()]
        order = sorted(sub[col].unique())
        if not len(sub):
            ax.text(0.5, 0.5, "No group large enough to show", ha="center", va="center", transform=ax.transAxes)
        else:
            sns.boxplot(
                data=sub, x=col, y="alignment", order=order, ax=ax, color="#c6dbef", showfliers=False, width=0.6
            )
            _seeded_stripplot(
                data=sub, x=col, y="alignment", order=order, ax=ax, color="#08519c", size=2.5, alpha=0.5, jitter=0.25
            )
            # no "n=" on the chart: counts are given (or suppressed) in the tables only
            ax.set_xticks(range(len(order)), order)
        ax.set_xlabel("")
        ax.set_ylabel("Alignment score (0-100)")
        ax.set_ylim(0, 100)
    axes[0].set_title("By wave and training status", loc="left")
    axes[1].set_title("By role (both waves)", loc="left")


def chart_change(pw: pd.DataFrame, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD, hidden=()):
    """Each practitioner's alignment at wave 1 and wave 2, one panel per rollout group, group mean in bold.

    A rollout group of ``threshold`` or fewer practitioners is left out (one line per person would
    show them), and so is any group in ``hidden`` (groups a table suppresses). Returns
    ``(figure, the groups drawn)``.
    """
    import matplotlib.pyplot as plt

    rg = rollout_groups(pw)
    sizes = rg["group"].value_counts()
    groups = [g for g in ROLLOUT_GROUPS if sizes.get(g, 0) > threshold and g not in hidden]
    with chart_style():
        fig, axes = plt.subplots(
            1, max(1, len(groups)), figsize=(FIGURE_WIDTH, 4.2), sharey=True, squeeze=False, layout="constrained"
        )
        _draw_change(rg, groups, axes)
    return fig, groups


def _draw_change(rg: pd.DataFrame, groups: list, axes) -> None:
    """The panels of :func:`chart_change`, one per rollout group."""
    if not groups:
        axes[0][0].text(
            0.5, 0.5, "No group large enough to show", ha="center", va="center", transform=axes[0][0].transAxes
        )
    for ax, g in zip(axes[0], groups, strict=False):
        sub = rg[rg["group"] == g]
        for _, r in sub.iterrows():
            ax.plot([1, 2], [r["wave1"], r["wave2"]], color="#9ecae1", lw=0.8, alpha=0.7)
        ax.plot([1, 2], [sub["wave1"].mean(), sub["wave2"].mean()], color="#08306b", lw=3, marker="o")
        ax.set_title(wrap(ROLLOUT_GROUPS[g], 13))
        ax.set_xticks([1, 2], ["Wave 1", "Wave 2"])
        ax.set_xlim(0.5, 2.5)  # room between panels for their "Wave 2" and the next one's "Wave 1"
        ax.set_ylim(0, 100)
    axes[0][0].set_ylabel("Alignment score (0-100)")
