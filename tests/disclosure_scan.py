"""Build the four reports (tri-borough and one per borough) quickly, and scan their HTML for disclosure.

Used by ``tests/test_disclosure_scan.py``. The builder runs the notebooks' own code cells (read from
``notebooks/*.ipynb``, parameters injected as papermill would) in this process instead of one kernel per
notebook, captures what the report notebook displays into a notebook and exports it with
:func:`helpers.report.export_html`, the pipeline's own export. All strand notebooks of all four scopes
run first, then the four report notebooks, so that each report sees the other scopes (the cross-report
check of :mod:`helpers.disclosure` needs them).

The scanner reads only the HTML (and, for the declared margins, the tables' declarations in
``section.json``). It looks for:

* a count from 1 to the threshold next to a word for people (children, families, practitioners ...)
  anywhere in the text, alt text and chart labels included;
* a suppressed cell recoverable by subtraction: inside a table, from the margins the table declares;
  across reports, from the tri-borough table minus the three borough tables;
* estimates of suppressed groups: a row with a "c" that still shows a figure, and prose giving a
  figure next to the name of a group whose estimates the tables suppress;
* prose repeating, next to a word for people, a count that a table shows as "c" (secondary or
  cross-report suppression; the raw value is read from the section's saved table).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import yaml

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


def build_reports(raw_dir: Path, out_dir: Path, threshold: int, bootstrap: int = 100) -> dict[str, str]:
    """Build the four reports from ``raw_dir`` into ``out_dir``; returns ``{scope: html}``."""
    import IPython.display
    import nbformat

    from helpers import report

    steps = yaml.safe_load((config.PROJECT_ROOT / "pipeline.yaml").read_text(encoding="utf-8"))["notebooks"]
    processed = out_dir / "processed"
    common = {"raw_dir": str(raw_dir), "processed_dir": str(processed), "suppression_threshold": threshold}
    for scope in SCOPES:
        for step in steps:
            if step.get("exports_report") or step.get("kernel", config.KERNEL_NAME) != config.KERNEL_NAME:
                continue  # the report is built below; a notebook on another kernel (the DfE validators) writes no section
            extra = {
                k: (bootstrap if k == "bootstrap_samples" else v) for k, v in (step.get("parameters") or {}).items()
            }
            _run(config.PROJECT_ROOT / step["notebook"], {**common, **extra, "borough": scope})
    report_step = next(s for s in steps if s.get("exports_report"))
    htmls = {}
    original = IPython.display.display
    for scope in SCOPES:
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
        html_path = report.export_html(nb_path, out_dir / f"report_{scope}.html")
        htmls[scope] = html_path.read_text(encoding="utf-8")
    return htmls


# --------------------------------------------------------------------------------------------
# Reading the HTML
# --------------------------------------------------------------------------------------------


def _text(fragment: str) -> str:
    t = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", htmllib.unescape(t)).strip()


def parse_report(page: str) -> dict:
    """Sections of a report: ``{heading: {"prose": [...], "tables": [{"caption", "header", "rows"}]}}``.

    Prose is every paragraph, list item, caption and alt text outside tables, and every text drawn in
    an inline chart (each ``<text>`` element on its own)."""
    page = re.sub(r"<style.*?</style>|<script.*?</script>", "", page, flags=re.S | re.I)
    parts = re.split(r"(<h[23][^>]*>.*?</h[23]>)", page, flags=re.S)
    sections: dict = {}
    heading = "(top)"
    for part in parts:
        if re.match(r"<h[23]", part):
            heading = _text(part)
            heading = re.sub(r"^Technical detail: ", "", re.sub(r"^\d+\.\s*", "", heading)).rstrip("¶ ")
            continue
        sec = sections.setdefault(heading, {"prose": [], "tables": []})
        caption = None
        for token in re.finditer(r'<p class="fop-caption">(.*?)</p>|<table.*?</table>', part, flags=re.S):
            if token.group(1) is not None:
                caption = _text(token.group(1))
                continue
            table = token.group(0)
            header = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)]
            rows = [
                [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
                for tr in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
            ]
            sec["tables"].append({"caption": caption or "", "header": header, "rows": [r for r in rows if r]})
            caption = None
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


def _declared_tables(processed: Path, scope: str) -> dict:
    """``{caption: item}`` for every table declared in the scope's saved sections."""
    items = {}
    for path in (processed / scope / "report_sections").glob("*/section.json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            if item["kind"] == "table":
                items[item["caption"]] = item
    return items


def scan_margins(sections: dict, processed: Path, scope: str) -> list[str]:
    """A "c" given back by a declared margin: a total and every other part shown (one equation, one unknown)."""
    found = []
    declared = _declared_tables(processed, scope)
    for heading, sec in sections.items():
        for t in sec["tables"]:
            item = declared.get(t["caption"])
            if not item:
                continue
            labels = item.get("labels") or {}
            col = {h: i for i, h in enumerate(t["header"])}

            def idx(name, col=col, labels=labels):
                return col.get(labels.get(name, name), col.get(str(name).replace("_", " ")))

            for total, parts in (item.get("totals") or {}).items():
                for row in t["rows"]:
                    cells = [row[idx(c)] for c in [total, *parts] if idx(c) is not None]
                    if cells.count("c") == 1 and all(c == "c" or _int(c) is not None for c in cells):
                        found.append(f"{heading} / {t['caption'][:50]}: row {row[:2]} total {total}")
            for m in item.get("row_margins") or []:
                if m.get("total") is None or idx(m["column"]) is None:
                    continue
                ci = idx(m["column"])
                within = [
                    idx(w) for w in ([m["within"]] if isinstance(m.get("within"), str) else m.get("within") or [])
                ]
                blocks: dict = {}
                for row in t["rows"]:
                    blocks.setdefault(tuple(row[w] for w in within if w is not None), []).append(row)
                for c in item["count_columns"]:
                    j = idx(c)
                    if j is None:
                        continue
                    for rows in blocks.values():
                        tot = [r for r in rows if r[ci] == str(m["total"])]
                        parts = [
                            r
                            for r in rows
                            if r[ci] != str(m["total"]) and (m.get("parts") is None or r[ci] in map(str, m["parts"]))
                        ]
                        cells = [r[j] for r in tot + parts]
                        if tot and cells.count("c") == 1 and all(x == "c" or _int(x) is not None for x in cells):
                            found.append(f"{heading} / {t['caption'][:50]}: column {c}, block {tot[0][:2]}")
    return found


def scan_prose_repeats(sections: dict, processed: Path, scope: str, threshold: int) -> list[str]:
    """Prose giving, next to a word for people, a count that a table of the same section shows as "c"
    although it is above the threshold (suppressed by the secondary or the cross-report rule)."""
    import pandas as pd

    found = []
    folders = {}
    for path in (processed / scope / "report_sections").glob("*/section.json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            if item["kind"] == "table":
                folders[item["caption"]] = (path.parent, item)
    for heading, sec in sections.items():
        hidden: dict[int, set] = {}
        for t in sec["tables"]:
            if t["caption"] not in folders:
                continue
            folder, item = folders[t["caption"]]
            raw = pd.read_csv(folder / item["file"])
            labels = item.get("labels") or {}
            for c in item["count_columns"]:
                shown_name = labels.get(c, c)
                j = next(
                    (i for i, h in enumerate(t["header"]) if h in (shown_name, str(shown_name).replace("_", " "))), None
                )
                if j is None or len(raw) != len(t["rows"]):
                    continue
                words = {w for w in re.findall(r"[a-z]{5,}", t["header"][j].lower())}
                for r, row in enumerate(t["rows"]):
                    v = raw.at[r, c]
                    if row[j] == "c" and v == v and v > threshold:
                        hidden.setdefault(int(v), set()).update(words)
        shown = {_int(c) for t in sec["tables"] for row in t["rows"] for c in row if _int(c) is not None}
        for text in sec["prose"]:
            for sentence in re.split(r"(?<=[.;:])\s", text):
                for m in SMALL_COUNT.finditer(sentence):
                    v = int(m.group(1))
                    # the same number, in a sentence about what that column counts, and shown in no table
                    if v in hidden and v not in shown and any(w in sentence.lower() for w in hidden[v]):
                        found.append(f"{heading}: {v} is 'c' in a table: ...{sentence[:200]}...")
    return found


def scan_across_reports(parsed: dict[str, dict], threshold: int) -> list[str]:
    """Tri-borough cell minus the three borough cells: a "c" given back exactly (one unknown)."""
    found = []
    boroughs = [s for s in SCOPES if s != config.ALL_BOROUGHS]
    for heading, sec in parsed[config.ALL_BOROUGHS].items():
        for t in sec["tables"]:
            others = {}
            for b in boroughs:
                match = [
                    u
                    for u in parsed[b].get(heading, {"tables": []})["tables"]
                    if u["caption"] == t["caption"] and u["header"] == t["header"]
                ]
                if match:
                    others[b] = match[0]
            if len(others) < len(boroughs):
                continue
            tables = [t, *others.values()]
            # a row's identity: the columns with no "c" in any of the four reports (labels, waves)
            key = [i for i in range(len(t["header"])) if not any(r[i] == "c" for u in tables for r in u["rows"])]
            for row in t["rows"]:
                for j, cell in enumerate(row):
                    total = _int(cell)
                    if total is None or j in key or re.search(r"%|pct|mean|p-value|share", t["header"][j], re.I):
                        continue
                    unknown, known = 0, 0
                    for b in boroughs:
                        brow = [r for r in others[b]["rows"] if [r[i] for i in key] == [row[i] for i in key]]
                        if not brow:
                            continue  # the group is not in that borough: 0
                        v = brow[0][j]
                        if v == "c":
                            unknown += 1
                        elif _int(v) is not None:
                            known += _int(v)
                        else:
                            unknown += 2  # not a count: no subtraction possible
                    if unknown == 1 and 1 <= total - known:
                        found.append(
                            f"{heading} / {t['caption'][:50]}: row {[row[i] for i in key]} column "
                            f"{t['header'][j]!r}: {total} - {known} = {total - known}"
                        )
    return found


def scan_all(htmls: dict[str, str], processed: Path, threshold: int) -> dict[str, list[str]]:
    """Every check on every report; ``{check: findings}``."""
    parsed = {scope: parse_report(page) for scope, page in htmls.items()}
    out = {
        "prose counts": [],
        "rows with c and a figure": [],
        "prose estimates of suppressed groups": [],
        "margins within a table": [],
        "prose repeating a suppressed cell": [],
    }
    for scope, sections in parsed.items():
        out["prose counts"] += [f"[{scope}] {f}" for f in scan_prose_counts(sections, threshold)]
        out["rows with c and a figure"] += [f"[{scope}] {f}" for f in scan_rows_with_c(sections)]
        out["prose estimates of suppressed groups"] += [f"[{scope}] {f}" for f in scan_prose_estimates(sections)]
        out["margins within a table"] += [f"[{scope}] {f}" for f in scan_margins(sections, processed, scope)]
        out["prose repeating a suppressed cell"] += [
            f"[{scope}] {f}" for f in scan_prose_repeats(sections, processed, scope, threshold)
        ]
    out["across reports"] = scan_across_reports(parsed, threshold)
    return out
