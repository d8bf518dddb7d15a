"""What a table's counts count, and the relations between its cells, inferred from the table itself.

A count table declares once what each count column counts (:func:`people`, :func:`things`,
:func:`label`, :func:`published`); nothing else. The relations a reader could use to work a "c" out
are inferred here from the table's labels and true values, so that no strand has to remember them:

* **totals rows**: a row labelled "All ...", "Total ..." or "Overall ..." is the sum of the rows that
  agree with it in every other label column (R1);
* **breakdowns that add up alike**: rows grouped by one label column, within blocks of up to two other
  label columns, whose sums agree in every block (the roles, the boroughs and the waves of the same
  answers; R2); two single cells that are equal in one block only are a coincidence, not a breakdown;
* **totals columns**: a count column that is the sum of one to four other whole-number columns in
  every row (R3).

A candidate relation is kept only when it holds on the true values: a relation that holds is either
the table's structure or a coincidence a reader could take for it, and both must be protected. The
label columns are the columns on the left, before the first figure, that name a row (a date or a
word further right describes the row; it does not identify it). :func:`breakdowns` lists the sums a
number stated elsewhere (another table, a sentence, another report) could give away
(:mod:`helpers.disclosure.joint`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .rule import Equation

TOTAL_LABEL = re.compile(r"^(all|total|overall)\b", re.I)
KINDS = ("people", "things", "label", "published")
MAX_NAMED_BLOCK = 6  # rows of a block whose every few rows a sentence may name and sum


@dataclass(frozen=True)
class Counts:
    """What a table column counts: ``kind`` is "people" (suppressed when 1..threshold, and protected
    by secondary suppression), "things" (themes, items, teams, local authorities: never suppressed),
    "label" (not a count: a wave, a year, a code) or "published" (counts of people already published
    as official statistics: shown as published); ``what`` says what, in words."""

    what: str
    kind: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"a count column is one of {KINDS}, got {self.kind!r}")
        if not str(self.what).strip():
            raise ValueError("say what the column counts (e.g. people('practitioners'))")

    def to_json(self) -> dict:
        return {"what": self.what, "kind": self.kind}


def people(what: str) -> Counts:
    """A column counting people (children, families, practitioners, answers of practitioners)."""
    return Counts(what, "people")


def things(what: str) -> Counts:
    """A column counting things that are not people (themes, items, teams, donors, years): never suppressed."""
    return Counts(what, "things")


def label(what: str) -> Counts:
    """A whole-number column that names a row instead of counting (a wave, a year, a cluster number)."""
    return Counts(what, "label")


def published(what: str) -> Counts:
    """A column of counts of people already published as official statistics (shown as published)."""
    return Counts(what, "published")


def as_counts(declared) -> dict[str, Counts]:
    """``{column: Counts}`` from a declaration, or from its saved form (``{"what", "kind"}`` dicts)."""
    out = {}
    for col, c in (declared or {}).items():
        out[col] = c if isinstance(c, Counts) else Counts(c["what"], c["kind"])
    return out


def numbers(series: pd.Series) -> pd.Series:
    """A column as floats (missing, ``pd.NA`` and text as NaN)."""
    if pd.api.types.is_bool_dtype(series):
        return pd.Series(np.nan, index=series.index)
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _whole_numbers(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return False
    v = numbers(series).dropna()
    return bool(len(v)) and bool(np.all(np.isclose(v, np.round(v))))


@dataclass
class Layout:
    """A table's columns by role: the labels that name a row, the counts of people, the whole numbers."""

    labels: list
    people: list
    whole: list
    headers: dict


def layout(table: pd.DataFrame, counts: dict[str, Counts], dependent: dict, headers: dict | None = None) -> Layout:
    """Label columns (the leading run of text or declared label columns), people-count columns, and
    every whole-number column but the derived ones (any may be the total or a part of a totals column)."""
    counts = as_counts(counts)
    headers = headers or {c: str(c) for c in table.columns}
    labels = []
    for c in table.columns:
        declared = counts.get(c)
        text = not pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_bool_dtype(table[c])
        if (declared and declared.kind == "label") or (text and declared is None and c not in dependent):
            labels.append(c)
        else:
            break
    people_cols = [c for c, k in counts.items() if k.kind == "people" and c in table.columns]
    whole = [  # a figure derived from a count is hidden with it: not a known number beside it
        c
        for c in table.columns
        if c not in labels
        and c not in dependent
        and _whole_numbers(table[c])
        and not re.search(r"%|percent|share|rate", headers[c], re.I)
    ]
    return Layout(labels, people_cols, whole, headers)


def label_text(v) -> str:
    """A label as a reader sees it (the report prints booleans as Yes/No and a missing value as "–")."""
    if isinstance(v, (bool, np.bool_)):
        return "Yes" if v else "No"
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "–"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _labels(table: pd.DataFrame, cols: list) -> list[tuple]:
    return (
        [tuple(label_text(v) for v in row) for row in table[cols].itertuples(index=False)]
        if cols
        else [()] * len(table)
    )


def _sum(values: np.ndarray, rows: list) -> float:
    """The sum of some cells of a column (NaN when one is missing: no relation through it)."""
    return float(values[rows].sum())


def inferred_equations(table: pd.DataFrame, lay: Layout, key=lambda i, c: (i, c)) -> list[Equation]:
    """The relations R1 (totals rows), R2 (breakdowns alike) and R3 (totals columns) that hold."""
    table = table.reset_index(drop=True)
    eqs: list[Equation] = []
    if not lay.people:
        return eqs  # nothing to protect
    values = {c: numbers(table[c]).to_numpy() for c in lay.people}
    text = {L: [label_text(v) for v in table[L]] for L in lay.labels}
    for L in lay.labels:
        others = [x for x in lay.labels if x != L]
        rest = list(zip(*(text[x] for x in others), strict=True)) if others else [()] * len(table)
        totals = [r for r, t in enumerate(text[L]) if TOTAL_LABEL.match(t)]
        for r in totals:  # R1: a totals row is the sum of the rows that differ from it only in L
            parts = [s for s, t in enumerate(text[L]) if s != r and not TOTAL_LABEL.match(t) and rest[s] == rest[r]]
            for col in lay.people if parts else []:
                if abs(_sum(values[col], [r]) - _sum(values[col], parts)) < 1e-6:
                    eqs.append(([key(r, col)], [key(s, col) for s in parts]))
        for w in range(0, min(2, len(others)) + 1):  # R2: breakdowns that add up alike in every block
            for within in itertools.combinations(others, w):
                eqs += _alike(text, L, list(within), values, key)
    eqs += _totals_columns(table, lay, key)
    return eqs


def _alike(text: dict, L, within: list, values: dict, key) -> list[Equation]:
    blocks: dict = {}
    block_of = list(zip(*(text[x] for x in within), strict=True)) if within else [()] * len(text[L])
    for r, (k, v) in enumerate(zip(block_of, text[L], strict=True)):
        blocks.setdefault(k, {}).setdefault(v, []).append(r)
    names = list(dict.fromkeys(v for b in blocks.values() for v in b))
    sums = {
        col: {(k, v): _sum(vals, rows) for k, b in blocks.items() for v, rows in b.items()}
        for col, vals in values.items()
    }
    out = []
    for a, b in itertools.combinations(names, 2):
        pairs = [(k, blk[a], blk[b]) for k, blk in blocks.items() if a in blk and b in blk]
        if not pairs or (len(pairs) == 1 and len(pairs[0][1]) == len(pairs[0][2]) == 1):
            continue  # two cells that happen to be equal are no breakdown
        for col, s in sums.items():
            if all(abs(s[(k, a)] - s[(k, b)]) < 1e-6 for k, _, _ in pairs):
                for _, x, y in pairs:
                    small, large = (x, y) if len(x) <= len(y) else (y, x)  # the shorter side is the "total"
                    out.append(([key(r, col) for r in small], [key(r, col) for r in large]))
    return out


def _totals_columns(table, lay: Layout, key) -> list[Equation]:
    if not lay.people:
        return []
    values = (
        np.column_stack([numbers(table[c]).to_numpy() for c in lay.whole]) if lay.whole else np.zeros((len(table), 0))
    )
    idx = {c: i for i, c in enumerate(lay.whole)}
    out = []
    for t in lay.whole:
        rest = [c for c in lay.whole if c != t]
        for k in range(1, min(4, len(rest)) + 1):
            for parts in itertools.combinations(rest, k):
                if not ({t, *parts} & set(lay.people)):
                    continue
                total = values[:, idx[t]]
                summed = values[:, [idx[p] for p in parts]].sum(axis=1)
                if len(total) and not np.isnan(total).any() and np.allclose(total, summed, atol=1e-6, equal_nan=False):
                    out += [([key(r, t)], [key(r, p) for p in parts]) for r in range(len(table))]
    return out


def breakdowns(table: pd.DataFrame, lay: Layout) -> list[tuple[str, list[int], list[str] | None]]:
    """The sums a number stated elsewhere could give away: for each label column, the rows that
    differ only in it (two rows or more, a totals row aside), and in a block of up to six rows every
    few rows a sentence could name. ``(column, rows, names of the rows or None)``, per people column."""
    table = table.reset_index(drop=True)
    out = []
    for L in lay.labels:
        others = [x for x in lay.labels if x != L]
        own = [label_text(v) for v in table[L]]
        blocks: dict = {}
        for r, k in enumerate(_labels(table, others)):
            if not TOTAL_LABEL.match(own[r]):
                blocks.setdefault(k, []).append(r)
        for rows in blocks.values():
            if len(rows) < 2:
                continue
            for col in lay.people:
                out.append((col, rows, None))
                if 2 < len(rows) <= MAX_NAMED_BLOCK:
                    for k in range(2, len(rows)):
                        for sub in itertools.combinations(rows, k):
                            out.append((col, list(sub), [own[r] for r in sub]))
    return out
