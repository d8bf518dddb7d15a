"""A runner whose parent died stops promptly when told to (issue 22).

A terminal closed or a job runner killed: the runner's parent is gone and with it the read ends of
the runner's stdout and stderr pipes. A SIGTERM or SIGINT then must still stop it within 10 seconds,
with its kernels killed (none left running or defunct, none of their sockets left) and the output
folder's lock free. Before the fix, the signal handler's message to the closed stderr raised
BrokenPipeError, the exit was never reached, and the runner waited forever on a kernel it had warmed
(still running 120 s later).
Runs the toy pipeline of pipeline_toy.py, with its first notebook sleeping.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from pipeline_toy import cli_args, make_project

#: The parent: starts the runner with both pipes to itself, says the runner's PID, then sleeps
#: without ever reading them.
PARENT = """
import subprocess, sys, time
runner = subprocess.Popen(
    [sys.executable, "-m", "helpers.pipeline", *sys.argv[1:]], stdout=subprocess.PIPE, stderr=subprocess.PIPE
)
print(runner.pid, flush=True)
time.sleep(600)
"""


def _gone(proc: psutil.Process) -> bool:
    """Exited (a zombie waiting for its new parent to reap it counts as exited)."""
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.slow
def test_runner_exits_within_10_s_of_a_signal_with_its_parent_gone(tmp_path, signum):
    toy = make_project(tmp_path)
    tmpdir = tmp_path / "t"  # the run's own temporary folder: its kernels' sockets go there
    tmpdir.mkdir()
    env = {**os.environ, "FOP_PSEUDONYMISATION_KEY": "test-key-one", "TOY_SLEEP_FIRST": "120", "TMPDIR": str(tmpdir)}
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, *cli_args(toy, "--no-progress")], stdout=subprocess.PIPE, text=True, env=env
    )
    runner = psutil.Process(int(parent.stdout.readline()))
    try:
        # the first notebook is running (it wrote its partial output) in a kernel of the runner's
        assert _wait(lambda: (toy["scope"] / "first" / "first.txt").exists(), 120), "the toy never started"
        kernels = runner.children(recursive=True)
        assert kernels
        parent.kill()
        parent.wait()
        assert _wait(lambda: runner.ppid() != parent.pid, 10)  # orphaned: its pipes have no reader
        time.sleep(0.5)
        runner.send_signal(signum)
        sent = time.monotonic()
        assert _wait(lambda: _gone(runner), 10), f"runner still running 10 s after signal {signum}"
        assert time.monotonic() - sent < 10
        assert all(_gone(k) for k in kernels), "a kernel outlived the runner"
        # nor their sockets and connection files (the 12 of the two kernels were left before the fix)
        assert sorted(p.name for p in tmpdir.iterdir()) == []
        fd = os.open(toy["scope"] / ".pipeline.lock", os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if the lock were still held
        finally:
            os.close(fd)
        assert not (toy["runs"] / "executed" / "first.ipynb").exists()  # not recorded as done
    finally:
        _kill(runner, parent)


def _kill(runner: psutil.Process, parent: subprocess.Popen) -> None:
    """Leave nothing behind whatever the test found (the runner, its kernels, the parent)."""
    try:
        for proc in [*runner.children(recursive=True), runner]:
            proc.kill()
    except psutil.Error:
        pass
    if parent.poll() is None:
        parent.kill()
        parent.wait()
