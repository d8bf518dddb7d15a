"""Benchmark: the report's charts in a real browser: bytes, and the smallest text a reader sees.

Prints, for each built report file (default: ``reports/focus_on_practice_evaluation.html`` and its
technical appendix ``..._appendix.html``, when built):

* the file's size and the share of it that is charts (inline ``<svg>`` elements, or ``<img>``
  data URIs in reports built before charts were inlined);
* at each viewport width (390 px, a phone; 1280 px, a laptop), the smallest rendered font size of
  any chart text, in CSS px, and the charts whose smallest text is under 9 px.

Rendered font size: for an inline SVG, each ``<text>`` element's computed font size times the
scale from its user units to the screen (the square root of the determinant of its screen
transform, so rotated labels count the same); for an SVG shown as an ``<img>`` (text drawn as
glyph outlines), each glyph group's scale (matplotlib draws glyphs at 1/100 of the font size)
times the image's rendered width over its viewBox width.

Needs Chromium (``/usr/bin/chromium``, ``make browser-deps``) and the playwright package.
Run: ``.venv/bin/python benchmarks/bench_report_charts.py [REPORT.html ...] [--widths 390 1280] [--shots DIR]``.
"""

from __future__ import annotations

import argparse
import base64
import re
import sys
from pathlib import Path

from helpers import config
from helpers.report import find_chromium

MIN_PX = 9.0

#: In the page: one row per chart (inline SVG or SVG image) with its rendered width and, for an
#: inline SVG, the smallest rendered font size of its text.
_MEASURE_JS = """() => Array.from(document.querySelectorAll('figure.fop-figure')).map(f => {
  const svg = f.querySelector('svg'), img = f.querySelector('img');
  const box = (svg || img).getBoundingClientRect();
  let min = null, count = 0;
  if (svg) {
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      const m = t.getScreenCTM(), fs = parseFloat(getComputedStyle(t).fontSize);
      const px = fs * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      count += 1;
      if (min === null || px < min) min = px;
    }
  }
  return {id: f.id, inline: !!svg, width: box.width, min: min, texts: count,
          src: img ? img.getAttribute('src') : null};
})"""


def glyph_font_sizes(svg_text: str) -> list[float]:
    """Font sizes (SVG user units) of text drawn as glyph outlines by matplotlib (``svg.fonttype:
    path``): each glyph group is scaled by font size / 100."""
    return [float(s) * 100 for s in re.findall(r"scale\(([0-9.]+) -[0-9.]+\)", svg_text)]


def _viewbox_width(svg_text: str) -> float:
    return float(re.search(r'viewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+)', svg_text).group(1))


def _image_min_px(src: str, width: float) -> float | None:
    svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
    sizes = glyph_font_sizes(svg)
    return min(sizes) * width / _viewbox_width(svg) if sizes else None


def chart_bytes(html: str) -> tuple[int, int]:
    """Number of charts and their bytes in the HTML (inline ``<svg>`` elements and SVG/PNG images)."""
    inline = re.findall(r"<svg\b.*?</svg>", html, re.S)
    images = re.findall(r'<img\b[^>]*src="data:image/[^"]*"[^>]*>', html)
    parts = inline + images
    return len(parts), sum(len(p.encode("utf-8")) for p in parts)


def measure(html_path: Path, widths, shots: Path | None = None) -> dict:
    """Open the report offline at each width; the smallest chart text and the charts under 9 px."""
    from playwright.sync_api import sync_playwright

    url = html_path.resolve().as_uri()
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"])
        for width in widths:
            context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
            page.goto(url, wait_until="load")
            rows = page.evaluate(_MEASURE_JS)
            for row in rows:
                if not row["inline"] and row["src"] and row["src"].startswith("data:image/svg+xml"):
                    row["min"] = _image_min_px(row["src"], row["width"])
                row.pop("src", None)
            if shots:
                _screenshots(page, shots, width)
            out[width] = rows
            context.close()
        browser.close()
    return out


def _screenshots(page, folder: Path, width: int) -> None:
    """One PNG per chart, as the reader sees it at this width."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, handle in enumerate(page.query_selector_all("figure.fop-figure")):
        handle.scroll_into_view_if_needed()
        handle.screenshot(path=str(folder / f"w{width}_{i:02d}_{handle.get_attribute('id') or 'figure'}.png"))


def _report(path: Path, widths, shots: Path | None) -> None:
    html = path.read_text(encoding="utf-8")
    size = len(html.encode("utf-8"))
    n, chart = chart_bytes(html)
    print(f"{path.name}: {size:,} bytes ({size / 1e6:.2f} MB); {n} charts, {chart:,} bytes ({chart / size:.0%})")
    for width, rows in measure(path, widths, shots / path.stem if shots else None).items():
        sizes = [r["min"] for r in rows if r["min"] is not None]
        small = [r for r in rows if r["min"] is not None and r["min"] < MIN_PX]
        smallest = f"{min(sizes):.1f} px" if sizes else "no chart text"
        print(
            f"  at {width} px: smallest chart text {smallest}; {len(small)} of {len(rows)} charts under {MIN_PX:g} px"
        )
        for r in sorted(small, key=lambda r: r["min"]):
            print(f"    {r['id']}: {r['min']:.1f} px (chart {r['width']:.0f} px wide)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = config.PROJECT_ROOT / "reports" / "focus_on_practice_evaluation.html"
    parser.add_argument("reports", nargs="*", help="report files (default: the default build's report and appendix)")
    parser.add_argument("--widths", type=int, nargs="+", default=[390, 1280])
    parser.add_argument("--shots", default=None, help="folder for one screenshot per chart and width")
    args = parser.parse_args(argv)
    if find_chromium() is None:
        print("Chromium not found (make browser-deps)", file=sys.stderr)
        return 2
    paths = [Path(p) for p in args.reports] or [
        p for p in (default, default.with_name(default.stem + "_appendix.html")) if p.exists()
    ]
    for path in paths:
        _report(path, args.widths, Path(args.shots) if args.shots else None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
