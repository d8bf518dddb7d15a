"""Numbers stated in the reports' prose, and the true values behind them.

Used by ``tests/disclosure_scan_margins.py``. A count of people said in a sentence (or a "c" in its
place) is a cell of the relations a reader can use. Its true value is read from the section's saved
texts with tokens (``section.json``: the texts with ``⟦strand:i⟧`` marks and each token's value): a
relation that does not hold on the true values is not one a reader can use, for prose as for tables.
A "c" the section wrote into its text itself has no token behind it: its true value is unknown here,
so no relation through it can be confirmed.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

from helpers.disclosure.prose import TOKEN, TOKEN_TEXTS

PEOPLE_WORD = re.compile(
    r"\b(children|child|famil(?:y|ies)|practitioners?|members?|clinicians?|workers?|respondents?|participants?|"
    r"people|persons?|staff|supervisors?|managers?|parents?|carers?|answers?|forms?|maps?|FSWs?|interviews?|"
    r"trained|roster)\b",
    re.I,
)
CONTEXT_WORDS = 4


def norm(text: str) -> str:
    """Text as rendered and as saved compare equal (a glossary link leaves a space before a full stop)."""
    return re.sub(r"\s+([.,;:)])", r"\1", re.sub(r"\s+", " ", text)).strip()


PROSE_NUMBER = re.compile(
    r"(?<![\w.,£$+\-−±/])(\d{1,3}(?:,\d{3})+|\d+|c)(?![\w%]|[.,]\d|\s*(?:%|per ?cent|points|percentage))"
)


MONTH = re.compile(r"\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")


def prose_numbers(scope: str, heading: str, texts: list[str]) -> list[tuple]:
    """``(cell, shown value or None for "c", context)`` for each count of people stated in prose: a
    whole number (or a "c") with a word for people within four words after it, or within six words
    before it with no other number between (not a year or a day of a month, a percentage, a wave or an
    item number)."""
    out = []
    for p, text in enumerate(texts):
        for m in PROSE_NUMBER.finditer(text):
            token = m.group(1)
            before = text[max(0, m.start() - 60) : m.start()]
            if re.search(r"(?:wave|item|items|version|step|section|table|part|page|£)\s*$", before, re.I):
                continue
            value = None if token == "c" else int(token.replace(",", ""))
            if value is not None and (1900 <= value <= 2100 or MONTH.match(text, m.end())):
                continue  # a year, or a day of a month ("at 31 March"): a date, not a count
            after_words = re.findall(r"[A-Za-z][\w'-]*", text[m.end() : m.end() + 80])[:CONTEXT_WORDS]
            before_words = re.findall(r"[A-Za-z][\w'-]*|\d+", before)[-6:]
            if "c" == token and not after_words:
                continue
            near_after = any(PEOPLE_WORD.fullmatch(w) for w in after_words)
            tail = list(itertools.takewhile(lambda w: not w.isdigit(), reversed(before_words)))
            near_before = any(PEOPLE_WORD.fullmatch(w) for w in tail)
            if near_after or near_before:
                context = " ".join(w.lower() for w in after_words)
                start = max(text.rfind(". ", 0, m.start()), text.rfind("; ", 0, m.start())) + 1
                ends = [i for i in (text.find(". ", m.end()), text.find("; ", m.end())) if i >= 0]
                sentence = text[start : min(ends) if ends else len(text)]
                out.append((("p", scope, heading, p, m.start()), value, context, sentence))
    return out


#: A word of a sentence, for matching a rendered number with its token: "c" (a suppressed number) is not
#: a word, since the saved text shows the true number where the report shows "c".
WORD = re.compile(r"[A-Za-z][\w'-]*")


def _words(text: str) -> list[str]:
    """The words of a text, lower case, numbers and "c" left out."""
    return [w.lower() for w in WORD.findall(text) if w != "c"]


def around(text: str, start: int, end: int) -> tuple[tuple, tuple]:
    """The four words before and the four after a number of a text (its own line only: a saved
    text may hold several paragraphs, the rendered one holds one)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = _words(text[line_start:start])[-CONTEXT_WORDS:]
    after = _words(text[end : len(text) if line_end < 0 else line_end])[:CONTEXT_WORDS]
    return tuple(before), tuple(after)


def said_values(processed: Path, scope: str) -> dict[str, list[tuple]]:
    """``{section title: [(words before, words after, true value)]}`` for every token of the saved
    texts of a scope's sections (markdown links written as their text, as a reader sees them)."""
    out: dict = {}
    for path in sorted((processed / scope / "report_sections").glob("*/section.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        tokens = meta.get("tokens", [])
        found = out.setdefault(norm(meta.get("title", "")), [])
        for holder in [*meta.get("items", []), *meta.get("key_findings", [])]:
            for template in (holder.get(TOKEN_TEXTS) or {}).values():
                plain, spans = _plain(re.sub(r"\]\([^)]*\)", "]", str(template)))
                for start, end, i in spans:
                    value = tokens[i].get("value") if i < len(tokens) else None
                    found.append((*around(plain, start, end), value))
    return out


def _plain(template: str) -> tuple[str, list[tuple[int, int, int]]]:
    """The template with each token written as a number (a number, not a word, whatever it shows), and
    ``(start, end, token id)`` of each."""
    parts, spans, pos, at = [], [], 0, 0
    for m in TOKEN.finditer(template):
        parts += [template[pos : m.start()], "0"]
        at += m.start() - pos
        spans.append((at, at + 1, int(m.group(2))))
        at, pos = at + 1, m.end()
    parts.append(template[pos:])
    return "".join(parts), spans


def _fits(a: tuple, b: tuple, tail: bool) -> bool:
    """Two runs of words agree where both reach (one may stop short at the end of a saved line)."""
    n = min(len(a), len(b))
    return n > 0 and (a[len(a) - n :] == b[len(b) - n :] if tail else a[:n] == b[:n])


def true_value(said: dict, heading: str, text: str, start: int, end: int):
    """The true value of the number at ``text[start:end]`` in a section's prose: the value of the one
    token said with the same words around it, or ``None`` when none or tokens of different values are."""
    before, after = around(text, start, end)
    values = {
        v
        for b, a, v in said.get(norm(heading), [])
        if _fits(after, a, tail=False) and (not before and not b or _fits(before, b, tail=True))
    }
    return values.pop() if len(values) == 1 and None not in values else None
