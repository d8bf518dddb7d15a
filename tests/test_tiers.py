"""The test tiers and the parallel run work as conftest says: a test using a slow fixture is marked slow
(``make test-fast`` leaves it out), and in ``make test``'s two processes each shared fixture is built
once (the session's ``built`` and a module's own), not once per process. Checked on made-up tests run
the way ``make test`` runs the suite."""

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

CONFTEST = f"""
import importlib.util, os
import pytest

# the project's own hook and fixture, unchanged (loaded under another name: this file is conftest too)
_spec = importlib.util.spec_from_file_location("project_conftest", {str(TESTS / "conftest.py")!r})
_project = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_project)
pytest_collection_modifyitems = _project.pytest_collection_modifyitems
pytest_configure = _project.pytest_configure
_slow_work_needs_the_slow_mark = _project._slow_work_needs_the_slow_mark

def _note(what):
    with open(os.environ["BUILT_LOG"], "a") as f:
        f.write(what + " " + os.environ.get("PYTEST_XDIST_WORKER", "-") + "\\n")

@pytest.fixture(scope="session")
def built():
    _note("built")
    return 1
"""

USES_BUILT = "def test_{i}(built):\n    assert built == 1\n"
MODULE_FIXTURE = (
    "import pytest\nfrom conftest import _note\n\n"
    "@pytest.fixture(scope='module')\ndef shared():\n    _note('shared')\n    return 2\n"
)


BY_VALUE = (
    "import time\nimport pytest\nfrom conftest import _note\n\n"
    "@pytest.fixture(scope='module', params=[5, 10])\ndef scanned(request):\n"
    "    _note(f'scanned{request.param}')\n    time.sleep(1)\n    return request.param\n\n"
    "@pytest.mark.slow\ndef test_a(scanned):\n    assert scanned in (5, 10)\n\n"
    "@pytest.mark.slow\ndef test_b(scanned):\n    assert scanned in (5, 10)\n"
)


def _suite(tmp_path: Path) -> Path:
    root = tmp_path / "suite"
    root.mkdir()
    (root / "conftest.py").write_text(CONFTEST)
    for m in range(3):
        (root / f"test_built_{m}.py").write_text("\n\n".join(USES_BUILT.format(i=i) for i in range(4)))
    uses_shared = "\n\n".join(f"def test_s{i}(shared):\n    assert shared == 2\n" for i in range(6))
    (root / "test_module_fixture.py").write_text(MODULE_FIXTURE + "\n\n" + uses_shared)
    (root / "test_plain.py").write_text("\n\n".join(f"def test_p{i}():\n    pass\n" for i in range(8)))
    return root


HEAVY = """import subprocess, sys
import pytest
from jupyter_client.provisioning import local_provisioner

RUNS = [sys.executable, "-c", "print('helpers.pipeline')"]  # a command naming the pipeline, cheap to run


def test_pipeline_unmarked():
    subprocess.run(RUNS, check=True)


def test_kernel_unmarked():
    local_provisioner.launch_kernel(["true"])


@pytest.mark.slow
def test_pipeline_marked():
    assert subprocess.run(RUNS, capture_output=True, text=True).stdout == "helpers.pipeline\\n"


def test_other_command_unmarked():
    subprocess.run([sys.executable, "-c", "pass"], check=True)
"""


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--rootdir", str(root), str(root), *args]
    env = {"BUILT_LOG": str(root / "log.txt"), "PATH": "/usr/bin:/bin"}
    return subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=env, timeout=300)


def test_two_processes_build_each_shared_fixture_once(tmp_path):
    root = _suite(tmp_path)
    done = _run(root, "-n", "2", "--dist", "loadgroup", "-vv")  # -q -vv: one line per test, with its worker
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    log = (root / "log.txt").read_text().split("\n")
    built = [line for line in log if line.startswith("built")]
    shared = [line for line in log if line.startswith("shared")]
    assert len(built) == 1 and len(shared) == 1, log
    # both processes worked (the plain tests were shared out), so the grouping is what kept them together
    assert {"[gw0]", "[gw1]"} <= set(done.stdout.split()), done.stdout[-3000:]


def test_each_value_of_a_parametrized_module_fixture_built_once_and_side_by_side(tmp_path):
    """The disclosure scan's case: a module fixture with two values (thresholds), two tests each; each
    value is built once, and the two on different workers (handed out first, in the order conftest
    sets, not pytest-xdist's largest group first)."""
    root = _suite(tmp_path)
    (root / "test_by_value.py").write_text(BY_VALUE)
    done = _run(root, "-n", "2", "--dist", "loadgroup", "-vv")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    log = [line.split() for line in (root / "log.txt").read_text().splitlines()]
    scanned = {what: worker for what, worker in log if what.startswith("scanned")}
    assert len([what for what, _ in log if what.startswith("scanned")]) == 2, log
    assert set(scanned) == {"scanned5", "scanned10"} and len(set(scanned.values())) == 2, log
    assert "test_by_value.py[scanned=5]" in done.stdout and "test_by_value.py[scanned=10]" in done.stdout


def test_a_test_using_a_slow_fixture_is_left_out_of_the_fast_tier(tmp_path):
    root = _suite(tmp_path)
    done = _run(root, "-m", "not slow")
    assert done.returncode == 0, done.stdout[-3000:]
    assert "14 passed, 12 deselected" in done.stdout
    assert not (root / "log.txt").exists() or "built" not in (root / "log.txt").read_text()


def test_a_test_starting_a_kernel_or_the_pipeline_must_be_marked_slow(tmp_path):
    root = _suite(tmp_path)
    (root / "test_heavy.py").write_text(HEAVY)
    done = _run(root, "-rf")
    failed = {line.split("::")[1].split()[0] for line in done.stdout.splitlines() if line.startswith("FAILED")}
    assert failed == {"test_pipeline_unmarked", "test_kernel_unmarked"}, done.stdout[-3000:]
    for name, what in (("test_pipeline_unmarked", "runs "), ("test_kernel_unmarked", "starts a notebook kernel")):
        assert f"test_heavy.py::{name} {what}" in done.stdout, done.stdout[-3000:]
    assert done.stdout.count("mark it @pytest.mark.slow") >= 2
