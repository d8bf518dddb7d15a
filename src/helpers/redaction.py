"""The project's one redaction helper: free text is made safe here before any of it reaches a report.

Every strand that quotes people (practice scenarios, interviews, and any later one) calls
:func:`redact` on one text or :func:`publishable_quotes` on a table of candidate quotes. Nothing else
in the project decides what a quote may show.

What is replaced, and by what placeholder (``KINDS``):

* ``[email]``: e-mail addresses, including spoken ones ("ann dot jones at gmail dot com");
* ``[phone]``: phone numbers in the usual UK styles (07700 900123, +44 7700 900123, 020 7946 0018,
  (020) 7946-0018, 0800-123-4567);
* ``[date]``: full dates (12/03/2009, 3rd March 2009, March 3 2009) and what follows "born in/on";
  month and year alone ("March 2015") are kept: the programme's timeline needs them;
* ``[postcode]``: full postcodes (SW6 1AB) and outward codes (W2, NW10, SW6) on their own;
* ``[address]``: house and flat numbers ("14 Elm Road", "number 22", "flat 3"), with the street;
* ``[place]``: named streets, estates and neighbourhoods ("Elm Road", "the Lancaster West estate");
* ``[name]``: people's names and nicknames: capitalised words that are not ordinary words, given
  names and surnames in any case ("ann jones", "zoë"), double-barrelled names (one placeholder), and
  the word after a family term, a title or "called" ("Nanny Pat", "our Kayleigh", "Mrs smith").

What is kept: the programme's vocabulary (``redaction_vocabulary.yaml``: systemic, hypothesis,
genogram, Signs of Safety, social worker, clinician, family therapist, reflective supervision, child
protection, looked after...), family terms themselves ("Nanny", "our"), and the names of the three
programme boroughs and London: a borough identifies nobody and the report names them anyway.

When the helper cannot tell (a capitalised word starting a sentence that is in none of its lists, a
lower-case word that is both a name and an ordinary word such as "grace", a long run of digits left
after the patterns, an "@" left in the text), the result is flagged ``unsure`` and
:func:`publishable_quotes` drops the quote instead of publishing it, counting the drop.

The method is deliberately conservative: it over-redacts (an unlisted capitalised word mid-sentence
is taken for a name) rather than miss a person. It is a safeguard, not a licence: quotes still need
consent and a human read before publication.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

VOCABULARY_FILE = Path(__file__).resolve().parent / "redaction_vocabulary.yaml"
KINDS = ("email", "phone", "date", "postcode", "address", "place", "name")
PLACEHOLDER = {k: f"[{k}]" for k in KINDS}
#: Reasons a candidate quote is not published (the keys of the counts publishable_quotes returns).
DROP_REASONS = ("no_consent", "empty", "unsure")

_L = r"[^\W\d_]"  # any Unicode letter
_WORD = re.compile(rf"{_L}+(?:[-'’]{_L}+)*")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)

_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("email", re.compile(r"\b[\w.+-]+(?:\s+dot\s+[\w-]+)*\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+\b", re.IGNORECASE)),
    ("date", re.compile(r"\b\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}\b")),
    (
        "date",
        re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?\b", re.IGNORECASE),
    ),
    ("date", re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b", re.IGNORECASE)),
    ("date", re.compile(rf"(?<=\bborn )(?:in |on )?(?:(?:{_MONTHS})\s+)?\d{{4}}\b", re.IGNORECASE)),
    ("date", re.compile(r"\b(?:19|20)\d{2}-\d{1,2}-\d{1,2}\b")),  # ISO dates
    # Phone numbers: an optional +44/(0) prefix then digits in groups split by spaces, dots, hyphens
    # or brackets; kept as a phone when 9 to 13 digits in all (checked in _pattern_spans).
    ("phone", re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]*(?:\(0\)[\s.-]*)?)?\(?\d[\d\s().-]{7,}\d(?!\w)")),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    ("address", re.compile(r"\b(?:flat|apartment|apt|number|no\.?|house)\s+\d+[a-z]?\b", re.IGNORECASE)),
    ("postcode", re.compile(r"\b(?:[A-Z]{1,2}\d{1,2}[A-Z]?)\b")),
    ("postcode", re.compile(r"(?<![\w-])(?:[a-z]{1,2}\d{1,2})(?![\w-])")),
]


@dataclass(frozen=True)
class RedactionResult:
    """What :func:`redact` made of one text."""

    text: str
    n_redactions: int
    kinds: dict = field(default_factory=dict)
    unsure: bool = False
    unsure_reasons: tuple = ()


@lru_cache(maxsize=1)
def vocabulary(path: str | None = None) -> dict:
    """The word lists (``redaction_vocabulary.yaml``), lower-cased, as sets (phrases as a list)."""
    with open(path or VOCABULARY_FILE, encoding="utf-8") as fh:
        raw = yaml.load(fh, Loader=yaml.BaseLoader)  # every entry a string: "on", "no", "yes" are words here
    out = {k: {str(w).lower() for w in v} for k, v in raw.items() if k != "programme_phrases"}
    out["ambiguous_names"] = out["ambiguous_names"]
    out["first_names"] = out["first_names"] - out["ambiguous_names"]
    out["programme_phrases"] = sorted({str(p).lower() for p in raw["programme_phrases"]}, key=len, reverse=True)
    out["known"] = out["common_words"] | out["programme_words"]
    return out


def _overlaps(spans, start, end) -> bool:
    return any(s < end and start < e for s, e, _ in spans)


def _pattern_spans(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if kind == "phone":
                digits = re.sub(r"\D", "", m.group())
                if not 9 <= len(digits) <= 13:
                    continue
                # A trailing separator or bracket is not part of the number.
                while e > s and not text[e - 1].isdigit():
                    e -= 1
            if kind == "postcode" and pattern.pattern.startswith("(?<![\\w-])"):
                # lower-case outward code ("w2", "sw6"): only when it looks like one, not "a1" grades.
                if not re.fullmatch(r"(?:w|e|n|nw|sw|se|ec|wc|ha|ub|tw|kt|cr|br|da|rm|ig|en)\d{1,2}", m.group()):
                    continue
            if kind == "date" and not m.group().strip():
                continue
            if not _overlaps(spans, s, e):
                spans.append((s, e, kind))
    return spans


def _protected(text: str, vocab: dict) -> list[tuple[int, int]]:
    low = text.lower()
    spans: list[tuple[int, int]] = []
    for phrase in vocab["programme_phrases"]:
        for m in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", low):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append(m.span())
    return spans


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'“‘(-–—*")
    return before == "" or before[-1] in ".!?:;\n…"


def _stem(word: str) -> str:
    """The word without a possessive 's ("Gary's" -> "Gary")."""
    return re.sub(r"['’]s$", "", word)


def _word_spans(text: str, taken: list, protected: list, vocab: dict) -> tuple[list, list]:
    """Names and places among the words not already covered. Returns (spans, unsure reasons)."""
    cues = vocab["name_cues"]
    suffixes = vocab["place_suffixes"]
    words = [
        m
        for m in _WORD.finditer(text)
        if not _overlaps(taken, *m.span()) and not any(s <= m.start() and m.end() <= e for s, e in protected)
    ]
    spans: list[tuple[int, int, str]] = []
    unsure: list[str] = []
    prev_end_name = -10
    prev_word, prev_word_end = None, 0
    for i, m in enumerate(words):
        w = m.group()
        stem = _stem(w)
        low = stem.lower()
        parts = [p for p in re.split(r"[-'’]", low) if p]
        cap = stem[:1].isupper()
        initial = _sentence_initial(text, m.start())
        after_cue = (
            prev_word is not None and prev_word.lower() in cues and text[prev_word_end : m.start()].strip() == ""
        )
        follows_name = (m.start() - prev_end_name) <= 2 and text[prev_end_name : m.start()].strip(" -") == ""
        is_name, doubt = _is_name(stem, low, parts, cap, initial, after_cue, follows_name, vocab)
        if doubt:
            unsure.append(doubt)
        if is_name:
            kind = "name"
            # A name followed by a street/place suffix is a place ("Elm Road", "Grenfell estate").
            nxt = words[i + 1] if i + 1 < len(words) else None
            if nxt is not None and nxt.group().lower() in suffixes and text[m.end() : nxt.start()].strip() == "":
                kind = "place"
            elif (
                cap
                and prev_word is not None
                and prev_word.lower() in _PLACE_PREPOSITIONS
                and text[prev_word_end : m.start()].strip() == ""
                and not follows_name
            ):
                kind = "place"  # "near Pimlico", "from Kilburn": redacted either way, named for what it is
            spans.append((m.start(), m.start() + len(stem), kind))
            prev_end_name = m.start() + len(stem)
        elif (
            low in suffixes
            and spans
            and spans[-1][1] >= m.start() - 1
            and spans[-1][2] in ("name", "place")
            and text[spans[-1][1] : m.start()].strip() == ""
        ):
            s, _, _ = spans.pop()
            spans.append((s, m.end(), "place"))
            prev_end_name = m.end()
        prev_word, prev_word_end = w, m.end()
    return spans, unsure


def _is_name(
    stem: str, low: str, parts: list, cap: bool, initial: bool, after_cue: bool, follows_name: bool, vocab: dict
) -> tuple[bool, str | None]:
    """Whether one word is a name, and the doubt to record (or None): the word lists first, then its
    capital letter and place in the sentence, then the words around it."""
    known, names, surnames = vocab["known"], vocab["first_names"], vocab["surnames"]
    if low in names or low in surnames or (len(parts) > 1 and all(p in names | surnames for p in parts)):
        return True, None
    if low in vocab["ambiguous_names"]:
        if (cap and not initial) or after_cue or follows_name:
            return True, None
        if cap and initial:
            return False, f"'{stem}' may be a name"
        return False, (None if low in known else f"'{stem}' may be a name")
    if low in known or all(p in known for p in parts):
        return False, None
    if stem.isupper() and len(stem) >= 2:
        return False, None  # an acronym (CAMHS, CIN): services, not people
    if cap and not initial:
        return True, None
    if cap and initial:
        if follows_name:
            return True, None
        # Not an ordinary word we know, and capitalised only because it starts a sentence.
        return True, f"'{stem}' starts a sentence and is in no word list"
    if after_cue and not re.search(r"(?:ed|ing|ly|s)$", low):
        return True, None  # "our kayleigh", "nanny pat", "called dazza" (not "my mum helps")
    if follows_name and not re.search(r"(?:ed|ing|ly|s)$", low):
        # "ann smithers": perhaps a surname, perhaps an ordinary word we do not list. Words
        # ending like verbs or adverbs ("Pat picks", "Zoë rang", "Sue usually") read as words;
        # listed surnames ending so ("jones") were caught above.
        return False, f"'{stem}' follows a name and may be a surname"
    return False, None


_PLACE_PREPOSITIONS = frozenset({"in", "near", "from", "around", "towards", "outside", "past"})


def _merge(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Join neighbours: "Mary Ann" or "Smith-Jones" is one name; a house number and its street one
    address; "[name] [place]" stays two."""
    spans = sorted(spans)
    merged: list[tuple[int, int, str]] = []
    for s, e, k in spans:
        if merged:
            ps, pe, pk = merged[-1]
            gap = text[pe:s]
            if gap.strip(" -") == "" and len(gap) <= 3:
                if pk == k or (pk == "address" and k in ("place", "name")) or (pk == "name" and k == "place"):
                    merged[-1] = (ps, e, "address" if pk == "address" else k)
                    continue
            # "14 Elm Road": a bare house number right before a street
            if k == "place" and re.fullmatch(r"\s*", gap):
                pass
        merged.append((s, e, k))
    # a bare house number ("14") straight before a place is part of the address
    out = []
    for s, e, k in merged:
        if k == "place":
            m = re.search(r"(\d+[a-zA-Z]?)\s+$", text[:s])
            if m and not _overlaps(out, m.start(1), s):
                s, k = m.start(1), "address"
        out.append((s, e, k))
    return out


def redact(text) -> RedactionResult:
    """Redact one text. See the module docstring for what is replaced and when a text is unsure."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return RedactionResult("", 0, {}, False)
    text = str(text)
    vocab = vocabulary()
    protected = _protected(text, vocab)
    spans = [sp for sp in _pattern_spans(text) if not any(s <= sp[0] and sp[1] <= e for s, e in protected)]
    word_spans, unsure = _word_spans(text, spans, protected, vocab)
    spans = _merge(text, spans + word_spans)
    out, pos = [], 0
    kinds: Counter = Counter()
    for s, e, k in spans:
        out.append(text[pos:s])
        out.append(PLACEHOLDER[k])
        kinds[k] += 1
        pos = e
    out.append(text[pos:])
    result = "".join(out)
    # What may have slipped through: say so, so the caller drops the text.
    if "@" in result:
        unsure.append("an '@' is left")
    if re.search(r"\d[\d\s-]{4,}\d", result):
        unsure.append("a long run of digits is left")
    return RedactionResult(result, sum(kinds.values()), dict(kinds), bool(unsure), tuple(unsure))


def _consented(values: pd.Series) -> pd.Series:
    def one(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return False
        if isinstance(v, (bool, int)) and not isinstance(v, str):
            return bool(v)
        return str(v).strip().lower() in ("yes", "y", "true", "1")

    return values.map(one).astype(bool)


def publishable_quotes(df: pd.DataFrame, text_col: str, consent_col: str) -> tuple[pd.DataFrame, dict]:
    """The rows of ``df`` whose text may be published, redacted, and the count dropped by reason.

    A row is dropped when consent to quote is not recorded as yes (``no_consent``; blank counts as
    no), when the text is blank (``empty``), or when :func:`redact` is unsure (``unsure``). Kept rows
    carry the redacted text in ``text_col`` and ``n_redactions`` (how many placeholders it got).
    Returns ``(kept, {"no_consent": n, "empty": n, "unsure": n, "redacted": n_kept_with_redactions,
    "placeholders": total placeholders in kept quotes})``.
    """
    counts = {r: 0 for r in DROP_REASONS}
    counts.update({"redacted": 0, "placeholders": 0})
    if df is None or len(df) == 0:
        return (pd.DataFrame(columns=[*(df.columns if df is not None else []), "n_redactions"]), counts)
    consent = _consented(df[consent_col])
    counts["no_consent"] = int((~consent).sum())
    rows = []
    for _, row in df[consent].iterrows():
        text = row[text_col]
        if text is None or (not isinstance(text, str) and pd.isna(text)) or not str(text).strip():
            counts["empty"] += 1
            continue
        r = redact(text)
        if r.unsure:
            counts["unsure"] += 1
            continue
        new = row.to_dict()
        new[text_col] = r.text
        new["n_redactions"] = r.n_redactions
        counts["redacted"] += int(r.n_redactions > 0)
        counts["placeholders"] += r.n_redactions
        rows.append(new)
    kept = pd.DataFrame(rows, columns=[*df.columns, "n_redactions"]).reset_index(drop=True)
    return kept, counts
