"""The part of a report section that writes counts: tables that protect themselves, and prose that
reads their protected values (:class:`ProtectedNumbers`, a base of ``report_section.Section``).

A table is declared once, with what each whole-number column counts (``counts={"n":
people("answers"), "teams": things("teams")}``); nothing about its margins. When it is added, its
own relations (:mod:`.infer`) settle what is "c" within it, and :meth:`ProtectedNumbers.table_view`
gives it back as a reader will see it: "c" where suppressed, and tokens (:mod:`.prose`) for the other
counts and the figures derived from them, so that a sentence written from it prints "c" if the report
later suppresses more (from the relations with other tables, sentences and reports).
"""

from __future__ import annotations

import pandas as pd

from ..formatting import fmt_pattern
from .infer import Counts, as_counts, inferred_equations, layout, numbers, people
from .prose import TOKEN_TEXTS, Tokens, is_token
from .rule import SUPPRESSED, is_small, protect_with
from .tables import count_like_columns


def _fmt(x, fmt: str) -> str:
    return fmt_pattern(x, fmt)  # the one formatter


def _missing(x) -> bool:
    return x is None or (not isinstance(x, str) and pd.isna(x))


class ProtectedNumbers:
    """Counts, cells and derived figures for prose, and the declaration of a table's counts."""

    threshold: int
    strand: str

    @property
    def tokens(self) -> Tokens:
        if "_tokens" not in self.__dict__:
            self.__dict__["_tokens"] = Tokens(self.strand)
            self.__dict__["_declared"] = {}
        return self.__dict__["_tokens"]

    # ---- numbers in prose ------------------------------------------------------------------------

    def count(self, n) -> str:
        """A count of people for prose: "c" when 1 <= n <= threshold, else the number (1,234), written
        so that the report prints "c" instead if it suppresses it (a total in a sentence can give a
        part of a table away). A cell of a :meth:`table_view` stays that cell."""
        if is_token(n) or n == SUPPRESSED:
            return n
        if _missing(n):
            return "–"
        if float(n) == 0:
            return "0"
        # a small count is "c" from the start, and still a token: the same sentence in the other
        # reports must not give it back (the tri-borough count minus the other boroughs')
        return self.tokens.count(n, SUPPRESSED if is_small(n, self.threshold) else _fmt(int(n), "{:,}"))

    def value(self, x, n, fmt: str = "{:.1f}") -> str:
        """A figure derived from a group of ``n`` people (a mean, a %, a model term) for prose: "c"
        when the group is small, or (for a cell of a :meth:`table_view`) when the table suppresses it.
        ``n=None`` for a figure that describes no group of people (a parameter, a ratio of totals)."""
        if any(isinstance(v, str) and v == SUPPRESSED for v in (x, n)) or self.is_small(n):
            return SUPPRESSED
        raw = self.tokens.value_of(x) if is_token(x) else x
        text = _fmt(raw, fmt)
        sources = [t for t in (x, n) if is_token(t)]
        return self.tokens.derived(raw, text, *sources) if sources else text

    def ci(self, lo, hi, n, fmt: str = "{:.1f}") -> str:
        """An interval for prose, "lo to hi", each bound through :meth:`value`; "not computed" when a
        bound is missing."""
        if _missing(lo) or _missing(hi):
            return "not computed"
        return f"{self.value(lo, n, fmt)} to {self.value(hi, n, fmt)}"

    def cell(self, v, fmt: str = "{:,.0f}") -> str:
        """A cell of a :meth:`table_view` (or of a table after disclosure control) for prose: "c"
        stays "c", a number is formatted (and stays tied to its cell)."""
        if is_token(v):
            raw = self.tokens.value_of(v)
            return self.tokens.derived(raw, _fmt(raw, fmt), v)
        return _fmt(v, fmt)

    def count_share(self, k, pct, fmt: str = "{:.0f}") -> str:
        """ "k (p%)" from cells of a table view; just "c" when either is "c"."""
        if SUPPRESSED in (k, pct) or self.is_small(k):
            return SUPPRESSED
        text = f"{self.tokens.plain(self.cell(k))} ({self.tokens.plain(self.cell(pct, fmt))}%)"
        sources = [t for t in (k, pct) if is_token(t)]
        return self.tokens.derived(None, text, *sources) if sources else text

    def is_small(self, n) -> bool:
        """True when a group of ``n`` must not be described (use it to leave a sentence out); a cell
        of a table view is "c" or a number above the threshold."""
        if is_token(n):
            return self.tokens.get(n)["text"] == SUPPRESSED
        return n == SUPPRESSED or is_small(n, self.threshold)

    def _record(self, holder: dict, *fields: str) -> dict:
        """Keep the texts of ``holder`` with their tokens (under ``TOKEN_TEXTS``, resolved by the report) and
        write them as a reader would see them if nothing more were suppressed."""
        with_tokens = {}
        for name in fields:
            text = holder.get(name)
            if isinstance(text, str) and text != self.tokens.plain(text):
                with_tokens[name] = text
                holder[name] = self.tokens.plain(text)
        if with_tokens:
            holder[TOKEN_TEXTS] = with_tokens
        return holder

    # ---- tables -----------------------------------------------------------------------------------

    def declare(
        self,
        name: str,
        table: pd.DataFrame,
        counts: dict[str, Counts] | None = None,
        count_columns=(),
        dependent_columns: dict | None = None,
    ) -> pd.DataFrame:
        """Declare what a table's columns count, once (a later :meth:`table` of the same name uses it);
        returns the table as a reader will see it (:meth:`table_view`), for prose written before it.

        ``counts`` maps every whole-number column to :func:`~.infer.people`, :func:`~.infer.things`,
        :func:`~.infer.label` or :func:`~.infer.published`; ``count_columns`` (older form) lists
        columns counting people. A whole-number column left undeclared is an error, so that no count
        of people is shown because nobody said what it counts."""
        self.tokens  # noqa: B018  (creates the registry)
        declared = {**{c: people("people") for c in count_columns}, **as_counts(counts)}
        dependent = {k: [v] if isinstance(v, str) else list(v) for k, v in (dependent_columns or {}).items()}
        missing = [c for c in [*declared, *dependent, *(v for vs in dependent.values() for v in vs)] if c not in table]
        if missing:
            raise KeyError(f"table {name}: columns not in the table: {missing}")
        undeclared = [
            c
            for c in table.columns
            if c not in declared
            and c not in dependent
            and (pd.api.types.is_integer_dtype(table[c]) or c in count_like_columns(table))
            and not pd.api.types.is_bool_dtype(table[c])
        ]
        if undeclared:
            raise ValueError(
                f"table {name}: say what {undeclared} count: counts={{column: people('...') | things('...') | "
                "label('...') | published('...')}} (helpers.disclosure)"
            )
        hidden = self._own_hidden(table, declared, dependent)
        entry = {"counts": declared, "dependent": dependent, "hidden": hidden, "frame": table.reset_index(drop=True)}
        self.__dict__["_declared"][name] = entry
        return self.table_view(name)

    def _own_hidden(self, table: pd.DataFrame, counts: dict, dependent: dict) -> set:
        """Primary suppression, and what the table's own relations give away (:mod:`.infer`)."""
        table = table.reset_index(drop=True)
        lay = layout(table, counts, dependent)
        values = {}
        for c in [*lay.whole, *(p for p in lay.people if p not in lay.whole)]:
            values.update({(r, c): float(v) for r, v in enumerate(numbers(table[c]))})
        primary = {k for k in values if k[1] in lay.people and is_small(values[k], self.threshold)}
        fixed = {k for k in values if k[1] not in lay.people}
        derived = [(c, sources) for c, sources in dependent.items() if c in lay.people or c in lay.whole]

        def follows(hidden: set) -> set:  # a count derived from a suppressed count is "c" with it
            return {
                (r, c) for c, sources in derived for r in range(len(table)) if any((r, s) in hidden for s in sources)
            }

        hidden, _ = protect_with(values, primary, inferred_equations(table, lay), follows, fixed=fixed)
        return hidden

    def table_view(self, name: str, values: pd.DataFrame | None = None) -> pd.DataFrame:
        """A declared table as a reader will see it, for prose: "c" where its own relations suppress a
        count (and in the figures derived from it); the other counts of people as tokens, printed "c"
        by the report if it suppresses more (:meth:`count`, :meth:`value` and :meth:`cell` take them:
        ``section.value(row["mean"], row["n"])`` is "c" whenever the row's count is); 0 and missing
        values as they are. ``values``: the same rows in another form (raw labels, unformatted
        figures), to read with the declared table's suppression laid over it."""
        entry = self.__dict__["_declared"][name]
        table = entry["frame"]
        view = (table if values is None else values.reset_index(drop=True)).astype(object).copy()
        if len(view) != len(table):
            raise ValueError(f"table {name}: {len(view)} rows given for a table of {len(table)}")
        people_cols = [c for c, k in entry["counts"].items() if k.kind == "people"]
        for r in range(len(table)):
            for c in people_cols:
                v = table.at[r, c]
                if (r, c) in entry["hidden"]:
                    view.at[r, c] = SUPPRESSED
                elif not _missing(v) and float(v) != 0:
                    view.at[r, c] = self.tokens.cell(name, r, c, v, _fmt(int(v), "{:,}"))
            for c, sources in entry["dependent"].items():
                if c in view.columns and any((r, s) in entry["hidden"] for s in sources):
                    view.at[r, c] = SUPPRESSED
        return view
