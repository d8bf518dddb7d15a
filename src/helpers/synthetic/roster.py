"""Synthetic practitioners and families (``practitioners.csv``, ``families.csv``).

Shapes follow what is known of the programme (``shared/reference/programme.md``): systemic training
rolled out in cohorts from autumn 2014 to 2016; most practitioners trained by the end, some not yet
at any given date; agency staff a sizeable minority in inner London. Raw identifiers look like LA
codes and are pseudonymised at ingest like real ones.

The generator keeps two extra columns in memory for the strand generators (never written):
``trained_when_work_started`` on families and ``risk`` (a latent difficulty, higher for child
protection and looked-after families).
"""

from __future__ import annotations

import pandas as pd

from ..config import BOROUGHS

ABBREVIATIONS = {"westminster": "WCC", "hammersmith_fulham": "HF", "kensington_chelsea": "RBKC"}
ROLE_SHARES = {
    "social_worker": 0.45,
    "senior_social_worker": 0.15,
    "supervisor": 0.15,
    "family_support_worker": 0.15,
    "clinician": 0.10,
}
#: Training cohorts: label -> completion date. Quarterly from September 2014 to June 2016.
COHORTS = {f"C{i + 1}": d for i, d in enumerate(pd.date_range("2014-09-30", "2016-06-30", freq="QE"))}
NEED_SHARES = {"child_in_need": 0.55, "child_protection": 0.30, "looked_after": 0.15}
NEED_RISK = {"child_in_need": 0.0, "child_protection": 0.5, "looked_after": 0.8}


def generate(ctx) -> dict:
    rng = ctx.rng("roster")
    practitioners = []
    families = []
    for slug, (name, _, _) in BOROUGHS.items():
        abbrev = ABBREVIATIONS[slug]
        n_staff = ctx.n(60, minimum=10)
        roles = rng.choice(list(ROLE_SHARES), size=n_staff, p=list(ROLE_SHARES.values()))
        for i, role in enumerate(roles):
            agency = role in ("social_worker", "senior_social_worker") and rng.random() < 0.25
            # Agency staff were less often put through the training; 15% of permanent staff untrained.
            trained = rng.random() > (0.45 if agency else 0.15)
            cohort = rng.choice(list(COHORTS)) if trained else ""
            years = 0.0 if role == "family_support_worker" else round(float(rng.gamma(2.0, 4.0)), 1)
            practitioners.append(
                {
                    "practitioner_id": f"{abbrev}-S{i + 1:04d}",
                    "borough": name,
                    "team": f"{abbrev}-T{int(rng.integers(1, 7))}",
                    "role": role,
                    "years_qualified": min(years, 40.0),
                    "contract": "agency" if agency else "permanent",
                    "training_cohort": cohort,
                    "training_completed": COHORTS[cohort].strftime("%Y-%m-%d") if cohort else "",
                }
            )
        staff = pd.DataFrame([p for p in practitioners if p["borough"] == name])
        allocatable = staff[staff["role"].isin(["social_worker", "senior_social_worker"])]
        n_fam = ctx.n(60, minimum=6)
        start_days = rng.integers(0, (pd.Timestamp("2016-03-31") - pd.Timestamp("2014-06-01")).days, size=n_fam)
        for j in range(n_fam):
            worker = allocatable.iloc[int(rng.integers(len(allocatable)))]
            started = pd.Timestamp("2014-06-01") + pd.Timedelta(days=int(start_days[j]))
            need = rng.choice(list(NEED_SHARES), p=list(NEED_SHARES.values()))
            done = worker["training_completed"]
            families.append(
                {
                    "family_id": f"{abbrev}-F{j + 1:05d}",
                    "borough": name,
                    "practitioner_id": worker["practitioner_id"],
                    "level_of_need": need,
                    "work_started": started.strftime("%Y-%m-%d"),
                    "trained_when_work_started": bool(done) and pd.Timestamp(done) <= started,
                    "risk": NEED_RISK[need] + float(rng.normal(0, 0.3)),
                }
            )
    ctx.practitioners = pd.DataFrame(practitioners)
    ctx.families = pd.DataFrame(families)
    ctx.write_csv(ctx.practitioners, "practitioners.csv")
    ctx.write_csv(ctx.families.drop(columns=["trained_when_work_started", "risk"]), "families.csv")
    return {
        "practitioners": len(ctx.practitioners),
        "families": len(ctx.families),
        "families_with_trained_practitioner": int(ctx.families["trained_when_work_started"].sum()),
    }
