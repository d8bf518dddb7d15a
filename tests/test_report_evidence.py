"""One rule for the strength of evidence, and one formatter for the numbers a reader sees.

The expected strengths below are worked out by hand from the rules printed in the report's
methods appendix (``STRENGTH_RULES``), one branch at a time; the scan at the end checks that every
strand's key findings take their strength from that one function.
"""

import ast
from pathlib import Path

import pytest

from helpers import report
from helpers.report_section import (
    DESIGN_CEILING,
    STRENGTH_INTRO,
    STRENGTH_RULES,
    Section,
    evidence_strength,
    format_number,
    join_words,
    lower_first,
)

STRANDS = Path(__file__).resolve().parents[1] / "src" / "helpers" / "strands"
NAN = float("nan")

# ---- the rule, branch by branch ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs,expected",
    [
        # design sets the ceiling (200 people, nothing else against)
        ({"design": "records", "n": 200}, "strong"),
        ({"design": "randomised", "n": 200}, "strong"),
        ({"design": "comparison", "n": 200}, "moderate"),
        ({"design": "before_after", "n": 200}, "weak"),
        ({"design": "cross_sectional", "n": 200}, "weak"),
        ({"design": "none", "n": 200}, "not possible to tell"),
        # size: under 10 (or not known) cannot tell; 10-29 weak; 30-99 moderate; 100 or more no cap
        ({"design": "records", "n": None}, "not possible to tell"),
        ({"design": "records", "n": NAN}, "not possible to tell"),
        ({"design": "records", "n": 9}, "not possible to tell"),
        ({"design": "records", "n": 10}, "weak"),
        ({"design": "records", "n": 29}, "weak"),
        ({"design": "records", "n": 30}, "moderate"),
        ({"design": "records", "n": 99}, "moderate"),
        ({"design": "records", "n": 100}, "strong"),
        # reliability: a coefficient under 0.7, or a failed benchmark (False), caps at weak
        ({"design": "records", "n": 200, "reliability": 0.69}, "weak"),
        ({"design": "records", "n": 200, "reliability": 0.7}, "strong"),
        ({"design": "records", "n": 200, "reliability": False}, "weak"),
        ({"design": "records", "n": 200, "reliability": True}, "strong"),
        ({"design": "records", "n": 200, "reliability": NAN}, "strong"),  # not known: no cap
        # consistency: a check pointing the other way caps at weak
        ({"design": "randomised", "n": 500, "reliability": 0.9, "consistent": False}, "weak"),
        ({"design": "randomised", "n": 500, "reliability": 0.9, "consistent": True}, "strong"),
        # the 95% interval of an effect: including 0 (or missing) cannot tell
        ({"design": "comparison", "n": 200, "ci": (0.1, 0.5)}, "moderate"),
        ({"design": "comparison", "n": 200, "ci": (-0.5, -0.1)}, "moderate"),
        ({"design": "comparison", "n": 200, "ci": (-0.1, 0.5)}, "not possible to tell"),
        ({"design": "comparison", "n": 200, "ci": (0.0, 0.5)}, "not possible to tell"),  # touches zero
        ({"design": "comparison", "n": 200, "ci": (0.5, -0.1)}, "not possible to tell"),  # either order
        ({"design": "comparison", "n": 200, "ci": (NAN, 0.5)}, "not possible to tell"),
        # only a p-value (a placebo test): 0.05 or more (or missing) cannot tell
        ({"design": "comparison", "n": 200, "p": 0.049}, "moderate"),
        ({"design": "comparison", "n": 200, "p": 0.05}, "not possible to tell"),
        ({"design": "comparison", "n": 200, "p": NAN}, "not possible to tell"),
        # the lowest any input allows
        ({"design": "comparison", "n": 50, "reliability": 0.9, "consistent": True, "ci": (1, 2)}, "moderate"),
        ({"design": "comparison", "n": 20, "reliability": 0.9, "consistent": True, "ci": (1, 2)}, "weak"),
        ({"design": "before_after", "n": 5, "ci": (1, 2)}, "not possible to tell"),
        ({"design": "comparison", "n": 200, "consistent": False, "p": 0.01}, "weak"),
    ],
)
def test_evidence_strength_each_branch(kwargs, expected):
    assert evidence_strength(**kwargs) == expected


def test_the_printed_rules_name_every_cut_off_the_function_applies():
    text = " ".join(STRENGTH_RULES.values())
    for cut in ("0.7", "100 people", "30 people", "10 people", "0.05", "includes no change (zero)", "p-value"):
        assert cut in text, cut
    # the designs' ceilings as printed: random allocation and records can be strong, a comparison moderate
    assert "random allocation" in STRENGTH_RULES["strong"] and "records" in STRENGTH_RULES["strong"]
    assert (
        "comparison design" in STRENGTH_RULES["moderate"] and "difference in differences" in STRENGTH_RULES["moderate"]
    )
    assert "before-after" in STRENGTH_RULES["weak"]
    assert "no usable design" in STRENGTH_RULES["not possible to tell"]
    assert set(DESIGN_CEILING.values()) <= set(STRENGTH_RULES)
    html = report.strength_rules_html()
    assert STRENGTH_INTRO.split(".")[0] in html and "Five things are weighed" in html


# ---- every strand takes its strength from the one function ---------------------------------------


def _is_strength_call(node) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "evidence_strength")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "evidence_strength")
    )


def _strength_arg(call: ast.Call):
    for kw in call.keywords:
        if kw.arg == "strength":
            return kw.value
    return call.args[1] if len(call.args) > 1 else None


def _scan(path: Path) -> tuple[list[str], int]:
    """Problems in one strand module, and how many key findings it hands the report.

    A strength must be a call of ``evidence_strength`` or a name assigned only from such calls in
    the same function; the module imports the function from ``helpers.report_section`` and defines
    no rule of its own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems, n_findings = [], 0
    imported = any(
        isinstance(node, ast.ImportFrom)
        and (node.module or "").endswith("report_section")
        and any(a.name == "evidence_strength" and a.asname is None for a in node.names)
        for node in ast.walk(tree)
    )
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and "strength" in node.name.lower():
            problems.append(f"{path.name}:{node.lineno} defines {node.name}: use helpers.report_section's")
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        assigned: dict[str, list] = {}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Assign):
                for target in sub.targets:
                    if isinstance(target, ast.Name):
                        assigned.setdefault(target.id, []).append(sub.value)
        for sub in ast.walk(node):
            if not (
                isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr == "key_finding"
            ):
                continue
            n_findings += 1
            arg = _strength_arg(sub)
            ok = _is_strength_call(arg) or (
                isinstance(arg, ast.Name) and assigned.get(arg.id) and all(map(_is_strength_call, assigned[arg.id]))
            )
            if not ok:
                problems.append(f"{path.name}:{sub.lineno} key finding's strength does not come from evidence_strength")
    if n_findings and not imported:
        problems.append(f"{path.name}: key findings without `from ...report_section import evidence_strength`")
    return problems, n_findings


def test_every_strand_key_finding_takes_its_strength_from_the_one_rule():
    """Why a static scan: ``Section.key_finding`` accepts any of the four words (the report's own
    tests and toy sections use it), so only the strands' code shows where a strength comes from.
    Typing "weak", or a local rule, would let the report print one rule and apply another."""
    problems, findings_by_strand = [], {}
    for path in sorted(STRANDS.rglob("*.py")):
        p, n = _scan(path)
        problems += [f"{path.parent.name}/{x}" for x in p]
        if n:
            findings_by_strand[path.parent.name] = findings_by_strand.get(path.parent.name, 0) + n
    assert not problems, "\n".join(problems)
    # every strand with a report section was scanned and has findings (a new strand joins this list)
    assert set(findings_by_strand) == {
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
        "from helpers.report_section import evidence_strength\n"
        "def evidence_strength_local(ci):\n    return 'weak'\n"
        "def build(section, n):\n"
        "    section.key_finding('text', 'weak', n=n)\n"
        "    s = 'moderate'\n"
        "    section.key_finding('text', strength=s, n=n)\n"
        "    t = evidence_strength('records', n)\n"
        "    section.key_finding('text', strength=t, n=n)\n"
        "    section.key_finding('text', evidence_strength('comparison', n, ci=(1, 2)))\n",
        encoding="utf-8",
    )
    problems, n = _scan(bad)
    assert n == 4
    assert len(problems) == 3  # the local rule and the two typed strengths; the two calls pass


# ---- one formatter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x,fmt,expected",
    [
        (-0.001, "{:+.1f}", "0.0"),  # rounds to zero: no sign
        (0.04, "{:+.1f}", "0.0"),
        (-0.04, "{:.1f}", "0.0"),
        (-0.29, "{:.2f}", "-0.29"),  # a real negative keeps its sign
        (-0.05, "{:+.2f}", "-0.05"),
        (-0.1, "{:+.1f}", "-0.1"),
        (0.25, "{:+.2f}", "+0.25"),
        (-0.0, "£{:,.1f} million", "£0.0 million"),
        (-0.4, "{:.0f}%", "0%"),
        (-10.0, "{:.0f}", "-10"),
        (12345.678, "{:,.1f}", "12,345.7"),
        (None, "{:.1f}", "–"),
        (NAN, "{:.1f}", "–"),
        ("c", "{:.1f}", "c"),  # a suppressed cell stays "c"
    ],
)
def test_format_number(x, fmt, expected):
    assert format_number(x, fmt) == expected


def test_section_number_methods(tmp_path):
    s = Section(strand="x", title="X", order=1, processed_dir=tmp_path, synthetic=True, threshold=5)
    assert s.value(2.345, 50, "{:.2f}") == "2.35" and s.value(2.345, 5) == "c" and s.value(-0.01, 50) == "0.0"
    assert s.ci(-1.25, 3.5, 50) == "-1.2 to 3.5"  # Python rounds half to even: -1.25 -> -1.2
    assert s.ci(-1.0, 3.0, 4) == "c to c"
    assert s.ci(NAN, 3.0, 50) == "not computed"
    assert s.ci(-15570.94, 14090.3, None, "{:,.1f}") == "-15,570.9 to 14,090.3"  # published: no group
    assert s.cell("c") == "c" and s.cell(1234) == "1,234" and s.cell(-0.2, "{:.0f}") == "0"
    assert s.count_share(46, 41.8) == "46 (42%)" and s.count_share("c", 3.0) == "c" and s.count_share(40, "c") == "c"
    assert s.published(-7.0881, "{:+.1f}") == "-7.1" and s.published(None) == "–"
    assert report._format_number(-0.004, 2) == "0.00" and report._format_number(1234.5, 0) == "1,234"


def test_words():
    assert join_words([]) == "" and join_words(["a"]) == "a" and join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert lower_first("Children looked after at 31 March") == "children looked after at 31 March"


def test_a_key_figure_names_its_interval(tmp_path):
    s = Section(strand="x", title="X", order=1, processed_dir=tmp_path, synthetic=False)
    s.key_finding("A placebo comparison.", "not possible to tell", 0.3, (-14.3, 17.8), interval="90% placebo interval")
    s.key_finding("A change.", "weak", -0.29, (-0.37, -0.21), n=147)
    placebo, change = (report._finding_number(f) for f in s.key_findings)
    assert "0.3 (90% placebo interval -14.3 to 17.8)" in placebo and "95% CI" not in placebo
    assert "-0.29 (95% CI -0.37 to -0.21)" in change
