"""Fast check of the scenarios difference-in-differences interval over thousands of seeds.

Why this exists. The full calibration (``calibration.py``) runs the generator, ingest and every
scenarios estimator per seed, about a second a run, so a few hundred seeds is its practical size. Over
seeds 1000-1399 the difference-in-differences row came out 9% too narrow (ratio 0.91), which could be a
real fault or Monte Carlo luck. This script settles which without files or ingest: for each seed it
replays the generator's own draws in the generator's own order (``answer_design`` then ``draw_codes``
from the ``scenarios`` stream, so seed s gives exactly the latent codes the calibration's seed s
ingested), resolves the codes by the frame's rule, averages them per practitioner and wave, and
computes the Welch interval of the difference in mean change (trained between waves minus not trained
by wave 2), as :func:`helpers.strands.scenarios.analysis.change_table` does. It runs the null (no
training effect, no wave-2 shift, so the truth is 0 up to the design's scenario skips), and prints the
ratio of the mean standard error to the SD of the estimates and the share of 95% intervals that
exclude 0, by block of seeds.

What it leaves out: the few blank and invalid codes the generator adds (under 0.5% of codes) and the
malformed rows (rejected at ingest). On seeds 1000-1399 its estimates match the calibration run's
(mean absolute difference 0.04 points, at most 0.19; interval widths within 1.5%).

Usage: ``python benchmarks/scenarios_did_replay.py --first-seed 1000 --seeds 4000 --workers 2``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as st

NULL = {"scenarios": {"training_scale": 0.0, "wave2_shift": 0.0}}


def replay(seed: int) -> dict:
    """Null DiD estimate, Welch SE and df for one seed, from the generator's own draws."""
    from helpers.synthetic import SyntheticContext
    from helpers.synthetic import roster as roster_generator
    from helpers.synthetic import scenarios as gen

    with tempfile.TemporaryDirectory() as d:
        ctx = SyntheticContext(out_dir=Path(d), seed=seed, effects=NULL)
        roster_generator.generate(ctx)  # sets ctx.practitioners, as generate_all does
    prac = ctx.practitioners.reset_index(drop=True)
    rng = ctx.rng("scenarios")
    design = gen.answer_design(rng, prac)
    effects, coder_sd = gen.planted_effects(ctx)
    p_idx = design["prac"].to_numpy()
    codes = gen.draw_codes(
        rng,
        gen.fixed_part(ctx, design, prac),
        p_idx,
        len(prac),
        design["trained"].to_numpy(bool),
        effects,
        coder_sd,
    )
    # Alignment on 0-100: mean over outcomes of the resolved level x 50 (the frame's resolution rule).
    alignment = (50 * gen._resolve(codes["a"], codes["b"], codes["c"])).mean(axis=1)
    by_wave = pd.DataFrame({"p": p_idx, "wave": design["wave"], "y": alignment}).groupby(["p", "wave"])["y"].mean()
    status = design.groupby(["prac", "wave"])["trained"].agg(["all", "any"]).unstack()
    change = (by_wave.unstack()[2] - by_wave.unstack()[1]).dropna()
    never_1 = ~status[("any", 1)].fillna(True).astype(bool)
    switchers = change.index.intersection(status.index[never_1 & status[("all", 2)].fillna(False).astype(bool)])
    never = change.index.intersection(status.index[never_1 & ~status[("any", 2)].fillna(True).astype(bool)])
    x, y = change[switchers].to_numpy(), change[never].to_numpy()
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    return {
        "seed": seed,
        "estimate": x.mean() - y.mean(),
        "se": np.sqrt(vx + vy),
        "df": (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1)),
    }


def summarise(rows: pd.DataFrame, block: int) -> pd.DataFrame:
    out = []
    for start in range(int(rows["seed"].min()), int(rows["seed"].max()) + 1, block):
        g = rows[(rows["seed"] >= start) & (rows["seed"] < start + block)]
        if g.empty:
            continue
        t = g["estimate"] / g["se"]
        out.append(
            {
                "seeds": f"{start}-{start + len(g) - 1}",
                "n": len(g),
                "sd_estimate": g["estimate"].std(),
                "rms_se": np.sqrt((g["se"] ** 2).mean()),
                "ratio": np.sqrt((g["se"] ** 2).mean()) / g["estimate"].std(),
                "sd_t": t.std(),
                "excludes_0": (t.abs() > st.t.ppf(0.975, g["df"])).mean(),
            }
        )
    return pd.DataFrame(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=4000)
    parser.add_argument("--block", type=int, default=400, help="seeds per printed row (default 400)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    with ProcessPoolExecutor(args.workers) as ex:
        rows = pd.DataFrame(list(ex.map(replay, seeds, chunksize=20)))
    table = summarise(rows, args.block)
    whole = summarise(rows, args.seeds).assign(seeds="all")
    print(pd.concat([table, whole]).to_markdown(index=False, floatfmt=".3f"))
    print(f"\n{args.seeds} seeds, {args.workers} workers, {time.perf_counter() - t0:.0f} s wall time")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
