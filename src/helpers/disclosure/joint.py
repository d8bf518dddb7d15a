"""One protection for every table and sentence of the four reports, worked out together.

The tri-borough report and the three borough reports are built from the same extract, so a reader can
put them side by side; within one report, a number in a sentence or in another table can be the total
of a table's rows. :func:`protect_scopes` gathers every count of people the reports show (the cells of
the tables' people columns, and the counts their prose states as tokens, :mod:`~.prose`) and every
relation between them a reader could use:

* each table's own relations, inferred from its labels and values (:mod:`~.infer`: totals rows,
  breakdowns that add up alike, totals columns), and any a strand declared besides;
* **stated elsewhere** in the same section: a breakdown's sum equal to a number in a totals row of
  another table counting the same thing (a word of the column headers in common), or to a count in a
  sentence using a word of the column; the sum of a few rows of a small block equal to a count in a
  sentence naming each of them; one cell equal to a cell of another table with the same row labels
  and a word of the column in common, or to a count in a sentence with a word of the column and of
  the row (or about everyone: a totals row);
* **across reports**: the tri-borough cell is the sum of the borough reports' cells for the same row,
  and a count stated in the same words in the four reports' prose likewise.

A sentence also states whole numbers that are no token (a number of scenarios or themes, a minimum
cell size): a reader may take one for a total all the same, so they enter the relations above as
known numbers (:func:`~.prose.numbers_said`), and a cell they give back is never chosen to hide
another. A table's cell said in a sentence is tied by the sentence's words too, like a count. A count hidden because the count it derives from is (``dependent_columns``) is protected
like any other "c".

A relation is kept when it holds on the true values (a coincidence a reader could take for structure
is protected too), except the one between the four reports' sentences, kept on their words alone.
:func:`~.rule.protect` then suppresses what must be suppressed, the same way in every report, since
each computes the same system. Scopes built from another extract are left out.
"""

from __future__ import annotations

import functools
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import prose
from .infer import TOTAL_LABEL, as_counts, breakdowns, inferred_equations, label_text, layout, numbers, people
from .rule import is_small, protect_with
from .tables import count_like_columns, table_equations

#: Words too common in headers and sentences to tie a number to a column.
GENERIC = frozenset(
    "wave mean change number total share point with from each every group lower upper high both their that "
    "this were have been which where".split()
)


def words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]{4,}", str(text).lower())} - GENERIC


@dataclass
class Table:
    scope: str
    folder: str
    item: dict
    frame: pd.DataFrame
    lay: object

    def key(self, r, c) -> tuple:
        return ("t", self.scope, self.folder, self.item["name"], r, c)

    @functools.cached_property
    def row_labels(self) -> list[tuple]:
        """Each row's labels as a reader sees them."""
        return [tuple(label_text(self.frame.at[r, L]) for L in self.lay.labels) for r in range(len(self.frame))]


@dataclass
class Scope:
    name: str
    sections: list  # [(folder name, meta)]
    tables: list = field(default_factory=list)
    tokens: dict = field(default_factory=dict)  # (folder, id) -> {"value", "said": [(sentence, after)]}
    stated: dict = field(default_factory=dict)  # (folder, k) -> {"value", "said"}: numbers that are no token
    cited: dict = field(default_factory=dict)  # table cell key -> {"value", "said"}: a table's cell in a sentence


def people_columns(item: dict, table: pd.DataFrame) -> list[str]:
    """The columns of a saved table that count people: declared, or (in a table saved before counts
    were declared) listed as count columns or named like one."""
    counts = as_counts(item.get("counts"))
    if counts:
        return [c for c, k in counts.items() if k.kind == "people" and c in table.columns]
    named = [c for c in count_like_columns(table) if c not in item.get("dependent_columns", {})]
    return list(dict.fromkeys([*item.get("count_columns", []), *named]))


def _labelled(column, labels: dict) -> str:
    return labels.get(column, str(column))


def _headers(item: dict, table: pd.DataFrame, headers=_labelled) -> dict:
    """The headers a reader sees (``headers(column, labels)``: the report's own naming, given by the caller)."""
    return {c: headers(c, item.get("labels") or {}) for c in table.columns}


def _load_scope(name: str, folder: Path, headers=_labelled) -> Scope:
    sections = []
    for path in sorted((folder / "report_sections").glob("*/section.json")):
        sections.append((path.parent.name, json.loads(path.read_text(encoding="utf-8"))))
    scope = Scope(name, sections)
    for sec_folder, meta in sections:
        for item in meta.get("items", []):
            if item.get("kind") != "table":
                continue
            frame = pd.read_csv(folder / "report_sections" / sec_folder / item["file"])
            counts = as_counts(item.get("counts")) or {c: people("people") for c in people_columns(item, frame)}
            lay = layout(frame, counts, item.get("dependent_columns", {}), _headers(item, frame, headers))
            scope.tables.append(Table(name, sec_folder, item, frame.reset_index(drop=True), lay))
        tokens = meta.get("tokens", [])
        said: dict = {}
        for text in _token_texts(meta):
            for i, found in prose.sentences_of(text, tokens).items():
                said.setdefault(i, []).extend(found)
        for i, t in enumerate(tokens):
            if t.get("count") and t.get("value") is not None:
                scope.tokens[(sec_folder, i)] = {"value": t["value"], "said": said.get(i, [])}
            for ref in t.get("refs", []):  # a table's cell said in a sentence: the sentence's words tie it too
                if ref[0] == "table" and said.get(i) and t.get("value") is not None:
                    key = ("t", name, sec_folder, ref[1], int(ref[2]), str(ref[3]))
                    scope.cited.setdefault(key, {"value": t["value"], "said": []})["said"] += said[i]
        for text in _texts(meta):
            for value, sentence, after in prose.numbers_said(text, tokens):
                scope.stated[(sec_folder, len(scope.stated))] = {"value": value, "said": [(sentence, after)]}
    return scope


def _token_texts(meta: dict) -> list[str]:
    out = []
    for holder in [*meta.get("items", []), *meta.get("key_findings", [])]:
        out += list((holder.get(prose.TOKEN_TEXTS) or {}).values())
    return out


def _texts(meta: dict) -> list[str]:
    """Every text of a section a reader sees (with its tokens where it has them)."""
    out = []
    for holder in [*meta.get("items", []), *meta.get("key_findings", [])]:
        with_tokens = holder.get(prose.TOKEN_TEXTS) or {}
        for name in ("text", "caption", "note", "alt", "answer"):
            text = with_tokens.get(name, holder.get(name))
            if isinstance(text, str) and text:
                out.append(text)
    return out


def _scope_inputs(scope_dir: Path) -> frozenset:
    """The hashes of the raw files a scope was built from (its ingest records)."""
    stamps = []
    for f in sorted((scope_dir / "data_quality").glob("reconciliation_*.csv")):
        try:
            st = f.stat()
        except OSError:
            continue
        stamps.append((str(f), st.st_mtime_ns, st.st_size))
    return _recorded_inputs(tuple(stamps))


@functools.lru_cache(maxsize=64)
def _recorded_inputs(stamps: tuple) -> frozenset:
    """The (file, hash) pairs of the ingest records ``stamps`` names (path, modification time, size):
    read once while they are unchanged, since a report asks for every scope's on each of the several
    times it loads its sections."""
    hashes = set()
    for name, _, _ in stamps:
        try:
            rec = pd.read_csv(name, dtype=str, keep_default_na=False)
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError):
            continue
        if "sha256" in rec.columns:
            hashes.update(zip(rec.get("file", rec["sha256"]), rec["sha256"], strict=True))
    return frozenset(hashes)


class System:
    """Cells with their true values and the relations kept between them."""

    def __init__(self):
        self.values: dict = {}
        self.people: set = set()
        self.order: list = []
        self.equations: list = []
        self._seen: set = set()

    def cell(self, key, value, is_people: bool):
        if key not in self.values:
            self.values[key] = value
            self.order.append(key)
        if is_people:
            self.people.add(key)

    def add(self, left: list, right: list, check: bool = True) -> None:
        key = (tuple(left), tuple(right))
        if not left or key in self._seen:
            return
        if check and abs(sum(self._v(c) for c in left) - sum(self._v(c) for c in right)) > 1e-6:
            return
        self._seen.add(key)
        self.equations.append((list(left), list(right)))

    def _v(self, c) -> float:
        v = self.values.get(c)
        return float("nan") if v is None else float(v)


def _add_tables(scope: Scope, system: System) -> None:
    for t in scope.tables:
        frame = t.frame
        for c in t.lay.whole + [p for p in t.lay.people if p not in t.lay.whole]:
            for r, v in enumerate(numbers(frame[c])):
                system.cell(t.key(r, c), None if pd.isna(v) else float(v), c in t.lay.people)
        for left, right in inferred_equations(frame, t.lay, t.key):
            system.add(left, right, check=False)  # inferred relations hold by construction
        declared = (
            table_equations(frame, t.lay.people, t.item.get("totals"), t.item.get("row_margins"), key=t.key)
            if (t.item.get("totals") or t.item.get("row_margins"))
            else []
        )
        for left, right in declared:
            system.add(left, right, check=False)
    for (folder, i), tok in scope.tokens.items():
        system.cell(("p", scope.name, folder, i), tok["value"], True)
    for (folder, k), number in scope.stated.items():  # shown as written: a known number, never suppressed
        system.cell(("n", scope.name, folder, k), number["value"], False)


def _stated_elsewhere(scope: Scope, system: System) -> None:
    """R4: sums and cells equal to a number in another table's totals row or in a sentence."""
    for folder in dict.fromkeys(t.folder for t in scope.tables):
        tables = [t for t in scope.tables if t.folder == folder]
        said = {("p", scope.name, f, i): tok for (f, i), tok in scope.tokens.items() if f == folder}
        said.update({("n", scope.name, f, k): n for (f, k), n in scope.stated.items() if f == folder})
        said.update({key: c for key, c in scope.cited.items() if key[2] == folder and key in system.values})
        for tok in said.values():
            tok["words"] = words(" ".join(s for s, _ in tok["said"]))
        shown: dict = {}  # value -> [(table, row, column)] of every whole number of the section's tables
        for h in tables:
            for c in h.lay.whole:
                for r in range(len(h.frame)):
                    shown.setdefault(system._v(h.key(r, c)), []).append((h, r, c))
        for t in tables:
            for col, rows, names in breakdowns(t.frame, t.lay):
                cells = [t.key(r, col) for r in rows]
                total = sum(system._v(c) for c in cells)
                head = words(t.lay.headers[col])
                for h, r, c in shown.get(total, []) if names is None else []:
                    if h is not t and _is_total_row(h, r) and head & words(h.lay.headers[c]):
                        system.add([h.key(r, c)], cells)
                for key, tok in said.items():
                    if key in cells or tok["value"] != total:
                        continue
                    if _names_in(names, tok["words"]) if names else head & tok["words"]:
                        system.add([key], cells)
            _single_cells(t, shown, said, system)


def _is_total_row(t: Table, r: int) -> bool:
    return any(TOTAL_LABEL.match(x) for x in t.row_labels[r])


def _names_in(names: list[str], said: set[str]) -> bool:
    return all(words(n) & said for n in names)


def _single_cells(t: Table, shown: dict, said: dict, system: System) -> None:
    """One cell equal to a cell of another table with the same row labels and a word of the column in
    common, or to a count in a sentence with a word of the column and of the row (or of everyone)."""
    for r in range(len(t.frame)):
        labels = set(t.row_labels[r])
        total_row = _is_total_row(t, r)
        for col in t.lay.people:
            v = system._v(t.key(r, col))
            if not v > 0:
                continue
            head = words(t.lay.headers[col])
            for h, s, c in shown.get(v, []):
                if h is not t and labels <= set(h.row_labels[s]) and head & words(h.lay.headers[c]):
                    system.add([h.key(s, c)], [t.key(r, col)])
            for key, tok in said.items():
                if key != t.key(r, col) and tok["value"] == v and head & tok["words"]:
                    if total_row or words(" ".join(labels)) & tok["words"]:
                        system.add([key], [t.key(r, col)])


def _across_reports(scopes: dict, tri: str, system: System) -> None:
    """R5: the tri-borough report's cells and sentences are the sums of the borough reports'."""
    boroughs = [s for s in scopes if s != tri]
    for t in scopes[tri].tables:
        twins = [
            next((u for u in scopes[b].tables if (u.folder, u.item["name"]) == (t.folder, t.item["name"])), None)
            for b in boroughs
        ]
        if any(u is None for u in twins):
            continue
        for r, k in enumerate(t.row_labels):
            for col in t.lay.people:
                parts = [
                    u.key(s, col) for u in twins if col in u.lay.people for s, ks in enumerate(u.row_labels) if ks == k
                ]
                system.add([t.key(r, col)], parts)
    contexts: dict = {}
    for name, scope in scopes.items():
        seen: dict = {}
        for (folder, i), tok in scope.tokens.items():
            for _, after in dict.fromkeys(tok["said"]):  # every sentence it stands in (one token, one number)
                k = (folder, after)
                seen[k] = seen.get(k, 0) + 1
                contexts.setdefault((*k, seen[k]), {})[name] = ("p", name, folder, i)
    for found in contexts.values():
        if set(found) == set(scopes):
            system.add([found[tri]], [found[b] for b in boroughs], check=False)


@dataclass
class Protection:
    """What the reports suppress: table cells ``{(scope, section folder, table name): {(row, column)}}``
    and prose counts ``{(scope, section folder): {token id}}``; ``scopes`` says which reports were
    protected together (the others were built from another extract, or not built)."""

    cells: dict
    counts: dict
    scopes: tuple


_WARNED: set = set()  # (scope folder, scopes left out) already warned about in this process


def protect_scopes(processed_dir: Path, scopes, threshold: int, tri: str = "all", headers=_labelled) -> Protection:
    """Protect ``processed_dir``'s scope together with the sibling scopes built from the same extract."""
    processed_dir = Path(processed_dir)
    here, base = processed_dir.name, processed_dir.parent
    if here not in scopes:  # an authority's own report (la<number>) has no sibling reports
        return _protect_cached((str(processed_dir),), threshold, tri, _stamp(base, [here]), headers)
    inputs = _scope_inputs(processed_dir)
    names = [
        s
        for s in scopes
        if s == here or ((base / s / "report_sections").exists() and _scope_inputs(base / s) == inputs)
    ]
    left_out = sorted(set(scopes) - set(names))
    if left_out and (str(processed_dir), tuple(left_out)) not in _WARNED:
        _WARNED.add((str(processed_dir), tuple(left_out)))
        warnings.warn(
            f"{here}: not checked against the reports of {', '.join(left_out)} (not built, or built from another "
            "extract); render every report after all scopes' notebooks have run",
            stacklevel=3,
        )
    return _protect_cached(tuple(str(base / s) for s in names), threshold, tri, _stamp(base, names), headers)


def _stamp(base: Path, names) -> tuple:
    return tuple(
        (str(p), p.stat().st_mtime_ns) for s in names for p in sorted((base / s / "report_sections").glob("*/*"))
    )


@functools.lru_cache(maxsize=8)
def _protect_cached(folders: tuple, threshold: int, tri: str, _stamp: tuple, headers=_labelled) -> Protection:
    scopes = {Path(f).name: _load_scope(Path(f).name, Path(f), headers) for f in folders}
    order = [s for s in scopes if s != tri] + [s for s in scopes if s == tri]
    system = System()
    for name in order:
        _add_tables(scopes[name], system)
    for name in order:
        _stated_elsewhere(scopes[name], system)
    if tri in scopes and len(scopes) > 1:
        _across_reports(scopes, tri, system)
    primary = {c for c in system.people if is_small(system.values[c], threshold)}
    seeded = {t.key(r, c) for s in scopes.values() for t in s.tables for r, c in t.item.get("hidden", [])}
    fixed = _pinned(system, set(system.values) - system.people, primary | seeded)
    hidden, _ = protect_with(
        system.values, primary | seeded, system.equations, _follows(scopes, system), fixed=fixed, order=system.order
    )
    cells: dict = {}
    counts: dict = {}
    for c in hidden:
        if c[0] == "t":
            cells.setdefault(c[1:4], set()).add((c[4], c[5]))
        elif c[0] == "p":
            counts.setdefault(c[1:3], set()).add(c[3])
    return Protection(cells, counts, tuple(scopes))


def _pinned(system: System, fixed: set, hidden: set) -> set:
    """``fixed`` and every cell its relations give from fixed cells alone (a cell equal to a number a
    sentence states as written, say): as good as shown, so never chosen to hide another, since it would
    be read back. A cell already suppressed stays so."""
    fixed = set(fixed)
    grown = True
    while grown:
        grown = False
        for left, right in system.equations:
            open_ = {c for c in (*left, *right) if c not in fixed}
            if len(open_) == 1 and not open_ & hidden:
                fixed |= open_
                grown = True
    return fixed


def _follows(scopes: dict, system: System):
    """The counts shown as "c" because a count they derive from is (``dependent_columns``: the answers
    of a group whose practitioners are suppressed), as a function of the suppressed cells."""
    derived = [
        (t, col, list(sources))
        for s in scopes.values()
        for t in s.tables
        for col, sources in (t.item.get("dependent_columns") or {}).items()
        if t.key(0, col) in system.values
    ]

    def follows(hidden: set) -> set:
        return {
            t.key(r, col)
            for t, col, sources in derived
            for r in range(len(t.frame))
            if any(t.key(r, s) in hidden for s in sources)
        }

    return follows


def protect_sections(
    sections: list[dict], processed_dir: Path, scopes, tri: str = "all", headers=_labelled
) -> list[dict]:
    """The loaded sections of one report (``load_sections``), protected: each table item gets
    ``suppressed`` (its cells to show as "c", ``[row, column]``), and each text saved with tokens
    (``prose.TOKEN_TEXTS``) is rewritten with the protected numbers."""
    if not sections:
        return sections
    threshold = max(int(s.get("threshold", 0)) for s in sections)
    prot = protect_scopes(processed_dir, scopes, threshold, tri, headers)
    here = Path(processed_dir).name
    for meta in sections:
        folder = Path(meta["folder"]).name
        tables = {
            i["name"]: prot.cells.get((here, folder, i["name"]), set())
            for i in meta.get("items", [])
            if i.get("kind") == "table"
        }
        for item in meta.get("items", []):
            if item.get("kind") == "table":
                item["suppressed"] = sorted([int(r), str(c)] for r, c in tables[item["name"]])
        tokens = meta.get("tokens", [])
        hidden = prose.hidden_tokens(tokens, prot.counts.get((here, folder), set()), tables)
        for holder in [*meta.get("items", []), *meta.get("key_findings", [])]:
            for name, template in (holder.get(prose.TOKEN_TEXTS) or {}).items():
                holder[name] = prose.resolve(template, tokens, hidden)
        meta["protected_with"] = list(prot.scopes)
    return sections
