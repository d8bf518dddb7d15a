"""Charts as the report shows them: SVG with real text, inlined in the HTML, legible on a phone.

One path for every chart a strand hands the report (:meth:`helpers.report_section.Section.figure`):

* **drawn** inside :func:`chart_style` at :data:`FIGURE_WIDTH` (text sizes chosen so that the
  smallest is still :data:`MIN_TEXT_PX` tall when the chart is shrunk to a phone's column);
* **saved** by :func:`save_figure` as SVG whose text is text (``svg.fonttype: none``: searchable,
  selectable, and a fraction of the bytes of glyph outlines), cleaned so that the same chart always
  gives the same bytes (fixed hash salt, no date or software stamp, comments dropped, only the ids
  something refers to kept, renumbered in order, path coordinates to 0.1 pt (0.13 px at natural
  size: invisible, and most of a chart's bytes), other coordinates to 0.01 pt);
* **measured** by :func:`text_px`: the rendered size of its smallest text at the widths the report is
  read at (a section's 346 px column on a phone, a laptop's 936 px), from the saved file itself;
* **inlined** by :func:`inline_svg` into the report: every id prefixed with the figure's own id so
  that no two charts in one page collide, ``role="img"`` with the alt text as its accessible name,
  shown at its natural size and shrunk to the column when the column is narrower.

Nothing here sets the plotting backend or keeps global figure state.
"""

from __future__ import annotations

import io
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

#: Width (inches) every chart is drawn at: 480 px at natural size on a laptop, shrunk by 0.72 to a
#: section's column on a phone, so text of :data:`MIN_FONT_PT` or more stays at least 9 px tall
#: (9.6 px; at 5.5 in it would be 8.7 px).
FIGURE_WIDTH = 5.0

#: Content width (CSS px) a chart is read at: on a phone (390 px), a section's boxed column (the
#: page's 374 px less the box's 6 + 1 px borders and 0.6 em padding each side: 347.8 px, with 1.8 px
#: to spare for a browser's rounding); on a laptop (1280 px) the 60 rem column less 0.75 rem padding
#: each side (charts narrower than it are shown at their natural size there).
PHONE_COLUMN_PX = 346
DESKTOP_COLUMN_PX = 936

#: Smallest rendered chart text allowed at either width (CSS px).
MIN_TEXT_PX = 9.0

#: Smallest font (points) for a chart drawn at :data:`FIGURE_WIDTH`: 10 pt is 13.3 px at natural
#: size and 9.4 px on a phone.
MIN_FONT_PT = 10

#: Characters of 11 pt DejaVu Sans (about 6.6 pt each on average) across a chart :data:`FIGURE_WIDTH`
#: wide (360 pt): what titles, labels and legends are wrapped to.
CHARS_ACROSS = 54

#: Fonts a reader's browser tries, in order. Charts are laid out with DejaVu Sans (matplotlib's own);
#: Verdana is as wide, the others narrower, so a substitute never makes a label overflow.
FONT_STACK = ["DejaVu Sans", "Bitstream Vera Sans", "Verdana", "Arial", "Helvetica"]

#: The report-wide chart style. Strands draw inside ``with chart_style():``.
CHART_RC = {
    "font.family": "sans-serif",
    "font.sans-serif": FONT_STACK,
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.title_fontsize": MIN_FONT_PT,
    "figure.titlesize": 12,
    "figure.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
}

#: How :func:`save_figure` writes SVG: text as text, ids from a fixed salt.
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "focus-on-practice", "font.sans-serif": FONT_STACK}
_NO_STAMP = {"Date": None, "Creator": None, "Contributor": None, "Format": None, "Type": None}

_SVG_NS = "http://www.w3.org/2000/svg"
_REF = re.compile(r"url\(#([^)\s]+)\)|^#(.+)$")
_NUMBER = re.compile(r"-?\d+\.\d+")
_GEOMETRY = {"d", "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "points"}
_GEOMETRY |= {"transform", "viewBox"}


def chart_style():
    """A context manager applying :data:`CHART_RC` (never sets the backend)."""
    import matplotlib

    return matplotlib.rc_context(CHART_RC)


_DAY_MONTH = re.compile(
    r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December)\b"
)


def wrap(text, width: int = 40) -> str:
    """Text broken into lines of at most ``width`` characters (whole words), for a title or label that
    must fit a chart drawn at :data:`FIGURE_WIDTH` (:data:`CHARS_ACROSS` characters of 11 pt text).
    A date stays on one line ("31 March": a "31" ending a line reads as a count)."""
    kept = _DAY_MONTH.sub("\\1\u00a0\\2", str(text))  # a no-break space: textwrap breaks at plain whitespace only
    return textwrap.fill(kept, width, break_long_words=False, break_on_hyphens=False).replace("\u00a0", " ")


def panels(rows: int, cols: int = 1, panel_height: float = 2.4, extra: float = 1.2, **kwargs):
    """A figure :data:`FIGURE_WIDTH` wide of ``rows`` x ``cols`` panels, ``panel_height`` inches each
    plus ``extra`` for titles and a legend below; constrained layout (nothing drawn outside the
    figure's width). Call inside :func:`chart_style`. Returns ``(fig, axes)`` with ``axes`` a flat
    list, row by row."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        rows, cols, figsize=(FIGURE_WIDTH, panel_height * rows + extra), squeeze=False, layout="constrained", **kwargs
    )
    return fig, list(axes.flat)


def legend_below(fig, axes, ncol: int = 2) -> None:
    """One legend under all the panels (constrained layout), each label once, never over the data;
    labels wrapped so that ``ncol`` columns fit the figure's width."""
    handles, labels = [], []
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=False):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    if handles:
        width = int(CHARS_ACROSS / ncol) - 5  # each column's share of the width, less its key's marker
        fig.legend(handles, [wrap(x, width) for x in labels], loc="outside lower center", ncol=ncol, frameon=False)


def year_ticks(ax, years) -> None:
    """Year ticks far enough apart that four-digit years at :data:`MIN_FONT_PT` never touch on a
    full-width panel: every year up to 6, every other up to 12, else every third."""
    years = sorted({int(y) for y in years if y == y})
    if years:
        step = 1 if len(years) <= 6 else 2 if len(years) <= 12 else 3
        ax.set_xticks(years[::step])


# ---- saving ---------------------------------------------------------------------------------------


def save_figure(fig, path: Path, stamp: str | None = None) -> Path:
    """Save a figure as clean SVG with real text (see the module docstring); same chart, same bytes.
    ``stamp``: a line of red text added under everything the chart draws (:func:`add_stamp`)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.04, metadata=_NO_STAMP)
    svg = clean_svg(buffer.getvalue())
    path = Path(path)
    path.write_text(add_stamp(svg, stamp) if stamp else svg, encoding="utf-8")
    return path


def add_stamp(svg: str, text: str) -> str:
    """The chart with a line of red text (e.g. "SYNTHETIC DATA") under everything it draws, right
    aligned: the drawing grows by one line, so the stamp never covers a label or a legend."""
    root = ET.fromstring(svg.encode("utf-8"))
    x0, y0, w, h = (float(v) for v in root.get("viewBox").split())
    line = MIN_FONT_PT * 1.4
    root.set("viewBox", f"{x0:g} {y0:g} {w:g} {h + line:g}")
    root.set("height", f"{h + line:g}pt")
    stamp = ET.SubElement(root, "text", {"x": f"{x0 + w - 2:g}", "y": f"{y0 + h + MIN_FONT_PT:g}"})
    stamp.attrib.update({"font-size": f"{MIN_FONT_PT}px", "text-anchor": "end", "fill": "#b00020"})
    stamp.text = text
    stamp.tail = "\n"
    return _serialise(root)


def _short_number(match, decimals: int = 2) -> str:
    """A coordinate to ``decimals`` places, without trailing zeros (``"337.0012"`` -> ``"337"``)."""
    text = f"{float(match.group(0)):.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _local(name: str) -> str:
    """A tag or attribute name without its namespace (``{ns}href`` -> ``href``)."""
    return name.rsplit("}", 1)[-1]


def _style(text: str) -> dict:
    pairs = (p.split(":", 1) for p in text.split(";") if ":" in p)
    return {k.strip(): v.strip() for k, v in pairs}


def _style_text(style: dict) -> str:
    return "; ".join(f"{k}: {v}" for k, v in style.items())


def _references(root) -> set[str]:
    """Ids something in the SVG points at (``href="#id"`` or ``url(#id)``)."""
    found = set()
    for el in root.iter():
        for value in el.attrib.values():
            for m in _REF.finditer(value.strip()):
                found.add(m.group(1) or m.group(2))
    return found


def _rewrite_refs(value: str, ids: dict) -> str:
    value = re.sub(r"url\(#([^)\s]+)\)", lambda m: f"url(#{ids.get(m.group(1), m.group(1))})", value)
    if value.startswith("#") and value[1:] in ids:
        value = "#" + ids[value[1:]]
    return value


def _unwrap_bare_groups(parent) -> None:
    """Replace every ``<g>`` with no attributes by its children (same drawing, fewer bytes)."""
    for child in list(parent):
        _unwrap_bare_groups(child)
    index = 0
    while index < len(parent):
        child = parent[index]
        if child.tag == "g" and not child.attrib and not (child.text or "").strip():
            parent.remove(child)
            for offset, grandchild in enumerate(list(child)):
                parent.insert(index + offset, grandchild)
            continue
        index += 1


def _clean_element(el, ids: dict, family: str) -> None:
    el.tag = _local(el.tag)
    attrib = {}
    for key, value in el.attrib.items():
        key = _local(key)
        if key == "id":
            if value not in ids:
                continue
            value = ids[value]
        elif key in _GEOMETRY:
            decimals = 1 if key in ("d", "points") else 2
            value = _NUMBER.sub(lambda m, places=decimals: _short_number(m, places), " ".join(value.split()))
            if key == "d":
                value = re.sub(r"\s*([A-Za-z])\s*", r"\1", value)  # "M 1 2 L 3 4 z" -> "M1 2L3 4z"
            if key == "transform" and re.fullmatch(r"rotate\(-?0 [-\d. ]+\)", value):
                continue  # matplotlib's no-op rotation of horizontal text
        elif key == "style" and el.tag in ("text", "tspan"):
            style = _style(value)
            if style.get("font-family", "").startswith(family.split(",")[0]):
                style.pop("font-family")  # inherited from the root
            value = _style_text(style)
        value = _rewrite_refs(value, ids)
        attrib[key] = value
    el.attrib.clear()
    el.attrib.update(attrib)
    if el.tag not in ("text", "tspan") or (len(el) and not (el.text or "").strip()):
        el.text = None
    # a line break after each text: not drawn, but copied text and page search keep labels apart
    el.tail = "\n" if el.tag == "text" else None


#: Class names for the styles of a chart's elements: unlikely to meet any class of the page's own.
_CLASS = "ks"


def _styles_to_classes(root) -> None:
    """Each distinct ``style`` attribute becomes one class, defined once in a ``<style>`` at the top
    (a chart repeats a few styles thousands of times: most of its bytes after the paths)."""
    classes: dict[str, str] = {}
    for el in root.iter():
        style = el.attrib.pop("style", None)
        if style:
            name = classes.setdefault(style, f"{_CLASS}{len(classes)}")
            el.set("class", name)
    if classes:
        sheet = ET.Element("style")
        sheet.text = "".join(f".{name}{{{style}}}" for style, name in classes.items())
        root.insert(0, sheet)


def _classes(root) -> dict[str, dict]:
    """The styles :func:`_styles_to_classes` defined, by class name."""
    sheet = next((el for el in root.iter() if _local(el.tag) == "style"), None)
    rules = re.findall(r"\.([\w-]+)\{([^}]*)\}", sheet.text or "") if sheet is not None else []
    return {name: _style(body) for name, body in rules}


def clean_svg(svg: str) -> str:
    """matplotlib's SVG, cleaned for the report: namespace-free tags, ``href`` not ``xlink:href``, no
    comments, matplotlib's ``<style>`` gone (its two stroke rules become inherited attributes of the
    root), the font family said once on the root, each distinct element style once as a class (its
    rules scoped to the chart when inlined, so a chart never styles the page), only the ids
    something refers to (renumbered ``i0``, ``i1``... in order), short numbers."""
    root = ET.fromstring(svg.encode("utf-8"))
    referenced = _references(root)
    order = [el.get("id") for el in root.iter() if el.get("id") in referenced]
    ids = {old: f"i{n}" for n, old in enumerate(dict.fromkeys(order))}
    family = ", ".join(f"'{f}'" if " " in f else f for f in FONT_STACK) + ", sans-serif"
    for defs in [el for el in root.iter() if _local(el.tag) == "defs"]:
        for child in [c for c in defs if _local(c.tag) == "style"]:
            defs.remove(child)
    for el in root.iter():
        _clean_element(el, ids, family)
    for parent in list(root.iter()):
        for child in [c for c in parent if c.tag == "defs" and not len(c)]:
            parent.remove(child)
    _unwrap_bare_groups(root)
    _styles_to_classes(root)
    top = {"xmlns": _SVG_NS, **{k: v for k, v in root.attrib.items() if k in ("width", "height", "viewBox")}}
    top.update({"font-family": family, "stroke-linejoin": "round", "stroke-linecap": "butt"})
    root.attrib.clear()
    root.attrib.update(top)
    return _serialise(root)


def _serialise(root) -> str:
    """A cleaned chart as text (namespace-free tags; the SVG namespace as a plain attribute)."""
    for el in root.iter():
        el.tag = _local(el.tag)
    root.set("xmlns", _SVG_NS)
    return ET.tostring(root, encoding="unicode") + "\n"


# ---- measuring ------------------------------------------------------------------------------------


def phone_text_px(min_font_pt: float, width_in: float, screen_px: int = PHONE_COLUMN_PX) -> float:
    """How tall (CSS px) text of ``min_font_pt`` points is when a figure ``width_in`` inches wide is
    shrunk to a phone's content width (1 pt = 4/3 px at natural size; never enlarged)."""
    natural_px = width_in * 96
    return min_font_pt * 4 / 3 * min(1.0, screen_px / natural_px)


def figure_text_sizes(fig) -> list[float]:
    """Font sizes (points) of every visible text in a matplotlib figure."""
    from matplotlib.text import Text

    return [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _font_px(el, inherited: float | None, classes: dict) -> float | None:
    style = {**classes.get(el.get("class", ""), {}), **_style(el.get("style", ""))}
    size = style.get("font-size") or el.get("font-size")
    return float(size.removesuffix("px")) if size else inherited


def svg_text_sizes(svg: str) -> tuple[float, list[float]]:
    """The SVG's width in user units and the font size (user units) of every text that shows."""
    root = ET.fromstring(svg.encode("utf-8"))
    width = float(root.get("viewBox").split()[2])
    classes = _classes(root)
    sizes = []

    def walk(el, inherited):
        size = _font_px(el, inherited, classes)
        if _local(el.tag) in ("text", "tspan") and (el.text or "").strip():
            sizes.append(size if size is not None else 16.0)  # the browser's default
        for child in el:
            walk(child, size)

    walk(root, None)
    return width, sizes


def text_px(svg: str, column_px: float) -> float | None:
    """Rendered size (CSS px) of the smallest text when the chart is shown in a column ``column_px``
    wide: at its natural size (1 pt = 4/3 px) or shrunk to the column if narrower. ``None``: no text."""
    width, sizes = svg_text_sizes(svg)
    if not sizes:
        return None
    shown = min(column_px, width * 4 / 3)
    return min(sizes) * shown / width


def legibility(svg: str) -> dict:
    """What the report records about a chart: natural width (px) and smallest text at each width."""
    width, _ = svg_text_sizes(svg)
    phone, desktop = text_px(svg, PHONE_COLUMN_PX), text_px(svg, DESKTOP_COLUMN_PX)
    return {
        "width_px": round(width * 4 / 3, 1),
        "phone_text_px": None if phone is None else round(phone, 2),
        "desktop_text_px": None if desktop is None else round(desktop, 2),
    }


def check_legible(svg: str, name: str) -> dict:
    """:func:`legibility`, raising when any text would show under :data:`MIN_TEXT_PX` at either width."""
    found = legibility(svg)
    for where in ("phone", "desktop"):
        px = found[f"{where}_text_px"]
        if px is not None and px < MIN_TEXT_PX:
            raise ValueError(
                f"figure {name}: its smallest text would show {px:.1f} px tall on a {where} "
                f"(at least {MIN_TEXT_PX:g} px): draw it at FIGURE_WIDTH ({FIGURE_WIDTH} in) inside "
                f"chart_style(), with no text under {MIN_FONT_PT} pt"
            )
    return found


# ---- inlining -------------------------------------------------------------------------------------


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """A saved chart as an ``<svg>`` element for the report's HTML: ids (and what points at them)
    prefixed with ``prefix``, no namespace declaration, ``role="img"`` named by ``label`` (the alt
    text), natural size in px, shrunk with the column when that is narrower."""
    root = ET.fromstring(svg.encode("utf-8"))
    ids = {el.get("id"): f"{prefix}-{el.get('id')}" for el in root.iter() if el.get("id")}
    for el in root.iter():
        el.tag = _local(el.tag)
        for key, value in list(el.attrib.items()):
            if key == "id":
                el.set(key, ids[value])
            elif "#" in value:
                el.set(key, _rewrite_refs(value, ids))
    for sheet in (el for el in root.iter() if el.tag == "style"):
        # the chart's own rules apply to the chart only, never to the page around it
        sheet.text = re.sub(r"(^|\})\.", rf"\1#{prefix}-svg .", sheet.text or "")
    _, _, w, h = (float(v) for v in root.get("viewBox").split())
    keep = {k: v for k, v in root.attrib.items() if k not in ("xmlns", "width", "height")}
    root.attrib.clear()
    root.attrib.update(
        {
            "id": f"{prefix}-svg",
            "width": f"{w * 4 / 3:.0f}",
            "height": f"{h * 4 / 3:.0f}",
            **keep,
            "role": "img",
            "aria-label": " ".join(str(label).split()),
            "style": "display: block; max-width: 100%; height: auto",
        }
    )
    return ET.tostring(root, encoding="unicode")
