"""Assembling the evaluation report and exporting it as self-contained HTML.

The report notebook (``notebooks/90_report.ipynb``) calls these functions. They read what the strand
notebooks saved (``report_section``) and the ingest records (``data_quality/``), apply disclosure
control to every table, and display the result; nothing is recomputed here. :func:`export_html`
turns the executed report notebook into the HTML commissioners read: no code, images embedded as
data URIs, no script, nothing that loads from elsewhere, alt text on every image.

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

Reproducibility: the same inputs and code give the same bytes: no build time unless
``SOURCE_DATE_EPOCH`` is set, stable element ids, deterministic SVG figures (``report_section``).
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from .config import ALL_BOROUGHS, BOROUGHS, DEFAULT_SUPPRESSION_THRESHOLD
from .disclosure import SUPPRESSED, count_like_columns, cross_scope_suppressed, suppress_table
from .ingest import LINK_COLUMNS, RECONCILIATION_COLUMNS, data_quality_dir, nothing_dropped_silently
from .report_section import (
    EVIDENCE_STRENGTHS,
    STRENGTH_INTRO,
    STRENGTH_RULES,
    column_label,
    format_number,
    load_sections,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "fop_report"
REPORT_TITLE = "Focus on Practice: evaluation report"
#: The report scopes whose tables are checked against each other (helpers.disclosure).
SCOPES = (*BOROUGHS, ALL_BOROUGHS)


# --------------------------------------------------------------------------------------------
# Text from sections: Markdown with nothing that can become markup
# --------------------------------------------------------------------------------------------

_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)", re.I)


def _markdown():
    import mistune

    class SafeRenderer(mistune.HTMLRenderer):
        """Raw HTML escaped; no images; links only to web pages, mail or places in the report."""

        def __init__(self):
            super().__init__(escape=True)

        def image(self, text, url, title=None):
            return text  # figures come only through Section.figure (embedded, with alt text)

        def link(self, text, url, title=None):
            if not _SAFE_LINK.match(url.strip()):
                return text
            return super().link(text, url, title)

        def heading(self, text, level, **attrs):
            # Sections sit under the report's h2 headings: a strand's own headings start at h3.
            return super().heading(text, min(level + 2, 6))

    return mistune.create_markdown(renderer=SafeRenderer(), plugins=["table", "strikethrough"])


_MD = None


def render_markdown(text: str) -> str:
    """Markdown from a section as safe HTML (raw HTML escaped, no images, safe links only)."""
    global _MD
    if _MD is None:
        _MD = _markdown()
    return _MD(str(text))


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"


# --------------------------------------------------------------------------------------------
# Glossary: each term linked on its first use in each part of the report
# --------------------------------------------------------------------------------------------

_APOS = r"(?:'|’|&#x27;|&#39;)"

#: (anchor, term, pattern, plain definition). Patterns are case-insensitive regular expressions.
GLOSSARY = [
    (
        "bootstrap",
        "Bootstrap",
        r"bootstrap\w*",
        "A way to find how uncertain an estimate is by recomputing it many times on samples drawn, with "
        "replacement, from the data themselves (resampling families or practitioners, as they were sampled).",
    ),
    (
        "confidence-interval",
        "Confidence interval (CI)",
        r"confidence intervals?|\b95% CIs?\b|\bCIs?\b",
        "The range of values the data are compatible with. A 95% interval is built so that, over many "
        "repeats of the study, 95 in 100 such intervals would contain the true value. A wide interval means "
        "we know little.",
    ),
    (
        "cronbachs-alpha",
        "Cronbach's alpha",
        rf"Cronbach{_APOS}s alpha",
        "How consistently the questions of one questionnaire measure the same thing, from 0 to 1; 0.7 or "
        "more is usually taken as acceptable.",
    ),
    (
        "difference-in-differences",
        "Difference in differences",
        r"difference[- ]in[- ]differences?",
        "Compares the change over time in a group that received the programme with the change in a group "
        "that did not, so that changes affecting everyone are taken out.",
    ),
    (
        "effect-size",
        "Effect size (d_z)",
        r"\bd_z\b|\bd z\b|Cohen" + _APOS + r"s d\b|effect sizes?",
        "The size of a change in standard-deviation units, so changes on different scales can be compared. "
        "d_z divides the mean change by the standard deviation of the changes; about 0.2 is small, 0.5 "
        "medium, 0.8 large.",
    ),
    (
        "event-study",
        "Event study",
        r"event[- ]stud(?:y|ies)",
        "A difference in differences shown year by year around the start of the programme, so that one can "
        "see whether the groups were already diverging before it began.",
    ),
    (
        "interrupted-time-series",
        "Interrupted time series",
        r"interrupted time[- ]series",
        "Fits the trend before the programme started and checks whether the level or the trend changed afterwards.",
    ),
    (
        "kappa",
        "Kappa (Cohen's, weighted)",
        r"(?:quadratic(?:ally)?[- ]weighted |weighted |Cohen" + _APOS + r"s )?kappa",
        "Agreement between two coders beyond what chance would give, from below 0 to 1 (perfect). The "
        "weighted kappa counts a near miss on an ordered scale as partial agreement.",
    ),
    (
        "krippendorffs-alpha",
        "Krippendorff's alpha",
        rf"Krippendorff{_APOS}s alpha",
        "Agreement between coders beyond chance that works with any number of coders and with missing "
        "codes; 0.8 or more is good, 0.67 to 0.8 allows tentative conclusions.",
    ),
    (
        "mixed-model",
        "Mixed model",
        r"(?:linear |logistic )?mixed(?:[- ]effects?)? models?|random intercepts?",
        "A regression that allows for people being grouped (answers within practitioners, family members "
        "within families), so that people in the same group are not counted as independent.",
    ),
    (
        "p-value",
        "p-value",
        r"\bp-values?\b",
        "How often a result at least this far from 'no difference' would occur by chance if there were "
        "really no difference. It is not the probability that the finding is true.",
    ),
    (
        "placebo-test",
        "Placebo test",
        r"placebo (?:tests?|checks?|dates?)",
        "The same analysis run where no effect can exist (a false start date, or an area without the "
        "programme). Finding an 'effect' there warns that the method picks up something else.",
    ),
    (
        "reliable-change",
        "Reliable change",
        r"reliable change(?: index)?|\bRCI\b|Jacobson",
        "A change in one person's score larger than the questionnaire's measurement error could produce "
        "(Jacobson and Truax's reliable change index).",
    ),
    (
        "statistical-neighbours",
        "Statistical neighbours",
        r"statistical neighbours?",
        "The local authorities the DfE lists as most similar to a given authority in their population and "
        "need, used as a comparison group.",
    ),
    (
        "suppression",
        'Suppression ("c")',
        r"suppress(?:ed|ion)",
        'Counts from 1 to the threshold, and figures worked out from them, are replaced by "c" so that no '
        "small group of children, families or staff can be picked out.",
    ),
    (
        "synthetic-control",
        "Synthetic control",
        r"synthetic controls?",
        "A weighted mix of comparison areas built to follow the programme area's path before the programme; "
        "the gap afterwards estimates the programme's effect.",
    ),
    (
        "synthetic-data",
        "Synthetic data",
        r"synthetic data",
        "Data made up by the project's generator in the shape of the real extracts, used to build and test "
        "the analysis. Numbers from synthetic data are illustrations, not findings.",
    ),
    (
        "welch",
        "Welch interval",
        r"Welch\w*",
        "A confidence interval for a difference between two group means that does not assume the groups vary equally.",
    ),
]
_GLOSSARY_RE = [(anchor, re.compile(pattern, re.I)) for anchor, _, pattern, _ in GLOSSARY]
_NO_LINK_TAGS = {"a", "h1", "h2", "h3", "h4", "h5", "h6", "th", "dt", "style", "script", "title"}


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


# --------------------------------------------------------------------------------------------
# Tables and figures
# --------------------------------------------------------------------------------------------


def _is_bool_like(series: pd.Series) -> bool:
    values = series.dropna()
    if pd.api.types.is_bool_dtype(series):
        return True
    return len(values) > 0 and values.map(lambda v: isinstance(v, bool) or str(v) in ("True", "False")).all()


def _format_number(v, decimals: int) -> str:
    """A table cell or key figure with ``decimals`` places, by the one formatter
    (:func:`helpers.report_section.format_number`: no "-0.00", a value that rounds to zero is zero)."""
    return format_number(v, f"{{:,.{decimals}f}}")


def table_html(
    table: pd.DataFrame,
    caption: str = "",
    count_columns=(),
    dependent_columns: dict | None = None,
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD,
    decimals: int = 2,
    note: str | None = None,
    suppress: bool = True,
    totals: dict | None = None,
    row_margins: list | None = None,
    extra_suppressed=(),
    labels: dict | None = None,
    table_id: str = "table",
) -> str:
    """A table as HTML, after disclosure control (declared count columns and any named like one).

    Headers are human (``labels``, then the project's :data:`~helpers.report_section.COLUMN_LABELS`,
    then humanised names); the caption is a real ``<caption>``; numbers are right-aligned with the
    same decimals down a column; booleans read Yes/No; the "c" note appears only when a "c" does.
    The table sits in a focusable scroll container, so a wide table scrolls inside it on a phone.
    ``suppress=False`` is for tables that count records, not people; the note must then say so.
    """
    if suppress:
        counts = list(dict.fromkeys([*count_columns, *count_like_columns(table)]))
        shown = suppress_table(
            table,
            counts,
            dependent_columns or {},
            threshold=threshold,
            totals=totals,
            row_margins=row_margins,
            extra=extra_suppressed,
        )
    else:
        counts = []
        shown = table.astype(object)

    kinds = {}
    for c in table.columns:
        col = table[c]
        if _is_bool_like(col):
            kinds[c] = "bool"
        elif pd.api.types.is_numeric_dtype(col):
            values = col.dropna()
            integral = pd.api.types.is_integer_dtype(col) or (
                c in counts and len(values) and (values == values.round()).all()
            )
            kinds[c] = "int" if integral else "float"
        else:
            kinds[c] = "text"

    def fmt(v, kind):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return "–"
        if isinstance(v, str) and v == SUPPRESSED:
            return v
        if kind == "bool":
            return {"True": "Yes", "False": "No"}.get(str(v), str(v))
        if kind == "int" and isinstance(v, (int, float)) and not isinstance(v, bool):
            return _format_number(float(v), 0)
        if kind == "float" and isinstance(v, (int, float)) and not isinstance(v, bool):
            return _format_number(float(v), decimals)
        return str(v)

    align = {c: "num" if kinds[c] in ("int", "float") else "txt" for c in table.columns}
    cells = [
        [fmt(v, kinds[c]) for v, c in zip(row, table.columns, strict=True)] for row in shown.itertuples(index=False)
    ]
    has_c = any(v == SUPPRESSED for row in cells for v in row)
    head = "".join(f'<th scope="col" class="{align[c]}">{esc(column_label(c, labels))}</th>' for c in table.columns)
    rows = "".join(
        "<tr>"
        + "".join(f'<td class="{align[c]}">{esc(v)}</td>' for v, c in zip(row, table.columns, strict=True))
        + "</tr>"
        for row in cells
    )
    cap_id = f"{table_id}-caption"
    cap = f'<caption id="{cap_id}">{esc(caption)}</caption>' if caption else ""
    label_attr = f'aria-labelledby="{cap_id}"' if caption else 'aria-label="Table"'
    parts = [
        f'<div class="fop-table-wrap" role="region" {label_attr} tabindex="0">'
        f'<table class="fop-table" id="{table_id}">{cap}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'
    ]
    if len(table.columns) > 3:
        parts.append('<p class="fop-scroll-hint">Wide table: scroll sideways inside it to see every column.</p>')
    notes = []
    if has_c:
        notes.append(
            f'"c": a count from 1 to {threshold} (or a figure derived from one), suppressed to protect privacy.'
        )
    if note:
        notes.append(note)
    if notes:
        parts.append(f'<p class="fop-note">{esc(" ".join(notes))}</p>')
    return "\n".join(parts)


_IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def figure_html(image: Path, alt: str, caption: str = "", figure_id: str = "") -> str:
    """An embedded image (SVG or PNG, as a data URI) with alt text and a caption."""
    image = Path(image)
    mime = _IMAGE_TYPES.get(image.suffix.lower())
    if mime is None:
        raise ValueError(f"{image}: figures must be SVG or PNG")
    if not alt or len(str(alt).strip()) < 10:
        raise ValueError(f"{image}: figure without alt text")
    data = base64.b64encode(image.read_bytes()).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    ident = f' id="{figure_id}"' if figure_id else ""
    return (
        f'<figure class="fop-figure"{ident}><img src="data:{mime};base64,{data}" '
        f'alt="{esc(str(alt).strip())}"/>{cap}</figure>'
    )


# --------------------------------------------------------------------------------------------
# Parts of the report
# --------------------------------------------------------------------------------------------


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
    from . import provenance

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
    from .config import borough_label
    from .provenance import code_version

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
    from .provenance import run_info

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


# ---- summary -----------------------------------------------------------------------------------


def _sources_text(section: dict) -> str:
    return "; ".join(
        f"{s.get('publisher', '')} {s.get('name', '')}".strip()
        + (f" (released {s['released']})" if s.get("released") else "")
        for s in section.get("sources", [])
    )


def data_kind_text(section: dict) -> str:
    kind = _data_kind(section)
    if kind == "synthetic":
        return "Synthetic data: figures are illustrative"
    if kind == "real":
        return f"Real published statistics ({_sources_text(section)})"
    return "Real extracts supplied by the boroughs"


def _finding_number(finding: dict) -> str:
    est = finding.get("estimate")
    if est is None:
        return ""
    spread = max([abs(float(est)), *(abs(float(x)) for x in finding.get("ci") or [])])
    digits = 0 if float(est).is_integer() and not finding.get("ci") else (1 if spread >= 10 else 2)
    text = _format_number(est, digits)
    if finding.get("ci"):
        lo, hi = finding["ci"]
        text += f" ({finding.get('interval') or '95% CI'} {_format_number(lo, digits)} to {_format_number(hi, digits)})"
    label = finding.get("label") or "Key figure"
    return f'<span class="fop-keyfig">{esc(label)}: {esc(text)}.</span> '


def conclusions_text(sections: list[dict]) -> str:
    """One paragraph on what the evaluation can and cannot conclude, from which sections are real
    or synthetic and the strengths their findings claim (no sentence is fixed in advance)."""
    if not sections:
        return "No section was built, so nothing can be concluded."
    synthetic = [s for s in sections if _data_kind(s) == "synthetic"]
    real = [s for s in sections if _data_kind(s) != "synthetic"]
    findings = [(s, f) for s in real for f in s.get("key_findings", [])]
    rank = {k: i for i, k in enumerate(EVIDENCE_STRENGTHS)}
    sentences = []
    if synthetic and not real:
        sentences.append(
            f"All {len(sections)} sections of this build are made from synthetic data, so it concludes "
            "nothing about Focus on Practice: it shows what the analysis would report, and how sure it "
            "could be, once the real extracts are put through it."
        )
    elif synthetic:
        sentences.append(
            f"{len(synthetic)} of {len(sections)} sections use synthetic data and conclude nothing "
            f"about the programme ({', '.join(s['title'] for s in synthetic)})."
        )
    if real:
        if findings:
            best = min(findings, key=lambda sf: rank[sf[1]["strength"]])[1]["strength"]
            weak = sum(1 for _, f in findings if f["strength"] in ("weak", "not possible to tell"))
            sentences.append(
                f"From the {len(real)} section{'s' if len(real) != 1 else ''} built on real data, the "
                f"strongest evidence any finding reaches is {best}; {weak} of {len(findings)} findings are "
                "weak or cannot tell, and should not be read as effects of the programme."
            )
        else:
            sentences.append(
                f"The {len(real)} section{'s' if len(real) != 1 else ''} built on real data handed over no "
                "key finding, so the summary can state no result from them."
            )
    designs = [f for s in sections for f in s.get("key_findings", []) if f["strength"] == "strong"]
    if not designs:
        sentences.append(
            "No finding reaches strong evidence: no strand could compare trained and untrained staff "
            "allocated at random, so a change that came with the programme cannot be shown to come from it."
        )
    sentences.append(
        "Every outcome should be read against the programme as implemented: a change before most staff "
        "were trained cannot be the training's."
    )
    return " ".join(sentences)


def summary_html(processed_dir: Path) -> str:
    """The executive summary, from each section's key findings (data handed over by the strands)."""
    sections = load_sections(processed_dir)
    parts = [part_heading_html("summary")]
    blocks = []
    for number, section in enumerate(sections, start=1):
        findings = section.get("key_findings", [])
        title = f'<a href="#section-{number}">{number}. {esc(section["title"])}</a>'
        # On synthetic data the strength is what the design would give real data, and says so.
        strength_label = (
            "Strength of evidence this design would give on real data: "
            if _data_kind(section) == "synthetic"
            else "Strength of evidence: "
        )
        if findings:
            items = "".join(
                f"<li>{esc(f['text'])} {_finding_number(f)}"
                f'<span class="fop-strength fop-strength-{_slug(f["strength"])}">{strength_label}'
                f'<a href="#strength-rules">{esc(f["strength"])}</a>.</span></li>'
                for f in findings
            )
        else:
            items = (
                "<li>This section handed over no key finding for the summary; strength of evidence: "
                '<a href="#strength-rules">not possible to tell</a>.</li>'
            )
        blocks.append(
            f'<h3 class="fop-summary-title">{title}</h3>'
            f'<p class="fop-kind">{esc(data_kind_text(section))}.</p><ul class="fop-summary">{items}</ul>'
        )
    if not blocks:
        blocks.append("<p>No section was built for this scope.</p>")
    parts.extend(blocks)
    parts.append('<h3 id="can-conclude">What this evaluation can and cannot conclude</h3>')
    parts.append(f"<p>{esc(conclusions_text(sections))}</p>")
    parts.append('<h3 id="real-or-synthetic">Real or synthetic, section by section</h3>')
    kinds = "".join(
        f'<li><a href="#section-{i}">{i}. {esc(s["title"])}</a>: {esc(data_kind_text(s))}.</li>'
        for i, s in enumerate(sections, start=1)
    )
    parts.append(f'<ul class="fop-kinds">{kinds}</ul>')
    return link_glossary("".join(parts))


def display_summary(processed_dir: Path, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> None:
    """Display the executive summary (see :func:`summary_html`)."""
    from IPython.display import HTML, display

    display(HTML(summary_html(processed_dir)))


# ---- sections ----------------------------------------------------------------------------------


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
    rules = "".join(f"<dt>{esc(k.capitalize())}</dt><dd>{esc(v)}</dd>" for k, v in STRENGTH_RULES.items())
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


def display_glossary() -> None:
    from IPython.display import HTML, display

    display(HTML(glossary_html()))


# ---- data quality ------------------------------------------------------------------------------


def data_quality_tables(processed_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reconciliation per file, issues counted by file/column/reason/action)."""
    rec = synthetic_inputs(processed_dir)
    rec = (
        rec.drop(columns=["sha256", "strand"], errors="ignore").drop_duplicates("file")
        if len(rec)
        else rec.drop(columns=["sha256", "strand"], errors="ignore")
    )
    issue_files = sorted(data_quality_dir(processed_dir).glob("issues_*.csv"))
    issues = (
        pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in issue_files], ignore_index=True)
        if issue_files
        else pd.DataFrame(columns=["file", "row", "column", "value", "reason", "action"])
    )
    # Reasons are summarised without the values themselves: a value may be an answer or a date.
    reason = issues["reason"].str.replace(r"duplicate of row \d+", "duplicate of an earlier row", regex=True)
    summary = (
        issues.assign(reason=reason).groupby(["file", "column", "reason", "action"]).size().reset_index(name="records")
        if len(issues)
        else pd.DataFrame(columns=["file", "column", "reason", "action", "records"])
    )
    return rec, summary


def link_records(processed_dir: Path) -> pd.DataFrame:
    """One row per declared link between raw files checked for this scope (``links_*.csv``)."""
    files = sorted(data_quality_dir(processed_dir).glob("links_*.csv"))
    if not files:
        return pd.DataFrame(columns=LINK_COLUMNS)
    links = pd.concat([pd.read_csv(f, keep_default_na=False) for f in files], ignore_index=True)
    return links.drop_duplicates("link", keep="last").reset_index(drop=True)


def links_html(links: pd.DataFrame, number: int) -> str:
    """The table of links between files: rows checked, matched and unmatched, and the match rate."""
    if not len(links):
        return ""
    t = links.copy()
    for c in ("rows_checked", "rows_matched", "rows_unmatched", "values_disagreeing"):
        t[c] = pd.to_numeric(t[c], errors="coerce").fillna(0).astype(int)
    rate = pd.to_numeric(t["match_rate"], errors="coerce")
    t["match_rate"] = [("–" if pd.isna(r) else f"{r:.1%}") for r in rate]
    t["required"] = [f"{float(r):.0%}" if str(r) not in ("", "nan") and float(r) else "–" for r in t["required_share"]]
    t["if unmatched"] = (
        t["on_unmatched"].map({"reject": "row set aside as unmatched", "keep": "row kept, logged"}).fillna("")
    )
    shown = t[
        [
            "link",
            "rows_checked",
            "rows_matched",
            "rows_unmatched",
            "match_rate",
            "required",
            "if unmatched",
            "values_disagreeing",
            "authority",
        ]
    ].rename(columns={"values_disagreeing": "shared values that differed", "authority": "authoritative file"})
    out = table_html(
        shown,
        "Links between files: rows checked = matched + unmatched, per link",
        suppress=False,
        note="These count data records, not people, so they are not suppressed. Each unmatched row "
        "and each differing shared value is listed in the data-quality files.",
        table_id=f"s{number}-links",
    )
    hints = [h for h in t["hint"].astype(str) if h and h != "nan"]
    if hints:
        out += '<p class="fop-note">' + esc(" ".join(hints)) + "</p>"
    return out


def data_quality_html(processed_dir: Path, number: int) -> tuple[str, dict]:
    rec, summary = data_quality_tables(processed_dir)
    totals = (
        {
            k: int(pd.to_numeric(rec[k]).sum())
            for k in ("rows_read", "rows_accepted", "rows_rejected", "values_set_to_missing")
        }
        if len(rec)
        else {}
    )
    parts = [heading_html(number, "Data quality")]
    if not len(rec):
        parts.append("<p>No raw file was ingested for this report.</p>")
        return f'<section aria-labelledby="section-{number}">' + "".join(parts) + "</section>", totals
    links = link_records(processed_dir)
    # The "nothing dropped silently" sentence is computed from the counts (helpers.ingest), never written.
    _, accounted = nothing_dropped_silently(rec, links)
    parts.append(
        "<p>"
        + esc(
            f"Every raw file was checked against its documented format (see the data dictionary). "
            f"Across {len(rec)} files, {totals['rows_read']:,} rows were read. "
            f"A further {totals['values_set_to_missing']:,} individual answers were outside their scale and were treated as "
            f"missing rather than losing the whole form. {accounted}"
        )
        + "</p>"
    )
    unmatched = ["rows_unmatched"] if "rows_unmatched" in rec.columns else []
    cols = [
        c
        for c in [
            "file",
            "rows_read",
            "rows_accepted",
            "rows_rejected",
            *unmatched,
            "values_set_to_missing",
            "synthetic",
        ]
        if c in rec.columns
    ]
    shown = rec[cols].copy()
    if "synthetic" in shown:
        shown["synthetic"] = shown["synthetic"].astype(str).str.lower().isin(["true", "1"])
    for c in cols[1:-1]:
        shown[c] = pd.to_numeric(shown[c], errors="coerce").fillna(0).astype(int)
    parts.append(
        table_html(
            shown,
            "Reconciliation: rows read = rows accepted + rows rejected"
            + (" + rows unmatched" if unmatched else "")
            + ", per file",
            suppress=False,
            note="These count data records, not people, so they are not suppressed.",
            table_id=f"s{number}-reconciliation",
        )
    )
    parts.append(links_html(links, number))
    if len(summary):
        parts.append(
            table_html(
                summary,
                "Problems found, by file, column and reason",
                suppress=False,
                note="Records, not people. Values are not shown.",
                table_id=f"s{number}-problems",
            )
        )
    else:
        parts.append("<p>No problem was found in any row.</p>")
    return f'<section aria-labelledby="section-{number}">' + link_glossary("".join(parts)) + "</section>", totals


def display_data_quality(processed_dir: Path, number: int) -> dict:
    """Display the data-quality section; returns totals (read, accepted, rejected) for the prose."""
    from IPython.display import HTML, display

    text, totals = data_quality_html(processed_dir, number)
    display(HTML(text))
    return totals


def display_build_info() -> None:
    """Which code and packages built the report (the full record is the run manifest)."""
    from IPython.display import HTML, display

    from .provenance import code_version, package_versions

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


# --------------------------------------------------------------------------------------------
# Export and checks
# --------------------------------------------------------------------------------------------

#: Elements that can run, load or submit something: none may appear in the report.
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "base",
    "portal",
    "video",
    "audio",
    "source",
    "track",
    "picture",
    "noscript",
}
_URL_ATTRS = {
    "src",
    "href",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
    "ping",
    "manifest",
    "codebase",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?!data:|#)([^)'\"]*)\1\s*\)|@import", re.I)


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "style":
            self._in_style = True
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            self.problems.append("<meta http-equiv=refresh>")
        for key, value in attrs:
            key = key.lower()
            value = (value or "").strip()
            compact = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if key.startswith("on"):
                self.problems.append(f"<{tag} {key}=...> event handler")
            if compact.startswith(("javascript:", "vbscript:")):
                self.problems.append(f"<{tag} {key}=javascript:...>")
            if key == "style" and _CSS_URL.search(value):
                self.problems.append(f"<{tag} style> loading {_CSS_URL.search(value).group(0)!r}")
            if key in _URL_ATTRS and value:
                if tag == "a" and key == "href" and re.match(r"^(https?://|mailto:|#)", value, re.I):
                    continue  # a link a reader may follow; it loads nothing by itself
                if not compact.startswith("data:"):
                    self.problems.append(f"<{tag} {key}={value[:60]!r}> loads from outside the file")
                elif tag == "img" and not compact.startswith(
                    ("data:image/png", "data:image/svg+xml", "data:image/jpeg")
                ):
                    self.problems.append(f"<img> with an unexpected data type {value[:40]!r}")
        if tag == "img":
            alt = dict(attrs).get("alt") or ""
            if len(alt.strip()) < 10:
                src = (dict(attrs).get("src") or "")[:40]
                self.problems.append(f"image without alt text: <img src={src!r}...>")

    def handle_endtag(self, tag):
        if tag.lower() == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            found = _CSS_URL.search(data)
            if found:
                self.problems.append(f"<style> loading {found.group(0)!r}")


def audit_html(text: str) -> list[str]:
    """Everything in the HTML that could load, run or submit anything, or an image without alt text."""
    audit = _Audit()
    audit.feed(text)
    audit.close()
    return audit.problems


def check_self_contained(text: str) -> None:
    """Raise if the HTML loads anything from elsewhere, can run or submit anything, or has an image
    without alt text."""
    problems = audit_html(text)
    if problems:
        alt = [p for p in problems if "alt text" in p]
        if alt and len(alt) == len(problems):
            raise ValueError(f"report image without alt text: {alt[0]}")
        raise ValueError(f"report HTML is not self-contained: {'; '.join(dict.fromkeys(problems))}")


def export_html(executed_notebook: Path, html_path: Path, title: str | None = None) -> Path:
    """Export an executed report notebook to self-contained HTML without any code.

    Input cells and prompts are excluded; stderr output (warnings) is dropped (it stays in the
    executed notebook, the audit trail); cell ids are renumbered so the same notebook always gives
    the same bytes. The result is audited (:func:`check_self_contained`) before it is written.
    """
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed_notebook), as_version=4)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"  # papermill gives its injected cell a random id
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    title = title or nb.metadata.get("title") or REPORT_TITLE
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    check_self_contained(body)
    html_path = Path(html_path)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = html_path.with_name(html_path.name + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(html_path)
    return html_path


# --------------------------------------------------------------------------------------------
# The browser: PDF (make pdf) and the browser test
# --------------------------------------------------------------------------------------------

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium() -> str | None:
    """The Debian ``chromium`` executable, or None. ``FOP_CHROMIUM`` names another one (only that
    one is tried, so ``FOP_CHROMIUM=none`` shows what happens on a machine without a browser)."""
    override = os.environ.get("FOP_CHROMIUM")
    candidates = [override] if override else list(CHROMIUM_CANDIDATES)
    for path in candidates:
        if path and Path(path).is_file():
            return path
    return None


def print_pdf(html_path: Path, pdf_path: Path, browser=None) -> Path:
    """Print the report to PDF with headless Chromium (the same browser as the browser test),
    with the network off; the print styles keep tables and figures whole on a page. ``browser``:
    an already launched Playwright browser (the tests pass theirs), else Debian's chromium is launched."""
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    url = Path(html_path).resolve().as_uri()

    def _print(b):
        page = b.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
        page.goto(url, wait_until="load")
        page.emulate_media(media="print")
        page.pdf(
            path=str(pdf_path),
            format="A4",
            print_background=True,
            margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
        )
        page.close()

    if browser is not None:
        _print(browser)
        return pdf_path
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium found: install Debian's chromium package (apt-get install -y chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            _print(launched)
        finally:
            launched.close()
    return pdf_path


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.report", description="Report utilities.")
    sub = parser.add_subparsers(dest="command", required=True)
    pdf = sub.add_parser("pdf", help="print an HTML report to PDF with headless Chromium")
    pdf.add_argument("html", nargs="+", help="report HTML file(s); each PDF is written beside it")
    args = parser.parse_args(argv)
    for path in args.html:
        out = print_pdf(Path(path), Path(path).with_suffix(".pdf"))
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
