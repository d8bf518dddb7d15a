"""The pipeline runner: one entry point that builds the evaluation report from the raw data.

``python -m helpers.pipeline`` (``make report``) reads the declared pipeline (``pipeline.yaml``:
which notebooks, with which parameters, reading which raw files and which other notebooks'
outputs) and:

1. checks, before running anything, that the declaration and any parameter file are well formed
   (plain YAML values, mappings where mappings belong: one clear line otherwise), that every
   notebook exists and runs on the project's kernel, that every parameter passed to it is one it
   declares, with the type of its default, that every raw input it needs is there, and that
   ``processed_dir`` is not the filesystem root, the raw folder or the repository root;
2. derives the order from what each notebook reads (``reads:``; the report reads all) and runs
   notebooks that do not depend on each other in parallel (``--jobs``, default: the cores), each
   in its own kernel process on an explicit kernel, over IPC (no unencrypted-TCP warning), from
   the project root;
3. remembers what it built (the *skip-state*, ``<processed>/<scope>/.pipeline_state.json``): a
   step is recorded as done only after all its outputs are written, with the hash of each output
   and a fingerprint of everything it depends on (notebook source, parameters, raw inputs, the
   published statistics if it reads them, the helper code it runs - its strand package and the core
   modules it imports, from the import graph, not all of ``helpers``; the report: all of it - the
   pseudonymisation key's fingerprint - never the key - and the outputs of the notebooks it reads). On every run each recorded output is checked to still exist with its hash; a step
   whose fingerprint or outputs no longer match reruns (an interrupted run, a deleted folder, a
   new key). Executed notebooks, the HTML report, the manifest and the state are written under a
   temporary name and then renamed, so an interrupted run never leaves a stub that looks done;
4. refuses to build the report from a section older than its inputs (naming it in one line), and
   refuses to mix outputs made under two pseudonymisation keys;
5. takes a lock on the output folder, so two runs on it never interleave (the second waits, and
   stops with one line after ``--lock-timeout``; a lock left by a dead process is taken over), and
   stops within seconds of SIGTERM, SIGINT or SIGHUP, killing its kernels and releasing the lock,
   even when its parent has died and nobody reads its output any more;
6. makes the executed notebooks byte-identical for identical inputs and code: cell ids derived
   from the notebook path and cell index, no timing metadata, and the build date taken from
   ``SOURCE_DATE_EPOCH`` or, when unset, from the newest raw input (:func:`build_date`);
7. writes ``run_info.json`` beside the processed outputs for the report: the code version, every
   parameter that differs from the declared defaults and the override file's name
   (:func:`run_info`). A run with non-default parameters writes its processed outputs, executed
   notebooks and report under a name that says so (``reports/focus_on_practice_evaluation__quick_check.html``)
   and never overwrites the default build;
8. after ``--only``/``--from`` also rebuilds the report, or says in one line that it is now stale;
9. on failure prints one line (notebook, cell, exception) and where the executed notebook with the
   full traceback is, and exits non-zero; exports the report notebook to self-contained HTML;
10. writes the executed notebooks and a run manifest (code version, parameters, input hashes,
    package versions, timings) to ``outputs/runs/<scope>/`` (git-ignored): the audit trail.

Progress bars appear only on a terminal; in a log file each notebook is one plain line.
See ``python -m helpers.pipeline --help``.

The package, one idea a module:

- :mod:`~helpers.pipeline.declaration`  pipeline.yaml, parameter files and ``--set``; Step, Plan, order, selection
- :mod:`~helpers.pipeline.authority`    one authority's own build (``la``): scope, steps left out
- :mod:`~helpers.pipeline.checks`       what is checked before anything runs
- :mod:`~helpers.pipeline.fingerprint`  what a step depends on, the skip-state, output hashes
- :mod:`~helpers.pipeline.codegraph`    the helper code a step runs, from the import graph
- :mod:`~helpers.pipeline.buildinfo`    the build date and ``run_info.json``
- :mod:`~helpers.pipeline.kernels`      kernels, running one notebook, normalised executed notebooks
- :mod:`~helpers.pipeline.scope`        one plan being run: status, manifest, run-or-skip decision
- :mod:`~helpers.pipeline.execute`      the scheduler over every scope of a run
- :mod:`~helpers.pipeline.sockets`      the folder of a run's kernel sockets, removed when it ends
- :mod:`~helpers.pipeline.lock`         the output-folder lock and signal handling
- :mod:`~helpers.pipeline.files`        atomic writes, hashes, leftovers of killed runs
- :mod:`~helpers.pipeline.errors`       PipelineError
- :mod:`~helpers.pipeline.cli`          the command line
"""

from .. import config
from ..provenance import RUN_INFO_FILE, run_info
from .buildinfo import build_date, inputs_epoch, source_date_epoch
from .checks import declared_parameters, validate
from .cli import main
from .declaration import (
    GLOBAL_PARAMETERS,
    LOCATION_PARAMETERS,
    REPORT_NAME,
    PipelineError,
    Plan,
    Step,
    build_plan,
    default_jobs,
    dependents,
    load_declaration,
    load_overrides,
    select_steps,
)
from .execute import run, run_plans
from .files import rel as _rel
from .files import write_atomic
from .fingerprint import STATE_FILE, fingerprint, input_hashes, key_fingerprint
from .kernels import NotebookFailed, ensure_kernel, normalise_executed, run_step
from .lock import DEFAULT_LOCK_TIMEOUT, LOCK_FILE, RunLock

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "GLOBAL_PARAMETERS",
    "LOCATION_PARAMETERS",
    "LOCK_FILE",
    "REPORT_NAME",
    "RUN_INFO_FILE",
    "STATE_FILE",
    "NotebookFailed",
    "PipelineError",
    "Plan",
    "RunLock",
    "Step",
    "_rel",
    "build_date",
    "build_plan",
    "config",
    "declared_parameters",
    "default_jobs",
    "dependents",
    "ensure_kernel",
    "fingerprint",
    "input_hashes",
    "inputs_epoch",
    "key_fingerprint",
    "load_declaration",
    "load_overrides",
    "main",
    "normalise_executed",
    "run",
    "run_info",
    "run_plans",
    "run_step",
    "select_steps",
    "source_date_epoch",
    "validate",
    "write_atomic",
]
