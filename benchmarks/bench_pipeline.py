"""Times the pipeline against the notebooks' own compute, and four reports in parallel vs one by one.

Prints, side by side:

1. the notebooks' own code run in one plain Python process (no kernels, no export; each code cell
   executed with ``exec`` after the parameters papermill would inject) vs a full build
   (``--force``): target full build <= 1.3x the plain compute;
2. a no-change rebuild (target <= 5 s);
3. the four reports (all boroughs + 3 boroughs): built one after another, one notebook at a time
   (``--jobs 1``, how the runner used to work) vs in one parallel run (``--boroughs all,each``,
   notebooks spread over the cores): target parallel <= 0.6x sequential.

Runs in a temporary folder, so it never touches data/ or reports/. Asserts nothing.

    .venv/bin/python benchmarks/bench_pipeline.py [--scale 1.0] [--skip-boroughs]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers import config, pipeline
from helpers.synthetic import generate_all

CPU: dict[str, float] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(tmp: Path, tag: str, *extra: str) -> float:
    """Wall seconds of one runner invocation; its CPU seconds (with its kernels) go to CPU[tag]."""
    cmd = [
        sys.executable,
        "-m",
        "helpers.pipeline",
        "--no-progress",
        "--raw-dir",
        str(tmp / "raw"),
        "--processed-dir",
        str(tmp / f"processed_{tag}"),
        "--runs-dir",
        str(tmp / f"runs_{tag}"),
        "--report-dir",
        str(tmp / f"reports_{tag}"),
        *extra,
    ]
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    CPU[tag] = _children_cpu() - cpu
    return time.perf_counter() - start


def plain_compute(raw: Path, processed: Path) -> None:
    """Every notebook's code cells, in pipeline order, exec'd in this one process."""
    import nbformat

    plan = pipeline.build_plan(
        pipeline.load_declaration(), cli_globals={"raw_dir": str(raw), "processed_dir": str(processed)}
    )
    os.chdir(config.PROJECT_ROOT)
    timings = {}
    for step in plan.steps:
        nb = nbformat.read(str(step.notebook), as_version=4)
        namespace: dict = {"__name__": "__main__"}
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            for cell in nb.cells:
                if cell.cell_type != "code":
                    continue
                exec(compile(cell.source, f"{step.notebook.name}", "exec"), namespace)
                if "parameters" in cell.metadata.get("tags", []):
                    namespace.update(step.parameters)  # what papermill injects after this cell
        timings[step.name] = round(time.perf_counter() - start, 2)
    print(json.dumps(timings))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="synthetic data size multiplier")
    parser.add_argument("--skip-boroughs", action="store_true", help="only the full build comparison")
    parser.add_argument("--plain", nargs=2, metavar=("RAW", "PROCESSED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain:
        plain_compute(Path(args.plain[0]), Path(args.plain[1]))
        return 0
    jobs = pipeline.default_jobs()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        generate_all(tmp / "raw", scale=args.scale)
        start, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run(
            [sys.executable, __file__, "--plain", str(tmp / "raw"), str(tmp / "processed_plain")],
            check=True,
            capture_output=True,
            text=True,
        )
        plain = time.perf_counter() - start
        CPU["plain"] = _children_cpu() - cpu
        per_notebook = json.loads(done.stdout.strip().splitlines()[-1])
        full = build(tmp, "full", "--force")
        full_cpu = CPU["full"]
        again = build(tmp, "full")
        print(f"cores: {jobs}; synthetic data scale {args.scale}")
        print(
            f"notebooks' own compute, one plain process: {plain:5.1f} s  ({', '.join(f'{k} {v}' for k, v in per_notebook.items())}; "
            "includes interpreter start and imports once)"
        )
        print(f"full build (make report --force):          {full:5.1f} s  = {full / plain:.2f}x  (target <= 1.3x)")
        print(f"no-change rebuild:                         {again:5.1f} s  (target <= 5 s)")
        print(
            f"CPU seconds (all processes): plain {CPU['plain']:.1f}, full build {full_cpu:.1f} "
            f"(the difference is kernel starts, imports in each kernel, the runner and the HTML export)"
        )
        print(
            f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine slows both sides)"
        )
        if not args.skip_boroughs:
            scopes = ["all", *config.BOROUGHS]
            seq = sum(build(tmp, f"seq_{s}", "--borough", s, "--jobs", "1") for s in scopes)
            seq_parallel_inside = sum(build(tmp, f"seqp_{s}", "--borough", s) for s in scopes)
            par = build(tmp, "par", "--boroughs", "all,each")
            print(f"four reports one after another (--jobs 1):      {seq:5.1f} s")
            print(f"four reports one after another (--jobs {jobs}):      {seq_parallel_inside:5.1f} s")
            print(
                f"four reports in one parallel run (--jobs {jobs}):    {par:5.1f} s  = {par / seq:.2f}x of --jobs 1 "
                f"(target <= 0.6x), {par / seq_parallel_inside:.2f}x of one-by-one --jobs {jobs}"
            )
        size = (tmp / "reports_full" / "focus_on_practice_evaluation.html").stat().st_size
        print(f"report size: {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
