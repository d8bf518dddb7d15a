"""`python -m helpers.report`: report utilities on the command line (`pdf`: `make pdf`)."""

from __future__ import annotations

from pathlib import Path

from .browser import print_pdf


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m helpers.report", description="Report utilities.")
    sub = parser.add_subparsers(dest="command", required=True)
    pdf = sub.add_parser("pdf", help="print an HTML report to PDF with headless Chromium")
    pdf.add_argument("html", nargs="+", help="report HTML file(s); each PDF is written beside it")
    args = parser.parse_args(argv)
    for path in args.html:
        out = print_pdf(Path(path), Path(path).with_suffix(".pdf"))
        print(f"wrote {out}")
    return 0
