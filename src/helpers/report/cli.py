"""`python -m helpers.report`: report utilities on the command line (`pdf`: `make pdf`)."""

from __future__ import annotations

from pathlib import Path

from .browser import print_pdf
from .export import appendix_path_for


def pdf_targets(paths: list[str]) -> list[Path]:
    """The files to print: each report named and, beside it, its technical appendix when it has one."""
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        for p in (path, appendix_path_for(path)):
            if p not in out and (p == path or p.exists()) and not (p != path and path.stem.endswith("_appendix")):
                out.append(p)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.report", description="Report utilities.")
    sub = parser.add_subparsers(dest="command", required=True)
    pdf = sub.add_parser(
        "pdf", help="print an HTML report and its technical appendix (when beside it) to PDF with headless Chromium"
    )
    pdf.add_argument("html", nargs="+", help="report HTML file(s); each PDF is written beside its HTML")
    args = parser.parse_args(argv)
    for path in pdf_targets(args.html):
        out = print_pdf(path, path.with_suffix(".pdf"))
        print(f"wrote {out}")
    return 0
