"""Statistical disclosure control for anything a reader sees.

**Primary suppression.** DfE publications show counts from 1 to 5 as "c" (confidential) so that small
groups of children or families cannot be singled out. Zero is shown (it discloses nothing about a
person), and so are counts above the threshold. The threshold is one pipeline parameter
(``suppression_threshold``). Figures computed from a suppressed count (a percentage, a mean, a model
term, an interval) are suppressed with it, because a rate with its denominator gives the count back
and an estimate describes the small group.

**Secondary suppression** (:func:`protect`). A suppressed cell must not be recoverable by arithmetic
from the cells that are shown. A table declares its margins (a total column and its parts, a total
row and its parts, blocks of rows that count the same people); each margin is a linear equation
between cells. A suppressed cell is *recoverable* when the equations and the shown cells determine
its value exactly (checked with linear algebra over every equation of the table at once, so chains
of margins are caught too, not only a margin with a single "c"). While some suppressed cell is
recoverable, the rule suppresses one more cell of an equation that contains it: the smallest
non-zero shown cell among the parts (the "next-smallest cell"), or, when no part is left, the total.
Ties go to the cell that comes first in the table. The rule is deterministic: the same data always
give the same "c"s.

**Across reports** (:func:`cross_scope_suppressed`). The tri-borough report and the three borough
reports show the same tables for different scopes; for each count cell, the tri-borough value is the
sum of the three borough values. The report treats those sums as margins too, solving all four
scopes' tables together with the same rule, so that no subtraction between reports gives a
suppressed cell back. The other scopes are read from their processed sections beside this one, and
used only when they were built from the same raw extract (same input file hashes).

What is not covered (see ``docs/aqa/assumptions_and_caveats.md``): bounds (a "c" is known to be
1..threshold, so a margin may narrow it to a range without giving it exactly); relations a table
does not declare; and tables of different strands that count the same people.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .config import DEFAULT_SUPPRESSION_THRESHOLD

SUPPRESSED = "c"


def is_small(count, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> bool:
    """True when a count must be suppressed: 1 <= count <= threshold."""
    if count is None or isinstance(count, str) or pd.isna(count):
        return False
    return 1 <= float(count) <= threshold


# --------------------------------------------------------------------------------------------
# Secondary suppression: one rule for every table
# --------------------------------------------------------------------------------------------

Equation = tuple[list[Hashable], list[Hashable]]  # sum(left) == sum(right)


def _recoverable(unknowns: list, equations: list[Equation], known: dict) -> list:
    """The unknown cells whose value the equations determine exactly.

    Each equation ``sum(left) = sum(right)`` becomes a row over the unknowns (+1 left, -1 right); an
    unknown is determined exactly when every vector of the null space of that system is zero at it.
    """
    index = {u: i for i, u in enumerate(unknowns)}
    rows = []
    for left, right in equations:
        row = np.zeros(len(unknowns))
        for cell in left:
            if cell in index:
                row[index[cell]] += 1.0
        for cell in right:
            if cell in index:
                row[index[cell]] -= 1.0
        if np.any(row):
            rows.append(row)
    if not rows or not unknowns:
        return []
    a = np.array(rows)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9 * max(1.0, s[0])).sum())
    null = vt[rank:]  # rows spanning the null space
    if not len(null):
        return list(unknowns)
    return [u for u, i in index.items() if np.all(np.abs(null[:, i]) < 1e-9)]


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
        Margins as ``(left, right)`` lists of cells with ``sum(left) == sum(right)``; a total and its
        parts is ``([total], parts)``. Cells on the left are "totals" for the rule.
    fixed:
        Cells that may not be suppressed now (already published elsewhere); used when no other
        choice exists only, never chosen.
    order:
        Tie-break order of cells (default: first appearance in ``values``).

    Returns ``(suppressed cells, cells still recoverable)``; the second is empty unless no cell was
    left to suppress (then the caller must say so).

    The rule: while a suppressed cell is recoverable, take the first recoverable cell (in ``order``)
    that has a non-zero shown part in one of its equations and suppress the smallest such part,
    preferring a part that is not itself the total of another margin (ties: first in ``order``);
    when no recoverable cell has a part left, suppress the smallest shown total of their equations.
    """
    hidden = set(suppressed)
    fixed = set(fixed)
    given_up: list = []
    # A cell that is the total of some margin (a row's "All", a borough's whole) is often repeated
    # elsewhere (prose, another table), so interior cells are chosen first.
    totals_anywhere = {c for left, _ in equations for c in left}
    rank_of = {c: i for i, c in enumerate(order or list(values))}

    def shown_nonzero(cell):
        v = values.get(cell)
        return cell not in hidden and cell not in fixed and v is not None and not pd.isna(v) and float(v) != 0.0

    while True:
        unknown = sorted(
            {c for eq in equations for side in eq for c in side if c in hidden or pd.isna(values.get(c, np.nan))},
            key=lambda c: rank_of.get(c, len(rank_of)),
        )
        at_risk = [u for u in _recoverable(unknown, equations, values) if u in hidden and u not in given_up]
        if not at_risk:
            return hidden, given_up
        choice = None
        for side in (1, 0):  # parts first (of any recoverable cell's equations), then totals
            for target in at_risk:
                candidates = [
                    c
                    for left, right in equations
                    if target in left or target in right
                    for c in (right if side == 1 else left)
                    if shown_nonzero(c)
                ]
                if candidates:
                    choice = min(
                        candidates, key=lambda c: (c in totals_anywhere, float(values[c]), rank_of.get(c, len(rank_of)))
                    )
                    break
            if choice is not None:
                break
        if choice is None:
            given_up.extend(at_risk)  # nothing left to suppress around them: reported to the caller
            continue
        hidden.add(choice)


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _as_list(v) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def table_equations(
    table: pd.DataFrame,
    count_columns: Iterable[str],
    totals: dict[str, list[str]] | None = None,
    row_margins: list[dict] | None = None,
    key=lambda i, c: (i, c),
) -> list[Equation]:
    """The margins a table declares, as equations between its cells (``key(row index, column)``).

    ``totals``: ``{total_column: [part columns]}``: in every row, the total is the sum of the parts.
    ``row_margins``: a list of ``{"column": c, "total": t, "parts": [...], "within": [...]}``: for
    every count column and within each block of rows with the same ``within`` values, the row whose
    ``column`` is ``t`` is the sum of the rows whose ``column`` is one of ``parts`` (all other rows
    of the block when ``parts`` is omitted). Without ``total``: each value of ``column`` in a block
    is a different breakdown of the same people, so the rows of every value sum alike.
    """
    count_columns = list(count_columns)
    equations: list[Equation] = []
    for total, parts in (totals or {}).items():
        for i in table.index:
            equations.append(([key(i, total)], [key(i, p) for p in parts]))
    for margin in row_margins or []:
        col = margin["column"]
        within = _as_list(margin.get("within"))
        blocks = table.groupby(within, sort=False, dropna=False) if within else [(None, table)]
        for _, block in blocks:
            for c in count_columns:
                if "total" in margin and margin["total"] is not None:
                    tot = block.index[block[col].astype(str) == str(margin["total"])]
                    if not len(tot):
                        continue
                    parts = margin.get("parts")
                    part_idx = [
                        i
                        for i in block.index
                        if i not in tot and (parts is None or str(block.at[i, col]) in map(str, parts))
                    ]
                    equations.append(([key(tot[0], c)], [key(i, c) for i in part_idx]))
                else:
                    # The breakdown with fewest rows is the "total" side (a one-row breakdown is the
                    # block's total, often repeated in prose): the others are suppressed first.
                    groups = sorted((list(g.index) for _, g in block.groupby(col, sort=False)), key=len)
                    for g1 in groups[1:]:
                        equations.append(([key(i, c) for i in groups[0]], [key(i, c) for i in g1]))
    return equations


def table_suppressed_cells(
    table: pd.DataFrame,
    count_columns: Iterable[str],
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
    totals: dict[str, list[str]] | None = None,
    row_margins: list[dict] | None = None,
) -> set[tuple]:
    """Cells ``(row index, count column)`` to suppress: primary, then secondary by :func:`protect`."""
    count_columns = [c for c in count_columns if c in table.columns]
    values = {(i, c): _number(table.at[i, c]) for c in count_columns for i in table.index}
    primary = {cell for cell, v in values.items() if is_small(v, threshold)}
    eqs = table_equations(table, count_columns, totals, row_margins)
    for left, right in eqs:
        for cell in (*left, *right):
            values.setdefault(cell, _number(table.at[cell[0], cell[1]]))
    hidden, _ = protect(values, primary, eqs)
    return hidden


def _number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def suppress_table(
    table: pd.DataFrame,
    count_columns: Iterable[str],
    dependent_columns: dict[str, str | list[str]] | None = None,
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
    totals: dict[str, list[str]] | None = None,
    row_margins: list[dict] | None = None,
    extra: Iterable[tuple] = (),
) -> pd.DataFrame:
    """Return a copy of ``table`` with small counts, and what would give them back, replaced by "c".

    Parameters
    ----------
    table:
        The table to publish.
    count_columns:
        Columns holding counts of people (children, families, respondents, practitioners).
    dependent_columns:
        ``{column: count_column or [count columns]}``: a value derived from those counts (a
        percentage, a mean, a model term) that is suppressed whenever any of its counts is.
    threshold:
        Largest count that is suppressed (counts 1..threshold become "c").
    totals, row_margins:
        The table's margins (see :func:`table_equations`): secondary suppression then makes sure no
        "c" can be recovered from a total and the other cells.
    extra:
        More ``(row index, column)`` cells to suppress (from the cross-report check).
    """
    count_columns = list(count_columns)
    dependent = {k: _as_list(v) for k, v in (dependent_columns or {}).items()}
    margin_cols = [
        *(totals or {}),
        *[p for ps in (totals or {}).values() for p in ps],
        *[m["column"] for m in row_margins or []],
        *[w for m in row_margins or [] for w in _as_list(m.get("within"))],
    ]
    missing = [
        c
        for c in [*count_columns, *dependent, *[v for vs in dependent.values() for v in vs], *margin_cols]
        if c not in table.columns
    ]
    if missing:
        raise KeyError(f"suppress_table: columns not in the table: {missing}")
    cells = table_suppressed_cells(table, count_columns, threshold, totals, row_margins) | set(extra)
    out = table.copy().astype(object)
    for i, c in cells:
        if c in out.columns and i in out.index:
            out.at[i, c] = SUPPRESSED
    for column, counts in dependent.items():
        for i in table.index:
            if any((i, c) in cells for c in counts):
                out.at[i, column] = SUPPRESSED
    return out


def count_like_columns(table: pd.DataFrame) -> list[str]:
    """Columns that by their name hold counts of people (``n``, ``n_*``, ``*_n``, ``count*``).

    Used as a safety net by the report: a table whose author forgot to declare a count column still
    has it suppressed if it is named like one.
    """
    names = []
    for c in table.columns:
        lc = str(c).lower()
        if (
            lc == "n"
            or lc.startswith("n_")
            or lc.endswith("_n")
            or lc.startswith("count")
            or lc.startswith("number of")
        ):
            if pd.api.types.is_numeric_dtype(table[c]):
                names.append(c)
    return names


# --------------------------------------------------------------------------------------------
# Across reports: the tri-borough table is the margin of the borough tables
# --------------------------------------------------------------------------------------------

ALL_SCOPE = "all"


def _scope_inputs(scope_dir: Path) -> frozenset:
    """The hashes of the raw files a scope was built from (its ingest records)."""
    hashes = set()
    for f in sorted((scope_dir / "data_quality").glob("reconciliation_*.csv")):
        try:
            rec = pd.read_csv(f, dtype=str, keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError):
            continue
        if "sha256" in rec.columns:
            hashes.update(zip(rec.get("file", rec["sha256"]), rec["sha256"], strict=True))
    return frozenset(hashes)


def _row_keys(table: pd.DataFrame, item: dict) -> list[tuple]:
    """A row's identity across scopes: its values in the columns that are neither counts nor
    figures derived from them (labels, groups, waves)."""
    skip = set(item.get("count_columns", [])) | set(item.get("dependent_columns", {}))
    cols = [c for c in table.columns if c not in skip and not pd.api.types.is_float_dtype(table[c])]
    return [tuple(str(v) for v in row) for row in table[cols].itertuples(index=False)]


def cross_scope_suppressed(section_folder: Path, item: dict, threshold: int, scopes: Iterable[str]) -> set[tuple]:
    """Cells ``(row index, column)`` of this scope's table ``item`` to suppress so that, with the same
    table in the other scopes' reports, no suppressed cell can be recovered by subtraction.

    ``section_folder`` is ``<processed>/<scope>/report_sections/<NN_strand>``; the same table of the
    other ``scopes`` (siblings under ``<processed>``) is read when it exists and was built from the
    same raw files. Equations: each scope's own margins, and for every count cell, the tri-borough
    value = the sum of the borough values (a row missing from a borough counts as 0). The joint
    system is solved with :func:`protect`, borough cells before tri-borough ones (the tri-borough
    cell is the total); the result is the same in every report built from the same data.
    """
    section_folder = Path(section_folder)
    here = section_folder.parents[1].name
    base = section_folder.parents[2]
    inputs_here = _scope_inputs(base / here)
    tables: dict[str, pd.DataFrame] = {}
    for scope in scopes:
        folder = base / scope / section_folder.parent.name / section_folder.name
        meta_path = folder / "section.json"
        if not meta_path.exists():
            continue
        if scope != here and _scope_inputs(base / scope) != inputs_here:
            continue  # built from another extract: not comparable
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        other = next(
            (i for i in meta.get("items", []) if i.get("kind") == "table" and i.get("name") == item["name"]), None
        )
        if other is None or not (folder / other["file"]).exists():
            continue
        tables[scope] = pd.read_csv(folder / other["file"])
    if here in tables and len(tables) < len(list(scopes)):
        import warnings

        missing = sorted(set(scopes) - set(tables))
        warnings.warn(
            f"table {item['name']!r} of {here}: not checked against the reports of {', '.join(missing)} (not built "
            "from the same extract yet); render every report after all scopes' notebooks have run",
            stacklevel=2,
        )
    if here not in tables or ALL_SCOPE not in tables or len(tables) < 2:
        return set()
    counts = [c for c in item.get("count_columns", []) if all(c in t.columns for t in tables.values())]
    if not counts:
        return set()
    boroughs = [s for s in scopes if s != ALL_SCOPE and s in tables]
    values, order, primary, equations = {}, [], set(), []
    keys = {}
    for scope in [*boroughs, ALL_SCOPE]:
        t = tables[scope]
        keys[scope] = _row_keys(t, item)
        for i in t.index:
            for c in counts:
                cell = (scope, i, c)
                values[cell] = _number(t.at[i, c])
                order.append(cell)
                if is_small(values[cell], threshold):
                    primary.add(cell)
        try:
            equations += table_equations(
                t, counts, item.get("totals"), item.get("row_margins"), key=lambda i, c, s=scope: (s, i, c)
            )
        except KeyError:
            pass
    all_index = {k: i for i, k in enumerate(keys[ALL_SCOPE])}
    for row_key, i_all in all_index.items():
        for c in counts:
            parts = []
            for scope in boroughs:
                idx = [i for i, k in enumerate(keys[scope]) if k == row_key]
                parts += [(scope, i, c) for i in idx]
            if parts and len(boroughs) == len(scopes) - 1:  # every borough present: all = sum of boroughs
                equations.append(([(ALL_SCOPE, i_all, c)], parts))
    hidden, _ = protect(values, primary, equations, order=order)
    return {(i, c) for (s, i, c) in hidden if s == here}
