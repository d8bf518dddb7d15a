"""Figures in the built report: every one carries alt text, and records its width and smallest text
so legibility at phone width can be checked (issue 14). Uses the end-to-end build."""

import pytest

from helpers.report_section import MIN_PHONE_TEXT_PX, load_sections, phone_text_px


def test_every_figure_has_alt_text_and_a_size_record(built):
    figures = [(s["strand"], i) for s in load_sections(built["processed"]) for i in s["items"] if i["kind"] == "figure"]
    assert len(figures) >= 5
    for strand, item in figures:
        assert len(item["alt"]) >= 20, (strand, item["name"])
        assert item["width_in"] > 0 and item["min_font_pt"] > 0, (strand, item["name"])


def test_every_figure_legible_at_phone_and_laptop_width(built):
    """Every strand's charts, as recorded when saved: the smallest text of each at a section's column
    on a phone and on a laptop is at least 9 px, and the record agrees with its width and font size."""
    for section in load_sections(built["processed"]):
        for item in (i for i in section["items"] if i["kind"] == "figure"):
            where = (section["strand"], item["name"])
            assert item["phone_text_px"] >= MIN_PHONE_TEXT_PX and item["desktop_text_px"] >= MIN_PHONE_TEXT_PX, where
            assert phone_text_px(item["min_font_pt"], item["width_in"]) == pytest.approx(item["phone_text_px"], abs=0.1)
