"""The calibration script's reading of its own Monte Carlo error (benchmarks/calibration.py).

Expected values worked out by hand or from the binomial distribution directly.
"""

import importlib.util
import math
import sys

import pytest
from scipy.stats import binom

from helpers import config

_spec = importlib.util.spec_from_file_location("calibration", config.PROJECT_ROOT / "benchmarks" / "calibration.py")
calibration = importlib.util.module_from_spec(_spec)
sys.modules["calibration"] = calibration  # its dataclasses look their module up there
_spec.loader.exec_module(calibration)


def test_wilson_interval_by_hand():
    # 190 of 200: p = 0.95, z = 1.96; centre = (0.95 + 1.96^2/400) / (1 + 1.96^2/200),
    # half = 1.96 / (1 + 1.96^2/200) * sqrt(0.95 * 0.05 / 200 + 1.96^2 / 160000)
    z = 1.959964
    centre = (0.95 + z * z / 400) / (1 + z * z / 200)
    half = z / (1 + z * z / 200) * math.sqrt(0.95 * 0.05 / 200 + z * z / 160000)
    lo, hi = calibration.wilson(190, 200)
    assert lo == pytest.approx(centre - half) and hi == pytest.approx(centre + half)
    assert lo == pytest.approx(0.9102, abs=5e-4) and hi == pytest.approx(0.9726, abs=5e-4)


def test_chance_within_target_matches_the_binomial():
    # 200 runs: coverage 93%-97% means 6 to 14 misses; false positives <= 6% means <= 12 of 200.
    cover = sum(binom.pmf(m, 200, 0.05) for m in range(6, 15))
    null = sum(binom.pmf(m, 200, 0.05) for m in range(0, 13))
    assert calibration.chance_within_target(200, 200) == pytest.approx(cover * null)
    assert calibration.chance_within_target(200, None) == pytest.approx(cover)
    assert 0.67 < cover * null < 0.70  # about two rows in three, for a perfect estimator


@pytest.mark.parametrize(
    "covered, n_cover, false_pos, n_null, expected",
    [
        (190, 200, 10, 200, "PASS"),  # 95% and 5%
        (186, 200, 12, 200, "PASS"),  # 93% and 6%: the edges count as within
        (184, 200, 15, 200, "MC"),  # 92%, 7.5%: outside, but 0.92 of 200 reaches 0.93 within MC error
        (170, 200, 10, 200, "FAIL"),  # 85%: Wilson upper 0.89 < 0.93
        (190, 200, 30, 200, "FAIL"),  # 15% false positives: Wilson lower 0.107 > 0.06
        (200, 200, None, None, "FAIL"),  # 100% coverage: Wilson lower 0.981 > 0.97, too wide
        (196, 200, None, None, "MC"),  # 98%: lower 0.950 <= 0.97
    ],
)
def test_verdict(covered, n_cover, false_pos, n_null, expected):
    assert calibration.verdict(covered, n_cover, false_pos, n_null) == expected


def test_every_estimator_loads():
    """``make calibration`` builds its list of estimators from the strands' modules; a module moved in a
    split (the scenarios' OUTCOMES went from analysis to inputs) broke it with an ImportError that no
    other test saw. Every strand the script can run has estimators, each named once."""
    estimators = calibration.all_estimators()
    names = [e.name for e in estimators]
    assert len(names) == len(set(names))
    strands = {name.split(":")[0] for name in names}
    assert {
        "score15",
        "networks",
        "scenarios",
        "workforce",
        "time_use",
        "interviews",
        "outcomes",
        "la_extracts",
    } <= strands
