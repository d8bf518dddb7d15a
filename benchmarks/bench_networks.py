"""Benchmark: network metrics for 10,000 generated family maps (target <= 30 s on the 2-core machine).

Generates synthetic maps (roster + networks strands) at a scale giving at least 10,000 maps, then times
separately:

* reading, validating and cross-checking the three raw files (``helpers.strands.networks.inputs.load_networks``);
* the metrics: building one networkx graph per map and computing every per-map measure
  (``build_graphs`` + ``map_measures``) for exactly 10,000 maps: the figure the target applies to;
* change between waves and the paired summaries for those families.

Run: ``.venv/bin/python benchmarks/bench_networks.py [--maps 10000] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from helpers.strands.networks import analysis, inputs
from helpers.synthetic import generate_all

#: Maps per roster family at scale 1 (305 maps from 180 families with the default seed).
MAPS_PER_FAMILY = 1.65
TARGET_SECONDS = 30.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--maps", type=int, default=10_000, help="number of maps to measure (default 10000)")
    parser.add_argument("--keep", default=None, help="folder for the generated data (default: a temporary folder)")
    args = parser.parse_args(argv)
    os.environ.setdefault("FOP_PSEUDONYMISATION_KEY", "benchmark-key")
    scale = args.maps / (180 * MAPS_PER_FAMILY)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(args.keep or tmp) / "raw"
        out = Path(args.keep or tmp) / "processed"
        t0 = time.perf_counter()
        truth = generate_all(raw, scale=scale, strands=("roster", "networks"))
        t_gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        data = inputs.load_networks(raw, out)
        t_load = time.perf_counter() - t0
        keys = sorted(zip(data.maps["family_id"], data.maps["wave"], strict=False))[: args.maps]
        if len(keys) < args.maps:
            print(f"only {len(keys)} maps generated; raise MAPS_PER_FAMILY's inverse", file=sys.stderr)
        wanted = set(keys)
        sel = lambda df: df[[k in wanted for k in zip(df["family_id"], df["wave"], strict=False)]]  # noqa: E731
        maps, members, ties = sel(data.maps), sel(data.members), sel(data.ties)
        t0 = time.perf_counter()
        graphs = analysis.build_graphs(maps, members, ties)
        measures = analysis.map_measures(graphs)
        t_metrics = time.perf_counter() - t0
        t0 = time.perf_counter()
        change = analysis.family_change(graphs, measures)
        analysis.change_summary(measures, n_boot=2000)
        t_change = time.perf_counter() - t0
    n = len(measures)
    print(
        f"generated {truth['strands']['networks']['maps']} maps ({len(members)} member rows, {len(ties)} tie rows "
        f"in the {n} measured) in {t_gen:.1f} s"
    )
    print(f"read + validate + cross-check all raw rows: {t_load:.1f} s")
    print(
        f"METRICS for {n} maps (graphs + all per-map measures): {t_metrics:.1f} s "
        f"({1000 * t_metrics / max(n, 1):.2f} ms per map; target <= {TARGET_SECONDS:.0f} s: "
        f"{'met' if t_metrics <= TARGET_SECONDS else 'NOT met'})"
    )
    print(f"change between waves for {len(change)} families + paired summaries: {t_change:.1f} s")
    return 0 if t_metrics <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
