"""Text from sections made safe: Markdown with nothing that can become markup, and escaping."""

from __future__ import annotations

import html
import re

_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)", re.I)


def _markdown():
    import mistune

    class SafeRenderer(mistune.HTMLRenderer):
        """Raw HTML escaped; no images; links only to web pages, mail or places in the report."""

        def __init__(self):
            super().__init__(escape=True)

        def image(self, text, url, title=None):
            return text  # figures come only through Section.figure (embedded, with alt text)

        def link(self, text, url, title=None):
            if not _SAFE_LINK.match(url.strip()):
                return text
            return super().link(text, url, title)

        def heading(self, text, level, **attrs):
            # Sections sit under the report's h2 headings: a strand's own headings start at h3.
            return super().heading(text, min(level + 2, 6))

    return mistune.create_markdown(renderer=SafeRenderer(), plugins=["table", "strikethrough"])


_MD = None


def render_markdown(text: str) -> str:
    """Markdown from a section as safe HTML (raw HTML escaped, no images, safe links only)."""
    global _MD
    if _MD is None:
        _MD = _markdown()
    return _MD(str(text))


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "x"
