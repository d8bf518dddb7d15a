"""One authority's own report (issue 23): the authority named in the title, the scope line and the
answer box; each section's notice said first; one line per strand left out, naming the files that
would bring it in; the LA extract returns read listed in the data-quality section. A default build
(no ``la`` in run_info.json) reads as before. Expected words are written by hand from the planted
run_info, sections and ledger."""

import json
import re
from html import unescape

import pandas as pd
import pytest

from helpers import provenance
from helpers.report import answer, authority, data_quality, header, kinds, made, summary, then_and_now
from helpers.report.export import _heading
from toy_sections import write_section

#: What the findings of these made-up sections are: facts from the published statistics.
PUBLISHED_FACT = {"kind": "fact", "source": "published"}
NOTICE = "These extracts are a validator project's fake return, not Leeds's data."


def _text(html):
    inline = re.sub(r"</?(?:a|b|span|code|em|strong)\b[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def _leeds(tmp_path):
    """An authority's build as the runner leaves it: la and la_name, two steps left out, and the HR part
    recorded as left out by its notebook."""
    info = {
        "la": 383,
        "la_name": "Leeds",
        "left_out": [
            {
                "step": "scenarios",
                "description": "Practice scenarios - reliability of the double coding.",
                "needs": ["practitioners.csv", "scenarios.csv"],
                "missing": [],
                "synthetic": ["practitioners.csv", "scenarios.csv"],
                "reason": "the synthetic generator's",
            },
            {
                "step": "time_use",
                "description": "Time use - how practitioners spend a week.",
                "needs": ["practitioners.csv", "time_use_survey.csv"],
                "missing": ["time_use_survey.csv"],
                "synthetic": [],
                "reason": "missing",
            },
        ],
    }
    (tmp_path / "run_info.json").write_text(json.dumps(info), encoding="utf-8")
    provenance.record_left_out(
        tmp_path,
        "workforce_hr",
        {"description": "Workforce from the HR extract", "needs": ["hr_posts.csv"], "missing": ["hr_posts.csv"]},
    )
    write_section(
        tmp_path,
        40,
        "outcomes",
        "Outcomes",
        "real",
        findings=[{"topic": "children_in_care", "answer": "Fell.", **PUBLISHED_FACT}],
    )
    write_section(tmp_path, 45, "la_extracts", "Leeds's own returns: indicators", "synthetic", notice=NOTICE)
    return tmp_path


def test_an_authoritys_report_names_it_and_says_its_notice_first(tmp_path):
    processed = _leeds(tmp_path)
    head = header.header_html(processed, "all")
    text = _text(head)
    assert text.startswith("Leeds, analysed as in the Focus on Practice evaluation")
    assert "Scope: Leeds (DfE LA 383), against its own statistical neighbours." in text
    assert "all three boroughs" not in text
    assert f"Read this first. {NOTICE}" in text  # in the header, so before the answer box
    assert (
        'Leeds was not one of the three Focus on Practice boroughs: "before" and "after the programme" here mean '
        "before and after the boroughs' programme began, applied to Leeds's figures."
    ) in text
    assert text.endswith(
        "Left out for want of Leeds's own data: practice scenarios, time use and workforce from the HR extract "
        "(the files that would bring each in)."
    )
    assert 'href="#left-out"' in head and 'id="left-out"' in authority.left_out_html(processed)
    assert _heading(_notebook(head)) == "Leeds, analysed as in the Focus on Practice evaluation"
    box = _text(answer.answer_html(processed))
    assert box.startswith("Main points for Leeds: what the published statistics show Children in care: Fell.")
    # the test extracts are neither "synthetic in the shape of the boroughs'" nor a finding
    assert box.endswith("Section 2 runs on test extracts (the note above); none of its numbers is a finding.")
    assert "boroughs" not in box


def _notebook(html):
    import nbformat

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
    nb.cells = [cell]
    return nb


def test_each_strand_left_out_gets_one_line_naming_the_files(tmp_path):
    processed = _leeds(tmp_path)
    html = authority.left_out_html(processed)
    lines = [_text(li) for li in re.findall(r"<li>(.*?)</li>", html)]
    assert lines == [
        "Practice scenarios: Leeds's own practitioners.csv and scenarios.csv in the raw folder would bring it in "
        "(those in the raw folder now are the synthetic generator's).",
        "Time use: Leeds's own practitioners.csv and time_use_survey.csv in the raw folder would bring it in "
        "(not in the raw folder: time_use_survey.csv).",
        "Workforce from the HR extract: Leeds's own hr_posts.csv in the raw folder would bring it in "
        "(not in the raw folder: hr_posts.csv).",
    ]
    assert "3 strands of the evaluation need data only the authority holds" in _text(html)
    provenance.record_left_out(processed, "workforce_hr", None)  # the HR files came: the line goes
    assert len(re.findall(r"<li>", authority.left_out_html(processed))) == 2


def test_the_sections_say_what_they_are_about_for_one_authority(tmp_path):
    processed = _leeds(tmp_path)
    about = _text(made.about_data_html(processed))
    assert "Section 1 (“Outcomes”) uses real statistics" in about and "are about Leeds itself." in about
    assert "Section 2 (“Leeds's own returns”) uses test extracts (named at the top of this report)" in about
    assert "synthetic data in the shape of the boroughs'" not in about
    sections = {s["strand"]: s for s in __import__("helpers").report_section.load_sections(processed)}
    note = _text(kinds.kind_note_html(sections["la_extracts"]))
    assert note == f"Test data: an illustration, not findings. {NOTICE}"
    summ = _text(summary.summary_html(processed))
    assert "From test extracts: what the analysis would show" in summ and "From synthetic data" not in summ
    then = _text(then_and_now.then_and_now_html(processed))
    assert "This report is for Leeds, so they are not set against its figures" in then
    assert "Published statistics now" not in then  # the boroughs' claims are not set against Leeds


def test_the_data_quality_section_lists_every_return_read(tmp_path):
    processed = _leeds(tmp_path)
    folder = processed / "data_quality"
    folder.mkdir()
    pd.DataFrame(
        [
            ["ssda903", "SSDA903", "383", "", "2018", 5050, "episodes", "used", "used"],
            ["cin_census.xml", "CIN census", "999", "999", "2018", 402, "referrals", "outside", "outside"],
        ],
        columns=["folder", "return", "la_code", "header_lea", "year", "records", "record_kind", "fate", "status"],
    ).to_csv(folder / "la_extract_returns.csv", index=False)
    html = data_quality.returns_html(processed, 4)
    text = _text(html)
    assert "LA extract returns: 2 returns read: 1 used and 1 outside this report's scope." in text
    assert "5,050 episodes" in text and "402 referrals" in text and 'id="s4-returns"' in html
    assert data_quality.returns_html(processed, 4, appendix=True) == ""  # a short table stays in the body


def test_a_default_build_reads_as_before(tmp_path):
    write_section(
        tmp_path, 40, "outcomes", "Outcomes", "real", findings=[{"topic": "costs", "answer": "Cost.", **PUBLISHED_FACT}]
    )
    head = _text(header.header_html(tmp_path, "all"))
    assert head.startswith("Focus on Practice: evaluation report Scope: all three boroughs.")
    assert "Read this first" not in head and "was not one of" not in head
    assert authority.left_out_html(tmp_path) == "" and data_quality.returns_html(tmp_path, 2) == ""
    assert _text(answer.answer_html(tmp_path)).startswith("Main points: what the published statistics show")


def test_the_hr_part_left_out_is_recorded_with_the_files_and_its_old_section_removed(tmp_path):
    from helpers.strands.workforce import inputs

    raw, processed = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    (raw / "hr_posts.csv").write_text("worker_id\n", encoding="utf-8")  # an authority's own, not generated
    old = processed / "report_sections" / "50_workforce_hr"
    old.mkdir(parents=True)
    (old / "section.json").write_text("{}", encoding="utf-8")
    reason = inputs.hr_left_out(raw, 383)
    assert reason == "no hr_absence.csv in the raw folder"
    inputs.record_hr_left_out(processed, raw, reason, old)
    (entry,) = provenance.left_out(processed)
    assert entry["needs"] == ["hr_posts.csv", "hr_absence.csv"] and entry["missing"] == ["hr_absence.csv"]
    assert entry["step"] == "workforce_hr" and not old.exists()
    inputs.record_hr_left_out(processed, raw, "", old)  # both files there next time: the line goes
    assert provenance.left_out(processed) == []


def test_a_boroughs_own_report_does_not_say_it_was_not_one_of_them(tmp_path):
    (tmp_path / "run_info.json").write_text(json.dumps({"la": 213, "la_name": "Westminster"}), encoding="utf-8")
    text = _text(header.header_html(tmp_path, "all"))
    assert "Scope: Westminster (DfE LA 213)" in text and "was not one of" not in text


@pytest.mark.filterwarnings("ignore:.*not checked against the reports of")  # made-up scopes: no other reports
def test_a_boroughs_answer_box_names_the_borough_in_its_heading(tmp_path):
    """One borough's report (its outputs in processed/<scope>/): the heading names the borough, so that the
    findings' lines need not; the three boroughs' report names none."""
    for scope, heading in (
        ("kensington_chelsea", "Main points for Kensington and Chelsea: what the published statistics show "),
        ("all", "Main points: what the published statistics show "),
    ):
        folder = tmp_path / scope
        write_section(
            folder,
            40,
            "outcomes",
            "Outcomes",
            "real",
            findings=[{"topic": "costs", "answer": "Cost.", **PUBLISHED_FACT}],
        )
        assert _text(answer.answer_html(folder)).startswith(heading + "Costs: Cost.")


def test_the_summary_of_an_authoritys_report_names_its_test_section_and_no_programme(tmp_path):
    """Leeds's report (outcomes real, section 2 on test extracts): the summary names section 2 by its
    number, with a singular verb, and says nothing of the boroughs' programme or its training."""
    processed = _leeds(tmp_path)
    assert authority.outside_programme(processed) == "Leeds"
    text = _text(summary.summary_html(processed)).split("What this evaluation can and cannot conclude ")[1]
    assert text == (
        "Section 2 uses test extracts (named at the top of this report): its figures show what the analysis would "
        "report and conclude nothing. The 1 section built on real data handed over no estimate of an effect, so "
        "the summary can state no effect from them. No finding reaches strong evidence: a comparison with other "
        "authorities' published figures cannot show what caused a difference."
    )


def test_conclusions_count_synthetic_sections_with_the_verb_that_fits(tmp_path):
    """Sections 1 (real, one weak estimate), 2 (synthetic) and 3 (test extracts), read by hand: one section
    of three is synthetic ("1 of 3 sections uses"), section 3 is named; for another authority the weak
    estimate is not read as anything done there, and no sentence speaks of the programme's training."""
    sections = [
        {"data_kind": "real", "key_findings": [{"strength": "weak"}]},
        {"data_kind": "synthetic", "synthetic": True, "key_findings": []},
        {"data_kind": "synthetic", "synthetic": True, "notice": "test data", "key_findings": []},
    ]
    text = summary.conclusions_text(sections, "Leeds")
    assert text.startswith(
        "1 of 3 sections uses synthetic data and concludes nothing about the programme. Section 3 uses test "
        "extracts (named at the top of this report): its figures show what the analysis would report and conclude "
        "nothing. From the 1 section built on real data, the strongest evidence any estimate of an effect reaches "
        "is weak; 1 of 1 such estimates are weak or cannot tell, and should not be read as the effect of anything "
        "done in Leeds."
    )
    assert "programme as implemented" not in text and "trained" not in text
    boroughs = summary.conclusions_text(sections)  # the default build: the programme's own words
    assert "should not be read as effects of the programme." in boroughs
    assert "no strand could compare trained and untrained staff" in boroughs
    assert boroughs.endswith("a change before most staff were trained cannot be the training's.")


def test_a_boroughs_own_report_is_not_outside_the_programme(tmp_path):
    (tmp_path / "run_info.json").write_text(json.dumps({"la": 213, "la_name": "Westminster"}), encoding="utf-8")
    assert authority.outside_programme(tmp_path) is None
    assert authority.outside_programme(tmp_path / "default") is None  # no run_info: the default build


def test_values_set_to_missing_are_said_with_their_files():
    """6 dates blanked in uasc.csv and 1 in b.csv (by hand: 7 values, files in name order); none: no sentence."""
    rec = pd.DataFrame(
        {"file": ["uasc.csv", "a.csv", "b.csv"], "values_set_to_missing": [6, 0, 1]},
    )
    assert data_quality._cleared_sentence(rec, 7) == (
        "A further 7 single values (1 in b.csv and 6 in uasc.csv) were outside the values the format allows and "
        "treated as missing rather than rejecting the whole row. "
    )
    assert data_quality._cleared_sentence(rec.iloc[1:2], 0) == ""
