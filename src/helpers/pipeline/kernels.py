"""Running one notebook: its kernel, papermill, and an executed notebook that depends only on its inputs.

Each notebook runs in its own kernel process on an explicit kernel, over IPC (no unencrypted-TCP
warning; the sockets in a folder of the run's own, removed when it ends or is stopped), from the
project root. A kernel may be started early and *warmed* with the notebook's
imports while the notebooks it reads still run. The executed notebook is written under a temporary
name and renamed when complete, normalised so that identical inputs give identical bytes: cell ids
from the notebook path and cell index, no timing metadata.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
import time
from pathlib import Path

from .. import config
from .declaration import Step
from .files import import_statements, rel, write_atomic
from .sockets import kernel_paths


class NotebookFailed(Exception):
    """A notebook raised an error while running; the message is the one-line summary."""

    def __init__(self, message: str, executed_path: Path):
        super().__init__(message)
        self.executed_path = executed_path


def skip_slow_optional_imports() -> None:
    """Tell Python the optional ``rfc3987_syntax`` package is absent in the runner's process.

    jsonschema (imported by nbformat, hence by papermill and nbconvert) compiles about 40 grammar
    parsers when that package is installed (jupyter-events brings it with jsonschema 4.24 and later;
    requirements.txt holds jsonschema at 4.23, but an environment made before may have it), 1-5 s per
    process here, only to check "iri" string formats, which notebook validation never uses.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def ensure_kernel() -> None:
    """Install the project's kernelspec into this environment if it is missing.

    The kernel runs this interpreter (``sys.executable``), so notebooks always see the same packages
    as the runner.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(config.KERNEL_NAME)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=config.KERNEL_NAME, display_name=config.KERNEL_DISPLAY_NAME, prefix=sys.prefix)


def kernel_installed(name: str) -> bool:
    """True when a Jupyter kernelspec of this name is installed (for steps on another kernel)."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
        return True
    except NoSuchKernel:
        return False


async def _reply_to(channel, msg_id: str, seconds: float, wanted=lambda msg: True) -> dict | None:
    """The first message on ``channel`` answering request ``msg_id`` (and ``wanted``) within
    ``seconds``, or None; messages answering anything else are passed over."""
    from queue import Empty

    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        try:
            msg = await channel.get_msg(timeout=left)
        except Empty:
            return None
        if msg.get("parent_header", {}).get("msg_id") == msg_id and wanted(msg):
            return msg
    return None


def _idle(msg: dict) -> bool:
    return msg.get("msg_type") == "status" and msg.get("content", {}).get("execution_state") == "idle"


async def wait_until_ready(kc, timeout: float | None = None) -> None:
    """Return once the kernel has answered a ``kernel_info`` request on the shell channel and
    announced, on IOPub, that it is idle after it (which proves IOPub is connected).

    Replaces jupyter_client's ``wait_for_ready``, which after the reply waits until IOPub has been
    silent for 0.2 s: a fixed wait the runner paid twice per warmed notebook (warming, then papermill),
    while no work was done. Like it, this asks again while no answer comes and raises ``RuntimeError``
    when the kernel dies or ``timeout`` passes.
    """
    deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
    while True:
        msg_id = kc.kernel_info()
        reply = await _reply_to(kc.shell_channel, msg_id, 1.0, lambda m: m["msg_type"] == "kernel_info_reply")
        # IOPub may not be connected yet (a subscriber misses what was sent before it joined): then ask again
        if reply is not None and await _reply_to(kc.iopub_channel, msg_id, 0.2, _idle) is not None:
            kc._handle_kernel_info_reply(reply)
            return
        if not await kc._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


_IPC_MANAGER = None


def ipc_kernel_manager_class():
    """A jupyter_client kernel manager whose kernels talk over IPC (Unix sockets in the run's socket
    folder, :func:`~helpers.pipeline.sockets.kernel_socket_folder`) rather than unencrypted local TCP, so the kernel has
    nothing to warn about, and whose clients wait for a kernel with :func:`wait_until_ready`."""
    global _IPC_MANAGER
    if _IPC_MANAGER is None:
        from jupyter_client.asynchronous import AsyncKernelClient
        from jupyter_client.manager import AsyncKernelManager

        class PromptKernelClient(AsyncKernelClient):
            wait_for_ready = wait_until_ready

        class IPCKernelManager(AsyncKernelManager):
            def __init__(self, **kwargs):
                # every client of these kernels (the warming one, papermill's) waits for the kernel, not a fixed time
                kwargs.setdefault("client_factory", PromptKernelClient)
                if os.name == "posix":
                    kwargs.setdefault("transport", "ipc")
                    for key, value in kernel_paths().items():
                        kwargs.setdefault(key, value)
                super().__init__(**kwargs)

            async def _async_wait(self, pollinterval: float = 0.1) -> None:
                # a kernel told to stop (or killed) is gone within milliseconds: look every 10 ms,
                # not jupyter_client's 100 ms, which each notebook's shutdown otherwise waits out
                await super()._async_wait(pollinterval=min(pollinterval, 0.01))

            #: where the kernel process's own stdout/stderr go (its start-up and shutdown messages);
            #: None: the runner's. Cell outputs and errors are in the executed notebook either way.
            kernel_log: str | None = None

            async def _async_launch_kernel(self, kernel_cmd, **kw):
                if not self.kernel_log or "stderr" in kw:
                    return await super()._async_launch_kernel(kernel_cmd, **kw)
                with open(self.kernel_log, "wb") as log:
                    return await super()._async_launch_kernel(kernel_cmd, **{**kw, "stdout": log, "stderr": log})

        _IPC_MANAGER = IPCKernelManager
    return _IPC_MANAGER


def kernel_manager_for(log_path: Path | None):
    """The IPC kernel manager class, writing the kernel process's own messages to ``log_path``."""
    base = ipc_kernel_manager_class()
    if log_path is None:
        return base
    return type("StepKernelManager", (base,), {"kernel_log": str(log_path)})


def notebook_imports(notebook: Path) -> list[str]:
    """The modules a notebook imports (``import x``, ``from x import y`` -> x and x.y when a module)."""
    mods: list[str] = []
    for node in import_statements(notebook):
        if isinstance(node, ast.Import):
            mods += [a.name for a in node.names]
        elif node.module and not node.level:
            mods += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return list(dict.fromkeys(mods))


#: The variables that set how many threads each linear-algebra library starts in a process.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def blas_thread_env(jobs: int, cores: int, environ=os.environ) -> dict[str, str]:
    """The thread variables to give the kernels when ``jobs`` notebooks share ``cores``: each kernel's
    BLAS would otherwise start a thread per core, and with every core already running a notebook those
    threads only contend (measured by the tests engineer: the report notebook's disclosure step took 3x
    the CPU with two BLAS threads on two cores). A variable the user set is kept."""
    threads = str(max(1, cores // max(1, jobs)))
    return {name: threads for name in BLAS_THREAD_VARIABLES if name not in environ}


def start_warm_kernel(step: Step, log_path: Path | None):
    """Start a kernel for ``step`` and import the modules its notebook imports, silently (nothing
    is counted, shown or kept in the notebook's namespace), so that the imports overlap the
    notebooks it waits for instead of adding to the build's critical path."""
    from jupyter_core.utils import run_sync

    km = kernel_manager_for(log_path)(kernel_name=getattr(step, "kernel", None) or config.KERNEL_NAME)
    run_sync(km.start_kernel)(cwd=str(config.PROJECT_ROOT))
    kc = km.client()
    kc.start_channels()
    try:
        run_sync(kc.wait_for_ready)(timeout=120)
        code = (
            "import importlib as _fop_il\n"
            f"for _fop_m in {notebook_imports(step.notebook)!r}:\n"
            "    try:\n        _fop_il.import_module(_fop_m)\n    except Exception:\n        pass\n"
            "del _fop_il\n"
        )
        msg_id = kc.execute(code, silent=True, store_history=False)
        while True:
            reply = run_sync(kc.get_shell_msg)(timeout=300)
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
    except BaseException:
        # the caller falls back to a kernel of papermill's and never sees this one: it would run on
        # (with its sockets) until the runner exits
        shutdown(km)
        raise
    finally:
        kc.stop_channels()
    return km


def shutdown(km) -> None:
    """Shut a kernel down now (it may already be gone)."""
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass


def normalise_executed(nb, notebook: Path, final_path: Path):
    """Make an executed notebook depend only on its inputs: cell ids from the notebook path and the
    cell's index, no start/end times or durations, paths as the final (not temporary) ones."""
    source = rel(notebook)
    for i, cell in enumerate(nb.cells):
        cell["id"] = hashlib.sha256(f"{source}:{i}".encode()).hexdigest()[:16]
        cell.metadata.pop("execution", None)
        pm_meta = cell.metadata.get("papermill")
        if isinstance(pm_meta, dict):
            for key in ("start_time", "end_time", "duration"):
                pm_meta.pop(key, None)
    pm_meta = nb.metadata.get("papermill")
    if isinstance(pm_meta, dict):
        for key in ("start_time", "end_time", "duration"):
            pm_meta.pop(key, None)
        pm_meta["input_path"] = source
        pm_meta["output_path"] = rel(final_path)
    return nb


def _finalise_executed(tmp: Path, notebook: Path, executed_path: Path) -> None:
    """Normalise the notebook papermill wrote under a temporary name and rename it into place."""
    import nbformat

    if not tmp.exists():
        return
    try:
        nb = nbformat.read(str(tmp), as_version=4)
        write_atomic(executed_path, nbformat.writes(normalise_executed(nb, notebook, executed_path)) + "\n")
    finally:
        tmp.unlink(missing_ok=True)


def _failure(step: Step, exc: Exception) -> str:
    """The one-line summary of a notebook that failed."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        evalue = str(exc.evalue).strip().splitlines()[0] if str(exc.evalue).strip() else ""
        # The cell is named as the executed notebook shows it (In [n]): papermill inserts a cell
        # with the injected parameters, so source cell numbers would point one cell too early.
        return f"notebook {step.name} ({step.notebook.name}) failed at In [{exc.exec_count}]: {exc.ename}: {evalue}"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"notebook {step.name} ({step.notebook.name}) could not run: {type(exc).__name__}: {first}"


def run_step(step: Step, executed_path: Path, progress: bool = False, km=None) -> float:
    """Run one notebook with papermill in its own kernel; returns seconds taken.

    The executed notebook is written under a temporary name while it runs and renamed to
    ``executed_path`` only when complete (also when it failed, with the traceback in it). The
    kernel process's own messages go to ``<executed>.kernel.log`` beside it, not to the terminal.
    Raises :class:`NotebookFailed`.
    """
    import papermill as pm

    executed_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = executed_path.with_name(f".{executed_path.stem}.partial-{os.getpid()}.ipynb")
    start = time.perf_counter()
    # engine arguments (nbclient): IPC transport, no timing metadata, project root as cwd; or a
    # kernel already started (and warmed) for this step
    engine = (
        {"km": km}
        if km is not None
        else {"kernel_manager_class": kernel_manager_for(executed_path.with_suffix(".kernel.log"))}
    )
    try:
        pm.execute_notebook(
            str(step.notebook),
            str(tmp),
            parameters=step.parameters,
            kernel_name=step.kernel,
            language="python",
            progress_bar=progress,
            log_output=False,
            record_timing=False,
            resources={"metadata": {"path": str(config.PROJECT_ROOT)}},
            **engine,
        )
    except Exception as exc:  # the notebook raised, the kernel died, a timeout, an unreadable notebook...
        _finalise_executed(tmp, step.notebook, executed_path)
        raise NotebookFailed(_failure(step, exc), executed_path) from exc
    finally:
        if km is not None:
            shutdown(km)
    _finalise_executed(tmp, step.notebook, executed_path)
    return time.perf_counter() - start
