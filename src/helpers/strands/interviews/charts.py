"""Figures of the interviews strand, from analysis results. Returned, never shown or closed; no backend
is set. Every figure hides what the disclosure rule hides: cells, edges and points resting on a count
from 1 to ``threshold`` people are greyed out or left out, and say so."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from ...disclosure import is_small
from .analysis import GROUP_LABELS


def _label(text) -> str:
    """Text from the data as a matplotlib label: a "$" would start mathtext."""
    return str(text).replace("$", r"\$")


def chart_prevalence(prev: pd.DataFrame, themes: list[str], threshold: int):
    """Heatmap: % of participants mentioning each theme, by participant type; small cells greyed ("c")."""
    import matplotlib.pyplot as plt

    sub = prev[prev["grouping"] == "Participant type"]
    groups = [g for g in GROUP_LABELS.values() if g in set(sub["group"])]
    share = sub.pivot(index="theme", columns="group", values="share").reindex(index=themes, columns=groups)
    k = sub.pivot(index="theme", columns="group", values="n_mentioning").reindex(index=themes, columns=groups)
    n = sub.pivot(index="theme", columns="group", values="n_participants").reindex(index=themes, columns=groups)
    hidden = k.map(lambda v: is_small(v, threshold)) | n.map(lambda v: is_small(v, threshold))
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(themes) + 1.6))
    data = np.ma.masked_array(share.to_numpy(dtype=float), mask=hidden.to_numpy())
    cmap = plt.get_cmap("Blues").with_extremes(bad="#dddddd")
    im = ax.imshow(data, cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for i in range(len(themes)):
        for j in range(len(groups)):
            txt = "c" if hidden.iat[i, j] else f"{share.iat[i, j]:.0f}%"
            ax.text(
                j,
                i,
                txt,
                ha="center",
                va="center",
                fontsize=8,
                color="white" if not hidden.iat[i, j] and share.iat[i, j] > 60 else "black",
            )
    ax.set_xticks(
        range(len(groups)),
        [f"{g}\n(n = {n[g].max():.0f})" if not is_small(n[g].max(), threshold) else f"{g}\n(n = c)" for g in groups],
        fontsize=8,
    )
    ax.set_yticks(range(len(themes)), [_label(t) for t in themes], fontsize=8)
    fig.colorbar(im, ax=ax, label="% of participants mentioning the theme")
    ax.set_title("Who talked about what", fontsize=10)
    fig.tight_layout()
    return fig


def _layout(g: nx.Graph, clusters: pd.DataFrame) -> dict:
    """Circle, themes grouped by cluster then alphabetically: the same graph always draws the same."""
    order = []
    for themes in clusters.sort_values("cluster")["themes"]:
        order += [t for t in themes.split("; ") if t in g]
    order += sorted(t for t in g.nodes if t not in order)
    n = max(len(order), 1)
    return {
        t: (math.cos(math.pi / 2 - 2 * math.pi * i / n), math.sin(math.pi / 2 - 2 * math.pi * i / n))
        for i, t in enumerate(order)
    }


def chart_network(g: nx.Graph, edges: pd.DataFrame, clusters: pd.DataFrame, threshold: int):
    """Co-occurrence network: node size = % of participants mentioning the theme, edge width = interviews
    where the two themes were coded on the same or overlapping passages; colour = cluster. Links resting
    on ``threshold`` participants or fewer are not drawn."""
    import matplotlib.pyplot as plt

    pos = _layout(g, clusters)
    colours = plt.get_cmap("tab10")
    cluster_of = {t: int(r.cluster) for r in clusters.itertuples() for t in r.themes.split("; ")}
    shown = edges.loc[~edges["n_participants"].map(lambda v: is_small(v, threshold)).astype(bool).to_numpy()]
    fig, ax = plt.subplots(figsize=(7.5, 6.5))
    wmax = max(shown["n_interviews"].max() if len(shown) else 1, 1)
    for r in shown.sort_values(["theme_a", "theme_b"]).itertuples():
        (x1, y1), (x2, y2) = pos[r.theme_a], pos[r.theme_b]
        ax.plot([x1, x2], [y1, y2], color="#555555", alpha=0.6, lw=0.5 + 5 * r.n_interviews / wmax, zorder=1)
    for t in sorted(g.nodes):
        x, y = pos[t]
        share = g.nodes[t].get("share", np.nan)
        size = 150 + 12 * (0 if pd.isna(share) else share)
        ax.scatter([x], [y], s=size, color=colours((cluster_of.get(t, 1) - 1) % 10), edgecolor="black", zorder=2)
        ha = "left" if x > 0.2 else ("right" if x < -0.2 else "center")
        ax.text(x * 1.16, y * 1.16, _label(t), ha=ha, va="center", fontsize=8)
    ax.set_xlim(-2.0, 2.0)
    ax.set_ylim(-1.4, 1.4)
    ax.set_axis_off()
    ax.set_title("Themes coded on the same passages (colour = cluster)", fontsize=10)
    return fig


def changes_to_draw(change: pd.DataFrame, themes: list[str], threshold: int, group: str = "Staff") -> pd.DataFrame:
    """The rows :func:`chart_change` draws: the group's themes raised at either wave, estimable, neither
    wave resting on ``threshold`` people or fewer."""
    sub = change[(change["group"] == group)].set_index("theme").reindex(themes).dropna(subset=["change"])
    small = sub["n_wave1"].map(lambda v: is_small(v, threshold)).astype(bool) | sub["n_wave2"].map(
        lambda v: is_small(v, threshold)
    ).astype(bool)
    sub = sub.loc[~small.to_numpy()]
    return sub.loc[((sub["share_wave1"] > 0) | (sub["share_wave2"] > 0)).to_numpy()]


def chart_change(change: pd.DataFrame, themes: list[str], threshold: int, group: str = "Staff"):
    """Change in prevalence between waves (percentage points, 95% CI), one group; themes resting on a
    small wave left out."""
    import matplotlib.pyplot as plt

    sub = changes_to_draw(change, themes, threshold, group)
    fig, ax = plt.subplots(figsize=(7, 0.4 * max(len(sub), 1) + 1.5))
    y = np.arange(len(sub))[::-1]
    ax.errorbar(
        sub["change"],
        y,
        xerr=[sub["change"] - sub["ci_low"], sub["ci_high"] - sub["change"]],
        fmt="o",
        color="#1f77b4",
        ecolor="#7f7f7f",
        capsize=3,
    )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, [_label(t) for t in sub.index], fontsize=8)
    ax.set_xlabel("Change in % of interviews mentioning the theme, wave 2 minus wave 1 (percentage points, 95% CI)")
    ax.set_title(f"{group}: what changed between the waves", fontsize=10)
    fig.tight_layout()
    return fig
