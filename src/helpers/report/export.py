"""Export of the executed report notebook to two self-contained HTML files: the report commissioners
read, and its technical appendix.

The report notebook displays everything in reading order; what belongs to the appendix is marked
(:func:`for_appendix`). The export writes the outputs without the mark to ``<name>.html`` and the
marked ones to ``<name>_appendix.html`` beside it, then reconciles the links between them: a link to
a place in the other file names that file, and a link to a place in neither is an error. Both files
are audited (:func:`helpers.report.audit.check_self_contained`) before either is written.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

from .audit import check_self_contained
from .header import REPORT_TITLE

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE_NAME = "fop_report"
APPENDIX_TITLE = "Focus on Practice: technical appendix"
#: The attribute that sends a displayed part to the appendix file.
APPENDIX_MARK = 'data-fop-file="appendix"'
_PARTIAL = re.compile(r"^\.(?P<name>.+\.html)\.partial-\d+$")


def for_appendix(fragment: str) -> str:
    """Mark a displayed HTML part for the technical appendix file."""
    return f'<div class="fop-appendix-part" {APPENDIX_MARK}>{fragment}</div>'


def appendix_path_for(html_path: Path) -> Path:
    """``reports/x.html`` -> ``reports/x_appendix.html``. A runner's temporary name
    (``.x.html.partial-<pid>``) gives the appendix of the final name, so links name the final files."""
    html_path = Path(html_path)
    m = _PARTIAL.match(html_path.name)
    name = m.group("name") if m else html_path.name
    return html_path.with_name(Path(name).stem + "_appendix.html")


def _html_of(output) -> str:
    data = output.get("data", {}).get("text/html", "")
    return "".join(data) if isinstance(data, list) else str(data)


def _is_appendix(output) -> bool:
    return APPENDIX_MARK in _html_of(output)[:200]


def _prepared(executed_notebook: Path):
    import nbformat

    nb = nbformat.read(str(executed_notebook), as_version=4)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"  # papermill gives its injected cell a random id
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    return nb


def _split(nb):
    """(report notebook, appendix notebook or None): the marked outputs go to the appendix, and
    only they (no Markdown cell, no other output)."""
    main, appendix = copy.deepcopy(nb), copy.deepcopy(nb)
    for cell in main.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not _is_appendix(o)]
    appendix.cells = [c for c in appendix.cells if c.cell_type == "code"]
    for cell in appendix.cells:
        cell.outputs = [o for o in cell.outputs if _is_appendix(o)]
    appendix.cells = [c for c in appendix.cells if c.outputs]
    return main, (appendix if appendix.cells else None)


_EXPORTER = None


def report_exporter_class():
    """nbconvert's HTML exporter without the pass over the whole page that ends its
    ``from_notebook_node``.

    That pass (nbconvert 7) parses the page with BeautifulSoup to give every ``<img>`` without alt
    text a stock one ("No description has been provided for this image", which then satisfied the
    audit) and every output and Markdown cell ``tabindex="0"``, and writes the page out again: 70% of
    the export's CPU, about 2.5 s for the report and its appendix. Here the audit refuses an image
    without alt text, and the template gives each output its ``tabindex`` (an output scrolls when too
    wide); a Markdown cell, prose that never scrolls, is no longer a stop for the Tab key.
    """
    global _EXPORTER
    if _EXPORTER is None:
        from nbconvert import HTMLExporter
        from nbconvert.exporters.html import Highlight2HTML, WidgetsDataTypeFilter
        from nbconvert.exporters.templateexporter import TemplateExporter

        class ReportExporter(HTMLExporter):
            def from_notebook_node(self, nb, resources=None, **kw):
                # HTMLExporter.from_notebook_node up to the BeautifulSoup pass
                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
                resources = self._init_resources(resources)
                data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
                self.register_filter("highlight_code", highlight_code)
                self.register_filter("filter_data_type", data_type)
                return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

        _EXPORTER = ReportExporter
    return _EXPORTER


def _render(nb, title: str) -> str:
    nb.metadata["title"] = title
    exporter = report_exporter_class()(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


_H1 = re.compile(r'<h1 id="top">(.*?)</h1>', re.S)


def _heading(nb) -> str | None:
    """The report's own title, as its header displayed it (an authority's report names it)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            found = _H1.search(_html_of(output))
            if found:
                return html.unescape(found.group(1))
    return None


_ID = re.compile(r'\sid="([^"]+)"')
_LOCAL_LINK = re.compile(r'(<a\b[^>]*?\shref=")#([^"]*)(")')


def reconcile_links(pages: dict[str, str]) -> dict[str, str]:
    """``{file name: html}`` with every in-page link (``<a href="#x">``) pointing where ``x`` is:
    in the same file it stays, in another file it names that file (``other.html#x``). A link to a
    place in no file raises, naming the file and the target."""
    ids = {name: set(_ID.findall(page)) for name, page in pages.items()}
    out = {}
    for name, page in pages.items():
        missing = []

        def fix(m, name=name, missing=missing):
            target = m.group(2)
            if not target or target in ids[name]:
                return m.group(0)
            others = [other for other in pages if other != name and target in ids[other]]
            if not others:
                missing.append(target)
                return m.group(0)
            return f"{m.group(1)}{others[0]}#{target}{m.group(3)}"

        out[name] = _LOCAL_LINK.sub(fix, page)
        if missing:
            raise ValueError(f"{name}: links to places that exist in no file of the report: {sorted(set(missing))}")
    return out


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def export_report(executed_notebook: Path, html_path: Path, title: str | None = None) -> list[Path]:
    """Export an executed report notebook to the report and its technical appendix; returns the
    paths written (the report first; the appendix when the notebook marked any part for it).

    Input cells and prompts are excluded; stderr output (warnings) is dropped (it stays in the
    executed notebook, the audit trail); cell ids are renumbered so the same notebook always gives
    the same bytes. Both files are audited before either is written; a stale appendix of an earlier
    build is removed when this one has none.
    """
    html_path = Path(html_path)
    appendix_path = appendix_path_for(html_path)
    nb = _prepared(executed_notebook)
    title = title or _heading(nb) or nb.metadata.get("title") or REPORT_TITLE
    main, appendix = _split(nb)
    final_name = appendix_path.name.replace("_appendix.html", ".html")
    pages = {final_name: _render(main, title)}
    if appendix is not None:
        pages[appendix_path.name] = _render(appendix, APPENDIX_TITLE)
    pages = reconcile_links(pages)
    for page in pages.values():
        check_self_contained(page)
    _write(html_path, pages[final_name])
    if appendix is None:
        appendix_path.unlink(missing_ok=True)
        return [html_path]
    _write(appendix_path, pages[appendix_path.name])
    return [html_path, appendix_path]


def export_html(executed_notebook: Path, html_path: Path, title: str | None = None) -> Path:
    """:func:`export_report`, returning the report's path (the appendix is written beside it)."""
    return export_report(executed_notebook, html_path, title)[0]
