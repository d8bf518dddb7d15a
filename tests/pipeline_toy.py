"""A small pipeline of four toy notebooks for the runner's tests (not a test module itself).

first -> second (reads first); third (independent, reads raw/third.csv); report (reads all,
exported to HTML; a section absent is passed over, and a step left out of an authority's own build,
``la``, is named with the files that would bring it in). Each notebook sleeps for ``TOY_SLEEP_<NAME>`` seconds (environment, default 0)
in the middle of writing its outputs, so a test can stop a run at a chosen point without changing
any parameter (a parameter change would be a different build).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat as nbf
import yaml

GLOBALS_CELL = (
    'borough = "all"  # scope\n'
    'raw_dir = "data/raw"  # raw folder\n'
    'processed_dir = "data/processed"  # processed folder\n'
    "suppression_threshold = 5  # small-count rule\n"
    "la = None  # one authority's own build\n"
)

BODIES = {
    "first": (
        "size = 3  # a parameter\n",
        "import os, time\n"
        "from helpers import config\n"
        "out = config.processed_dir_for(borough, processed_dir, la) / 'first'\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "(out / 'first.txt').write_text('partial')\n"
        "time.sleep(float(os.environ.get('TOY_SLEEP_FIRST', 0)))\n"
        "(out / 'first.txt').write_text(str(size * 2))\n"
        "(out / 'cwd.txt').write_text(os.getcwd())",
    ),
    "second": (
        "",
        "import os, time\n"
        "from helpers import config\n"
        "base = config.processed_dir_for(borough, processed_dir, la)\n"
        "value = (base / 'first' / 'first.txt').read_text()\n"
        "(base / 'second').mkdir(parents=True, exist_ok=True)\n"
        "time.sleep(float(os.environ.get('TOY_SLEEP_SECOND', 0)))\n"
        "(base / 'second' / 'second.txt').write_text(value + '!')",
    ),
    "third": (
        "",
        "import os, time\n"
        "from pathlib import Path\n"
        "from helpers import config\n"
        "out = config.processed_dir_for(borough, processed_dir, la) / 'third'\n"
        "out.mkdir(parents=True, exist_ok=True)\n"
        "time.sleep(float(os.environ.get('TOY_SLEEP_THIRD', 0)))\n"
        "(out / 'third.txt').write_text(Path(raw_dir, 'third.csv').read_text().upper())",
    ),
    "report": (
        "",
        "import os, time\n"
        "from IPython.display import Markdown, display\n"
        "from helpers import config, pipeline, provenance\n"
        "base = config.processed_dir_for(borough, processed_dir, la)\n"
        "time.sleep(float(os.environ.get('TOY_SLEEP_REPORT', 0)))\n"
        "info = provenance.run_info(base)\n"
        "paths = [base / n / f'{n}.txt' for n in ('first', 'second', 'third')]\n"
        "texts = [p.read_text() for p in paths if p.exists()]\n"
        "left = ''.join(f\"\\n\\nLeft out: {i['step']} ({', '.join(i['needs'])})\" for i in info.get('left_out', []))\n"
        "display(Markdown('# Toy report\\n\\n' + ' | '.join(texts)\n"
        "                 + f'\\n\\nBuilt: {pipeline.build_date():%d %B %Y}'\n"
        "                 + f\"\\n\\nNon-default: {sorted(info.get('non_default_parameters', {}))}\" + left))",
    ),
}


def make_notebook(path: Path, body: str, params: str = "") -> Path:
    nb = nbf.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "focus-on-practice", "display_name": "x", "language": "python"},
        "language_info": {"name": "python"},
    }
    nb.cells = [
        nbf.v4.new_code_cell(GLOBALS_CELL + params, metadata={"tags": ["parameters"]}),
        nbf.v4.new_code_cell(body),
    ]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell{i}"
    nbf.write(nb, str(path))
    return path


def make_project(root: Path, order=("first", "second", "third", "report")) -> dict:
    """Write the toy pipeline under ``root``; ``order`` is the order of the entries in pipeline.yaml."""
    raw = root / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "input.csv").write_text("a\n1\n")
    (raw / "third.csv").write_text("third input\n")
    entries = {
        "first": {"name": "first", "notebook": "first.ipynb", "raw_inputs": ["input.csv"], "parameters": {"size": 4}},
        "second": {"name": "second", "notebook": "second.ipynb", "reads": ["first"]},
        "third": {"name": "third", "notebook": "third.ipynb", "raw_inputs": ["third.csv"]},
        "report": {"name": "report", "notebook": "report.ipynb", "exports_report": True, "reads": "all"},
    }
    for name, (params, body) in BODIES.items():
        make_notebook(root / f"{name}.ipynb", body, params)
        entries[name]["notebook"] = str(root / f"{name}.ipynb")
    decl = {
        "globals": {
            "borough": "all",
            "raw_dir": str(raw),
            "processed_dir": str(root / "processed"),
            "suppression_threshold": 5,
        },
        "notebooks": [entries[n] for n in order],
    }
    (root / "pipeline.yaml").write_text(yaml.safe_dump(decl, sort_keys=False))
    return {
        "root": root,
        "decl": root / "pipeline.yaml",
        "raw": raw,
        "processed": root / "processed",
        "scope": root / "processed" / "all",
        "runs": root / "runs",
        "reports": root / "reports",
        "report": root / "reports" / "focus_on_practice_evaluation.html",
    }


#: A step reading extracts by folder, as the LA-extracts notebooks do: ``<raw_dir>/returns/<la>/`` (one
#: subfolder per LA number), or the folders its ``extract_dir`` parameter names, read in place; and the
#: raw file ``notes.csv`` when it is there. Writes the names of the files it read.
EXTRACTS_STEP = (
    "extract_dir = None  # folders read in place\n",
    "from pathlib import Path\n"
    "from helpers import config\n"
    "named = extract_dir if isinstance(extract_dir, list) else [extract_dir] if extract_dir else []\n"
    "folders = [config.resolve(p) for p in named] or [Path(raw_dir, 'returns', str(la))]\n"
    "files = sorted(f.name for d in folders for f in Path(d).rglob('*') if f.is_file())\n"
    "files += ['notes.csv'] if Path(raw_dir, 'notes.csv').exists() else []\n"
    "out = config.processed_dir_for(borough, processed_dir, la) / 'extracts'\n"
    "out.mkdir(parents=True, exist_ok=True)\n"
    "(out / 'extracts.txt').write_text(','.join(files))",
)


def add_extracts_step(project: dict) -> None:
    """Add :data:`EXTRACTS_STEP` (named ``extracts``) to the toy pipeline, before the report."""
    params, body = EXTRACTS_STEP
    notebook = make_notebook(project["root"] / "extracts.ipynb", body, params)
    decl = yaml.safe_load(project["decl"].read_text())
    entry = {
        "name": "extracts",
        "notebook": str(notebook),
        "raw_folders": ["returns"],
        "folder_parameters": ["extract_dir"],
        "optional_inputs": ["notes.csv"],
    }
    decl["notebooks"].insert(len(decl["notebooks"]) - 1, entry)
    project["decl"].write_text(yaml.safe_dump(decl, sort_keys=False))


def cli_args(project: dict, *extra: str) -> list[str]:
    return [
        "--pipeline",
        str(project["decl"]),
        "--runs-dir",
        str(project["runs"]),
        "--report-dir",
        str(project["reports"]),
        *extra,
    ]


def run_subprocess(project: dict, *extra: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    """Start the runner in its own process (stdout/stderr piped, so not a terminal)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "helpers.pipeline", *cli_args(project, *extra)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
        **kwargs,
    )
