"""The audit of the report's HTML: it refuses anything that could load, run or submit, any image or
inline chart without alt text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Elements that can run, load or submit something: none may appear in the report.
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "base",
    "portal",
    "video",
    "audio",
    "source",
    "track",
    "picture",
    "noscript",
    # inside an inline SVG chart: HTML in SVG, and animations that can change an attribute to a link
    "foreignobject",
    "animate",
    "animatemotion",
    "animatetransform",
    "set",
    "discard",
}
_URL_ATTRS = {
    "src",
    "href",
    "srcset",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "xlink:href",
    "ping",
    "manifest",
    "codebase",
    "cite",
    "longdesc",
    "lowsrc",
    "dynsrc",
}
#: A link to the report's other file in the same folder (the report and its technical appendix).
_SIBLING = re.compile(r"^[\w.-]+\.html(#[\w.-]*)?$")
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?!data:|#)([^)'\"]*)\1\s*\)|@import", re.I)
_ATTR_URL = re.compile(r"url\(\s*(['\"]?)(?!data:|#)", re.I)
#: Attributes holding words for people (alt text, names), never anything a browser loads.
_TEXT_ATTRS = {"alt", "title", "aria-label", "aria-description", "content"}


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False
        self._svg_depth = 0

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}> element")
        if tag == "style":
            self._in_style = True
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            self.problems.append("<meta http-equiv=refresh>")
        for key, value in attrs:
            key = key.lower()
            value = (value or "").strip()
            compact = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if key.startswith("on"):
                self.problems.append(f"<{tag} {key}=...> event handler")
            if compact.startswith(("javascript:", "vbscript:")):
                self.problems.append(f"<{tag} {key}=javascript:...>")
            if key == "style" and _CSS_URL.search(value):
                self.problems.append(f"<{tag} style> loading {_CSS_URL.search(value).group(0)!r}")
            elif key not in _TEXT_ATTRS and _ATTR_URL.search(value):
                self.problems.append(f"<{tag} {key}={value[:60]!r}> loads from outside the file")
            if key in _URL_ATTRS and value:
                if (
                    tag == "a"
                    and key == "href"
                    and (re.match(r"^(https?://|mailto:|#)", value, re.I) or _SIBLING.match(value))
                ):
                    continue  # a link a reader may follow (the web, mail, this file or the report's other file)
                if key in ("href", "xlink:href") and compact.startswith("#"):
                    continue  # a chart's reference to its own element: same document
                if not compact.startswith("data:"):
                    self.problems.append(f"<{tag} {key}={value[:60]!r}> loads from outside the file")
                elif tag == "img" and not compact.startswith(
                    ("data:image/png", "data:image/svg+xml", "data:image/jpeg")
                ):
                    self.problems.append(f"<img> with an unexpected data type {value[:40]!r}")
        if tag == "img":
            alt = dict(attrs).get("alt") or ""
            if len(alt.strip()) < 10:
                src = (dict(attrs).get("src") or "")[:40]
                self.problems.append(f"image without alt text: <img src={src!r}...>")
        if tag == "svg":
            self._check_chart(dict(attrs))
            self._svg_depth += 1

    def _check_chart(self, attrs: dict) -> None:
        """An inline chart (outermost ``<svg>``) is an image: ``role="img"`` and alt text as its name."""
        if self._svg_depth == 0:
            name = attrs.get("aria-label") or ""
            if attrs.get("role") != "img" or len(name.strip()) < 10:
                self.problems.append(
                    f"chart without alt text: <svg role={attrs.get('role')!r} aria-label={name[:30]!r}>"
                )

    def handle_endtag(self, tag):
        if tag.lower() == "style":
            self._in_style = False
        if tag.lower() == "svg":
            self._svg_depth = max(0, self._svg_depth - 1)

    def handle_data(self, data):
        if self._in_style:
            found = _CSS_URL.search(data)
            if found:
                self.problems.append(f"<style> loading {found.group(0)!r}")


def audit_html(text: str) -> list[str]:
    """Everything in the HTML that could load, run or submit anything, or an image without alt text."""
    audit = _Audit()
    audit.feed(text)
    audit.close()
    return audit.problems


def check_self_contained(text: str) -> None:
    """Raise if the HTML loads anything from elsewhere, can run or submit anything, or has an image
    without alt text."""
    problems = audit_html(text)
    if problems:
        alt = [p for p in problems if "alt text" in p]
        if alt and len(alt) == len(problems):
            raise ValueError(f"report image without alt text: {alt[0]}")
        raise ValueError(f"report HTML is not self-contained: {'; '.join(dict.fromkeys(problems))}")
