"""The calibration's estimators (see ``calibration.py``): :class:`Estimator`, and the runners and headline
estimates of the SCORE-15, networks, scenarios, workforce, time-use and interviews strands. Each runner
generates one strand's data for (seed, effect) at :data:`SCALE` and returns its analysed results, cached
so the strand's estimators share one run."""

from __future__ import annotations

import functools
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_SCALE = 1.0  # the default design (the data the report is built on)


# The report's own settings (parameters of each strand's notebook as declared in pipeline.yaml), so that
# the calibration tests the interval the report prints: bootstrap resamples, and the outcomes strand's
# placebo interval level.
def _report_parameter(name: str) -> dict:
    """Each notebook's parameter ``name`` as declared in pipeline.yaml, by notebook name."""
    import yaml

    from helpers import config

    decl = yaml.safe_load(config.PIPELINE_FILE.read_text(encoding="utf-8"))
    return {nb["name"]: nb["parameters"][name] for nb in decl["notebooks"] if name in (nb.get("parameters") or {})}


N_BOOT = {name: int(n) for name, n in _report_parameter("bootstrap_samples").items()}


@dataclass(frozen=True)
class Estimator:
    """One headline estimate: ``fn(seed, effect) -> (estimate, ci_low, ci_high, truth)``.

    ``truth`` may be None (the mean of the estimates over the seeds is used). ``has_null``: whether a
    null run (no planted effect) should give an interval excluding 0 only 5% of the time.
    """

    name: str
    strand: str
    fn: Callable[[int, bool], tuple]
    has_null: bool = True
    # A naive estimator kept beside a headline one to show why the headline one is needed (appendix
    # only): it is expected to miss the targets, and does not count against the headline total.
    naive: bool = False
    # A test that gives only a p-value (``fn`` returns it as the estimate): read as false positive =
    # p < 0.05 in the null run; no coverage, no bias.
    test_only: bool = False


# Each runner generates one strand's data for (seed, effect) at SCALE and returns its analysed
# results; cached so the strand's estimators share one run.

SCALE = DEFAULT_SCALE

NULL_EFFECTS = {
    "score15": {"change_total": 0.0},
    "networks": {"informal_gain_trained": 0.0, "informal_gain_untrained": 0.0},
    "scenarios": {"training_scale": 0.0, "wave2_shift": 0.0},
}


def _generate(strand: str, seed: int, effect: bool, tmp: Path) -> dict:
    from helpers.synthetic import generate_all

    effects = {} if effect else {strand: NULL_EFFECTS[strand]}
    truth = generate_all(tmp / "raw", seed=seed, scale=SCALE, strands=("roster", strand), effects=effects)
    return truth["strands"][strand]


def _roster(tmp: Path):
    from helpers import roster

    prac = roster.load_practitioners(tmp / "raw", tmp / "processed")
    fam = roster.load_families(tmp / "raw", tmp / "processed", prac.data)
    return prac.data, fam.data


@functools.lru_cache(maxsize=2)
def _score15(seed: int, effect: bool) -> dict:
    from helpers import ingest
    from helpers.strands.score15 import analysis, inputs

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        truth = _generate("score15", seed, effect, tmp)
        _, fam = _roster(tmp)
        responses = ingest.ingest(inputs.RESPONSES, tmp / "raw", tmp / "processed").data
    scores = analysis.score_forms(responses)
    resp = analysis.respondent_change(scores, fam, rci=0.5)
    famc = analysis.family_change(resp)
    summary = analysis.change_summary(resp, famc, n_boot=N_BOOT["score15"], seed=seed, families=fam)
    summary = summary.set_index(["unit", "group"])
    return {
        "truth": truth["expected_observed_change"],
        "summary": summary,
        "diff": analysis.trained_difference(famc, families=fam),
    }


@functools.lru_cache(maxsize=2)
def _networks(seed: int, effect: bool) -> dict:
    from helpers.strands.networks import analysis, inputs

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        truth = _generate("networks", seed, effect, tmp)
        _, fam = _roster(tmp)
        data = inputs.load_networks(tmp / "raw", tmp / "processed", fam)
    measures = analysis.map_measures(analysis.build_graphs(data.maps, data.members, data.ties))
    summary = analysis.change_summary(measures, fam, n_boot=N_BOOT["networks"], seed=seed)
    by_training = analysis.change_by_training(measures, fam, n_boot=N_BOOT["networks"], seed=seed)
    return {"truth": truth, "summary": summary, "by_training": by_training}


@functools.lru_cache(maxsize=2)
def _scenarios(seed: int, effect: bool) -> dict:
    from helpers import ingest
    from helpers.strands.scenarios import analysis, inputs

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        truth = _generate("scenarios", seed, effect, tmp)
        prac, _ = _roster(tmp)
        files = {spec.key: ingest.ingest(spec, tmp / "raw", tmp / "processed").data for spec in inputs.RAW_FILES}
    answers, codes = files["scenario_answers"], files["scenario_codes"]
    rel = analysis.reliability_table(codes, n_boot=N_BOOT["scenarios"], seed=seed, answers=answers)
    reliable = tuple(rel.loc[rel["verdict"] == "reliable", "outcome"])
    resolved = analysis.resolve_codes(codes)
    scores = analysis.answer_scores(answers, resolved, prac, reliable)
    pw = analysis.practitioner_waves(scores)
    warn: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pooled = analysis.fit_mixed(scores, all_terms=False, warnings_out=warn)
        within = analysis.fit_mixed(scores, all_terms=False, within=True, warnings_out=warn)
    change = analysis.change_table(pw, n_boot=N_BOOT["scenarios"], seed=seed).set_index("group")
    return {
        "truth": truth["expected_observed"],
        "rel": rel.set_index("outcome"),
        "pooled": pooled,
        "within": within,
        "change": change,
        "warnings": len(warn),
    }


def _row(r, est="mean_change", lo="ci_low", hi="ci_high"):
    return float(r[est]), float(r[lo]), float(r[hi])


# ------------------------------------------------------------------------------------ estimators


def _s15_family_change(seed, effect):
    r = _score15(seed, effect)
    return (
        *_row(r["summary"].loc[("families", "all")], lo="cluster_ci_low", hi="cluster_ci_high"),
        r["truth"]["family_mean_change"],
    )


def _s15_respondent_paired_t(seed, effect):
    r = _score15(seed, effect)
    return (*_row(r["summary"].loc[("respondents", "all")]), r["truth"]["respondent_mean_change"])


def _s15_trained_vs_not(seed, effect):
    r = _score15(seed, effect)
    d, t = r["diff"], r["truth"]
    return (
        d["difference"],
        d["ci_low"],
        d["ci_high"],
        t["family_mean_change_trained"] - t["family_mean_change_not_trained"],
    )


def _s15_trained_vs_not_welch(seed, effect):
    r = _score15(seed, effect)
    d, t = r["diff"], r["truth"]
    return (
        d["unadjusted_difference"],
        d["unadjusted_ci_low"],
        d["unadjusted_ci_high"],
        t["family_mean_change_trained"] - t["family_mean_change_not_trained"],
    )


def _net_change_row(seed, effect, lo, hi):
    """All families' mean change in informal members with the interval (lo, hi) of the summary row. The
    truth is the planted change of each group weighted by its families with two maps (the generator's
    practitioner effect has mean 0, so it does not move the expectation)."""
    r = _networks(seed, effect)
    s = r["summary"]
    row = s[(s["measure"] == "n_informal") & (s["group"] == "all")].iloc[0]
    t, p = r["truth"], r["truth"]["planted"]
    n_t, n_u = t["families_with_both_waves_trained"], t["families_with_both_waves_untrained"]
    truth = (n_t * p["informal_change_trained"] + n_u * p["informal_change_untrained"]) / max(n_t + n_u, 1)
    return (*_row(row, lo=lo, hi=hi), truth)


def _net_change(seed, effect):
    return _net_change_row(seed, effect, "cluster_ci_low", "cluster_ci_high")


def _net_change_paired_t(seed, effect):
    return _net_change_row(seed, effect, "ci_low", "ci_high")


def _net_difference(seed, effect):
    r = _networks(seed, effect)
    b = r["by_training"]
    row = b[b["measure"] == "n_informal"].iloc[0]
    return (
        *_row(row, "adjusted_difference", "adjusted_ci_low", "adjusted_ci_high"),
        r["truth"]["planted"]["informal_change_difference"],
    )


def _sc_training(seed, effect):
    r = _scenarios(seed, effect)
    row = r["pooled"].set_index("term").loc["trained"]
    return (*_row(row, "estimate"), r["truth"]["ate_alignment"])


def _sc_within(seed, effect):
    r = _scenarios(seed, effect)
    if r["within"].empty:
        return (np.nan,) * 4
    row = r["within"].set_index("term").loc["trained"]
    return (*_row(row, "estimate"), r["truth"]["ate_alignment"])


def _sc_did(seed, effect):
    r = _scenarios(seed, effect)
    return (*_row(r["change"].loc["difference_in_differences"]), r["truth"]["did_expected"])


def _sc_alpha(outcome):
    def fn(seed, effect):
        r = _scenarios(seed, effect)
        row = r["rel"].loc[outcome]
        truth = r["truth"].get("alpha_by_outcome", {}).get(outcome)
        return float(row["alpha"]), float(row["alpha_ci_low"]), float(row["alpha_ci_high"]), truth

    return fn


def _alpha_estimators() -> list[Estimator]:
    from helpers.strands.scenarios.inputs import OUTCOMES

    return [
        Estimator(f"scenarios: Krippendorff alpha, {o}", "scenarios", _sc_alpha(o), has_null=False) for o in OUTCOMES
    ]


ESTIMATORS: list[Estimator] = [
    Estimator("score15: family change (practitioner-clustered)", "score15", _s15_family_change),
    Estimator("score15: trained - not (ANCOVA, clustered)", "score15", _s15_trained_vs_not),
    Estimator("score15: [appendix] respondent paired t", "score15", _s15_respondent_paired_t, naive=True),
    Estimator("score15: [appendix] trained - not, Welch", "score15", _s15_trained_vs_not_welch, naive=True),
    Estimator("networks: informal members change (clustered)", "networks", _net_change),
    Estimator("networks: trained - not (ANCOVA, clustered)", "networks", _net_difference),
    Estimator("networks: [appendix] informal change, paired t", "networks", _net_change_paired_t, naive=True),
    Estimator("scenarios: training effect (mixed, pooled)", "scenarios", _sc_training),
    Estimator("scenarios: training effect (within, Mundlak)", "scenarios", _sc_within),
    Estimator("scenarios: difference in differences", "scenarios", _sc_did),
]


# ---- workforce, time use and interviews
# Headline estimates of three strands (section.py key findings and main tables):
# * workforce (HR extract): change after - before in the pooled agency, turnover and absence rates
#   (percentage points), 'All' boroughs, 95% bootstrap CI resampling workers within borough (turnover
#   conditional on the FTE in post and at risk: analysis.before_after);
# * time use: paired change in the direct-work share (0-1) for practitioners answering both waves,
#   team-clustered CI (CR2, Bell-McCaffrey df; the generator gives roster teams a shared shift in the
#   change); the paired t CI treating practitioners as independent kept as a naive row;
# * interviews: change in the share of staff interviews raising "A shared language" between waves and
#   the trained - not yet trained difference for "Confidence in practice" (percentage points), CIs
#   resampling participants with all their interviews; "Recording burden" (planted 0 at both waves)
#   as a standing null.
# The published-statistics part of the workforce strand quotes no interval and is not calibrated.

NULL_EFFECTS.update(
    {
        "workforce": {"agency_rate_change": 0.0, "turnover_rate_change": 0.0, "absence_rate_change": 0.0},
        "time_use": {"direct_share_change": 0.0},
        # no difference: trained practitioners mention confidence as often as untrained ones, and staff
        # raise a shared language as often at wave 2 as at wave 1 (the generator's wave-1 and untrained
        # probabilities, helpers.synthetic.interviews.P_LANGUAGE / P_CONFIDENCE)
        "interviews": {"p_confidence_trained": 0.30, "p_language_wave2": 0.25},
    }
)
WORKFORCE_BEFORE, WORKFORCE_AFTER = (2012, 2013), (2016, 2017)


@functools.lru_cache(maxsize=2)
def _workforce(seed: int, effect: bool) -> dict:
    from helpers.strands.workforce import analysis, inputs
    from helpers.synthetic import generate_all

    # process mode: the generator's targets become expectations of a random process over workers (its
    # default hits the published figures almost exactly, so the rates would not vary between seeds)
    effects = {"workforce": {**({} if effect else NULL_EFFECTS["workforce"]), "process": 1.0}}
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        truth = generate_all(tmp / "raw", seed=seed, scale=SCALE, strands=("workforce",), effects=effects)
        truth = truth["strands"]["workforce"]
        posts, absence = inputs.load_hr(tmp / "raw", tmp / "processed")
    change = analysis.before_after(
        posts.data, absence.data, WORKFORCE_BEFORE, WORKFORCE_AFTER, n_boot=N_BOOT["workforce"], seed=seed
    ).set_index(["borough", "measure"])
    return {"truth": truth["planted_rates"], "change": change}


@functools.lru_cache(maxsize=2)
def _time_use(seed: int, effect: bool) -> dict:
    from helpers.strands.time_use import analysis, inputs

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        truth = _generate("time_use", seed, effect, tmp)
        acts = inputs.load_activities()
        survey = inputs.load_survey(tmp / "raw", tmp / "processed", acts).data
        prac, _ = _roster(tmp)
    long = analysis.shares(survey, acts)
    teams = analysis.practitioner_teams(prac)
    dc = analysis.direct_change_by_group(long, acts, n_boot=N_BOOT["time_use"], seed=seed, teams=teams)
    return {"truth": truth["planted"], "all": dc[dc["grouping"] == "all"].iloc[0]}


@functools.lru_cache(maxsize=2)
def _interviews(seed: int, effect: bool) -> dict:
    from helpers import roster
    from helpers.strands.interviews import analysis, inputs

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        truth = _generate("interviews", seed, effect, tmp)
        data = inputs.load_interviews(tmp / "raw", tmp / "processed")
        prac = roster.load_practitioners(tmp / "raw", tmp / "processed").data
    interviews = analysis.add_training(data.interviews, prac)
    wc = analysis.wave_change(
        interviews,
        data.codings,
        data.themes,
        n_boot=N_BOOT["interviews"],
        seed=seed,
        participant_types=analysis.STAFF_TYPES,
    )
    td = analysis.trained_difference(interviews, data.codings, data.themes, n_boot=N_BOOT["interviews"], seed=seed + 1)
    return {"truth": truth["planted"], "wave": wc.set_index("theme"), "trained": td.set_index("theme")}


def _wf_change(measure):
    def fn(seed, effect):
        r = _workforce(seed, effect)
        return (*_row(r["change"].loc[("All", measure)], "change"), r["truth"]["All"][measure]["change"])

    return fn


def _tu_direct_change(seed, effect):
    r = _time_use(seed, effect)
    return (*_row(r["all"], lo="team_ci_low", hi="team_ci_high"), r["truth"]["direct_share_change"])


def _tu_direct_change_naive(seed, effect):
    r = _time_use(seed, effect)
    return (*_row(r["all"]), r["truth"]["direct_share_change"])


def _iv_language_wave(seed, effect):
    r = _interviews(seed, effect)
    return (*_row(r["wave"].loc["A shared language"], "change"), r["truth"]["shared_language_wave_change_pp"])


def _iv_recording_wave(seed, effect):
    r = _interviews(seed, effect)
    return (*_row(r["wave"].loc["Recording burden"], "change"), 0.0)


def _iv_confidence_trained(seed, effect):
    r = _interviews(seed, effect)
    return (
        *_row(r["trained"].loc["Confidence in practice"], "difference"),
        r["truth"]["confidence_trained_difference_pp"],
    )


def _workforce_time_use_interviews_estimators() -> list[Estimator]:
    return [
        Estimator("workforce: agency rate change (HR extract)", "workforce", _wf_change("agency_rate_pct")),
        Estimator("workforce: turnover rate change (HR extract)", "workforce", _wf_change("turnover_rate_pct")),
        Estimator("workforce: absence rate change (HR extract)", "workforce", _wf_change("absence_rate_pct")),
        Estimator("time_use: direct-work share change (paired)", "time_use", _tu_direct_change),
        Estimator(
            "time_use: direct-work share change, paired t (naive)", "time_use", _tu_direct_change_naive, naive=True
        ),
        Estimator("interviews: shared language, wave 2 - 1 (staff)", "interviews", _iv_language_wave),
        Estimator("interviews: recording burden, wave 2 - 1 (null)", "interviews", _iv_recording_wave),
        Estimator("interviews: confidence, trained - not", "interviews", _iv_confidence_trained),
    ]
