"""How sure a finding can be: one vocabulary, one wording rule, one strength rule, one place.

A key finding is one of two kinds:

* an **effect**: an estimate of what the programme changed (a difference in differences, a change
  between waves, trained against not yet trained). The strength rule applies to it;
* a **fact**: a descriptive figure from published statistics, complete records, or a description
  of the people who took part ("children looked after fell by 7.1%"). It is labelled by where it
  comes from ("Published figure"), never with a strength, which would read as evidence of an effect.

Strands pass **results**, not verdicts: the design (a word of :data:`DESIGNS`), the independent
units the result rests on, the estimate with its interval or p-value, the checks made on it and the
reliability coefficients of its measure. :func:`strength_inputs` derives the rule's inputs from
them (one rule for each: :func:`test_result`, :func:`consistency`, :func:`reliability_input`) and
:func:`strength` applies the rule in :data:`CAPS`, which is also what the report's appendix prints
(:func:`rules_text`). :meth:`helpers.report_section.Section.key_finding` calls :func:`assess`, and
records the inputs beside the strength, so a test can recompute every badge of a built report.

On synthetic data nothing is evidence: an effect there carries no strength, only what its design,
its independent units and the reliability of its measure would allow on real data (the conditions
of :data:`CAPS` marked ``structural``; its test and checks are made up with the data and not read),
and a fact is illustrative (:func:`badge`).

The same cut-offs word every sentence: :func:`p_words` and :func:`interval_words` call a result
"unusual", "borderline" or "ordinary", and the strength rule reads the same classes, so a sentence
never calls "unusual" what the badge treats as chance.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

# ---- the wording rule for tests: p-values and intervals -----------------------------------------

#: Below this a p-value is "unusual" (and a 95% interval that excludes no change is "unusual").
P_UNUSUAL = 0.05
#: From :data:`P_UNUSUAL` up to below this a p-value is "borderline"; at or above it, "ordinary".
P_BORDERLINE = 0.10
UNUSUAL, BORDERLINE, ORDINARY, NOT_COMPUTED = "unusual", "borderline", "ordinary", "not computed"
#: Test results from the weakest to the strongest.
TEST_RESULTS = (NOT_COMPUTED, ORDINARY, BORDERLINE, UNUSUAL)
#: The interval level the rule reads (every key finding's interval is a 95% one).
INTERVAL_LEVEL = 0.95


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def p_words(p) -> str:
    """THE word for a p-value: "unusual" below 0.05, "borderline" from 0.05 to below 0.10,
    "ordinary" at 0.10 or above, "not computed" when missing. Every sentence and the strength
    rule use it, so the words and the badge agree."""
    if _missing(p):
        return NOT_COMPUTED
    p = float(p)
    if p < P_UNUSUAL:
        return UNUSUAL
    return BORDERLINE if p < P_BORDERLINE else ORDINARY


def interval_result(lo, hi) -> str:
    """The test result a 95% interval gives: "unusual" when it excludes no change (zero),
    "ordinary" when it includes it (an end exactly at zero includes it), "not computed" when an
    end is missing. A 95% interval cannot say "borderline"."""
    if _missing(lo) or _missing(hi):
        return NOT_COMPUTED
    lo, hi = sorted((float(lo), float(hi)))
    return ORDINARY if lo <= 0 <= hi else UNUSUAL


def interval_words(lo, hi, movement: str = "chance variation") -> str:
    """A clause for a sentence about an estimated change, from its 95% interval: "could not be told
    apart from ordinary year-to-year movement" (``movement`` names what else could have moved it)
    when the interval includes no change; "a rise (fall) larger than ... would explain" when it
    excludes it; "could not be estimated" when an end is missing."""
    result = interval_result(lo, hi)
    if result == NOT_COMPUTED:
        return "could not be estimated"
    if result == ORDINARY:
        return f"could not be told apart from {movement}"
    return f"{'a rise' if min(float(lo), float(hi)) > 0 else 'a fall'} larger than {movement} would explain"


def test_result(ci=None, p=None) -> str:
    """The one test result of an estimate: from its 95% interval, its p-value, or, given both, the
    weaker of the two (they agree when the p-value inverts the interval); "not computed" with neither.
    A missing p-value (None or NaN) is not given, as it is recorded; an interval with a missing end is
    given and "not computed"."""
    results = []
    if ci is not None:
        results.append(interval_result(*ci))
    if not _missing(p):
        results.append(p_words(p))
    return min(results, key=TEST_RESULTS.index) if results else NOT_COMPUTED


# ---- vocabulary ------------------------------------------------------------------------------------

#: Strengths of evidence, best first.
LEVELS = ("strong", "moderate", "weak", "not possible to tell")
STRONG, MODERATE, WEAK, CANNOT_TELL = LEVELS


@dataclass(frozen=True)
class Design:
    ceiling: str  # the highest strength the design allows
    name: str  # as printed
    definition: str


#: One word per design. A strand names the design of an effect by these definitions, so the same
#: design never carries two words.
DESIGNS: dict[str, Design] = {
    "randomised": Design(STRONG, "a randomised design", "units allocated to the programme or not at random"),
    "comparison": Design(
        MODERATE,
        "a comparison-group design",
        "the change in units with the programme set against the change over the same years in units without "
        "it, so that time is held apart from the programme, as in a difference in differences, a staggered "
        "roll-out compared within each wave, a synthetic control or placebo areas",
    ),
    "before_after": Design(
        WEAK, "a before-and-after design", "the same units measured before and after, with no comparison group"
    ),
    "cross_sectional": Design(
        WEAK,
        "a one-off comparison",
        "groups with and without the programme compared with nothing to separate the programme from when or "
        "who was measured, such as trained against untrained staff with the waves pooled",
    ),
    "none": Design(
        CANNOT_TELL, "no usable design", "no data from before the programme and no comparison group for the question"
    ),
}

#: The independent units a result rests on: the clusters its interval treats as independent, the
#: top of the nesting. Never rows, answers, forms or children.
UNITS: dict[str, str] = {
    "practitioners": "practitioners (their answers, interviews and families' results are nested in them)",
    "families": "families (their members are nested in them)",
    "teams": "teams (their practitioners are nested in them)",
    "people": "people interviewed (their interviews are nested in them)",
    "workers": "staff in an HR extract (their posts and absences are nested in them)",
    "local_authorities": "local authorities (counts of children are nested in them; when areas with the programme are "
    "compared with areas without it, the areas that had the programme: three boroughs are three units, however many "
    "areas they are set against)",
}


#: Units that are people (or families of people): their count is a count the disclosure rule protects.
PEOPLE_UNITS = frozenset({"practitioners", "families", "people", "workers"})


@dataclass(frozen=True)
class FactSource:
    label: str  # the badge
    definition: str


#: Where a fact comes from (its label in place of a strength).
FACT_SOURCES: dict[str, FactSource] = {
    "published": FactSource(
        "Published figure", "a figure from official statistics published for every area: a fact, not an estimate"
    ),
    "records": FactSource("From complete records", "counted from complete records, not estimated from a sample"),
    "sample": FactSource(
        "Describes those who took part", "describes the people who took part, who were not sampled at random"
    ),
}

#: The topics of the report's answer box and of "the 2016 evaluation beside today's evidence".
TOPICS = (
    "children_in_care",
    "flow_into_care",
    "child_protection",
    "re_referrals",
    "costs",
    "workforce",
    "bid_target",
    "claims",
)
KINDS = ("effect", "fact")

# ---- the rule's inputs, one rule each ---------------------------------------------------------------

#: A reliability coefficient (Cronbach's alpha of a scale, Krippendorff's alpha of double coding) at or
#: above this passes; the measure's reliability is that of its least reliable part.
RELIABILITY_BENCHMARK = 0.7
#: Independent units: below the first "not possible to tell"; below the second at most weak; below the
#: third at most moderate.
UNITS_CANNOT_TELL, UNITS_WEAK, UNITS_MODERATE = 10, 30, 100


@dataclass(frozen=True)
class Check:
    """A second look at the same effect. ``expect="same"``: a replication (a borough or subgroup on its
    own, another method, another level of analysis) that should point the finding's way;
    ``expect="none"``: a falsification test (a placebo, a pre-programme trend) that should show no
    change. Give its estimate, and its 95% interval or p-value for a falsification test."""

    name: str
    estimate: float | None = None
    ci: tuple[float, float] | None = None
    p: float | None = None
    expect: str = "same"

    def __post_init__(self):
        if self.expect not in ("same", "none"):
            raise ValueError(f"check {self.name!r}: expect must be 'same' or 'none', got {self.expect!r}")


def check_agrees(check: Check | Mapping, estimate) -> bool:
    """THE consistency rule for one check: a replication disagrees when its estimate points the other
    way from the finding's (opposite sign; a missing estimate or a zero does not disagree); a
    falsification test disagrees when its result is unusual by :func:`test_result`."""
    c = check if isinstance(check, Check) else Check(**dict(check))
    if c.expect == "none":
        return test_result(c.ci, c.p) != UNUSUAL
    if _missing(c.estimate) or _missing(estimate):
        return True
    return float(c.estimate) * float(estimate) >= 0


def consistency(checks: Iterable[Check | Mapping], estimate) -> bool | None:
    """Whether every check agrees (:func:`check_agrees`); None when no check was made."""
    checks = list(checks)
    return all(check_agrees(c, estimate) for c in checks) if checks else None


def reliability_input(reliability: Mapping[str, float | None] | None) -> tuple[float | None, str | None, bool | None]:
    """(lowest coefficient, the part it belongs to, passes the benchmark) for a measure made of parts
    (``{part: coefficient}``; a missing coefficient means not measured, and fails). ``None``: counts
    from records, where reliability is not at issue."""
    if reliability is None:
        return None, None, None
    if not reliability:
        raise ValueError("reliability: give a coefficient for each part of the measure, or None for records")
    unmeasured = [k for k, v in reliability.items() if _missing(v)]
    if unmeasured:
        return None, unmeasured[0], False
    part, low = min(reliability.items(), key=lambda kv: float(kv[1]))
    return float(low), part, float(low) >= RELIABILITY_BENCHMARK


def count_units(units) -> int | None:
    """The number of independent units: an integer, or ids (one per row) counted once each."""
    if units is None or isinstance(units, numbers.Number):
        return None if _missing(units) else int(units)
    return len({u for u in units if u is not None and not (isinstance(u, float) and math.isnan(u))})


def strength_inputs(
    design: str,
    unit: str,
    units,
    *,
    estimate=None,
    ci=None,
    p=None,
    checks: Iterable[Check | Mapping] = (),
    reliability: Mapping[str, float | None] | None = None,
) -> dict:
    """The strength rule's inputs, derived from a strand's results (see the module docstring). The
    returned dict holds the results too (interval, p-value, checks), so the inputs can be derived
    again from it: ``strength_inputs(**recorded_results(inputs)) == inputs``."""
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {tuple(DESIGNS)}, got {design!r}")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {tuple(UNITS)}, got {unit!r}")
    checks = [c if isinstance(c, Check) else Check(**dict(c)) for c in checks]
    low, part, reliable = reliability_input(reliability)
    return {
        "design": design,
        "unit": unit,
        "units": count_units(units),
        "estimate": None if _missing(estimate) else float(estimate),
        "ci": None if ci is None else [None if _missing(x) else float(x) for x in ci],
        "p": None if _missing(p) else float(p),
        "test": test_result(ci, p),
        "checks": [
            {
                "name": c.name,
                "expect": c.expect,
                "estimate": None if _missing(c.estimate) else float(c.estimate),
                "ci": None if c.ci is None else [None if _missing(x) else float(x) for x in c.ci],
                "p": None if _missing(c.p) else float(c.p),
                "agrees": check_agrees(c, estimate),
            }
            for c in checks
        ],
        "consistent": consistency(checks, estimate),
        "reliability": None
        if reliability is None
        else {k: None if _missing(v) else float(v) for k, v in reliability.items()},
        "least_reliable": part,
        "reliability_low": low,
        "reliable": reliable,
    }


def recorded_results(inputs: Mapping) -> dict:
    """The results :func:`strength_inputs` was given, read back from the inputs it recorded."""
    return {
        "design": inputs["design"],
        "unit": inputs["unit"],
        "units": inputs["units"],
        "estimate": inputs["estimate"],
        "ci": None if inputs["ci"] is None else tuple(inputs["ci"]),
        "p": inputs["p"],
        "checks": [
            {k: (tuple(v) if k == "ci" and v is not None else v) for k, v in c.items() if k != "agrees"}
            for c in inputs["checks"]
        ],
        "reliability": inputs["reliability"],
    }


# ---- the rule ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cap:
    """One condition of the rule: when ``applies`` to a finding's inputs, it gets at most ``level``."""

    level: str
    text: str  # as the appendix prints it
    applies: Callable[[Mapping], bool]
    #: A condition of how the study is built (its independent units, the reliability of its measure), not
    #: of what it found (the test of its estimate, its checks): on synthetic data it still says what the
    #: design would allow on real data.
    structural: bool = False


def _few(limit: int) -> Callable[[Mapping], bool]:
    return lambda i: i["units"] is None or i["units"] < limit


#: The rule, as data: the design sets the ceiling (:data:`DESIGNS`), then every condition that applies
#: lowers it. :func:`strength` applies it and :func:`rules_text` prints it, so they cannot differ.
CAPS: tuple[Cap, ...] = (
    Cap(
        CANNOT_TELL,
        f"fewer than {UNITS_CANNOT_TELL} independent units, or their number not known",
        _few(UNITS_CANNOT_TELL),
        structural=True,
    ),
    Cap(
        CANNOT_TELL,
        f"an estimate that could not be told apart from chance: its {INTERVAL_LEVEL:.0%} interval includes no change "
        f"(zero) or could not be computed, or its p-value is {P_UNUSUAL:.2f} or more (borderline or ordinary)",
        lambda i: i["test"] != UNUSUAL,
    ),
    Cap(WEAK, f"fewer than {UNITS_WEAK} independent units", _few(UNITS_WEAK), structural=True),
    Cap(
        WEAK,
        f"a measure whose least reliable part is below the reliability benchmark of {RELIABILITY_BENCHMARK} "
        "(Cronbach's alpha of a scale, Krippendorff's alpha of double coding), or whose reliability was not measured",
        lambda i: i["reliable"] is False,
        structural=True,
    ),
    Cap(
        WEAK,
        "a check pointing the other way: a borough, subgroup, other method or other level of analysis whose estimate "
        f"has the opposite sign, or a placebo or pre-programme trend test whose result is unusual (p below {P_UNUSUAL:.2f}, "
        "or an interval excluding no change)",
        lambda i: i["consistent"] is False,
    ),
    Cap(MODERATE, f"fewer than {UNITS_MODERATE} independent units", _few(UNITS_MODERATE), structural=True),
)


def _lower(a: str, b: str) -> str:
    return a if LEVELS.index(a) >= LEVELS.index(b) else b


def strength(inputs: Mapping, structural_only: bool = False) -> str:
    """THE strength rule: the design's ceiling, lowered by every condition of :data:`CAPS` that applies.
    ``structural_only``: only the design, its units and its measure's reliability (what the study as built
    would allow on real data, for a finding on synthetic data, whose estimate and checks are made up)."""
    level = DESIGNS[inputs["design"]].ceiling
    for cap in CAPS:
        if (cap.structural or not structural_only) and cap.applies(inputs):
            level = _lower(level, cap.level)
    return level


def assess(
    kind: str,
    *,
    synthetic: bool,
    design: str | None = None,
    unit: str | None = None,
    units=None,
    estimate=None,
    ci=None,
    p=None,
    checks: Iterable[Check | Mapping] = (),
    reliability: Mapping[str, float | None] | None = None,
    source: str | None = None,
) -> dict:
    """What a key finding records about its evidence: ``kind``, ``strength`` (real effects only),
    ``design_allows`` (effects: the most the design, its units and its measure allow), ``source`` (facts), ``synthetic`` and the rule's
    ``inputs`` (effects). An effect needs ``design``, ``unit`` and ``units`` and takes its test from
    ``ci`` or ``p``; a fact needs ``source`` (a key of :data:`FACT_SOURCES`) and nothing else."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "fact":
        if source not in FACT_SOURCES:
            raise ValueError(f"a fact needs source, one of {tuple(FACT_SOURCES)}, got {source!r}")
        if design is not None or checks or reliability is not None or p is not None:
            raise ValueError("a fact takes no design, checks, reliability or test: it is not evidence of an effect")
        return {
            "kind": kind,
            "synthetic": bool(synthetic),
            "source": source,
            "strength": None,
            "design_allows": None,
            "inputs": None,
        }
    if source is not None:
        raise ValueError("an effect takes no source: give its design")
    inputs = strength_inputs(design, unit, units, estimate=estimate, ci=ci, p=p, checks=checks, reliability=reliability)
    return {
        "kind": kind,
        "synthetic": bool(synthetic),
        "source": None,
        # on synthetic data nothing is evidence: no strength, only what the design would allow
        "strength": None if synthetic else strength(inputs),
        "design_allows": strength(inputs, structural_only=True),
        "inputs": inputs,
    }


def verify(finding: Mapping) -> None:
    """Raise ValueError unless a finding's recorded evidence is what the rule gives: its inputs derived
    again from the results they record, its strength and ``design_allows`` recomputed from them, no strength
    on a fact or on synthetic data, an effect never without its inputs. :func:`badge` calls it, so no
    report can print a badge the rule would not give."""
    if finding.get("kind") == "fact" or finding.get("synthetic"):
        if finding.get("strength") is not None:
            raise ValueError(f"a fact or a synthetic finding carries a strength: {finding.get('text', '')[:80]!r}")
    inputs = finding.get("inputs")
    if inputs is None:
        if finding.get("kind") != "fact":
            raise ValueError(f"an effect without the inputs of its strength: {finding.get('text', '')[:80]!r}")
        return
    again = strength_inputs(**recorded_results(inputs))
    expected = None if finding.get("synthetic") else strength(again)
    if again != inputs or finding.get("strength") != expected or finding.get("design_allows") != strength(again, True):
        raise ValueError(f"badge does not follow the rule from its recorded inputs: {finding.get('text', '')[:80]!r}")


def badge(finding: Mapping) -> tuple[str, str]:
    """(style, text) of the label a finding carries in the report: ``"strength"`` for a real effect
    ("Strength of evidence: weak"), ``"fact"`` for a real fact ("Published figure"), ``"design"`` for a
    synthetic effect ("On real data this design and measure would allow at most: weak"; no strength),
    ``"illustrative"`` for a synthetic fact ("Illustrative figure"). The report says once per group of
    findings that they come from synthetic data, and styles differ, so nothing synthetic looks like
    evidence. The finding is checked against the rule first (:func:`verify`)."""
    verify(finding)
    if finding.get("kind") == "fact":
        if finding.get("synthetic"):
            return "illustrative", SYNTHETIC_FACT_LABEL
        return "fact", FACT_SOURCES[finding["source"]].label
    if finding.get("synthetic"):
        allows = finding["design_allows"]
        if allows == CANNOT_TELL:
            return "design", "On real data this design could not tell"
        return "design", f"On real data this design and measure would allow at most: {allows}"
    return "strength", f"Strength of evidence: {finding['strength']}"


#: The label of a figure from synthetic data (never "a fact": the data were made up).
SYNTHETIC_FACT_LABEL = "Illustrative figure"

# ---- the rule as the appendix prints it --------------------------------------------------------------

#: The paragraph printed above :func:`rules_text` in the methods appendix.
STRENGTH_INTRO = (
    "Each estimate of what the programme changed states how far it can be relied on. The design sets the "
    "highest level it can reach; then the number of independent units, the test of the estimate, the "
    "reliability of the measure and the checks made on it can each lower it. A finding gets the lowest level "
    "any of them allows. Descriptive figures (published statistics, complete records) are labelled as facts, "
    "not given a strength. Sections built on synthetic data carry no strength: their numbers were made up, "
    "so their labels say only what the design, its independent units and the reliability of its measure would "
    "allow on real data, and a descriptive figure is called illustrative."
)


def rules_text() -> dict[str, str]:
    """The rule in words, one paragraph per level, generated from :data:`DESIGNS` and :data:`CAPS`."""
    out = {}
    for level in LEVELS:
        designs = [f"{d.name}: {d.definition}" for d in DESIGNS.values() if d.ceiling == level]
        caps = [c.text for c in CAPS if c.level == level]
        if level == STRONG:
            out[level] = (
                f"Reached only by {'; or by '.join(designs)}; and only when none of the conditions below applies."
            )
            continue
        lead = "The highest level for " if level != CANNOT_TELL else "The level for a finding with "
        text = lead + "; and for ".join(designs) + "." if designs else ""
        if caps:
            text += (" Also " if designs else "") + ("the highest level " if level != CANNOT_TELL else "the level ")
            text += "for any finding with " + "; or with ".join(caps) + "."
        out[level] = text.strip()
    return out


def explanations() -> dict[str, str]:
    """The terms the rule uses, for the appendix (generated from the same constants)."""
    return {
        "Independent units": "the units a result rests on, the clusters its interval treats as independent: "
        + "; ".join(UNITS.values())
        + ". Never rows, answers, forms or children.",
        "Test": f"a p-value below {P_UNUSUAL:.2f} is called unusual, from {P_UNUSUAL:.2f} to below {P_BORDERLINE:.2f} "
        f"borderline, and {P_BORDERLINE:.2f} or more ordinary; a {INTERVAL_LEVEL:.0%} interval that excludes no change is "
        "unusual, and one that includes it could not be told apart from chance (or from ordinary year-to-year movement). "
        "Every sentence of the report uses these words the same way.",
        "Reliability": f"the measure's least reliable part against one benchmark, {RELIABILITY_BENCHMARK}; counts "
        "from records need none.",
        "Facts": "; ".join(f"{s.label}: {s.definition}" for s in FACT_SOURCES.values()) + ".",
        "Synthetic data": "no strength. An estimate is labelled with what the design would allow on real data: its "
        "highest level, lowered only by the conditions of how it is built: "
        + "; ".join(c.text for c in CAPS if c.structural)
        + ". Its test and its checks are not read, since they come from made-up numbers. A descriptive figure is "
        f"labelled '{SYNTHETIC_FACT_LABEL}'.",
    }


#: The rule as printed (level -> sentence): generated, never typed.
STRENGTH_RULES = rules_text()
