"""One run per output folder, and how a run stops when it is told to.

:class:`RunLock` is an exclusive lock on a scope's processed folder, so two runs on it never
interleave. :func:`stop_on_signals` makes SIGTERM, SIGINT and SIGHUP stop the run within seconds, whatever the
state of its output streams (a parent that died and closed its pipes included): the kernels it
started are killed and reaped (and their sockets removed), the locks released, and the notebooks that were running are not
recorded as done (they run again next time).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from .errors import PipelineError

LOCK_FILE = ".pipeline.lock"
DEFAULT_LOCK_TIMEOUT = 600.0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, TypeError, OverflowError):
        return True
    return True


class RunLock:
    """An exclusive lock on one output folder (``flock`` on ``.pipeline.lock``, holding the PID).

    A second run on the same folder waits, saying so once, and stops with one line after
    ``timeout`` seconds. The operating system releases the lock when its process dies, so a lock
    file left by a dead PID is simply taken over (and said so).
    """

    def __init__(self, folder: Path, timeout: float = DEFAULT_LOCK_TIMEOUT, log=print):
        self.path = Path(folder) / LOCK_FILE
        self.timeout = timeout
        self.log = log
        self.fd: int | None = None

    def _holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def _wait_for(self, fd: int) -> None:
        """Block until this process holds the ``flock`` on ``fd``, or raise after the timeout."""
        import fcntl

        start, told = time.monotonic(), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                holder = self._holder()
                who = f"PID {holder.get('pid', '?')}, started {holder.get('started', '?')}"
                if not told:
                    self.log(f"waiting for another run ({who}) using {self.path.parent} ...")
                    told = True
                if time.monotonic() - start >= self.timeout:
                    os.close(fd)
                    raise PipelineError(
                        f"another run ({who}) is still using {self.path.parent} after {self.timeout:.0f} s; "
                        "not started (try again when it has finished, or raise --lock-timeout)"
                    ) from None
                time.sleep(0.2)

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        self._wait_for(fd)
        holder = self._holder()
        pid = holder.get("pid")
        if pid and pid != os.getpid() and not pid_alive(pid):
            self.log(f"taking over the lock on {self.path.parent} left by PID {pid}, which is no longer running")
        os.ftruncate(fd, 0)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": platform.node(), "started": started}).encode(), 0)
        self.fd = fd
        _HELD.append(self)
        return self

    def release(self) -> None:
        import fcntl

        if self.fd is not None:
            fd, self.fd = self.fd, None
            if self in _HELD:
                _HELD.remove(self)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


# --------------------------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------------------------


#: Locks this process holds, released by the signal handler before it exits.
_HELD: list[RunLock] = []

#: What else the signal handler does once the kernels are killed (remove their socket folder: a
#: killed kernel cannot, and the orderly clean-up after a kernel is never reached).
_AT_STOP: list = []


def _kill_children(wait: float = 3.0) -> None:
    """Kill the kernels this process started (they run in their own sessions) and reap them, so
    none is left running or defunct."""
    try:
        import psutil

        children = psutil.Process().children(recursive=True)
        for child in children:
            try:
                child.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(children, timeout=wait)
    except Exception:  # noqa: BLE001 - best effort while being stopped
        pass


def _write_stderr(text: str) -> None:
    """Write to stderr if anyone still reads it: with the parent gone the pipe is closed, and a
    failed write must not stop the exit (it raised BrokenPipeError and the run never exited)."""
    try:
        os.write(2, text.encode("utf-8", "replace"))
    except OSError:
        pass


def _on_signal(signum, frame):  # pragma: no cover - exercised by the signal tests in a subprocess
    """Stop now: kill and reap the kernels, release the output folders' locks, say so if stderr is
    still read, and exit with 128 + the signal number whatever the other threads are doing."""
    try:
        _kill_children()
        for action in list(_AT_STOP):
            try:
                action()
            except Exception:  # noqa: BLE001 - best effort while being stopped
                pass
        for lock in list(_HELD):
            try:
                lock.release()
            except OSError:
                pass
        _write_stderr(
            f"stopped by signal {signum}: notebooks that were running are not recorded as done "
            "and will run again next time\n"
        )
    finally:
        os._exit(128 + signum)


#: Signals that stop a run. SIGHUP (the terminal closed) only when not ignored (``nohup``).
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@contextlib.contextmanager
def stop_on_signals(*at_stop):
    """While the run lasts, SIGTERM, SIGINT and SIGHUP stop it (only the main thread can take signals),
    calling each of ``at_stop`` once its kernels are killed."""
    old_handlers = {}
    _AT_STOP.extend(at_stop)
    if threading.current_thread() is threading.main_thread():
        for sig in STOP_SIGNALS:
            if sig == signal.SIGHUP and signal.getsignal(sig) == signal.SIG_IGN:
                continue
            old_handlers[sig] = signal.signal(sig, _on_signal)
    try:
        yield
    finally:
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
        for action in at_stop:
            _AT_STOP.remove(action)
