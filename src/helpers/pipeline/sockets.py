"""Where a run's kernels put their IPC sockets and connection files: one temporary folder of its own.

Each kernel binds five Unix sockets (``<ip>-1`` to ``<ip>-5``) and the runner writes its connection
file. jupyter_client removes them when it shuts a kernel down in order, which a run stopped by a
signal never does (its kernels are killed and it exits at once): measured, 5 sockets and 1
connection file left in the temporary folder for every kernel running at that moment, for good. So
a run keeps them in one folder (``<tmp>/fop-XXXXXXXX``), removed whole when the run ends or is
stopped; one killed outright (SIGKILL, out of memory) leaves its folder, which the next run removes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

#: Longest path a Unix socket may have (``sun_path``: 108 bytes on Linux, 104 on macOS, with the NUL).
SOCKET_PATH_MAX = 103

#: The prefix of a run's socket folder in the temporary folder (``fop-`` and 8 random characters).
PREFIX = "fop-"

#: Held locked (``flock``) by the run that owns the folder, for as long as it runs: a folder whose
#: lock anyone can take, and which its owner had written to once it held it, is abandoned.
OWNER_FILE = ".owner"

#: This process's socket folder while a run lasts (None outside a run), the open owner file that
#: holds its lock, and how many runs of this process use it.
_SOCKETS: dict = {"folder": None, "owner_fd": None, "runs": 0}
_SOCKETS_LOCK = threading.Lock()


def socket_base() -> str:
    """Where a run's socket folder goes: the temporary folder, or ``/tmp`` when that one's path is too
    long for the longest socket path in it (``<base>/fop-XXXXXXXX/<8 hex>-5``)."""
    base = tempfile.gettempdir()
    if len(os.path.join(base, f"{PREFIX}XXXXXXXX", "0123abcd-5").encode()) > SOCKET_PATH_MAX and os.path.isdir("/tmp"):
        return "/tmp"
    return base


def _abandoned(folder: Path) -> bool:
    """True when the run that made ``folder`` is gone: its owner file's lock is free. A lock free
    on an empty owner file is a run that has not taken its lock yet (it writes only once it has)."""
    try:
        fd = os.open(folder / OWNER_FILE, os.O_RDONLY)
    except OSError:  # none (not a run's socket folder), or not ours to read
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # held: the run is still going
        os.close(fd)
        return False
    try:
        return os.fstat(fd).st_size > 0
    finally:
        os.close(fd)


def remove_abandoned(base: str) -> list[str]:
    """Remove the socket folders in ``base`` of runs that were killed outright; returns their paths."""
    removed = []
    for folder in Path(base).glob(f"{PREFIX}*"):
        if folder.is_dir() and not folder.is_symlink() and _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(str(folder))
    return removed


def _new_folder() -> tuple[str, int]:
    """Make this run's socket folder and take its owner lock (then say so in the owner file)."""
    base = socket_base()
    remove_abandoned(base)
    folder = tempfile.mkdtemp(prefix=PREFIX, dir=base)
    fd = os.open(os.path.join(folder, OWNER_FILE), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, f"{os.getpid()}\n".encode())
    return folder, fd


@contextlib.contextmanager
def kernel_socket_folder():
    """While a run lasts, its kernels put their IPC sockets and connection files in one temporary
    folder of its own, removed when the last run of this process using it ends (the signal handler
    removes it with :func:`remove_kernel_sockets` when the run is stopped)."""
    with _SOCKETS_LOCK:
        if _SOCKETS["runs"] == 0 or _SOCKETS["folder"] is None:
            _SOCKETS["folder"], _SOCKETS["owner_fd"] = _new_folder()
        _SOCKETS["runs"] += 1
    try:
        yield _SOCKETS["folder"]
    finally:
        with _SOCKETS_LOCK:
            _SOCKETS["runs"] -= 1
            if _SOCKETS["runs"] == 0:
                remove_kernel_sockets()


def remove_kernel_sockets() -> None:
    """Remove the run's socket folder with whatever its kernels left in it, then let go of its lock
    (held until it is gone, so no other run removes it meanwhile). Takes no lock: the signal handler
    calls it, in the main thread, which may hold the lock at that moment."""
    folder, _SOCKETS["folder"] = _SOCKETS["folder"], None
    fd, _SOCKETS["owner_fd"] = _SOCKETS["owner_fd"], None
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
    if fd is not None:
        os.close(fd)


def kernel_paths() -> dict[str, str]:
    """A new kernel's socket path prefix (``ip``; the kernel binds ``<ip>-1`` to ``<ip>-5``) and
    connection file: in the run's socket folder, or, outside a run, in the temporary folder, where
    jupyter_client removes them when it shuts the kernel down (not when the process is killed)."""
    name = uuid.uuid4().hex[:8]
    folder = _SOCKETS["folder"]
    if folder:
        return {"ip": os.path.join(folder, name), "connection_file": os.path.join(folder, f"{name}.json")}
    # a prefix of its own: jupyter_client's default can be "kernel-ipc" in the working folder, shared
    # by kernels started at the same time
    return {"ip": os.path.join(tempfile.gettempdir(), f"fop-kernel-{name}")}
