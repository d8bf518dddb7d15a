"""Ecomap-style drawings of family network maps, small multiples and aggregate charts.

An ecomap (Hartman 1978) puts the family at the centre and the people and services around it. Here:

* members sit on three rings by closeness: very close on the inner ring, not very close outside;
* around the circle members are grouped by life domain (in :data:`helpers.strands.networks.inputs.DOMAINS` order)
  and ordered by member ID inside a domain, so the same data always give the same picture: no random
  layout anywhere;
* colour shows the domain (Okabe-Ito colours, readable with colour-blindness);
* the line to the family shows the relationship: solid strong, dashed tenuous, jagged (red)
  stressful; arrowheads show which way help goes (towards the family, towards the member, or both);
* thin grey lines join members who know each other, where that was recorded;
* labels are role labels only, never names or identifiers, written outwards along each member's
  radius; a label that would still overlap another is a number on the map, its role listed in the key
  (:mod:`helpers.strands.networks.labels`).

Waves one above the other (:func:`draw_family_waves`) share one layout: a member present at both waves sits
in the same place (its wave-1 ring), members lost by wave 2 show as faint dotted circles, new members
have a thick outline, and a small ▲ / ▼ marks a member who became closer / less close.

Functions return :class:`matplotlib.figure.Figure` objects built without pyplot, so nothing here
touches the plotting backend or global figure state; callers save or display them. Figures are drawn
at the report's width with no text under :data:`helpers.figures.MIN_FONT_PT`, legible on a phone.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch

from ...figures import FIGURE_WIDTH, MIN_FONT_PT, chart_style, wrap
from .analysis import CHANGE_MEASURES, members_of
from .inputs import DOMAINS, FAMILY
from .labels import keep_scale, number_clashing

#: Okabe-Ito palette, one colour per domain.
DOMAIN_COLOURS = {
    "household": "#E69F00",
    "extended_family": "#D55E00",
    "friends": "#009E73",
    "neighbours": "#F0E442",
    "work_school": "#56B4E9",
    "community": "#CC79A7",
    "formal_services": "#0072B2",
}
#: Ring radius by closeness (3 very close = inner ring).
RING_RADIUS = {3: 1.35, 2: 2.25, 1: 3.15}
RING_LABELS = {3: "very close", 2: "sort of close", 1: "not very close"}
FAMILY_RADIUS = 0.6
NODE_RADIUS = 0.17
STRESS_COLOUR = "#b00020"
LINE_COLOUR = "#444444"


# --------------------------------------------------------------------------------------------------
# Layout


def layout(*graphs) -> dict:
    """Deterministic positions for the members of one or more maps of the same family.

    Every member of any of the graphs gets one position; a member's domain and ring come from the
    first graph it appears in. Members are ordered by (domain, member ID) around the circle, starting
    at the top and going clockwise, with a one-slot gap between domains. The family is at (0, 0).
    """
    info: dict[str, tuple[int, int]] = {}
    order = {d: i for i, d in enumerate(DOMAINS)}
    for g in graphs:
        if g is None:
            continue
        for m in members_of(g):
            if m not in info:
                a = g.nodes[m]
                info[m] = (order.get(a.get("domain"), len(order)), int(a.get("closeness") or 1))
    ids = sorted(info, key=lambda m: (info[m][0], m))
    slots = []
    slot = 1.0  # the top of the circle stays free (ring labels go there)
    previous = None
    for m in ids:
        if previous is not None and info[m][0] != previous:
            slot += 1.0  # gap between domains
        slots.append(slot)
        slot += 1.0
        previous = info[m][0]
    total = slot
    pos = {FAMILY: (0.0, 0.0)}
    for m, s in zip(ids, slots, strict=True):
        angle = math.pi / 2 - 2 * math.pi * s / max(total, 1.0)
        r = RING_RADIUS.get(info[m][1], 3.0)
        pos[m] = (round(r * math.cos(angle), 9), round(r * math.sin(angle), 9))
    return pos


# --------------------------------------------------------------------------------------------------
# Drawing one map


def _shorten(p0, p1, r0, r1):
    (x0, y0), (x1, y1) = p0, p1
    d = math.hypot(x1 - x0, y1 - y0) or 1.0
    ux, uy = (x1 - x0) / d, (y1 - y0) / d
    return (x0 + ux * r0, y0 + uy * r0), (x1 - ux * r1, y1 - uy * r1)


def _zigzag(p0, p1, amplitude=0.07, step=0.16):
    (x0, y0), (x1, y1) = p0, p1
    d = math.hypot(x1 - x0, y1 - y0)
    n = max(2, int(d / step))
    t = np.linspace(0, 1, n + 1)
    off = np.zeros_like(t)
    off[1:-1] = amplitude * np.where(np.arange(1, n) % 2 == 0, 1, -1)
    ux, uy = (x1 - x0) / (d or 1), (y1 - y0) / (d or 1)
    return x0 + t * (x1 - x0) - uy * off, y0 + t * (y1 - y0) + ux * off


def _arrowhead(ax, tip, tail_dir, colour):
    """A small arrowhead with its point at ``tip``, pointing away from ``tail_dir``."""
    tx, ty = tip
    dx, dy = tail_dir
    ax.annotate(
        "",
        xy=(tx, ty),
        xytext=(tx - dx * 0.25, ty - dy * 0.25),
        arrowprops=dict(arrowstyle="-|>,head_length=0.5,head_width=0.25", color=colour, lw=0, shrinkA=0, shrinkB=0),
        zorder=4,
    )


def draw_ecomap(
    ax,
    g,
    pos: dict | None = None,
    labels: bool = True,
    previous=None,
    title: str | None = None,
    rings: bool = True,
    fontsize: float = MIN_FONT_PT,
) -> list[tuple]:
    """Draw one map on ``ax`` as an ecomap (see the module docstring); returns its member labels as
    ``(member_id, role, text)`` (for :func:`helpers.strands.networks.labels.number_clashing`).

    ``pos`` defaults to :func:`layout` of ``g``; ``previous`` (the same family's earlier map) marks
    lost members (faint dotted), new members (thick outline) and changes of closeness (▲ / ▼).
    Drawn in layers, bottom to top: rings, ties among members, lines to the family, lost members,
    members, the family and the notes.
    """
    pos = pos or layout(g)
    ax.set_aspect("equal")
    lim = 6.0 if labels else 3.6  # room for the labels outside the outer ring
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim - 0.1, lim)
    ax.axis("off")
    if rings:
        _draw_rings(ax)
    ids = members_of(g)
    before = set(members_of(previous)) if previous is not None else None
    _draw_ties(ax, g, pos)
    for m in ids:
        _draw_family_line(ax, pos[FAMILY], pos[m], g.nodes[m])
    if previous is not None:
        _draw_lost_members(ax, pos, before - set(ids))
    drawn = []
    for m in ids:
        text = _draw_member(
            ax,
            pos[m],
            g.nodes[m],
            previous.nodes[m] if previous is not None and m in before else None,
            new=before is not None and m not in before,
            labels=labels,
            fontsize=fontsize,
        )
        if text is not None:
            drawn.append((m, g.nodes[m].get("role_label", ""), text))
    _draw_centre_and_notes(ax, g, labels, title, fontsize)
    return drawn


def _draw_rings(ax) -> None:
    """The three closeness rings (faint dotted); the legend says which is which (a label on the map
    would collide with members' labels at a legible size)."""
    for r in RING_RADIUS.values():
        ax.add_patch(Circle((0, 0), r, fill=False, ls=":", lw=0.6, color="#bbbbbb", zorder=0))


def _draw_ties(ax, g, pos: dict) -> None:
    """Ties among members (thin grey), under everything else."""
    for a, b, k in g.edges(data="kind"):
        if k == "tie" and a in pos and b in pos:
            ax.plot([pos[a][0], pos[b][0]], [pos[a][1], pos[b][1]], color="#c8c8c8", lw=0.5, zorder=1)


def _draw_family_line(ax, family_pos, member_pos, attrs: dict) -> None:
    """The line from the family to one member: style by quality, arrowheads by the direction of help."""
    p0, p1 = _shorten(family_pos, member_pos, FAMILY_RADIUS, NODE_RADIUS)
    quality = attrs.get("quality")
    colour = STRESS_COLOUR if quality == "stressful" else LINE_COLOUR
    if quality == "stressful":
        xs, ys = _zigzag(p0, p1)
        ax.plot(xs, ys, color=colour, lw=1.1, zorder=2)
    else:
        ax.plot(
            [p0[0], p1[0]],
            [p0[1], p1[1]],
            color=colour,
            lw=1.6 if quality == "strong" else 1.0,
            ls="-" if quality == "strong" else (0, (4, 3)),
            zorder=2,
        )
    d = math.hypot(p1[0] - p0[0], p1[1] - p0[1]) or 1.0
    u = ((p1[0] - p0[0]) / d, (p1[1] - p0[1]) / d)
    direction = attrs.get("direction")
    if direction in ("both", "from_family"):
        _arrowhead(ax, p1, u, colour)
    if direction in ("both", "to_family"):
        _arrowhead(ax, p0, (-u[0], -u[1]), colour)


def _draw_lost_members(ax, pos: dict, lost: set) -> None:
    """Members on the earlier map only: faint dotted circles at their old place."""
    for m in sorted(lost):
        if m in pos:
            ax.add_patch(Circle(pos[m], NODE_RADIUS, fill=False, ls=":", lw=0.8, color="#999999", zorder=3))


def _draw_member(ax, xy, attrs: dict, earlier: dict | None, new: bool, labels: bool, fontsize: float):
    """One member: a circle coloured by domain (thick outline when new), ▲ / ▼ for a change of closeness
    since ``earlier`` (the member's attributes on the previous map), and the role label (returned)."""
    ax.add_patch(
        Circle(
            xy,
            NODE_RADIUS,
            facecolor=DOMAIN_COLOURS.get(attrs.get("domain"), "#999999"),
            edgecolor="black",
            lw=2.2 if new else 0.6,
            zorder=5,
        )
    )
    if earlier is not None:
        c0, c1 = earlier.get("closeness"), attrs.get("closeness")
        if c0 is not None and c1 is not None and c1 != c0:
            ax.text(
                xy[0] + NODE_RADIUS * 0.9,
                xy[1] + NODE_RADIUS * 0.9,
                "▲" if c1 > c0 else "▼",
                fontsize=fontsize,
                ha="left",
                va="bottom",
                zorder=6,
            )
    if labels:
        # Labels run outwards along the member's radius: every member has its own angle (one slot each,
        # see layout); a label that would still meet another is numbered (labels.number_clashing).
        x, y = xy
        angle = math.atan2(y, x)
        r = math.hypot(x, y) + NODE_RADIUS + 0.06
        left = math.cos(angle) < -1e-9
        return ax.text(
            r * math.cos(angle),
            r * math.sin(angle),
            wrap(attrs.get("role_label", ""), 14),
            ha="right" if left else "left",
            va="center",
            rotation=math.degrees(angle) + (180 if left else 0),
            rotation_mode="anchor",
            fontsize=fontsize,
            zorder=6,
            wrap=False,
        )


def _draw_centre_and_notes(ax, g, labels: bool, title: str | None, fontsize: float) -> None:
    """The family at the centre, the 'ties not recorded' note and the title."""
    ax.add_patch(Circle((0, 0), FAMILY_RADIUS, facecolor="white", edgecolor="black", lw=1.4, zorder=5))
    if labels:
        ax.text(0, 0, "Family", ha="center", va="center", fontsize=fontsize, fontweight="bold", zorder=6)
    if labels and not g.graph.get("ties_recorded"):
        ax.text(
            0,
            ax.get_ylim()[0] + 0.05,
            "Ties between members not recorded",
            ha="center",
            va="bottom",
            fontsize=fontsize,
            style="italic",
            color="#666666",
        )
    if title:
        ax.set_title(title, fontsize=fontsize + 1)


def legend_handles(with_change: bool = True) -> list:
    """Legend entries: domains, line styles, arrows and (for two waves) new / lost / closeness."""
    handles = [Patch(facecolor=c, edgecolor="black", lw=0.5, label=DOMAINS[d]) for d, c in DOMAIN_COLOURS.items()]
    handles += [
        Line2D([], [], color=LINE_COLOUR, lw=1.6, label="strong"),
        Line2D([], [], color=LINE_COLOUR, lw=1.0, ls=(0, (4, 3)), label="tenuous"),
        Line2D([], [], color=STRESS_COLOUR, lw=1.1, marker=None, label="stressful (jagged)"),
        Line2D([], [], color="#c8c8c8", lw=0.8, label="members know each other"),
        Line2D([], [], color=LINE_COLOUR, lw=0, marker=">", markersize=6, label="arrowhead: help goes that way"),
        Line2D(
            [],
            [],
            color="#bbbbbb",
            lw=0,
            marker="o",
            markersize=9,
            markerfacecolor="none",
            label="rings, inside out: " + ", ".join(RING_LABELS[c] for c in sorted(RING_RADIUS, reverse=True)),
        ),
    ]
    if with_change:
        handles += [
            Line2D(
                [],
                [],
                lw=0,
                marker="o",
                markersize=9,
                markerfacecolor="white",
                markeredgecolor="black",
                markeredgewidth=2.2,
                label="new at wave 2",
            ),
            Line2D(
                [],
                [],
                lw=0,
                marker="o",
                markersize=9,
                markerfacecolor="none",
                markeredgecolor="#999999",
                ls=":",
                label="lost by wave 2 (dotted)",
            ),
            Line2D([], [], lw=0, marker="$▲$", color="black", markersize=7, label="closer / ▼ less close"),
        ]
    return handles


def _legend(fig, with_change: bool, maps: list[list[tuple]]) -> None:
    """The key, in two columns under the maps. Members whose labels would overlap (measured with the
    key in place) are numbered on the map and listed in the key; the figure grows by their rows, so
    the maps keep the scale their labels were measured at."""
    handles = legend_handles(with_change=with_change)
    legend = fig.legend(
        handles, [wrap(h.get_label(), 24) for h in handles], loc="outside lower center", ncol=2, frameon=False
    )
    numbered = number_clashing(fig, maps)
    if numbered:
        axes = [ax for ax in fig.axes if ax.texts]
        widths = [ax.get_position(original=False).width * fig.get_figwidth() for ax in axes]
        legend.remove()
        blank = {"lw": 0, "marker": None}
        handles += [Line2D([], [], label="Numbered on the map:", **blank)]
        handles += [Line2D([], [], label=line, **blank) for line in numbered]
        fig.legend(
            handles, [wrap(h.get_label(), 24) for h in handles], loc="outside lower center", ncol=2, frameon=False
        )
        fig.set_figheight(fig.get_figheight() + 0.4 * math.ceil((len(numbered) + 1) / 2))  # a first guess
        keep_scale(fig, axes, widths)


def draw_family(g, title: str | None = None, figsize=(FIGURE_WIDTH, FIGURE_WIDTH + 2.0)) -> Figure:
    """One map on its own, with a legend."""
    with chart_style():
        fig = Figure(figsize=figsize, layout="constrained")
        drawn = draw_ecomap(fig.add_subplot(), g, title=title)
        _legend(fig, with_change=False, maps=[drawn])
    return fig


def draw_family_waves(g1, g2, title: str | None = None, figsize=(FIGURE_WIDTH, 2 * FIGURE_WIDTH + 2.6)) -> Figure:
    """Wave 1 above wave 2 of one family (each map the full width, legible on a phone), with one
    shared layout and a legend."""
    with chart_style():
        fig = Figure(figsize=figsize, layout="constrained")
        pos = layout(g1, g2)
        maps = []
        for ax, (g, label, prev) in zip(fig.subplots(2, 1), ((g1, "Wave 1", None), (g2, "Wave 2", g1)), strict=True):
            if g is None:
                ax.axis("off")
                ax.text(0.5, 0.5, f"No map at {label.lower()}", ha="center", va="center", transform=ax.transAxes)
                continue
            maps.append(draw_ecomap(ax, g, pos=pos, previous=prev, title=label))
        if title:
            fig.suptitle(title)
        _legend(fig, with_change=g2 is not None, maps=maps)
    return fig


def small_multiples(graphs: list, titles: list[str] | None = None, ncols: int = 3, size: float = 1.75) -> Figure:
    """A grid of small unlabelled ecomaps (overview), with a domain legend."""
    n = max(len(graphs), 1)
    nrows = math.ceil(n / ncols)
    with chart_style():
        fig = Figure(figsize=(FIGURE_WIDTH, nrows * size + 1.6), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
        for i, ax in enumerate(axes.flat):
            if i >= len(graphs) or graphs[i] is None:
                ax.axis("off")
                continue
            draw_ecomap(ax, graphs[i], labels=False, title=titles[i] if titles else None, fontsize=MIN_FONT_PT - 1)
        handles = legend_handles(with_change=False)[:9]
        fig.legend(
            handles, [wrap(h.get_label(), 24) for h in handles], loc="outside lower center", ncol=2, frameon=False
        )
    return fig


# --------------------------------------------------------------------------------------------------
# Aggregate charts


def composition_chart(comp: pd.DataFrame) -> Figure:
    """Stacked bars: mean members per domain, wave 1 and wave 2, one panel per group.

    ``comp`` is :func:`helpers.strands.networks.analysis.composition_by_wave` output.
    """
    groups = list(dict.fromkeys(comp["group"])) if len(comp) else ["all"]
    with chart_style():
        fig = Figure(figsize=(FIGURE_WIDTH, 6.0), layout="constrained")
        axes = fig.subplots(1, len(groups), sharey=True, squeeze=False)[0]
        for ax, group in zip(axes, groups, strict=True):
            _stacked_domains(ax, comp[comp["group"] == group])
            title = {"all": "All families", "trained": "Practitioner trained", "not trained": "Not trained"}
            ax.set_title(wrap(title.get(group, group), 12))
        axes[0].set_ylabel("Mean members per map")
        handles, labels = axes[0].get_legend_handles_labels()
        # legend under the panels, never over the bars
        fig.legend(handles, labels, loc="outside lower center", ncol=2, frameon=False)
    return fig


def _stacked_domains(ax, sub: pd.DataFrame) -> None:
    """One panel of :func:`composition_chart`: a stacked bar per wave, its total written above it."""
    waves = sorted(sub["wave"].unique())
    bottom = np.zeros(len(waves))
    for d in DOMAINS:
        vals = np.array([sub[(sub["wave"] == w) & (sub["domain"] == d)]["mean_members"].sum() for w in waves])
        ax.bar(
            [f"Wave {w}" for w in waves],
            vals,
            bottom=bottom,
            color=DOMAIN_COLOURS[d],
            edgecolor="white",
            lw=0.5,
            label=DOMAINS[d],
        )
        bottom += vals
    for x, total in enumerate(bottom):
        ax.text(x, total + 0.2, f"{total:.1f}", ha="center", va="bottom")


def change_chart(summary: pd.DataFrame, measures: list[str]) -> Figure:
    """Mean change with its practitioner-clustered 95% CI (``cluster_ci_low``/``cluster_ci_high`` of
    :func:`analysis.change_summary`) for a few measures, one row per measure and group; a point without
    whiskers where that CI could not be computed (fewer than three practitioners)."""
    groups = [g for g in ("all", "trained", "not trained") if g in set(summary["group"])]
    with chart_style():
        fig = Figure(figsize=(FIGURE_WIDTH, 1.6 + 0.3 * len(measures) * (len(groups) + 1)), layout="constrained")
        _draw_changes(fig.add_subplot(), summary, measures, groups)
    return fig


def _draw_changes(ax, summary: pd.DataFrame, measures: list[str], groups: list[str]) -> None:
    """The rows of :func:`change_chart`: a block per measure, one row per group."""
    colours = {"all": "#333333", "trained": "#0072B2", "not trained": "#E69F00"}
    yticks, ylabels = [], []
    for i, m in enumerate(measures):
        for j, g in enumerate(groups):
            r = summary[(summary["measure"] == m) & (summary["group"] == g)]
            if not len(r):
                continue
            r = r.iloc[0]
            y = -(i * (len(groups) + 1) + j)
            ax.errorbar(
                r["mean_change"],
                y,
                xerr=[[r["mean_change"] - r["cluster_ci_low"]], [r["cluster_ci_high"] - r["mean_change"]]]
                if pd.notna(r["cluster_ci_low"]) and pd.notna(r["cluster_ci_high"])
                else None,
                fmt="o",
                color=colours[g],
                capsize=3,
                label=g if i == 0 else None,
            )
            yticks.append(y)
            ylabels.append(wrap(f"{CHANGE_MEASURES.get(m, m)} ({g})", 26) if j == 0 else f"({g})")
    ax.axvline(0, color="#999999", lw=0.8)
    ax.set_yticks(yticks, ylabels)
    ax.set_xlabel(wrap("Mean change, wave 2 minus wave 1 (members), with 95% CI", 34))
    ax.grid(alpha=0.3, axis="x")
    # legend under the axes, never over the data
    ax.figure.legend(title="Practitioner", frameon=False, loc="outside lower center", ncol=3)


# --------------------------------------------------------------------------------------------------
# Saving


def save_figure(fig: Figure, folder, stem: str, formats=("png", "svg"), dpi: int = 110) -> list[Path]:
    """Save ``fig`` as ``<folder>/<stem>.<fmt>`` with fixed metadata (same data, same bytes); SVG as
    the report saves it (text as text: :func:`helpers.figures.save_figure`)."""
    import matplotlib

    from ...figures import save_figure as save_svg

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        if fmt == "svg":
            save_svg(fig, path)
        else:
            with matplotlib.rc_context({"svg.hashsalt": "focus-on-practice"}):
                meta = {"Date": None} if fmt == "pdf" else {}
                fig.savefig(path, format=fmt, dpi=dpi, bbox_inches="tight", metadata=meta)
        paths.append(path)
    return paths
