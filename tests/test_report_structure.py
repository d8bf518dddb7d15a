"""The report's shape: the answer box first, the 2016 evaluation beside today's evidence, each kind of
data said once, sources in full once, and the technical appendix as a second file with its links
reconciled. Expected sentences are written by hand from the planted key findings."""

import re
from html import unescape
from html.parser import HTMLParser

import nbformat
import pytest

from helpers import evidence, report
from helpers.report import answer, export, kinds, made, then_and_now
from toy_sections import write_section

DFE = {"name": "Children looked after in England (SFR 2010-2017)", "publisher": "DfE", "released": "2017", "url": ""}


@pytest.fixture
def processed(tmp_path):
    write_section(
        tmp_path,
        40,
        "outcomes",
        "Children's outcomes: fewer in care than neighbours",
        "real",
        findings=[
            {"topic": "workforce", "answer": "Agency use stayed below the neighbours' median."},
            {"topic": "children_in_care", "answer": "Children in care fell by 7%, as in neighbours."},
            {"topic": "children_in_care", "answer": "A second answer on the same topic is not used."},
            {"topic": "bid_target", "answer": "The 20% target was not met."},
        ],
        sources=[DFE, {**DFE}, {"name": "Section 251 outturn, Table A1", "publisher": "DfE"}],
    )
    write_section(tmp_path, 10, "scenarios", "Practice scenarios: alignment", "synthetic")
    write_section(tmp_path, 55, "time_use", "Time use: how practitioners spend their week", "synthetic")
    return tmp_path


def _text(html):
    """What a reader sees: inline tags (links, bold) vanish, block tags separate words."""
    inline = re.sub(r"</?(?:a|b|span|code|em|strong)\b[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def test_the_answer_box_is_written_from_real_findings_only(processed):
    html = answer.answer_html(processed)
    text = _text(html)
    # Topics in the box's fixed order, whatever the order of the findings; one sentence per topic.
    assert text.index("Children in care fell by 7%") < text.index("Workforce: Agency use")
    # A sentence opening with its topic's name links those words, not the name said twice.
    assert '<li><a href="#section-2">Children in care</a> fell by 7%' in html and "care: Children in care" not in text
    assert "second answer" not in text and "20% target" not in text  # the bid is for the 2016 section
    assert "no finding from published statistics on flow into care, child protection, re-referrals and costs" in text
    assert (
        "The other 2 sections run on synthetic data: they show what the analysis would produce on the "
        "boroughs' real extracts; none of their numbers is a finding." in text
    )
    assert text.startswith("Main points: what the published statistics show Children in care fell by 7%")
    assert 'href="#section-2"' in html  # the real section is the second in report order
    assert len(text.split()) <= answer.MAX_WORDS


def _effect(topic, answer, p=None, ci=None, unit="local_authorities"):
    recorded = evidence.assess(
        "effect", synthetic=False, design="comparison", unit=unit, units=3, estimate=1.0, ci=ci, p=p
    )
    return {"topic": topic, "answer": answer, "text": answer + " More.", **recorded}


@pytest.fixture
def effects(tmp_path):
    """Four outcome effects read by hand: p 0.84 ordinary, p 0.06 borderline, no p and an interval
    spanning 0 ordinary, p 0.01 unusual; costs (not an outcome measure) unusual by its interval."""
    write_section(
        tmp_path,
        40,
        "outcomes",
        "Children in care fell before the programme began",
        "real",
        findings=[
            _effect("children_in_care", "In care: 1.", p=0.84, ci=(-11.6, 17.0)),
            _effect("flow_into_care", "Starts: 2.", p=0.06),
            _effect("child_protection", "Plans: 3.", ci=(-23.2, 1.3)),
            _effect("re_referrals", "Re-referrals: 4.", p=0.01),
            _effect("costs", "Costs: 5.", ci=(1.0, 2.0)),
            {
                "topic": "bid_target",
                "answer": "Aim not met.",
                "text": "Aim not met, in full.",
                **evidence.assess("fact", synthetic=False, source="published"),
            },
        ],
    )
    write_section(tmp_path, 10, "scenarios", "Practice scenarios: alignment", "synthetic")
    return tmp_path


def test_the_answer_box_opens_with_one_lead_sentence(effects):
    text = _text(answer.answer_html(effects))
    assert text.startswith(
        "Main points: what the published statistics show Children in care fell before the programme began; "
        "1 of the 4 measures below (re-referrals) moved unusually against similar authorities after the "
        "programme began (1 borderline, 2 ordinary). Children in care: In care: 1."
    )


def test_the_lead_sentence_counts_with_the_sentences_wording_rule():
    s = [
        {
            "data_kind": "real",
            "synthetic": False,
            "title": "T",
            "key_findings": [_effect("children_in_care", "a", p=0.2)],
        }
    ]
    assert (
        answer.moved_clause(s)
        == "the measure below did not move unusually against similar authorities after the programme began"
    )
    s[0]["key_findings"] += [_effect("re_referrals", "b", p=0.049, unit="families")]
    assert answer.moved_clause(s) == (
        "1 of the 2 measures below (re-referrals) moved unusually against their comparison groups after the "
        "programme began (1 ordinary)"
    )
    assert answer.lead_sentence(s) == "T; " + answer.moved_clause(s) + "."
    s[0]["key_findings"] = [{"topic": "children_in_care", "answer": "x", "kind": "fact"}]
    assert answer.moved_clause(s) == "" and answer.lead_sentence(s) == ""  # facts are not counted


def test_what_the_box_says_is_said_once(effects):
    """The summary and the 2016 section point to the box for its findings (badges kept) and to the 2016
    section for what it states in full; numbers said there are not repeated."""
    summary = _text(report.summary_html(effects))
    for said in ("In care: 1.", "Starts: 2.", "Costs: 5.", "Aim not met"):
        assert said not in summary, said
    assert (
        "Children in care, flow into care, child protection, re-referrals and costs: in Main points. "
        "Strength of evidence: not possible to tell." in summary
    )
    assert "The bid's aim: in The 2016 evaluation beside today's evidence. Published figure." in summary
    assert summary.count("fop-strength") == 0  # (tags stripped) badges are checked in the HTML below
    assert report.summary_html(effects).count('class="fop-strength') == 2
    then = _text(then_and_now.then_and_now_html(effects))
    assert (
        "Early data on children's outcomes were promising. Published statistics now: 1 of the 4 measures "
        "(re-referrals) moved unusually against similar authorities after the programme began (1 borderline, "
        "2 ordinary): see Main points." in then
    )
    assert "Aim not met. Section 2." in then


def test_a_synthetic_section_gives_the_summary_its_first_finding_only(tmp_path):
    """The summary names what each synthetic section would show by its first finding (its badge kept);
    the section says the rest, so no number is said twice."""
    badge = evidence.assess("fact", synthetic=True, source="published")
    write_section(
        tmp_path,
        10,
        "x",
        "X: y",
        "synthetic",
        findings=[{"text": "First 11.", **badge}, {"text": "Second 22.", **badge}],
    )
    text = _text(report.summary_html(tmp_path))
    assert "First 11." in text and "Second 22." not in text
    assert report.summary_html(tmp_path).count('class="fop-strength') == 1


def test_the_answer_box_never_cites_a_syntheticwrite_section(tmp_path):
    write_section(tmp_path, 10, "x", "X: y", "synthetic", findings=[{"topic": "costs", "answer": "Made up."}])
    text = _text(answer.answer_html(tmp_path))
    assert "Made up" not in text
    assert text.startswith("Main points Every section of this build runs on synthetic data")


def test_the_2016_evaluation_beside_todays_evidence(processed):
    text = _text(then_and_now.then_and_now_html(processed))
    data = then_and_now.load_evaluation()
    for claim in data["claims"]:
        assert claim["claim"] in text
    # The bid's target takes the bid_target finding; the staffing claim's only finding is in the answer
    # box, so it points there instead of saying it again.
    assert "The 20% target was not met. Section 2." in text
    assert "Agency use stayed below" not in text
    assert (
        'Agency use, turnover and absence "all show changes towards more stable staffing". Published statistics now: See Main points, above.'
        in text
    )
    # Enthusiasm for the training cannot be checked from published statistics, and says why.
    assert "Cannot be checked from published statistics. Staff views are not in any published statistic" in text
    # The boroughs' later claims: no finding on those topics in this build.
    assert "No section of this build set a published statistic against this." in text
    assert "Cameron C., Elliott H., Iqbal H., Munro E., Owen C. (2016)" in text


def test_sources_are_named_briefly_in_the_section_and_in_full_once(processed):
    sections = report.load_sections(processed) if hasattr(report, "load_sections") else None
    from helpers.report_section import load_sections

    sections = load_sections(processed)
    real = next(s for s in sections if s["data_kind"] == "real")
    note = _text(kinds.kind_note_html(real))
    assert note.startswith("Real data: published statistics.")
    assert "Children looked after in England; Section 251 outturn." in note and "SFR" not in note
    full = made.sources_html(processed)
    assert full.count("Children looked after in England (SFR 2010-2017)") == 1  # the duplicate is listed once
    assert "Section 251 outturn, Table A1" in full


def test_about_names_the_real_data_sections(processed):
    text = _text(made.about_data_html(processed))
    assert text.startswith("Section 2 (“Children's outcomes”) uses real statistics")
    assert "The other 2 sections run on synthetic data" in text


def test_each_section_box_says_its_kind_once_in_its_colour(processed):
    from helpers.report_section import load_sections

    for number, section in enumerate(load_sections(processed), start=1):
        html = report.section_html(section, number, 5)
        kind = section["data_kind"]
        assert html.startswith(f'<section class="fop-section fop-section-{kind}"')
        assert _text(html).lower().count("synthetic data") == (1 if kind == "synthetic" else 0)


def _notebook(path, outputs):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("", outputs=outputs)]
    nb.metadata["title"] = "T"
    nbformat.write(nb, str(path))
    return path


def _html(fragment):
    return nbformat.v4.new_output("display_data", data={"text/html": fragment})


def test_export_writes_the_appendix_beside_the_report_and_reconciles_links(tmp_path):
    nb = _notebook(
        tmp_path / "r.ipynb",
        [
            _html('<h1 id="top">Report</h1><a href="#appendix-1">detail</a> <a href="#s1">here</a><p id="s1">x</p>'),
            _html(
                export.for_appendix(
                    '<h1 id="technical-appendix">A</h1><h2 id="appendix-1">D</h2><a href="#top">back</a>'
                )
            ),
        ],
    )
    written = export.export_report(nb, tmp_path / "out" / "rep.html")
    assert [p.name for p in written] == ["rep.html", "rep_appendix.html"]
    main, appendix = (p.read_text(encoding="utf-8") for p in written)
    assert '<a href="rep_appendix.html#appendix-1">detail</a>' in main and '<a href="#s1">here</a>' in main
    assert 'id="appendix-1"' not in main and '<h1 id="top">' not in appendix
    assert '<a href="rep.html#top">back</a>' in appendix
    # A runner's temporary name still links to the final names.
    tmp_written = export.export_report(nb, tmp_path / "out2" / ".rep.html.partial-123")
    assert tmp_written[1].name == "rep_appendix.html"
    assert 'href="rep_appendix.html#appendix-1"' in tmp_written[0].read_text(encoding="utf-8")


def test_a_link_to_nowhere_stops_the_export(tmp_path):
    nb = _notebook(tmp_path / "r.ipynb", [_html('<a href="#nowhere">x</a>')])
    with pytest.raises(ValueError, match="nowhere"):
        export.export_report(nb, tmp_path / "rep.html")


def test_a_stale_appendix_is_removed_when_the_report_has_none(tmp_path):
    (tmp_path / "rep_appendix.html").write_text("old", encoding="utf-8")
    nb = _notebook(tmp_path / "r.ipynb", [_html('<p id="x">only a report</p>')])
    assert export.export_report(nb, tmp_path / "rep.html") == [tmp_path / "rep.html"]
    assert not (tmp_path / "rep_appendix.html").exists()


VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "embed", "source", "track", "wbr"}


class _Tokens(HTMLParser):
    """A page as a browser's parser sees it: tags with their attributes (class words spaced once), an
    element written ``<x/>`` the same as ``<x></x>``, text with its whitespace collapsed. Two pages
    with the same tokens are the same document however each was written out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: " ".join((v or "").split()) if k == "class" else (v or "") for k, v in attrs}
        self.tokens.append(("start", tag, tuple(sorted(attrs.items()))))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in VOID:
            self.tokens.append(("end", tag))

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            return
        if self.tokens and self.tokens[-1][0] == "data":
            self.tokens[-1] = ("data", f"{self.tokens[-1][1]} {text}")
        else:
            self.tokens.append(("data", text))


def _tokens(page: str) -> list:
    parser = _Tokens()
    parser.feed(page)
    parser.close()
    return parser.tokens


def test_the_export_is_the_document_nbconvert_writes_without_its_last_pass(tmp_path, monkeypatch):
    """The report's exporter skips the pass with which nbconvert's own ends (BeautifulSoup over the whole
    page, 70% of the export's CPU). The page is the same document, but a Markdown cell (prose that
    never scrolls) is no longer a stop for the Tab key; every output still is (an output can scroll)."""
    from nbconvert import HTMLExporter

    nb = _notebook(
        tmp_path / "r.ipynb",
        [
            _html('<h1 id="top">Report</h1><p>Fish &amp; chips &lt;3, caf\u00e9 &nbsp;and<br>more</p>'),
            _html('<svg role="img" aria-label="A chart of two bars"><path d="M0 0L1 1"/><text>2014</text></svg>'),
            _html(
                '<img src="data:image/png;base64,AAAA" alt="A picture of the two bars"><table><tr><td>c</td></tr></table>'
            ),
        ],
    )
    nb_node = nbformat.read(str(nb), as_version=4)
    nb_node.cells.insert(0, nbformat.v4.new_markdown_cell("Some *prose* between outputs."))
    nbformat.write(nb_node, str(nb))
    ours = export.export_report(nb, tmp_path / "ours" / "rep.html")[0].read_text(encoding="utf-8")
    monkeypatch.setattr(export, "report_exporter_class", lambda: HTMLExporter)
    stock = export.export_report(nb, tmp_path / "stock" / "rep.html")[0].read_text(encoding="utf-8")
    markdown = ("class", "jp-Cell-inputWrapper")
    expected = [
        (kind, tag, tuple(a for a in attrs if a != ("tabindex", "0"))) if kind == "start" and markdown in attrs else tok
        for tok in _tokens(stock)
        for kind, tag, attrs in [tok if tok[0] == "start" else (tok[0], None, ())]
    ]
    assert any(markdown in t[2] for t in expected if t[0] == "start")  # the Markdown cell was there to compare
    assert _tokens(ours) == expected
    outputs = [t for t in _tokens(ours) if t[0] == "start" and "jp-OutputArea-output" in dict(t[2]).get("class", "")]
    assert len(outputs) == 3 and all(dict(t[2]).get("tabindex") == "0" for t in outputs)


def test_an_image_without_alt_text_stops_the_export(tmp_path):
    # nbconvert's last pass gave it a stock text ("No description has been provided for this image")
    # that the audit then accepted
    nb = _notebook(tmp_path / "r.ipynb", [_html('<img src="data:image/png;base64,AAAA">')])
    with pytest.raises(ValueError, match="alt text"):
        export.export_report(nb, tmp_path / "rep.html")
    assert not (tmp_path / "rep.html").exists()


def test_make_pdf_prints_the_report_and_its_appendix(tmp_path):
    from helpers.report.cli import pdf_targets

    (tmp_path / "a.html").write_text("x")
    (tmp_path / "a_appendix.html").write_text("x")
    (tmp_path / "b.html").write_text("x")
    names = [p.name for p in pdf_targets([str(tmp_path / "a.html"), str(tmp_path / "b.html")])]
    assert names == ["a.html", "a_appendix.html", "b.html"]


def test_a_body_table_is_cards_on_a_phone_and_a_long_one_goes_to_the_appendix(tmp_path):
    import pandas as pd

    folder = tmp_path / "report_sections" / "10_x"
    folder.mkdir(parents=True)
    pd.DataFrame({"group": ["a", "b"], "n": [30, 40], "mean": [1.5, 2.5]}).to_csv(folder / "short.csv", index=False)
    rows = report.BODY_TABLE_MAX_ROWS + 1
    pd.DataFrame({"group": [f"g{i}" for i in range(rows)], "n": [30] * rows}).to_csv(folder / "long.csv", index=False)
    items = [
        {"kind": "table", "name": "short", "file": "short.csv", "caption": "Short."},
        {"kind": "table", "name": "long", "file": "long.csv", "caption": "Long."},
    ]
    write_section(tmp_path, 10, "x", "X: y", "synthetic", items=items)
    from helpers.report_section import load_sections

    section = load_sections(tmp_path)[0]
    body = report.section_html(section, 1, 5)
    assert 'class="fop-table fop-stack"' in body and 'data-label="Mean"' in body
    assert f"The full table ({rows} rows), Long, is in the" in _text(body) and "g20" not in body
    appendix = report.appendix_html(section, 1, 5)
    assert "g20" in appendix and 'id="s1-long-1"' in appendix and "fop-stack" not in appendix
    assert 'href="#s1-long-1"' in body


def test_a_wide_short_body_table_is_turned_on_its_side():
    import pandas as pd

    table = pd.DataFrame({"wave": [1, 2], **{f"measure_{i}": [float(i), i + 0.5] for i in range(9)}})
    assert report.tables.should_transpose(table)
    html = report.table_html(table, "Measures", suppress=False, decimals=1, stack=True)
    # Columns become rows headed by their label; the waves head the columns.
    assert '<th scope="col" class="num">Wave 1</th><th scope="col" class="num">Wave 2</th>' in html
    assert '<tr><th scope="row" class="txt">Measure 3</th><td class="num" data-label="Wave 1">3.0</td>' in html
    assert html.count("<tr>") == 1 + 9
