"""``python -m helpers.pipeline``: the command line (see ``--help``).

Builds one plan per scope asked for (``--borough``, ``--each-borough``, ``--boroughs all,each``),
runs them together, and prints one summary line per scope. A problem with how the run was asked
for is one line on stderr and exit code 2; a failing notebook is one line, the path of the executed
notebook holding its traceback, and exit code 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import config
from .declaration import (
    PipelineError,
    build_plan,
    default_jobs,
    load_declaration,
    load_overrides,
    merge_overrides,
    parse_set,
    select_steps,
)
from .execute import run_plans
from .files import rel
from .kernels import NotebookFailed
from .lock import DEFAULT_LOCK_TIMEOUT


def say(text: str, err: bool = False) -> None:
    """Print a line, unless nobody reads the stream any more (a parent that died closed its pipe):
    then the stream goes to the null device from now on, and the run carries on (or stops on a
    signal) the same either way."""
    stream = sys.stderr if err else sys.stdout
    try:
        print(text, file=stream, flush=True)
    except OSError:  # BrokenPipeError, or any other reason the stream cannot be written
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass


def _scopes(args) -> list[str | None]:
    if args.boroughs:
        out = []
        for b in args.boroughs.split(","):
            b = b.strip()
            if b == "each":
                out += list(config.BOROUGHS)
            elif b:
                try:
                    out.append(config.normalise_borough(b))
                except ValueError as exc:
                    raise PipelineError(f"--boroughs: {exc}") from exc
        return list(dict.fromkeys(out))
    if args.each_borough:
        return list(config.BOROUGHS)
    return [None]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.pipeline",
        description="Run the declared notebook pipeline and build the evaluation report.",
    )
    p.add_argument("--pipeline", default=str(config.PIPELINE_FILE), help="pipeline declaration (default pipeline.yaml)")
    p.add_argument(
        "--only", metavar="NAME", help="run only this notebook (then rebuild the report, or say it is stale)"
    )
    p.add_argument(
        "--from", dest="start", metavar="NAME", help="run this notebook and every notebook that reads its outputs"
    )
    p.add_argument("--params", metavar="FILE.yaml", help="parameter overrides (globals: / notebooks: {name: {...}})")
    p.add_argument(
        "--set", action="append", metavar="[NOTEBOOK.]NAME=VALUE", help="override one parameter (repeatable)"
    )
    p.add_argument("--borough", help="all, or one of: " + ", ".join(config.BOROUGHS))
    p.add_argument("--each-borough", action="store_true", help="build one report per borough, in parallel")
    p.add_argument("--boroughs", metavar="LIST", help="comma-separated scopes to build together, e.g. all,each")
    p.add_argument("--raw-dir", help="folder of raw extracts (default data/raw)")
    p.add_argument("--processed-dir", help="base folder of processed outputs (default data/processed)")
    p.add_argument("--runs-dir", help="where executed notebooks and the manifest go (default outputs/runs/<scope>)")
    p.add_argument("--report-dir", help="where the HTML report goes (default reports/)")
    p.add_argument("--force", action="store_true", help="run every selected notebook even if unchanged")
    p.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help=f"notebooks run at once (default: the cores, here {default_jobs()})",
    )
    p.add_argument(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        help="seconds to wait for another run on the same output folder (default 600)",
    )
    p.add_argument(
        "--no-warm",
        action="store_true",
        help="do not start a notebook's kernel (and its imports) while the notebooks it reads still run",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars and no per-notebook lines")
    p.add_argument("--list", action="store_true", help="list the notebooks in the order they run, then stop")
    return p


def plans_from(args) -> list:
    """One (plan, selected steps) per scope asked for."""
    if args.jobs is not None and args.jobs < 1:
        raise PipelineError("--jobs must be at least 1")
    declaration = load_declaration(Path(args.pipeline))
    file_overrides = load_overrides(Path(args.params)) if args.params else {}
    from_file = set(file_overrides.get("globals", {})) | {
        f"{nb}.{p}" for nb, params in file_overrides.get("notebooks", {}).items() for p in params
    }
    overrides = merge_overrides(file_overrides, parse_set(args.set))
    cli_globals = {
        k: v
        for k, v in {"raw_dir": args.raw_dir, "processed_dir": args.processed_dir, "borough": args.borough}.items()
        if v
    }
    scopes = _scopes(args)
    if scopes != [None] and overrides["globals"].get("la") is not None:
        raise PipelineError(
            "--boroughs/--each-borough build the three boroughs' reports and la one authority's own: give one or the other"
        )
    plans = []
    for borough in scopes:
        g = dict(cli_globals, **({"borough": borough} if borough else {}))
        runs_dir = Path(args.runs_dir) / (borough or "") if args.runs_dir else None
        plan = build_plan(
            declaration,
            overrides,
            g,
            runs_dir=runs_dir,
            report_dir=args.report_dir,
            override_file=args.params,
            from_file=from_file,
        )
        plans.append((plan, select_steps(plan, only=args.only, start=args.start)))
    return plans


def print_list(plan) -> None:
    for i, s in enumerate(plan.steps, start=1):
        reads = f"  reads: {', '.join(s.reads)}" if s.reads else ""
        say(f"{i}. {s.name:12s} {rel(s.notebook)}{reads}")


def print_summary(plan, manifest: dict) -> None:
    """What ran, what was skipped, the non-default parameters and where the results are."""
    ran = [n["name"] for n in manifest["notebooks"] if n["status"] == "ran"]
    skipped = [n["name"] for n in manifest["notebooks"] if n["status"].startswith("skipped")]
    say(f"[{plan.scope}] ran: {', '.join(ran) or 'nothing'}; unchanged, skipped: {', '.join(skipped) or 'none'}")
    for item in manifest.get("left_out", []):
        say(f"[{plan.scope}] left out: {item['step']} ({item['reason']}; raw folder {plan.globals['raw_dir']})")
    if plan.non_default:
        say(
            f"[{plan.scope}] non-default parameters ({plan.variant}): "
            + ", ".join(f"{k}={v['value']!r}" for k, v in plan.non_default.items())
        )
    if any(
        n["name"] == s.name and n["status"] in ("ran", "skipped (unchanged)")
        for n in manifest["notebooks"]
        for s in plan.steps
        if s.exports_report
    ):
        say(f"[{plan.scope}] report: {plan.report_path}")
    say(f"[{plan.scope}] executed notebooks and manifest: {plan.runs_dir}")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        plans = plans_from(args)
        if args.list:
            print_list(plans[0][0])
            return 0
        manifests = run_plans(
            plans,
            force=args.force,
            progress=not args.no_progress,
            jobs=args.jobs,
            only=args.only,
            start=args.start,
            lock_timeout=args.lock_timeout,
            warm_kernels=not args.no_warm,
            log=say,
        )
        for (plan, _), manifest in zip(plans, manifests, strict=False):
            print_summary(plan, manifest)
    except PipelineError as exc:
        say(f"error: {exc}", err=True)
        return 2
    except NotebookFailed as exc:
        say(f"FAILED: {exc}", err=True)
        say(f"full traceback in the executed notebook: {exc.executed_path}", err=True)
        return 1
    return 0
