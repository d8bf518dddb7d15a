"""Calibration of every headline estimate: CI coverage, false-positive rate and bias over many seeds.

A standing check, benchmark-style (not a test): for each seed the synthetic generator writes a small
data set twice, once with the planted effects (``planted``) and once with every effect set to 0
(``null``); each strand's headline estimators are run on both, and for every estimate the script
prints

* coverage: share of planted runs whose 95% CI contains the truth (target 93-97%);
* false positives: share of null runs whose 95% CI excludes 0 (target <= 6%; "-" where the estimate
  has no null, e.g. a reliability coefficient);
* bias: mean of (estimate - truth) over the planted runs;
* PASS / FAIL against those targets (a Monte Carlo margin is printed beside: with N seeds the
  standard error of a 95% coverage is about sqrt(0.95 x 0.05 / N)).

The truth is the generator's own record (``synthetic_truth.json``: the expected *observed* quantity
the analysis estimates; for Krippendorff's alpha, the alpha of the coincidences pooled over the
generator's Monte Carlo replicates of the design, i.e. its population alpha). Where a generator records
none, the truth is the mean of the estimates over all seeds (so its bias is 0 by construction and only
coverage is read).

Adding a strand's estimates: append :class:`Estimator` entries to :data:`ESTIMATORS`, each with a
name and a function ``fn(seed, effect) -> (estimate, ci_low, ci_high, truth)`` (``effect`` is True
for the planted run, False for the null run). Estimators of one strand may share a cached runner
(see :func:`_scenarios`), so the data are generated and analysed once per seed and run.

Run: ``make calibration`` or ``.venv/bin/python benchmarks/calibration.py --seeds 200 [--scale 0.5]
[--workers 2] [--only score15,networks]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the calibration_* modules beside this script

import calibration_strands as strands  # noqa: E402
from calibration_outcomes import _outcomes_la_extracts_estimators  # noqa: E402
from calibration_strands import (  # noqa: E402
    DEFAULT_SCALE,
    ESTIMATORS,
    Estimator,
    _alpha_estimators,
    _workforce_time_use_interviews_estimators,
)
from calibration_summary import (  # noqa: E402
    COVERAGE_TARGET,
    FALSE_POSITIVE_MAX,
    chance_within_target,
    format_table,
    summarise,
    verdict,
    wilson,
)

__all__ = ["COVERAGE_TARGET", "FALSE_POSITIVE_MAX", "Estimator", "chance_within_target", "verdict", "wilson"]


def all_estimators() -> list[Estimator]:
    return (
        ESTIMATORS
        + _alpha_estimators()
        + _workforce_time_use_interviews_estimators()
        + _outcomes_la_extracts_estimators()
    )


# ------------------------------------------------------------------------------------------ running


def _init(scale: float) -> None:
    strands.SCALE = scale  # read by every runner at call time
    os.environ.setdefault("FOP_PSEUDONYMISATION_KEY", "calibration-key")
    warnings.simplefilter("ignore")


def _task(args) -> list[dict]:
    strand, seed, effect, names = args
    rows = []
    for est in all_estimators():
        if est.strand != strand or est.name not in names:
            continue
        try:
            e, lo, hi, truth = est.fn(seed, effect)
        except Exception as exc:  # a failed run is counted, not hidden
            e, lo, hi, truth = np.nan, np.nan, np.nan, np.nan
            print(
                f"  {est.name} seed {seed} {'planted' if effect else 'null'}: {type(exc).__name__}: {exc}",
                file=sys.stderr,
            )
        rows.append(
            {"name": est.name, "seed": seed, "effect": effect, "estimate": e, "lo": lo, "hi": hi, "truth": truth}
        )
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="number of seeds (default 200)")
    parser.add_argument("--first-seed", type=int, default=1000, help="first seed (default 1000)")
    parser.add_argument(
        "--scale", type=float, default=DEFAULT_SCALE, help=f"data scale per seed (default {DEFAULT_SCALE})"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--only", default="", help="comma-separated strands (default: all)")
    parser.add_argument("--csv", default="", help="also write the per-run rows to this CSV")
    parser.add_argument(
        "--from-csv",
        nargs="+",
        default=[],
        help="summarise per-run rows saved earlier with --csv (one file per strand run, say) instead of running",
    )
    args = parser.parse_args(argv)
    estimators = all_estimators()
    if args.from_csv:
        # Strands use independent data streams, so runs saved strand by strand combine into one table.
        results = pd.concat([pd.read_csv(f) for f in args.from_csv], ignore_index=True)
        results["effect"] = results["effect"].astype(str).str.lower().eq("true")
        seen = set(results["name"])
        n_seeds = int(results.groupby("name")["seed"].nunique().min())
        print(format_table(summarise(results, [e for e in estimators if e.name in seen]), n_seeds))
        return 0
    strands = sorted({e.strand for e in estimators})
    if args.only:
        strands = [s for s in strands if s in args.only.split(",")]
    names = frozenset(e.name for e in estimators if e.strand in strands)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    tasks = [(s, seed, eff, names) for seed in seeds for eff in (True, False) for s in strands]
    start = time.perf_counter()
    rows: list[dict] = []
    with ProcessPoolExecutor(max_workers=args.workers, initializer=_init, initargs=(args.scale,)) as pool:
        for i, part in enumerate(pool.map(_task, tasks, chunksize=1)):
            rows.extend(part)
            if (i + 1) % max(1, len(tasks) // 10) == 0:
                print(f"  {i + 1}/{len(tasks)} runs, {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    results = pd.DataFrame(rows)
    if args.csv:
        results.to_csv(args.csv, index=False)
    summary = summarise(results, [e for e in estimators if e.name in names])
    print(format_table(summary, args.seeds))
    print(f"\nscale {args.scale} per seed, {args.workers} workers, {time.perf_counter() - start:.0f} s wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
