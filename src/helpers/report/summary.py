"""The executive summary: each section's key findings, what can and cannot be concluded."""

from __future__ import annotations

from pathlib import Path

from .. import evidence
from ..config import DEFAULT_SUPPRESSION_THRESHOLD
from ..report_section import EVIDENCE_STRENGTHS, load_sections
from .glossary import link_glossary
from .header import _data_kind, part_heading_html
from .markup import _slug, esc
from .tables import _format_number


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


def _badge_html(finding: dict) -> str:
    """The finding's label (:func:`helpers.evidence.badge`): a strength only on a real effect; a fact's
    source; on synthetic data, in a different style, what the design would allow."""
    style, text = evidence.badge(finding)
    level = finding.get("strength") or finding.get("design_allows") or finding.get("source") or ""
    head, _, last = text.rpartition(": ")
    return (
        f'<span class="fop-strength fop-badge-{style} fop-strength-{_slug(level)}">'
        + (f"{esc(head)}: " if head else "")
        + f'<a href="#strength-rules">{esc(last)}</a>.</span>'
    )


def conclusions_text(sections: list[dict]) -> str:
    """One paragraph on what the evaluation can and cannot conclude, from which sections are real
    or synthetic and the strengths their findings claim (no sentence is fixed in advance)."""
    if not sections:
        return "No section was built, so nothing can be concluded."
    synthetic = [s for s in sections if _data_kind(s) == "synthetic"]
    real = [s for s in sections if _data_kind(s) != "synthetic"]
    # only real estimates of an effect carry a strength (facts and synthetic findings do not)
    findings = [(s, f) for s in real for f in s.get("key_findings", []) if f.get("strength")]
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
                f"strongest evidence any estimate of an effect reaches is {best}; {weak} of {len(findings)} such "
                "estimates are weak or cannot tell, and should not be read as effects of the programme."
            )
        else:
            sentences.append(
                f"The {len(real)} section{'s' if len(real) != 1 else ''} built on real data handed over no "
                "estimate of an effect, so the summary can state no effect from them."
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
        if findings:
            items = "".join(f"<li>{esc(f['text'])} {_finding_number(f)}{_badge_html(f)}</li>" for f in findings)
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
