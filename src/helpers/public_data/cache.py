"""The validated public statistics kept between processes.

Each notebook of a build that reads the published statistics validates the same large files: the
49 MB indicators file alone costs a kernel 1-3 s of CPU. The first process to validate a file keeps
the result in the cache folder (:data:`helpers.config.CACHE_DIR`, ``FOP_CACHE_DIR`` to move it,
``FOP_CACHE_DIR=off`` to keep nothing), and the others load it in 0.1-0.3 s.

An entry is used only for the same file (resolved path, size and modification time), read against
the same schema by the same code (the source of this package's reader and schema and of the ingest
schema) under the same Python, pandas and pyarrow, with text kept the same way
(:mod:`helpers.pandas_options`); anything else is validated again. The entry holds the whole
:class:`~helpers.ingest.IngestResult`, rejected rows and logged issues included, so nothing the
data-quality section shows is lost. Entries are written under a temporary name and renamed, and a
new entry removes the older ones of the same file; an entry that cannot be read is validated again
and overwritten, and a folder that cannot be written keeps nothing. The folder holds public
statistics only (about 100 MB for the real files): deleting it costs only time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from pathlib import Path

from .. import config

#: The code whose change changes what validation gives: its source enters every entry's name.
_CODE = (
    Path(__file__).with_name("files.py"),
    Path(__file__).with_name("schema.py"),
    Path(__file__).parents[1] / "ingest" / "schema.py",
)


def cache_dir() -> Path | None:
    """The cache folder, or None when ``FOP_CACHE_DIR`` is ``off``."""
    value = os.environ.get("FOP_CACHE_DIR", "").strip()
    if value.lower() == "off":
        return None
    return config.resolve(value) if value else config.CACHE_DIR


def _entry(key: str, schema, file: Path, stat: os.stat_result) -> tuple[str, str]:
    """(prefix shared by every entry of this file, this entry's file name)."""
    import pandas

    try:
        import pyarrow

        arrow = pyarrow.__version__
    except ImportError:  # an environment without it (pandas then keeps text without it too)
        arrow = None
    resolved = str(file.resolve())
    digest = hashlib.sha256()
    # where pandas keeps text (helpers.pandas_options): a frame unpickled keeps the storage it was made with
    storage = pandas.get_option("mode.string_storage")
    versions = (sys.version, pandas.__version__, arrow, storage)
    for part in (resolved, stat.st_size, stat.st_mtime_ns, repr(schema), *versions):
        digest.update(repr(part).encode("utf-8") + b"\0")
    for source in _CODE:
        digest.update(source.read_bytes())
    prefix = f"public-{key}-{hashlib.sha256(resolved.encode('utf-8')).hexdigest()[:12]}-"
    return prefix, f"{prefix}{digest.hexdigest()[:24]}.pickle"


def load(key: str, schema, file: Path, stat: os.stat_result):
    """The kept result of validating ``file`` against ``schema``, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / _entry(key, schema, file, stat)[1], "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - written by this module into the project's own folder
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a torn or foreign entry: validated again and overwritten
        return None


def keep(key: str, schema, file: Path, stat: os.stat_result, result) -> None:
    """Keep ``result`` for :func:`load`, removing the older entries of the same file."""
    folder = cache_dir()
    if folder is None:
        return
    prefix, name = _entry(key, schema, file, stat)
    tmp = folder / f".{name}.tmp-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / name)
        for old in folder.glob(f"{prefix}*.pickle"):
            if old.name != name:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only checkout, a file where the folder would be: nothing kept, nothing lost
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
