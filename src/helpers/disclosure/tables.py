"""Suppressing one table: its small counts, the figures derived from them, and its declared margins.

:func:`suppress_table` is the rule applied to one table on its own: counts of people from 1 to the
threshold become "c", so do the figures derived from them (a percentage, a mean, a model term: a rate
with its denominator gives the count back, and an estimate describes the small group), and so do the
cells that would give a "c" back through the margins given (``totals``, ``row_margins``). The report
protects every table with the relations it infers itself and those between tables, sentences and
reports (:mod:`helpers.disclosure.joint`), and passes the cells it suppresses as ``extra``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..config import DEFAULT_SUPPRESSION_THRESHOLD
from .rule import SUPPRESSED, Equation, is_small, protect

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
