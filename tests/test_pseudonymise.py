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
