"""The generator: same seed, identical bytes; another seed, other data; every file in the manifest."""

import hashlib
import json

import pytest

from conftest import slow_fixture
from helpers.synthetic import SYNTHETIC_MANIFEST, TRUTH_FILE, generate_all, raw_dir_has_data


def digest_folder(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
@slow_fixture
def seven(tmp_path_factory):
    """One generation (seed 7, scale 0.3) that the tests below compare with, read only: generated once
    for the module rather than once per test (2.5 s each)."""
    folder = tmp_path_factory.mktemp("seed7")
    generate_all(folder, seed=7, scale=0.3)
    return folder


def test_same_seed_identical_files(seven, tmp_path):
    generate_all(tmp_path / "b", seed=7, scale=0.3)
    assert digest_folder(seven) == digest_folder(tmp_path / "b")


def test_other_seed_other_data(seven, tmp_path):
    generate_all(tmp_path / "b", seed=8, scale=0.3)
    a, b = digest_folder(seven), digest_folder(tmp_path / "b")
    assert a.keys() == b.keys()
    # Files of fixed content (the scenario vignettes, the coding frame) are the same for every seed;
    # every file drawn at random must differ.
    random_files = {
        "practitioners.csv",
        "families.csv",
        "score15_responses.csv",
        "scenario_answers.csv",
        "scenario_codes.csv",
        "network_members.csv",
    }
    assert random_files <= a.keys()
    assert all(a[k] != b[k] for k in random_files)


def test_manifest_lists_every_file_written(seven):
    manifest = json.loads((seven / SYNTHETIC_MANIFEST).read_text())
    on_disk = {p.relative_to(seven).as_posix() for p in seven.rglob("*") if p.is_file()} - {
        SYNTHETIC_MANIFEST,
        TRUTH_FILE,
    }
    assert set(manifest["files"]) == on_disk
    assert all(hashlib.sha256((seven / f).read_bytes()).hexdigest() == h for f, h in manifest["files"].items())


def test_raw_dir_has_data(tmp_path):
    assert not raw_dir_has_data(tmp_path / "missing")
    (tmp_path / "README.md").write_text("x")
    assert not raw_dir_has_data(tmp_path)
    (tmp_path / "families.csv").write_text("x")
    assert raw_dir_has_data(tmp_path)
