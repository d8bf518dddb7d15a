"""The strand sections: body items in reading order, and their technical detail in the appendix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import evidence
from ..config import ALL_BOROUGHS, BOROUGHS, DEFAULT_SUPPRESSION_THRESHOLD
from ..disclosure import cross_scope_suppressed
from ..report_section import STRENGTH_INTRO, STRENGTH_RULES, load_sections
from .figures import figure_html
from .glossary import link_glossary
from .header import _data_kind, heading_html, part_heading_html
from .markup import _SAFE_LINK, _slug, esc, render_markdown
from .tables import table_html

#: The report scopes whose tables are checked against each other (helpers.disclosure).
SCOPES = (*BOROUGHS, ALL_BOROUGHS)


def item_html(section: dict, item: dict, threshold: int, item_id: str) -> str:
    """One section item (Markdown, table or figure) as safe HTML."""
    kind = item.get("kind")
    if kind == "markdown":
        return f'<div class="fop-prose">{render_markdown(item["text"])}</div>'
    if kind == "table":
        table = pd.read_csv(section["folder"] / item["file"])
        # Margins and the cross-report check (helpers.disclosure) work on the saved column names;
        # labels only change the headers a reader sees.
        extra = set(cross_scope_suppressed(section["folder"], item, threshold, SCOPES))
        return table_html(
            table,
            item.get("caption", ""),
            item.get("count_columns", ()),
            item.get("dependent_columns", {}),
            threshold=threshold,
            decimals=item.get("decimals", 2),
            note=item.get("note"),
            totals=item.get("totals") or {},
            row_margins=item.get("row_margins") or [],
            extra_suppressed=extra,
            labels=item.get("labels") or {},
            table_id=item_id,
            column_kinds=item.get("kinds") or None,
        )
    if kind == "figure":
        return figure_html(section["folder"] / item["file"], item["alt"], item.get("caption", ""), figure_id=item_id)
    raise ValueError(f"{section['folder']}: unknown item kind {kind!r}")


def _item_id(number: int, item: dict, index: int) -> str:
    return f"s{number}-{_slug(item.get('name') or item.get('kind'))}-{index}"


def data_kind_html(section: dict) -> str:
    """The line under a section heading saying whether its figures are synthetic or real."""
    kind = _data_kind(section)
    if kind == "synthetic":
        return '<p class="fop-note"><b>Synthetic data:</b> the figures in this section are illustrative.</p>'
    if kind == "real":
        links = "; ".join(
            (
                f'<a href="{esc(s["url"])}">{esc(s.get("name", s["url"]))}</a>'
                if _SAFE_LINK.match(str(s.get("url", ""))) and str(s.get("url", "")).startswith("http")
                else esc(s.get("name", ""))
            )
            + (
                f" ({esc(s.get('publisher', ''))}"
                + (f", released {esc(s['released'])}" if s.get("released") else "")
                + ")"
            )
            for s in section.get("sources", [])
        )
        return f'<p class="fop-real"><b>Real published statistics.</b> Sources: {links}.</p>'
    return '<p class="fop-note">Built from the extracts supplied (not synthetic).</p>'


def section_html(section: dict, number: int, threshold: int) -> str:
    """A strand section's body: heading, data kind, body items, link to its technical detail."""
    items = section["items"]
    body = [
        item_html(section, it, threshold, _item_id(number, it, i))
        for i, it in enumerate(items)
        if not it.get("appendix")
    ]
    has_appendix = any(it.get("appendix") for it in items)
    link = (
        f'<p class="fop-more"><a href="#appendix-{number}">Technical detail for this section</a></p>'
        if has_appendix
        else ""
    )
    inner = data_kind_html(section) + "\n".join(body) + link
    return (
        f'<section aria-labelledby="section-{number}">'
        + heading_html(number, section["title"])
        + link_glossary(inner)
        + "</section>"
    )


def appendix_html(section: dict, number: int, threshold: int) -> str:
    items = section["items"]
    parts = [
        item_html(section, it, threshold, _item_id(number, it, i)) for i, it in enumerate(items) if it.get("appendix")
    ]
    if not parts:
        return ""
    return (
        f'<section aria-labelledby="appendix-{number}"><h3 id="appendix-{number}">Technical detail: {number}. '
        f"{esc(section['title'])}</h3>"
        + link_glossary("\n".join(parts))
        + f'<p class="fop-more"><a href="#section-{number}">Back to section {number}</a></p></section>'
    )


def display_sections(processed_dir: Path, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> int:
    """Display every saved strand section's body in report order; returns how many were shown.
    Items a strand marked ``appendix`` are shown by :func:`display_appendix`."""
    from IPython.display import HTML, display

    sections = load_sections(processed_dir)
    for number, section in enumerate(sections, start=1):
        display(HTML(section_html(section, number, threshold)))
    return len(sections)


def strength_rules_html() -> str:
    # generated by helpers.evidence from the rule it applies, with the terms it uses
    terms = {**{k.capitalize(): v for k, v in STRENGTH_RULES.items()}, **evidence.explanations()}
    rules = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in terms.items())
    return (
        '<h3 id="strength-rules">How the strength of evidence is judged</h3>'
        f"<p>{esc(STRENGTH_INTRO)}</p>"
        f'<dl class="fop-rules">{rules}</dl>'
    )


def appendix_part_html(processed_dir: Path, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> str:
    sections = load_sections(processed_dir)
    parts = [
        part_heading_html("technical-appendix"),
        "<p>Detail for evaluators: reliability, model terms, full tables and estimator notes, by section.</p>",
        link_glossary(strength_rules_html()),
    ]
    parts += [appendix_html(s, n, threshold) for n, s in enumerate(sections, start=1)]
    return "".join(p for p in parts if p)


def display_appendix(processed_dir: Path, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> None:
    """The technical appendix: strength-of-evidence rules, then each strand's technical detail."""
    from IPython.display import HTML, display

    display(HTML(appendix_part_html(processed_dir, threshold)))
