"""What each section is built on, and how the report says so: once per section, in words.

Three kinds (``section.json``'s ``data_kind``): "real" (published statistics, with their sources),
"extract" (the authority's own extracts, real) and "synthetic" (made up by the project's generator).
Every section carries one box saying which, in the same style for every kind and a different colour
and wording per kind; nothing else in the section repeats it. Sources are named briefly there and in
full once, in "How this report was made".
"""

from __future__ import annotations

import re

from .markup import _SAFE_LINK, esc

KIND_LABELS = {
    "real": "Real data: published statistics",
    "extract": "Real data: the authority's own extracts",
    "synthetic": "Synthetic data: an illustration, not findings",
}
#: A synthetic section with a notice is built on test extracts, not on the generator's data.
TEST_LABEL = "Test data: an illustration, not findings"


def data_kind(section: dict) -> str:
    """ "real", "extract" or "synthetic"."""
    return section.get("data_kind") or ("synthetic" if section.get("synthetic") else "extract")


def is_real(section: dict) -> bool:
    return data_kind(section) != "synthetic"


def short_title(section: dict) -> str:
    """The part of a section's title before its colon ("Practice scenarios", "Time use")."""
    return re.split(r":\s", str(section.get("title", "")), maxsplit=1)[0].strip()


def short_titles(sections: list[dict]) -> list[str]:
    """Each section's short title, or its whole title where two sections share a short one
    ("Workforce stability: published statistics" and "Workforce stability: before and after")."""
    short = [short_title(s) for s in sections]
    return [t if short.count(t) == 1 else str(s["title"]) for t, s in zip(short, sections, strict=True)]


def short_source(source: dict) -> str:
    """A source's name without its bracketed detail ("Characteristics of children in need")."""
    name = str(source.get("short") or source.get("name") or source.get("url") or "")
    return re.split(r"\s*[(,]", name, maxsplit=1)[0].strip() or name


def report_sources(sections: list[dict]) -> list[dict]:
    """Every source any section names, once (first appearance wins), in report order."""
    seen, out = set(), []
    for section in sections:
        for source in section.get("sources", []):
            key = (str(source.get("publisher", "")), str(source.get("name", "")))
            if key not in seen:
                seen.add(key)
                out.append(source)
    return out


def source_html(source: dict) -> str:
    """One source in full: its name (linked when it has a web address), publisher and release."""
    url = str(source.get("url", ""))
    name = esc(source.get("name", url))
    linked = f'<a href="{esc(url)}">{name}</a>' if url.startswith("http") and _SAFE_LINK.match(url) else name
    detail = ", ".join(
        esc(x)
        for x in (source.get("publisher", ""), f"released {source['released']}" if source.get("released") else "")
        if x
    )
    return linked + (f" ({detail})" if detail else "")


def kind_note_html(section: dict) -> str:
    """The box at the top of a section saying once what its figures are built on."""
    kind = data_kind(section)
    if kind == "real":
        names = list(dict.fromkeys(short_source(s) for s in section.get("sources", [])))
        what = (
            f'{esc("; ".join(names))}. Sources in full: <a href="#sources">How this report was made</a>.'
            if names
            else 'Sources in full: <a href="#sources">How this report was made</a>.'
        )
        return f'<p class="fop-kind-note"><b>{esc(KIND_LABELS[kind])}.</b> {what}</p>'
    if kind == "extract":
        return f'<p class="fop-kind-note"><b>{esc(KIND_LABELS[kind])}.</b> Built from the extracts supplied.</p>'
    if section.get("notice"):  # test extracts (e.g. a validator project's fake return): their notice says whose
        return f'<p class="fop-kind-note"><b>{esc(TEST_LABEL)}.</b> {esc(section["notice"])}</p>'
    return (
        f'<p class="fop-kind-note"><b>{esc(KIND_LABELS[kind])}.</b> Built from data made up by the project\'s '
        "generator in the shape of the boroughs' extracts: this section shows what the analysis would produce "
        "on the real extracts, and none of its numbers is a finding about Focus on Practice.</p>"
    )
