"""The pseudonymisation key: from the environment, else a git-ignored file made once and reused."""

import hashlib
import hmac
import stat

from helpers.pseudonymise import KEY_ENV_VAR, load_key, pseudonym


def test_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV_VAR, "from-env")
    assert load_key(tmp_path / "k.key") == b"from-env"
    assert not (tmp_path / "k.key").exists()


def test_key_file_created_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    path = tmp_path / "secrets" / "k.key"
    first = load_key(path)
    assert len(first) == 64  # 32 random bytes as hex
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path) == first


def test_pseudonym_is_hmac_sha256_prefix():
    expected = "F" + hmac.new(b"k", b"WCC-F00001", hashlib.sha256).hexdigest()[:16]
    assert pseudonym(" WCC-F00001 ", b"k", "F") == expected  # surrounding spaces do not change the person
    assert pseudonym("WCC-F00001", b"other", "F") != expected


def test_key_file_is_git_ignored():
    from helpers.config import PROJECT_ROOT

    assert ".secrets/" in (PROJECT_ROOT / ".gitignore").read_text().splitlines()


def test_key_file_is_private_from_the_moment_it_exists(tmp_path, monkeypatch):
    """No window where the key file is 0644: os.open creates it 0600, even with a permissive umask."""
    import os

    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    path = tmp_path / "secrets" / "k.key"
    seen = []
    real_open = os.open

    def spy(p, flags, mode=0o777, *a, **kw):
        fd = real_open(p, flags, mode, *a, **kw)
        if str(p) == str(path):
            seen.append((flags, mode, stat.S_IMODE(os.stat(p).st_mode)))
        return fd

    monkeypatch.setattr(os, "open", spy)
    old_umask = os.umask(0)
    try:
        load_key(path)
    finally:
        os.umask(old_umask)
    assert len(seen) == 1
    flags, mode, mode_at_creation = seen[0]
    assert flags & os.O_EXCL and flags & os.O_CREAT
    assert mode == 0o600 and mode_at_creation == 0o600
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_key_fingerprint_is_short_stable_and_not_the_key():
    from helpers.pseudonymise import key_fingerprint

    fp = key_fingerprint(b"secret-key")
    # Worked out independently: sha256 over the label and the key, first 12 hex digits.
    assert fp == hashlib.sha256(b"fop-key-fingerprint:secret-key").hexdigest()[:12]
    assert len(fp) == 12 and "secret" not in fp
    assert key_fingerprint(b"secret-key") == fp and key_fingerprint(b"other-key") != fp
