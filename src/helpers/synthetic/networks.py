"""Synthetic family network maps (``network_maps.csv``, ``network_members.csv``, ``network_ties.csv``).

Shapes follow the Social Network Map (Tracy & Whittaker 1990; ``shared/reference/methods.md``):
roughly ten to fifteen people per map, most of them household, extended family and friends, with
formal services more numerous where the family's latent ``risk`` is higher. Family members are
closer, give emotional support and help both ways; formal services give informational and practical
help one way, are less close and more often tenuous or stressful.

Waves: about nine families in ten in the roster completed a first map; about 85% of those a second
one six to nine months later (the rest are attrition: wave 1 only). Member IDs are stable across
waves (``M01``, ``M02`` ... within a family, pseudonymised at ingest).

Planted change between waves (recorded in the truth record as the quantity the analysis estimates):

* informal members (everyone but formal services): each wave-1 informal member is lost with
  probability ``CHURN``; new informal members arrive in Poisson number with mean
  ``CHURN * n_informal + effect``, so the expected change in the number of informal members is exactly
  ``effect``: ``informal_gain_trained`` for families whose practitioner was systemically trained when
  work began and ``informal_gain_untrained`` for the others;
* practitioner effect: each practitioner has a random factor ``G`` (gamma, mean exactly 1, SD
  ``practitioner_sd``, default :data:`SD_PRACTITIONER`) on how far their families replace the informal
  members they lose: the arrival mean is ``CHURN * n_informal * G + effect``. Families of one
  practitioner (up to five) thus share a shift ``CHURN * n_informal * (G - 1)`` in their change, of mean 0
  whatever ``n_informal`` is, so the expected change per group stays exactly ``effect``: ``G`` is positive,
  so the arrival mean needs no clipping when ``effect >= 0`` (the default and the null; a negative effect
  could be clipped at 0, and the truth record counts the families where it was:
  ``arrival_mean_clipped``). The factors come from their own stream (``networks/practitioner``), so with
  ``practitioner_sd = 0`` every other draw, and the files, are those of a generator without the effect;
* formal services churn the same way with no planted change (expected change 0).

Ties between members are recorded on about 70% of maps (``ties_recorded``); the others are valid
maps whose tie-based measures are "not recorded".

Malformed rows (counted in the truth record): one member row with an unknown domain, one with a
support score out of range (both extra rows with IDs used nowhere else), and one tie to a member who
is not on that family's map.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Share of roster families with a wave-1 map, and of those with a wave-2 map.
TAKE_PART = 0.9
WAVE2 = 0.85
#: Probability that ties between members were recorded on a map.
TIES_RECORDED = 0.7
#: Per-member probability of leaving the network between waves (replaced on average).
CHURN = 0.12
#: SD of the practitioner factor on informal arrivals (gamma, mean 1). 0.5 gives a family with the mean
#: ten informal members a practitioner shift of SD 0.6 members (CHURN x 10 x 0.5), between-practitioner
#: variance 0.25 x E[(CHURN x n_informal)^2], about 0.38: some 12% of the variance of the informal change
#: (one-way ANOVA estimate over 30 seeds, after removing the training groups' means: 0.30 of 2.51 with
#: no planted gain, 0.37 of 3.12 with the default gains), the same order as the SCORE-15 generator's
#: practitioner effect (SD 0.15 on a family change of SD about 0.39: 10% by the same estimate over 10
#: seeds). Families per practitioner are few (about 1.8 on average, up to five), so the design effect of
#: a mean change is about 1.15.
SD_PRACTITIONER = 0.5

ROLES = {
    "household": [
        "partner",
        "older sibling",
        "younger sibling",
        "grandmother (lives with family)",
        "stepfather",
        "lodger",
    ],
    "extended_family": [
        "maternal grandmother",
        "maternal grandfather",
        "paternal grandmother",
        "paternal grandfather",
        "aunt",
        "uncle",
        "cousin",
        "great-aunt",
    ],
    "friends": ["friend", "close friend", "school-gate friend", "old school friend", "friend from work"],
    "neighbours": ["neighbour", "neighbour next door", "neighbour upstairs"],
    "work_school": ["school", "nursery", "class teacher", "employer", "college tutor", "work colleague"],
    "community": ["church", "mosque", "youth club", "football club", "community centre", "toddler group"],
    "formal_services": [
        "GP",
        "health visitor",
        "social worker",
        "school nurse",
        "CAMHS",
        "housing officer",
        "family support worker",
        "police",
        "children's centre",
        "drug and alcohol service",
    ],
}
#: Relative weights of the informal domains.
INFORMAL_WEIGHTS = {
    "household": 0.2,
    "extended_family": 0.27,
    "friends": 0.22,
    "neighbours": 0.08,
    "work_school": 0.13,
    "community": 0.10,
}
#: Per domain: mean (emotional, practical, informational, criticism, closeness) on 1-3, P(both ways).
PROFILE = {
    "household": ((2.6, 2.5, 2.0, 1.9, 2.8), 0.85),
    "extended_family": ((2.4, 2.3, 2.0, 1.8, 2.4), 0.7),
    "friends": ((2.5, 1.8, 2.1, 1.4, 2.3), 0.75),
    "neighbours": ((1.6, 1.9, 1.6, 1.4, 1.6), 0.55),
    "work_school": ((1.5, 1.7, 2.3, 1.6, 1.5), 0.35),
    "community": ((1.9, 1.8, 2.0, 1.3, 1.7), 0.45),
    "formal_services": ((1.5, 2.0, 2.5, 2.0, 1.4), 0.2),
}
FREQUENCIES = ["daily", "weekly", "monthly", "few_times_a_year", "less"]
#: Probability that two members know each other, by whether each is informal (I) or formal (F).
TIE_PROB = {("I", "I"): 0.35, ("F", "I"): 0.08, ("F", "F"): 0.45}


def _score(rng, mean: float) -> int:
    return int(np.clip(np.rint(rng.normal(mean, 0.6)), 1, 3))


def _member(rng, domain: str, risk: float, number: int) -> dict:
    means, p_both = PROFILE[domain]
    emo, prac, info, crit, close = (_score(rng, m) for m in means)
    if domain == "household":
        freq = "daily"
    else:
        base = 2 if domain in ("formal_services", "work_school") else 1
        freq = FREQUENCIES[int(np.clip(base + rng.integers(-1, 3) - (close == 3), 0, 4))]
    if rng.random() < p_both:
        direction = "both"
    else:
        direction = "to_family" if rng.random() < 0.8 else "from_family"
    if domain in ("household", "extended_family"):
        known = ">5" if rng.random() < 0.85 else "1-5"
    else:
        known = [">5", "1-5", "<1"][
            int(rng.choice(3, p=[0.25, 0.45, 0.3] if domain != "formal_services" else [0.05, 0.35, 0.6]))
        ]
    p_stress = 0.08 + (0.15 * max(risk, 0) if domain in ("formal_services", "household", "extended_family") else 0)
    u = rng.random()
    if crit == 3 or u < p_stress:
        quality = "stressful"
    elif close == 3 or (close == 2 and u < 0.6):
        quality = "strong"
    else:
        quality = "tenuous"
    return {
        "member_id": f"M{number:02d}",
        "role_label": str(rng.choice(ROLES[domain])),
        "domain": domain,
        "support_emotional": emo,
        "support_practical": prac,
        "support_informational": info,
        "criticism": crit,
        "closeness": close,
        "contact_frequency": freq,
        "direction": direction,
        "years_known": known,
        "quality": quality,
    }


def _informal_domains(rng, k: int) -> list[str]:
    names = list(INFORMAL_WEIGHTS)
    p = np.array(list(INFORMAL_WEIGHTS.values()))
    return [str(d) for d in rng.choice(names, size=k, p=p / p.sum())]


def _illustration_consent(family_id: str) -> str:
    """About one family in four agrees to its maps being shown as examples (the same answer at both
    waves). Drawn from a hash of the family ID, not from the strand's random stream, so that adding
    the flag left every other value of the generated network files unchanged."""
    import hashlib

    return "yes" if int(hashlib.sha256(str(family_id).encode()).hexdigest(), 16) % 4 == 0 else "no"


def _ties(rng, members: list[dict]) -> list[tuple[str, str]]:
    out = []
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            a, b = members[i], members[j]
            ka = "F" if a["domain"] == "formal_services" else "I"
            kb = "F" if b["domain"] == "formal_services" else "I"
            p = TIE_PROB[tuple(sorted((ka, kb)))]
            if a["domain"] == b["domain"] and ka == "I":
                p = 0.75 if a["domain"] in ("household", "extended_family") else 0.5
            if rng.random() < p:
                out.append((a["member_id"], b["member_id"]))
    return out


def generate(ctx) -> dict:
    rng = ctx.rng("networks")
    gain_trained = ctx.effect("networks", "informal_gain_trained", 1.5)
    gain_untrained = ctx.effect("networks", "informal_gain_untrained", 0.3)
    sd_prac = ctx.effect("networks", "practitioner_sd", SD_PRACTITIONER)
    fam = ctx.families
    # Practitioner factor on informal arrivals: gamma with mean 1 and SD sd_prac (1 when sd_prac is 0),
    # from its own stream so that the strand's other draws do not depend on it.
    prac_ids = pd.unique(fam["practitioner_id"])
    if sd_prac > 0:
        shape = 1.0 / sd_prac**2
        factors = ctx.rng("networks/practitioner").gamma(shape, 1.0 / shape, size=len(prac_ids))
    else:
        factors = np.ones(len(prac_ids))
    factor_of = dict(zip(prac_ids, factors, strict=True))
    clipped = 0
    maps, members, ties = [], [], []
    n_trained = n_untrained = 0
    for row in fam.itertuples(index=False):
        if rng.random() > TAKE_PART:
            continue
        w1, date1, ties_rec = _wave1(rng, row, maps, members, ties)
        if rng.random() > WAVE2:
            continue
        trained = bool(row.trained_when_work_started)
        effect = gain_trained if trained else gain_untrained
        n_trained += trained
        n_untrained += not trained
        informal1 = [m for m in w1 if m["domain"] != "formal_services"]
        arrival_mean = CHURN * len(informal1) * factor_of[row.practitioner_id] + effect
        clipped += arrival_mean < 0
        _wave2(rng, row, w1, arrival_mean, date1, ties_rec, maps, members, ties)

    maps_df = pd.DataFrame(maps)
    members_df, ties_df, malformed = _with_malformed_rows(
        maps_df, pd.DataFrame(members), pd.DataFrame(ties, columns=["family_id", "wave", "member_a", "member_b"])
    )

    ctx.write_csv(maps_df, "network_maps.csv")
    ctx.write_csv(members_df, "network_members.csv")
    ctx.write_csv(ties_df, "network_ties.csv")
    return {
        "maps": len(maps_df),
        "families_with_map": int(maps_df["family_id"].nunique()),
        "families_with_both_waves": int(n_trained + n_untrained),
        "families_with_both_waves_trained": int(n_trained),
        "families_with_both_waves_untrained": int(n_untrained),
        "members_rows": len(members_df),
        "ties_rows": len(ties_df),
        "malformed_rows": malformed,
        "planted": {
            "quantity": "mean change (wave 2 minus wave 1) in the number of informal network members per family",
            "informal_change_trained": gain_trained,
            "informal_change_untrained": gain_untrained,
            "informal_change_difference": gain_trained - gain_untrained,
            "formal_change": 0.0,
            "practitioner_sd": sd_prac,
            "practitioner_effect_note": (
                "each practitioner's factor on informal arrivals, gamma with mean 1 and this SD (stream "
                "networks/practitioner): the arrival mean is CHURN x wave-1 informal members x factor + effect, "
                "so families of one practitioner share a shift of mean 0 in their change and the expected "
                "change per group is the planted value (exactly, when arrival_mean_clipped is 0)"
            ),
            "arrival_mean_clipped": int(clipped),
        },
    }


def _wave1(rng, row, maps: list, members: list, ties: list) -> tuple[list[dict], pd.Timestamp, bool]:
    """A family's wave-1 map (added to ``maps``, ``members``, ``ties``); returns its members, date and
    whether ties were recorded."""
    risk = float(row.risk)
    started = pd.Timestamp(row.work_started)
    n_inf = 3 + int(rng.poisson(7))
    n_form = 1 + int(rng.poisson(1.0 + 2.0 * max(risk, 0.0)))
    domains = _informal_domains(rng, n_inf) + ["formal_services"] * n_form
    w1 = [_member(rng, d, risk, i + 1) for i, d in enumerate(domains)]
    ties_rec = bool(rng.random() < TIES_RECORDED)
    date1 = started + pd.Timedelta(days=int(rng.integers(14, 60)))
    maps.append(
        {
            "family_id": row.family_id,
            "wave": 1,
            "map_date": date1.strftime("%Y-%m-%d"),
            "ties_recorded": "yes" if ties_rec else "no",
            "illustration_consent": _illustration_consent(row.family_id),
        }
    )
    members += [{"family_id": row.family_id, "wave": 1, **m} for m in w1]
    if ties_rec:
        ties += [{"family_id": row.family_id, "wave": 1, "member_a": a, "member_b": b} for a, b in _ties(rng, w1)]
    return w1, date1, ties_rec


def _wave2(rng, row, w1: list[dict], arrival_mean: float, date1, ties_rec: bool, maps, members, ties) -> None:
    """A family's wave-2 map: members kept (same ID and domain, scores drifting a little), new informal
    members arriving with ``arrival_mean``, new formal services at the churn rate."""
    risk = float(row.risk)
    next_number = len(w1) + 1
    w2 = []
    formal1 = [m for m in w1 if m["domain"] == "formal_services"]
    for m in w1:  # kept members: same ID and domain, scores drift a little
        if rng.random() < CHURN:
            continue
        m2 = dict(m)
        for k in ("support_emotional", "support_practical", "support_informational", "closeness"):
            if rng.random() < 0.2:
                m2[k] = int(np.clip(m2[k] + rng.choice([-1, 1]), 1, 3))
        w2.append(m2)
    n_new_inf = int(rng.poisson(max(arrival_mean, 0.0)))
    n_new_form = int(rng.poisson(CHURN * len(formal1)))
    for d in _informal_domains(rng, n_new_inf) + ["formal_services"] * n_new_form:
        w2.append(_member(rng, d, risk, next_number))
        next_number += 1
    date2 = date1 + pd.Timedelta(days=int(rng.integers(180, 270)))
    ties_rec2 = ties_rec or bool(rng.random() < 0.2)
    maps.append(
        {
            "family_id": row.family_id,
            "wave": 2,
            "map_date": date2.strftime("%Y-%m-%d"),
            "ties_recorded": "yes" if ties_rec2 else "no",
            "illustration_consent": _illustration_consent(row.family_id),
        }
    )
    members += [{"family_id": row.family_id, "wave": 2, **m} for m in w2]
    if ties_rec2:
        ties += [{"family_id": row.family_id, "wave": 2, "member_a": a, "member_b": b} for a, b in _ties(rng, w2)]


def _with_malformed_rows(maps_df: pd.DataFrame, members_df: pd.DataFrame, ties_df: pd.DataFrame) -> tuple:
    """Malformed rows, each an extra row that nothing else refers to: (members, ties, counts by file)."""
    malformed = {"network_maps": 0, "network_members": 0, "network_ties": 0}
    if len(members_df) >= 2:
        bad = members_df.iloc[[0, len(members_df) // 2]].copy()
        bad["member_id"] = ["M97", "M98"]
        bad["domain"] = bad["domain"].astype(object)
        bad.iloc[0, bad.columns.get_loc("domain")] = "online friends"  # not a domain code
        bad.iloc[1, bad.columns.get_loc("support_practical")] = 4  # out of the 1-3 range
        members_df = pd.concat([members_df, bad], ignore_index=True)
        malformed["network_members"] = 2
    recorded = maps_df[maps_df["ties_recorded"] == "yes"]
    if len(recorded):
        first = recorded.iloc[0]
        extra = {"family_id": first["family_id"], "wave": int(first["wave"]), "member_a": "M01", "member_b": "M99"}
        ties_df = pd.concat([ties_df, pd.DataFrame([extra])], ignore_index=True)
        malformed["network_ties"] = 1
    return members_df, ties_df, malformed
