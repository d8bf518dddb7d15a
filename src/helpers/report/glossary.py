"""The glossary: terms defined in plain words (``glossary.yaml``), each linked on its first use in
each part of the report."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .markup import esc

GLOSSARY_FILE = Path(__file__).with_name("glossary.yaml")


def load_glossary(path: Path = GLOSSARY_FILE) -> list[tuple[str, str, str, str]]:
    """(anchor, term, pattern, plain definition) for each term, in the glossary's order."""
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [(e["anchor"], e["term"], e["pattern"], e["definition"]) for e in entries]


#: (anchor, term, pattern, plain definition). Patterns are case-insensitive regular expressions.
GLOSSARY = load_glossary()
_GLOSSARY_RE = [(anchor, re.compile(pattern, re.I)) for anchor, _, pattern, _ in GLOSSARY]
_NO_LINK_TAGS = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "th", "dt", "style", "script", "title", "svg"}


def link_glossary(fragment: str) -> str:
    """Link the first use of each glossary term in an HTML fragment (one part of the report).

    Only text is touched (never inside a tag, a link, a heading or a table header); the text was
    escaped before, so a match only ever wraps already-safe text.
    """
    used: set[str] = set()
    out = []
    skip: list[str] = []
    for token in re.split(r"(<[^>]*>)", fragment):
        if token.startswith("<"):
            m = re.match(r"<(/?)([a-zA-Z0-9]+)", token)
            if m:
                name = m.group(2).lower()
                if name in _NO_LINK_TAGS and not token.endswith("/>"):
                    if m.group(1):
                        if name in skip:
                            del skip[len(skip) - 1 - skip[::-1].index(name)]
                    else:
                        skip.append(name)
            out.append(token)
            continue
        if skip or not token:
            out.append(token)
            continue
        pos = 0
        pieces = []
        while True:
            best = None
            for anchor, rx in _GLOSSARY_RE:
                if anchor in used:
                    continue
                m = rx.search(token, pos)
                if m and (best is None or m.start() < best[1].start()):
                    best = (anchor, m)
            if best is None:
                break
            anchor, m = best
            used.add(anchor)
            pieces.append(token[pos : m.start()])
            pieces.append(f'<a class="fop-term" href="#glossary-{anchor}">{m.group(0)}</a>')
            pos = m.end()
        pieces.append(token[pos:])
        out.append("".join(pieces))
    return "".join(out)


def glossary_html() -> str:
    items = "".join(f'<dt id="glossary-{a}">{esc(term)}</dt><dd>{esc(text)}</dd>' for a, term, _, text in GLOSSARY)
    return f'<h2 id="glossary">Glossary</h2><dl class="fop-glossary">{items}</dl>'


def display_glossary() -> None:
    from IPython.display import HTML, display

    display(HTML(glossary_html()))
