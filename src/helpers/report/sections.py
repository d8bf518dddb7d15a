"""The strand sections: body items in reading order, and their technical detail in the appendix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import evidence
from ..config import DEFAULT_SUPPRESSION_THRESHOLD
from ..formatting import plural
from ..report_section import SCOPES, STRENGTH_INTRO, STRENGTH_RULES, load_sections  # noqa: F401 (SCOPES re-exported)
from .data_quality import data_quality_appendix_html
from .export import APPENDIX_TITLE, for_appendix
from .figures import figure_html
from .glossary import glossary_html, link_glossary
from .header import heading_html
from .kinds import data_kind, kind_note_html
from .markup import _slug, esc, render_markdown
from .tables import BODY_TABLE_MAX_ROWS, table_html


def item_html(section: dict, item: dict, threshold: int, item_id: str, body: bool = False) -> str:
    """One section item (Markdown, table or figure) as safe HTML. ``body``: a table in the report's
    body, laid out as cards on a phone unless it is declared wide (``"wide": true`` in the item)."""
    kind = item.get("kind")
    if kind == "markdown":
        return f'<div class="fop-prose">{render_markdown(item["text"])}</div>'
    if kind == "table":
        table = pd.read_csv(section["folder"] / item["file"])
        # What to suppress was settled over every table and sentence of the four reports when the
        # sections were loaded (helpers.disclosure.protect_sections): the cells come as "suppressed".
        return table_html(
            table,
            item.get("caption", ""),
            item.get("count_columns", ()),
            item.get("dependent_columns", {}),
            threshold=threshold,
            decimals=item.get("decimals", 2),
            note=item.get("note"),
            extra_suppressed={(int(r), str(c)) for r, c in item.get("suppressed", [])},
            not_counts=[c for c, k in (item.get("counts") or {}).items() if k.get("kind") != "people"],
            labels=item.get("labels") or {},
            table_id=item_id,
            column_kinds=item.get("kinds") or None,
            wide=bool(item.get("wide")),
            stack=body and not item.get("wide"),
        )
    if kind == "figure":
        return figure_html(section["folder"] / item["file"], item["alt"], item.get("caption", ""), figure_id=item_id)
    raise ValueError(f"{section['folder']}: unknown item kind {kind!r}")


def _item_id(number: int, item: dict, index: int) -> str:
    return f"s{number}-{_slug(item.get('name') or item.get('kind'))}-{index}"


def data_kind_html(section: dict) -> str:
    """The box at the top of a section saying what its figures are built on (:mod:`.kinds`)."""
    return kind_note_html(section)


def _moved(item: dict, table_rows: int | None) -> bool:
    """A body table longer than :data:`BODY_TABLE_MAX_ROWS` rows is reference material: it is shown in
    the technical appendix, and the body points to it."""
    return item.get("kind") == "table" and not item.get("appendix") and (table_rows or 0) > BODY_TABLE_MAX_ROWS


def _rows(section: dict, item: dict) -> int | None:
    if item.get("kind") != "table":
        return None
    with open(section["folder"] / item["file"], encoding="utf-8") as f:
        return max(0, sum(1 for _ in f) - 1)


def _in_appendix(section: dict, item: dict) -> bool:
    return bool(item.get("appendix")) or _moved(item, _rows(section, item))


def _pointer_html(section: dict, item: dict, item_id: str) -> str:
    rows = _rows(section, item)
    caption = str(item.get("caption", "")).rstrip(". ")
    return (
        f'<p class="fop-more">The full table ({plural(rows, "row")}), {esc(caption)}, is in the '
        f'<a href="#{item_id}">technical appendix</a>.</p>'
    )


def section_html(section: dict, number: int, threshold: int) -> str:
    """A strand section's body, in a box coloured by its data kind: heading, what it is built on,
    body items (a long table replaced by a pointer to the appendix), a link to its technical detail."""
    body = []
    for i, it in enumerate(section["items"]):
        if it.get("appendix"):
            continue
        item_id = _item_id(number, it, i)
        if _moved(it, _rows(section, it)):
            body.append(_pointer_html(section, it, item_id))
        else:
            body.append(item_html(section, it, threshold, item_id, body=True))
    has_appendix = any(_in_appendix(section, it) for it in section["items"])
    link = (
        f'<p class="fop-more"><a href="#appendix-{number}">Technical detail for this section</a> '
        "(in the technical appendix)</p>"
        if has_appendix
        else ""
    )
    inner = data_kind_html(section) + "\n".join(body) + link
    return (
        f'<section class="fop-section fop-section-{data_kind(section)}" aria-labelledby="section-{number}">'
        + heading_html(number, section["title"])
        + link_glossary(inner)
        + "</section>"
    )


def appendix_html(section: dict, number: int, threshold: int) -> str:
    """A section's technical detail: the items it marked for the appendix and its long tables."""
    items = section["items"]
    parts = [
        item_html(section, it, threshold, _item_id(number, it, i))
        for i, it in enumerate(items)
        if _in_appendix(section, it)
    ]
    if not parts:
        return ""
    return (
        f'<section aria-labelledby="appendix-{number}"><h2 id="appendix-{number}">Technical detail: {number}. '
        f"{esc(section['title'])}</h2>"
        + link_glossary("\n".join(parts))
        + f'<p class="fop-more"><a href="#section-{number}">Back to section {number} of the report</a></p></section>'
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
        '<h2 id="strength-rules">How the strength of evidence is judged</h2>'
        f"<p>{esc(STRENGTH_INTRO)}</p>"
        f'<dl class="fop-rules">{rules}</dl>'
    )


def appendix_part_html(processed_dir: Path, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> str:
    """The technical appendix (its own file, :mod:`.export`): title, how strength of evidence is
    judged, each section's technical detail, the data-quality tables and the glossary (terms in the
    report link to it)."""
    sections = load_sections(processed_dir)
    parts = [
        f'<h1 id="technical-appendix">{esc(APPENDIX_TITLE)}</h1>',
        "<p>Detail for evaluators: reliability, model terms, full tables and estimator notes, section by "
        'section. It accompanies <a href="#top">the evaluation report</a>, whose section numbers it '
        "follows.</p>",
        link_glossary(strength_rules_html()),
    ]
    parts += [appendix_html(s, n, threshold) for n, s in enumerate(sections, start=1)]
    parts.append(data_quality_appendix_html(processed_dir, len(sections) + 1))
    parts.append(glossary_html())
    return "".join(p for p in parts if p)


def display_appendix(processed_dir: Path, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> None:
    """The technical appendix, marked for its own file: strength-of-evidence rules, then each
    strand's technical detail."""
    from IPython.display import HTML, display

    display(HTML(for_appendix(appendix_part_html(processed_dir, threshold))))
