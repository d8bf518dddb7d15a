"""Assembling the evaluation report and exporting it as self-contained HTML.

The report notebook (``notebooks/90_report.ipynb``) calls these functions. They read what the strand
notebooks saved (``report_section``) and the ingest records (``data_quality/``), apply disclosure
control to every table, and display the result; nothing is recomputed here. :func:`export_html`
turns the executed report notebook into the HTML commissioners read: no code, charts inlined as SVG
with real text (``figures``), no script, nothing that loads from elsewhere, alt text on every chart.

The report, in reading order: title and scope; the answer box ("Main points": what the real
published statistics show, from the key findings, and what the synthetic sections are for); the
contents; the 2016 evaluation beside today's evidence; the summary (key findings, real-data sections
first, each kind said once); About; the strand sections (each in a box saying once what it is built
on: charts, key tables, the plain-English reading, a link to its technical detail); data quality; how
the report was made (inputs, sources in full, the build). The technical appendix (how strength of
evidence is judged, each strand's detail and long tables, the data-quality tables, the glossary) is a
second file beside the report (``<name>_appendix.html``), linked from each section.

Safety: every string that comes from a section (prose, captions, table cells, headers, alt text,
titles, sources) is escaped here, at the one place sections are rendered. Section prose is Markdown
rendered with raw HTML escaped, images refused (figures come only through ``Section.figure``) and
links kept only for http(s), mailto and in-page targets. :func:`check_self_contained` then refuses
any element or attribute that could load, run or submit anything.

Layout of this package (numbers are written by :mod:`helpers.formatting`): ``markup`` (safe text),
``glossary`` (terms, as data in ``glossary.yaml``), ``kinds`` (real or synthetic, sources), ``answer``
(the answer box), ``then_and_now`` (the 2016 evaluation, as data in ``evaluation_2016.yaml``), ``made``
(About's data paragraph, How this report was made), ``tables``, ``figures``, ``header`` (title, scope,
contents, headings), ``summary``, ``sections`` (strand sections and their appendix detail),
``data_quality``, ``authority`` (one authority's own report: its name, the notices said first, the
strands left out), ``export`` (the report and its appendix file, links between them), ``audit``,
``browser`` (Chromium, PDF) and ``cli`` (``python -m helpers.report``).

Reproducibility: the same inputs and code give the same bytes: no build time unless
``SOURCE_DATE_EPOCH`` is set, stable element ids, deterministic SVG figures (``helpers.figures``).
"""

from .answer import ANSWER_TOPICS, answer_html, display_answer, topic_answers
from .audit import FORBIDDEN_TAGS, audit_html, check_self_contained
from .authority import display_left_out, left_out_html, notices_html
from .browser import CHROMIUM_CANDIDATES, find_chromium, print_pdf
from .cli import main
from .data_quality import (
    data_quality_appendix_html,
    data_quality_html,
    data_quality_tables,
    display_data_quality,
    link_records,
    links_html,
)
from .export import (
    APPENDIX_TITLE,
    TEMPLATE_NAME,
    TEMPLATES_DIR,
    appendix_path_for,
    export_html,
    export_report,
    for_appendix,
    reconcile_links,
)
from .figures import figure_html
from .glossary import GLOSSARY, display_glossary, glossary_html, link_glossary, load_glossary
from .header import (
    PARTS_AFTER,
    PARTS_BEFORE,
    REPORT_TITLE,
    build_date,
    contents_html,
    display_contents,
    display_header,
    display_heading,
    header_html,
    heading_html,
    part_heading_html,
    run_parameters_html,
    synthetic_inputs,
)
from .kinds import data_kind, kind_note_html, report_sources, short_source, short_title
from .kinds import data_kind as _data_kind
from .made import about_data_html, display_about_data, display_how_made, how_made_html, inputs_html, sources_html
from .markup import _slug, esc, render_markdown
from .sections import (
    BODY_TABLE_MAX_ROWS,
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
from .summary import conclusions_text, display_summary, summary_html
from .tables import _format_number, table_html
from .then_and_now import display_then_and_now, load_evaluation, then_and_now_html

__all__ = [
    "ANSWER_TOPICS",
    "APPENDIX_TITLE",
    "BODY_TABLE_MAX_ROWS",
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
    "_format_number",
    "_slug",
    "about_data_html",
    "answer_html",
    "appendix_html",
    "appendix_part_html",
    "appendix_path_for",
    "audit_html",
    "build_date",
    "check_self_contained",
    "conclusions_text",
    "contents_html",
    "data_kind",
    "data_kind_html",
    "data_quality_appendix_html",
    "data_quality_html",
    "data_quality_tables",
    "display_about_data",
    "display_answer",
    "display_left_out",
    "display_appendix",
    "display_contents",
    "display_data_quality",
    "display_glossary",
    "display_header",
    "display_heading",
    "display_how_made",
    "display_sections",
    "display_summary",
    "display_then_and_now",
    "esc",
    "export_html",
    "export_report",
    "figure_html",
    "find_chromium",
    "for_appendix",
    "glossary_html",
    "header_html",
    "heading_html",
    "how_made_html",
    "inputs_html",
    "item_html",
    "left_out_html",
    "kind_note_html",
    "link_glossary",
    "link_records",
    "notices_html",
    "links_html",
    "load_evaluation",
    "load_glossary",
    "main",
    "part_heading_html",
    "print_pdf",
    "reconcile_links",
    "render_markdown",
    "report_sources",
    "run_parameters_html",
    "section_html",
    "short_source",
    "short_title",
    "sources_html",
    "strength_rules_html",
    "summary_html",
    "synthetic_inputs",
    "table_html",
    "then_and_now_html",
    "topic_answers",
]
