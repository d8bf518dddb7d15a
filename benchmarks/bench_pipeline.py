"""Times a full build of the report and a no-change rebuild on the default synthetic data.

Targets (2-core machine): full build <= 60 s, no-change rebuild <= 5 s. Runs in a temporary folder,
so it never touches data/ or reports/. Prints the figures; asserts nothing.

    .venv/bin/python benchmarks/bench_pipeline.py [--scale 1.0]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from helpers.synthetic import generate_all


def build(tmp: Path, *extra: str) -> float:
    cmd = [sys.executable, "-m", "helpers.pipeline", "--no-progress",
           "--raw-dir", str(tmp / "raw"), "--processed-dir", str(tmp / "processed"),
           "--runs-dir", str(tmp / "runs"), "--report-dir", str(tmp / "reports"), *extra]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="synthetic data size multiplier")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t0 = time.perf_counter()
        generate_all(tmp / "raw", scale=args.scale)
        gen = time.perf_counter() - t0
        full = build(tmp, "--force")
        again = build(tmp)
        size = (tmp / "reports" / "focus_on_practice_evaluation.html").stat().st_size
    print(f"synthetic data (scale {args.scale}): {gen:.1f} s")
    print(f"full build:            {full:.1f} s   (target <= 60 s)")
    print(f"no-change rebuild:     {again:.1f} s   (target <= 5 s)")
    print(f"report size:           {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
