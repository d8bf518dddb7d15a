"""Figures in the report (the charts helper's part of it): SVG charts inlined, PNG as data URIs."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from ..figures import inline_svg
from .markup import esc


def figure_html(image: Path, alt: str, caption: str = "", figure_id: str = "") -> str:
    """A chart with its alt text and caption. SVG is inlined (its text searchable and selectable; ids
    prefixed with ``figure_id``, so charts never collide; ``role="img"`` named by the alt text:
    :func:`helpers.figures.inline_svg`); a PNG is embedded as a data URI."""
    image = Path(image)
    suffix = image.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise ValueError(f"{image}: figures must be SVG or PNG")
    if not alt or len(str(alt).strip()) < 10:
        raise ValueError(f"{image}: figure without alt text")
    alt = str(alt).strip()
    if suffix == ".svg":
        data = image.read_bytes()
        prefix = figure_id or "f" + hashlib.sha256(data).hexdigest()[:10]
        body = inline_svg(data.decode("utf-8"), prefix, alt)
    else:
        data = base64.b64encode(image.read_bytes()).decode("ascii")
        body = f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}"/>'
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    ident = f' id="{figure_id}"' if figure_id else ""
    return f'<figure class="fop-figure"{ident}>{body}{cap}</figure>'
