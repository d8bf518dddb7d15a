"""The suppression rule: which counts are small, and which more cells to hide so none can be worked out.

**Primary suppression.** DfE publications show counts from 1 to 5 as "c" (confidential) so that small
groups of children or families cannot be singled out. Zero is shown (it discloses nothing about a
person), and so are counts above the threshold. The threshold is one pipeline parameter
(``suppression_threshold``).

**Secondary suppression** (:func:`protect`). A suppressed cell must not be recoverable by arithmetic
from the cells that are shown. Every relation between cells (a total and its parts, two breakdowns of
the same people, the tri-borough report and the borough reports) is a linear equation. A suppressed
cell is *recoverable* when the equations and the shown cells determine its value exactly (linear
algebra over every equation at once, so chains of relations are caught too, not only a total with a
single "c"). While some suppressed cell is recoverable, the rule suppresses one more cell of an
equation that contains it: the smallest non-zero shown part (the "next-smallest cell"), preferring a
part that is not itself the total of another relation; when no part is left, the smallest total;
when no non-zero cell is left in its relations or those they lead to, a shown zero (a 0 beside a
"c" leaves the "c" equal to the rest of its relation). Ties go to the cell that comes first. A cell
the relations give back even with every unpublished cell suppressed (a zero in a relation that holds
only because it is zero) is never chosen: its "c" would be read back, and hide nothing. It works in
rounds: each recoverable cell whose relations got
no new "c" yet in the round gets one, then the system is solved again. The rule is deterministic:
the same data give the same "c"s.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

from ..config import DEFAULT_SUPPRESSION_THRESHOLD

SUPPRESSED = "c"

Equation = tuple[list[Hashable], list[Hashable]]  # sum(left) == sum(right)


def is_small(count, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> bool:
    """True when a count must be suppressed: 1 <= count <= threshold."""
    if count is None or isinstance(count, str) or pd.isna(count):
        return False
    return 1 <= float(count) <= threshold


def _row_space(equations: list[Equation], cells: list) -> np.ndarray:
    """An orthonormal basis of the equations' row space over ``cells`` (each equation ``sum(left) =
    sum(right)`` a row: +1 left, -1 right). Worked out once per group of equations: the relations over
    the unknown cells alone are this space restricted to their columns, whatever is unknown."""
    index = {c: i for i, c in enumerate(cells)}
    a = np.zeros((len(equations), len(cells)))
    for k, (left, right) in enumerate(equations):
        for cell in left:
            a[k, index[cell]] += 1.0
        for cell in right:
            a[k, index[cell]] -= 1.0
    a = np.unique(a[np.any(a, axis=1)], axis=0)
    if not len(a):
        return np.zeros((0, len(cells)))
    _, s, vt = np.linalg.svd(a, full_matrices=False)
    return vt[: int((s > 1e-9 * max(1.0, s[0])).sum())]


def _recoverable(unknowns: list, basis: np.ndarray, index: dict) -> list:
    """The unknown cells whose value the relations determine exactly: a cell is determined when its
    unit vector lies in the row space of the relations restricted to the unknowns (its projection
    onto that space has length 1; the same as every null-space vector being zero at it, without
    working out the null space, which costs the cube of the number of unknowns)."""
    if not unknowns or not len(basis):
        return []
    b = basis[:, [index[u] for u in unknowns]]
    _, s, vt = np.linalg.svd(b, full_matrices=False)
    rank = int((s > 1e-9 * max(1.0, s[0] if len(s) else 0.0)).sum())
    length = np.sum(vt[:rank] ** 2, axis=0)
    return [u for i, u in enumerate(unknowns) if length[i] > 1.0 - 1e-12]


def _components(equations: list[Equation]) -> list[list[Equation]]:
    """The equations in groups that share no cell (each group is solved on its own)."""
    parent: dict = {}

    def find(c):
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for left, right in equations:
        cells = [*left, *right]
        for c in cells[1:]:
            parent[find(c)] = find(cells[0])
    groups: dict = {}
    for eq in equations:
        cells = [*eq[0], *eq[1]]
        if cells:
            groups.setdefault(find(cells[0]), []).append(eq)
    return list(groups.values())


def protect(
    values: dict,
    suppressed: Iterable[Hashable],
    equations: list[Equation],
    fixed: Iterable[Hashable] = (),
    order: list | None = None,
) -> tuple[set, list]:
    """Secondary suppression: the cells to show as "c" so that none can be recovered by arithmetic.

    Parameters
    ----------
    values:
        ``{cell: count}`` for every cell that appears in an equation (NaN = not shown, unknown).
    suppressed:
        Cells already suppressed (primary suppression: counts 1..threshold).
    equations:
        Relations as ``(left, right)`` lists of cells with ``sum(left) == sum(right)``; a total and its
        parts is ``([total], parts)``. Cells on the left are "totals" for the rule.
    fixed:
        Cells that may not be suppressed (already published elsewhere): never chosen.
    order:
        Tie-break order of cells (default: first appearance in ``values``).

    Returns ``(suppressed cells, cells still recoverable)``; the second is empty unless no cell was
    left to suppress (then the caller must say so). Groups of equations that share no cell are solved
    one by one (the same result as all at once, faster).
    """
    hidden = set(suppressed)
    given_up: list = []
    rank_of = {c: i for i, c in enumerate(order or list(values))}
    for group in _components(equations):
        more, left = _protect_group(values, hidden, group, set(fixed), rank_of)
        hidden |= more
        given_up += left
    return hidden, given_up


def protect_with(
    values: dict,
    suppressed: Iterable[Hashable],
    equations: list[Equation],
    follows,
    fixed: Iterable[Hashable] = (),
    order: list | None = None,
) -> tuple[set, list]:
    """:func:`protect`, and again while a suppressed cell hides others with it: ``follows(hidden)``
    gives the cells shown as "c" because of ``hidden`` (a count derived from a suppressed count, such as
    the answers of a group whose practitioners are "c"). Those are "c" too, so they must not be
    recoverable either: the rule runs again with them suppressed, until nothing more follows."""
    hidden = set(suppressed)
    while True:
        hidden, given_up = protect(values, hidden, equations, fixed=fixed, order=order)
        more = set(follows(hidden)) - hidden
        if not more:
            return hidden, given_up
        hidden |= more


def _protect_group(values: dict, hidden: set, equations: list[Equation], fixed: set, rank_of: dict):
    hidden = set(hidden)
    given_up: list = []
    # A cell that is the total of some relation (a row's "All", a borough's whole, a number in a
    # sentence) is often repeated elsewhere, so interior cells are chosen first.
    totals_anywhere = {c for left, _ in equations for c in left}
    containing: dict = {}  # cell -> the positions in ``equations`` of the relations it is in
    for k, eq in enumerate(equations):
        for c in {*eq[0], *eq[1]}:
            containing.setdefault(c, []).append(k)
    # whether each cell's value is known and non-zero (None: unknown), worked out once: the search for
    # a cell to suppress asks it of the same cells millions of times on a large report
    nonzero = {c: None if (v := values.get(c)) is None or pd.isna(v) else float(v) != 0.0 for c in containing}

    def rank(c):
        return (c in totals_anywhere, float(values[c]), rank_of.get(c, len(rank_of)))

    cells = sorted(containing, key=lambda c: rank_of.get(c, len(rank_of)))
    basis, index = _row_space(equations, cells), {c: i for i, c in enumerate(cells)}
    # The cells the relations give back even with every cell suppressed but the fixed ones: a zero
    # tied to its row by a relation that holds only because it is zero ("Unchanged = Respondents +
    # Improved" when no one improved), a cell equal to a number a sentence states. A "c" there is read
    # back whatever else is suppressed, so it hides nothing and is never chosen to hide another.
    # Worked out when a first cell needs hiding (most groups need none).
    lost: set = set()

    def shown(cell, zero=False):
        known = nonzero.get(cell)
        return known is not None and known != zero and not (cell in hidden or cell in fixed or cell in lost)

    while True:
        unknown = [c for c in cells if c in hidden or pd.isna(values.get(c, np.nan))]
        recoverable = _recoverable(unknown, basis, index)
        at_risk = [u for u in recoverable if u in hidden and u not in given_up]
        if not at_risk:
            # a cell given up on in a round may have been hidden by another's choice in the same round
            return hidden, [u for u in given_up if u in recoverable]
        if not lost:
            lost = set(_recoverable([c for c in cells if c not in fixed], basis, index)) or {None}
        # one cell more for each recoverable cell whose relations got none yet this round (a round at a
        # time: the same choices as one at a time where the relations do not overlap, and far fewer solves)
        touched: set = set()
        for target in at_risk:
            if not touched.isdisjoint(containing[target]):
                continue
            choice = _next_cell(target, equations, containing, hidden, shown, rank)
            if choice is None:
                given_up.append(target)  # nothing left to suppress around it: reported to the caller
                continue
            hidden.add(choice)
            touched.update(containing[choice])


def _next_cell(target, equations: list[Equation], containing: dict, hidden: set, shown, rank):
    """The cell to suppress for a recoverable ``target``: the best shown part (then total) of its
    relations; when every other cell of them is suppressed already (or zero, or fixed), of the
    relations of the suppressed cells they lead to, nearest first (what gives ``target`` away is there).
    ``containing``: each cell's relations, as positions in ``equations``."""
    # a shown zero only when no other cell is left: a "c" for a 0 gives nothing away, and a 0 beside a
    # "c" leaves the "c" equal to the rest of its relation
    for zero in (False, True):
        frontier, seen, examined = [target], {target}, set()
        while frontier:
            # each relation once: one examined nearer had no shown cell (or it would have been chosen)
            found = []
            for c in frontier:
                for k in containing.get(c, ()):
                    if k not in examined:
                        examined.add(k)
                        found.append(k)
            eqs = [equations[k] for k in found]
            for side in (1, 0):  # parts first, then totals
                candidates = [c for eq in eqs for c in eq[side] if shown(c, zero)]
                if candidates:
                    return min(candidates, key=rank)
            frontier = [c for eq in eqs for c in (*eq[0], *eq[1]) if c in hidden and c not in seen]
            seen.update(frontier)
    return None
