"""The top of the report (title, scope, a note when the build is not the default one), the contents and
the headings of its parts."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..ingest import RECONCILIATION_COLUMNS, data_quality_dir
from ..report_section import load_sections
from .markup import esc

REPORT_TITLE = "Focus on Practice: evaluation report"


def synthetic_inputs(processed_dir: Path) -> pd.DataFrame:
    """The reconciliation of every raw file ingested for this scope (one row per file)."""
    files = sorted(data_quality_dir(processed_dir).glob("reconciliation_*.csv"))
    if not files:
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    return pd.concat([pd.read_csv(f, keep_default_na=False) for f in files], ignore_index=True)


def heading_html(number: int, title: str) -> str:
    """A numbered section heading with a stable anchor (``#section-<number>``) for the contents."""
    return f'<h2 id="section-{number}">{number}. {esc(title)}</h2>'


#: Top-level parts that are not strand sections: (anchor, title).
PARTS_BEFORE = [
    ("main-points", "Main points"),
    ("then-and-now", "The 2016 evaluation beside today's evidence"),
    ("summary", "Summary"),
    ("about", "About this evaluation"),
]
PARTS_AFTER = [
    ("how-made", "How this report was made"),
    ("technical-appendix", "Technical appendix (a separate file)"),
    ("glossary", "Glossary (in the technical appendix)"),
]


def contents_html(processed_dir: Path) -> str:
    """The contents: every top-level part, in order, each linked to its heading (the technical
    appendix is a separate file: the export points the link there)."""
    sections = load_sections(processed_dir)
    items = [f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in PARTS_BEFORE]
    items += [f'<li><a href="#section-{i}">{i}. {esc(s["title"])}</a></li>' for i, s in enumerate(sections, start=1)]
    items.append(f'<li><a href="#section-{len(sections) + 1}">{len(sections) + 1}. Data quality</a></li>')
    items += [f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t in PARTS_AFTER]
    return (
        '<nav aria-labelledby="contents"><h2 id="contents">Contents</h2><ul class="fop-contents">'
        + "".join(items)
        + "</ul></nav>"
    )


def build_date() -> str | None:
    """The build date for the header: from ``SOURCE_DATE_EPOCH`` (reproducible builds), else none.

    A shared ``build_date()`` in :mod:`helpers.provenance` is used when it exists (not the runner's
    module: ``helpers.pipeline`` imports this one, and the import graph has no cycle).
    """
    from .. import provenance

    shared = getattr(provenance, "build_date", None)
    if shared is not None:
        value = shared()
        if value is None:
            return None
        return value if isinstance(value, str) else f"{value:%d %B %Y}"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return f"{datetime.fromtimestamp(int(epoch), tz=UTC):%d %B %Y}"


def header_html(processed_dir: Path, borough: str) -> str:
    """Title, scope and build date, a one-line warning when the build is not the default one (its
    parameters are listed in "How this report was made") and what the sections say must be read first
    (:mod:`.authority`: an authority's own report names it). Nothing else comes before the answer."""
    from ..config import borough_label
    from . import authority

    date = build_date()
    built = f" Built {esc(date.lstrip('0'))}." if date else ""  # "4 December 2026", as GOV.UK writes dates
    scope = authority.scope_label(processed_dir, borough_label(borough))
    return (
        f'<header><h1 id="top">{esc(authority.title(REPORT_TITLE, processed_dir))}</h1>'
        f'<p class="fop-scope"><b>Scope:</b> {esc(scope)}.{built}</p>'
        + authority.top_html(processed_dir)
        + variant_note_html(processed_dir)
        + "</header>"
    )


def variant_note_html(processed_dir: Path) -> str:
    """One line when the build's parameters differ from the declared defaults (``run_info.json``)."""
    from ..provenance import run_info

    info = run_info(processed_dir)
    if not (info.get("non_default_parameters") or info.get("override_file")):
        return ""
    return (
        '<p class="fop-run" role="note"><b>Not the default build:</b> some parameters differ from the '
        'declared defaults (listed in <a href="#build">How this report was made</a>).</p>'
    )


def run_parameters_html(processed_dir: Path) -> str:
    """The build's parameters that differ from the declared defaults, and the override file, as the
    runner recorded them (``run_info.json``), so that two runs cannot be mistaken for each other.
    Names as plain words, the override file by its name only (no folder)."""
    from ..provenance import run_info

    info = run_info(processed_dir)
    changed = info.get("non_default_parameters") or {}
    override = info.get("override_file")
    if not changed and not override:
        return "<p>Built with the declared default parameters.</p>" if info else ""
    items = "".join(
        f"<li>{esc(name)} = {esc(json.dumps(v.get('value')))} (default {esc(json.dumps(v.get('default')))})</li>"
        for name, v in sorted(changed.items())
    )
    source = f" (from the override file {esc(Path(str(override)).name)})" if override else ""
    report_file = Path(str(info.get("report_file", ""))).name
    return (
        f"<p><b>Non-default parameters{source}.</b> This report is not the default build"
        + (f": it was written to {esc(report_file)}" if report_file else "")
        + ".</p>"
        + (f"<ul>{items}</ul>" if items else "")
    )


def display_header(processed_dir: Path, borough: str) -> None:
    """Title, scope, and a note when the build is not the default one."""
    from IPython.display import HTML, display

    display(HTML(header_html(processed_dir, borough)))


def display_contents(processed_dir: Path) -> None:
    from IPython.display import HTML, display

    display(HTML(contents_html(processed_dir)))


def part_heading_html(anchor: str) -> str:
    titles = dict(PARTS_BEFORE + PARTS_AFTER)
    return f'<h2 id="{esc(anchor)}">{esc(titles[anchor])}</h2>'


def display_heading(anchor: str) -> None:
    """The heading of a top-level part written in the notebook (``about``, ``how-made``)."""
    from IPython.display import HTML, display

    display(HTML(part_heading_html(anchor)))
