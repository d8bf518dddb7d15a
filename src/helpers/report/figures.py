"""Figures as embedded images (the charts helper's part of the report)."""

from __future__ import annotations

import base64
from pathlib import Path

from .markup import esc

_IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png"}


def figure_html(image: Path, alt: str, caption: str = "", figure_id: str = "") -> str:
    """An embedded image (SVG or PNG, as a data URI) with alt text and a caption."""
    image = Path(image)
    mime = _IMAGE_TYPES.get(image.suffix.lower())
    if mime is None:
        raise ValueError(f"{image}: figures must be SVG or PNG")
    if not alt or len(str(alt).strip()) < 10:
        raise ValueError(f"{image}: figure without alt text")
    data = base64.b64encode(image.read_bytes()).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    ident = f' id="{figure_id}"' if figure_id else ""
    return (
        f'<figure class="fop-figure"{ident}><img src="data:{mime};base64,{data}" '
        f'alt="{esc(str(alt).strip())}"/>{cap}</figure>'
    )
