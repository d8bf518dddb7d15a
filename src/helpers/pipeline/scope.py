"""One plan being run (a *scope*: the tri-borough build, one borough, a variant): its lock, skip-state,
manifest, the status of each step, and the decision whether a step runs, is skipped or cannot run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import config
from ..provenance import RUN_INFO_FILE
from .authority import LEFT_OUT, remove_outputs
from .buildinfo import run_info_payload
from .declaration import PipelineError, Plan, Step
from .files import rel, write_atomic, write_json
from .fingerprint import (
    damaged_outputs,
    fingerprint,
    input_hashes,
    sibling_sections_digest,
    state_path,
    step_code_hash,
)
from .kernels import kernel_installed
from .lock import RunLock


@dataclass
class Scope:
    """One plan being run: its lock, skip-state, manifest and the status of each step."""

    plan: Plan
    selected: set
    auto: set
    explicit_report: bool
    partial: bool
    force: bool
    key_fp: str
    epoch: int
    state: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    status: dict = field(default_factory=dict)
    digests: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)
    lock: RunLock | None = None
    report_stale: str = ""
    #: steps left out of one authority's own build for want of its input files (:mod:`.authority`)
    left_out: dict = field(default_factory=dict)

    def executed_path(self, step: Step) -> Path:
        return self.plan.runs_dir / "executed" / f"{step.notebook.stem}.ipynb"

    def wanted(self, step: Step) -> bool:
        """Whether this run is to bring the step up to date (selected, or the report after --only)."""
        return step.name in self.selected or step.name in self.auto

    def save_state(self) -> None:
        write_json(state_path(self.plan), self.state)

    def save_manifest(self) -> None:
        self.manifest["notebooks"] = [self.entries[s.name] for s in self.plan.steps if s.name in self.entries]
        write_json(self.plan.runs_dir / "manifest.json", self.manifest)

    def settle(self, step: Step, entry: dict, status: str, **more) -> None:
        """Record a step that does not run now, with why, in the status and the manifest."""
        self.status[step.name] = status
        self.entries[step.name] = {**entry, "status": status, **more, "seconds": 0.0}


def _report_extra(sc: Scope, step: Step) -> dict:
    """What a report depends on besides its inputs: the run information it prints (written now, if it
    is to run) and the sections of the sibling scopes its disclosure check compares against."""
    extra = {}
    if step.exports_report and sc.wanted(step):
        path = sc.plan.scope_dir / RUN_INFO_FILE
        text = json.dumps(run_info_payload(sc.plan, sc.epoch, sc.left_out), indent=2, sort_keys=True) + "\n"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
        extra["run_info"] = hashlib.sha256(text.encode()).hexdigest()
    if step.exports_report:
        extra["sibling_sections"] = sibling_sections_digest(sc.plan)
    return extra


def _examine(sc: Scope, step: Step) -> tuple[dict, bool]:
    """The step's manifest entry (with its fingerprint) and whether its recorded build is fresh;
    records the digest of its outputs for the steps that read it."""
    inputs = input_hashes(step)
    upstream = {r: sc.digests.get(r) for r in step.reads}
    fp = fingerprint(step, step_code_hash(step), upstream, {**inputs, **_report_extra(sc, step)}, sc.key_fp)
    record = sc.state["steps"].get(step.name)
    damaged = damaged_outputs(record) if record else ["never built"]
    expected = {str(sc.executed_path(step))} | ({str(sc.plan.report_path)} if step.exports_report else set())
    fresh = (
        bool(record) and not damaged and record.get("fingerprint") == fp and expected <= set(record.get("outputs", {}))
    )
    sc.digests[step.name] = record.get("digest") if record and not damaged else None
    entry = {
        "name": step.name,
        "notebook": rel(step.notebook),
        "reads": step.reads,
        "parameters": step.parameters,
        "inputs_sha256": inputs,
        "executed": str(sc.executed_path(step)),
        "fingerprint": fp,
    }
    return entry, fresh


def _stale_report(sc: Scope, step: Step, entry: dict) -> bool:
    """A report whose sections are older than their inputs is not built: an error when it was asked
    for by name, else recorded and said in one line at the end. True when so."""
    stale = [r for r in step.reads if sc.status.get(r) == "stale"]
    if not stale:
        return False
    if sc.explicit_report:
        raise PipelineError(
            f"report not built: section(s) {', '.join(stale)} older than their inputs "
            f"(inputs, code, key or a notebook they read changed since they ran); "
            f"run without --only/--from, or --from {stale[0]}"
        )
    sc.report_stale = f"[{sc.plan.scope}] {sc.plan.report_path.name} is now stale, not rebuilt: section(s) {', '.join(stale)} are older than their inputs; run without --only/--from to rebuild it"
    sc.settle(step, entry, "not run (stale inputs)", stale_sections=stale)
    return True


def _settled_without_running(sc: Scope, step: Step, entry: dict, fresh: bool, log) -> bool:
    """Settle a wanted step that does not run (kernel absent, a notebook it reads failed, stale
    sections, unchanged); True when so."""
    if step.kernel != config.KERNEL_NAME and not kernel_installed(step.kernel):
        # A notebook on another kernel (the DfE validators' environment): an optional step is
        # skipped with one line and what reads it says the step did not run; never reported as passed.
        if not step.optional:
            raise PipelineError(f"{step.name}: kernel {step.kernel!r} is not installed (run make setup)")
        log(f"{step.name}: skipped, kernel {step.kernel!r} is not installed (optional step)")
        sc.settle(step, entry, f"skipped (kernel {step.kernel} not installed)")
        return True
    if any(sc.status.get(r, "").startswith(("failed", "not run")) for r in step.reads):
        sc.settle(step, entry, "not run (a notebook it reads failed)")
        return True
    if step.exports_report and _stale_report(sc, step, entry):
        return True
    if fresh and not (sc.force and step.name in sc.selected):
        sc.settle(step, entry, "skipped (unchanged)")
        return True
    return False


def _leave_out(sc: Scope, step: Step) -> None:
    """Settle a step left out of an authority's own build; what it wrote in an earlier build goes."""
    record = sc.state["steps"].pop(step.name, None)
    if record is not None:
        remove_outputs(record)
        sc.save_state()
    sc.digests[step.name] = None
    info = sc.left_out[step.name]
    entry = {"name": step.name, "notebook": info["notebook"], "reads": step.reads, "left_out": info}
    sc.settle(step, entry, f"{LEFT_OUT} ({info['reason']})")


def decide(sc: Scope, step: Step, log) -> tuple[str, dict] | None:
    """Resolve a step whose upstream is resolved: returns ("run", entry) or None (skipped, left out,
    not selected, or not runnable); records its status and the digest downstream steps depend on."""
    if step.name in sc.left_out:
        _leave_out(sc, step)
        return None
    entry, fresh = _examine(sc, step)
    if not sc.wanted(step):
        sc.status[step.name] = "fresh" if fresh else "stale"
        return None
    if _settled_without_running(sc, step, entry, fresh, log):
        return None
    # About to rerun: forget the old record first, so an interruption leaves the step not done.
    if sc.state["steps"].pop(step.name, None) is not None:
        sc.save_state()
    return "run", entry
