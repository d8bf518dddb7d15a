"""Strip outputs and execution counts from the project's notebooks before committing.

Executed notebooks are build products (kept in ``outputs/runs/``); the committed ones are sources.
Unlike some strippers, this keeps ``metadata.kernelspec`` and cell tags, which papermill needs.
``python -m helpers.strip_notebooks`` (``make strip``) rewrites only notebooks that change.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from .config import NOTEBOOKS_DIR


def strip(path: Path) -> bool:
    """Clear outputs and execution counts of one notebook; True if the file changed."""
    nb = nbformat.read(str(path), as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            cell.outputs, cell.execution_count = [], None
            changed = True
        # Per-cell execution timings and collapsed/scrolled state are session noise, not source.
        for key in ("execution", "collapsed", "scrolled"):
            if key in cell.metadata:
                del cell.metadata[key]
                changed = True
    if changed:
        nbformat.write(nb, str(path))
    return changed


def main(argv: list[str] | None = None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    for path in paths:
        if strip(path):
            print(f"stripped {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
