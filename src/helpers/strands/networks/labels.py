"""Member labels on an ecomap that never overlap one another.

A member's role label is written outwards along its radius (:func:`charts.draw_ecomap`), so two
labels meet only when their members are close together around the circle and the labels are long:
on a crowded map drawn the width of a phone with text large enough to read there, they can. Such a
label is replaced on the map by a number, and the number with the role is listed in the key under
the map: every role stays readable, at the same size, and no label covers another.

Which labels clash is measured on the laid-out figure (each label's rotated box in display units);
labels are kept shortest first, so the long ones are the ones numbered. A member numbered on one
map of a family is numbered on every map of it, with the same number.
"""

from __future__ import annotations

import math


def outline(text, renderer) -> list[tuple[float, float]]:
    """The four corners (display units) of a rotated, possibly wrapped label drawn with
    ``rotation_mode="anchor"`` and ``va="center"``: its unrotated box turned about its anchor."""
    angle = text.get_rotation()
    text.set_rotation(0)
    box = text.get_window_extent(renderer)
    text.set_rotation(angle)
    x0, y0 = text.get_transform().transform(text.get_position())
    a = math.radians(angle)
    sign = -1 if text.get_ha() == "right" else 1
    u = (sign * math.cos(a), sign * math.sin(a))
    n = (-math.sin(a), math.cos(a))
    return [
        (x0 + s * box.width * u[0] + h * box.height / 2 * n[0], y0 + s * box.width * u[1] + h * box.height / 2 * n[1])
        for s, h in ((0, -1), (1, -1), (1, 1), (0, 1))
    ]


def overlap(p, q) -> bool:
    """Whether two convex polygons (lists of corners in order) overlap: no edge of either separates them."""
    for poly in (p, q):
        for i in range(len(poly)):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % len(poly)]
            axis = (y1 - y2, x2 - x1)
            a = [axis[0] * x + axis[1] * y for x, y in p]
            b = [axis[0] * x + axis[1] * y for x, y in q]
            if max(a) <= min(b) or max(b) <= min(a):
                return False
    return True


def _width_in(fig, ax) -> float:
    """The drawn width (inches) of a map's axes as laid out (equal aspect: its scale)."""
    return ax.get_position(original=False).width * fig.get_figwidth()


def clashing(fig, maps: list[list[tuple]]) -> set:
    """Members whose label would overlap another's on any of ``maps`` (each a list of
    ``(member_id, role, text)`` drawn on one axes), keeping the shortest labels first; the numbers
    that replace them are then placed (:func:`_place_numbers`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()  # the figure may have been built without pyplot
    fig.draw_without_rendering()  # lays the figure out: labels at their final place and size
    numbered = set()
    for labels in maps:
        kept = []
        for member, _role, text in sorted(labels, key=lambda x: (len(x[1]), str(x[0]))):
            box = outline(text, renderer)
            if any(overlap(box, other) for other in kept):
                numbered.add(member)
            else:
                kept.append(box)
    for labels in maps:
        _place_numbers(labels, numbered, renderer)
    return numbered


def _place_numbers(labels: list[tuple], numbered: set, renderer, step: float = 0.3, tries: int = 12) -> None:
    """Each numbered member's label becomes a number (two digits wide while measured), moved outwards
    along its radius, ``step`` data units at a time, until it meets no other label or number."""
    for member, _, text in labels:
        if member in numbered:
            text.set_text("00")
    boxes = {member: outline(text, renderer) for member, _, text in labels}
    for member, _, text in labels:
        if member not in numbered:
            continue
        others = [b for m, b in boxes.items() if m != member]
        for _ in range(tries):
            if not any(overlap(boxes[member], other) for other in others):
                break
            x, y = text.get_position()
            grow = 1 + step / math.hypot(x, y)
            text.set_position((x * grow, y * grow))
            boxes[member] = outline(text, renderer)


def number_clashing(fig, maps: list[list[tuple]]) -> list[str]:
    """Replace every clashing label (:func:`clashing`) by a number, the same on every map; returns the
    key's lines ("1: maternal grandmother"), in number order, for the legend under the maps."""
    numbered = clashing(fig, maps)
    order = [m for labels in maps for m, _, _ in labels]
    numbers = {m: i for i, m in enumerate(sorted(numbered, key=order.index), start=1)}
    key = {}
    for labels in maps:
        for member, role, text in labels:
            if member in numbers:
                text.set_text(str(numbers[member]))
                key[numbers[member]] = f"{numbers[member]}: {role}"
    return [key[n] for n in sorted(key)]


def keep_scale(fig, axes, widths: list[float], tries: int = 4) -> None:
    """Grow the figure's height until each map is drawn as wide as ``widths`` (inches) again: a longer
    key under the maps must not shrink them (their labels were measured at that scale)."""
    for _ in range(tries):
        fig.draw_without_rendering()
        short = max(w - _width_in(fig, ax) for ax, w in zip(axes, widths, strict=True))
        if short < 0.005:
            return
        fig.set_figheight(fig.get_figheight() + short * len(axes) * 1.05)
