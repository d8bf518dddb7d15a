"""A run leaves none of its kernels' files behind: IPC sockets, connection files, their folder.

Each kernel binds five Unix sockets and the runner writes its connection file. Before the run had a
socket folder of its own, a run stopped by SIGTERM left all six files of every kernel it was running in
the temporary folder (12 for the toy pipeline: two kernels), for good; an orderly end removed them.
Runs the toy pipeline of pipeline_toy.py in a subprocess whose temporary folder is the test's own, so
the test sees only the files of its run. (A run stopped by SIGTERM: tests/test_pipeline_signals.py.)
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers.pipeline import PipelineError, kernels, sockets
from pipeline_toy import make_notebook, make_project, run_subprocess


def _short_tmpdir(tmp_path):
    """A temporary folder short enough that the run's sockets go in it (not in /tmp instead)."""
    tmpdir = tmp_path / "t"
    tmpdir.mkdir()
    assert len(os.path.join(tmpdir, "fop-XXXXXXXX", "0123abcd-5")) <= sockets.SOCKET_PATH_MAX
    return tmpdir


@pytest.mark.slow
@pytest.mark.parametrize("fails", [False, True], ids=["succeeds", "a_step_fails"])
def test_no_kernel_file_left_after_a_run(tmp_path, fails):
    toy = make_project(tmp_path / "toy")
    if fails:  # second fails while third (independent) runs or has run, and the report's kernel warms
        make_notebook(toy["root"] / "second.ipynb", "raise ValueError('toy failure')")
    tmpdir = _short_tmpdir(tmp_path)
    proc = run_subprocess(toy, "--no-progress", env={"TMPDIR": str(tmpdir), "FOP_PSEUDONYMISATION_KEY": "test-key-one"})
    assert proc.wait(180) == (1 if fails else 0), proc.stderr.read()
    if fails:
        assert "toy failure" in proc.stderr.read()
    assert sorted(p.name for p in tmpdir.iterdir()) == []


def test_socket_folder_is_removed_and_falls_back_to_tmp_when_too_long(tmp_path, monkeypatch):
    monkeypatch.setattr(sockets.tempfile, "tempdir", str(_short_tmpdir(tmp_path)))
    with sockets.kernel_socket_folder() as folder:
        paths = sockets.kernel_paths()
        assert os.path.dirname(paths["ip"]) == folder and paths["connection_file"] == paths["ip"] + ".json"
        (Path(folder) / "0123abcd-1").write_text("")  # as a kernel's socket
    assert not os.path.exists(folder) and list((tmp_path / "t").iterdir()) == []
    deep = tmp_path / ("d" * 100)
    deep.mkdir()
    monkeypatch.setattr(sockets.tempfile, "tempdir", str(deep))
    assert sockets.socket_base() == "/tmp"


@pytest.mark.slow
def test_a_kernel_that_could_not_be_warmed_is_shut_down(tmp_path, monkeypatch):
    """The scheduler falls back to a kernel of papermill's when warming fails and never sees the one
    it started: before, that kernel ran on (1 process, its 6 files) until the runner exited."""
    import psutil

    monkeypatch.setattr(sockets.tempfile, "tempdir", str(_short_tmpdir(tmp_path)))
    unreadable = SimpleNamespace(kernel=None, notebook=tmp_path / "missing.ipynb")
    with sockets.kernel_socket_folder() as folder:
        with pytest.raises(PipelineError, match="missing.ipynb"):
            kernels.start_warm_kernel(unreadable, None)
        running = [p for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
        assert running == [] and [p.name for p in Path(folder).iterdir()] == [sockets.OWNER_FILE]


def test_the_folder_of_a_run_killed_outright_is_removed_by_the_next(tmp_path, monkeypatch):
    """SIGKILL (or the out-of-memory killer) gives the runner no chance to remove its folder: the next
    run removes it, once its lock is free, and leaves alone a running run's and anything else."""
    tmpdir = _short_tmpdir(tmp_path)
    monkeypatch.setattr(sockets.tempfile, "tempdir", str(tmpdir))
    killed = tmpdir / "fop-killed00"
    killed.mkdir()
    (killed / sockets.OWNER_FILE).write_text("12345\n")  # its owner's lock went with its process
    (killed / "0123abcd-1").write_text("")
    others = [tmpdir / "fop-starting", tmpdir / "fop-notours0", tmpdir / "fop-kernel-0123abcd-1"]
    others[0].mkdir()
    (others[0] / sockets.OWNER_FILE).write_text("")  # made, its lock not yet taken
    others[1].mkdir()  # no owner file: not a run's socket folder
    others[2].write_text("")
    with sockets.kernel_socket_folder() as running:
        assert not killed.exists() and all(p.exists() for p in others)
        with sockets.kernel_socket_folder() as same:  # a second run of this process shares it
            assert same == running
        assert sockets.remove_abandoned(str(tmpdir)) == []  # its lock is held while it runs
        assert os.path.isdir(running)
    assert not os.path.exists(running) and all(p.exists() for p in others)
