"""Every badge of a built report against the strength rule, recomputed by hand.

Used by the tests that build a report (the default build, an authority's own build, a borough's build).
The rule is written out here a second time, from the rule the report's technical appendix prints (the
design's highest level, then every condition that applies lowers it), without calling the code that
applies it: ``helpers.evidence`` is used only to read the results a finding recorded. A badge is found
in the report by its ``<span class="fop-strength ...">`` inside the list item that holds its finding's
text; every badge must belong to a finding, and every finding of a real-data section must carry one.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

from helpers.report.answer import TOPIC_WORDS
from helpers.report_section import load_sections

LEVELS = ["strong", "moderate", "weak", "not possible to tell"]
#: The highest level each design allows, as the appendix prints it.
CEILING = {"randomised": 0, "comparison": 1, "before_after": 2, "cross_sectional": 2, "none": 3}
FACT_LABEL = {
    "published": "Published figure",
    "records": "From complete records",
    "sample": "Describes those who took part",
}
#: The rule's cut-offs, as the appendix prints them (checked against the printed rule below).
PRINTED_CUTS = (
    "fewer than 10 independent units",
    "fewer than 30 independent units",
    "fewer than 100 independent units",
    "reliability benchmark of 0.7",
    "p-value is 0.05 or more",
    "p below 0.05",
)


def _unusual(ci, p) -> bool:
    """Unusual only when every result given is: a 95% interval clear of zero, a p-value below 0.05."""
    results = []
    if ci is not None:
        lo, hi = ci
        results.append(lo is not None and hi is not None and (min(lo, hi) > 0 or max(lo, hi) < 0))
    if p is not None:
        results.append(p < 0.05)
    return bool(results) and all(results)


def _disagrees(check: dict, estimate) -> bool:
    if check["expect"] == "none":  # a placebo or pre-trend test should show nothing
        return _unusual(check["ci"], check["p"])
    e = check["estimate"]
    return e is not None and estimate is not None and e * estimate < 0  # a replication pointing the other way


def rule_by_hand(inputs: dict) -> tuple[str, str]:
    """(strength, what the design allows) from the results a finding recorded: its design's ceiling,
    lowered by its units, its measure's reliability (how the study is built), its test and its checks
    (what it found); the second reads only how the study is built."""
    units = inputs["units"]
    built = [CEILING[inputs["design"]]]
    built.append(3 if units is None or units < 10 else 2 if units < 30 else 1 if units < 100 else 0)
    rel = inputs["reliability"]
    if rel is not None and any(v is None or v < 0.7 for v in rel.values()):
        built.append(2)
    found = list(built)
    if not _unusual(inputs["ci"], inputs["p"]):
        found.append(3)
    if any(_disagrees(c, inputs["estimate"]) for c in inputs["checks"]):
        found.append(2)
    return LEVELS[max(found)], LEVELS[max(built)]


def expected_badge(finding: dict) -> tuple[str, str]:
    """(style, words) the finding's badge must have, by hand."""
    if finding["kind"] == "fact":
        return (
            ("illustrative", "Illustrative figure") if finding["synthetic"] else ("fact", FACT_LABEL[finding["source"]])
        )
    strength, allows = rule_by_hand(finding["inputs"])
    if finding["synthetic"]:
        if allows == "not possible to tell":
            return "design", "On real data this design could not tell"
        return "design", f"On real data this design and measure would allow at most: {allows}"
    return "strength", f"Strength of evidence: {strength}"


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def badges_in(page: str) -> list[tuple[str, str, str]]:
    """(finding text, badge style, badge words) of every badge on a page, read from the list item it closes."""
    out = []
    for m in re.finditer(r"<span class=\"fop-strength([^\"]*)\">(.*?)</span>", page, re.S):
        item = page[page.rfind("<li>", 0, m.start()) + 4 : m.start()]
        assert "</li>" not in item, f"a badge outside a list item: {_text(m.group(2))!r}"
        style = re.search(r"fop-badge-(\w+)", m.group(1))
        out.append((_text(item), style.group(1) if style else "", _text(m.group(2)).rstrip(".")))
    return out


def check_rule_printed(appendix: str) -> None:
    """The technical appendix prints the rule with the cut-offs :func:`rule_by_hand` applies."""
    start = appendix.index('id="strength-rules"')
    printed = _text(appendix[start : appendix.index("</dl>", start)])
    for cut in PRINTED_CUTS:
        assert cut in printed, cut
    for words in ("randomised design", "comparison-group design", "before-and-after design", "one-off comparison"):
        assert words in printed, words


def check_badges(processed: Path, report: Path) -> dict:
    """Every badge of ``report`` (and its technical appendix, if it prints any) against the rule by hand,
    from the inputs its finding recorded; returns how many badges were checked, by (style, words)."""
    pages = [report.read_text(encoding="utf-8")]
    appendix = report.with_name(f"{report.stem}_appendix.html")
    if appendix.exists():
        pages.append(appendix.read_text(encoding="utf-8"))
        check_rule_printed(pages[-1])
    findings = {}
    for section in load_sections(processed):
        for f in section["key_findings"]:
            assert f["synthetic"] is bool(section["synthetic"]), section["strand"]
            if f["kind"] == "effect":
                strength, allows = rule_by_hand(f["inputs"])
                assert f["strength"] == (None if f["synthetic"] else strength), f["text"]
                assert f["design_allows"] == allows, f["text"]
            else:
                assert f["inputs"] is None and f["strength"] is None and f["source"] in FACT_LABEL, f["text"]
            if f["synthetic"]:
                assert f["topic"] is None and f["answer"] is None, f["text"]
            findings.setdefault(" ".join(f["text"].split()), []).append((section, f))
    shown, counts = set(), {}
    for page in pages:  # no strength is printed anywhere but in a badge
        n = sum(1 for _, style, _ in badges_in(page) if style == "strength")
        assert _text(page).count("Strength of evidence:") == n
    for text, style, words in (b for page in pages for b in badges_in(page)):
        pointed = _pointed_to(text, findings, (style, words))
        if pointed is not None:  # "Children in care and costs: in Main points." and the badge they share
            shown |= pointed
        else:
            assert text in findings, f"a badge with no finding: {text[:80]!r}"
            expected = {expected_badge(f) for _, f in findings[text]}
            assert (style, words) in expected, (text[:80], style, words, expected)
            shown.add(text)
        counts[(style, words)] = counts.get((style, words), 0) + 1
    for text, pairs in findings.items():
        for section, _ in pairs:
            assert section["synthetic"] or text in shown, f"a real finding without its badge: {text[:80]!r}"
    return counts


#: A summary line pointing to where its findings are said in full, with the badge they share.
POINTER = re.compile(r"(?P<what>.+): in (?:Main points|The 2016 evaluation beside today's evidence)\.")


def _pointed_to(text: str, findings: dict, badge: tuple[str, str]) -> set | None:
    """The texts of the real findings a pointer line stands for (every topic it names must have one whose
    badge, by hand, is the line's), or None when ``text`` is not a pointer line."""
    m = POINTER.fullmatch(text)
    if m is None or text in findings:
        return None
    named = m.group("what").lower()
    topics = {t: w for t, w in TOPIC_WORDS.items() if w.lower() in named}
    assert topics, f"a pointer naming no topic: {text!r}"
    out = set()
    for topic in topics:
        match = {
            t
            for t, pairs in findings.items()
            for section, f in pairs
            if not section["synthetic"] and f["topic"] == topic and expected_badge(f) == badge
        }
        assert match, f"{text!r}: no finding on {topic} has the badge {badge}"
        out |= match
    return out
