"""Evidence labels: one wording rule, one set of inputs, one strength rule, every badge recomputable.

Every expected value below is worked out by hand from the rule as the module docstring of
``helpers.evidence`` states it (design ceiling, then each condition that applies lowers it), not
read from the code's output. The scan checks that every strand's key findings pass results (a kind
and the rule's raw inputs), never a typed strength; the built-report test recomputes every badge of
the default report from the inputs recorded beside it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import badge_check
from helpers import evidence as ev
from helpers.report_section import Section, load_sections

NAN = float("nan")
STRANDS = Path(__file__).resolve().parents[1] / "src" / "helpers" / "strands"

# ---- the wording rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "p,word",
    [
        (0.0, "unusual"),
        (0.049, "unusual"),
        (0.05, "borderline"),  # 0.05 itself is not below 0.05
        (0.0999, "borderline"),
        (0.10, "ordinary"),
        (0.8, "ordinary"),
        (NAN, "not computed"),
        (None, "not computed"),
    ],
)
def test_p_words(p, word):
    assert ev.p_words(p) == word


@pytest.mark.parametrize(
    "lo,hi,result,words",
    [
        (0.1, 0.5, "unusual", "a rise larger than chance variation would explain"),
        (-0.5, -0.1, "unusual", "a fall larger than chance variation would explain"),
        (-0.1, 0.5, "ordinary", "could not be told apart from chance variation"),
        (0.0, 0.5, "ordinary", "could not be told apart from chance variation"),  # an end at zero includes it
        (0.5, -0.1, "ordinary", "could not be told apart from chance variation"),  # either order
        (NAN, 0.5, "not computed", "could not be estimated"),
    ],
)
def test_interval_result_and_words(lo, hi, result, words):
    assert ev.interval_result(lo, hi) == result
    assert ev.interval_words(lo, hi) == words


def test_interval_words_name_what_else_moves_a_series():
    assert (
        ev.interval_words(-3.0, 2.0, movement="ordinary year-to-year movement")
        == "could not be told apart from ordinary year-to-year movement"
    )


def test_one_test_result_from_interval_and_p():
    assert ev.test_result(ci=(1, 2)) == "unusual"
    assert ev.test_result(p=0.07) == "borderline"
    # both given: the weaker of the two
    assert ev.test_result(ci=(1, 2), p=0.2) == "ordinary"
    assert ev.test_result(ci=(NAN, 2), p=0.01) == "not computed"
    assert ev.test_result() == "not computed"


# ---- the inputs, one rule each ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "check,estimate,agrees",
    [
        (ev.Check("borough A", 0.4), 1.2, True),
        (ev.Check("borough A", -0.4), 1.2, False),  # a replication pointing the other way
        (ev.Check("borough A", 0.0), 1.2, True),  # no direction: does not disagree
        (ev.Check("borough A", NAN), 1.2, True),  # not known: does not disagree
        (ev.Check("pre-trend", 0.3, p=0.03, expect="none"), 1.2, False),  # falsification test unusual
        (ev.Check("pre-trend", 0.3, p=0.07, expect="none"), 1.2, True),  # borderline is not unusual
        (ev.Check("placebo", -2.0, ci=(-3.0, -1.0), expect="none"), 1.2, False),
        (ev.Check("placebo", -2.0, ci=(-3.0, 1.0), expect="none"), 1.2, True),
    ],
)
def test_one_consistency_rule(check, estimate, agrees):
    assert ev.check_agrees(check, estimate) is agrees


def test_consistency_over_checks():
    assert ev.consistency([], 1.0) is None  # no check made
    assert ev.consistency([ev.Check("a", 1.0), ev.Check("b", 2.0)], 1.0) is True
    assert ev.consistency([ev.Check("a", 1.0), ev.Check("b", -2.0)], 1.0) is False
    with pytest.raises(ValueError, match="expect"):
        ev.Check("a", 1.0, expect="opposite")


def test_one_reliability_benchmark_on_the_least_reliable_part():
    # the overall score averages every part: the weakest part decides (0.65 < 0.7)
    assert ev.reliability_input({"a": 0.91, "b": 0.65, "c": 0.8}) == (0.65, "b", False)
    assert ev.reliability_input({"a": 0.7}) == (0.7, "a", True)  # at the benchmark passes
    assert ev.reliability_input({"a": 0.9, "b": None}) == (None, "b", False)  # not measured fails
    assert ev.reliability_input(None) == (None, None, None)  # records: not at issue
    with pytest.raises(ValueError):
        ev.reliability_input({})


def test_independent_units_counted_once_each():
    assert ev.count_units(["p1", "p2", "p1", None, NAN]) == 2  # rows of two practitioners
    assert ev.count_units(np.array(["213", "205", "207", "205"], dtype=object)) == 3
    assert ev.count_units(np.int64(41)) == 41
    assert ev.count_units(NAN) is None and ev.count_units(None) is None


# ---- the rule, branch by branch -----------------------------------------------------------------------


def _inputs(design="randomised", units=200, ci=(1.0, 2.0), p=None, checks=(), reliability=None, estimate=1.5):
    return ev.strength_inputs(
        design, "practitioners", units, estimate=estimate, ci=ci, p=p, checks=checks, reliability=reliability
    )


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        # the design's ceiling, with 200 units, an unusual interval and nothing against
        ({"design": "randomised"}, "strong"),
        ({"design": "comparison"}, "moderate"),
        ({"design": "before_after"}, "weak"),
        ({"design": "cross_sectional"}, "weak"),
        ({"design": "none"}, "not possible to tell"),
        # units: under 10 or not known cannot tell; 10-29 weak; 30-99 moderate; 100 no cap
        ({"units": None}, "not possible to tell"),
        ({"units": 9}, "not possible to tell"),
        ({"units": 10}, "weak"),
        ({"units": 29}, "weak"),
        ({"units": 30}, "moderate"),
        ({"units": 99}, "moderate"),
        ({"units": 100}, "strong"),
        # the test: anything but unusual cannot tell
        ({"ci": (-0.1, 2.0)}, "not possible to tell"),
        ({"ci": None, "p": 0.07}, "not possible to tell"),  # borderline
        ({"ci": None, "p": 0.01}, "strong"),
        ({"ci": None}, "not possible to tell"),  # no test at all
        # reliability: the least reliable part below 0.7, or not measured: weak at most
        ({"reliability": {"a": 0.9, "b": 0.69}}, "weak"),
        ({"reliability": {"a": 0.9, "b": 0.7}}, "strong"),
        ({"reliability": {"self-report": None}}, "weak"),
        # consistency: a check pointing the other way: weak at most
        ({"checks": [ev.Check("borough", -0.2)]}, "weak"),
        ({"checks": [ev.Check("borough", 0.2)]}, "strong"),
        # the lowest any input allows
        ({"design": "comparison", "units": 50, "reliability": {"a": 0.9}}, "moderate"),
        ({"design": "comparison", "units": 20}, "weak"),
        ({"design": "before_after", "units": 5}, "not possible to tell"),
        ({"design": "comparison", "checks": [ev.Check("pre-trend", 1.0, p=0.01, expect="none")]}, "weak"),
    ],
)
def test_strength_each_branch(kwargs, expected):
    assert ev.strength(_inputs(**kwargs)) == expected


def test_the_scenarios_case_of_the_issue():
    """A staggered roll-out (comparison) over 120 practitioners with an interval clear of zero was
    "moderate" under a strand rule of "at least half the outcomes reliable"; its score averages
    every outcome, one of which fails the benchmark (0.55), so the one rule gives weak."""
    reliability = {"outcome 1": 0.86, "outcome 2": 0.81, "outcome 3": 0.55, "outcome 4": 0.9}
    assert ev.strength(_inputs("comparison", 120, ci=(1.2, 6.8), reliability=reliability)) == "weak"


def test_inputs_can_be_derived_again_from_what_they_record():
    inputs = _inputs(
        "comparison",
        ["p1", "p2", "p3"] * 20 + [f"q{i}" for i in range(40)],
        ci=(0.5, 3.0),
        checks=[ev.Check("did", 2.0), ev.Check("pre-trend", 0.1, p=0.4, expect="none")],
        reliability={"a": 0.8, "b": None},
    )
    assert inputs["units"] == 43 and inputs["test"] == "unusual" and inputs["consistent"] is True
    assert inputs["reliable"] is False and inputs["least_reliable"] == "b"
    assert ev.strength_inputs(**ev.recorded_results(inputs)) == inputs
    assert ev.strength(inputs) == "weak"  # comparison caps at moderate, 43 units keep moderate, reliability: weak


def test_unknown_design_or_unit_is_refused():
    with pytest.raises(ValueError, match="design"):
        ev.strength_inputs("records", "practitioners", 100)  # a descriptive figure is a fact, not a design
    with pytest.raises(ValueError, match="unit"):
        ev.strength_inputs("comparison", "children", 100)


# ---- kinds, synthetic data and badges ------------------------------------------------------------------


def test_a_fact_carries_its_source_never_a_strength():
    fact = ev.assess("fact", synthetic=False, source="published")
    assert fact["strength"] is None and fact["inputs"] is None
    assert ev.badge(fact) == ("fact", "Published figure")
    with pytest.raises(ValueError, match="not evidence of an effect"):
        ev.assess("fact", synthetic=False, source="published", design="records")
    with pytest.raises(ValueError, match="source"):
        ev.assess("fact", synthetic=False)


def test_on_synthetic_data_an_effect_shows_only_what_its_design_allows():
    # before and after, 50 teams: the design allows weak; the made-up interval does not enter
    made_up = ev.assess("effect", synthetic=True, design="before_after", unit="teams", units=50, ci=(-1.0, 4.0))
    assert made_up["strength"] is None and made_up["design_allows"] == "weak"
    style, text = ev.badge(made_up)
    assert (style, text) == ("design", "On real data this design and measure would allow at most: weak")
    # three local authorities: on real data too few to tell, whatever the numbers
    few = ev.assess("effect", synthetic=True, design="before_after", unit="local_authorities", units=3, ci=(1, 2))
    assert few["design_allows"] == "not possible to tell"
    # a comparison over 40 practitioners: moderate at most
    cmp40 = ev.assess("effect", synthetic=True, design="comparison", unit="practitioners", units=40, ci=(1, 2))
    assert cmp40["design_allows"] == "moderate"
    assert ev.badge(few) == ("design", "On real data this design could not tell")
    assert ev.badge(ev.assess("fact", synthetic=True, source="records")) == ("illustrative", "Illustrative figure")
    real = ev.assess("effect", synthetic=False, design="comparison", unit="practitioners", units=40, ci=(1, 2))
    assert ev.badge(real) == ("strength", "Strength of evidence: moderate")


def test_on_synthetic_data_the_measure_counts_as_part_of_the_design():
    """The scenarios case on synthetic data: a staggered roll-out over 177 practitioners allows moderate, but
    its overall score averages every learning outcome and one outcome's coding (alpha 0.56) is below 0.7,
    so what the study as built would allow is weak, whatever its made-up estimate and checks say."""
    reliability = {"Hypothesising": 0.83, "Reflexivity": 0.56, "Circularity": 0.78}
    f = ev.assess(
        "effect",
        synthetic=True,
        design="comparison",
        unit="practitioners",
        units=177,
        ci=(8.1, 12.4),
        checks=[ev.Check("difference in differences", 9.0)],
        reliability=reliability,
    )
    assert f["strength"] is None and f["design_allows"] == "weak"
    # a made-up check pointing the other way, or a made-up interval through zero, is not read
    other = ev.assess(
        "effect",
        synthetic=True,
        design="comparison",
        unit="practitioners",
        units=177,
        ci=(-1.0, 12.4),
        checks=[ev.Check("difference in differences", -9.0)],
        reliability={"Hypothesising": 0.83},
    )
    assert other["design_allows"] == "moderate"


def test_a_badge_the_rule_would_not_give_is_refused():
    real = ev.assess("effect", synthetic=False, design="comparison", unit="practitioners", units=40, ci=(1.0, 2.0))
    ev.verify(real)
    for tampered in (
        {**real, "strength": "strong"},  # a typed-up strength
        {**real, "inputs": {**real["inputs"], "test": "ordinary"}},  # an input that does not follow from the results
        {**real, "synthetic": True},  # a synthetic finding with a strength
        {**ev.assess("fact", synthetic=False, source="published"), "strength": "strong"},  # a fact with one
        {**real, "inputs": None},  # an effect whose strength cannot be recomputed
    ):
        with pytest.raises(ValueError):
            ev.badge(tampered)


def test_the_printed_rule_is_the_applied_rule():
    text = ev.rules_text()
    assert set(text) == set(ev.LEVELS)
    for cap in ev.CAPS:  # every condition the code applies is printed under the level it caps at
        assert cap.text in text[cap.level]
    for design in ev.DESIGNS.values():
        assert design.name in text[design.ceiling]
    every = " ".join(text.values()) + " ".join(ev.explanations().values())
    for cut in ("0.7", "100 independent units", "30 independent units", "10 independent units", "0.05", "0.10"):
        assert cut in every, cut
    # what a synthetic finding's label reads is printed too: the conditions of how the study is built
    synthetic = ev.explanations()["Synthetic data"]
    assert all(c.text in synthetic for c in ev.CAPS if c.structural)
    assert not any(c.text in synthetic for c in ev.CAPS if not c.structural)


# ---- Section.key_finding ------------------------------------------------------------------------------


def _section(tmp_path, synthetic=False):
    return Section(strand="x", title="X", order=1, processed_dir=tmp_path, synthetic=synthetic, threshold=5)


def test_key_finding_records_results_and_computes_the_strength(tmp_path):
    s = _section(tmp_path)
    s.key_finding(
        "A change.",
        kind="effect",
        design="comparison",
        unit="practitioners",
        units=64,
        estimate=2.0,
        ci=(0.5, 3.5),
        checks=[ev.Check("borough", 1.0)],
        reliability={"scale": 0.82},
    )
    f = s.key_findings[0]
    assert f["kind"] == "effect" and f["strength"] == "moderate" and f["n"] == 64  # 64 units: moderate at most
    assert f["inputs"]["ci"] == [0.5, 3.5] and f["inputs"]["consistent"] is True
    with pytest.raises(TypeError):  # a strength cannot be typed: there is no such argument
        s.key_finding("Typed.", kind="effect", strength="strong", design="randomised", unit="families", units=500)
    with pytest.raises(TypeError):  # nor given in the old place
        s.key_finding("Typed.", "strong", kind="effect", design="randomised", unit="families", units=500, ci=(1, 2))
    with pytest.raises(TypeError):
        s.key_finding("No kind.", design="randomised", unit="families", units=500, ci=(1, 2))
    with pytest.raises(ValueError, match="threshold"):
        s.key_finding("Tiny.", kind="effect", design="before_after", unit="families", units=4, ci=(1, 2))
    # three local authorities are not three people: no disclosure question, and the rule cannot tell
    s.key_finding("Areas.", kind="effect", design="comparison", unit="local_authorities", units=3, ci=(1, 2))
    assert s.key_findings[-1]["n"] is None and s.key_findings[-1]["strength"] == "not possible to tell"


def test_topic_and_answer_only_on_real_data_and_one_sentence(tmp_path):
    real = _section(tmp_path)
    real.key_finding(
        "Agency use was low.", kind="fact", source="published", topic="workforce", answer="It was 7.1% low."
    )
    assert real.key_findings[0]["topic"] == "workforce" and real.key_findings[0]["answer"] == "It was 7.1% low."
    with pytest.raises(ValueError, match="topic"):
        real.key_finding("x", kind="fact", source="published", topic="staffing")
    with pytest.raises(ValueError, match="one sentence"):
        real.key_finding("x", kind="fact", source="published", topic="workforce", answer="One. Two.")
    with pytest.raises(ValueError, match="real data only"):
        _section(tmp_path, synthetic=True).key_finding("x", kind="fact", source="records", topic="workforce")


# ---- every strand passes results, never a strength ----------------------------------------------------


def _scan(path: Path) -> tuple[list[str], int]:
    """Problems in one strand module and how many key findings it hands over: every ``key_finding``
    call names its ``kind`` and gives no strength (no second positional argument, no ``strength=``);
    no strand calls the old rule or defines a rule of its own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems, n = [], 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and ("strength" in node.name.lower() or node.name == "p_words"):
            # a thin wrapper that hands over to helpers.evidence's function of the same name is allowed
            delegates = any(
                isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == node.name
                for c in ast.walk(node)
            )
            if not delegates:
                problems.append(f"{path.name}:{node.lineno} defines {node.name}: use helpers.evidence")
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "evidence_strength":
            problems.append(f"{path.name}:{node.lineno} calls the old evidence_strength")
        if name != "key_finding":
            continue
        n += 1
        keywords = {k.arg for k in node.keywords}  # None: a **mapping, whose keys key_finding checks itself
        if len(node.args) > 1 or "strength" in keywords or not ({"kind", None} & keywords):
            problems.append(f"{path.name}:{node.lineno} key finding without kind, or with a strength given")
    return problems, n


def test_every_strand_passes_results_not_verdicts():
    problems, by_strand = [], {}
    for path in sorted(STRANDS.rglob("*.py")):
        p, n = _scan(path)
        problems += [f"{path.parent.name}/{x}" for x in p]
        if n:
            by_strand[path.parent.name] = by_strand.get(path.parent.name, 0) + n
    assert not problems, "\n".join(problems)
    assert set(by_strand) == {
        "implementation",
        "scenarios",
        "interviews",
        "networks",
        "score15",
        "outcomes",
        "la_extracts",
        "workforce",
        "time_use",
    }


def test_the_scan_catches_a_typed_strength_and_a_local_rule(tmp_path):
    bad = tmp_path / "section.py"
    bad.write_text(
        "def my_strength(ci):\n    return 'weak'\n"
        "def build(section, n):\n"
        "    section.key_finding('text', 'weak', n=n)\n"
        "    section.key_finding('text', strength='weak', kind='effect')\n"
        "    section.key_finding('text', kind='fact', source='published')\n"
        "    section.key_finding('text', evidence_strength('records', n))\n",
        encoding="utf-8",
    )
    problems, n = _scan(bad)
    assert n == 4
    # the local rule, the two typed strengths, the old rule's call and its finding
    assert len(problems) == 5, problems


# ---- every badge of a built report, recomputed by hand ------------------------------------------------


@pytest.mark.parametrize("seed", range(400))
def test_the_rule_by_hand_is_the_rule_the_code_applies(seed):
    """tests/badge_check.py writes the rule out a second time (as the appendix prints it); on random
    results it gives what helpers.evidence gives, so a badge checked against it is checked against the rule."""
    rng = np.random.default_rng(seed)
    pick = lambda xs: xs[int(rng.integers(len(xs)))]  # noqa: E731
    est = pick([-2.0, 0.0, 1.5, NAN])
    ends = pick([None, (0.2, 3.0), (-3.0, -0.2), (-1.0, 1.0), (0.0, 2.0), (NAN, 1.0)])
    checks = [
        ev.Check(
            f"c{i}",
            pick([-1.0, 0.0, 1.0, NAN]),
            ci=pick([None, (0.1, 1.0), (-1.0, 1.0)]),
            p=pick([None, 0.01, 0.05, 0.3]),
            expect=pick(["same", "none"]),
        )
        for i in range(int(rng.integers(3)))
    ]
    reliability = pick([None, {"a": 0.9}, {"a": 0.9, "b": 0.69}, {"a": 0.7}, {"a": None}])
    inputs = ev.strength_inputs(
        pick(list(ev.DESIGNS)),
        pick(list(ev.UNITS)),
        pick([None, 3, 9, 10, 29, 30, 99, 100, 500]),
        estimate=est,
        ci=ends,
        p=pick([None, 0.001, 0.049, 0.05, 0.07, 0.5, NAN]),
        checks=checks,
        reliability=reliability,
    )
    assert badge_check.rule_by_hand(inputs) == (ev.strength(inputs), ev.strength(inputs, structural_only=True))


def test_the_badge_check_catches_a_wrong_badge(tmp_path):
    """A report whose badge says more than the rule gives, a badge with no finding, and a real finding
    printed without its badge: each fails the check."""
    s = Section(strand="x", title="X", order=1, processed_dir=tmp_path / "p", synthetic=False, threshold=5)
    s.key_finding("An effect.", kind="effect", design="comparison", unit="practitioners", units=64, ci=(0.5, 3.5))
    s.key_finding("A fact.", kind="fact", source="published")
    s.key_finding("Staff stayed.", kind="fact", source="published", topic="workforce", answer="Staff stayed.")
    s.save()
    ok = (
        '<li>An effect. <span class="fop-strength fop-badge-strength">Strength of evidence: <a>moderate</a>.</span></li>'
        '<li>A fact. <span class="fop-strength fop-badge-fact"><a>Published figure</a>.</span></li>'
        '<li>Workforce: in <a href="#main-points">Main points</a>. '
        '<span class="fop-strength fop-badge-fact"><a>Published figure</a>.</span></li>'
    )
    report = tmp_path / "r.html"
    report.write_text(ok, encoding="utf-8")
    assert badge_check.check_badges(tmp_path / "p", report) == {
        ("strength", "Strength of evidence: moderate"): 1,
        ("fact", "Published figure"): 2,
    }
    for bad in (
        ok.replace("moderate", "strong"),
        ok.replace("Workforce: in", "Costs: in"),  # a pointer to a topic with no such finding
        ok.replace("Workforce: in", "Workforce rose: at"),  # a badge whose line is no finding's
        ok.split("<li>Workforce:")[0],  # a real finding said only in the box, with no badge anywhere
        ok.replace("A fact.", "Another fact."),
        ok.split("<li>A fact.")[0],
        ok + "<p>Strength of evidence: strong.</p>",
    ):
        report.write_text(bad, encoding="utf-8")
        with pytest.raises(AssertionError):
            badge_check.check_badges(tmp_path / "p", report)


@pytest.mark.slow
def test_every_badge_in_the_built_report_follows_the_rule(built):
    report = built["tmp"] / "reports" / "focus_on_practice_evaluation.html"
    counts = badge_check.check_badges(built["processed"], report)
    assert sum(counts.values()) >= 10
    # nothing synthetic carries a strength, and no fact does
    for section in load_sections(built["processed"]):
        for f in section["key_findings"]:
            if section["synthetic"] or f["kind"] == "fact":
                assert f["strength"] is None
