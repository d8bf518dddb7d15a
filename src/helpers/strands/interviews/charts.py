"""Figures of the interviews strand, from analysis results. Returned, never shown or closed; no backend
is set; drawn at the report's width in its style (:mod:`helpers.figures`), legible on a phone. Every figure hides what the disclosure rule hides: cells, edges and points resting on a count
from 1 to ``threshold`` people are greyed out or left out, and say so."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from ...disclosure import is_small
from ...figures import FIGURE_WIDTH, chart_style, wrap
from .analysis import GROUP_LABELS


def _label(text, width: int = 200) -> str:
    """Text from the data as a matplotlib label (a "$" would start mathtext), wrapped at ``width``."""
    return wrap(text, width).replace("$", r"\$")


def chart_prevalence(prev: pd.DataFrame, themes: list[str], threshold: int):
    """Heatmap: % of participants mentioning each theme, by participant type; small cells greyed ("c")."""
    import matplotlib.pyplot as plt

    sub = prev[prev["grouping"] == "Participant type"]
    groups = [g for g in GROUP_LABELS.values() if g in set(sub["group"])]
    share = sub.pivot(index="theme", columns="group", values="share").reindex(index=themes, columns=groups)
    k = sub.pivot(index="theme", columns="group", values="n_mentioning").reindex(index=themes, columns=groups)
    n = sub.pivot(index="theme", columns="group", values="n_participants").reindex(index=themes, columns=groups)
    hidden = k.map(lambda v: is_small(v, threshold)) | n.map(lambda v: is_small(v, threshold))
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 0.5 * len(themes) + 1.6), layout="constrained")
        _draw_prevalence(ax, share, n, hidden, themes, groups, threshold)
    return fig


def _draw_prevalence(ax, share, n, hidden, themes, groups, threshold) -> None:
    """The cells of :func:`chart_prevalence`: each share written in its cell, "c" where small."""
    import matplotlib.pyplot as plt

    data = np.ma.masked_array(share.to_numpy(dtype=float), mask=hidden.to_numpy())
    cmap = plt.get_cmap("Blues").with_extremes(bad="#dddddd")
    ax.imshow(data, cmap=cmap, vmin=0, vmax=100, aspect="auto")
    for i in range(len(themes)):
        for j in range(len(groups)):
            txt = "c" if hidden.iat[i, j] else f"{share.iat[i, j]:.0f}%"
            ax.text(
                j,
                i,
                txt,
                ha="center",
                va="center",
                color="white" if not hidden.iat[i, j] and share.iat[i, j] > 60 else "black",
            )
    ax.set_xticks(
        range(len(groups)),
        [
            wrap(g, 12) + (f"\n(n = {n[g].max():.0f})" if not is_small(n[g].max(), threshold) else "\n(n = c)")
            for g in groups
        ],
    )
    ax.tick_params(axis="x", labeltop=True, labelbottom=False, length=0)
    ax.set_yticks(range(len(themes)), [_label(t, 26) for t in themes])
    # no colour bar: every cell carries its number
    ax.set_title("Who talked about what: % of participants\nmentioning each theme", loc="left")


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
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 4.9))
        _draw_network(ax, g, pos, shown, colours, cluster_of)
    return fig


def _draw_network(ax, g, pos, shown, colours, cluster_of) -> None:
    """Edges, then nodes and their labels, of :func:`chart_network`."""
    wmax = max(shown["n_interviews"].max() if len(shown) else 1, 1)
    for r in shown.sort_values(["theme_a", "theme_b"]).itertuples():
        (x1, y1), (x2, y2) = pos[r.theme_a], pos[r.theme_b]
        ax.plot([x1, x2], [y1, y2], color="#555555", alpha=0.6, lw=0.5 + 5 * r.n_interviews / wmax, zorder=1)
    for t in sorted(g.nodes):
        x, y = pos[t]
        share = g.nodes[t].get("share", np.nan)
        size = 60 + 6 * (0 if pd.isna(share) else share)
        ax.scatter([x], [y], s=size, color=colours((cluster_of.get(t, 1) - 1) % 10), edgecolor="black", zorder=2)
        ha = "left" if x > 0.2 else ("right" if x < -0.2 else "center")
        ax.text(x * 1.2, y * 1.2, _label(t, 13), ha=ha, va="center")
    ax.set_xlim(-2.1, 2.1)
    ax.set_ylim(-1.5, 1.5)
    ax.set_axis_off()
    ax.set_title("Themes coded on the same passages\n(colour = cluster)")


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
    with chart_style():
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 0.5 * max(len(sub), 1) + 1.7), layout="constrained")
        _draw_change(ax, sub, group)
    return fig


def _draw_change(ax, sub, group) -> None:
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
    ax.set_yticks(y, [_label(t, 24) for t in sub.index])
    ax.set_xlabel(
        wrap("Change in % of interviews mentioning the theme, wave 2 minus wave 1 (percentage points, 95% CI)", 38)
    )
    ax.set_title(_label(f"{group}: what changed between the waves"), loc="left")
    ax.grid(alpha=0.3, axis="x")
