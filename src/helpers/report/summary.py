"""The executive summary: each section's key findings, what can and cannot be concluded."""

from __future__ import annotations

from pathlib import Path

from .. import evidence
from ..config import DEFAULT_SUPPRESSION_THRESHOLD
from ..report_section import EVIDENCE_STRENGTHS, join_words, load_sections
from . import authority
from .answer import ANSWER_TOPICS, TOPIC_WORDS, in_the_box, topic_answers
from .glossary import link_glossary
from .header import part_heading_html
from .kinds import data_kind as _data_kind
from .kinds import is_real
from .markup import _slug, esc
from .then_and_now import shown_here


def _made_up_sentences(sections: list[dict]) -> list[str]:
    """What the sections not built on real data conclude: those on the generator's synthetic data
    counted ("1 of 7 sections uses ..."), those on test extracts named by number (an authority's own
    report: "Section 2 uses test extracts ...")."""
    generated = [s for s in sections if _data_kind(s) == "synthetic" and not s.get("notice")]
    test = [n for n, s in enumerate(sections, start=1) if _data_kind(s) == "synthetic" and s.get("notice")]
    out = []
    if generated:
        one = len(generated) == 1
        out.append(
            f"{len(generated)} of {len(sections)} sections {'uses' if one else 'use'} synthetic data and "
            f"{'concludes' if one else 'conclude'} nothing about the programme."
        )
    if test:
        one = len(test) == 1
        out.append(
            f"{'Section' if one else 'Sections'} {join_words(str(n) for n in test)} {'uses' if one else 'use'} "
            f"test extracts (named at the top of this report): {'its' if one else 'their'} figures show what the "
            "analysis would report and conclude nothing."
        )
    return out


def conclusions_text(sections: list[dict], outside: str | None = None) -> str:
    """One paragraph on what the evaluation can and cannot conclude, from which sections are real
    or synthetic and the strengths their findings claim (no sentence is fixed in advance). ``outside``:
    the name of an authority that did not run the programme, whose own report this is (its changes
    can be no one's training, and nothing it did was allocated at random)."""
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
            f"{'All ' + str(len(sections)) + ' sections of this build are' if len(sections) > 1 else 'The one section of this build is'} "
            "made from synthetic data, so it concludes nothing about Focus on Practice: it shows what the analysis would report, and how sure it "
            "could be, once the real extracts are put through it."
        )
    elif synthetic:
        sentences += _made_up_sentences(sections)
    effect_of = f"the effect of anything done in {outside}" if outside else "effects of the programme"
    if real:
        if findings:
            best = min(findings, key=lambda sf: rank[sf[1]["strength"]])[1]["strength"]
            weak = sum(1 for _, f in findings if f["strength"] in ("weak", "not possible to tell"))
            sentences.append(
                f"From the {len(real)} section{'s' if len(real) != 1 else ''} built on real data, the "
                f"strongest evidence any estimate of an effect reaches is {best}; {weak} of {len(findings)} such "
                f"estimates are weak or cannot tell, and should not be read as {effect_of}."
            )
        else:
            sentences.append(
                f"The {len(real)} section{'s' if len(real) != 1 else ''} built on real data handed over no "
                "estimate of an effect, so the summary can state no effect from them."
            )
    designs = [f for s in sections for f in s.get("key_findings", []) if f["strength"] == "strong"]
    if not designs and outside:
        sentences.append(
            "No finding reaches strong evidence: a comparison with other authorities' published figures cannot "
            "show what caused a difference."
        )
    elif not designs:
        sentences.append(
            "No finding reaches strong evidence: no strand could compare trained and untrained staff "
            "allocated at random, so a change that came with the programme cannot be shown to come from it."
        )
    if not outside:  # an authority that did not run the programme had no staff trained in it
        sentences.append(
            "Every outcome should be read against the programme as implemented: a change before most staff "
            "were trained cannot be the training's."
        )
    return " ".join(sentences)


def _badge_html(finding: dict) -> str:
    """The finding's label (:func:`helpers.evidence.badge`): a strength only on a real effect; a fact's
    source; on synthetic data, in a visibly different style, what the design would allow."""
    style, text = evidence.badge(finding)
    if not text:
        return ""
    level = finding.get("strength") or finding.get("design_allows") or finding.get("source") or ""
    head, _, last = text.rpartition(": ")
    return (
        f'<span class="fop-strength fop-badge-{style} fop-strength-{_slug(level)}">'
        + (f"{esc(head)}: " if head else "")
        + f'<a href="#strength-rules">{esc(last)}</a>.</span>'
    )


def _key(finding: dict) -> tuple:
    return finding.get("topic"), finding.get("text")


#: Where a finding said in full elsewhere is: (anchor, name of the part).
SAID_IN = {
    "box": ("main-points", "Main points"),
    "2016": ("then-and-now", "The 2016 evaluation beside today's evidence"),
}


def _said_in(finding: dict, answers: dict, elsewhere: set) -> str | None:
    """ "box" when the answer box says the finding, "2016" when the 2016 section does, else None."""
    if in_the_box(finding, answers):
        return "box"
    return "2016" if _key(finding) in elsewhere else None


def _pointer_items(findings: list[dict], answers: dict, elsewhere: set) -> list[str]:
    """Findings said in full elsewhere, one line per place and badge: their topics, a link there and
    the badge they share ("Children in care and costs: in Main points. Strength of evidence: ...")."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for f in findings:
        where = _said_in(f, answers, elsewhere)
        if where:
            groups.setdefault((where, evidence.badge(f)[1]), []).append(f)
    items = []
    for (where, _), group in groups.items():
        anchor, name = SAID_IN[where]
        topics = list(dict.fromkeys(TOPIC_WORDS.get(f.get("topic"), "") for f in group))
        what = join_words([topics[0]] + [t.lower() if t in ANSWER_TOPICS.values() else t for t in topics[1:]])
        items.append(f'<li>{esc(what)}: in <a href="#{anchor}">{esc(name)}</a>. {_badge_html(group[0])}</li>')
    return items


def _section_block(number: int, section: dict, answers: dict, elsewhere: set) -> str:
    """A section's findings in the summary, each with its badge: every finding of a real-data section
    (one the answer box or the 2016 section says in full is pointed to, not said again); the first of
    a synthetic one (what the analysis would show; the section itself says the rest)."""
    findings = section.get("key_findings", [])
    if not is_real(section):
        findings = findings[:1]
    title = f'<a href="#section-{number}">{number}. {esc(section["title"])}</a>'
    full = [f"<li>{esc(f['text'])} {_badge_html(f)}</li>" for f in findings if not _said_in(f, answers, elsewhere)]
    items = "".join(_pointer_items(findings, answers, elsewhere) + full)
    if not findings:
        items = "<li>This section handed over no key finding for the summary.</li>"
    return f'<h4 class="fop-summary-title">{title}</h4><ul class="fop-summary">{items}</ul>'


#: The summary's groups of sections in reading order: (anchor, heading, what the group's numbers are, which
#: sections belong). Test extracts are the sections with a notice (said at the top of the report).
SUMMARY_GROUPS = (
    ("summary-real", "From real data", "", is_real),
    (
        "summary-synthetic",
        "From synthetic data: what the analysis would show",
        "These sections run on data made up by the project's generator in the shape of the boroughs' extracts. "
        "Their numbers show what the analysis produces; none is a finding about Focus on Practice.",
        lambda s: not is_real(s) and not s.get("notice"),
    ),
    (
        "summary-test",
        "From test extracts: what the analysis would show",
        "These sections run on the test extracts named at the top of this report, not the authority's own data. "
        "Their numbers show what the analysis produces; none is a finding.",
        lambda s: not is_real(s) and bool(s.get("notice")),
    ),
)


def summary_html(processed_dir: Path) -> str:
    """The summary: each section's key findings, real-data sections first, each kind said once."""
    sections = load_sections(processed_dir)
    numbered = list(enumerate(sections, start=1))
    answers = topic_answers(sections)
    elsewhere = {_key(f) for f in shown_here(processed_dir, sections)}
    parts = [part_heading_html("summary")]
    for anchor, heading, intro, belongs in SUMMARY_GROUPS:
        members = [(n, s) for n, s in numbered if belongs(s)]
        if members:
            parts.append(f'<h3 id="{anchor}">{heading}</h3>' + (f"<p>{intro}</p>" if intro else ""))
            parts += [_section_block(n, s, answers, elsewhere) for n, s in members]
    if not sections:
        parts.append("<p>No section was built for this scope.</p>")
    parts.append('<h3 id="can-conclude">What this evaluation can and cannot conclude</h3>')
    outside = authority.outside_programme(processed_dir)
    parts.append(f"<p>{esc(conclusions_text(sections, outside))}</p>")
    return link_glossary("".join(parts))


def display_summary(processed_dir: Path, threshold: int = DEFAULT_SUPPRESSION_THRESHOLD) -> None:
    """Display the summary (see :func:`summary_html`)."""
    from IPython.display import HTML, display

    display(HTML(summary_html(processed_dir)))
