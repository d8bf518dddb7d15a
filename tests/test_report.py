"""Report assembly: tables pass disclosure control; the HTML is checked for outside resources."""

import pandas as pd
import pytest

from helpers.report import check_self_contained, table_html


def test_table_html_suppresses_declared_and_count_like_columns():
    table = pd.DataFrame({"group": ["a", "b"], "families": [3, 12], "n_people": [2, 30], "mean": [1.5, 2.25]})
    html = table_html(table, "caption", count_columns=["families"], dependent_columns={"mean": "families"}, threshold=5)
    # Row a: families=3 -> c, its mean -> c, n_people=2 (count-like name) -> c. Row b all shown.
    assert html.count('<td class="num">c</td>') == 3
    assert (
        '<td class="num">12</td>' in html and '<td class="num">30</td>' in html and '<td class="num">2.25</td>' in html
    )
    assert '<td class="txt">a</td>' in html
    assert "1.50" not in html


def test_self_contained_check():
    check_self_contained('<img src="data:image/png;base64,AAAA" alt="A chart of things by group">')
    with pytest.raises(ValueError, match="not self-contained"):
        check_self_contained('<script src="https://cdn.example/x.js"></script>')
    with pytest.raises(ValueError, match="not self-contained"):
        check_self_contained('<img src="chart.png" alt="A chart of things by group">')
    with pytest.raises(ValueError, match="alt text"):
        check_self_contained('<img src="data:image/png;base64,AAAA">')


# ---- tables a reader can read --------------------------------------------------------------------

from helpers import report  # noqa: E402
from helpers.report_section import Section, humanise, save_figure  # noqa: E402

HOSTILE = [
    "<script>alert(1)</script>",
    '<iframe src="https://evil.example/"></iframe>',
    "<svg onload=alert(1)>",
    '<form action="https://evil.example/"><input name=q></form>',
    "[click me](javascript:alert(1))",
    "<img src=x>",
    '<a href="javascript:alert(1)">x</a>',
    "![tracker](https://evil.example/pixel.png)",
    '<div style="background:url(https://evil.example/x.png)">x</div>',
    "<object data=https://evil.example/x></object><embed src=https://evil.example/y>",
]


def test_table_headers_captions_booleans_negative_zero_and_decimals():
    table = pd.DataFrame(
        {"pct_agreement": [81.234, -0.001], "trained": [True, False], "mean_wave1": [2.5, 3.0], "label": ["x", "y"]}
    )
    html = table_html(table, "Agreement", labels={"label": "What"})
    assert '<caption id="table-caption">Agreement</caption>' in html
    assert '<th scope="col" class="num">Agreement (%)</th>' in html
    assert '<th scope="col" class="num">Mean at wave 1</th>' in html
    assert '<th scope="col" class="txt">What</th>' in html
    assert '<td class="txt">Yes</td>' in html and '<td class="txt">No</td>' in html and "True" not in html
    assert "-0.00" not in html and '<td class="num">0.00</td>' in html
    assert '<td class="num">3.00</td>' in html  # same decimals down the column
    assert "a count from 1 to" not in html  # no "c" in the table, so no "c" note


def test_c_note_only_under_a_table_with_a_c():
    small = table_html(pd.DataFrame({"group": ["a"], "families": [3]}), "t", count_columns=["families"], threshold=5)
    large = table_html(pd.DataFrame({"group": ["a"], "families": [30]}), "t", count_columns=["families"], threshold=5)
    assert "a count from 1 to 5" in small and "a count from 1 to" not in large


def test_tables_scroll_inside_a_focusable_labelled_container():
    html = table_html(pd.DataFrame({c: [1] for c in "abcdef"}), "Wide", table_id="t1")
    assert '<div class="fop-table-wrap" role="region" aria-labelledby="t1-caption" tabindex="0">' in html
    assert "fop-scroll-hint" in html


def test_humanise_fallback_and_project_labels():
    assert humanise("family_boot_ci_low") == "95% CI lower (families resampled)"
    assert humanise("kappa_quadratic") == "Weighted kappa (quadratic)"
    assert humanise("median_change_wave2") == "Median change wave 2"
    assert humanise("rows_ci_hi") == "Rows CI upper"
    assert humanise("Already a header") == "Already a header"
    assert humanise("n_answers") == "Answers (n)"
    assert humanise("pct_no_reliable_change") == "No reliable change (%)"
    assert humanise("alpha_ci_low") == "Alpha CI lower"
    assert humanise("alpha") == "Alpha"  # Cronbach's in one strand, Krippendorff's in another: the strand labels it


# ---- strength of evidence -------------------------------------------------------------------------


# ---- glossary ----------------------------------------------------------------------------------------


def test_glossary_links_first_use_only_outside_headings_and_links():
    frag = (
        "<h3>Krippendorff's alpha</h3><p>The Krippendorff&#x27;s alpha was high; Krippendorff's alpha again. "
        '<a href="#x">bootstrap</a> then a bootstrap interval.</p>'
    )
    out = report.link_glossary(frag)
    assert out.count('href="#glossary-krippendorffs-alpha"') == 1
    assert "<h3>Krippendorff's alpha</h3>" in out  # headings untouched
    assert '<a class="fop-term" href="#glossary-bootstrap">bootstrap</a> interval' in out
    assert '<a href="#x">bootstrap</a>' in out


def test_every_glossary_term_has_an_anchor_in_the_glossary():
    html = report.glossary_html()
    for anchor, _term, _, text in report.GLOSSARY:
        assert f'id="glossary-{anchor}"' in html and len(text) > 40
    for required in (
        "confidence-interval",
        "krippendorffs-alpha",
        "kappa",
        "cronbachs-alpha",
        "mixed-model",
        "difference-in-differences",
        "event-study",
        "interrupted-time-series",
        "placebo-test",
        "synthetic-control",
        "reliable-change",
        "bootstrap",
        "effect-size",
        "statistical-neighbours",
        "suppression",
    ):
        assert f'id="glossary-{required}"' in html


# ---- nothing from the data becomes markup -------------------------------------------------------------


def test_self_contained_check_refuses_everything_that_loads_runs_or_submits():
    ok = '<p><a href="https://www.gov.uk/x">a link</a> <a href="#s1">in page</a></p><img src="data:image/svg+xml;base64,AA" alt="A chart of things by group">'
    check_self_contained(ok)
    for bad in (
        "<script>alert(1)</script>",
        '<iframe src="data:text/html,x"></iframe>',
        "<object></object>",
        "<embed>",
        "<form></form>",
        '<p onclick="x()">x</p>',
        '<svg onload="x()"></svg>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<div style="background:url(https://e.example/x.png)">x</div>',
        "<style>body{background:url('http://e.example/x')}</style>",
        "<style>@import 'x.css';</style>",
        '<link rel="stylesheet" href="https://e.example/x.css">',
        '<meta http-equiv="refresh" content="0;url=x">',
        '<img src="x.png" alt="A chart of things by group">',
    ):
        with pytest.raises(ValueError):
            check_self_contained(bad)


def test_markdown_from_sections_is_escaped():
    for text in HOSTILE:
        out = report.render_markdown(text)
        assert report.audit_html(out) == [], (text, out)
        assert "<script" not in out and "<iframe" not in out and "<img" not in out and 'href="javascript' not in out
    assert (
        report.render_markdown("**bold** [gov](https://www.gov.uk)")
        == '<p><strong>bold</strong> <a href="https://www.gov.uk">gov</a></p>\n'
    )


def _hostile_section(processed, synthetic=True):
    import matplotlib.pyplot as plt

    s = Section(
        strand="hostile",
        title="Hostile <script>alert(1)</script>",
        order=15,
        processed_dir=processed,
        synthetic=synthetic,
    )
    for text in HOSTILE:
        s.markdown(f"A quote: {text}")
    s.markdown("Appendix <img src=x> text", appendix=True)
    table = pd.DataFrame({"answer": HOSTILE, "n": [50] * len(HOSTILE)})
    s.table(
        "cells",
        table,
        caption="Caption <iframe src=x>",
        count_columns=["n"],
        labels={"answer": "<b onmouseover=x>Answer</b>"},
    )
    from helpers.figures import FIGURE_WIDTH, chart_style

    with chart_style():  # a chart legible on a phone (Section.figure refuses any other)
        fig, ax = plt.subplots(figsize=(FIGURE_WIDTH, 3))
        ax.plot([0, 1], [0, 1], label="</svg><img src=x onerror=alert(1)>")
        ax.set_title("<script>alert(1)</script> & $5")
        ax.legend()
    s.figure(
        "line", fig, alt='A line chart "quoted" <script>alert(1)</script> going up', caption="<svg onload=alert(1)>"
    )
    s.key_finding(
        "Finding <script>alert(1)</script> [x](javascript:alert(1))",
        kind="effect",
        design="before_after",
        unit="families",
        units=50,
        estimate=-0.0001,
        ci=(-0.2, 0.3),
        n=50,
        label="<img src=x>",
    )
    s.save()
    return s


def test_hostile_text_in_every_part_of_a_section_renders_as_text(tmp_path):
    processed = tmp_path / "all"
    _hostile_section(processed)
    from helpers.report_section import load_sections

    section = load_sections(processed)[0]
    parts = [
        report.section_html(section, 1, 5),
        report.summary_html(processed),
        report.appendix_part_html(processed, 5),
        report.header_html(processed, "all"),
    ]
    html = "\n".join(parts)
    assert report.audit_html(html) == []
    assert "&lt;script&gt;" in html and "&lt;iframe" in html
    assert "-0.00" not in html


def test_export_of_a_report_with_hostile_text_does_not_crash(tmp_path, run_notebook):
    """The real report notebook, executed on a section full of hostile text, exports cleanly."""
    processed = tmp_path / "processed"
    _hostile_section(processed / "all")
    executed = run_notebook("90_report.ipynb", tmp_path / "report.ipynb", processed_dir=str(processed))
    out = report.export_html(executed, tmp_path / "report.html")
    html = out.read_text(encoding="utf-8")
    assert report.audit_html(html) == []
    assert "Hostile &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_figures_are_deterministic_svg(tmp_path):
    import matplotlib.pyplot as plt

    digests = []
    for i in range(2):
        fig, ax = plt.subplots()
        ax.scatter([1, 2, 3], [3, 1, 2])
        ax.set_title("same chart")
        path = save_figure(fig, tmp_path / f"f{i}.svg")
        plt.close(fig)
        digests.append(path.read_bytes())
    assert digests[0] == digests[1]
    assert b"<dc:date>" not in digests[0] and b"Matplotlib v" not in digests[0]


def test_a_figure_needs_alt_text(tmp_path):
    import matplotlib.pyplot as plt

    s = Section(strand="x", title="X", order=99, processed_dir=tmp_path, synthetic=True)
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt text"):
        s.figure("f", fig, alt="chart", caption="c")
    plt.close(fig)


def test_build_date_only_from_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert report.build_date() is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1436918400")  # 15 July 2015 00:00 UTC
    assert report.build_date() == "15 July 2015"


def test_phone_text_size_by_hand():
    # A 10 pt label (13.3 px) on a 5 in (480 px) figure shrunk to a section's 346 px column on a
    # phone: 13.33 * 346 / 480 = 9.61 px; on a 5.5 in (528 px) figure: 13.33 * 346 / 528 = 8.74 px.
    from helpers.report_section import phone_text_px

    assert phone_text_px(10, 5.0) == pytest.approx(9.611, abs=0.01)
    assert phone_text_px(10, 5.5) == pytest.approx(8.737, abs=0.01)
    assert phone_text_px(10, 3.0) == pytest.approx(13.333, abs=0.01)  # narrower than a phone: not shrunk


# ---- summary, body and appendix ---------------------------------------------------------------------


def _two_sections(processed):
    real = Section(
        strand="la",
        title="Children looked after",
        order=45,
        processed_dir=processed,
        synthetic=False,
        sources=[
            {
                "name": "Children looked after in England",
                "publisher": "DfE",
                "released": "2016-09-29",
                "url": "https://www.gov.uk/x",
            }
        ],
    )
    real.markdown("Body text with a difference in differences.")
    real.markdown("Model terms and the difference in differences estimator.", appendix=True)
    real.key_finding(
        "Rates fell by 3 per 10,000 more than in neighbours.",
        kind="effect",
        design="comparison",  # 150 authorities, an interval clear of zero: moderate
        unit="local_authorities",
        units=150,
        estimate=-3.0,
        ci=(-5.5, -0.5),
        n=None,
        label="Difference per 10,000",
    )
    real.save()
    synth = Section(strand="s15", title="SCORE-15", order=35, processed_dir=processed, synthetic=True)
    synth.markdown("Nothing to say.")
    synth.save()


def test_summary_is_built_from_key_findings_with_strength_and_kind(tmp_path):
    _two_sections(tmp_path)
    html = report.summary_html(tmp_path)
    import re

    text = re.sub(r"<[^>]+>", "", html)
    assert "Rates fell by 3 per 10,000 more than in neighbours." in html
    # Each number said once: no machine label repeating the finding's figure after the sentence.
    assert "Difference per 10,000" not in text and "-3.00" not in text
    assert 'Strength of evidence: <a href="#strength-rules">moderate</a>' in html
    # The synthetic section gave no finding: the summary says so rather than inventing one.
    assert "handed over no key finding" in html
    # Real sections first, then synthetic ones; each kind said once, by its heading.
    assert text.index("From real data") < text.index("Children looked after") < text.index("From synthetic data")
    assert text.index("From synthetic data") < text.index("SCORE-15")
    findings = text.split("What this evaluation can and cannot conclude")[0]
    assert findings.count("synthetic data") == 1 and "illustrative" not in findings


def test_conclusions_follow_real_and_synthetic_sections_and_strengths(tmp_path):
    _two_sections(tmp_path)
    from helpers.report_section import load_sections

    text = report.conclusions_text(load_sections(tmp_path))
    assert "1 of 2 sections uses synthetic data and concludes nothing about the programme." in text
    assert (
        "the strongest evidence any estimate of an effect reaches is moderate; 0 of 1 such estimates are weak" in text
    )
    assert "No finding reaches strong evidence" in text
    only_synth = report.conclusions_text([s for s in load_sections(tmp_path) if s["synthetic"]])
    assert only_synth.startswith("The one section of this build is made from synthetic data")


def test_appendix_items_leave_the_body_and_are_linked(tmp_path):
    _two_sections(tmp_path)
    from helpers.report_section import load_sections

    sections = load_sections(tmp_path)
    body = report.section_html(sections[1], 2, 5)
    assert "Model terms" not in body and '<a href="#appendix-2">Technical detail for this section</a>' in body
    appendix = report.appendix_part_html(tmp_path, 5)
    assert 'id="appendix-2"' in appendix and "Model terms" in appendix and 'id="strength-rules"' in appendix
    # the first use of a term in each part is linked to the glossary
    assert body.count('href="#glossary-difference-in-differences"') == 1
    assert 'href="#glossary-difference-in-differences"' in appendix
    contents = report.contents_html(tmp_path)
    for anchor in (
        "summary",
        "about",
        "section-1",
        "section-2",
        "section-3",
        "how-made",
        "technical-appendix",
        "glossary",
    ):
        assert f'href="#{anchor}"' in contents


def test_hostile_sources_of_a_real_section_render_as_text(tmp_path):
    s = Section(
        strand="la",
        title="LA",
        order=45,
        processed_dir=tmp_path,
        synthetic=False,
        sources=[
            {
                "name": "<script>alert(1)</script>",
                "publisher": "<b>DfE</b>",
                "released": "2016",
                "url": "javascript:alert(1)",
            }
        ],
    )
    s.markdown("x")
    s.save()
    from helpers.report_section import load_sections

    section = load_sections(tmp_path)[0]
    html = report.section_html(section, 1, 5) + report.summary_html(tmp_path)
    assert report.audit_html(html) == [] and "&lt;script&gt;" in html and 'href="javascript' not in html


def test_glossary_never_links_inside_a_chart():
    """A link inside an inline SVG chart (role="img") would nest an interactive element in an image."""
    frag = '<figure><svg role="img" aria-label="An event study chart"><text>event study</text></svg></figure><p>event study</p>'
    out = report.link_glossary(frag)
    assert "<text>event study</text>" in out and out.count('href="#glossary-event-study"') == 1
    assert out.index('href="#glossary-event-study"') > out.index("</svg>")
