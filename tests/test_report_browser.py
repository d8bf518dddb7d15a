"""The report in a real browser: headless Chromium (Debian's package) driven by Playwright, and axe-core.

At 1280 px (desktop) and 390 px (phone): the report renders with the network off (every request is
aborted and counted: there must be none), no console error, every image loaded, no axe-core violation
at the WCAG 2.2 AA tags, and no page-level horizontal scroll on the phone. Screenshots and the
measurements go to ``test-artefacts/browser/`` (git-ignored). Set-up: ``make browser-deps``
(``apt-get install -y chromium`` and ``npm install axe-core``; ``.ci/run`` does it). Without the
browser or axe-core, the tests are SKIPPED with a one-line reason, never passed.

The report is the one the end-to-end fixture builds (``built`` in conftest.py) on small generated data.
"""

import json
from pathlib import Path

import pytest

from helpers import config
from helpers.report import find_chromium

AXE_JS = config.PROJECT_ROOT / ".browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = config.PROJECT_ROOT / "test-artefacts" / "browser"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"desktop": 1280, "phone": 390}


def _skip_reason() -> str | None:
    if find_chromium() is None:
        return "SKIPPED: Chromium not installed (apt-get install -y chromium, or make browser-deps)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "SKIPPED: the playwright package is not installed (make setup)"
    if not AXE_JS.exists():
        return f"SKIPPED: axe-core not installed at {AXE_JS.relative_to(config.PROJECT_ROOT)} (make browser-deps)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"])
        yield b
        b.close()


def visit(browser, html_path: Path, width: int, name: str) -> dict:
    """Open the report offline at a viewport width; return what was measured."""
    url = Path(html_path).resolve().as_uri()
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    requests, console_errors = [], []

    def route(r):
        if r.request.url == url:
            return r.continue_()
        requests.append(r.request.url[:120])
        return r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.goto(url, wait_until="load")
    images = page.evaluate("Array.from(document.images).map(i => ({ok: i.complete && i.naturalWidth > 0, alt: i.alt}))")
    scroll = page.evaluate("({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth})")
    # Anything reaching past the right edge other than inside a table's own scroll container
    # (which would be cut off or make the page scroll).
    overflowing = page.evaluate("""Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.fop-table-wrap'))
        .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    axe = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}}); "
        "return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length, "
        "first: v.nodes[0] && v.nodes[0].html.slice(0, 160)})); }",
        WCAG_TAGS,
    )
    context.close()
    result = {
        "width": width,
        "requests": requests,
        "console_errors": console_errors,
        "images": len(images),
        "images_not_loaded": [i["alt"][:60] for i in images if not i["ok"]],
        "axe_violations": axe,
        "overflowing": overflowing,
        **scroll,
    }
    (ARTEFACTS / f"{name}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


@pytest.fixture(scope="module")
def visits(browser, built):
    html_path = built["tmp"] / "reports" / "focus_on_practice_evaluation.html"
    return {name: visit(browser, html_path, width, name) for name, width in WIDTHS.items()}


@pytest.mark.parametrize("name", list(WIDTHS))
def test_report_offline_no_requests_no_console_errors(visits, name):
    v = visits[name]
    assert v["requests"] == [], f"the report asked for {len(v['requests'])} resources: {v['requests'][:5]}"
    assert v["console_errors"] == []


@pytest.mark.parametrize("name", list(WIDTHS))
def test_every_image_loaded(visits, name):
    v = visits[name]
    assert v["images"] >= 3
    assert v["images_not_loaded"] == []


@pytest.mark.parametrize("name", list(WIDTHS))
def test_no_axe_violations_at_wcag22_aa(visits, name):
    assert visits[name]["axe_violations"] == []


def test_no_page_level_horizontal_scroll_on_a_phone(visits):
    v = visits["phone"]
    assert v["scrollWidth"] <= v["innerWidth"], f"page is {v['scrollWidth']} px wide at {v['innerWidth']} px"
    assert v["overflowing"] == []


def test_make_pdf_prints_the_report(browser, built, tmp_path):
    """The same browser prints the report to a multi-page PDF (make pdf)."""
    from helpers.report import print_pdf

    html_path = built["tmp"] / "reports" / "focus_on_practice_evaluation.html"
    pdf = print_pdf(html_path, tmp_path / "report.pdf", browser=browser)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    assert pages >= 5, pages
