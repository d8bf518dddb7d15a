"""Assembling the evaluation report and exporting it as self-contained HTML.

The report notebook (``notebooks/90_report.ipynb``) calls these functions. They read what the strand
notebooks saved (``report_section``) and the ingest records (``data_quality/``), apply disclosure
control to every table, and display the result; nothing is recomputed here. :func:`export_html`
turns the executed report notebook into the HTML commissioners read: no code, charts inlined as SVG
with real text (``figures``), no script, nothing that loads from elsewhere, alt text on every chart.

The report, in reading order: header (scope, code version, synthetic banner) and contents; the
summary (each section's key findings with their strength of evidence, what can and cannot be
concluded, real or synthetic per section); About; the strand sections (body only: charts, the main
table, the plain-English reading, a link to the section's technical detail); data quality; how the
report was made; the technical appendix (how strength of evidence is judged, then each strand's
detail); the glossary.

Safety: every string that comes from a section (prose, captions, table cells, headers, alt text,
titles, sources) is escaped here, at the one place sections are rendered. Section prose is Markdown
rendered with raw HTML escaped, images refused (figures come only through ``Section.figure``) and
links kept only for http(s), mailto and in-page targets. :func:`check_self_contained` then refuses
any element or attribute that could load, run or submit anything.

Layout of this package: ``markup`` (safe text), ``glossary`` (terms, as data in ``glossary.yaml``),
``tables``, ``figures``, ``header`` (title, banner, contents, headings, build information), ``summary``,
``sections`` (strand sections and their appendix detail), ``data_quality``, ``export`` (HTML and its
audit), ``browser`` (Chromium, PDF) and ``cli`` (``python -m helpers.report``).

Reproducibility: the same inputs and code give the same bytes: no build time unless
``SOURCE_DATE_EPOCH`` is set, stable element ids, deterministic SVG figures (``helpers.figures``).
"""

from .browser import CHROMIUM_CANDIDATES, find_chromium, print_pdf
from .cli import main
from .data_quality import (
    data_quality_html,
    data_quality_tables,
    display_data_quality,
    link_records,
    links_html,
)
from .export import (
    FORBIDDEN_TAGS,
    TEMPLATE_NAME,
    TEMPLATES_DIR,
    audit_html,
    check_self_contained,
    export_html,
)
from .figures import figure_html
from .glossary import GLOSSARY, display_glossary, glossary_html, link_glossary, load_glossary
from .header import (
    PARTS_AFTER,
    PARTS_BEFORE,
    REPORT_TITLE,
    _data_kind,
    banner_html,
    build_date,
    contents_html,
    display_build_info,
    display_header,
    display_heading,
    header_html,
    heading_html,
    part_heading_html,
    run_parameters_html,
    synthetic_inputs,
)
from .markup import _slug, esc, render_markdown
from .sections import (
    SCOPES,
    appendix_html,
    appendix_part_html,
    data_kind_html,
    display_appendix,
    display_sections,
    item_html,
    section_html,
    strength_rules_html,
)
from .summary import _finding_number, conclusions_text, data_kind_text, display_summary, summary_html
from .tables import _format_number, table_html

__all__ = [
    "CHROMIUM_CANDIDATES",
    "FORBIDDEN_TAGS",
    "GLOSSARY",
    "PARTS_AFTER",
    "PARTS_BEFORE",
    "REPORT_TITLE",
    "SCOPES",
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "_data_kind",
    "_finding_number",
    "_format_number",
    "_slug",
    "appendix_html",
    "appendix_part_html",
    "audit_html",
    "banner_html",
    "build_date",
    "check_self_contained",
    "conclusions_text",
    "contents_html",
    "data_kind_html",
    "data_kind_text",
    "data_quality_html",
    "data_quality_tables",
    "display_appendix",
    "display_build_info",
    "display_data_quality",
    "display_glossary",
    "display_header",
    "display_heading",
    "display_sections",
    "display_summary",
    "esc",
    "export_html",
    "figure_html",
    "find_chromium",
    "glossary_html",
    "header_html",
    "heading_html",
    "item_html",
    "link_glossary",
    "link_records",
    "links_html",
    "load_glossary",
    "main",
    "part_heading_html",
    "print_pdf",
    "render_markdown",
    "run_parameters_html",
    "section_html",
    "strength_rules_html",
    "summary_html",
    "synthetic_inputs",
    "table_html",
]
