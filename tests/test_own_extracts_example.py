"""The example of one authority's own report (config/own_extracts_example.yaml) built end to end: the
DfE validator projects' fake return read in place and labelled as Leeds (383). Expected values are
worked out from the conformance files and the public CSV files with csv / ElementTree, not from the
project's readers."""

import csv
import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest
import yaml

import badge_check
from conftest import run_pipeline
from helpers import config, public_data
from test_la_extracts_readers import CONFORMANCE, needs_conformance

EXAMPLE = config.PROJECT_ROOT / "config" / "own_extracts_example.yaml"
LEEDS = "383"


def _published(measure: str, year: int, code: str = LEEDS) -> float:
    with open(public_data.public_data_dir() / "csc_indicators_preferred.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if (r["old_la_code"] or r["la_code"]) == code and r["measure"] == measure and r["year"] == str(year):
                return float(r["value"])
    raise KeyError((measure, year, code))


def _cla_at_31_march(year: int) -> int:
    """Children with a non-short-break episode open on 31 March, counted from episodes.csv."""
    end = dt.date(year, 3, 31)

    def d(s):
        return dt.datetime.strptime(s, "%d/%m/%Y").date() if s else None

    with open(CONFORMANCE / "ssda903" / "episodes.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["LS"] not in ("V3", "V4")]
    return len({r["CHILD"] for r in rows if d(r["DECOM"]) <= end and (not r["DEC"] or d(r["DEC"]) > end)})


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("own")
    raw = tmp / "raw"  # no raw file: every strand built on the programme's own data is left out
    raw.mkdir()
    # The example as shipped, with the outcomes cut to one outcome and no pyfixest cross-check (the slowest
    # step; its other outcomes are tested in tests/test_outcomes.py): the suite must stay within its time.
    args = ["--params", str(EXAMPLE), "--set", "outcomes.outcomes=[cla_rate]", "--set", "outcomes.use_pyfixest=false"]
    named = yaml.safe_load(EXAMPLE.read_text())["notebooks"]["la_extracts"]["extract_dir"]
    if config.resolve(named[0]).resolve() != (CONFORMANCE / "ssda903").resolve():
        # the example names ../shared/conformance; here the same files are elsewhere
        paths = f"[{CONFORMANCE / 'ssda903'}, {CONFORMANCE / 'cin' / 'fake_CIN_data.xml'}]"
        args += ["--set", f"dfe_validation.extract_dir={paths}", "--set", f"la_extracts.extract_dir={paths}"]
    done = run_pipeline(tmp, raw, *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (scope,) = [p.parent for p in (tmp / "processed").rglob("run_info.json") if p.parent.name == "la383"]
    (report,) = [
        p for p in (tmp / "reports").glob("focus_on_practice_evaluation_la383*.html") if "_appendix" not in p.name
    ]
    return {
        "tmp": tmp,
        "scope": scope,
        "report": report,
        "html": report.read_text(encoding="utf-8"),
        "log": done.stdout,
    }


def _section(scope: Path, name: str) -> dict:
    return json.loads((scope / "report_sections" / name / "section.json").read_text(encoding="utf-8"))


@pytest.mark.slow
@needs_conformance
def test_the_report_is_leeds_own_and_says_the_extracts_are_test_data(example):
    info = json.loads((example["scope"] / "run_info.json").read_text())
    assert info["la"] == 383 and info["la_name"] == "Leeds"
    left = {s["step"]: s for s in info["left_out"]}
    assert {"implementation", "scenarios", "score15", "networks", "interviews", "time_use"} <= set(left)
    assert "scenario_answers.csv" in left["scenarios"]["needs"]
    la = _section(example["scope"], "45_la_extracts")
    assert "Leeds" in la["title"] and "fake test return" in la["notice"] and "not Leeds's data" in la["notice"]
    assert la["notice"].split(":")[0] in html.unescape(example["html"])  # said in the report
    text = " ".join(i.get("text", "") for i in la["items"])
    assert "not found" not in text and "test extracts, not Leeds's own" in text
    # made-up children: their differences from Leeds's published figures are not for an analyst to explain
    assert "differences from the published figures are expected" in text and "analyst must explain" not in text
    # one clear line naming both numbers, and the analyst's word that the folder (here: la) is right
    assert "its CIN header says LEA 975, this report is for LA 383, and trust_folder_la is set" in text
    led = list(csv.DictReader(open(example["scope"] / "data_quality" / "la_extract_returns.csv")))
    assert [(r["return"], r["la_code"], r["fate"]) for r in led] == [
        ("SSDA903", LEEDS, "used"),
        ("CIN census", LEEDS, "used"),
    ]
    with open(CONFORMANCE / "ssda903" / "episodes.csv", newline="") as fh:
        assert int(led[0]["records"]) == sum(1 for _ in csv.DictReader(fh))


@pytest.mark.slow
@needs_conformance
def test_its_indicators_validation_reconciliation_pathways_and_costs(example):
    scope = example["scope"]
    status = json.loads((scope / "la_extracts" / "validation" / "status.json").read_text())
    assert status["status"] == "ran" and set(status["returns"]) == {"SSDA903 383 2018", "CIN 383 2022"}
    rec = list(csv.DictReader(open(scope / "report_sections" / "45_la_extracts" / "reconciliation_counts.csv")))
    cla = next(r for r in rec if r["year"] == "2018" and r["measure_label"] == "Children looked after at 31 March")
    assert float(cla["value_derived"]) == _cla_at_31_march(2018)
    assert float(cla["value_published"]) == _published("cla_at_31_march_number", 2018)
    assert (scope / "report_sections" / "45_la_extracts" / "pathway_rates.csv").exists()
    cost = next(csv.DictReader(open(scope / "report_sections" / "45_la_extracts" / "cost_vs_s251.csv")))
    days = sum(
        int(r["days"])
        for r in csv.DictReader(open(scope / "la_extracts" / "placement_days.csv"))
        if r["year"] == "2018"
    )
    assert float(cost["cost_own"]) == pytest.approx(days / 7 * _published("s251_cla_weekly_unit_cost_gbp", 2018))
    assert float(cost["s251_cla_gross_gbp"]) == _published("s251_cla_gross_expenditure_gbp", 2018)


@pytest.mark.slow
@needs_conformance
def test_outcomes_and_workforce_compare_leeds_with_its_own_neighbours(example):
    outcomes = _section(example["scope"], "40_outcomes")
    assert "# How Leeds is compared" in " ".join(i.get("text", "") for i in outcomes["items"])
    # the summary's finding names Leeds; the answer box's line does not need to: its heading does
    in_care = [f for f in outcomes["key_findings"] if f.get("answer", "").startswith("Children in care ")]
    assert len(in_care) == 1 and in_care[0]["text"].startswith("Children in care in Leeds ")
    assert " in Leeds" not in in_care[0]["answer"]
    workforce = _section(example["scope"], "50_workforce")
    assert "Leeds is compared with its statistical neighbours" in workforce["items"][0]["text"]
    # the HR part is left out (no HR files of Leeds's): no section, one line in the list of strands left out
    assert not (example["scope"] / "report_sections" / "50_workforce_hr").exists()


def _visible(html_text: str) -> str:
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", html_text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.slow
@needs_conformance
def test_the_report_reads_as_leeds_own_from_its_first_line(example):
    text = _visible(example["html"])
    assert "<title>Leeds, analysed as in" in example["html"]
    assert text.startswith("Leeds, analysed as in the Focus on Practice evaluation")
    la = _section(example["scope"], "45_la_extracts")
    notice, box = text.index(" ".join(la["notice"].split())), text.index("Main points for Leeds")
    assert notice < box  # said plainly at the top, before the answer box
    assert "Scope: Leeds (DfE LA 383)" in text and "all three boroughs" not in text
    assert "not found" not in text.lower()
    # and, before the answer box, which strands are left out
    brief = text.index("Left out for want of Leeds's own data: the programme as implemented, practice scenarios")
    assert brief < box and "interviews, time use and workforce stability from the HR extract ( the files" in text
    # one line per strand left out, each naming the files that would bring it in
    lines = re.findall(r"<li><b>([^<]+)</b>: Leeds's own ([^<]+?) in the raw folder would bring it in", example["html"])
    assert {name for name, _ in lines} >= {
        "The programme as implemented",
        "Practice scenarios",
        "Interviews",
        "Time use",
        "Workforce stability from the HR extract",
    }
    assert dict(lines)["Time use"] == "practitioners.csv and time_use_survey.csv"
    # the data-quality section lists the returns read and what happened to each
    assert "LA extract returns: 2 returns read: 2 used." in text
    assert "5,050 episodes" in text and "fake_CIN_data.xml" in text
    # no wording that assumes the three boroughs (the body and the technical appendix): Leeds is named
    # in the charts' captions, section 2 (test extracts) is named by its number, and the cost of care is
    # Leeds's, with no programme cost (Leeds did not run it)
    appendix = _visible(example["report"].with_name(example["report"].stem + "_appendix.html").read_text())
    for words in ("each borough", "the boroughs, their neighbours", "where the boroughs fall", "sections use"):
        assert words not in text and words not in appendix, words
    assert "could be credited" not in text and "three boroughs together" not in text
    assert "per 10,000 children: Leeds, its neighbours and England" in text
    assert ": Leeds against a weighted mix of other LAs" in appendix  # "Synthetic control" links the glossary
    assert "Section 2 uses test extracts" in text and "the effect of anything done in Leeds" in text
    assert "Leeds did not run the programme, so no programme cost is set against it." in text
    assert "individual answer" not in text  # the values blanked are dates in uasc.csv, not answers
    # the charts of the fake return say test data (it is not this project's synthetic data)
    assert "TEST DATA: illustrative" in example["html"] and "SYNTHETIC DATA" not in example["html"]


@pytest.mark.slow
@needs_conformance
def test_every_badge_of_the_authoritys_report_follows_the_rule(example):
    """The authority's published findings are facts; its LA-extract findings (test data) are illustrative."""
    counts = badge_check.check_badges(example["scope"], example["report"])
    assert counts.get(("fact", "Published figure"), 0) >= 1, counts
    # one authority is one independent unit: none of its effects can be told from the published figures
    assert all(words == "Strength of evidence: not possible to tell" for style, words in counts if style == "strength")
