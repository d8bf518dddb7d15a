"""Files the runner reads and writes: notebooks as JSON, atomic writes, file hashes, leftovers.

Everything the runner writes (executed notebooks, the report, the manifest, the skip-state) is
written under a temporary name in the same folder and then renamed, so an interrupted run never
leaves a stub that looks done; :func:`remove_leftovers` clears the temporary files of a killed run.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import threading
from pathlib import Path

from .. import config
from .errors import PipelineError
from .lock import pid_alive


def read_notebook(notebook: Path) -> dict:
    """A notebook file as JSON; an unreadable one is a :class:`PipelineError` naming it."""
    try:
        return json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PipelineError(f"{notebook}: cannot be read as a notebook: {exc}") from exc


def import_statements(notebook: Path) -> list[ast.Import | ast.ImportFrom]:
    """Every ``import`` statement in a notebook's code cells (cells that do not parse are passed over)."""
    nodes: list[ast.Import | ast.ImportFrom] = []
    for cell in read_notebook(notebook).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse("".join(cell.get("source", "")))
        except SyntaxError:
            continue
        nodes += [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    return nodes


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write a file under a temporary name in the same folder, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    with open(tmp, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_json(path: Path, data) -> None:
    write_atomic(path, json.dumps(data, indent=2, default=str, sort_keys=False) + "\n")


def rel(path: Path) -> str:
    """A path relative to the project root when it is inside it, else as given."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(config.PROJECT_ROOT))
    except ValueError:
        return str(path)


def remove_leftovers(folder: Path) -> None:
    """Temporary files of a run that was killed (their PID is no longer running)."""
    if not folder.is_dir():
        return
    for p in folder.glob(".*"):
        for marker in (".partial-", ".tmp-"):
            if marker in p.name:
                pid = re.match(r"\d*", p.name.split(marker, 1)[1]).group(0)
                if pid and not pid_alive(int(pid)):
                    p.unlink(missing_ok=True)
