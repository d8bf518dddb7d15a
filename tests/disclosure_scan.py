"""Build the four reports (tri-borough and one per borough) quickly, and scan their HTML for disclosure.

Used by ``tests/test_disclosure_scan.py``. The builder runs the notebooks' own code cells (read from
``notebooks/*.ipynb``, parameters injected as papermill would) in this process instead of one kernel per
notebook, captures what the report notebook displays into a notebook and exports it with
:func:`helpers.report.export_html`, the pipeline's own export. All strand notebooks of all four scopes
run first, then the four report notebooks, so that each report sees the other scopes (the cross-report
check of :mod:`helpers.disclosure` needs them).

The scanner reads the HTML, never what a table declares about itself. It looks for:

* a count from 1 to the threshold next to a word for people (children, families, practitioners ...)
  anywhere in the text, alt text and chart labels included, or in a table column whose header names people;
* a suppressed cell recoverable by arithmetic: relations between cells inferred from the rendered
  tables and prose (totals rows and columns, breakdowns that add up alike, sums stated elsewhere in the
  section, the tri-borough report as the sum of the borough reports), solved together
  (``tests/disclosure_scan_margins.py``; the saved, unsuppressed tables only confirm a guessed relation);
* estimates of suppressed groups: a row with a "c" that still shows a figure, and prose giving a
  figure next to the name of a group whose estimates the tables suppress.
"""

from __future__ import annotations

import contextlib
import copy
import html as htmllib
import importlib
import json
import re
from pathlib import Path
from unittest import mock

import yaml

from disclosure_scan_margins import scan_recoveries
from helpers import config

SCOPES = (*config.BOROUGHS, config.ALL_BOROUGHS)
PEOPLE = (
    r"children|child|famil(?:y|ies)|practitioners?|members?|clinicians?|(?:social |support )?workers?|respondents?|"
    r"participants?|people|persons?|staff|supervisors?|managers?|parents?|carers?|young people|forms|maps|"
    r"FSWs?|social workers?"
)
SMALL_COUNT = re.compile(
    rf"(?<![\w.,\-+±])(?<!wave )(?<!Wave )(?<!item )(?<!items )(\d+)(?![\w.%,]|\.\d)\s+(?:[A-Za-z()'-]+\s+){{0,3}}?(?:{PEOPLE})\b",
    re.I,
)
N_EQUALS = re.compile(r"\bn\s*=\s*(\d+)\b", re.I)
#: A header whose head noun is a group or a place, qualified after it ("Teams with a clinician"):
#: the column counts the teams, and the people word in the qualifier names no one counted.
COUNTS_UNITS = re.compile(
    r"^(?:number of\s+)?(?:teams|units|sites|offices|boroughs|areas|services|schools|hubs|pods|meetings|sessions)"
    r"\s+(?:with|without|that|where|which|having|in|led|run)\b",
    re.I,
)


# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


def _code_cells(notebook: Path) -> tuple[str, list[str]]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    return "".join(params["source"]), ["".join(c["source"]) for c in cells if c is not params]


def _run(notebook: Path, parameters: dict, capture: list | None = None) -> None:
    """Execute a notebook's code cells in a fresh namespace, parameters overridden after the parameters cell."""
    import matplotlib.pyplot as plt

    params, cells = _code_cells(notebook)
    ns: dict = {"__name__": "__notebook__"}
    exec(compile(params, f"{notebook.name}:parameters", "exec"), ns)  # noqa: S102 - the project's own notebook
    ns.update(parameters)
    for i, source in enumerate(cells):
        exec(compile(source, f"{notebook.name}:cell{i}", "exec"), ns)  # noqa: S102
    plt.close("all")


def _report_notebook(outputs: list) -> dict:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("", outputs=outputs)]
    return nb


#: Readers whose result depends only on their arguments and files the build never writes: the LA
#: returns (each read whole for every scope, to account for every file) and the published-statistics
#: comparisons (the same for both thresholds). With ``build_reports(..., reused={})`` each is computed
#: once per set of arguments and handed out as a copy, so that a build per threshold and per scope
#: does not read the same returns eight times; what the notebooks then do with it is run for each.
REUSED_READERS = (
    ("helpers.strands.la_extracts.inputs", "read_return"),
    ("helpers.strands.outcomes.analysis", "run"),
)


@contextlib.contextmanager
def _reusing(reused: dict | None):
    """Within the block, each of :data:`REUSED_READERS` answers a repeated call from ``reused``
    (keyed by reader and arguments); ``None``: nothing reused."""
    with contextlib.ExitStack() as stack:
        for module_name, name in REUSED_READERS if reused is not None else ():
            module = importlib.import_module(module_name)
            reader = _reused_reader(getattr(module, name), f"{module_name}.{name}", reused)
            stack.enter_context(mock.patch.object(module, name, reader))
        yield


def _reused_reader(original, name: str, reused: dict):
    def reader(*args, **kwargs):
        key = (name, repr(args), repr(sorted(kwargs.items())))
        if key not in reused:
            reused[key] = original(*args, **kwargs)
        return copy.deepcopy(reused[key])  # a notebook may change what it was given

    return reader


def build_reports(
    raw_dir: Path,
    out_dir: Path,
    threshold: int,
    bootstrap: int = 100,
    reused: dict | None = None,
    scopes: tuple[str, ...] = SCOPES,
) -> dict[str, str]:
    """Build the reports of ``scopes`` (by default the four) from ``raw_dir`` into ``out_dir``; returns
    ``{scope: html}``. ``reused``: a dict shared by the builds of one extract (see :data:`REUSED_READERS`)."""
    steps = yaml.safe_load((config.PROJECT_ROOT / "pipeline.yaml").read_text(encoding="utf-8"))["notebooks"]
    processed = out_dir / "processed"
    common = {"raw_dir": str(raw_dir), "processed_dir": str(processed), "suppression_threshold": threshold}
    with _reusing(reused):
        for scope in scopes:
            for step in steps:
                if step.get("exports_report") or step.get("kernel", config.KERNEL_NAME) != config.KERNEL_NAME:
                    continue  # the report is built below; a notebook on another kernel (the DfE validators) writes no section
                extra = {
                    k: (bootstrap if k == "bootstrap_samples" else v) for k, v in (step.get("parameters") or {}).items()
                }
                _run(config.PROJECT_ROOT / step["notebook"], {**common, **extra, "borough": scope})
    return _render_reports(steps, common, out_dir, scopes)


def _render_reports(steps: list, common: dict, out_dir: Path, scopes: tuple[str, ...]) -> dict[str, str]:
    """Run the report notebook for each scope, its displays captured, and export each report."""
    import IPython.display
    import nbformat

    from helpers import report

    report_step = next(s for s in steps if s.get("exports_report"))
    htmls = {}
    original = IPython.display.display
    for scope in scopes:
        outputs: list = []

        def capture(*objs, outputs=outputs, **_):
            for obj in objs:
                if hasattr(obj, "_repr_html_") and obj._repr_html_() is not None:
                    outputs.append(nbformat.v4.new_output("display_data", data={"text/html": obj._repr_html_()}))
                elif hasattr(obj, "_repr_markdown_"):
                    outputs.append(
                        nbformat.v4.new_output("display_data", data={"text/markdown": obj._repr_markdown_()})
                    )

        IPython.display.display = capture
        try:
            _run(config.PROJECT_ROOT / report_step["notebook"], {**common, "borough": scope})
        finally:
            IPython.display.display = original
        nb_path = out_dir / f"report_{scope}.ipynb"
        nbformat.write(_report_notebook(outputs), str(nb_path))
        # the report and its technical appendix, one page for the scan (a section's detail is its own)
        paths = report.export_report(nb_path, out_dir / f"report_{scope}.html")
        htmls[scope] = "\n".join(p.read_text(encoding="utf-8") for p in paths)
    return htmls


# --------------------------------------------------------------------------------------------
# Reading the HTML
# --------------------------------------------------------------------------------------------


def _text(fragment: str) -> str:
    t = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", htmllib.unescape(t)).strip()


def _heading(fragment: str) -> str:
    """A section's title, the same in the summary, the body and the technical appendix."""
    text = re.sub(r"^Technical detail: ", "", _text(fragment))
    return re.sub(r"^\d+\.\s*", "", text).rstrip("¶ ")


def parse_report(page: str) -> dict:
    """Sections of a report: ``{heading: {"prose": [...], "tables": [{"caption", "header", "rows"}]}}``.

    Prose is every paragraph, list item, caption and alt text outside tables, and every text drawn in
    an inline chart (each ``<text>`` element on its own); a section's key findings
    in the summary, its body and its technical detail are one section."""
    page = re.sub(r"<style.*?</style>|<script.*?</script>", "", page, flags=re.S | re.I)
    # a section starts at its h2 (body or technical detail) or at its title in the summary (an h4);
    # the h3s and h4s inside a section are its own sub-headings
    parts = re.split(r'(<h2[^>]*>.*?</h2>|<h4 class="fop-summary-title"[^>]*>.*?</h4>)', page, flags=re.S)
    sections: dict = {}
    heading = "(top)"
    for part in parts:
        if re.match(r"<h2|<h4", part):
            heading = _heading(part)
            continue
        sec = sections.setdefault(heading, {"prose": [], "tables": []})
        for table in re.findall(r"<table.*?</table>", part, flags=re.S):
            caption = re.search(r"<caption[^>]*>(.*?)</caption>", table, flags=re.S)
            head = re.search(r"<thead>(.*?)</thead>", table, flags=re.S)
            header = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1) if head else "", flags=re.S)]
            body = re.search(r"<tbody>(.*?)</tbody>", table, flags=re.S)
            rows = [
                [_text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, flags=re.S)]
                for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1) if body else "", flags=re.S)
            ]
            # shown on its side (a measure a row): turned back as saved (the export may write the
            # row header's attributes in any order)
            if re.search(r'<th\b[^>]*\bscope="row"', table):
                header, rows = (
                    [header[0], *(r[0] for r in rows)],
                    [[h, *(r[k] for r in rows)] for k, h in enumerate(header) if k],
                )
            sec["tables"].append(
                {
                    "caption": _text(caption.group(1)) if caption else "",
                    "header": header,
                    "rows": [r for r in rows if r],
                }
            )
        outside = re.sub(r"<table.*?</table>", " ", part, flags=re.S)
        alts = [htmllib.unescape(a) for a in re.findall(r'(?:\balt|aria-label)="([^"]*)"', outside)]
        # every label drawn in an inline chart, one text element at a time (tick labels stay apart)
        alts += [_text(t) for t in re.findall(r"<text\b[^>]*>(.*?)</text>", outside, flags=re.S)]
        outside = re.sub(r"<img[^>]*>|<svg\b.*?</svg>", " ", outside, flags=re.S)
        paragraphs = re.findall(r"<(?:p|li|figcaption|h1)[^>]*>(.*?)</(?:p|li|figcaption|h1)>", outside, flags=re.S)
        sec["prose"] += [_text(p) for p in paragraphs] + alts
    return sections


def _int(cell: str):
    c = cell.replace(",", "")
    return int(c) if re.fullmatch(r"\d+", c) else None


# --------------------------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------------------------


def scan_prose_counts(sections: dict, threshold: int) -> list[str]:
    """Counts from 1 to the threshold next to a word for people, in any prose or alt text."""
    found = []
    for heading, sec in sections.items():
        for text in sec["prose"]:
            for m in SMALL_COUNT.finditer(text):
                if 1 <= int(m.group(1)) <= threshold:
                    found.append(f"{heading}: ...{text[max(0, m.start() - 60) : m.end() + 20]}...")
            for m in N_EQUALS.finditer(text):
                if 1 <= int(m.group(1)) <= threshold:
                    found.append(f"{heading}: ...{text[max(0, m.start() - 60) : m.end() + 20]}...")
    return found


def scan_table_counts(sections: dict, threshold: int) -> list[str]:
    """A count from 1 to the threshold shown in a table column whose header names people (the
    interviews' clusters once printed "3" interviews behind a cluster's links while suppressing its
    number of themes: what a column counts decides, not its name). Person-time ("Child-years fewer than
    the counterfactual", an estimate from the published statistics) is not a count of people, nor is a
    count of teams or places qualified by people ("Teams with a clinician", see :data:`COUNTS_UNITS`)."""
    found = []
    for heading, sec in sections.items():
        for t in sec["tables"]:
            for j, head in enumerate(t["header"]):
                if (
                    not re.search(rf"\b(?:{PEOPLE}|interviews?|answers?)\b(?!-years?\b)", head, re.I)
                    or re.search(r"%|mean|rate", head, re.I)
                    or COUNTS_UNITS.match(head.strip())
                ):
                    continue
                for row in t["rows"]:
                    v = _int(row[j]) if j < len(row) else None
                    if v is not None and 1 <= v <= threshold:
                        found.append(f"{heading} / {t['caption'][:60]}: {head!r} = {v} in row {row[:2]}")
    return found


def scan_rows_with_c(sections: dict) -> list[str]:
    """A row with a suppressed count that still shows a figure (a number with decimals) beside it."""
    found = []
    for heading, sec in sections.items():
        for t in sec["tables"]:
            waves = {
                i for i, h in enumerate(t["header"]) if "wave" == h.lower().strip() or h.lower().startswith("wave ")
            }
            for row in t["rows"]:
                counts = [c for i, c in enumerate(row) if i not in waves and (c == "c" or _int(c) is not None)]
                if (
                    counts
                    and all(c == "c" for c in counts)
                    and any(re.fullmatch(r"[-+−]?\d[\d,]*\.\d+", cell) for cell in row)
                ):
                    found.append(f"{heading} / {t['caption'][:60]}: {row}")
    return found


def scan_prose_estimates(sections: dict) -> list[str]:
    """Prose giving a figure next to the name of a group whose row in a table has its figures suppressed."""
    found = []
    for heading, sec in sections.items():
        names, shown_names = set(), set()
        for t in sec["tables"]:
            for row in t["rows"]:
                numeric = [c for c in row if c == "c" or re.fullmatch(r"[-+−]?[\d,.]+", c) or c.startswith("p ")]
                hidden = bool(numeric) and all(c == "c" for c in numeric) and len(numeric) >= 2
                for cell in row:
                    for name in (cell, cell.split(": ", 1)[-1]):
                        if (
                            len(name) >= 8
                            and " " in name.strip()
                            and not re.fullmatch(r"[\d,.c –-]+", name)
                            and not name.startswith("All")
                        ):
                            (names if hidden else shown_names).add(name)
        names -= shown_names  # a label that also heads a shown row (a measure, a unit) is not a group
        prose = " ".join(sec["prose"])
        for name in names:
            for m in re.finditer(re.escape(name) + r".{0,25}?[-+−]?\d+\.\d", prose, flags=re.I):
                found.append(f"{heading}: {name!r}: ...{prose[m.start() : m.end() + 20]}...")
    return found


def scan_all(htmls: dict[str, str], processed: Path, threshold: int) -> dict[str, list[str]]:
    """Every check on every report; ``{check: findings}``."""
    parsed = {scope: parse_report(page) for scope, page in htmls.items()}
    out = {
        "prose counts": [],
        "small counts in tables": [],
        "rows with c and a figure": [],
        "prose estimates of suppressed groups": [],
    }
    for scope, sections in parsed.items():
        out["prose counts"] += [f"[{scope}] {f}" for f in scan_prose_counts(sections, threshold)]
        out["small counts in tables"] += [f"[{scope}] {f}" for f in scan_table_counts(sections, threshold)]
        out["rows with c and a figure"] += [f"[{scope}] {f}" for f in scan_rows_with_c(sections)]
        out["prose estimates of suppressed groups"] += [f"[{scope}] {f}" for f in scan_prose_estimates(sections)]
    # not a leak found: relations the scan could not confirm on true values, listed for a reader to check
    out["prose relations not confirmed"] = []
    out["recovered by arithmetic"] = scan_recoveries(
        parsed, processed, threshold, config.ALL_BOROUGHS, out["prose relations not confirmed"]
    )
    return out
