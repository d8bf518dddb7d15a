"""Analysis of coded interviews: pure functions from the reader's tables to result tables.

Units. A *theme* is a top-level code of the codebook (sub-codes roll up to it). A participant
*mentions* a theme when at least one segment of their interview(s) is coded with it. Prevalence is the
share of participants in a group who mention the theme: it says how widely a theme came up in these
interviews, not how many people in the boroughs hold a view (interviewees were chosen, not sampled,
and an interviewer's questions shape what is said). Every share carries the number of participants
behind it.

Intervals of changes and differences (:func:`wave_change`, :func:`trained_difference`). The unit
analysed is the interview (mentions the theme or not), nested in the participant (the same person at
two waves); coded segments within an interview only decide whether it mentions the theme. The
difference of two pooled shares gets a MOVER interval from design-effect-adjusted Wilson limits
(:func:`clustered_difference`; Newcombe 1998, Zou and Donner 2008, Korn and Graubard 1998): each
share's Wilson interval on its effective size (interviews over the participant-clustered design
effect, t on G - 1 df), recombined allowing for the correlation of the two shares. A percentile
bootstrap resampling participants is kept beside it (``boot_ci_low``/``boot_ci_high``).

Calibration (``benchmarks/calibration.py``, issue 10). The percentile bootstrap was about 5% narrower
than the spread of the estimates (up to 7% false positives where nothing changed). A symmetric
participant-clustered interval (CR3 jackknife of the linear probability model) had the right width on
average but missed asymmetrically where a share is near 0.75 on a few dozen interviews (the trained -
not yet trained difference: coverage 90% over 200 seeds, 10% of intervals wholly above the truth), as
a Wald interval for a proportion does; the Wilson-based MOVER interval corrects that skew (95% on the
same seeds). Since the generator gives each person a propensity per theme shared by their interviews
(``person_logit_sd``, :mod:`helpers.synthetic.interviews`), calibration tests the participant
clustering itself: over seeds 1000-1399 the three headline intervals covered 94.5-95.8% with 4.0-6.0%
false positives.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import numpy as np
import pandas as pd

from ... import roster, stats
from ...redaction import publishable_quotes
from .inputs import WAVE_DATES

GROUP_LABELS = {
    "practitioner": "Practitioners",
    "manager": "Managers and supervisors",
    "family_member": "Family members",
}
STAFF_TYPES = ("practitioner", "manager")


def add_training(interviews: pd.DataFrame, practitioners: pd.DataFrame | None) -> pd.DataFrame:
    """Add ``in_roster`` and ``trained``: for staff on the roster, whether systemic training was completed
    on or before the interview date (the wave's assumed date when none was recorded). Family members and
    staff not on the roster have ``trained`` missing."""
    out = interviews.copy()
    dates = pd.to_datetime(out["interview_date"]).fillna(pd.to_datetime(out["wave"].map(WAVE_DATES)))
    staff = out["participant_type"].isin(STAFF_TYPES)
    if practitioners is None or len(practitioners) == 0:
        out["in_roster"] = False
        out["trained"] = pd.array([pd.NA] * len(out), dtype="boolean")
        return out
    known = staff & out["participant_id"].isin(practitioners["practitioner_id"])
    trained = roster.trained_by(practitioners, out["participant_id"], dates).astype("boolean")
    out["in_roster"] = known
    out["trained"] = trained.where(known, pd.NA)
    return out


def interview_presence(interviews: pd.DataFrame, codings: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """One row per interview (with its attributes), one column per theme: coded segments of that theme."""
    counts = (
        codings.drop_duplicates(["interview_id", "segment_id", "theme"])
        .groupby(["interview_id", "theme"])
        .size()
        .unstack(fill_value=0)
    )
    counts = counts.reindex(columns=themes, fill_value=0)
    out = interviews.set_index("interview_id").join(counts).reset_index()
    out[themes] = out[themes].fillna(0).astype(int)
    return out


def framework_matrix(interviews: pd.DataFrame, codings: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """Participants x themes: the number of coded segments of each theme over all a participant's
    interviews (0 = never mentioned), with participant type, borough and number of interviews."""
    pres = interview_presence(interviews, codings, themes)
    g = pres.groupby("participant_id", sort=True)
    out = g[themes].sum()
    out.insert(0, "n_interviews", g.size())
    out.insert(0, "borough", g["borough"].first())
    out.insert(0, "participant_type", g["participant_type"].first())
    return out.reset_index()


def _share_rows(frame: pd.DataFrame, themes: list[str], grouping: str, group_col: str | None) -> list[dict]:
    rows = []
    groups = [("All participants", frame)] if group_col is None else list(frame.groupby(group_col, sort=True))
    for group, sub in groups:
        n = len(sub)
        for t in themes:
            k = int((sub[t] > 0).sum())
            rows.append(
                {
                    "grouping": grouping,
                    "group": GROUP_LABELS.get(group, str(group)) if grouping != "Wave" else f"Wave {group}",
                    "theme": t,
                    "n_participants": n,
                    "n_mentioning": k,
                    "share": 100 * k / n if n else np.nan,
                }
            )
    return rows


def prevalence(interviews: pd.DataFrame, codings: pd.DataFrame, themes: list[str]) -> pd.DataFrame:
    """Share of participants mentioning each theme: overall, by participant type and by borough (over all
    of a participant's interviews) and by wave (over the participants interviewed at that wave)."""
    fm = framework_matrix(interviews, codings, themes)
    pres = interview_presence(interviews, codings, themes)
    per_wave = pres.groupby(["participant_id", "wave"])[themes].sum().reset_index()
    rows = _share_rows(fm, themes, "All", None)
    rows += _share_rows(fm, themes, "Participant type", "participant_type")
    rows += _share_rows(fm, themes, "Borough", "borough")
    rows += _share_rows(per_wave, themes, "Wave", "wave")
    return pd.DataFrame(rows, columns=["grouping", "group", "theme", "n_participants", "n_mentioning", "share"])


def _overlap(a, b) -> bool:
    if a["segment_id"] == b["segment_id"]:
        return True
    if pd.isna(a["start"]) or pd.isna(b["start"]):
        return False
    return a["start"] < b["end"] and b["start"] < a["end"]


def cooccurrence(codings: pd.DataFrame, interviews: pd.DataFrame) -> pd.DataFrame:
    """Pairs of themes coded on the same or overlapping segments (see the module docstring)."""
    who = interviews.set_index("interview_id")["participant_id"]
    pairs: dict[tuple[str, str], dict] = {}
    for iid, sub in codings.groupby("interview_id", sort=True):
        recs = sub[["segment_id", "start", "end", "theme"]].to_dict("records")
        for a, b in combinations(recs, 2):
            if a["theme"] == b["theme"] or not _overlap(a, b):
                continue
            key = tuple(sorted((a["theme"], b["theme"])))
            d = pairs.setdefault(key, {"n_overlaps": 0, "interviews": set(), "participants": set()})
            d["n_overlaps"] += 1
            d["interviews"].add(iid)
            d["participants"].add(who.get(iid))
    rows = [
        {
            "theme_a": a,
            "theme_b": b,
            "n_overlaps": d["n_overlaps"],
            "n_interviews": len(d["interviews"]),
            "n_participants": len(d["participants"]),
        }
        for (a, b), d in sorted(pairs.items())
    ]
    return pd.DataFrame(rows, columns=["theme_a", "theme_b", "n_overlaps", "n_interviews", "n_participants"])


def cooccurrence_graph(edges: pd.DataFrame, themes: list[str], prevalence_all: pd.DataFrame | None = None) -> nx.Graph:
    """Theme network: nodes are themes (``share`` = overall prevalence when given), edges weighted by
    the number of interviews where the two co-occur. Nodes are added in sorted order (deterministic)."""
    g = nx.Graph()
    share = {} if prevalence_all is None else dict(zip(prevalence_all["theme"], prevalence_all["share"], strict=True))
    for t in sorted(themes):
        g.add_node(t, share=float(share.get(t, np.nan)))
    for r in edges.sort_values(["theme_a", "theme_b"]).itertuples():
        g.add_edge(r.theme_a, r.theme_b, weight=int(r.n_interviews), n_overlaps=int(r.n_overlaps))
    return g


def clusters(g: nx.Graph) -> pd.DataFrame:
    """Greedy-modularity communities of the theme network (weighted), largest first; each theme's
    strongest link. Isolated themes form their own cluster."""
    if g.number_of_edges() == 0:
        comms = [{n} for n in sorted(g.nodes)]
    else:
        comms = nx.community.greedy_modularity_communities(g, weight="weight")
    comms = sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c))
    rows = []
    for k, members in enumerate(comms, start=1):
        internal = g.subgraph(members)
        rows.append(
            {
                "cluster": k,
                "themes": "; ".join(members),
                "n_themes": len(members),
                "internal_links": internal.number_of_edges(),
                "internal_weight": int(sum(d["weight"] for _, _, d in internal.edges(data=True))),
            }
        )
    return pd.DataFrame(rows, columns=["cluster", "themes", "n_themes", "internal_links", "internal_weight"])


def _col(agg: pd.DataFrame, col: str, level) -> np.ndarray:
    """One column of an unstacked per-participant table, zeros when that level never occurs."""
    return agg[(col, level)].to_numpy() if (col, level) in agg.columns else np.zeros(len(agg))


def _wilson(p: float, n: float, q: float) -> tuple[float, float]:
    """Wilson score limits for a proportion ``p`` on (effective) size ``n`` with quantile ``q``."""
    if not n > 0:
        return (np.nan, np.nan)
    centre = p + q * q / (2 * n)
    half = q * np.sqrt(p * (1 - p) / n + q * q / (4 * n * n))
    return ((centre - half) / (1 + q * q / n), (centre + half) / (1 + q * q / n))


def clustered_difference(num1, den1, num2, den2, level: float = 0.95) -> tuple[float, float]:
    """95% CI (percentage points) of the difference of two pooled shares, group 2 minus group 1, for
    interviews clustered in participants: MOVER with design-effect-adjusted Wilson limits (see the
    module docstring).

    Inputs are per-participant arrays: interviews with the theme (``num``) and interviews (``den``) in
    each group; a participant may have interviews in both. Steps: (1) each share's cluster-robust
    variance over the G participants, v = G/(G-1) x sum_i (num_i - p den_i)^2 / (sum den)^2, and the
    covariance of the two shares the same way; (2) each share's Wilson interval on its effective size
    p(1-p)/v (its interviews over the design effect; Korn and Graubard 1998), with a t quantile on
    G - 1 df; (3) the difference's limits by MOVER (Newcombe 1998, method 10; Zou and Donner 2008),
    lower = d - sqrt((p2 - l2)^2 + (u1 - p1)^2 - 2 r (p2 - l2)(u1 - p1)), upper likewise, with r the
    correlation of the two shares (the same people at both waves). A share of 0 or 1 has no
    within-share variance: its Wilson limits use its interviews. NaNs when a group has no interview
    or there are fewer than 3 participants."""
    from scipy import stats as st

    k1, n1, k2, n2 = (np.asarray(x, dtype=float) for x in (num1, den1, num2, den2))
    G = len(k1)
    N1, N2 = n1.sum(), n2.sum()
    if G < 3 or N1 == 0 or N2 == 0:
        return (np.nan, np.nan)
    p1, p2 = k1.sum() / N1, k2.sum() / N2
    f = G / (G - 1)
    r1, r2 = k1 - p1 * n1, k2 - p2 * n2
    v1, v2, c12 = f * (r1 @ r1) / N1**2, f * (r2 @ r2) / N2**2, f * (r1 @ r2) / (N1 * N2)
    q = st.t.ppf(1 - (1 - level) / 2, G - 1)
    n1_eff = p1 * (1 - p1) / v1 if v1 > 0 and 0 < p1 < 1 else N1
    n2_eff = p2 * (1 - p2) / v2 if v2 > 0 and 0 < p2 < 1 else N2
    l1, u1 = _wilson(p1, n1_eff, q)
    l2, u2 = _wilson(p2, n2_eff, q)
    r = c12 / np.sqrt(v1 * v2) if v1 > 0 and v2 > 0 else 0.0
    d = p2 - p1
    lower = d - np.sqrt(max((p2 - l2) ** 2 + (u1 - p1) ** 2 - 2 * r * (p2 - l2) * (u1 - p1), 0.0))
    upper = d + np.sqrt(max((u2 - p2) ** 2 + (p1 - l1) ** 2 - 2 * r * (u2 - p2) * (p1 - l1), 0.0))
    return float(100 * lower), float(100 * upper)


def _difference(num1, den1, num2, den2, n_boot: int, seed: int) -> dict:
    """Difference of two pooled shares (group 2 minus group 1), in percentage points, with the
    clustered MOVER-Wilson CI of :func:`clustered_difference` (``ci_low``/``ci_high``) and a percentile
    bootstrap CI resampling participants (``boot_ci_low``/``boot_ci_high``, secondary). Inputs are
    per-participant arrays (numerators: interviews with the theme; denominators: interviews)."""
    num1, den1, num2, den2 = (np.asarray(x, dtype=float) for x in (num1, den1, num2, den2))
    s1 = num1.sum() / den1.sum() if den1.sum() else np.nan
    s2 = num2.sum() / den2.sum() if den2.sum() else np.nan
    w = stats.cluster_weights(len(num1), n_boot, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = 100 * ((w @ num2) / (w @ den2) - (w @ num1) / (w @ den1))
    blo, bhi = stats.percentile_interval(b)
    lo, hi = clustered_difference(num1, den1, num2, den2)
    return {
        "share_1": 100 * s1,
        "share_2": 100 * s2,
        "difference": 100 * (s2 - s1),
        "ci_low": lo,
        "ci_high": hi,
        "boot_ci_low": blo,
        "boot_ci_high": bhi,
    }


def wave_change(
    interviews: pd.DataFrame,
    codings: pd.DataFrame,
    themes: list[str],
    n_boot: int = 2000,
    seed: int = 2014,
    participant_types=None,
) -> pd.DataFrame:
    """Change in each theme's prevalence from wave 1 to wave 2 (percentage points), among the
    participants interviewed at each wave; CI clustered by participant (:func:`clustered_difference`;
    the same person at both waves is one cluster), with a percentile bootstrap of participants beside it."""
    pres = interview_presence(interviews, codings, themes)
    if participant_types is not None:
        pres = pres[pres["participant_type"].isin(participant_types)]
    rows = []
    people = sorted(pres["participant_id"].unique())
    for t in themes:
        pw = pres.assign(has=(pres[t] > 0).astype(int))
        agg = pw.groupby(["participant_id", "wave"]).agg(k=("has", "sum"), n=("has", "size")).unstack(fill_value=0)
        agg = agg.reindex(people, fill_value=0)
        d = _difference(_col(agg, "k", 1), _col(agg, "n", 1), _col(agg, "k", 2), _col(agg, "n", 2), n_boot, seed)
        rows.append(
            {
                "theme": t,
                "n_participants": len(people),
                "n_wave1": int((_col(agg, "n", 1) > 0).sum()),
                "share_wave1": d["share_1"],
                "n_wave2": int((_col(agg, "n", 2) > 0).sum()),
                "share_wave2": d["share_2"],
                "change": d["difference"],
                "ci_low": d["ci_low"],
                "ci_high": d["ci_high"],
                "boot_ci_low": d["boot_ci_low"],
                "boot_ci_high": d["boot_ci_high"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "theme",
            "n_participants",
            "n_wave1",
            "share_wave1",
            "n_wave2",
            "share_wave2",
            "change",
            "ci_low",
            "ci_high",
            "boot_ci_low",
            "boot_ci_high",
        ],
    )


WAVE_GROUPS = {"Staff": STAFF_TYPES, "Family members": ("family_member",)}


def wave_change_by_group(
    interviews: pd.DataFrame, codings: pd.DataFrame, themes: list[str], n_boot: int = 2000, seed: int = 2014
) -> pd.DataFrame:
    """:func:`wave_change` for staff (practitioners and managers) and for family members, stacked with a
    ``group`` column (the two groups talk about different things, so they are not pooled)."""
    parts = [
        wave_change(interviews, codings, themes, n_boot, seed, types).assign(group=g)
        for g, types in WAVE_GROUPS.items()
    ]
    out = pd.concat(parts, ignore_index=True)
    return out[["group", *[c for c in out.columns if c != "group"]]]


def trained_difference(
    interviews: pd.DataFrame, codings: pd.DataFrame, themes: list[str], n_boot: int = 2000, seed: int = 2014
) -> pd.DataFrame:
    """Practitioners' interviews (not managers, not families) on the roster: each theme's prevalence among
    interviews given after systemic training against before it (or never trained), in percentage points,
    with a CI clustered by practitioner (:func:`clustered_difference`: one person may be untrained at
    wave 1 and trained at wave 2) and a percentile bootstrap of practitioners beside it."""
    pres = interview_presence(interviews, codings, themes)
    pres = pres[(pres["participant_type"] == "practitioner") & pres["trained"].notna()]
    people = sorted(pres["participant_id"].unique())
    rows = []
    for t in themes:
        pw = pres.assign(has=(pres[t] > 0).astype(int), tr=pres["trained"].astype(bool))
        agg = pw.groupby(["participant_id", "tr"]).agg(k=("has", "sum"), n=("has", "size")).unstack(fill_value=0)
        agg = agg.reindex(people, fill_value=0)
        d = _difference(
            _col(agg, "k", False), _col(agg, "n", False), _col(agg, "k", True), _col(agg, "n", True), n_boot, seed
        )
        rows.append(
            {
                "theme": t,
                "n_practitioners": len(people),
                "n_untrained": int((_col(agg, "n", False) > 0).sum()),
                "share_untrained": d["share_1"],
                "n_trained": int((_col(agg, "n", True) > 0).sum()),
                "share_trained": d["share_2"],
                "difference": d["difference"],
                "ci_low": d["ci_low"],
                "ci_high": d["ci_high"],
                "boot_ci_low": d["boot_ci_low"],
                "boot_ci_high": d["boot_ci_high"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "theme",
            "n_practitioners",
            "n_untrained",
            "share_untrained",
            "n_trained",
            "share_trained",
            "difference",
            "ci_low",
            "ci_high",
            "boot_ci_low",
            "boot_ci_high",
        ],
    )


def select_quotes(
    interviews: pd.DataFrame, codings: pd.DataFrame, themes: list[str], max_quotes: int = 4, max_chars: int = 300
) -> tuple[pd.DataFrame, dict]:
    """Quotations for the report: excerpts with recorded consent, through the project's redaction helper
    (:func:`helpers.redaction.publishable_quotes`); then, for staff and for family members in turn, one
    per theme, themes taken in ``themes`` order (most prevalent first), preferring the excerpt with the
    fewest redactions, then coded with the fewest themes, then the shortest (deterministic), never the same words twice. Returns (quotes:
    theme, participant group, wave, quote, n_redactions; counts of what was removed)."""
    cols = ["theme", "participant_group", "wave", "quote", "n_redactions"]
    cand = codings.merge(
        interviews[["interview_id", "participant_type", "wave", "consent_to_quote"]], on="interview_id"
    )
    cand = cand.drop_duplicates(["interview_id", "segment_id", "theme"])
    # A passage coded with one theme only says that theme best.
    cand["n_themes"] = cand.groupby(["interview_id", "segment_id"])["theme"].transform("size")
    cand = cand[cand["excerpt"].fillna("").str.len().between(1, max_chars)]
    kept, counts = publishable_quotes(cand, "excerpt", "consent_to_quote")
    counts["candidates"] = int(len(cand))
    counts["published"] = 0
    if kept.empty:
        return pd.DataFrame(columns=cols), counts
    rank = {t: i for i, t in enumerate(themes)}
    kept = kept.assign(
        length=kept["excerpt"].str.len(),
        order=kept["theme"].map(rank).fillna(len(rank)),
        family=kept["participant_type"] == "family_member",
    )
    kept = kept.sort_values(["order", "n_redactions", "n_themes", "length", "interview_id", "segment_id"])
    chosen, used_text, used = [], set(), set()
    per_group = {False: (max_quotes + 1) // 2, True: max_quotes // 2}
    for fam in (False, True):
        sub = kept[kept["family"] == fam]
        n = 0
        for _, row in sub.iterrows():
            if n >= per_group[fam]:
                break
            if row["theme"] in used or row["excerpt"] in used_text:
                continue
            chosen.append(row)
            used.add(row["theme"])
            used_text.add(row["excerpt"])
            n += 1
    if not chosen:
        return pd.DataFrame(columns=cols), counts
    q = pd.DataFrame(chosen)
    out = pd.DataFrame(
        {
            "theme": q["theme"],
            "participant_group": q["participant_type"].map(GROUP_LABELS),
            "wave": q["wave"].astype(int),
            "quote": q["excerpt"],
            "n_redactions": q["n_redactions"].astype(int),
        }
    )
    counts["published"] = int(len(out))
    return out.reset_index(drop=True), counts


def analyse(
    data, practitioners: pd.DataFrame | None = None, n_boot: int = 2000, seed: int = 2014, max_quotes: int = 4
) -> dict:
    """Everything the strand computes from an :class:`~.inputs.InterviewData`, keyed by output key."""
    themes = data.themes
    interviews = add_training(data.interviews, practitioners)
    codings = data.codings
    prev = prevalence(interviews, codings, themes)
    overall = prev[prev["grouping"] == "All"]
    # Order themes by overall prevalence (ties: codebook order) for every table and chart.
    order = overall.assign(k=range(len(overall))).sort_values(["share", "k"], ascending=[False, True])["theme"].tolist()
    edges = cooccurrence(codings, interviews)
    g = cooccurrence_graph(edges, themes, overall)
    quotes, quote_counts = select_quotes(interviews, codings, order, max_quotes=max_quotes)
    fm = framework_matrix(interviews, codings, themes)
    return {
        "themes": order,
        "interviews": interviews,
        "framework_matrix": fm,
        "prevalence": prev,
        "cooccurrence": edges,
        "graph": g,
        "clusters": clusters(g),
        "wave_change": wave_change_by_group(interviews, codings, themes, n_boot=n_boot, seed=seed),
        "trained_difference": trained_difference(interviews, codings, themes, n_boot=n_boot, seed=seed + 1),
        "quotes": quotes,
        "quote_counts": quote_counts,
        "codebook": data.codebook,
        "n_codings": int(len(codings)),
        "source_format": data.source_format,
        "n_coders": data.n_coders,
    }


def participants_summary(interviews: pd.DataFrame) -> pd.DataFrame:
    """Participants and interviews by type and borough (counts of people)."""
    g = interviews.groupby(["participant_type", "borough"])
    out = pd.DataFrame({"n_participants": g["participant_id"].nunique(), "n_interviews": g.size()}).reset_index()
    out["participant_type"] = out["participant_type"].map(GROUP_LABELS)
    return out
