"""Recovering a suppressed cell by arithmetic, as a reader of the four reports could.

Used by ``tests/disclosure_scan.py``. Nothing here reads what a table declares about itself: the
relations between cells are inferred from the rendered HTML (its labels, its numbers, its prose), the
way a reader with a spreadsheet would guess them:

* **totals rows**: a row labelled "All ...", "Total ..." or "Overall ..." is the sum of the rows that
  agree with it in every other label column;
* **breakdowns**: rows grouped by one label column (within blocks of other label columns) that add
  up alike, block after block (the roles, the boroughs and the waves of the same answers);
* **totals columns**: a count column that is the sum of other count columns in every row;
* **stated elsewhere**: a sum of cells (a breakdown, a column, or any few rows of a small block), or
  one cell, equal to a number stated in another table or in the prose of the same report section;
* **across reports**: the tri-borough cell is the sum of the three borough reports' cells (rows
  matched by their labels), and so is a number stated in the same words in the four reports' prose.

A guessed relation is kept only when it holds on the true, unsuppressed values (read from the tables
the strands saved, and from the values the sections recorded for their prose): the scan is an attacker
who guesses well, and what it finds is what such an attacker could work out. The relations are solved
together (linear algebra, by rank: a cell is recovered when its unit vector lies in the row space of the
equations over the unknowns), so chains of subtractions are found as well as single ones.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from disclosure_scan_prose import norm as _norm
from disclosure_scan_prose import prose_numbers, said_values, true_value

TOTAL_LABEL = re.compile(r"^(all|total|overall)\b", re.I)
LABEL_HEADER = re.compile(r"\b(wave|year|date|rank|code|cluster|df)\b", re.I)
INT = re.compile(r"\d{1,3}(?:,\d{3})*|\d+")
MAX_SUBSET_BLOCK = 6  # rows of a block whose every subset is tried as a sum


@dataclass
class Grid:
    """One rendered table and, when found, the true values behind it."""

    scope: str
    heading: str
    index: int
    caption: str
    header: list[str]
    rows: list[list[str]]
    truth: pd.DataFrame | None = None
    counts: list[int] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)

    def cell(self, r: int, j: int) -> tuple:
        return ("t", self.scope, self.heading, self.index, r, j)

    def true_value(self, r: int, j: int):
        if self.truth is None or r >= len(self.truth) or j >= self.truth.shape[1]:
            return None
        v = pd.to_numeric(pd.Series([self.truth.iat[r, j]]), errors="coerce").iloc[0]
        return None if pd.isna(v) else float(v)


def _as_int(text: str):
    t = text.strip()
    return int(t.replace(",", "")) if INT.fullmatch(t) else None


NUMBERISH = re.compile(r"(?:p\s*[<=>]\s*)?[<>]?\s*[-+−]?£?(?:\d[\d,]*)?\.?\d+(?:%|m|k|bn)?|–|")


def _classify(g: Grid) -> None:
    """Count columns (whole numbers and "c" only) and label columns: the columns on the left, before
    the first figure, that name a row (text that is not a number and is never suppressed, or whole
    numbers headed like a wave or a year); a date or a word further right describes the row instead."""
    leading = True
    for j, head in enumerate(g.header):
        col = [row[j].strip() for row in g.rows]
        ints = [c for c in col if _as_int(c) is not None]
        wave_like = (
            LABEL_HEADER.search(head) and "c" not in col and all(c in ("–", "") or _as_int(c) is not None for c in col)
        )
        if wave_like or ("c" not in col and not all(NUMBERISH.fullmatch(c) for c in col)):
            if leading:
                g.labels.append(j)
            continue
        leading = False
        if re.search(r"%|percent|share|rate", head, re.I):
            continue  # a percentage shown without decimals is not a count
        if (ints or "c" in col) and all(c in ("–", "", "c") or _as_int(c) is not None for c in col):
            truth = [g.true_value(r, j) for r in range(len(g.rows))]
            if all(v is None or float(v).is_integer() for v in truth):
                g.counts.append(j)


class System:
    """Cells (shown value, true value) and the linear relations kept between them."""

    def __init__(self):
        self.shown: dict = {}
        self.truth: dict = {}
        self.equations: list[dict] = []
        self.why: list[str] = []
        self.hidden: set = set()
        self._seen: set = set()
        #: guessed relations no true value can confirm (a "c" the section wrote itself, no token behind it)
        self.unconfirmed: list[str] = []

    def add_cell(self, cell, shown, truth):
        self.shown[cell] = shown
        self.truth[cell] = truth
        if shown is None:
            self.hidden.add(cell)

    def holds(self, eq: dict) -> bool:
        values = [self.truth.get(c) for c in eq]
        if any(v is None for v in values):
            return False
        return abs(sum(k * v for k, v in zip(eq.values(), values, strict=True))) < 1e-6

    def add(self, eq: dict, why: str) -> bool:
        eq = {c: k for c, k in eq.items() if k}
        key = frozenset(eq.items())
        if not eq or not (set(eq) & self.hidden) or key in self._seen or not self.holds(eq):
            return False
        self._seen.add(key)
        self.equations.append(eq)
        self.why.append(why)
        return True


def _sum(cells, sign=1.0) -> dict:
    out: dict = {}
    for c in cells:
        out[c] = out.get(c, 0.0) + sign
    return out


def _merge(*parts: dict) -> dict:
    out: dict = {}
    for p in parts:
        for c, k in p.items():
            out[c] = out.get(c, 0.0) + k
    return out


def _label_key(g: Grid, r: int, cols) -> tuple:
    return tuple(g.rows[r][j] for j in cols)


def within_table(g: Grid, system: System) -> list[tuple[str, list]]:
    """Totals rows, breakdowns and totals columns of one table; returns the sums a number stated
    elsewhere may give (breakdowns, and the few named rows of a small one) as ``(description, cells,
    row names or None)``."""
    groups: list[tuple[str, list]] = []
    n = len(g.rows)
    for j in g.counts:
        for L in g.labels:
            others = [x for x in g.labels if x != L]
            for r in range(n):
                if TOTAL_LABEL.match(g.rows[r][L]):
                    parts = [
                        s
                        for s in range(n)
                        if s != r
                        and not TOTAL_LABEL.match(g.rows[s][L])
                        and _label_key(g, s, others) == _label_key(g, r, others)
                    ]
                    if parts:
                        system.add(
                            _merge(_sum([g.cell(r, j)]), _sum([g.cell(s, j) for s in parts], -1.0)),
                            f"{g.header[j]}: '{g.rows[r][L]}' is the sum of its rows",
                        )
            for w in range(0, min(2, len(others)) + 1):
                for W in itertools.combinations(others, w):
                    blocks: dict = {}
                    for r in range(n):
                        blocks.setdefault(_label_key(g, r, W), {}).setdefault(g.rows[r][L], []).append(r)
                    values = list(dict.fromkeys(v for b in blocks.values() for v in b))
                    for a, b_ in itertools.combinations(values, 2):
                        pairs = [(b[a], b[b_]) for b in blocks.values() if a in b and b_ in b]
                        if len(pairs) == 1 and len(pairs[0][0]) == len(pairs[0][1]) == 1:
                            continue  # two cells that happen to be equal, once: no pattern to read
                        eqs = [
                            _merge(_sum([g.cell(r, j) for r in x]), _sum([g.cell(r, j) for r in y], -1.0))
                            for x, y in pairs
                        ]
                        if eqs and all(system.holds(e) for e in eqs):
                            for e in eqs:
                                system.add(e, f"{g.header[j]}: rows '{a}' and rows '{b_}' add up alike")
        for L in g.labels:
            # a breakdown: the rows that differ only in L (a totals row aside) add up to their total
            others = [x for x in g.labels if x != L]
            blocks: dict = {}
            for r in range(n):
                if not TOTAL_LABEL.match(g.rows[r][L]):
                    blocks.setdefault(_label_key(g, r, others), []).append(r)
            for key, rs in blocks.items():
                if len(rs) < 2:
                    continue  # one row: a single cell, matched only with its label or words (below)
                where = f" ({', '.join(key)})" if key else ""
                groups.append((f"{g.header[j]} of the rows by {g.header[L]}{where}", [g.cell(r, j) for r in rs], None))
                if 2 < len(rs) <= MAX_SUBSET_BLOCK:
                    for k in range(2, len(rs)):
                        for sub in itertools.combinations(rs, k):
                            named = [g.rows[r][L] for r in sub]
                            groups.append(
                                (f"{g.header[j]} of {' and '.join(named)}", [g.cell(r, j) for r in sub], named)
                            )
    for t in g.counts:
        rest = [j for j in g.counts if j != t]
        for k in range(1, min(4, len(rest)) + 1):
            for parts in itertools.combinations(rest, k):
                eqs = [_merge(_sum([g.cell(r, t)]), _sum([g.cell(r, p) for p in parts], -1.0)) for r in range(n)]
                if all(system.holds(e) for e in eqs):
                    for e in eqs:
                        system.add(e, f"'{g.header[t]}' is the sum of {[g.header[p] for p in parts]}")
    return groups


#: Words too common in headers and sentences to tie a number to a column.
GENERIC = {
    "wave",
    "mean",
    "change",
    "number",
    "total",
    "share",
    "point",
    "with",
    "from",
    "each",
    "every",
    "group",
    "lower",
    "upper",
    "high",
    "both",
    "their",
    "that",
    "this",
    "were",
    "have",
    "been",
    "which",
    "where",
}


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]{4,}", text.lower())} - GENERIC


def stated_elsewhere(section_grids: list[Grid], prose: list[tuple], groups: dict, system: System) -> None:
    """A breakdown's sum equal to a number stated in another table or the prose of the same section; a
    sum of a few named rows equal to a number stated in a sentence that names them; one cell equal to
    a number stated elsewhere with the same row label (another table) or the same words (prose)."""
    by_value: dict = {}
    for g in section_grids:
        for j in g.counts:
            for r in range(len(g.rows)):
                if system.truth.get(g.cell(r, j)) is not None:
                    by_value.setdefault(system.truth[g.cell(r, j)], []).append((g.cell(r, j), g, r))
    sentences = {}
    for cell, _context, sentence in prose:
        sentences[cell] = sentence
        if system.truth.get(cell) is not None:
            by_value.setdefault(system.truth[cell], []).append((cell, None, None))
    for g in section_grids:
        for why, cells, named in groups.get(id(g), []):
            values = [system.truth.get(c) for c in cells]
            if not set(cells) & system.hidden or any(v is None for v in values):
                continue
            header = _words(g.header[cells[0][5]])
            for other, h, s in by_value.get(sum(values), []):
                if other in cells or h is g:
                    continue
                if h is not None:  # a total row of another table, counting the same thing
                    k = other[5]
                    if named or not any(TOTAL_LABEL.match(h.rows[s][L]) for L in h.labels):
                        continue
                    if not header & _words(h.header[k]):
                        continue
                elif not (_names_in(named, sentences[other]) if named else header & _words(sentences[other])):
                    continue
                system.add(_merge(_sum(cells), _sum([other], -1.0)), f"{why} = {sum(values):g} stated elsewhere")
    for g in section_grids:
        for j in g.counts:
            for r in range(len(g.rows)):
                cell = g.cell(r, j)
                if cell not in system.hidden or system.truth.get(cell) is None:
                    continue
                labels = {g.rows[r][L] for L in g.labels}
                for other, h, s in by_value.get(system.truth[cell], []):
                    if h is g or other == cell:
                        continue
                    if h is not None:  # the same row labels and a word of the same column header
                        k = other[5]
                        if not labels <= {h.rows[s][L] for L in h.labels} or not _words(g.header[j]) & _words(
                            h.header[k]
                        ):
                            continue
                    else:  # a sentence with a word of the column and of the row (or about everyone)
                        said = _words(sentences[other])
                        total_row = any(TOTAL_LABEL.match(x) for x in labels)
                        if not _words(g.header[j]) & said or not (total_row or _words(" ".join(labels)) & said):
                            continue
                    system.add(_merge(_sum([cell]), _sum([other], -1.0)), "the same number stated elsewhere")


def _names_in(named: list[str], sentence: str) -> bool:
    """Every named row has a word of its label in the sentence."""
    words = _words(sentence)
    return all(_words(name) & words for name in named)


def across_reports(grids: dict[str, list[Grid]], prose: dict[str, list[tuple]], system: System, tri: str) -> None:
    """The tri-borough report's cells and prose numbers are the sums of the three borough reports'."""
    boroughs = [s for s in grids if s != tri]
    for t in grids[tri]:
        twins = {}
        for b in boroughs:
            match = [u for u in grids[b] if (u.heading, u.caption, u.header) == (t.heading, t.caption, t.header)]
            if match:
                twins[b] = match[0]
        if len(twins) < len(boroughs):
            continue
        for r in range(len(t.rows)):
            key = _label_key(t, r, t.labels)
            for j in t.counts:
                parts = [
                    u.cell(s, j)
                    for u in twins.values()
                    if j in u.counts
                    for s in range(len(u.rows))
                    if _label_key(u, s, u.labels) == key
                ]
                system.add(_merge(_sum([t.cell(r, j)]), _sum(parts, -1.0)), "tri-borough = sum of the boroughs")
    keyed: dict = {}
    for scope, items in prose.items():
        seen: dict = {}
        for cell, context, _sentence in items:
            k = (cell[2], context)
            seen[k] = seen.get(k, 0) + 1
            keyed.setdefault((*k, seen[k]), {})[scope] = cell
    for (heading, context, _), by_scope in keyed.items():
        if set(by_scope) == set(grids):
            # the same words in the four reports are a guess, kept only when the true values (a "c"'s
            # from its section's saved texts) add up: the tri-borough count need not be the boroughs' sum
            eq = _merge(_sum([by_scope[tri]]), _sum([by_scope[b] for b in boroughs], -1.0))
            if not system.add(eq, "tri-borough prose = sum of the boroughs'") and any(
                c in system.hidden and system.truth.get(c) is None for c in eq
            ):
                system.unconfirmed.append(f"{heading} / prose: 'c {context}' in the four reports")


def recovered(system: System) -> list[tuple]:
    """``(cell, value, how)`` for every hidden cell the kept relations determine."""
    unknown = sorted(system.hidden, key=str)
    index = {c: i for i, c in enumerate(unknown)}
    parent = list(range(len(unknown)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for eq in system.equations:
        ids = [index[c] for c in eq if c in index]
        for a in ids[1:]:
            parent[find(a)] = find(ids[0])
    comps: dict = {}
    for i in range(len(unknown)):
        comps.setdefault(find(i), []).append(unknown[i])
    out = []
    for members in comps.values():
        out += _solve_component(members, system)
    return out


def _solve_component(members: list, system: System) -> list[tuple]:
    local = {c: k for k, c in enumerate(members)}
    rows, rhs, used = [], [], []
    for eq, why in zip(system.equations, system.why, strict=True):
        if not set(eq) & set(local):
            continue
        row = np.zeros(len(local))
        const = 0.0
        for c, k in eq.items():
            if c in local:
                row[local[c]] += k
            elif system.shown.get(c) is None:
                const = np.nan  # a blank (missing) number: no subtraction possible
            else:
                const -= k * system.shown[c]
        if not np.isnan(const):
            rows.append(row)
            rhs.append(const)
            used.append((eq, why))
    if not rows:
        return []
    a = np.array(rows)
    b = np.array(rhs)
    _, first = np.unique(np.round(np.column_stack([a, b]), 9), axis=0, return_index=True)
    first = np.sort(first)  # the same relation found twice counts once
    # the row space of the relations over the unknowns: a cell is determined exactly when its unit
    # vector lies in it (its projection onto the row space has length 1)
    u, s, vt = np.linalg.svd(a[first], full_matrices=False)
    r = int((s > 1e-9 * max(1.0, s[0])).sum())
    basis = vt[:r]
    solution = basis.T @ ((u[:, :r].T @ b[first]) / s[:r])
    out = []
    for c, k in local.items():
        if abs(float(basis[:, k] @ basis[:, k]) - 1.0) > 1e-9:
            continue
        single = [u_ for row, u_ in zip(rows, used, strict=True) if row[k] and np.count_nonzero(row) == 1]
        how = _arithmetic(c, *single[0], system) if single else f"solving {len(first)} relations together"
        out.append((c, round(float(solution[k]), 6) + 0.0, how))  # + 0.0: a zero, never "-0"
    return out


def _arithmetic(target, eq: dict, why: str, system: System) -> str:
    """ "45 - (11 + 7 + 16 + 9) = 2 (why)": the subtraction that gives ``target`` back."""
    kt = eq[target]
    plus = [system.shown[c] for c, k in eq.items() if c != target and -k / kt > 0]
    minus = [system.shown[c] for c, k in eq.items() if c != target and -k / kt < 0]
    value = sum(plus) - sum(minus)
    text = " + ".join(f"{v:g}" for v in plus) or "0"
    if minus:
        text += " - " + (f"({' + '.join(f'{v:g}' for v in minus)})" if len(minus) > 1 else f"{minus[0]:g}")
    return f"{text} = {value:g}: {why}"


# --------------------------------------------------------------------------------------------
# True values: the tables the strands saved, and the values their prose recorded
# --------------------------------------------------------------------------------------------


def attach_truth(grids: list[Grid], processed: Path, scope: str) -> None:
    """Find each rendered table's saved CSV (same section title, same caption, same shape)."""
    saved: dict = {}
    for path in sorted((processed / scope / "report_sections").glob("*/section.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        for item in meta.get("items", []):
            if item.get("kind") == "table":
                saved.setdefault((_norm(meta["title"]), _norm(item.get("caption", ""))), []).append(
                    path.parent / item["file"]
                )
    used: dict = {}
    for g in grids:
        files = saved.get((_norm(g.heading), _norm(g.caption)), [])
        k = used.get((g.heading, g.caption), 0)
        used[(g.heading, g.caption)] = k + 1
        if k < len(files):
            t = pd.read_csv(files[k])
            if t.shape[0] == len(g.rows) and t.shape[1] == len(g.header):
                g.truth = t


# --------------------------------------------------------------------------------------------
# The scan
# --------------------------------------------------------------------------------------------


def scan_recoveries(
    parsed: dict, processed: Path, threshold: int, tri: str = "all", unconfirmed: list | None = None
) -> list[str]:
    """Every suppressed cell of the four reports (``{scope: parse_report(html)}``) that the inferred
    relations give back, as readable findings (with the subtraction when one relation suffices).
    ``unconfirmed`` (when given) receives the guessed relations left unused because no true value
    could confirm them, for a reader to check by hand."""
    system = System()
    grids: dict[str, list[Grid]] = {}
    prose: dict[str, list[tuple]] = {}
    unverifiable = []
    for scope, sections in parsed.items():
        gs = [
            Grid(scope, heading, k, t["caption"], t["header"], t["rows"])
            for heading, sec in sections.items()
            for k, t in enumerate(sec["tables"])
        ]
        attach_truth(gs, processed, scope)
        for g in gs:
            _classify(g)
            for j in g.counts:
                for r, row in enumerate(g.rows):
                    if row[j] == "c" or _as_int(row[j]) is not None:
                        system.add_cell(g.cell(r, j), _as_int(row[j]), g.true_value(r, j))
            if g.truth is None and any("c" in row for row in g.rows):
                unverifiable.append(
                    f"[{scope}] {g.heading} / {g.caption[:60]}: no saved table found to check it against"
                )
        grids[scope] = gs
        prose[scope] = []
        said = said_values(processed, scope)
        for heading, sec in sections.items():
            for cell, value, context, sentence in prose_numbers(scope, heading, sec["prose"]):
                # a shown number is its own true value; a "c" is the token said with the same words
                truth = (
                    value
                    if value is not None
                    else true_value(said, heading, sec["prose"][cell[3]], cell[4], cell[4] + 1)
                )
                system.add_cell(cell, value, truth)
                prose[scope].append((cell, context, sentence))
    for scope, gs in grids.items():
        for heading in dict.fromkeys(g.heading for g in gs):
            in_section = [g for g in gs if g.heading == heading]
            groups = {id(g): _unique(within_table(g, system)) for g in in_section if _has_hidden(g, system)}
            stated_elsewhere(in_section, [x for x in prose[scope] if x[0][2] == heading], groups, system)
    if tri in grids and len(grids) > 1:
        across_reports(grids, prose, system, tri)
    if unconfirmed is not None:
        unconfirmed += system.unconfirmed
    return unverifiable + [_describe(cell, value, how, grids, system) for cell, value, how in recovered(system)]


def _has_hidden(g: Grid, system: System) -> bool:
    return any(g.cell(r, j) in system.hidden for j in g.counts for r in range(len(g.rows)))


def _unique(groups: list[tuple]) -> list[tuple]:
    seen, out = set(), []
    for why, cells, named in groups:
        key = frozenset(cells)
        if key not in seen:
            seen.add(key)
            out.append((why, cells, named))
    return out


def _describe(cell, value, how, grids, system) -> str:
    if cell[0] == "p":
        return f'[{cell[1]}] {cell[2]} / prose: a "c" = {value:g} ({how})'
    g = next(x for x in grids[cell[1]] if x.index == cell[3] and x.heading == cell[2])
    label = " / ".join(g.rows[cell[4]][L] for L in g.labels) or f"row {cell[4] + 1}"
    return f"[{cell[1]}] {g.heading} / {g.caption[:70]}: {label}, '{g.header[cell[5]]}' \"c\" = {value:g} ({how})"
