"""Seeded generator of synthetic raw data, in the formats real extracts come in.

The real individual-level data are confidential, so the project ships this generator. It writes
every raw file the pipeline reads into one folder, plus two files that make the data honest:

* ``synthetic_manifest.json``: every file written, with its SHA-256. Ingest marks a file as
  synthetic only if its bytes match, so a real extract dropped over one is never mislabelled.
* ``synthetic_truth.json``: the effects planted in the data and the counts of deliberately
  malformed rows, so the tests can prove that the analysis recovers them.

Same seed, same parameters: identical bytes. Each strand draws from its own random stream, derived
from the seed and the strand's name, so adding a strand never changes another strand's data.

Run ``python -m helpers.synthetic --out data/raw`` (or ``make data``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import DEFAULT_SEED, RAW_DIR
from ..ingest import SYNTHETIC_MANIFEST, file_sha256

TRUTH_FILE = "synthetic_truth.json"
#: Strand generators in the order they run; each is ``helpers.synthetic.<name>.generate(ctx)``.
#: The roster (practitioners, families) comes first because the strands draw on it.
STRANDS = ("roster", "score15", "scenarios", "networks", "time_use", "workforce", "interviews", "la_extracts")


def stream_seed(seed: int, name: str) -> list[int]:
    """Seed sequence of one strand's stream: the global seed plus a stable hash of the name."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return [int(seed), int.from_bytes(digest[:4], "little")]


@dataclass
class SyntheticContext:
    """What every strand generator receives: where to write, the seed, the scale, the roster."""

    out_dir: Path
    seed: int = DEFAULT_SEED
    scale: float = 1.0
    effects: dict = field(default_factory=dict)
    practitioners: pd.DataFrame | None = None
    families: pd.DataFrame | None = None
    files: dict = field(default_factory=dict)

    def rng(self, name: str) -> np.random.Generator:
        return np.random.default_rng(stream_seed(self.seed, name))

    def effect(self, strand: str, name: str, default: float) -> float:
        """A planted effect size, overridable per run (e.g. set to 0 to test a null effect)."""
        return float(self.effects.get(strand, {}).get(name, default))

    def n(self, base: int, minimum: int = 1) -> int:
        """A count scaled by ``scale`` (for small test data sets or large benchmarks)."""
        return max(minimum, int(round(base * self.scale)))

    def write_csv(self, table: pd.DataFrame, filename: str) -> Path:
        """Write a raw CSV exactly as an LA export would look, and record it in the manifest."""
        path = Path(self.out_dir) / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, index=False, lineterminator="\n")
        self.files[filename] = file_sha256(path)
        return path

    def write_text(self, text: str, filename: str) -> Path:
        path = Path(self.out_dir) / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        self.files[filename] = file_sha256(path)
        return path


def generate_all(
    out_dir: str | Path = RAW_DIR,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    effects: dict | None = None,
    strands: tuple[str, ...] = STRANDS,
) -> dict:
    """Write every strand's synthetic raw files to ``out_dir``; returns the truth record."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = SyntheticContext(out_dir=out_dir, seed=seed, scale=scale, effects=dict(effects or {}))
    truth = {"seed": seed, "scale": scale, "strands": {}}
    for name in strands:
        module = importlib.import_module(f"{__name__}.{name}")
        truth["strands"][name] = module.generate(ctx)
    (out_dir / TRUTH_FILE).write_text(json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    manifest = {
        "generator": "helpers.synthetic",
        "seed": seed,
        "scale": scale,
        "note": "Synthetic data. Not real children, families or staff. Not evaluation results.",
        "files": dict(sorted(ctx.files.items())),
    }
    (out_dir / SYNTHETIC_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return truth


def load_truth(raw_dir: str | Path) -> dict:
    """The truth record written beside synthetic data (for tests and the benchmark)."""
    return json.loads((Path(raw_dir) / TRUTH_FILE).read_text(encoding="utf-8"))


def raw_dir_has_data(raw_dir: str | Path) -> bool:
    """True when ``raw_dir`` holds any data file (anything but READMEs and hidden files)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.exists():
        return False
    return any(p.is_file() and not p.name.startswith(".") and p.name.lower() != "readme.md" for p in raw_dir.rglob("*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(RAW_DIR), help="folder to write into (default: data/raw)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--scale", type=float, default=1.0, help="size multiplier (default 1.0)")
    parser.add_argument("--if-empty", action="store_true", help="do nothing if the folder already holds data")
    args = parser.parse_args(argv)
    if args.if_empty and raw_dir_has_data(args.out):
        print(f"{args.out} already holds data: nothing generated")
        return 0
    truth = generate_all(args.out, seed=args.seed, scale=args.scale)
    print(f"synthetic data written to {args.out} (seed {truth['seed']}, scale {truth['scale']})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
