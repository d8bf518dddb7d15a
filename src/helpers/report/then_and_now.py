"""The 2016 evaluation's conclusions and the bid's target, each beside what the published statistics
show today.

The conclusions are data (``evaluation_2016.yaml``, cited); today's side is the answer (or, failing
that, the text) of the first key finding of a real-data section whose topic the claim lists and which
the answer box does not already say. A claim answered only by the box's sentences points to the box
with its verdict on those topics (each number is said once). A claim no published statistic can test
says why, from the data file; one whose topics no section answered in this build says so.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..report_section import load_sections
from .answer import in_the_box, moved_clause, topic_answers
from .authority import authority
from .kinds import is_real
from .markup import esc

EVALUATION_FILE = Path(__file__).with_name("evaluation_2016.yaml")
_HEADING = (
    '<section aria-labelledby="then-and-now"><h2 id="then-and-now">The 2016 evaluation beside today\'s evidence</h2>'
)


def load_evaluation(path: Path = EVALUATION_FILE) -> dict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for i, claim in enumerate(data["claims"], start=1):
        for key in ("said_by", "claim", "topics"):
            if key not in claim:
                raise ValueError(f"{path}: claim {i} has no {key!r}")
    return data


def evidence_for(topics: list[str], sections: list[dict]) -> tuple[int, dict] | None:
    """(section number, finding): the first real-data key finding on one of ``topics`` (in the order
    the topics are listed) that the answer box does not already say; None when there is none."""
    answers = topic_answers(sections)
    for topic in topics:
        for number, section in enumerate(sections, start=1):
            if not is_real(section):
                continue
            for finding in section.get("key_findings", []):
                if finding.get("topic") == topic and not in_the_box(finding, answers):
                    return number, finding
    return None


def shown_here(processed_dir: Path, sections: list[dict]) -> list[dict]:
    """The findings this section states in full (the summary points here instead of repeating them);
    none in an authority's own report, where the section sets no claim against a finding."""
    if authority(processed_dir) is not None:
        return []
    found = (evidence_for(list(claim["topics"]), sections) for claim in load_evaluation()["claims"])
    return [f for _, f in filter(None, found)]


def _today(claim: dict, sections: list[dict]) -> str:
    """What the published statistics show now on ``claim``: a finding the box does not say; else the
    box's verdict on those topics (pointing to it, its numbers not repeated); else why it cannot be said."""
    found = evidence_for(list(claim["topics"]), sections)
    if found:
        number, finding = found
        sentence = (finding.get("answer") or finding.get("text") or "").strip()
        return f'{esc(sentence)} <a href="#section-{number}">Section {number}</a>.'
    answers = topic_answers(sections)
    boxed = [t for t in claim["topics"] if t in answers]
    if boxed:
        clause = moved_clause(sections, boxed, where="")
        pointer = '<a href="#main-points">Main points</a>'
        return f"{esc(clause[:1].upper() + clause[1:])}: see {pointer}." if clause else f"See {pointer}, above."
    if claim.get("unchecked"):
        return "Cannot be checked from published statistics. " + esc(" ".join(str(claim["unchecked"]).split()))
    return "No section of this build set a published statistic against this."


def then_and_now_html(processed_dir: Path) -> str:
    """The section: for each claim, who made it and what it said, then today's evidence (in an
    authority's own report, one paragraph saying why not)."""
    la = authority(processed_dir)
    if la is not None:
        return (
            f"{_HEADING}<p>The 2016 evaluation, the bid before it and the boroughs' claims after it are about the "
            f"three Focus on Practice boroughs. This report is for {esc(la['name'])}, so they are not set against "
            "its figures; the default build of this report sets them against the boroughs' published statistics.</p>"
            "</section>"
        )
    data = load_evaluation()
    sections = load_sections(processed_dir)
    items = [
        f"<dt>{esc(claim['said_by'])}: {esc(claim['claim'])}</dt>"
        f"<dd><b>Published statistics now:</b> {_today(claim, sections)}</dd>"
        for claim in data["claims"]
    ]
    citation = " ".join(str(data["evaluation"]["citation"]).split())
    return (
        f"{_HEADING}<p>What the evaluation published in 2016, the bid before it and the boroughs after it "
        "said, each set against what the published statistics show now.</p>"
        f'<dl class="fop-then-now">{"".join(items)}</dl>'
        f'<p class="fop-note">The 2016 evaluation: {esc(citation)}</p></section>'
    )


def display_then_and_now(processed_dir: Path) -> None:
    from IPython.display import HTML, display

    display(HTML(then_and_now_html(processed_dir)))
