"""Numbers in prose that read the same protected values as the tables.

A section writes its prose when its notebook runs, but which cells end up "c" is settled only when the
report is rendered (with every table, every sentence and the other scopes' reports in view). So a count
or a table cell in a sentence is written as a *token*: :class:`Tokens` hands out ``⟦strand:7⟧`` marks,
the section saves the text with its marks (the template) beside the text a reader would see if nothing
more were suppressed, and the report replaces each mark by its number, or by "c" when the count, the
cell, or a cell it is derived from is suppressed (:func:`resolve`).

A token is one of:

* a **count** stated in prose (:meth:`Tokens.count`): a cell of its own in the relations the report
  protects (a total in a sentence can give a part away);
* a **table cell** (:meth:`Tokens.cell`): it is "c" exactly when the table shows "c" there;
* a **figure derived** from counts or cells (:meth:`Tokens.derived`): "c" when any of them is.
"""

from __future__ import annotations

import re

import pandas as pd

from .rule import SUPPRESSED

#: The key under which a saved item keeps its texts with tokens, for the report to resolve. Not
#: "templates": the runner's import graph reads that word as naming the report's templates folder, and
#: would rerun every notebook after a template edit.
TOKEN_TEXTS = "token_texts"
TOKEN = re.compile(r"⟦([\w.-]+):(\d+)⟧")


def is_token(value) -> bool:
    return isinstance(value, str) and TOKEN.fullmatch(value) is not None


def references(text: str) -> list[int]:
    """The token ids in a text, in order."""
    return [int(m.group(2)) for m in TOKEN.finditer(str(text))]


class Tokens:
    """The tokens of one section (saved in its ``section.json`` under ``tokens``)."""

    def __init__(self, owner: str):
        self.owner = owner
        self.items: list[dict] = []
        self._counts: dict[float, int] = {}

    def _add(self, entry: dict) -> str:
        self.items.append(entry)
        return f"⟦{self.owner}:{len(self.items) - 1}⟧"

    def get(self, token: str) -> dict:
        return self.items[int(TOKEN.fullmatch(token).group(2))]

    def count(self, n: int, text: str) -> str:
        """A count of people stated in prose: the same number is the same token within a section (two
        sentences stating it are one figure: suppressing one suppresses both)."""
        key = float(n)
        if key not in self._counts:
            self._counts[key] = len(self.items)
            self._add({"text": text, "value": float(n), "count": True, "refs": []})
        return f"⟦{self.owner}:{self._counts[key]}⟧"

    def cell(self, table: str, row: int, column: str, value, text: str) -> str:
        """A cell of a table of this section (row by position in the saved table)."""
        return self._add({"text": text, "value": _number(value), "refs": [["table", table, int(row), str(column)]]})

    def derived(self, value, text: str, *sources) -> str:
        """A figure shown as ``text`` that is "c" whenever one of ``sources`` (tokens) is."""
        refs = [["token", int(TOKEN.fullmatch(s).group(2))] for s in sources if is_token(s)]
        return self._add({"text": text, "value": _number(value), "refs": refs})

    def value_of(self, token: str):
        return self.get(token)["value"]

    def plain(self, text: str) -> str:
        """The text with every token written as its number (what a reader sees if nothing more is hidden)."""
        return TOKEN.sub(lambda m: self.items[int(m.group(2))]["text"], text)


def _number(value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(v) else v


def hidden_tokens(tokens: list[dict], count_hidden: set[int], table_hidden: dict[str, set]) -> set[int]:
    """The ids of the tokens to print as "c": a count the report suppressed, a cell a table shows as
    "c" (``table_hidden``: ``{table name: {(row, column)}}``), or a figure derived from either."""
    memo: dict[int, bool] = {}

    def hidden(i: int, seen=()) -> bool:
        if i in memo:
            return memo[i]
        t = tokens[i]
        out = i in count_hidden
        for ref in t.get("refs", []):
            if ref[0] == "table":
                out = out or (ref[2], ref[3]) in table_hidden.get(ref[1], set())
            elif ref[0] == "token" and ref[1] not in seen:
                out = out or hidden(ref[1], (*seen, i))
        memo[i] = out
        return out

    return {i for i in range(len(tokens)) if hidden(i)}


def resolve(template: str, tokens: list[dict], hidden: set[int]) -> str:
    """The text a reader sees: each token's number, or "c" when it is hidden."""
    return TOKEN.sub(lambda m: SUPPRESSED if int(m.group(2)) in hidden else tokens[int(m.group(2))]["text"], template)


def _plain(template: str, tokens: list[dict]) -> tuple[str, list[tuple[int, int, int]]]:
    """The text as a reader sees it if nothing more is hidden, and ``(token id, start, end)`` of each
    token in it."""
    plain_parts, positions, pos = [], [], 0
    for m in TOKEN.finditer(template):
        plain_parts.append(_unmark(template[pos : m.start()]))
        text = tokens[int(m.group(2))]["text"]
        start = sum(len(p) for p in plain_parts)
        positions.append((int(m.group(2)), start, start + len(text)))
        plain_parts.append(text)
        pos = m.end()
    plain_parts.append(_unmark(template[pos:]))
    return "".join(plain_parts), positions


def _context(plain: str, start: int, end: int) -> tuple[str, str]:
    """The sentence a number at ``plain[start:end]`` stands in, and the four words after it."""
    left = max(plain.rfind(". ", 0, start), plain.rfind("; ", 0, start)) + 1
    ends = [k for k in (plain.find(". ", end), plain.find("; ", end)) if k >= 0]
    sentence = plain[left : min(ends) if ends else len(plain)]
    after = re.findall(r"[A-Za-z][\w'-]*", plain[end : end + 80])[:4]
    return sentence, " ".join(w.lower() for w in after)


def sentences_of(template: str, tokens: list[dict]) -> dict[int, list[tuple[str, str]]]:
    """For each token in a text: the sentence it stands in and the four words after it (both as a
    reader sees them), used to tie a count in prose to the table cells or sums it equals."""
    plain, positions = _plain(template, tokens)
    out: dict[int, list] = {}
    for i, start, end in positions:
        out.setdefault(i, []).append(_context(plain, start, end))
    return out


#: A whole number as a reader may take it for a count: not part of a decimal, a percentage or a word.
PLAIN_NUMBER = re.compile(
    r"(?<![\w.,£$+\-−±/])(\d{1,3}(?:,\d{3})+|\d+)(?![\w%]|[.,]\d|\s*(?:%|per ?cent|points|percentage))"
)
#: The word before a number that labels something (item 9) rather than counts it, and the numbers of a
#: list it opens in brackets ("the items (2, 4, 5, 9)") or of two ("waves 1 and 2") are labels too.
NOT_A_COUNT_BEFORE = re.compile(
    r"(?:wave|item|items|version|step|section|table|part|page|£)s?\s*(?:\(\s*(?:\d+\s*(?:,|and|or)\s*)*|\d+\s+(?:and|or|to)\s+)?$",
    re.I,
)
MONTH_AFTER = re.compile(
    r"\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
)


def numbers_said(template: str, tokens: list[dict]) -> list[tuple[float, str, str]]:
    """The whole numbers a text states outside its tokens (a number of scenarios, a minimum cell
    size, a count written before it was a token), each with its sentence and the four words after it:
    a reader may take any of them for the total of a table's rows, so the report protects against
    that too (they are shown, never suppressed). Not a year, a day of a month, a wave, an item or a
    page number (nor the numbers of a list of them), nor 0."""
    plain, positions = _plain(template, tokens)
    out = []
    for m in PLAIN_NUMBER.finditer(plain):
        if any(start <= m.start() < end for _, start, end in positions):
            continue  # a token's own number: protected as a count or a cell
        value = int(m.group(1).replace(",", ""))
        before = plain[max(0, m.start() - 60) : m.start()]
        if not value or 1900 <= value <= 2100 or NOT_A_COUNT_BEFORE.search(before) or MONTH_AFTER.match(plain, m.end()):
            continue
        out.append((float(value), *_context(plain, m.start(), m.end())))
    return out


def _unmark(text: str) -> str:
    """Markdown emphasis, code and links as the reader sees them (their words only)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]{1,3}(?=\S)|(?<=\S)[*_`]{1,3}", "", text)
