"""The 2016 evaluation's conclusions and the bid's target, each beside what the published statistics
show today.

The conclusions are data (``evaluation_2016.yaml``, cited); today's side is the answer (or, failing
that, the text) of the first key finding of a real-data section whose topic the claim lists. A claim
no published statistic can test says why, from the data file; one whose topics no section answered in
this build says so.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..report_section import load_sections
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


def evidence_for(topics: list[str], sections: list[dict]) -> tuple[int, str] | None:
    """(section number, sentence) of the first real-data key finding on one of ``topics`` (in the
    order the topics are listed), its answer sentence when it has one, else its text."""
    for topic in topics:
        for number, section in enumerate(sections, start=1):
            if not is_real(section):
                continue
            for finding in section.get("key_findings", []):
                if finding.get("topic") == topic:
                    return number, (finding.get("answer") or finding.get("text") or "").strip()
    return None


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
    items = []
    for claim in data["claims"]:
        found = evidence_for(list(claim["topics"]), sections)
        if found:
            number, sentence = found
            today = f'{esc(sentence)} <a href="#section-{number}">Section {number}</a>.'
        elif claim.get("unchecked"):
            today = "Cannot be checked from published statistics. " + esc(" ".join(str(claim["unchecked"]).split()))
        else:
            today = "No section of this build set a published statistic against this."
        items.append(
            f"<dt>{esc(claim['said_by'])}: {esc(claim['claim'])}</dt><dd><b>Published statistics now:</b> {today}</dd>"
        )
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
