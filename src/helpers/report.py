"""Assembling the evaluation report and exporting it as self-contained HTML.

The report notebook (``notebooks/90_report.ipynb``) calls these functions. They read what the strand
notebooks saved (``report_section``) and the ingest records (``data_quality/``), apply disclosure
control to every table, and display the result; nothing is recomputed here. :func:`export_html`
turns the executed report notebook into the HTML commissioners read: no code, images embedded as
data URIs, no external scripts, alt text on every image.
"""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pandas as pd

from .config import DEFAULT_SUPPRESSION_THRESHOLD
from .disclosure import count_like_columns, suppress_table
from .ingest import data_quality_dir
from .report_section import load_sections

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "fop_report"


# --------------------------------------------------------------------------------------------
# Pieces of HTML
# --------------------------------------------------------------------------------------------

def table_html(
    table: pd.DataFrame,
    caption: str = "",
    count_columns=(),
    dependent_columns: dict | None = None,
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
    decimals: int = 2,
    note: str | None = None,
    suppress: bool = True,
) -> str:
    """A table as HTML, after disclosure control (declared count columns and any named like one).

    ``suppress=False`` is for tables that count records, not people (the data-quality
    reconciliation); the note must then say so.
    """
    if suppress:
        counts = list(dict.fromkeys([*count_columns, *count_like_columns(table)]))
        shown = suppress_table(table, counts, dependent_columns or {}, threshold=threshold)
    else:
        shown = table.astype(object)

    def fmt(v):
        if isinstance(v, float):
            if pd.isna(v):
                return "–"
            return f"{v:,.{decimals}f}"
        if isinstance(v, (int,)) and not isinstance(v, bool):
            return f"{v:,}"
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return "–"
        return str(v)

    shown = shown.map(fmt)
    # Numbers right-aligned (so digits line up), text left-aligned.
    align = ["num" if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c]) else "txt" for c in table.columns]
    head = "".join(f'<th class="{a}">{html.escape(str(c).replace("_", " "))}</th>' for c, a in zip(table.columns, align))
    rows = "".join(
        "<tr>" + "".join(f'<td class="{a}">{html.escape(v)}</td>' for v, a in zip(row, align)) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    parts = []
    if caption:
        parts.append(f'<p class="fop-caption">{html.escape(caption)}</p>')
    parts.append(f'<table class="fop-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')
    notes = []
    if suppress:
        notes.append(f'"c": a count from 1 to {threshold} (or a figure derived from one), suppressed to protect privacy.')
    if note:
        notes.append(note)
    if notes:
        parts.append(f'<p class="fop-note">{html.escape(" ".join(notes))}</p>')
    return "\n".join(parts)


def figure_html(png: Path, alt: str, caption: str = "") -> str:
    """An embedded PNG (data URI) with alt text and a caption."""
    data = base64.b64encode(Path(png).read_bytes()).decode("ascii")
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return (
        f'<figure class="fop-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{html.escape(alt, quote=True)}"/>{cap}</figure>'
    )


def synthetic_inputs(processed_dir: Path) -> pd.DataFrame:
    """The reconciliation of every raw file ingested for this scope (one row per file)."""
    files = sorted(data_quality_dir(processed_dir).glob("reconciliation_*.csv"))
    if not files:
        return pd.DataFrame(columns=["file", "strand", "rows_read", "rows_accepted", "rows_rejected",
                                     "values_set_to_missing", "ignored_columns", "synthetic", "sha256"])
    return pd.concat([pd.read_csv(f, keep_default_na=False) for f in files], ignore_index=True)


def banner_html(processed_dir: Path) -> str:
    """The banner at the top of the report: loud when any input is synthetic."""
    rec = synthetic_inputs(processed_dir)
    synthetic = rec["synthetic"].astype(str).str.lower().isin(["true", "1"]) if len(rec) else pd.Series([], dtype=bool)
    if synthetic.any():
        names = ", ".join(rec.loc[synthetic, "file"])
        return (
            '<div class="fop-banner" role="alert">SYNTHETIC DATA. This report was built from data made up '
            "by the project's generator, not from real children, families or staff. Its numbers illustrate "
            f"what the analysis produces; they are not findings of the evaluation. Synthetic inputs: {html.escape(names)}.</div>"
        )
    if len(rec) == 0:
        return '<div class="fop-banner" role="alert">No input data were recorded for this report.</div>'
    return '<div class="fop-real">Built from real extracts supplied by the boroughs; no input is synthetic.</div>'


def heading_html(number: int, title: str) -> str:
    """A numbered section heading with a stable anchor (``#section-<number>``) for the contents."""
    return f'<h2 id="section-{number}">{number}. {html.escape(title)}</h2>'


def contents_html(processed_dir: Path) -> str:
    titles = [s["title"] for s in load_sections(processed_dir)] + ["Data quality"]
    items = [f'<li><a href="#section-{i}">{html.escape(t)}</a></li>' for i, t in enumerate(titles, start=1)]
    return "<p><b>Contents</b></p><ol>" + "".join(items) + "</ol>"


# --------------------------------------------------------------------------------------------
# Displaying in the report notebook
# --------------------------------------------------------------------------------------------

def _display_item(section: dict, item: dict, threshold: int) -> None:
    from IPython.display import HTML, Markdown, display

    if item["kind"] == "markdown":
        display(Markdown(item["text"]))
    elif item["kind"] == "table":
        table = pd.read_csv(section["folder"] / item["file"])
        labels = item.get("labels") or {}
        table_shown = table.rename(columns=labels)
        counts = [labels.get(c, c) for c in item["count_columns"]]
        dependent = {labels.get(k, k): labels.get(v, v) for k, v in item["dependent_columns"].items()}
        display(HTML(table_html(table_shown, item["caption"], counts, dependent,
                                threshold=threshold, decimals=item.get("decimals", 2), note=item.get("note"))))
    elif item["kind"] == "figure":
        display(HTML(figure_html(section["folder"] / item["file"], item["alt"], item["caption"])))
    else:
        raise ValueError(f"{section['folder']}: unknown item kind {item['kind']!r}")


def data_kind_html(section: dict) -> str:
    """The line under a section heading saying whether its figures are synthetic or real."""
    kind = section.get("data_kind") or ("synthetic" if section.get("synthetic") else "extract")
    if kind == "synthetic":
        return '<p class="fop-note"><b>Synthetic data:</b> the figures in this section are illustrative.</p>'
    if kind == "real":
        sources = "; ".join(
            f"{s.get('publisher', '')} {s.get('name', '')}" + (f" (released {s['released']})" if s.get("released") else "")
            for s in section.get("sources", [])
        )
        return f'<p class="fop-real"><b>Real published statistics.</b> Sources: {html.escape(sources)}.</p>'
    return '<p class="fop-note">Built from the extracts supplied (not synthetic).</p>'


def display_sections(processed_dir: Path, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> int:
    """Display every saved strand section in report order; returns how many were shown.

    Each section's body comes first; items the strand marked ``appendix`` follow under a
    "Technical detail" heading, for evaluators.
    """
    from IPython.display import HTML, display

    sections = load_sections(processed_dir)
    for number, section in enumerate(sections, start=1):
        display(HTML(heading_html(number, section["title"])))
        display(HTML(data_kind_html(section)))
        body = [i for i in section["items"] if not i.get("appendix")]
        appendix = [i for i in section["items"] if i.get("appendix")]
        for item in body:
            _display_item(section, item, threshold)
        if appendix:
            display(HTML(f'<h3 id="section-{number}-appendix">Technical detail: {html.escape(section["title"])}</h3>'))
            for item in appendix:
                _display_item(section, item, threshold)
    return len(sections)


def display_summary(processed_dir: Path) -> None:
    """The executive summary: each strand's key findings, as the strands handed them over."""
    from IPython.display import HTML, display

    rows = []
    for section in load_sections(processed_dir):
        kind = section.get("data_kind") or ("synthetic" if section.get("synthetic") else "extract")
        for finding in section.get("key_findings", []):
            rows.append(
                f"<li><b>{html.escape(section['title'])}</b> ({'real published statistics' if kind == 'real' else kind + ' data'}; "
                f"strength of evidence: {html.escape(finding['strength'])}). {html.escape(finding['text'])}</li>"
            )
    if rows:
        display(HTML('<h2 id="summary">Summary</h2><ul class="fop-summary">' + "".join(rows) + "</ul>"))


def data_quality_tables(processed_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reconciliation per file, issues counted by file/column/reason/action)."""
    rec = synthetic_inputs(processed_dir)
    rec = rec.drop(columns=["sha256", "strand"], errors="ignore")
    issue_files = sorted(data_quality_dir(processed_dir).glob("issues_*.csv"))
    issues = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in issue_files], ignore_index=True) if issue_files else pd.DataFrame(columns=["file", "row", "column", "value", "reason", "action"])
    # Reasons are summarised without the values themselves: a value may be an answer or a date.
    reason = issues["reason"].str.replace(r"duplicate of row \d+", "duplicate of an earlier row", regex=True)
    summary = (issues.assign(reason=reason).groupby(["file", "column", "reason", "action"]).size()
               .reset_index(name="records") if len(issues) else pd.DataFrame(columns=["file", "column", "reason", "action", "records"]))
    return rec, summary


def display_data_quality(processed_dir: Path, number: int) -> dict:
    """Display the data-quality section; returns totals (read, accepted, rejected) for the prose."""
    from IPython.display import HTML, Markdown, display

    rec, summary = data_quality_tables(processed_dir)
    totals = {k: int(pd.to_numeric(rec[k]).sum()) for k in ("rows_read", "rows_accepted", "rows_rejected", "values_set_to_missing")} if len(rec) else {}
    display(HTML(heading_html(number, "Data quality")))
    if not len(rec):
        display(Markdown("No raw file was ingested for this report."))
        return totals
    adds_up = totals["rows_read"] == totals["rows_accepted"] + totals["rows_rejected"]
    display(Markdown(
        f"Every raw file was checked against its documented format (see the data dictionary). "
        f"Across {len(rec)} files, {totals['rows_read']:,} rows were read: {totals['rows_accepted']:,} accepted and "
        f"{totals['rows_rejected']:,} rejected ({'these add up' if adds_up else 'THESE DO NOT ADD UP'}). "
        f"A further {totals['values_set_to_missing']:,} individual answers were outside their scale and were treated as "
        "missing rather than losing the whole form. Nothing was dropped silently: each rejected row is kept, "
        "with its reasons, in the rejected-rows files beside the processed data."
    ))
    cols = ["file", "rows_read", "rows_accepted", "rows_rejected", "values_set_to_missing", "synthetic"]
    display(HTML(table_html(rec[cols], "Reconciliation: rows read = rows accepted + rows rejected, per file", suppress=False,
                            note="These count data records, not people, so they are not suppressed.")))
    if len(summary):
        display(HTML(table_html(summary, "Problems found, by file, column and reason", suppress=False,
                                note="Records, not people. Values are not shown.")))
    else:
        display(Markdown("No problem was found in any row."))
    return totals


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

_EXTERNAL = re.compile(r"<script[^>]*\bsrc\s*=|<link[^>]*\bhref\s*=\s*[\"']?https?:|<img[^>]*\bsrc\s*=\s*(?![\"']?data:)", re.I)


def check_self_contained(text: str) -> None:
    """Raise if the HTML loads anything from elsewhere or has an image without alt text."""
    found = _EXTERNAL.search(text)
    if found:
        raise ValueError(f"report HTML is not self-contained: {found.group(0)!r}")
    for img in re.findall(r"<img\b[^>]*>", text, flags=re.I):
        if not re.search(r'\balt\s*=\s*"[^"]{10,}"', img):
            raise ValueError(f"report image without alt text: {img[:80]}...")


def export_html(executed_notebook: Path, html_path: Path, title: str | None = None) -> Path:
    """Export an executed report notebook to self-contained HTML without any code.

    Input cells and prompts are excluded; stderr output (warnings) is dropped (it stays in the
    executed notebook, the audit trail); matplotlib output left in a cell is re-embedded with alt
    text taken from the figure's label, or the export fails, because every chart needs one.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed_notebook), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    title = title or nb.metadata.get("title") or "Focus on Practice: evaluation report"
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    # nbconvert renders bare image outputs as <img src="data:..."> without alt text; the report only
    # embeds figures through figure_html, so any such image is an error caught here.
    check_self_contained(body)
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def display_header(processed_dir: Path, borough: str) -> None:
    """Title, scope, date, the synthetic/real banner and the contents."""
    from datetime import date

    from IPython.display import HTML, Markdown, display

    from .config import borough_label

    display(Markdown(f"# Focus on Practice: evaluation report\n\n"
                     f"**Scope:** {borough_label(borough)}. **Built:** {date.today():%d %B %Y}."))
    display(HTML(banner_html(processed_dir)))
    display(HTML(contents_html(processed_dir)))


def display_build_info() -> None:
    """Which code and packages built the report (the full record is the run manifest)."""
    from IPython.display import Markdown, display

    from .provenance import code_version, package_versions

    version = code_version()
    packages = package_versions()
    pinned = ", ".join(f"{k} {v}" for k, v in packages.items() if k in ("python", "pandas", "networkx", "statsmodels", "papermill"))
    commit = version["commit"][:12] + (" with uncommitted changes" if version["uncommitted_changes"] else "")
    display(Markdown(f"Built by the project's pipeline from code version `{commit}` ({pinned}). "
                     "The executed notebooks and a run manifest with the parameters, input hashes and all "
                     "package versions are kept with the build."))
