"""The mixed models of alignment on training (pooled and within-practitioner), with cluster-robust
CR2 intervals, per outcome with Holm-adjusted p-values."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from scipy import stats as st

from helpers import stats

from .inputs import FRAME, OUTCOMES, ROLE_LABELS
from .outputs import MODEL
from .scores import outcome_scores


def _term_label(term: str) -> str:
    if term == "trained":
        return "Trained at the answer date (vs not yet trained)"
    m = re.match(r"C\((\w+)(?:, Treatment\('?([^)']*)'?\))?\)\[T\.(.+)\]", term)
    if not m:
        return term
    var, ref, level = m.group(1), m.group(2), m.group(3)
    if var == "wave":
        return f"Wave {level} (vs wave 1)"
    if var == "role":
        return f"Role: {ROLE_LABELS.get(level, level)} (vs {ROLE_LABELS.get(ref, ref).lower()})"
    if var == "scenario_id":
        return f"Scenario {level} (vs {ref})"
    if var == "borough":
        return f"Borough: {level} (vs {ref})"
    return term


def fit_mixed(
    data: pd.DataFrame,
    response: str = "alignment",
    all_terms: bool = True,
    within: bool = False,
    warnings_out: list | None = None,
) -> pd.DataFrame:
    """Fit ``response ~ trained + wave + scenario + role + borough`` with a practitioner random intercept.

    Terms with a single level in ``data`` are left out (e.g. borough when one borough is selected).
    With ``within`` the practitioner's mean of ``trained`` is added (Mundlak), so the ``trained``
    coefficient is the within-practitioner estimate: the change in one practitioner's answers when
    trained, free of differences between practitioners who were and were not trained.
    Returns one row per fixed effect (all, or only ``trained`` when ``all_terms`` is false) with the
    columns of :data:`MODEL` except ``model``. REML point estimates; 95% CIs and p-values cluster-robust
    (CR2 with practitioners as clusters, on the fit's random-intercept working covariance) with
    Satterthwaite degrees of freedom (Pustejovsky & Tipton 2018, :func:`helpers.stats.cr2_gls`): the
    training term rests on the practitioners whose status differs or changes, not on all of them, and
    model-based Wald intervals gave 6.5% (pooled) and 7.0% (within) false positives over 200 seeds.
    Empty if the model cannot be fitted.
    Warnings raised by the fit (convergence, boundary) are not silenced: they are recorded, as text,
    in ``warnings_out`` when a list is given (for the appendix).
    """
    d = data[data[response].notna()].copy()
    d["trained"] = d["trained"].astype(int)
    d[response] = d[response].astype(float)
    d["wave"] = d["wave"].astype(int)
    for c in ("scenario_id", "role", "borough", "practitioner_id"):
        d[c] = d[c].astype(str)
    cols = [c for c in MODEL.column_names if c != "model"]
    if len(d) < 10 or d["trained"].nunique() < 2 or d["practitioner_id"].nunique() < 3:
        return pd.DataFrame(columns=cols)
    terms = _terms(d, within)
    if terms is None:
        return pd.DataFrame(columns=cols)  # no practitioner changes status: no within estimate
    res = _fit(d, response, terms, within, warnings_out)
    return pd.DataFrame(_robust_rows(res, d, all_terms), columns=cols)


def _terms(d: pd.DataFrame, within: bool) -> list[str] | None:
    """The model's fixed effects: training, and each of wave, scenario, role and borough that has more
    than one level in ``d``; with ``within`` the practitioner's mean of training (None when no
    practitioner changes status). Adds ``trained_practitioner_mean`` to ``d`` for the within model."""
    terms = ["trained"]
    if d["wave"].nunique() > 1:
        terms.append("C(wave)")
    if d["scenario_id"].nunique() > 1:
        terms.append(f"C(scenario_id, Treatment('{sorted(d['scenario_id'].unique())[0]}'))")
    if d["role"].nunique() > 1:
        ref = "social_worker" if "social_worker" in set(d["role"]) else sorted(d["role"].unique())[0]
        terms.append(f"C(role, Treatment('{ref}'))")
    if d["borough"].nunique() > 1:
        terms.append(f"C(borough, Treatment('{sorted(d['borough'].unique())[0]}'))")
    if within:
        d["trained_practitioner_mean"] = d.groupby("practitioner_id")["trained"].transform("mean")
        if d["trained_practitioner_mean"].between(0, 1, inclusive="neither").sum() == 0:
            return None
        terms.append("trained_practitioner_mean")
    return terms


def _fit(d: pd.DataFrame, response: str, terms: list[str], within: bool, warnings_out: list | None):
    """The REML fit with a practitioner random intercept; its warnings recorded as text in ``warnings_out``."""
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        warnings.simplefilter("always", RuntimeWarning)
        warnings.simplefilter("always", UserWarning)
        res = smf.mixedlm(f"{response} ~ " + " + ".join(terms), d, groups=d["practitioner_id"]).fit(reml=True)
    if warnings_out is not None:
        for w in caught:
            text = f"{response}{' (within)' if within else ''}: {w.category.__name__}: {w.message}"
            if text not in warnings_out:
                warnings_out.append(text)
    return res


def _robust_rows(res, d: pd.DataFrame, all_terms: bool) -> list[dict]:
    """One row per fixed effect reported (all but the intercept, or training only), with CR2 intervals."""
    # Intervals: CR2 cluster-robust (practitioners) with Satterthwaite df, Pustejovsky & Tipton (2018),
    # on the REML fit's working covariance (random intercept + residual). Model-based Wald intervals on
    # t with (practitioners - fixed effects) df gave 6.5% false positives (z: 7.0%) over 200 seeds.
    sigma_u2, sigma_e2 = float(np.asarray(res.cov_re)[0, 0]), float(res.scale)
    exog, endog = np.asarray(res.model.exog), np.asarray(res.model.endog)
    groups = np.asarray(res.model.groups)
    exog_names = list(res.model.exog_names)

    def working_cov(idx):
        return sigma_u2 + sigma_e2 * np.eye(len(idx))

    names = ["trained"] + [
        t for t in res.fe_params.index if t not in ("Intercept", "trained", "trained_practitioner_mean")
    ]
    if not all_terms:
        names = ["trained"]
    robust = {t: stats.cr2_gls(endog, exog, groups, working_cov, exog_names.index(t)) for t in names}
    sd = float(np.sqrt(sigma_u2 + sigma_e2))
    return [
        {
            "term": t,
            "label": _term_label(t),
            "estimate": float(res.fe_params[t]),
            "ci_low": float(res.fe_params[t]) - (robust[t]["estimate"] - robust[t]["ci_low"]),
            "ci_high": float(res.fe_params[t]) + (robust[t]["ci_high"] - robust[t]["estimate"]),
            "p": float(2 * st.t.sf(abs(res.fe_params[t] / robust[t]["se"]), robust[t]["df"])),
            "p_holm": np.nan,
            "effect_size": float(res.fe_params[t]) / sd,
            "n_answers": len(d),
            "n_practitioners": int(d["practitioner_id"].nunique()),
        }
        for t in names
    ]


def model_table(
    scores: pd.DataFrame,
    resolved: pd.DataFrame,
    reliable_outcomes=(),
    frame: dict | None = None,
    warnings_out: list | None = None,
) -> pd.DataFrame:
    """The overall model (all terms; primary), its within-practitioner (Mundlak) training term, the
    overall model on reliable outcomes only (training term; when some outcome is not reliable) and
    one model per outcome (training term; secondary).

    The eight per-outcome training terms get Holm-adjusted p-values (``p_holm``). Holm rather than
    Benjamini-Hochberg: the report names individual outcomes as better or worse, a claim about each
    one, so the chance of any false claim (family-wise error) is what is controlled; Holm holds under
    any dependence between the outcomes (they are scored from the same answers), and with eight tests
    it costs little power. Fit warnings go to ``warnings_out``."""
    frame = frame or FRAME
    parts = [fit_mixed(scores, warnings_out=warnings_out).assign(model="overall")]
    parts.append(
        fit_mixed(scores, all_terms=False, within=True, warnings_out=warnings_out).assign(model="overall_within")
    )
    if 0 < len(reliable_outcomes) < len(OUTCOMES):
        parts.append(
            fit_mixed(scores, "alignment_reliable", all_terms=False, warnings_out=warnings_out).assign(
                model="overall_reliable_outcomes"
            )
        )
    per = outcome_scores(resolved[resolved["answer_id"].isin(scores["answer_id"])], frame)
    for o in OUTCOMES:
        d = scores.assign(outcome_score=scores["answer_id"].map(per[o]) if o in per else np.nan)
        parts.append(fit_mixed(d, "outcome_score", all_terms=False, warnings_out=warnings_out).assign(model=o))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=MODEL.column_names)
    table = pd.concat(parts, ignore_index=True)[MODEL.column_names]
    per_outcome = table["model"].isin(OUTCOMES) & (table["term"] == "trained")
    table.loc[per_outcome, "p_holm"] = stats.holm(table.loc[per_outcome, "p"].to_numpy(float))
    return table
