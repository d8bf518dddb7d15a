"""Charts as the report shows them (helpers.figures): SVG with real text, clean and reproducible,
inlined with ids of their own, legible at phone and laptop width, and still audited as self-contained."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import figures, report  # noqa: E402
from helpers.report_section import Section  # noqa: E402


def _chart(path, title="Children in care", width=figures.FIGURE_WIDTH):
    with figures.chart_style():
        fig, ax = plt.subplots(figsize=(width, 3))
        ax.plot([2012, 2013, 2014], [50, 48, 45], marker="o", label="Westminster & <Kensington>")
        ax.set_title(title)
        ax.legend()
    figures.save_figure(fig, path)
    plt.close(fig)
    return path.read_text(encoding="utf-8")


def test_saved_svg_has_real_text_and_nothing_that_varies(tmp_path):
    a = _chart(tmp_path / "a.svg")
    b = _chart(tmp_path / "b.svg")
    assert a == b
    assert "<text" in a and ">Children in care</text>" in a
    assert "Westminster &amp; &lt;Kensington&gt;" in a  # data text escaped, never markup
    assert "<!--" not in a and "xlink" not in a and "*{" not in a  # matplotlib's page-wide "*" rule gone
    sheet = re.search(r"<style>(.*?)</style>", a).group(1)
    assert re.fullmatch(r"(\.ks\d+\{[^{}]+\})+", sheet)  # only the chart's own classes
    assert ' style="' not in a  # each element's style is one of those classes
    assert "Matplotlib" not in a and "dc:date" not in a
    assert not re.search(r"\d\.\d{3,}", a)  # coordinates to 0.01 pt
    # every id kept is one something refers to
    ids = re.findall(r'\bid="([^"]+)"', a)
    assert ids and all(f"#{i}" in a for i in ids)


def test_text_px_by_hand():
    # A 5 in chart is 360 pt wide (480 px at natural size). 10 pt text: in a section's 346 px column on
    # a phone 10 * 346 / 360 = 9.61 px; on a laptop's column it is shown at natural size, 10 * 4/3 = 13.33 px.
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="360pt" height="200pt" viewBox="0 0 360 200">'
        '<text style="font-size: 12px">Title</text><text style="font-size: 10px">tick</text>'
        '<text style="font-size: 6px"> </text></svg>'
    )
    assert figures.PHONE_COLUMN_PX == 346
    assert figures.text_px(svg, figures.PHONE_COLUMN_PX) == pytest.approx(9.611, abs=0.001)
    assert figures.text_px(svg, 936) == pytest.approx(13.333, abs=0.001)
    # A 3 in chart (288 px) is never enlarged: 10 pt stays 13.33 px on the phone too.
    narrow = svg.replace('viewBox="0 0 360 200"', 'viewBox="0 0 216 200"')
    assert figures.text_px(narrow, figures.PHONE_COLUMN_PX) == pytest.approx(13.333, abs=0.001)


def test_a_chart_too_wide_for_its_text_is_refused(tmp_path):
    svg = _chart(tmp_path / "wide.svg", width=9)
    with pytest.raises(ValueError, match="on a phone"):
        figures.check_legible(svg, "wide")
    assert figures.check_legible(_chart(tmp_path / "ok.svg"), "ok")["phone_text_px"] >= figures.MIN_TEXT_PX


def test_section_records_how_big_its_smallest_text_shows(tmp_path):
    s = Section(strand="x", title="X", order=1, processed_dir=tmp_path, synthetic=True)
    with figures.chart_style():
        fig, ax = plt.subplots(figsize=(figures.FIGURE_WIDTH, 3))
        ax.plot([1, 2], [3, 4])
    s.figure("f", fig, alt="A line going up from 3 to 4", caption="c")
    plt.close(fig)
    item = s.items[-1]
    assert item["phone_text_px"] >= figures.MIN_TEXT_PX and item["desktop_text_px"] >= item["phone_text_px"]
    assert item["width_px"] <= figures.FIGURE_WIDTH * 96


def _many_figures(section, how_many: int) -> None:
    for i in range(how_many):
        with figures.chart_style():
            fig, ax = plt.subplots(figsize=(figures.FIGURE_WIDTH, 3))
            ax.plot([1, 2], [3, 4 + i])
        section.figure(f"f{i}", fig, alt=f"A line going up from 3 to {4 + i}", caption="c")


def test_saved_figures_are_closed_so_many_never_pile_up(tmp_path):
    """Past 20 open figures matplotlib warns (here an error): a section of 25 leaves none open."""
    import warnings

    open_before = plt.get_fignums()
    s = Section(strand="x", title="X", order=1, processed_dir=tmp_path, synthetic=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _many_figures(s, 25)
    assert plt.get_fignums() == open_before
    assert len(list(s.folder.glob("*.svg"))) == 25


def test_a_notebook_still_shows_the_figures_it_made(tmp_path, monkeypatch):
    """In a notebook the inline backend shows the figures open when the cell ends, and closes them: the
    section leaves them open for it."""
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "module://matplotlib_inline.backend_inline")
    open_before = set(plt.get_fignums())
    s = Section(strand="x", title="X", order=1, processed_dir=tmp_path, synthetic=True)
    _many_figures(s, 2)
    left = set(plt.get_fignums()) - open_before
    assert len(left) == 2
    for n in left:
        plt.close(n)


def test_charts_of_test_extracts_say_test_data_and_synthetic_ones_synthetic(tmp_path):
    """A synthetic section's chart carries "SYNTHETIC DATA"; a section with a notice (an authority's own
    report from a validator project's fake return) "TEST DATA"; a real section's chart no stamp."""

    def stamped(name, **kw):
        s = Section(strand=name, title="X", order=1, processed_dir=tmp_path, **kw)
        with figures.chart_style():
            fig, ax = plt.subplots(figsize=(figures.FIGURE_WIDTH, 3))
            ax.plot([1, 2], [3, 4])
        s.figure("f", fig, alt="A line going up from 3 to 4", caption="c")
        plt.close(fig)
        return (s.folder / "f.svg").read_text(encoding="utf-8")

    synthetic, test = stamped("a", synthetic=True), stamped("b", synthetic=True, notice="Fake return.")
    real = stamped("c", synthetic=False)
    assert "SYNTHETIC DATA: illustrative, not evaluation results" in synthetic and "TEST DATA" not in synthetic
    assert "TEST DATA: illustrative, not evaluation results" in test and "SYNTHETIC DATA" not in test
    assert "DATA: illustrative" not in real


def test_inlined_charts_keep_their_own_ids_and_pass_the_audit(tmp_path):
    _chart(tmp_path / "a.svg")
    _chart(tmp_path / "b.svg")
    page = report.figure_html(tmp_path / "a.svg", "A line chart of children in care", "One", "s1-a-1")
    page += report.figure_html(tmp_path / "b.svg", "The same line chart again, drawn twice", "Two", "s1-b-2")
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)) > 2
    for ref in re.findall(r'href="#([^"]+)"|url\(#([^)]+)\)', page):
        assert (ref[0] or ref[1]) in ids
    assert page.count('role="img"') == 2 and 'aria-label="A line chart of children in care"' in page
    assert "<img" not in page and "xmlns" not in page
    # each chart's style rules reach only its own elements
    for sheet in re.findall(r"<style>(.*?)</style>", page):
        assert all(
            rule.startswith(("#s1-a-1-svg .ks", "#s1-b-2-svg .ks")) for rule in re.findall(r"[^{}]+(?=\{)", sheet)
        )
    assert report.audit_html(page) == []


@pytest.mark.parametrize(
    "bad",
    [
        '<svg role="img" aria-label="A chart of things"><use href="http://example.org/a.svg#x"/></svg>',
        '<svg role="img" aria-label="A chart of things"><image href="chart.png"/></svg>',
        '<svg role="img" aria-label="A chart of things"><rect fill="url(https://example.org/f#p)"/></svg>',
        '<svg role="img" aria-label="A chart of things"><foreignObject><p>x</p></foreignObject></svg>',
        '<svg role="img" aria-label="A chart of things"><set attributeName="href" to="javascript:x"/></svg>',
        '<svg role="img" aria-label="A chart of things"><style>@import "https://example.org/x.css";</style></svg>',
        "<svg><text>no name</text></svg>",
        '<svg role="img" aria-label="short"></svg>',
    ],
)
def test_audit_still_forbids_anything_external_in_an_inline_chart(bad):
    assert report.audit_html(bad)
    with pytest.raises(ValueError):
        report.check_self_contained(bad)


def test_synthetic_stamp_goes_under_everything_the_chart_draws(tmp_path):
    svg = _chart(tmp_path / "a.svg")
    height = float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', svg).group(1))
    stamped = figures.add_stamp(svg, "SYNTHETIC DATA: illustrative")
    assert float(re.search(r'viewBox="0 0 [\d.]+ ([\d.]+)"', stamped).group(1)) == pytest.approx(height + 14)
    y = float(re.search(r'<text x="[\d.]+" y="([\d.]+)"[^>]*>SYNTHETIC DATA', stamped).group(1))
    assert y - figures.MIN_FONT_PT >= height - 0.01  # its top edge at or below the chart's bottom edge
    assert figures.text_px(stamped, figures.PHONE_COLUMN_PX) == pytest.approx(
        figures.text_px(svg, figures.PHONE_COLUMN_PX), abs=0.01
    )


def test_glossary_links_never_go_inside_a_chart(tmp_path):
    from helpers.report.glossary import link_glossary

    with figures.chart_style():
        fig, ax = plt.subplots(figsize=(figures.FIGURE_WIDTH, 3))
        ax.set_title("Difference in differences against statistical neighbours")
    figures.save_figure(fig, tmp_path / "g.svg")
    plt.close(fig)
    chart = report.figure_html(tmp_path / "g.svg", "A chart of the difference in differences", "", "s1-g-1")
    linked = link_glossary(chart)
    assert linked.split("</svg>")[0] == chart.split("</svg>")[0]
