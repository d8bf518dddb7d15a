"""The answer box: what the real published statistics show, before anything else in the report.

Written only from the key findings the real-data sections hand over (``topic`` and ``answer``, see
:meth:`helpers.report_section.Section.key_finding`): one plain sentence per topic, in a fixed order,
each already carrying its comparison and how sure it is, under ONE lead sentence that gives the
verdict: the title of the section that answered the first topic (titles state findings) and how many
of the outcome measures moved unusually against their comparison after the programme began, counted
with the same wording rule as the sentences (:func:`helpers.evidence.p_words`). A topic no section
answered is named as such; a last sentence says which sections run on synthetic data and what they
are for. Nothing in the box is typed here except the words that join those pieces.

A finding whose answer is in the box is said there only: the summary and the 2016 section point to
the box instead of repeating its numbers (:func:`in_the_box`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from .. import config, evidence
from ..formatting import plural
from ..report_section import join_words, load_sections
from .authority import authority
from .kinds import is_real
from .markup import esc

#: The topics of the answer box, in reading order, with the words the box uses for each.
ANSWER_TOPICS = {
    "children_in_care": "Children in care",
    "flow_into_care": "Flow into care",
    "child_protection": "Child protection",
    "re_referrals": "Re-referrals",
    "costs": "Costs",
    "workforce": "Workforce",
}
#: Every topic's words, those of the 2016 section too (the summary names a finding said elsewhere by them).
TOPIC_WORDS = {**ANSWER_TOPICS, "bid_target": "The bid's aim", "claims": "The boroughs' later claims"}
#: The topics whose findings measure children's services (the lead sentence counts how they moved).
OUTCOME_TOPICS = ("children_in_care", "flow_into_care", "child_protection", "re_referrals")
#: The box is read on the first screen: at most this many words.
MAX_WORDS = 250


def topic_answers(sections: list[dict]) -> dict[str, tuple[int, str]]:
    """``{topic: (section number, sentence)}``: the first answer each topic gets from a real section."""
    answers: dict[str, tuple[int, str]] = {}
    for number, section in enumerate(sections, start=1):
        if not is_real(section):
            continue  # the box never cites synthetic data (Section.key_finding refuses it as well)
        for finding in section.get("key_findings", []):
            topic, answer = finding.get("topic"), (finding.get("answer") or "").strip()
            if topic in ANSWER_TOPICS and answer and topic not in answers:
                answers[topic] = (number, answer)
    return answers


def in_the_box(finding: dict, answers: dict[str, tuple[int, str]]) -> bool:
    """Whether ``finding``'s answer is the one the box shows for its topic (``answers`` from
    :func:`topic_answers`), so that other parts point to the box instead of saying it again."""
    topic, answer = finding.get("topic"), (finding.get("answer") or "").strip()
    return bool(answer) and topic in answers and answers[topic][1] == answer


def _first_findings(sections: list[dict], topics) -> dict[str, dict]:
    """``{topic: finding}``: the first real-data finding with an answer on each of ``topics``."""
    found: dict[str, dict] = {}
    for section in sections:
        if not is_real(section):
            continue
        for f in section.get("key_findings", []):
            if f.get("topic") in topics and (f.get("answer") or "").strip() and f["topic"] not in found:
                found[f["topic"]] = f
    return found


def result_word(finding: dict) -> str:
    """How an effect's estimate reads by the one wording rule: by its p-value when it has one (as its
    sentence words it), else by its 95% interval; "not computed" for a fact or with neither."""
    inputs = finding.get("inputs") or {}
    if finding.get("kind") != "effect" or not inputs:
        return evidence.NOT_COMPUTED
    if inputs.get("p") is not None:
        return evidence.p_words(inputs["p"])
    return evidence.interval_result(*inputs["ci"]) if inputs.get("ci") else evidence.NOT_COMPUTED


def moved_clause(sections: list[dict], topics=OUTCOME_TOPICS, where: str = " below") -> str:
    """How many of the outcome measures moved unusually against their comparison after the programme
    began, and how the others read: "none of the 4 measures below moved unusually against similar
    authorities after the programme began (2 borderline, 2 ordinary)". Empty without such effects."""
    effects = [f for t, f in _first_findings(sections, topics).items() if f.get("kind") == "effect"]
    if not effects:
        return ""
    words = [result_word(f) for f in effects]
    units = {(f.get("inputs") or {}).get("unit") for f in effects}
    against = "similar authorities" if units == {"local_authorities"} else "their comparison groups"
    unusual = [ANSWER_TOPICS[f["topic"]].lower() for f, w in zip(effects, words, strict=True) if w == evidence.UNUSUAL]
    rest = ", ".join(
        f"{words.count(w)} {w}" for w in (evidence.BORDERLINE, evidence.ORDINARY, evidence.NOT_COMPUTED) if w in words
    )
    n = len(effects)
    measures = f"the measure{where}" if n == 1 else f"the {n} measures{where}"
    if n == 1:
        head, tail = f"{measures} {'moved' if unusual else 'did not move'} unusually", ""
    else:
        head = (
            f"{len(unusual)} of {measures} ({join_words(unusual)}) moved unusually"
            if unusual
            else f"none of {measures} moved unusually"
        )
        tail = f" ({rest})" if rest else ""
    return f"{head} against {against} after the programme began{tail}"


def lead_sentence(sections: list[dict]) -> str:
    """The box's first line: the title of the section that answered the first topic (titles state the
    finding) and :func:`moved_clause`. Empty when no real section answered an outcome topic."""
    clause = moved_clause(sections)
    answers = topic_answers(sections)
    first = next((t for t in ANSWER_TOPICS if t in answers), None)
    if not clause or first is None:
        return ""
    title = (sections[answers[first][0] - 1].get("title") or "").strip().rstrip(".")
    return f"{title}; {clause}." if title else clause[:1].upper() + clause[1:] + "."


def _missing_sentence(missing: list[str]) -> str:
    if not missing:
        return ""
    names = join_words(ANSWER_TOPICS[t].lower() for t in missing)
    return f"This build has no finding from published statistics on {names}."


def _test_sentence(sections: list[dict]) -> str:
    """Sections on test extracts (a section with a notice, said at the top): not findings either."""
    test = [n for n, s in enumerate(sections, start=1) if not is_real(s) and s.get("notice")]
    if not test:
        return ""
    where = join_words(f"section {n}" for n in test)
    return f"{where[:1].upper()}{where[1:]} {'runs' if len(test) == 1 else 'run'} on test extracts (the note above); none of {'its' if len(test) == 1 else 'their'} numbers is a finding."


def _synthetic_sentence(sections: list[dict]) -> str:
    synthetic = [s for s in sections if not is_real(s) and not s.get("notice")]
    if not synthetic:
        return _test_sentence(sections)
    if len(synthetic) == len(sections):
        return (
            "Every section of this build runs on synthetic data, so it says nothing about Focus on Practice: "
            "it shows what the analysis would produce on the boroughs' real extracts."
        )
    one = len(synthetic) == 1
    return " ".join(
        x
        for x in (
            f"The other {plural(len(synthetic), 'section')} {'runs' if one else 'run'} on synthetic data: "
            f"{'it shows' if one else 'they show'} what the analysis would produce on the boroughs' real extracts; "
            f"none of {'its' if one else 'their'} numbers is a finding.",
            _test_sentence(sections),
        )
        if x
    )


def _item(topic: str, number: int, sentence: str) -> str:
    """One topic's line: its name linked to the section, then the sentence; a sentence that opens with
    the topic's name links those words instead ("Children in care fell ...", not "Children in care:
    Children in care fell ...")."""
    name = ANSWER_TOPICS[topic]
    link = f'<a href="#section-{number}">{{}}</a>'
    head, rest = sentence[: len(name)], sentence[len(name) :]
    if head.lower() == name.lower() and rest[:1] in (" ", ",", ":"):
        return f"<li>{link.format(esc(head))}{esc(rest)}</li>"
    return f"<li>{link.format(esc(name))}: {esc(sentence)}</li>"


def answer_html(processed_dir: Path) -> str:
    """The answer box (see the module docstring); at most :data:`MAX_WORDS` words or a warning."""
    sections = load_sections(processed_dir)
    answers = topic_answers(sections)
    items = "".join(_item(topic, *answers[topic]) for topic in ANSWER_TOPICS if topic in answers)
    missing = [t for t in ANSWER_TOPICS if t not in answers] if any(is_real(s) for s in sections) else []
    closing = " ".join(x for x in (_missing_sentence(missing), _synthetic_sentence(sections)) if x)
    if not sections:
        closing = "No section was built for this report, so it answers nothing yet."
    area = _area(processed_dir)
    heading = "Main points" + (f" for {area}" if area else "")
    heading += ": what the published statistics show" if answers else ""
    lead = lead_sentence(sections)
    body = (
        (f'<p class="fop-lead"><strong>{esc(lead)}</strong></p>' if lead else "")
        + (f"<ul>{items}</ul>" if answers else "")
        + (f"<p>{esc(closing)}</p>" if closing else "")
    )
    html = (
        '<section class="fop-answer" aria-labelledby="main-points">'
        f'<h2 id="main-points">{esc(heading)}</h2>{body}</section>'
    )
    words = len(_words(html))
    if words > MAX_WORDS:
        warnings.warn(
            f"the answer box has {words} words (at most {MAX_WORDS}): shorten the key findings' answers", stacklevel=2
        )
    return html


def _area(processed_dir: Path) -> str | None:
    """The one area a report is about, named in the box's heading (its findings then need not name it
    each time): an authority's own build, or one borough's (each scope's outputs are in a folder named
    after it, ``<processed_dir>/<scope>/``); None for the three boroughs together."""
    la = authority(processed_dir)
    if la:
        return la["name"]
    borough = config.BOROUGHS.get(Path(processed_dir).name)
    return borough[0] if borough else None


def _words(html: str) -> list[str]:
    return re.sub(r"<[^>]+>", " ", html).split()


def display_answer(processed_dir: Path) -> None:
    """Display the answer box (see :func:`answer_html`)."""
    from IPython.display import HTML, display

    display(HTML(answer_html(processed_dir)))
