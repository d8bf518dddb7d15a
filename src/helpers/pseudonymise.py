"""Keyed pseudonymisation of identifiers at ingest.

Identifiers (child, family, practitioner IDs) are replaced by an HMAC-SHA256 of the raw value under a
secret key before anything is written to ``data/processed``. A keyed hash, unlike a plain hash, cannot
be reversed by hashing every plausible ID; the same key gives the same pseudonym in every strand, so
strands still join on family or practitioner.

The key comes from the environment variable ``FOP_PSEUDONYMISATION_KEY`` or, failing that, from
``.secrets/pseudonymisation.key`` (git-ignored), created with a random key on first use. It is never
committed. Losing the key means pseudonyms change on the next run, not that data leaks.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .config import SECRETS_DIR

if TYPE_CHECKING:  # pandas only for pseudonymise_series: the runner reads the key's fingerprint without it (0.25 s)
    import pandas as pd

KEY_ENV_VAR = "FOP_PSEUDONYMISATION_KEY"
KEY_FILE = SECRETS_DIR / "pseudonymisation.key"
#: Hex characters kept from the digest: 16 (64 bits) makes collisions negligible at LA scale.
PSEUDONYM_LENGTH = 16


def load_key(key_file: Path = KEY_FILE) -> bytes:
    """Return the pseudonymisation key, creating a random one in ``key_file`` on first use.

    The file is created with mode 0600 by ``os.open`` itself (``O_CREAT | O_EXCL``), so there is no
    moment when another user could read it; two runs creating it at once both end with the one key
    written first.
    """
    from_env = os.environ.get(KEY_ENV_VAR)
    if from_env:
        return from_env.encode("utf-8")
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip().encode("utf-8")
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run made it between our check and now: use theirs
        for _ in range(100):
            theirs = key_file.read_text(encoding="utf-8").strip()
            if theirs:
                return theirs.encode("utf-8")
            time.sleep(0.02)
        raise RuntimeError(f"{key_file}: exists but is empty; delete it to make a new key") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)  # the umask can only remove bits; make the mode exact
        fh.write(key + "\n")
    return key.encode("utf-8")


def key_fingerprint(key: bytes | None = None) -> str:
    """A short fingerprint of the key (never the key): 12 hex digits of SHA-256 over a fixed label
    and the key. Outputs made under different keys have different fingerprints, so a build can
    tell that pseudonyms changed; the key cannot be recovered from it."""
    secret = key if key is not None else load_key()
    return hashlib.sha256(b"fop-key-fingerprint:" + secret).hexdigest()[:12]


def pseudonym(value: str, key: bytes, prefix: str = "") -> str:
    """The pseudonym of one identifier: ``prefix`` + the first 16 hex digits of HMAC-SHA256."""
    digest = hmac.new(key, str(value).strip().encode("utf-8"), hashlib.sha256).hexdigest()
    return prefix + digest[:PSEUDONYM_LENGTH]


def pseudonymise_series(values: pd.Series, key: bytes, prefix: str = "") -> pd.Series:
    """Pseudonymise a column; missing values stay missing."""
    import pandas as pd

    cache: dict[str, str] = {}

    def one(v):
        if pd.isna(v):
            return v
        s = str(v)
        if s not in cache:
            cache[s] = pseudonym(s, key, prefix)
        return cache[s]

    return values.map(one)
