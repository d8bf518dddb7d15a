"""The top of the report (title, scope, run parameters, the synthetic or real banner, contents),
the headings of its parts, and the build information of "How this report was made"."""

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


def banner_html(processed_dir: Path) -> str:
    """The banner at the top of the report: loud when any input is synthetic."""
    rec = synthetic_inputs(processed_dir)
    synthetic = rec["synthetic"].astype(str).str.lower().isin(["true", "1"]) if len(rec) else pd.Series([], dtype=bool)
    if synthetic.any():
        names = ", ".join(sorted(set(rec.loc[synthetic, "file"])))
        real = [s["title"] for s in load_sections(processed_dir) if _data_kind(s) == "real"]
        # Sections on real published statistics are named, so the banner never makes them look invented
        # and never makes the synthetic ones look real.
        real_note = (
            f" Exception: {esc('; '.join(real))} {'is' if len(real) == 1 else 'are'} built on real published "
            "statistics and marked as such."
            if real
            else ""
        )
        return (
            '<div class="fop-banner" role="note">SYNTHETIC DATA. Sections built from individual-level data use data made up '
            "by the project's generator, not real children, families or staff. Their numbers illustrate "
            f"what the analysis produces; they are not findings of the evaluation.{real_note} "
            f"Synthetic inputs: {esc(names)}.</div>"
        )
    if len(rec) == 0:
        return '<div class="fop-banner" role="note">No input data were recorded for this report.</div>'
    return '<div class="fop-real">Built from real extracts supplied by the boroughs; no input is synthetic.</div>'


def heading_html(number: int, title: str) -> str:
    """A numbered section heading with a stable anchor (``#section-<number>``) for the contents."""
    return f'<h2 id="section-{number}">{number}. {esc(title)}</h2>'


def _data_kind(section: dict) -> str:
    return section.get("data_kind") or ("synthetic" if section.get("synthetic") else "extract")


#: Top-level parts that are not strand sections: (anchor, title).
PARTS_BEFORE = [("summary", "Summary"), ("about", "About this evaluation")]
PARTS_AFTER = [
    ("how-made", "How this report was made"),
    ("technical-appendix", "Technical appendix"),
    ("glossary", "Glossary"),
]


def contents_html(processed_dir: Path) -> str:
    """The contents: every top-level part, in order, each linked to its heading."""
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
    from ..config import borough_label
    from ..provenance import code_version

    date = build_date()
    built = f" <b>Built:</b> {esc(date)}." if date else ""
    version = code_version()
    commit = version["commit"][:12] + (" with uncommitted changes" if version["uncommitted_changes"] else "")
    return (
        f'<header><h1 id="top">{esc(REPORT_TITLE)}</h1>'
        f"<p><b>Scope:</b> {esc(borough_label(borough))}.{built} <b>Code version:</b> <code>{esc(commit)}</code>.</p>"
        + run_parameters_html(processed_dir)
        + "</header>"
        + banner_html(processed_dir)
        + contents_html(processed_dir)
    )


def run_parameters_html(processed_dir: Path) -> str:
    """The build's parameters that differ from the declared defaults, and the override file, as the
    runner recorded them (``run_info.json``), so that two runs cannot be mistaken for each other."""
    from ..provenance import run_info

    info = run_info(processed_dir)
    changed = info.get("non_default_parameters") or {}
    override = info.get("override_file")
    if not changed and not override:
        return '<p class="fop-run">Built with the declared default parameters.</p>' if info else ""
    items = "".join(
        f"<li><code>{esc(name)}</code> = {esc(json.dumps(v.get('value')))} (default {esc(json.dumps(v.get('default')))})</li>"
        for name, v in sorted(changed.items())
    )
    source = f" from <code>{esc(override)}</code>" if override else ""
    return (
        f'<div class="fop-run" role="note"><p><b>Non-default parameters{source}.</b> This report is not the '
        f"default build: it was written to <code>{esc(info.get('report_file', ''))}</code>.</p>"
        + (f"<ul>{items}</ul>" if items else "")
        + "</div>"
    )


def display_header(processed_dir: Path, borough: str) -> None:
    """Title, scope, the synthetic/real banner and the contents."""
    from IPython.display import HTML, display

    display(HTML(header_html(processed_dir, borough)))


def part_heading_html(anchor: str) -> str:
    titles = dict(PARTS_BEFORE + PARTS_AFTER)
    return f'<h2 id="{esc(anchor)}">{esc(titles[anchor])}</h2>'


def display_heading(anchor: str) -> None:
    """The heading of a top-level part written in the notebook (``about``, ``how-made``)."""
    from IPython.display import HTML, display

    display(HTML(part_heading_html(anchor)))


def display_build_info() -> None:
    """Which code and packages built the report (the full record is the run manifest)."""
    from IPython.display import HTML, display

    from ..provenance import code_version, package_versions

    version = code_version()
    packages = package_versions()
    pinned = ", ".join(
        f"{k} {v}" for k, v in packages.items() if k in ("python", "pandas", "networkx", "statsmodels", "papermill")
    )
    commit = version["commit"][:12] + (" with uncommitted changes" if version["uncommitted_changes"] else "")
    display(
        HTML(
            f"<p>Built by the project's pipeline from code version <code>{esc(commit)}</code> ({esc(pinned)}). "
            "The executed notebooks and a run manifest with the parameters, input hashes and all "
            "package versions are kept with the build.</p>"
        )
    )
