"""The one place for paths and project-wide settings.

Every path is resolved from this file's location, never from the working directory, so notebooks,
the pipeline runner and the tests agree wherever they are started from. Folders that a user may
point elsewhere (raw extracts, public statistics, processed outputs) are parameters of the pipeline;
the values here are only their defaults.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: Root of the repository (src/helpers/config.py -> parents[2]).
PROJECT_ROOT = Path(__file__).resolve().parents[2]

DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REPORTS_DIR = PROJECT_ROOT / "reports"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
DOCS_DIR = PROJECT_ROOT / "docs"
#: Build products that are not data: executed notebooks, run manifests, skip-state. Git-ignored.
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
PIPELINE_FILE = PROJECT_ROOT / "pipeline.yaml"
SECRETS_DIR = PROJECT_ROOT / ".secrets"
#: Results kept between processes because they cost seconds to work out again (the validated public
#: statistics, :mod:`helpers.public_data.cache`). Git-ignored; deleting it costs only time.
#: ``FOP_CACHE_DIR`` moves it; ``FOP_CACHE_DIR=off`` keeps nothing.
CACHE_DIR = PROJECT_ROOT / ".cache"

#: Real DfE/ONS statistics live outside the repository (never committed). CI and developers point
#: this at ../shared/public_data; FOP_PUBLIC_DATA overrides it.
PUBLIC_DATA_DIR = Path(os.environ.get("FOP_PUBLIC_DATA", PROJECT_ROOT.parent / "shared" / "public_data"))

#: Jupyter kernel every notebook runs on. A named kernel installed into this environment, so a stale
#: user-level "python3" kernelspec can never silently run another interpreter.
KERNEL_NAME = "focus-on-practice"
KERNEL_DISPLAY_NAME = "Python (Focus on Practice)"

#: Default seed of the synthetic data generator (the year the programme started).
DEFAULT_SEED = 2014

#: Counts from 1 to this value are shown as "c" in anything a commissioner sees (DfE convention).
DEFAULT_SUPPRESSION_THRESHOLD = 5

#: The three programme boroughs: slug -> (name as written in raw data, ONS code, DfE LA number).
BOROUGHS: dict[str, tuple[str, str, int]] = {
    "westminster": ("Westminster", "E09000033", 213),
    "hammersmith_fulham": ("Hammersmith and Fulham", "E09000013", 205),
    "kensington_chelsea": ("Kensington and Chelsea", "E09000020", 207),
}
BOROUGH_NAMES = tuple(name for name, _, _ in BOROUGHS.values())
ALL_BOROUGHS = "all"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower().replace("&", "and")).strip("_")


def normalise_borough(borough: str) -> str:
    """Return the borough slug for a parameter value, or ``"all"``.

    Accepts the slug (``"westminster"``), the name as written in the data ("Hammersmith and
    Fulham"), common variants ("Hammersmith & Fulham") or ``"all"``. Anything else is an error that
    lists the accepted values, because a misspelt borough would otherwise silently select no rows.
    """
    key = _slug(str(borough))
    if key == ALL_BOROUGHS:
        return ALL_BOROUGHS
    for slug, (name, _, _) in BOROUGHS.items():
        if key in (slug, _slug(name), _slug(name).replace("_and_", "_")):
            return slug
    accepted = ", ".join([ALL_BOROUGHS, *BOROUGHS])
    raise ValueError(f"unknown borough {borough!r}; use one of: {accepted}")


def borough_names(borough: str) -> tuple[str, ...]:
    """The borough names (as written in raw data) selected by a ``borough`` parameter."""
    slug = normalise_borough(borough)
    if slug == ALL_BOROUGHS:
        return BOROUGH_NAMES
    return (BOROUGHS[slug][0],)


def borough_label(borough: str) -> str:
    """Human-readable label for report titles: 'all three boroughs' or the borough's name."""
    slug = normalise_borough(borough)
    return "all three boroughs" if slug == ALL_BOROUGHS else BOROUGHS[slug][0]


def resolve(path: str | os.PathLike) -> Path:
    """Resolve a path parameter: absolute paths as given, relative ones from the project root."""
    p = Path(path).expanduser()
    return p if p.is_absolute() else (PROJECT_ROOT / p)


def scope_name(borough: str, la: int | str | None = None) -> str:
    """The name of a run scope: ``all``, a borough slug, or ``la<number>`` for one authority's own
    build (the ``la`` parameter: a DfE LA number; None for the three boroughs)."""
    return f"la{int(la)}" if la is not None else normalise_borough(borough)


def processed_dir_for(borough: str, base: str | os.PathLike = PROCESSED_DIR, la: int | str | None = None) -> Path:
    """Processed outputs of one run scope: ``data/processed/<all|borough-slug|la<number>>/``.

    Keeping each scope in its own folder lets a per-borough batch run beside the all-borough build
    without one overwriting the other, and one authority's own build beside both.
    """
    return resolve(base) / scope_name(borough, la)
