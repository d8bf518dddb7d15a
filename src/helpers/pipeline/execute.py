"""The scheduler: the selected steps of one or more plans, in dependency order, on one pool of workers.

A step is *resolved* once the notebooks it reads are (:func:`helpers.pipeline.scope.decide`: run it,
skip it as unchanged, or settle it as not runnable); resolved steps to run start longest remaining
path first while workers are free; a step that will run once the notebooks it reads finish gets its
kernel started and warmed meanwhile. A failure stops new starts; the run manifest of each scope is
written at the end either way.
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from pathlib import Path

from .. import config
from ..provenance import code_version, package_versions
from .authority import left_out
from .buildinfo import source_date_epoch
from .checks import validate
from .declaration import PipelineError, Plan, Step, default_jobs
from .files import remove_leftovers
from .fingerprint import (
    key_fingerprint,
    load_state,
    outputs_digest,
    owned_by_another,
    sha256_file,
    snapshot,
)
from .kernels import (
    NotebookFailed,
    blas_thread_env,
    ensure_kernel,
    run_step,
    shutdown,
    skip_slow_optional_imports,
    start_warm_kernel,
)
from .lock import DEFAULT_LOCK_TIMEOUT, RunLock, stop_on_signals
from .scope import Scope, decide
from .sockets import kernel_socket_folder, remove_kernel_sockets


class _Gate:
    """Holds a warmed kernel's step until the scheduler says run (``go``) or never mind."""

    def __init__(self):
        self.event = threading.Event()
        self.go = False

    def open(self, go: bool) -> None:
        self.go = go
        self.event.set()


def _warm_kernel(sc: Scope, step: Step, gate: _Gate) -> tuple[bool, object]:
    """Start and warm the step's kernel, then wait for the gate: (whether to run, the kernel manager
    or None to let papermill start one). A kernel not needed after all is shut down again."""
    executed = sc.executed_path(step)
    try:
        executed.parent.mkdir(parents=True, exist_ok=True)
        km = start_warm_kernel(step, executed.with_suffix(".kernel.log"))
    except Exception:  # noqa: BLE001 - fall back to a kernel started by papermill
        km = None
    gate.event.wait()
    if not gate.go:
        if km is not None:
            shutdown(km)
        return False, None
    return True, km


def execute_step(sc: Scope, step: Step, cell_progress: bool, gate: _Gate | None = None) -> tuple[float, dict] | None:
    """Run one step (in a worker thread); returns seconds and its outputs with their hashes.

    With a ``gate``, first start and warm the step's kernel, then wait for the gate: the notebooks
    it reads are still running. Returns None if the gate says the step is not to run after all.
    """
    plan = sc.plan
    executed = sc.executed_path(step)
    km = None
    if gate is not None:
        go, km = _warm_kernel(sc, step, gate)
        if not go:
            return None
    before = snapshot(plan.scope_dir)
    seconds = run_step(step, executed, progress=cell_progress, km=km)
    outputs = [str(executed)]
    if step.exports_report:
        from ..report import export_report

        # the report and its technical appendix, each written under a temporary name and renamed;
        # both are outputs, so a deleted appendix rebuilds the report
        outputs += [str(p) for p in export_report(executed, plan.report_path)]
    after = snapshot(plan.scope_dir)
    outputs += [
        p
        for p, sig in after.items()
        if before.get(p) != sig and not owned_by_another(p, plan.scope_dir, step, plan.steps)
    ]
    return seconds, {p: sha256_file(Path(p)) for p in sorted(outputs)}


def priorities(scopes: list[Scope]) -> dict:
    """Longest remaining path (in recorded seconds) from each step: the critical path goes first."""
    prio = {}
    for sc in scopes:
        for step in reversed(sc.plan.steps):
            cost = float(sc.state["steps"].get(step.name, {}).get("seconds", 1.0) or 1.0)
            downstream = [prio[(id(sc), s.name)] for s in sc.plan.steps if step.name in s.reads]
            prio[(id(sc), step.name)] = cost + max(downstream, default=0.0)
    return prio


def ready(sc: Scope, step: Step, scopes: list[Scope]) -> bool:
    """A step can be resolved once the notebooks it reads are. A report waits, in addition, for
    every strand notebook of every scope in this run: its disclosure check compares its tables with
    the same tables of the other scopes' reports (tri-borough = sum of boroughs), so it must be
    rendered after all of them are written."""
    if not all(r in sc.status for r in step.reads):
        return False
    if step.exports_report:
        return all(s.name in other.status for other in scopes for s in other.plan.steps if not s.exports_report)
    return True


class _Scheduler:
    """The steps of every scope of one run, on one pool: resolve, start, warm, collect, until done."""

    def __init__(self, scopes: list[Scope], pool, jobs: int, progress: bool, log, warm_kernels: bool):
        from tqdm.auto import tqdm

        self.scopes, self.pool, self.jobs, self.log = scopes, pool, jobs, log
        self.warm_kernels = warm_kernels
        self.prio = priorities(scopes)
        self.pending = [(sc, s) for sc in scopes for s in sc.plan.steps]
        on_terminal = progress and sys.stderr.isatty()
        self.quiet_lines = not progress or on_terminal  # one line per notebook only in a log
        self.bar = tqdm(total=len(self.pending), desc="notebooks", unit="nb", disable=not on_terminal, file=sys.stderr)
        self.cell_progress = on_terminal and jobs == 1
        self.running: dict = {}
        self.runnable: list = []
        self.failure: NotebookFailed | None = None
        self.warm: dict = {}  # (scope, step) -> (future, gate): kernels started early for steps still waiting
        self.warming_done: list = []

    def say(self, sc: Scope, text: str) -> None:
        if not self.quiet_lines:
            self.log(f"[{sc.plan.scope}] {text}")

    def close_gate(self, sc: Scope, step: Step, go: bool = False):
        item = self.warm.pop((id(sc), step.name), None)
        if item is not None:
            item[1].open(go)
            if not go:
                self.warming_done.append(item[0])
        return item

    def not_run(self, sc: Scope, step: Step) -> None:
        self.close_gate(sc, step)
        sc.status[step.name] = "not run (an earlier notebook failed)"
        if sc.wanted(step):
            sc.entries[step.name] = {"name": step.name, "status": sc.status[step.name], "seconds": 0.0}
        self.bar.update(1)

    def resolve(self) -> None:
        """Resolve every step whose upstream is resolved (skips resolve at once, so repeat)."""
        progressed = True
        while progressed:
            progressed = False
            for sc, step in [it for it in self.pending if ready(it[0], it[1], self.scopes)]:
                self.pending.remove((sc, step))
                progressed = True
                if self.failure is not None:
                    self.not_run(sc, step)
                    continue
                decision = decide(sc, step, self.log)
                if decision is None:
                    self.close_gate(sc, step)
                    self.bar.update(1)
                    # a step left out is said once, by the run's summary (with the raw folder)
                    if step.name in sc.entries and step.name not in sc.left_out:
                        self.say(sc, f"{step.name}: {sc.status[step.name]}")
                    continue
                self.runnable.append((sc, step, decision[1]))

    def start(self) -> None:
        """Start the runnable steps, longest remaining path first, while workers are free."""
        if self.failure is not None:
            for sc, step, _ in self.runnable:
                self.not_run(sc, step)
            self.runnable.clear()
        self.runnable.sort(key=lambda it: -self.prio[(id(it[0]), it[1].name)])
        while self.runnable and len(self.running) < self.jobs:
            sc, step, entry = self.runnable.pop(0)
            self.bar.set_postfix_str(step.name)
            item = self.close_gate(sc, step, go=True)
            fut = item[0] if item else self.pool.submit(execute_step, sc, step, self.cell_progress)
            self.running[fut] = (sc, step, entry)

    def _worth_warming(self, sc: Scope, step: Step, busy: set) -> bool:
        """A step likely to run (not recorded, or forced) once the notebooks it reads, all resolved or
        running now, finish."""
        likely = (sc.force and step.name in sc.selected) or step.name not in sc.state["steps"]
        return (
            (id(sc), step.name) not in self.warm
            and step.name not in sc.left_out
            and likely
            and bool(step.reads)
            and sc.wanted(step)
            and all(r in sc.status or (id(sc), r) in busy for r in step.reads)
        )

    def warm_up(self) -> None:
        """Warm a kernel for a step that will run once the notebooks it reads (running now) finish."""
        busy = {(id(sc), s.name) for sc, s, _ in [*self.running.values(), *self.runnable]}
        for sc, step in sorted(self.pending, key=lambda it: -self.prio[(id(it[0]), it[1].name)]):
            if len(self.warm) >= self.jobs:
                break
            if self._worth_warming(sc, step, busy):
                gate = _Gate()
                self.warm[(id(sc), step.name)] = (
                    self.pool.submit(execute_step, sc, step, self.cell_progress, gate),
                    gate,
                )

    def _record(self, sc: Scope, step: Step, entry: dict, seconds: float, outputs: dict) -> None:
        record = {
            "fingerprint": entry["fingerprint"],
            "key_fingerprint": sc.key_fp,
            "seconds": round(seconds, 2),
            "outputs": outputs,
            "digest": outputs_digest(outputs, sc.plan.scope_dir),
        }
        sc.state["steps"][step.name] = record
        sc.save_state()  # recorded as done only now, with all its outputs written
        sc.digests[step.name] = record["digest"]
        sc.status[step.name] = "ran"
        sc.entries[step.name] = {**entry, "status": "ran", "seconds": round(seconds, 2)}
        self.say(sc, f"{step.name}: ran in {seconds:.1f} s")

    def collect(self) -> None:
        """Wait for a running step to finish and record it (or its failure)."""
        done, _ = wait(list(self.running), return_when=FIRST_COMPLETED)
        for fut in done:
            sc, step, entry = self.running.pop(fut)
            self.bar.update(1)
            try:
                seconds, outputs = fut.result()
            except NotebookFailed as exc:
                sc.status[step.name] = "failed"
                sc.entries[step.name] = {**entry, "status": "failed", "error": str(exc)}
                sc.save_state()
                self.say(sc, f"{step.name}: FAILED")
                self.failure = self.failure or exc
                continue
            self._record(sc, step, entry, seconds, outputs)

    def loop(self) -> None:
        while self.pending or self.running or self.runnable:
            self.resolve()
            self.start()
            if self.failure is None and self.warm_kernels:
                self.warm_up()
            if not self.running:
                if self.pending:  # pragma: no cover - the declaration's order check makes this impossible
                    raise PipelineError(
                        f"internal error: steps left that can never start: {[s.name for _, s in self.pending]}"
                    )
                break
            self.collect()

    def release_gates(self) -> None:
        """Tell every kernel still warming that its step will not run (its thread then ends)."""
        for _, gate in list(self.warm.values()):
            gate.open(False)

    def finish(self) -> list[dict]:
        """Stop warmed kernels no step needs, write each scope's manifest; raise a failure."""
        self.bar.close()
        self.release_gates()
        wait(self.warming_done + [f for f, _ in self.warm.values()])
        for sc in self.scopes:
            sc.manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
            sc.save_manifest()
        if self.failure is not None:
            raise self.failure
        for sc in self.scopes:
            if sc.report_stale:
                self.log(sc.report_stale)
        return [sc.manifest for sc in self.scopes]


def _check_plans(plans: list[tuple[Plan, list[Step]]]) -> None:
    problems = []
    for plan, steps in plans:
        problems += [f"[{plan.scope}] {p}" if len(plans) > 1 else p for p in validate(steps, plan)]
    if problems:
        raise PipelineError("the pipeline was not started:\n  " + "\n  ".join(dict.fromkeys(problems)))


def _load_scope(sc: Scope, jobs: int, version: dict, packages: dict) -> None:
    """Read a locked scope's skip-state (refusing to mix two keys in a partial run), clear a killed
    run's leftovers and start its manifest."""
    plan = sc.plan
    sc.state = load_state(plan)
    other_keys = {r.get("key_fingerprint") for r in sc.state["steps"].values()} - {sc.key_fp}
    if other_keys and sc.partial:
        raise PipelineError(
            f"the outputs in {plan.scope_dir} were made with another pseudonymisation key "
            f"(fingerprint {sorted(map(str, other_keys))[0][:8]}..., now {sc.key_fp[:8]}...); running only part of the "
            "pipeline would mix pseudonyms from two keys: run the whole pipeline (no --only/--from) to rebuild it with this key"
        )
    for folder in (plan.runs_dir / "executed", plan.report_path.parent, plan.scope_dir):
        remove_leftovers(folder)
    sc.manifest = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": version,
        "globals": plan.globals,
        "non_default_parameters": plan.non_default,
        "override_file": plan.override_file,
        "variant": plan.variant,
        "jobs": jobs,
        "key_fingerprint": sc.key_fp,
        "source_date_epoch": sc.epoch,
        "packages": packages,
        "report": str(plan.report_path),
        "notebooks": [],
    }
    if plan.la is not None:
        sc.manifest["left_out"] = list(sc.left_out.values())


def _open_scopes(plans, scopes: list[Scope], options: dict, lock_timeout: float, log) -> None:
    """Lock and load each plan's scope, appending it to ``scopes`` as soon as it is locked (so the
    caller releases every lock taken, whatever happens next)."""
    only, start = options["only"], options["start"]
    version, packages = code_version(), package_versions()
    for plan, steps in sorted(plans, key=lambda ps: str(ps[0].scope_dir)):
        names = {s.name for s in steps}
        raw_files = [config.resolve(s.parameters["raw_dir"]) / f for s in plan.steps for f in s.raw_inputs]
        sc = Scope(
            plan=plan,
            selected=names,
            auto={s.name for s in plan.steps if s.exports_report and s.name not in names} if only else set(),
            explicit_report=bool(only) and plan.step(only).exports_report,
            partial=bool(only or start),
            force=options["force"],
            key_fp=options["key_fp"],
            epoch=source_date_epoch(files=raw_files),
        )
        sc.lock = RunLock(plan.scope_dir, timeout=lock_timeout, log=log).acquire()
        scopes.append(sc)
        sc.left_out = left_out(plan)
        _load_scope(sc, options["jobs"], version, packages)


def run_plans(
    plans: list[tuple[Plan, list[Step]]],
    force: bool = False,
    progress: bool = True,
    log=print,
    jobs: int | None = None,
    only: str | None = None,
    start: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    warm_kernels: bool = True,
) -> list[dict]:
    """Run the selected steps of one or more plans (e.g. one per borough) on one pool of ``jobs``
    workers; returns the run manifests (also written to each plan's runs folder)."""
    skip_slow_optional_imports()
    jobs = jobs or default_jobs()
    _check_plans(plans)
    ensure_kernel()
    options = {"only": only, "start": start, "force": force, "jobs": jobs}
    options["key_fp"] = key_fingerprint()
    scopes: list[Scope] = []
    scheduler = None
    old_env = os.environ.get("SOURCE_DATE_EPOCH")
    threads = blas_thread_env(jobs, default_jobs())  # kernels inherit them; taken back at the end
    os.environ.update(threads)
    # the sockets' folder is removed after the pool has shut every kernel down, or by the signal handler
    with stop_on_signals(remove_kernel_sockets), kernel_socket_folder():
        pool = ThreadPoolExecutor(max_workers=2 * jobs)  # jobs running notebooks + up to jobs warming kernels
        try:
            _open_scopes(plans, scopes, options, lock_timeout, log)
            os.environ["SOURCE_DATE_EPOCH"] = (
                str(scopes[0].epoch) if scopes else os.environ.get("SOURCE_DATE_EPOCH", "")
            )
            scheduler = _Scheduler(scopes, pool, jobs, progress, log, warm_kernels)
            scheduler.loop()
            return scheduler.finish()
        finally:
            if scheduler is not None:  # an exception left kernels warming: their threads must end
                scheduler.release_gates()
            pool.shutdown(wait=True, cancel_futures=True)
            for sc in scopes:
                if sc.lock:
                    sc.lock.release()
            for name in threads:
                os.environ.pop(name, None)
            if old_env is None:
                os.environ.pop("SOURCE_DATE_EPOCH", None)
            else:
                os.environ["SOURCE_DATE_EPOCH"] = old_env


def run(plan: Plan, steps: list[Step], force: bool = False, progress: bool = True, log=print, **kwargs) -> dict:
    """Run the selected steps of one plan; returns the run manifest (also written to disk)."""
    return run_plans([(plan, steps)], force=force, progress=progress, log=log, **kwargs)[0]
