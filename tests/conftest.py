"""Shared test fixtures and the test tiers.

Tiers: ``make test`` runs everything (CI runs it); ``make test-fast`` runs ``-m "not slow"``, the
edit-test loop (both in two processes). A test is slow when it runs a notebook or the pipeline, or takes
seconds of CPU (a full-size generation, a simulation over many seeds, a property test over many
examples): mark it ``@pytest.mark.slow``. A test using one of :data:`SLOW_FIXTURES` or a fixture under
:func:`slow_fixture` is marked slow here, by itself; a test not marked slow that starts a notebook kernel
or runs the pipeline fails, saying so.

Fixtures to reuse rather than build again: ``built`` (the whole default pipeline, run once per session
on small generated data) and ``run_notebook`` (one notebook, as the pipeline runs it).
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from helpers import config

#: One thread for the linear algebra of the tests and of everything they start (the pipeline, its
#: kernels, papermill): the tests run in two processes on two cores, and OpenBLAS's own threads on top
#: of them only wait on each other. Measured: the report notebook of the disclosure scan's build took
#: 22.7 s of CPU and 42.7 s wall with two threads, 7.6 s and 14.6 s with one (the disclosure rule's
#: many small SVDs), at load 9.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
for _name, _value in ONE_THREAD.items():
    os.environ.setdefault(_name, _value)  # read by each library as a process starts it
try:  # numpy is loaded before this file (by pytest's plugins): limit its threads now too
    from threadpoolctl import threadpool_limits
except ImportError:  # (installed with scikit-learn, which pingouin needs; without it, the subprocesses only)
    pass
else:
    threadpool_limits(int(os.environ["OPENBLAS_NUM_THREADS"]))


#: One folder of kept results (:mod:`helpers.public_data.cache`) for the whole run: the test processes
#: and everything they start share it, and it starts empty, as on a fresh clone. Not the checkout's
#: ``.cache``, which the tests' hand-made public folders would fill with entries never read again.
#: Made by the first process (pytest-xdist's workers inherit it) and removed when that process ends.
if not os.environ.get("FOP_CACHE_DIR"):
    os.environ["FOP_CACHE_DIR"] = tempfile.mkdtemp(prefix="fop-test-cache-")
    atexit.register(shutil.rmtree, os.environ["FOP_CACHE_DIR"], ignore_errors=True)


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
#: The scale of the extract the default build (``built``) is run on: see :func:`built`.
E2E_SCALE = 0.3


def slow_fixture(function):
    """Put under ``@pytest.fixture`` on a fixture that builds something heavy (a full-size generation, a
    strand's whole analysis): every test using it is then marked slow, like a test using ``built``."""
    function.makes_tests_slow = True
    return function


def _uses_slow_fixture(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    defs = getattr(info, "name2fixturedefs", {}) if info is not None else {}
    return any(d and getattr(d[-1].func, "makes_tests_slow", False) for d in defs.values())


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Mark slow what uses a slow fixture. When the tests run in parallel (``make test``: ``-n 2 --dist
    loadgroup``), keep together what shares an expensive fixture, so that it is built once rather than
    once per worker: every test using ``built`` goes to one worker, and the tests of a module with a
    module-scoped fixture to one worker (one worker per value of a parametrized module fixture: each
    value is built once, side by side with the others).

    The groups are handed out in the order collected (see :func:`pytest_configure`). Sorting them here,
    the longest first, was tried: under ``-n`` this hook runs only in the test processes, which are not
    told ``-n``, so a sort on it never ran; made to run, with the toy pipelines' tests as one group, it
    did not shorten the suite (6 min 21 s against 5 min 46 s to 6 min 19 s, 5 December 2026)."""
    groups = {}
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if SLOW_FIXTURES & names or _uses_slow_fixture(item):
            item.add_marker(pytest.mark.slow)
        group = _group(item)
        if group:
            groups[item] = group
    for item, group in groups.items():
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_configure(config):
    """Under ``--dist loadgroup`` pytest-xdist hands out the groups largest (most tests) first unless told
    not to; keep the order collected instead (modules alphabetically), under which the disclosure scan
    and the default build, the longest work and early in the alphabet, start within 2 s of each other,
    one on each worker (measured)."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def _group(item) -> str | None:
    """The worker group of a test: ``built``; or its module, with the value of each parametrized
    module-scoped fixture it uses (``tests/test_x.py[scanned=5]``); or none."""
    if "built" in getattr(item, "fixturenames", ()):
        return "built"
    shared = _module_fixtures(item)
    if not shared:
        return None
    callspec = getattr(item, "callspec", None)
    params = {n: v for n, v in (callspec.params.items() if callspec else ()) if n in shared}
    values = ",".join(
        f"{n}={v if isinstance(v, (int, str, float, bool)) else callspec.indices[n]}" for n, v in sorted(params.items())
    )
    module = item.nodeid.split("::")[0]
    return f"{module}[{values}]" if values else module


#: Words in a command line that run notebooks or the pipeline (a test starting one must be marked slow).
SLOW_COMMANDS = ("helpers.pipeline", "papermill", "nbconvert")


@pytest.fixture(autouse=True)
def _slow_work_needs_the_slow_mark(request, monkeypatch):
    """A test not marked slow that starts a notebook kernel or runs the pipeline (or papermill, or
    nbconvert) in a subprocess fails at once, saying to mark it slow: so the quick tier stays quick
    without anyone having to remember which tests are heavy."""
    if request.node.get_closest_marker("slow"):
        return
    from jupyter_client.provisioning import local_provisioner

    def refuse(what):
        pytest.fail(f"{request.node.nodeid} {what}: mark it @pytest.mark.slow (see tests/conftest.py)", pytrace=False)

    monkeypatch.setattr(local_provisioner, "launch_kernel", lambda *a, **k: refuse("starts a notebook kernel"))
    popen_init = subprocess.Popen.__init__

    def checked_init(self, args, *rest, **kwargs):
        words = [args] if isinstance(args, (str, bytes, Path)) else list(args)
        if any(w in str(word) for word in words for w in SLOW_COMMANDS):
            refuse(f"runs {' '.join(map(str, words))[:120]}")
        popen_init(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", checked_init)


def _module_fixtures(item) -> set[str]:
    info = getattr(item, "_fixtureinfo", None)
    defs = getattr(info, "name2fixturedefs", {}) if info is not None else {}
    return {name for name, d in defs.items() if d and d[-1].scope == "module"}


@pytest.fixture
def run_notebook():
    """``run_notebook(name, output_path, **parameters)``: execute one of notebooks/ with papermill."""
    return _run_notebook


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The whole pipeline run once on small generated data (shared by the end-to-end and browser tests)."""
    from helpers.synthetic import generate_all

    tmp = tmp_path_factory.mktemp("e2e")
    # A third of the default extract: the same files and strands, with the small counts a borough's own
    # extract has (so the report's "c"s are read here too), and 24 s less of CPU than the full size.
    truth = generate_all(tmp / "raw", scale=E2E_SCALE)
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


def write_test_declaration(path: Path, steps=None) -> Path:
    """The declared pipeline with one default changed for tests: no DfE validation years (the
    validators take minutes on full-size extracts; tests/test_la_extracts_validation.py covers
    them). Passed with --pipeline, so a build from it is a default build, not a variant. With
    ``steps`` (names), only those notebooks and the report are declared: for a test about what only
    they do, without running the others."""
    decl = yaml.safe_load(config.PIPELINE_FILE.read_text(encoding="utf-8"))
    if steps is not None:
        decl["notebooks"] = [nb for nb in decl["notebooks"] if nb["name"] in steps or nb.get("exports_report")]
    for nb in decl["notebooks"]:
        if nb["name"] == "dfe_validation":
            nb["parameters"]["validate_years"] = []
    path.write_text(yaml.safe_dump(decl, sort_keys=False), encoding="utf-8")
    return path
