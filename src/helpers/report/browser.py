"""The browser: Debian's Chromium, for `make pdf` and the browser test."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium() -> str | None:
    """The Debian ``chromium`` executable, or None. ``FOP_CHROMIUM`` names another one (only that
    one is tried, so ``FOP_CHROMIUM=none`` shows what happens on a machine without a browser)."""
    override = os.environ.get("FOP_CHROMIUM")
    candidates = [override] if override else list(CHROMIUM_CANDIDATES)
    for path in candidates:
        if path and Path(path).is_file():
            return path
    return None


def print_pdf(html_path: Path, pdf_path: Path, browser=None) -> Path:
    """Print the report to PDF with headless Chromium (the same browser as the browser test),
    with the network off; the print styles keep tables and figures whole on a page. ``browser``:
    an already launched Playwright browser (the tests pass theirs), else Debian's chromium is launched."""
    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    url = Path(html_path).resolve().as_uri()

    def _print(b):
        page = b.new_page()
        page.route("**/*", lambda route: route.continue_() if route.request.url == url else route.abort())
        page.goto(url, wait_until="load")
        page.emulate_media(media="print")
        page.pdf(
            path=str(pdf_path),
            format="A4",
            print_background=True,
            margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
        )
        page.close()

    if browser is not None:
        _print(browser)
        return pdf_path
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("no Chromium found: install Debian's chromium package (apt-get install -y chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            _print(launched)
        finally:
            launched.close()
    return pdf_path
