"""Read a built report's HTML as a reader does and list what is written wrongly.

Used by ``tests/test_report_scan.py`` on every report the tests build. Reads only the HTML:

* number formats in tables: a year with a thousands separator ("2,013"), a count with decimals
  ("522.00"), a rank with decimals ("49.000");
* plural slips anywhere in the text: "year(s)", "1 rules", "0 year";
* the suppression mark "c" on a column that counts things, not people (donor areas, themes, items,
  passages, rules), and "c" in prose before a word that is not a count of people ("c no text");
* machine labels after a sentence ("Share trained (%): 81.4.");
* file paths, module or function names in the commissioner's text.
"""

from __future__ import annotations

import re

import lxml.html

# Headers of columns that hold years, counts or ranks (the reader's header, not the saved name).
YEAR_HEADER = re.compile(r"\byears?\b|^(from|to|period|start|end)$|year ending", re.I)
COUNT_HEADER = re.compile(
    r"^(people|families|children|practitioners|respondents|participants|interviews|maps|forms|answers|"
    r"members|staff|referrals|records|rows(?: \w+)?|files|links|rules|leavers|starters|headcount|"
    r"number(?: of \w+)?|count|n)$|\((n|number)\)$|^(roster members|trained|not yet trained)$",
    re.I,
)
RANK_HEADER = re.compile(r"\brank\b", re.I)
# Column headers naming things that are not people: a "c" there protects nobody and hides a number.
THINGS_HEADER = re.compile(
    r"^(?:co-coded |number of )?(donors?|comparators?|themes?|items?|passages?|codings?|rules?|LAs|areas?|"
    r"authorities|records?|rows?|files?|links?|releases?|sources?)\b",
    re.I,
)
PEOPLE_WORDS = (
    r"children|child|famil(?:y|ies)|practitioners?|members?|clinicians?|workers?|respondents?|participants?|"
    r"people|persons?|staff|supervisors?|managers?|parents?|carers?|young|leavers?|starters?|interviews?|"
    r"answers?|forms?|maps?|social|support|trained|of"
)
# A verb after "c" has the counted people as its subject ("c had no text"); anything else is a gap ("c no text").
VERBS = (
    r"had|have|has|were|was|are|is|did|gave|said|raised|answered|completed|left|took|joined|improved|worsened|became"
)
SUPPRESSED_IN_PROSE = re.compile(rf"(?<![\w.\-/'’])c (?!(?:{PEOPLE_WORDS}|{VERBS})\b)([a-z]+)\b")
PLURAL_PAREN = re.compile(r"\b[a-z]+\(s\)", re.I)
SINGULAR_NOUNS = (
    "year|rule|family|child|practitioner|borough|interview|theme|answer|file|row|record|section|finding|"
    "area|authority|month|week|day|map|form|member|person|table|figure|check|test|extract|release|"
    "estimate|error|problem|link|step|notebook|respondent|participant|referral|leaver|donor|neighbour"
)
PLURAL_NOUNS = (
    "years|rules|families|children|practitioners|boroughs|interviews|themes|answers|files|rows|records|"
    "sections|findings|areas|authorities|months|weeks|days|maps|forms|members|people|tables|figures|checks|"
    "tests|extracts|releases|estimates|errors|problems|links|steps|notebooks|respondents|participants|"
    "referrals|leavers|donors|neighbours"
)
ONE_PLURAL = re.compile(rf"(?<![\w.,\-+±])1 ({PLURAL_NOUNS})\b")
# "2 family members", "24 borough cells": a noun used as an adjective is no slip; nor is a year ("2021 release").
MANY_SINGULAR = re.compile(
    rf"(?<![\w.,\-+±])(?!(?:19|20)\d\d\b)(0|[2-9]|[1-9]\d+|\d{{1,3}}(?:,\d{{3}})+) ({SINGULAR_NOUNS})\b"
    r"(?![\w(-]| [a-z]+(?:s|ies)\b)"
)
MACHINE_LABEL = re.compile(r"[A-Z][\w ,'()/-]{2,60}\((?:%|n|£|GBP|points?)\): -?[\d,.]+")
CODE_NAMES = re.compile(
    r"(?<![\w/])(?:[\w.-]+/)+[\w.-]+\.(?:py|md|csv|yaml|yml|json|ipynb|xml|qdpx)\b|"  # a path to a file
    r"\b[\w-]+\.(?:py|ipynb)\b|"  # a module or notebook file
    r"\bhelpers\.\w+|"  # a module name
    r"\b[a-z]+(?:_[a-z0-9]+)+\(\)"  # a function name
)


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def parse(page: str):
    """The document without its style sheet (scripts cannot occur: the export refuses them)."""
    doc = lxml.html.document_fromstring(page)
    for bad in doc.xpath("//style"):
        bad.getparent().remove(bad)
    # A chart's labels are separate pieces of text ("Wave 1" above a node "children's centre"), not a
    # sentence: keep a boundary between them so no phrase is read across two labels.
    for label in doc.xpath("//svg//text"):
        label.tail = " ¦ " + (label.tail or "")
    return doc


def tables(doc) -> list[dict]:
    """Every table: caption, headers and body rows as text."""
    out = []
    for t in doc.iter("table"):
        cap = t.find("caption")
        heads = [_text(th) for th in t.xpath("./thead//th")]
        rows = [[_text(td) for td in tr.xpath("./td|./th")] for tr in t.xpath("./tbody/tr")]
        out.append({"caption": _text(cap) if cap is not None else "", "header": heads, "rows": rows})
    return out


def table_slips(doc) -> list[str]:
    """Years with separators, counts and ranks with decimals, "c" on things that are not people."""
    slips = []
    for t in tables(doc):
        for row in t["rows"]:
            # A table whose first column is a row header has one more header than data cells per row
            # only when it uses <th> in the body; rows here come from td and th alike.
            for head, cell in zip(t["header"], row, strict=False):
                where = f"{t['caption'][:60]!r} / {head!r}: {cell!r}"
                if YEAR_HEADER.search(head) and re.fullmatch(r"[12],\d{3}(?:\D.*)?", cell):
                    slips.append(f"year with a separator: {where}")
                if COUNT_HEADER.search(head) and re.fullmatch(r"-?[\d,]+\.\d+", cell):
                    slips.append(f"count with decimals: {where}")
                if RANK_HEADER.search(head) and re.fullmatch(r"-?[\d,]+\.\d+", cell):
                    slips.append(f"rank with decimals: {where}")
                if cell == "c" and THINGS_HEADER.search(head) and not re.search(PEOPLE_WORDS, head, re.I):
                    slips.append(f'"c" on things that are not people: {where}')
    return slips


def prose(doc) -> str:
    """All text outside tables and charts (headings, paragraphs, lists, captions of figures)."""
    doc = lxml.html.document_fromstring(lxml.html.tostring(doc))
    for t in doc.xpath("//table|//svg"):  # tables and chart labels ("c" is a label there) are read apart
        t.getparent().remove(t)
    return _text(doc)


def text_slips(doc) -> list[str]:
    """Plural slips in all text (tables too), "c" before a word that counts no people, machine labels."""
    everything = _text(doc)
    words = prose(doc)
    slips = [f"plural slip: {m.group(0)!r}" for m in PLURAL_PAREN.finditer(everything)]
    slips += [f"plural slip: {m.group(0)!r}" for m in ONE_PLURAL.finditer(everything)]
    slips += [f"plural slip: {_around(everything, m, 20)!r}" for m in MANY_SINGULAR.finditer(everything)]
    slips += [f'"c" in prose before {m.group(1)!r}: {_around(words, m)!r}' for m in SUPPRESSED_IN_PROSE.finditer(words)]
    slips += [f"machine label: {m.group(0)!r}" for m in MACHINE_LABEL.finditer(words)]
    return slips


def code_names(doc) -> list[str]:
    """File paths, module and function names in the text a reader sees (links' targets excluded)."""
    return sorted({m.group(0) for m in CODE_NAMES.finditer(_text(doc))})


def _around(text: str, m: re.Match, width: int = 40) -> str:
    return text[max(0, m.start() - width) : m.end() + width]


def all_slips(page: str) -> list[str]:
    doc = parse(page)
    return table_slips(doc) + text_slips(doc)
