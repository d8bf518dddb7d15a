"""Shared test fixtures and the test tiers.

Tiers: ``make test`` runs everything (CI runs it); ``make test-fast`` runs ``-m "not slow"``, the
edit-test loop. A test is slow when it runs a notebook, the pipeline or a simulation over many seeds:
mark it ``@pytest.mark.slow``. A test that uses one of :data:`SLOW_FIXTURES` is marked slow here, by
itself.

Fixtures to reuse rather than build again: ``built`` (the whole default pipeline, run once per session
on small generated data) and ``run_notebook`` (one notebook, as the pipeline runs it).
"""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import config


def _run_notebook(name: str, output: Path, **parameters) -> Path:
    """Run a project notebook as the pipeline runs it: project kernel, Python, project root as cwd."""
    import papermill as pm

    pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / name),
        str(output),
        parameters=parameters,
        kernel_name=config.KERNEL_NAME,
        language="python",
        cwd=str(config.PROJECT_ROOT),
        progress_bar=False,
    )
    return output


#: Fixtures that run notebooks or the pipeline: every test using one is slow (not in ``make test-fast``).
SLOW_FIXTURES = frozenset({"built", "run_notebook"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def run_notebook():
    """``run_notebook(name, output_path, **parameters)``: execute one of notebooks/ with papermill."""
    return _run_notebook


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The whole pipeline run once on small generated data (shared by the end-to-end and browser tests)."""
    from helpers.synthetic import generate_all

    tmp = tmp_path_factory.mktemp("e2e")
    truth = generate_all(tmp / "raw")
    # The declared pipeline with one default changed: the DfE validators take minutes on full-size
    # extracts (tests/test_la_extracts_validation.py covers them). Declared, not --set, so the
    # report is the default build, not a variant.
    declaration = write_test_declaration(tmp / "pipeline.yaml")
    done = run_pipeline(tmp, tmp / "raw", "--force", "--pipeline", str(declaration))
    assert done.returncode == 0, done.stderr[-3000:]
    html = (tmp / "reports" / "focus_on_practice_evaluation.html").read_text(encoding="utf-8")
    return {"tmp": tmp, "truth": truth, "html": html, "processed": tmp / "processed" / "all"}


def run_pipeline(workdir: Path, raw: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the pipeline's command line on ``raw``, writing everything under ``workdir`` (processed,
    runs, reports), as a user would; returns the finished process (output captured)."""
    cmd = [
        sys.executable,
        "-m",
        "helpers.pipeline",
        "--no-progress",
        "--raw-dir",
        str(raw),
        "--processed-dir",
        str(workdir / "processed"),
        "--runs-dir",
        str(workdir / "runs"),
        "--report-dir",
        str(workdir / "reports"),
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True)


def write_test_declaration(path: Path) -> Path:
    """The declared pipeline with one default changed for tests: no DfE validation years (the
    validators take minutes on full-size extracts; tests/test_la_extracts_validation.py covers
    them). Passed with --pipeline, so a build from it is a default build, not a variant."""
    decl = yaml.safe_load(config.PIPELINE_FILE.read_text(encoding="utf-8"))
    for nb in decl["notebooks"]:
        if nb["name"] == "dfe_validation":
            nb["parameters"]["validate_years"] = []
    path.write_text(yaml.safe_dump(decl, sort_keys=False), encoding="utf-8")
    return path
