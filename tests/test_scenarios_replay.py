"""The scenarios DiD replay (benchmarks/scenarios_did_replay.py) against the pipeline itself.

Two routes to the same number: the replay recomputes the generator's latent codes in memory and takes
the Welch difference in mean change by hand; the pipeline writes the CSVs, ingests them and runs
``change_table``. They differ only by the few blank codes the generator adds, so on one seed they agree
closely. The summary's arithmetic is checked by hand.
"""

import importlib.util
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import stats as st

from helpers import config, ingest, roster
from helpers.strands.scenarios import analysis, inputs
from helpers.synthetic import generate_all

_spec = importlib.util.spec_from_file_location(
    "scenarios_did_replay", config.PROJECT_ROOT / "benchmarks" / "scenarios_did_replay.py"
)
replay_module = importlib.util.module_from_spec(_spec)
sys.modules["scenarios_did_replay"] = replay_module
_spec.loader.exec_module(replay_module)


def test_replay_matches_the_pipeline_on_one_seed(tmp_path, monkeypatch):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key")
    seed = 1003
    generate_all(tmp_path / "raw", seed=seed, strands=("roster", "scenarios"), effects=replay_module.NULL)
    prac = roster.load_practitioners(tmp_path / "raw", tmp_path / "processed").data
    files = {s.key: ingest.ingest(s, tmp_path / "raw", tmp_path / "processed").data for s in inputs.RAW_FILES}
    scores = analysis.answer_scores(
        files["scenario_answers"], analysis.resolve_codes(files["scenario_codes"]), prac, ()
    )
    did = analysis.change_table(analysis.practitioner_waves(scores), n_boot=0).set_index("group")
    did = did.loc["difference_in_differences"]
    r = replay_module.replay(seed)
    # About 0.4% of codes are blank in the files, so the two estimates differ by a few hundredths.
    assert r["estimate"] == pytest.approx(did["mean_change"], abs=0.2)
    half_width = (did["ci_high"] - did["ci_low"]) / 2
    assert st.t.ppf(0.975, r["df"]) * r["se"] == pytest.approx(half_width, rel=0.02)


def test_summary_by_hand():
    rows = pd.DataFrame(
        {"seed": [1, 2, 3, 4], "estimate": [1.0, -1.0, 3.0, -3.0], "se": [1.0, 1.0, 1.0, 1.0], "df": [1e6] * 4}
    )
    s = replay_module.summarise(rows, block=4).iloc[0]
    # estimates 1, -1, 3, -3: mean 0, SD = sqrt((1 + 1 + 9 + 9) / 3) = sqrt(20/3); every SE is 1.
    assert s["sd_estimate"] == pytest.approx(np.sqrt(20 / 3))
    assert s["ratio"] == pytest.approx(1 / np.sqrt(20 / 3))
    # |t| = 1, 1, 3, 3 against 1.96: two of four exclude 0.
    assert s["excludes_0"] == pytest.approx(0.5)
