"""Synthetic SCORE-15 questionnaires (``score15_responses.csv``): two waves per family member.

Each family in the roster has one to four members aged 12+ who answer SCORE-15 soon after work with
the family begins (wave 1) and about six months later (wave 2). Some members, and some whole
families, do not answer at wave 2.

How answers are made. Every item is generated on the *scored* scale (1-5, higher = more difficulty)
and then written the way a respondent ticks it: the problem-worded items are un-reversed (6 - x), so
the analysis must reverse them back to recover the planted structure. The latent level of one
respondent at one wave is

    base + risk weight x family risk + family factor + respondent factor + role shift
    (+ at wave 2: the planted change + family and respondent change noise)

and each item adds a fixed item offset, a respondent-by-subscale factor and item noise, then is
rounded and clipped to 1..5. The shared family and respondent factors make the items correlate so
that the total's Cronbach's alpha is near the published 0.89-0.90.

Each practitioner adds a random shift to the change of all their families (``SD_PRACTITIONER_CHANGE``,
mean 0): families of one practitioner change alike, as they would if practitioners differ.

The planted change (``change_total``, the mean latent shift over families) is larger where the
practitioner was trained (``trained_ratio`` times the shift of untrained families). Rounding and
clipping attenuate a latent shift, so the truth record also holds the expected *observed* change in
the scored total, computed by Monte Carlo on a large simulated population (300 copies of the roster's
families) drawn from its own random stream (``score15/expected``) with exactly the same generation,
attrition and missing-item steps and the same scoring rule as the analysis. That is the quantity the
analysis estimates: the respondent-level mean change in the total score (mean of answered items, 1-5)
over all respondents with a total at both waves, and the family-level mean of family changes.

Deliberately malformed rows (rejected at ingest) and out-of-range item answers (blanked at ingest)
are added and counted in the truth record.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import BOROUGHS
from .roster import ABBREVIATIONS

FILENAME = "score15_responses.csv"
N_ITEMS = 15
#: Scored-direction item -> subscale index (0 strengths, 1 overwhelmed, 2 disrupted communication).
SUBSCALE_OF_ITEM = {1: 0, 3: 0, 6: 0, 10: 0, 15: 0, 5: 1, 7: 1, 9: 1, 11: 1, 14: 1, 2: 2, 4: 2, 8: 2, 12: 2, 13: 2}
#: Items written reversed on the form (problem-worded): the generator un-reverses them.
PROBLEM_ITEMS = (2, 4, 5, 7, 8, 9, 11, 12, 13, 14)
#: Fixed item offsets on the scored scale (some items are endorsed more often than others).
ITEM_OFFSET = np.array([-0.2, 0.1, -0.1, 0.2, 0.1, -0.15, 0.25, 0.0, 0.15, -0.05, 0.1, -0.3, 0.2, 0.05, -0.1])

BASE_LEVEL = 2.55
RISK_WEIGHT = 0.45
SD_FAMILY = 0.42
SD_RESPONDENT = 0.32
SD_SUBSCALE = 0.20
SD_ITEM = 0.70
SD_FAMILY_CHANGE = 0.20
SD_RESPONDENT_CHANGE = 0.25
#: Practitioner effect on change: a random shift (mean 0) shared by all the families of one
#: practitioner (up to five), so that families of one practitioner change alike and an analysis that
#: treats them as independent is seen to be too narrow by the calibration script.
SD_PRACTITIONER_CHANGE = 0.15
ROLE_SHIFT = {"mother": 0.0, "father": -0.05, "carer": -0.1, "young_person": 0.15, "other_adult": -0.1}
FIRST_MEMBER_ROLES = {"mother": 0.7, "father": 0.15, "carer": 0.15}
OTHER_MEMBER_ROLES = {"young_person": 0.6, "father": 0.25, "other_adult": 0.15}
MEMBERS_P = (0.35, 0.35, 0.2, 0.1)  # one, two, three, four members aged 12+ answering
P_FAMILY_LOST = 0.10  # whole family gives no wave-2 answers
P_RESPONDENT_LOST = 0.12  # a member of a family that does answer at wave 2 does not
P_FORM_WITH_MISSING = 0.18  # forms with at least one item unanswered
MEAN_EXTRA_MISSING = 1.0  # further unanswered items on such a form (Poisson mean)
MC_COPIES = 300


def _members(rng: np.random.Generator, n_families: int) -> pd.DataFrame:
    """Family index, role and age of each member aged 12+ who answers."""
    sizes = rng.choice(len(MEMBERS_P), size=n_families, p=MEMBERS_P) + 1
    fam = np.repeat(np.arange(n_families), sizes)
    first = np.r_[True, fam[1:] != fam[:-1]]
    roles = np.where(
        first,
        rng.choice(list(FIRST_MEMBER_ROLES), size=len(fam), p=list(FIRST_MEMBER_ROLES.values())),
        rng.choice(list(OTHER_MEMBER_ROLES), size=len(fam), p=list(OTHER_MEMBER_ROLES.values())),
    )
    age = np.where(
        roles == "young_person",
        rng.integers(12, 18, size=len(fam)),
        np.where(roles == "other_adult", rng.integers(18, 76, size=len(fam)), rng.integers(21, 61, size=len(fam))),
    )
    return pd.DataFrame({"fam": fam, "role": roles, "age": age})


def _simulate(rng: np.random.Generator, risk: np.ndarray, shift: np.ndarray) -> dict:
    """Simulate members and their scored answers (NaN = no answer) at both waves.

    ``risk`` and ``shift`` (the planted latent change) are per family. Returns members, the scored
    item arrays ``wave1``/``wave2`` (members x 15) and ``at_wave2`` (member answered at wave 2).
    """
    n_fam = len(risk)
    members = _members(rng, n_fam)
    fam = members["fam"].to_numpy()
    n = len(members)
    role_shift = members["role"].map(ROLE_SHIFT).to_numpy()
    level1 = (
        BASE_LEVEL
        + RISK_WEIGHT * risk[fam]
        + rng.normal(0, SD_FAMILY, n_fam)[fam]
        + rng.normal(0, SD_RESPONDENT, n)
        + role_shift
    )
    level2 = level1 + shift[fam] + rng.normal(0, SD_FAMILY_CHANGE, n_fam)[fam] + rng.normal(0, SD_RESPONDENT_CHANGE, n)
    sub_idx = np.array([SUBSCALE_OF_ITEM[i] for i in range(1, N_ITEMS + 1)])
    waves = []
    for level in (level1, level2):
        sub = rng.normal(0, SD_SUBSCALE, (n, 3))[:, sub_idx]
        latent = level[:, None] + ITEM_OFFSET[None, :] + sub + rng.normal(0, SD_ITEM, (n, N_ITEMS))
        scored = np.clip(np.rint(latent), 1, 5)
        # Most forms are complete; a minority skip one or a few items (about 2.4% of items overall).
        n_missing = np.where(rng.random(n) < P_FORM_WITH_MISSING, 1 + rng.poisson(MEAN_EXTRA_MISSING, n), 0)
        rank = rng.random((n, N_ITEMS)).argsort(axis=1).argsort(axis=1)  # random order of items per form
        scored[rank < np.minimum(n_missing, N_ITEMS)[:, None]] = np.nan
        waves.append(scored)
    family_lost = rng.random(n_fam) < P_FAMILY_LOST
    at_wave2 = ~family_lost[fam] & (rng.random(n) >= P_RESPONDENT_LOST)
    return {"members": members, "wave1": waves[0], "wave2": waves[1], "at_wave2": at_wave2}


def _total(scored: np.ndarray) -> np.ndarray:
    """The analysis's scoring rule on scored items: total = mean of answered items when no subscale
    misses more than one of its five items, else missing."""
    sub_idx = np.array([SUBSCALE_OF_ITEM[i] for i in range(1, N_ITEMS + 1)])
    ok = np.ones(len(scored), dtype=bool)
    for s in range(3):
        ok &= np.isnan(scored[:, sub_idx == s]).sum(axis=1) <= 1
    with np.errstate(invalid="ignore"):
        total = np.nanmean(scored, axis=1)
    return np.where(ok, total, np.nan)


def _expected_change(
    rng: np.random.Generator, risk: np.ndarray, shift: np.ndarray, trained: np.ndarray, prac: np.ndarray | None = None
) -> dict:
    """Monte Carlo expectation of the observed change the analysis estimates (see module docstring).

    ``shift`` is the planted shift without the practitioner effect; each copy of the roster draws fresh
    practitioner effects (``prac``: practitioner index of each family), so the expectation is over them.
    """
    reps = np.tile(np.arange(len(risk)), MC_COPIES)
    shift = shift[reps]
    if prac is not None:
        n_prac = int(prac.max()) + 1
        copy = np.repeat(np.arange(MC_COPIES), len(risk))
        shift = shift + rng.normal(0, SD_PRACTITIONER_CHANGE, n_prac * MC_COPIES)[copy * n_prac + prac[reps]]
    sim = _simulate(rng, risk[reps], shift)
    t1, t2 = _total(sim["wave1"]), _total(sim["wave2"])
    both = ~np.isnan(t1) & ~np.isnan(t2) & sim["at_wave2"]
    change = (t2 - t1)[both]
    fam = sim["members"]["fam"].to_numpy()[both]
    fam_change = pd.Series(change).groupby(fam).mean()
    fam_trained = trained[reps][fam_change.index.to_numpy()]
    resp_trained = trained[reps][fam]
    return {
        "respondent_mean_change": float(change.mean()),
        "respondent_mean_change_mc_se": float(change.std(ddof=1) / np.sqrt(len(change))),
        "respondent_mean_change_trained": float(change[resp_trained].mean()),
        "respondent_mean_change_not_trained": float(change[~resp_trained].mean()),
        "family_mean_change": float(fam_change.mean()),
        "family_mean_change_trained": float(fam_change[fam_trained].mean()),
        "family_mean_change_not_trained": float(fam_change[~fam_trained].mean()),
        "respondent_sd_change": float(change.std(ddof=1)),
        "wave1_total_sd": float(np.nanstd(t1, ddof=1)),
        "simulated_respondents_with_both_waves": int(both.sum()),
    }


def _as_text(values: np.ndarray) -> list[str]:
    return ["" if np.isnan(v) else str(int(v)) for v in values]


def generate(ctx) -> dict:
    rng = ctx.rng("score15")
    families = ctx.families.reset_index(drop=True)
    change_total = ctx.effect("score15", "change_total", -0.35)
    trained_ratio = ctx.effect("score15", "trained_ratio", 2.0)
    trained = families["trained_when_work_started"].to_numpy(dtype=bool)
    risk = families["risk"].to_numpy(dtype=float)
    # change_total is the mean latent shift over families; trained families shift trained_ratio times
    # as much as the others.
    p_trained = trained.mean()
    shift_untrained = change_total / (p_trained * trained_ratio + (1 - p_trained))
    shift = np.where(trained, trained_ratio * shift_untrained, shift_untrained)

    # Practitioner effect on change, from its own stream (the other draws are unchanged by it).
    prac = pd.factorize(families["practitioner_id"])[0]
    prac_effect = ctx.rng("score15/practitioner").normal(0, SD_PRACTITIONER_CHANGE, int(prac.max()) + 1)
    sim = _simulate(rng, risk, shift + prac_effect[prac])
    table = _forms(rng, families, sim)
    blank_items = int((table[Q_COLUMNS] == "").to_numpy().sum())
    cells = _out_of_range_answers(rng, table)
    extra, reasons = _malformed_rows(rng, table, cells)
    # Scatter the malformed rows through the file (after the row they were copied from or anywhere).
    order = np.r_[np.arange(len(table)), rng.uniform(0, len(table), size=len(extra))]
    out = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    out = out.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)
    ctx.write_csv(
        out[["family_id", "respondent_id", "borough", "wave", "completed_on", "respondent_role", "age", *Q_COLUMNS]],
        FILENAME,
    )

    expected = _expected_change(ctx.rng("score15/expected"), risk, shift, trained, prac)
    return {
        "file": FILENAME,
        "rows_written": int(len(out)),
        "respondents": int(len(sim["members"])),
        "respondents_at_wave2": int(sim["at_wave2"].sum()),
        "families": int(len(families)),
        "malformed_rows": len(extra),
        "malformed_reasons": reasons,
        "items_out_of_range": len(cells),
        "items_left_blank": blank_items,
        "planted": {
            "change_total_latent": change_total,
            "trained_ratio": trained_ratio,
            "latent_shift_trained": float(trained_ratio * shift_untrained),
            "latent_shift_not_trained": float(shift_untrained),
            "sd_practitioner_change": SD_PRACTITIONER_CHANGE,
            "practitioner_effect_note": (
                "a random shift of the latent change, normal with mean 0 and this SD, shared by all families of "
                "one practitioner (stream score15/practitioner); the expected observed change averages over it"
            ),
            "note": "latent shifts on the scored item scale (1-5, lower = better); negative = improvement",
        },
        "expected_observed_change": {
            "quantity": (
                "respondent_mean_change: mean over respondents with a total at both waves of "
                "(wave-2 total - wave-1 total), total = mean of answered scored items (1-5, higher = more "
                "difficulty), computed when no subscale misses more than one item; family_mean_change: "
                "mean over families of the change in the family mean of those respondents' totals. "
                "Monte Carlo over 300 copies of the roster's families, separate random stream."
            ),
            **expected,
        },
    }


Q_COLUMNS = [f"q{i:02d}" for i in range(1, N_ITEMS + 1)]


def _forms(rng, families: pd.DataFrame, sim: dict) -> pd.DataFrame:
    """One row per form returned (every member at wave 1, those still answering at wave 2), as ticked:
    problem items reversed back, dates after the family's work started, sorted by date."""
    members = sim["members"]
    fam = members["fam"].to_numpy()
    slug_of = {name: slug for slug, (name, _, _) in BOROUGHS.items()}
    work_started = pd.to_datetime(families["work_started"]).to_numpy()
    date1 = work_started[fam] + pd.to_timedelta(rng.integers(14, 61, size=len(members)), unit="D").to_numpy()
    date2 = date1 + pd.to_timedelta(rng.integers(160, 201, size=len(members)), unit="D").to_numpy()
    problem = np.array([i in PROBLEM_ITEMS for i in range(1, N_ITEMS + 1)])
    rows = []
    counters: dict[str, int] = {}
    resp_ids = []
    for i in range(len(members)):
        b = families.at[fam[i], "borough"]
        abbrev = ABBREVIATIONS[slug_of[b]]
        counters[abbrev] = counters.get(abbrev, 0) + 1
        resp_ids.append(f"{abbrev}-R{counters[abbrev]:06d}")
    for wave, scored, dates in ((1, sim["wave1"], date1), (2, sim["wave2"], date2)):
        answered = np.where(problem[None, :], 6 - scored, scored)  # as ticked on the form
        keep = np.ones(len(members), dtype=bool) if wave == 1 else sim["at_wave2"]
        for i in np.flatnonzero(keep):
            row = {
                "family_id": families.at[fam[i], "family_id"],
                "respondent_id": resp_ids[i],
                "borough": families.at[fam[i], "borough"],
                "wave": str(wave),
                "completed_on": pd.Timestamp(dates[i]).strftime("%Y-%m-%d"),
                "respondent_role": members.at[i, "role"],
                "age": str(int(members.at[i, "age"])),
            }
            row.update(zip(Q_COLUMNS, _as_text(answered[i]), strict=False))
            rows.append(row)
    return pd.DataFrame(rows).sort_values(["completed_on", "respondent_id"], kind="stable").reset_index(drop=True)


def _out_of_range_answers(rng, table: pd.DataFrame) -> np.ndarray:
    """Out-of-range or non-numeric answers in otherwise valid rows (blanked and logged at ingest);
    returns the rows changed."""
    bad_values = ["7", "x", "0", "6"]
    cells = rng.choice(len(table), size=len(bad_values), replace=False)
    for value, r in zip(bad_values, cells, strict=False):
        col = Q_COLUMNS[int(rng.integers(N_ITEMS))]
        while table.at[r, col] == "":
            col = Q_COLUMNS[int(rng.integers(N_ITEMS))]
        table.at[r, col] = value
    return cells


def _malformed_rows(rng, table: pd.DataFrame, cells: np.ndarray) -> tuple[list, list[str]]:
    """Malformed rows, each rejected at ingest for one reason, and the reasons. Fresh respondent IDs, so
    they never collide with a valid row, except the exact duplicate, which is rejected as such."""
    corruptions = [
        ("wave", "3"),
        ("completed_on", "2015-02-30"),
        ("age", "9"),
        ("family_id", ""),
        ("respondent_role", "neighbour"),
    ]
    extra = []
    clean = np.setdiff1d(np.arange(len(table)), cells)  # copies must not carry a blanked value
    sources = rng.choice(clean, size=len(corruptions) + 1, replace=False)
    for k, ((col, value), r) in enumerate(zip(corruptions, sources, strict=False)):
        row = table.loc[r].copy()
        row["respondent_id"] = f"{row['respondent_id'].split('-')[0]}-R9{k:05d}"
        row[col] = value
        extra.append(row)
    extra.append(table.loc[sources[-1]].copy())  # exact duplicate of a valid row
    return extra, [c for c, _ in corruptions] + ["duplicate respondent_id+wave"]
