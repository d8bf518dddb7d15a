"""Statistical disclosure control for anything a commissioner sees.

DfE publications show counts from 1 to 5 as "c" (confidential) so that small groups of children or
families cannot be singled out. Zero is shown (it discloses nothing about a person), and so are
counts above the threshold. Percentages and means computed from a suppressed count are suppressed
with it, because a rate with its denominator gives the count back.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .config import DEFAULT_SUPPRESSION_THRESHOLD

SUPPRESSED = "c"


def is_small(count, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> bool:
    """True when a count must be suppressed: 1 <= count <= threshold."""
    if count is None or pd.isna(count):
        return False
    return 1 <= float(count) <= threshold


def suppress_table(
    table: pd.DataFrame,
    count_columns: Iterable[str],
    dependent_columns: dict[str, str] | None = None,
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
) -> pd.DataFrame:
    """Return a copy of ``table`` with small counts replaced by "c".

    Parameters
    ----------
    table:
        The table to publish.
    count_columns:
        Columns holding counts of people (children, families, respondents, practitioners).
    dependent_columns:
        ``{column: count_column}``: a value derived from that count (a percentage, a mean over
        those people) that is suppressed whenever its count is.
    threshold:
        Largest count that is suppressed (counts 1..threshold become "c").
    """
    count_columns = list(count_columns)
    dependent_columns = dict(dependent_columns or {})
    missing = [c for c in [*count_columns, *dependent_columns, *dependent_columns.values()] if c not in table.columns]
    if missing:
        raise KeyError(f"suppress_table: columns not in the table: {missing}")
    out = table.copy().astype(object)
    for column in count_columns:
        small = table[column].map(lambda v: is_small(v, threshold))
        out.loc[small, column] = SUPPRESSED
    for column, count_column in dependent_columns.items():
        small = table[count_column].map(lambda v: is_small(v, threshold))
        out.loc[small, column] = SUPPRESSED
    return out


def count_like_columns(table: pd.DataFrame) -> list[str]:
    """Columns that by their name hold counts of people (``n``, ``n_*``, ``*_n``, ``count*``).

    Used as a safety net by the report: a table whose author forgot to declare a count column still
    has it suppressed if it is named like one.
    """
    names = []
    for c in table.columns:
        lc = str(c).lower()
        if lc == "n" or lc.startswith("n_") or lc.endswith("_n") or lc.startswith("count") or lc.startswith("number of"):
            if pd.api.types.is_numeric_dtype(table[c]):
                names.append(c)
    return names
