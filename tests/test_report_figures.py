"""Figures in the built report: every one carries alt text, and records its width and smallest text
so legibility at phone width can be checked (issue 14). Uses the end-to-end build."""

from helpers.report_section import MIN_PHONE_TEXT_PX, load_sections, phone_text_px


def test_every_figure_has_alt_text_and_a_size_record(built):
    figures = [(s["strand"], i) for s in load_sections(built["processed"]) for i in s["items"] if i["kind"] == "figure"]
    assert len(figures) >= 5
    for strand, item in figures:
        assert len(item["alt"]) >= 20, (strand, item["name"])
        assert item["width_in"] > 0 and item["min_font_pt"] > 0, (strand, item["name"])


def test_implementation_figures_legible_at_phone_width(built):
    """Strands drawn with report_section.chart_style() at FIGURE_WIDTH meet the phone rule; the other
    strands adopt it as they are moved to the strand packages."""
    for section in load_sections(built["processed"]):
        if section["strand"] != "implementation":
            continue
        for item in (i for i in section["items"] if i["kind"] == "figure"):
            assert phone_text_px(item["min_font_pt"], item["width_in"]) >= MIN_PHONE_TEXT_PX, item["name"]
