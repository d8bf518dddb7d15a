"""Synthetic practice scenarios (``scenarios.csv``), answers (``scenario_answers.csv``) and double
coding (``scenario_codes.csv``).

Design. Every practitioner on the roster is invited at wave 1 (January to March 2015) and wave 2
(January to March 2016); most answer at both, a few at one only, and a few skip a scenario. The three
scenarios are answered in one sitting, so an answer's training status (training completed on or
before the answer date) is the practitioner's at that sitting. With the roster's quarterly cohorts
(September 2014 to June 2016) some practitioners are trained before wave 1, many between the waves
and some not by wave 2, which gives before-after and difference-in-differences contrasts.

How codes are made. For answer a of practitioner p to scenario s, the latent alignment on learning
outcome o is

    base[o] + u[p] + v[p, o] + role[p] + scenario[s] + wave2_shift x (wave 2)
    + training_scale x effect[o] x trained(a) + e[a, o]

on the scale of the codes (0-2). The answer's "true" level is the latent cut at 0.5 and 1.5; its text
is written from the true levels (template sentences, no names). Coders A and B each see the latent
plus their own outcome-specific noise and cut it the same way, so outcomes with noisier coding
(reflexivity, the child's voice) have lower inter-rater reliability. Coder C codes where A and B are
two levels apart, with little noise. A few codes are left blank, a few written invalid (rejected at
ingest), and a few malformed rows are added to both files; all are counted in the truth record.

What the analysis estimates. Cutting, coder noise and the resolution rule attenuate a latent shift,
so the truth record gives the expected *observed* effects, by Monte Carlo over the actual design
(the same answers, practitioners, scenarios, waves and training status) with common random numbers
(``scenarios/expected`` stream): ``ate_alignment`` = mean over answers of E[alignment | trained] -
E[alignment | not trained] on the 0-100 scale (what the mixed model's training coefficient
estimates), the same per outcome, ``att_alignment`` over the trained answers, and ``did_expected``,
the expected difference in differences of per-practitioner mean alignment (trained between the waves
minus not trained by wave 2), and ``alpha_by_outcome``, each outcome's ordinal Krippendorff's alpha
of coders A and B from the coincidence counts pooled over the replicates (the design's population
alpha: alpha is a ratio, so the mean of the estimates over samples is not it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..strands.scenarios.inputs import OUTCOMES
from ..strands.scenarios.reliability import _ordinal_alpha_from_pair_counts

FILES = ("scenarios.csv", "scenario_answers.csv", "scenario_codes.csv")
SCENARIOS = (
    {
        "scenario_id": "S1",
        "title": "A referral from school",
        "vignette": (
            "A primary school refers a 9-year-old girl who has been arriving late, hungry and withdrawn. Her mother, "
            "who has a long-term health condition, says the girl is just tired and that the school is picking on the "
            "family. An older brother aged 15 has recently been excluded. The girl's father lives nearby and has "
            "contact at weekends."
        ),
        "questions": "What do you think might be happening in this family? | Who would you speak to, and what would you ask? | What would you do next?",
    },
    {
        "scenario_id": "S2",
        "title": "Domestic abuse notification",
        "vignette": (
            "Police notify children's services of a domestic incident: neighbours heard shouting and a baby crying. "
            "The mother says it was a one-off argument and that her partner has moved out. There are two children, "
            "a baby of 8 months and a boy of 6. The maternal grandmother visits most days."
        ),
        "questions": "What are your hypotheses about what happened and why? | How would you understand the children's experience? | What would need to be different for the children to be safe?",
    },
    {
        "scenario_id": "S3",
        "title": "A teenager going missing",
        "vignette": (
            "A 14-year-old boy living with his father and stepmother has gone missing three times in two months, "
            "returning after a night away. He says home is fine but he does not want to talk about it. The stepmother "
            "says he is out of control; the father says it is a phase. A previous social worker closed the case a "
            "year ago."
        ),
        "questions": "What might the going missing mean for him and for the family? | How would you engage him and the adults around him? | What would your plan be, and how would you know it is working?",
    },
)

#: Latent base level per outcome (code units, 0-2 scale; cut points 0.5 and 1.5).
BASE = {
    "hypothesising": 0.70,
    "curiosity": 0.90,
    "relational": 0.80,
    "network": 0.55,
    "child_voice": 1.00,
    "reflexivity": 0.55,
    "purposeful": 1.00,
    "risk_safety": 1.20,
}
#: Planted latent training effect per outcome (code units), multiplied by ``training_scale``.
TRAINING_EFFECT = {
    "hypothesising": 0.35,
    "curiosity": 0.30,
    "relational": 0.30,
    "network": 0.25,
    "child_voice": 0.10,
    "reflexivity": 0.20,
    "purposeful": 0.20,
    "risk_safety": 0.05,
}
ROLE_SHIFT = {
    "social_worker": 0.0,
    "senior_social_worker": 0.10,
    "supervisor": 0.15,
    "family_support_worker": -0.25,
    "clinician": 0.30,
}
SCENARIO_SHIFT = {"S1": 0.0, "S2": -0.10, "S3": 0.05}
#: Coder noise SD per outcome (both coders); larger = less reliable coding.
CODER_NOISE = {
    "hypothesising": 0.12,
    "curiosity": 0.15,
    "relational": 0.13,
    "network": 0.10,
    "child_voice": 0.28,
    "reflexivity": 0.45,
    "purposeful": 0.14,
    "risk_safety": 0.15,
}
THIRD_CODER_NOISE = 0.12
SD_PRACTITIONER = 0.40
SD_PRACTITIONER_OUTCOME = 0.25
SD_ANSWER = 0.40
CUTS = (0.5, 1.5)
P_WAVE = {1: 0.90, 2: 0.85}
P_SKIP_SCENARIO = 0.05
P_CONSENT = 0.6
P_BLANK_CODE = 0.004
WAVE_WINDOWS = {1: ("2015-01-12", "2015-03-20"), 2: ("2016-01-11", "2016-03-18")}
MC_REPS = 200

SENTENCES = {
    "hypothesising": (
        "I think the difficulties may come from stress in the family.",
        "One idea is that the behaviour is a response to changes at home; another is that the adults are struggling with their own worries, and I would test both.",
    ),
    "curiosity": (
        "Other people may see this differently.",
        "I would want to hear how each parent, the child and the school each understand what is going on, and what each thinks would help.",
    ),
    "relational": (
        "The relationships at home matter here.",
        "The pattern between the adults seems to shape how the children cope, and changing that pattern could help everyone.",
    ),
    "network": (
        "There may be relatives or friends who could help.",
        "I would draw a genogram with the family and invite wider family and friends to a network meeting to agree who can do what.",
    ),
    "child_voice": (
        "The child should be spoken to.",
        "I would meet the child on their own, using drawings or a three houses exercise, and make sure what they tell me shapes the plan.",
    ),
    "reflexivity": (
        "My own views could affect this.",
        "I notice I feel protective of the child and critical of the parent, so I would take that to supervision and check my assumptions.",
    ),
    "purposeful": (
        "I would make a plan to support the family.",
        "Within two weeks I would agree with the family three specific steps, who does each, and when we will review them.",
    ),
    "risk_safety": (
        "There are some risks to consider.",
        "The worry is that the child is harmed when the adults argue; safety would mean the child is never present when that happens, and the family would agree how.",
    ),
}
OPENING = "I would start by meeting the family at home."


def _cut(x: np.ndarray) -> np.ndarray:
    return np.digitize(x, CUTS)


def _resolve(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The analysis's resolution rule on complete codes: C where A and B are two apart, else the mean."""
    return np.where(np.abs(a - b) == 2, c, (a + b) / 2)


def _expected(rng, design: dict, effects: np.ndarray, coder_sd: np.ndarray, n_prac: int) -> dict:
    """Monte Carlo expectations of the observed quantities the analysis estimates (module docstring)."""
    n, k = len(design["prac"]), len(OUTCOMES)
    fixed = design["fixed"]  # (n, k): base + role + scenario + wave shift
    trained = design["trained"]
    ate = np.zeros(k)
    att_sum = 0.0
    did = []
    pairs = np.zeros((k, 3, 3))  # (outcome, coder A level, coder B level) counts at the observed status
    for _ in range(MC_REPS):
        u = rng.normal(0, SD_PRACTITIONER, n_prac)[design["prac"]][:, None]
        v = rng.normal(0, SD_PRACTITIONER_OUTCOME, (n_prac, k))[design["prac"]]
        e = rng.normal(0, SD_ANSWER, (n, k))
        na, nb, nc = (
            rng.normal(0, 1, (n, k)) * coder_sd,
            rng.normal(0, 1, (n, k)) * coder_sd,
            rng.normal(0, THIRD_CODER_NOISE, (n, k)),
        )
        scores = {}
        for t in (0, 1):
            lat = fixed + u + v + e + t * effects
            scores[t] = 50 * _resolve(_cut(lat + na), _cut(lat + nb), _cut(lat + nc))  # 0-100 per outcome
        lat_obs = fixed + u + v + e + trained[:, None] * effects
        level_a, level_b = _cut(lat_obs + na), _cut(lat_obs + nb)
        for m in range(k):
            np.add.at(pairs[m], (level_a[:, m], level_b[:, m]), 1.0)
        diff = scores[1] - scores[0]
        ate += diff.mean(axis=0)
        att_sum += diff[trained].mean() if trained.any() else 0.0
        observed = np.where(trained[:, None], scores[1], scores[0]).mean(axis=1)
        pw = (
            pd.DataFrame({"p": design["prac"], "wave": design["wave"], "y": observed})
            .groupby(["p", "wave"])["y"]
            .mean()
            .unstack()
        )
        change = (pw[2] - pw[1]).dropna()
        sw = change.reindex(design["switchers"]).dropna()
        nv = change.reindex(design["never"]).dropna()
        if len(sw) and len(nv):
            did.append(sw.mean() - nv.mean())
    ate /= MC_REPS
    return {
        "ate_alignment": float(ate.mean()),
        "ate_by_outcome": {o: float(x) for o, x in zip(OUTCOMES, ate, strict=False)},
        "att_alignment": float(att_sum / MC_REPS),
        "did_expected": float(np.mean(did)) if did else None,
        "alpha_by_outcome": {o: float(_ordinal_alpha_from_pair_counts(pairs[m])) for m, o in enumerate(OUTCOMES)},
        "mc_reps": MC_REPS,
    }


def answer_design(rng, practitioners: pd.DataFrame) -> pd.DataFrame:
    """Who answers which scenario, when, and their training status at that sitting (one row per
    answer: ``prac`` (row of ``practitioners``), ``wave``, ``scenario_id``, ``date``, ``trained``).

    Draws from ``rng`` in a fixed order (wave take-part, day, skips), so a caller that repeats the
    draws that follow (:func:`draw_codes`) reproduces :func:`generate` exactly.
    """
    rows = []
    done = pd.to_datetime(practitioners["training_completed"].replace("", None))
    for wave, (start, end) in WAVE_WINDOWS.items():
        t0 = pd.Timestamp(start)
        span = (pd.Timestamp(end) - t0).days
        takes_part = rng.random(len(practitioners)) < P_WAVE[wave]
        days = rng.integers(0, span + 1, len(practitioners))
        for i in np.flatnonzero(takes_part):
            date = t0 + pd.Timedelta(days=int(days[i]))
            for sc in SCENARIOS:
                if rng.random() < P_SKIP_SCENARIO:
                    continue
                rows.append(
                    {
                        "prac": i,
                        "wave": wave,
                        "scenario_id": sc["scenario_id"],
                        "date": date,
                        "trained": bool(pd.notna(done[i]) and done[i] <= date),
                    }
                )
    return pd.DataFrame(rows)


def fixed_part(ctx, answers: pd.DataFrame, practitioners: pd.DataFrame) -> np.ndarray:
    """(answers x outcomes) fixed latent part: base + role + scenario + wave-2 shift."""
    role_shift = {r: ctx.effect("scenarios", f"role_{r}", s) for r, s in ROLE_SHIFT.items()}
    wave2_shift = ctx.effect("scenarios", "wave2_shift", 0.05)
    base = np.array([BASE[o] for o in OUTCOMES])
    return (
        base[None, :]
        + practitioners["role"].map(role_shift).to_numpy()[answers["prac"].to_numpy()][:, None]
        + answers["scenario_id"].map(SCENARIO_SHIFT).to_numpy()[:, None]
        + wave2_shift * (answers["wave"].to_numpy() == 2)[:, None]
    )


def draw_codes(rng, fixed: np.ndarray, p_idx: np.ndarray, n_prac: int, trained: np.ndarray, effects, coder_sd) -> dict:
    """One draw of the latent alignment and the three coders' levels (module docstring), in the
    order :func:`generate` draws them: practitioner, practitioner x outcome, answer, coders A, B, C."""
    n, k = fixed.shape
    u = rng.normal(0, SD_PRACTITIONER, n_prac)[p_idx][:, None]
    v = rng.normal(0, SD_PRACTITIONER_OUTCOME, (n_prac, k))[p_idx]
    latent = fixed + u + v + trained[:, None] * effects + rng.normal(0, SD_ANSWER, (n, k))
    return {
        "true": _cut(latent),
        "a": _cut(latent + rng.normal(0, 1, (n, k)) * coder_sd),
        "b": _cut(latent + rng.normal(0, 1, (n, k)) * coder_sd),
        "c": _cut(latent + rng.normal(0, THIRD_CODER_NOISE, (n, k))),
    }


def planted_effects(ctx) -> tuple[np.ndarray, np.ndarray]:
    """Latent training effect and coder noise SD per outcome, with this run's overrides."""
    scale = ctx.effect("scenarios", "training_scale", 1.0)
    effects = np.array([scale * ctx.effect("scenarios", f"training_{o}", TRAINING_EFFECT[o]) for o in OUTCOMES])
    coder_sd = np.array([ctx.effect("scenarios", f"coder_noise_{o}", CODER_NOISE[o]) for o in OUTCOMES])
    return effects, coder_sd


def generate(ctx) -> dict:
    rng = ctx.rng("scenarios")
    prac = ctx.practitioners.reset_index(drop=True)
    scale = ctx.effect("scenarios", "training_scale", 1.0)
    effects, coder_sd = planted_effects(ctx)
    role_shift = {r: ctx.effect("scenarios", f"role_{r}", s) for r, s in ROLE_SHIFT.items()}
    wave2_shift = ctx.effect("scenarios", "wave2_shift", 0.05)

    design = answer_design(rng, prac)
    n = len(design)
    p_idx = design["prac"].to_numpy()
    trained = design["trained"].to_numpy(bool)
    fixed = fixed_part(ctx, design, prac)
    drawn = draw_codes(rng, fixed, p_idx, len(prac), trained, effects, coder_sd)
    true_level, level_a, level_b, level_c = drawn["true"], drawn["a"], drawn["b"], drawn["c"]
    needs_c = np.abs(level_a - level_b) == 2

    design["answer_id"] = [f"ANS{15 if w == 1 else 16}-{j + 1:05d}" for j, w in enumerate(design["wave"])]
    answers_out, n_bad_answers = _answers_file(rng, design, prac, true_level)
    codes_out, blank, invalid_values, extra = _codes_file(rng, design, (level_a, level_b, level_c), needs_c)
    ctx.write_csv(pd.DataFrame(SCENARIOS), "scenarios.csv")
    ctx.write_csv(answers_out, "scenario_answers.csv")
    ctx.write_csv(codes_out, "scenario_codes.csv")

    # Rollout groups (practitioners answering at both waves) for the DiD expectation.
    status = design.groupby(["prac", "wave"])["trained"].first().unstack()
    both = status.dropna()
    switchers = both.index[(both[1] == False) & (both[2] == True)]  # noqa: E712
    never = both.index[(both[1] == False) & (both[2] == False)]  # noqa: E712
    mc = _expected(
        ctx.rng("scenarios/expected"),
        {
            "prac": p_idx,
            "wave": design["wave"].to_numpy(),
            "fixed": fixed,
            "trained": trained,
            "switchers": switchers,
            "never": never,
        },
        effects,
        coder_sd,
        len(prac),
    )
    return {
        "files": list(FILES),
        "answers": int(n),
        "answers_rows_written": int(len(answers_out)),
        "answers_malformed": n_bad_answers,
        "codes_rows_written": int(len(codes_out)),
        "codes_blank": int(len(blank)),
        "codes_invalid_level": len(invalid_values),
        "codes_malformed_other": len(extra),
        "codes_rejected": len(invalid_values) + len(extra),
        "third_coder_codes": int(needs_c.sum()),
        "practitioners_answering": int(design["prac"].nunique()),
        "rollout": {"trained_between_waves": int(len(switchers)), "not_trained_by_wave2": int(len(never))},
        "planted": {
            "training_scale": scale,
            "training_effect_latent": {o: float(x) for o, x in zip(OUTCOMES, effects, strict=False)},
            "role_shift_latent": role_shift,
            "wave2_shift_latent": wave2_shift,
            "coder_noise_sd": {o: float(x) for o, x in zip(OUTCOMES, coder_sd, strict=False)},
            "note": "latent shifts in code units (0-2 scale, cut at 0.5 and 1.5); reflexivity and the child's voice coded with more noise",
        },
        "expected_observed": {
            "quantity": (
                "ate_alignment: mean over the generated answers of E[alignment | trained] - E[alignment | not trained], "
                "alignment on 0-100 = mean over outcomes of resolved level x 50 (resolution: C where A and B two apart, "
                "else mean of A and B); ate_by_outcome the same per outcome; att_alignment over trained answers; "
                "did_expected: E[mean change of practitioners trained between waves - mean change of those not trained by "
                "wave 2]; alpha_by_outcome: Krippendorff's ordinal alpha of coders A and B from the coincidences "
                "pooled over the Monte Carlo replicates (the design's population alpha, what the reliability "
                "table estimates). Monte Carlo, common random numbers, stream scenarios/expected."
            ),
            **mc,
        },
    }


def _answers_file(rng, design: pd.DataFrame, prac: pd.DataFrame, true_level: np.ndarray) -> tuple[pd.DataFrame, int]:
    """The answers file: one text per answer built from its true levels, consent drawn, a few blank
    texts, and malformed rows (each rejected at ingest for one reason) plus a duplicate. Returns the
    file and the number of malformed rows."""
    n = len(design)
    p_idx = design["prac"].to_numpy()
    texts = []
    for j in range(n):
        parts = [OPENING] + [SENTENCES[o][true_level[j, m] - 1] for m, o in enumerate(OUTCOMES) if true_level[j, m] > 0]
        texts.append(" ".join(parts))
    answers = pd.DataFrame(
        {
            "answer_id": design["answer_id"],
            "practitioner_id": prac["practitioner_id"].to_numpy()[p_idx],
            "scenario_id": design["scenario_id"],
            "wave": design["wave"].astype(str),
            "answer_date": design["date"].dt.strftime("%Y-%m-%d"),
            "answer_text": texts,
            "consent_to_quote": np.where(rng.random(n) < P_CONSENT, "yes", "no"),
        }
    )
    answers.loc[rng.choice(n, size=max(1, n // 200), replace=False), "answer_text"] = ""  # a few blank texts
    bad_answers = []
    for col, value in (("wave", "3"), ("answer_date", "2015-02-30"), ("practitioner_id", "")):
        row = answers.iloc[int(rng.integers(n))].copy()
        row["answer_id"] = f"ANSX-{len(bad_answers) + 1:03d}"
        row[col] = value
        bad_answers.append(row)
    dup = answers.iloc[int(rng.integers(n))].copy()
    bad_answers.append(dup)  # duplicate answer_id: rejected
    return pd.concat([answers, pd.DataFrame(bad_answers)], ignore_index=True), len(bad_answers)


def _codes_file(rng, design: pd.DataFrame, levels: tuple, needs_c: np.ndarray) -> tuple:
    """The codes file (long: answer, coder, outcome, level): coders A and B on every answer and outcome,
    C where they are two apart; some codes blank, some invalid, and malformed rows. Returns (file,
    blanked rows, invalid values, malformed rows)."""
    level_a, level_b, level_c = levels
    n, k = len(design), len(OUTCOMES)
    rec = []
    for m, o in enumerate(OUTCOMES):
        for coder, lev, mask in (
            ("A", level_a, np.ones((n, k), bool)),
            ("B", level_b, np.ones((n, k), bool)),
            ("C", level_c, needs_c),
        ):
            idx = np.flatnonzero(mask[:, m])
            rec.append(
                pd.DataFrame(
                    {
                        "answer_id": design["answer_id"].to_numpy()[idx],
                        "coder": coder,
                        "outcome": o,
                        "level": lev[idx, m].astype(str),
                    }
                )
            )
    codes = pd.concat(rec, ignore_index=True)
    codes = codes.sort_values(
        ["answer_id", "coder", "outcome"],
        key=lambda s: s.map({o: i for i, o in enumerate(OUTCOMES)}) if s.name == "outcome" else s,
        kind="stable",
    ).reset_index(drop=True)
    ab = np.flatnonzero(codes["coder"].isin(["A", "B"]).to_numpy())
    blank = rng.choice(ab, size=max(1, int(round(P_BLANK_CODE * len(ab)))), replace=False)
    codes.loc[blank, "level"] = ""
    invalid_values = ["3", "x", "9", "-1", "2.5", "two"]
    invalid = rng.choice(np.setdiff1d(ab, blank), size=len(invalid_values), replace=False)
    codes.loc[invalid, "level"] = invalid_values
    extra = pd.DataFrame(
        [
            {"answer_id": design["answer_id"].iloc[0], "coder": "D", "outcome": OUTCOMES[0], "level": "1"},
            {"answer_id": design["answer_id"].iloc[1], "coder": "A", "outcome": "empathy", "level": "1"},
            codes.iloc[int(np.setdiff1d(ab, np.r_[blank, invalid])[-1])].to_dict(),  # duplicate answer+coder+outcome
        ]
    )
    return pd.concat([codes, extra], ignore_index=True), blank, invalid_values, extra
