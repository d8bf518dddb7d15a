"""The whole pipeline on generated data, asserting on the report a commissioner would read."""

import json
import re

import pandas as pd

import badge_check
from conftest import run_pipeline, write_test_declaration


def test_report_has_the_sections(built):
    html = built["html"]
    for heading in (
        "programme as implemented",
        "SCORE-15",
        "Data quality",
        "Practice scenarios",
        "network",
        "Interviews",
        "Local authority extracts",
    ):
        assert re.search(rf"<h2[^>]*>\s*\d+\.\s[^<]*{heading}", html), heading
    # The contents link to every numbered section heading and every top-level part.
    contents = re.search(r'<nav aria-labelledby="contents">(.*?)</nav>', html, re.S).group(1)
    links = re.findall(r'<a href="([^"#]*)#([^"]+)">', contents)
    anchors = [a for _, a in links]
    sections = list((built["processed"] / "report_sections").glob("*/section.json"))
    numbered = [a for a in anchors if re.fullmatch(r"section-\d+", a)]
    assert numbered == [f"section-{i}" for i in range(1, len(sections) + 2)]  # every strand section and data quality
    for part in ("main-points", "then-and-now", "summary", "about", "how-made", "technical-appendix", "glossary"):
        assert part in anchors
    # The technical appendix and the glossary are in the second file beside the report.
    reports = built["tmp"] / "reports"
    for file, anchor in links:
        target = (reports / file).read_text(encoding="utf-8") if file else html
        assert f'id="{anchor}"' in target, (file, anchor)
    assert dict((a, f) for f, a in links)["technical-appendix"] == "focus_on_practice_evaluation_appendix.html"


def test_report_has_no_code_and_no_external_scripts(built):
    html = built["html"]
    # Every code cell rendered without its input; no highlighted source, no In [ ] prompt anywhere.
    code_cells = re.findall(r'<div\b[^>]*\bclass="jp-Cell jp-CodeCell[^"]*"', html)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
    assert not re.search(r'<div[^>]*class="[^"]*(highlight|jp-InputPrompt)', html)
    assert "import helpers" not in html and "processed_dir_for" not in html
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert "cdnjs" not in html and "mathjax" not in html.lower()


def test_every_chart_inlined_with_alt_text_and_its_own_ids(built):
    """Charts are inline SVG (text searchable and selectable), each an image named by its alt text,
    with every id in the page unique (each chart's prefixed with its figure's id); any <img> is a data URI."""
    html = built["html"]
    charts = re.findall(r'<figure class="fop-figure" id="([^"]+)"><svg\b([^>]*)>(.*?)</svg>', html, re.S)
    assert len(charts) >= 5
    for figure_id, attrs, body in charts:
        assert 'role="img"' in attrs
        label = re.search(r'aria-label="([^"]*)"', attrs)
        assert label and len(label.group(1)) >= 20
        assert re.search(r"<text\b[^>]*>[^<]*\w", body), figure_id  # real text, not glyph outlines
        inner_ids = re.findall(r'\bid="([^"]+)"', body)
        assert all(i.startswith(figure_id + "-") for i in inner_ids), figure_id
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    for img in re.findall(r"<img\b[^>]*>", html):
        assert 'src="data:image/' in img and re.search(r'alt="[^"]{20,}"', img)


def test_synthetic_inputs_named_and_sections_marked(built):
    # The synthetic files are listed in "How this report was made"; each synthetic section says so in its box.
    assert "Synthetic inputs (" in built["html"] and 'class="fop-section fop-section-synthetic"' in built["html"]


def test_reconciliation_adds_up_and_malformed_rows_rejected(built):
    dq = built["processed"] / "data_quality"
    rec = pd.concat([pd.read_csv(f) for f in dq.glob("reconciliation_*.csv")])
    assert (rec["rows_read"] == rec["rows_accepted"] + rec["rows_rejected"]).all()
    s15 = rec.set_index("file").loc["score15_responses.csv"]
    planted = built["truth"]["strands"]["score15"]["malformed_rows"]
    assert s15["rows_rejected"] == planted
    assert len(pd.read_csv(dq / "rejected_score15_responses.csv")) == planted


def test_no_identifier_in_clear_reaches_the_report(built):
    raw_ids = pd.read_csv(built["tmp"] / "raw" / "families.csv")["family_id"]
    assert not any(i in built["html"] for i in raw_ids)
    staff = pd.read_csv(built["tmp"] / "raw" / "practitioners.csv")["practitioner_id"]
    assert not any(i in built["html"] for i in staff)


def test_manifest_records_the_run(built):
    manifest = json.loads((built["tmp"] / "runs" / "manifest.json").read_text())
    assert all(n["status"] == "ran" for n in manifest["notebooks"])
    assert manifest["notebooks"][0]["inputs_sha256"]


def test_planted_score15_change_recovered_by_the_pipeline(built):
    """The pipeline's own processed output (not a re-analysis) covers the generator's expected change."""
    expected = built["truth"]["strands"]["score15"]["expected_observed_change"]
    summary = pd.read_csv(built["processed"] / "score15" / "change_summary.csv").set_index(["unit", "group"])
    families = summary.loc[("families", "all")]
    assert families["ci_low"] <= expected["family_mean_change"] <= families["ci_high"]
    resp = summary.loc[("respondents", "all")]
    assert resp["family_boot_ci_low"] <= expected["respondent_mean_change"] <= resp["family_boot_ci_high"]


def test_explore_notebook_draws_a_family(built, tmp_path, run_notebook):
    """The evaluators' notebook runs with its defaults on the built data and writes PNG and SVG."""
    out = tmp_path / "maps"
    run_notebook(
        "explore_family_network.ipynb",
        tmp_path / "explore.ipynb",
        raw_dir=str(built["tmp"] / "raw"),
        processed_dir=str(built["tmp"] / "processed"),
        output_folder=str(out),
    )
    assert list(out.rglob("*.png")) and list(out.rglob("*.svg"))


def test_a_borough_with_no_data_still_gets_a_report(built, tmp_path):
    """An extract holding one borough only: the batch for another borough must not crash."""
    src, raw = built["tmp"] / "raw", tmp_path / "raw"
    raw.mkdir()
    fam = pd.read_csv(src / "families.csv", dtype=str)
    fam = fam[fam["borough"] == "Westminster"]
    staff = pd.read_csv(src / "practitioners.csv", dtype=str)
    staff = staff[staff["borough"] == "Westminster"]
    fam.to_csv(raw / "families.csv", index=False)
    staff.to_csv(raw / "practitioners.csv", index=False)
    for name in ("score15_responses.csv", "network_maps.csv", "network_members.csv", "network_ties.csv"):
        table = pd.read_csv(src / name, dtype=str, keep_default_na=False)
        table[table["family_id"].isin(fam["family_id"])].to_csv(raw / name, index=False)
    answers = pd.read_csv(src / "scenario_answers.csv", dtype=str, keep_default_na=False)
    answers = answers[answers["practitioner_id"].isin(staff["practitioner_id"])]
    answers.to_csv(raw / "scenario_answers.csv", index=False)
    codes = pd.read_csv(src / "scenario_codes.csv", dtype=str, keep_default_na=False)
    codes[codes["answer_id"].isin(answers["answer_id"])].to_csv(raw / "scenario_codes.csv", index=False)
    (raw / "scenarios.csv").write_bytes((src / "scenarios.csv").read_bytes())
    for name in ("hr_posts.csv", "hr_absence.csv", "time_use_survey.csv"):
        table = pd.read_csv(src / name, dtype=str, keep_default_na=False)
        table[table["borough"] == "Westminster"].to_csv(raw / name, index=False)
    (raw / "interviews.qdpx").write_bytes((src / "interviews.qdpx").read_bytes())  # all boroughs; no manifest beside it
    # The strands that read the families' and staff's files (the published statistics and the LA
    # returns are not in this extract's story, and are covered by the build above).
    steps = {"implementation", "scenarios", "score15", "networks", "interviews", "workforce", "time_use"}
    declaration = write_test_declaration(tmp_path / "pipeline.yaml", steps=steps)
    done = run_pipeline(tmp_path, raw, "--borough", "kensington_chelsea", "--pipeline", str(declaration))
    assert done.returncode == 0, done.stderr[-3000:]
    report = tmp_path / "reports" / "focus_on_practice_evaluation_kensington_chelsea.html"
    html = report.read_text(encoding="utf-8")
    assert sum(badge_check.check_badges(tmp_path / "processed" / "kensington_chelsea", report).values()) >= 1
    assert "No practice-scenario answer could be scored in Kensington and Chelsea" in html
    assert "No network maps were available" in html
    assert "The HR extract holds no social work posts for Kensington and Chelsea" in html
    assert "No time-use survey answers were available for Kensington and Chelsea" in html
    # The files were rewritten, so none of them is byte-identical to the generator's: none listed as synthetic.
    assert "Synthetic inputs (" not in html


def test_a_file_missing_a_column_stops_the_run_naming_file_and_column(built, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for f in (built["tmp"] / "raw").glob("*.csv"):
        (raw / f.name).write_bytes(f.read_bytes())
    table = pd.read_csv(raw / "score15_responses.csv", dtype=str, keep_default_na=False)
    table.drop(columns=["q07"]).to_csv(raw / "score15_responses.csv", index=False)
    done = run_pipeline(tmp_path, raw, "--only", "score15")
    assert done.returncode == 1
    failed = [line for line in done.stderr.splitlines() if line.startswith("FAILED:")]
    assert len(failed) == 1
    assert "IngestError" in failed[0] and "score15_responses.csv: missing required column(s) q07" in failed[0]


def test_outcomes_section_marked_as_real_published_statistics(built):
    from helpers import public_data

    html = built["html"]
    # The section's title states its finding; the section is found by its folder's strand.
    sections = {
        s["strand"]: s for s in __import__("helpers.report_section").report_section.load_sections(built["processed"])
    }
    assert sections["outcomes"]["title"] in html.replace("&#x27;", "'")
    if public_data.available():
        assert "Real data: published statistics." in html
    else:
        assert "FOP_PUBLIC_DATA" in html
