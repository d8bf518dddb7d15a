"""The interviews section of the report: prose, tables and figures written from the analysis results.

Every number in prose goes through ``section.count`` / ``section.value``; quotations come only from
``results["quotes"]`` (consented, redacted by :mod:`helpers.redaction`).
"""

from __future__ import annotations

import html

import pandas as pd

from ...disclosure import label as row_label
from ...disclosure import people as persons  # `people` names the interviewees below
from ...disclosure import things
from ...evidence import UNUSUAL, interval_result
from ...formatting import fmt
from ...report_section import join_words
from . import charts
from .analysis import GROUP_LABELS

CAVEATS = (
    "**What qualitative prevalence can and cannot say.** A share here is the share of *the people interviewed* "
    "who raised a theme, as the coders read them. Interviewees were chosen, not sampled at random; what they "
    "raised depends on what they were asked and on how long they talked; a theme not coded is not a view not "
    "held. The shares therefore describe these interviews, not the workforce or all families, and differences "
    "between small groups are easily chance: the intervals (which treat each person's interviews as one cluster) show how much. The "
    "interviews' strength is in the *how* and *why*, which the quotations and the full transcripts carry better "
    "than any count."
)


_list = join_words

#: The prevalence tables' counts: the people interviewed in a group, and those of them raising a theme.
PREVALENCE_COUNTS = {
    "n_participants": persons("participants"),
    "n_mentioning": persons("participants raising the theme"),
}


def _quote_md(text: str) -> str:
    """A redacted quotation as inert Markdown: no HTML, no emphasis, no code, no links."""
    t = html.escape(str(text), quote=False)
    for ch in ("\\", "*", "_", "`", "#", "|", "(", ")"):
        t = t.replace(ch, "\\" + ch)
    return " ".join(t.split())


_SPEAKER = {
    GROUP_LABELS["practitioner"]: "practitioner",
    GROUP_LABELS["manager"]: "manager",
    GROUP_LABELS["family_member"]: "family member",
}


def _name(theme) -> str:
    """A theme's name for the middle of a sentence: inert Markdown (it comes from the data), first letter
    lower-cased unless the word is an acronym ("CAMHS input" stays)."""
    t = _quote_md(theme)
    return t[:1].lower() + t[1:] if len(t) > 1 and not t[1].isupper() else t


def _top(prev: pd.DataFrame, group: str, k: int = 3, threshold: int = 0) -> pd.DataFrame:
    """The group's most raised themes; themes raised by ``threshold`` people or fewer are left out (their
    share would be suppressed anyway)."""
    sub = prev[(prev["grouping"] == "Participant type") & (prev["group"] == group) & (prev["n_mentioning"] > threshold)]
    return sub.sort_values(["share", "theme"], ascending=[False, True]).head(k)


def _unusual(table: pd.DataFrame) -> pd.Series:
    """Rows whose 95% interval excludes no change, by the one wording rule (:func:`helpers.evidence.interval_result`)."""
    return pd.Series(
        [interval_result(lo, hi) == UNUSUAL for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)],
        index=table.index,
        dtype=bool,
    )


def build_section(section, results: dict, borough_label: str = "all three boroughs", method_note: str = "") -> list:
    """Fill ``section`` from :func:`~.analysis.analyse` results; returns the figures (``Section.figure`` closed them unless a notebook shows them).
    In order: who was interviewed, what people said most often, between boroughs, what changed between the
    waves, trained and not yet trained, which themes came up together, quotations, method, key findings."""
    by_type = _introduction(section, results, borough_label)
    if len(results["interviews"].drop_duplicates("participant_id")) == 0:
        section.markdown("No interviews were read for this scope, so there is nothing to describe.")
        return []
    figs = _said_most_often(section, results, by_type)
    _between_boroughs(section, results["prevalence"])
    more, findings = _what_changed(section, results)
    figs += more
    tfind = _trained(section, results)
    figs += _which_themes_together(section, results)
    _quotations(section, results)
    _method(section, results, method_note)
    _key_findings(section, results, by_type, findings, tfind)
    return figs


def _introduction(section, results: dict, borough_label: str) -> pd.Series:
    """Who was interviewed and how the coding was read; returns the people interviewed by type."""
    iv = results["interviews"]
    people = iv.drop_duplicates("participant_id")
    by_type = people["participant_type"].value_counts()
    n_fam = int(by_type.get("family_member", 0))
    source = (
        "a REFI-QDA project exported from qualitative analysis software (`.qdpx`)"
        if results["source_format"] == "qdpx"
        else "a table of coded excerpts (`interview_codings.csv`)"
    )

    section.markdown(
        f"Practitioners, managers and family members in {borough_label} were interviewed at two waves (early 2015 "
        f"and early 2016), and the transcripts were coded by theme. This section reads the coding from {source}: "
        f"{section.count(by_type.get('practitioner', 0))} practitioners, {section.count(by_type.get('manager', 0))} "
        f"managers and supervisors and {section.count(n_fam)} family members, {section.count(len(iv))} interviews and "
        f"{results['n_codings']:,} coded passages. A share below is the share of the people interviewed who raised "
        f"a theme at least once; it is not a survey result (see *what qualitative prevalence can and cannot say* "
        f"below)."
    )
    return by_type


def _said_most_often(section, results: dict, by_type: pd.Series) -> list:
    """Each group's most raised themes (prose), the heatmap of every theme by group, and its table."""
    prev = results["prevalence"]
    themes = results["themes"]
    thr = section.threshold
    figs = []
    parts = []
    for g in ("practitioner", "manager", "family_member"):
        label = GROUP_LABELS[g]
        top = _top(prev, label, threshold=thr)
        n = int(by_type.get(g, 0))
        if section.is_small(n) or top.empty:
            continue
        items = [
            f"{_name(r.theme)} ({section.value(r.share, r.n_mentioning, '{:.0f}')}% of {section.count(r.n_participants)})"
            for r in top.itertuples()
        ]
        parts.append(f"**{label}** most often raised {_list(items)}.")
    if parts:
        section.markdown(
            "### What people said most often\n\n"
            + " ".join(parts)
            + " Staff and families talk about different things: staff about their practice and its "
            "conditions, families about how they were treated and helped."
        )
    figs.append(
        section.figure(
            "interviews_prevalence",
            charts.chart_prevalence(prev, themes, thr),
            alt=(
                # the number of themes first, away from the words for people: it counts themes
                f"Heatmap of the {len(themes)} themes by the share of practitioners, managers and family members "
                "who raised each; cells resting on too few people to show (the small-count rule) are grey and marked c."
            ),
            caption="Share of participants raising each theme, by participant type (grey: too few people to show).",
        )
    )
    pt = prev[prev["grouping"].isin(["All", "Participant type"])].copy()
    section.table(
        "interviews_prevalence_by_type",
        pt[["group", "theme", "n_participants", "n_mentioning", "share"]],
        caption="Themes raised, by participant type: participants behind every share.",
        counts=PREVALENCE_COUNTS,
        dependent_columns={"share": "n_mentioning"},
        decimals=0,
        labels={
            "group": "Group",
            "theme": "Theme",
            "n_participants": "Participants",
            "n_mentioning": "Raised the theme",
            "share": "%",
        },
    )
    return figs


def _between_boroughs(section, prev: pd.DataFrame) -> None:
    """The theme raised by most participants in each borough (prose), and the table by borough."""
    bo = prev[prev["grouping"] == "Borough"]
    lines = []
    for b, sub in bo.groupby("group", sort=True):
        n = int(sub["n_participants"].max())
        if section.is_small(n):
            continue
        r = sub.sort_values(["share", "theme"], ascending=[False, True]).iloc[0]
        lines.append(
            f"{b}, {_name(r.theme)} ({section.value(r.share, r.n_mentioning, '{:.0f}')}% of "
            f"{section.count(n)} participants)"
        )
    if len(lines) > 1:
        section.markdown(
            "### Between boroughs\n\nThe theme raised by most participants in each borough: "
            + "; ".join(lines)
            + ". With a few dozen "
            "interviews per borough and a different mix of staff and families in each, differences between boroughs "
            "are descriptive only (tables in the appendix)."
        )
    section.table(
        "interviews_prevalence_by_borough",
        bo[["group", "theme", "n_participants", "n_mentioning", "share"]],
        caption="Themes raised, by borough (all participants).",
        counts=PREVALENCE_COUNTS,
        dependent_columns={"share": "n_mentioning"},
        decimals=0,
        appendix=True,
        labels={
            "group": "Borough",
            "theme": "Theme",
            "n_participants": "Participants",
            "n_mentioning": "Raised the theme",
            "share": "%",
        },
    )


def _what_changed(section, results: dict) -> tuple[list, list]:
    """Themes raised more or less often between the waves (prose, chart of staff's changes, table);
    returns the figures and the clear changes ``(group, row, people)`` for the key findings."""
    ch = results["wave_change"]
    themes = results["themes"]
    thr = section.threshold
    figs = []
    change_lines = []
    findings = []
    for grp in ("Staff", "Family members"):
        sub = ch[(ch["group"] == grp) & ((ch["share_wave1"] > 0) | (ch["share_wave2"] > 0))]
        if sub.empty:
            continue
        n1, n2 = int(sub["n_wave1"].max()), int(sub["n_wave2"].max())
        if section.is_small(n1) or section.is_small(n2):
            continue
        clear = sub[_unusual(sub)].sort_values("change", key=abs, ascending=False)
        if clear.empty:
            change_lines.append(
                f"For **{grp.lower()}** no theme changed clearly between the waves (every interval includes no change)."
            )
            continue
        desc = []
        for r in clear.itertuples():
            word = "more" if r.change > 0 else "less"
            desc.append(
                f"{_name(r.theme)} was raised {word} often ({section.value(r.share_wave1, n1, '{:.0f}')}% of "
                f"wave-1 interviews, {section.value(r.share_wave2, n2, '{:.0f}')}% at wave 2; change "
                f"{section.value(r.change, min(n1, n2), '{:+.0f}')} points, 95% CI {section.ci(r.ci_low, r.ci_high, min(n1, n2), '{:+.0f}')})"
            )
            findings.append((grp, r, min(n1, n2)))
        change_lines.append(
            f"For **{grp.lower()}** ({section.count(n1)} were interviewed at wave 1 and {section.count(n2)} were at wave 2), "
            + "; ".join(desc)
            + ". Other themes: no clear change."
        )
    if change_lines:
        section.markdown(
            "### What changed between the waves\n\n"
            + " ".join(change_lines)
            + " People interviewed at wave 2 were mostly the same people as at wave 1; the intervals "
            f"treat each person's interviews as one cluster, not as independent. With {len(themes)} themes compared in each group, about one "
            "interval in twenty would exclude no change by chance alone, so a single clear change in a "
            "small group is weak evidence."
        )
    if len(charts.changes_to_draw(ch, themes, thr, "Staff")):
        figs.append(
            section.figure(
                "interviews_change",
                charts.chart_change(ch, themes, thr, "Staff"),
                alt="Dot-and-whisker chart of the change in the share of staff interviews raising each theme between wave 1 "
                "and wave 2, in percentage points with 95% intervals; the vertical line marks no change.",
                caption="Staff: change in the share of interviews raising each theme, wave 2 minus wave 1 (95% CI).",
            )
        )
    _wave_change_table(section, ch)
    return figs, findings


def _wave_change_table(section, ch: pd.DataFrame) -> None:
    section.table(
        "interviews_wave_change",
        ch.drop(columns="n_participants"),  # with the two waves' counts it would give away who came once
        caption="Change between the waves by theme (percentage points; 95% CI clustered by participant, and the percentile bootstrap beside it).",
        counts={"n_wave1": persons("people interviewed at wave 1"), "n_wave2": persons("people interviewed at wave 2")},
        dependent_columns={
            "share_wave1": "n_wave1",
            "share_wave2": "n_wave2",
            "change": "n_wave2",
            "ci_low": "n_wave2",
            "ci_high": "n_wave2",
            "boot_ci_low": "n_wave2",
            "boot_ci_high": "n_wave2",
        },
        decimals=1,
        appendix=True,
        labels={
            "group": "Group",
            "theme": "Theme",
            "n_wave1": "Participants, wave 1",
            "share_wave1": "% wave 1",
            "n_wave2": "Participants, wave 2",
            "share_wave2": "% wave 2",
            "change": "Change (points)",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
            "boot_ci_low": "Bootstrap CI low",
            "boot_ci_high": "Bootstrap CI high",
        },
    )


def _trained(section, results: dict):
    """Practitioners' interviews after and before training (prose and table); returns the clearest
    difference (a row) for the key findings, or None."""
    themes = results["themes"]
    td = results["trained_difference"]
    tfind = None
    if len(td) and not section.is_small(td["n_trained"].max()) and not section.is_small(td["n_untrained"].max()):
        nt, nu = int(td["n_trained"].max()), int(td["n_untrained"].max())
        clear = td[_unusual(td)].sort_values("difference", key=abs, ascending=False)
        if clear.empty:
            txt = "no theme was raised clearly more or less often after training than before it."
        else:
            items = [
                f"{_name(r.theme)} {'more' if r.difference > 0 else 'less'} often ({section.value(r.share_trained, nt, '{:.0f}')}% of interviews after training against "
                f"{section.value(r.share_untrained, nu, '{:.0f}')}% before; difference {section.value(r.difference, min(nt, nu), '{:+.0f}')} "
                f"points, 95% CI {section.ci(r.ci_low, r.ci_high, min(nt, nu), '{:+.0f}')})"
                for r in clear.itertuples()
            ]
            txt = "practitioners raised " + "; and ".join(items) + " after their systemic training than before it."
            tfind = clear.iloc[0]
        section.markdown(
            f"### Trained and not yet trained practitioners\n\nComparing interviews given after the practitioner's systemic "
            f"training ({section.count(nt)} practitioners) with interviews given before it or by practitioners never trained "
            f"({section.count(nu)}), {txt} Training was not allocated at random: this is an association, and practitioners "
            "who talk about confidence may also be those put forward for training early; and with "
            f"{len(themes)} themes compared, about one interval in twenty would exclude no difference by chance."
        )
        section.table(
            "interviews_trained",
            td.drop(columns="n_practitioners"),  # with the two groups' counts it would give away who moved
            caption="Practitioners' interviews after and before systemic training, by theme (percentage points).",
            counts={
                "n_untrained": persons("practitioners interviewed before training"),
                "n_trained": persons("practitioners interviewed after training"),
            },
            dependent_columns={
                "share_untrained": "n_untrained",
                "share_trained": "n_trained",
                "difference": "n_trained",
                "ci_low": "n_trained",
                "ci_high": "n_trained",
                "boot_ci_low": "n_trained",
                "boot_ci_high": "n_trained",
            },
            decimals=1,
            appendix=True,
            labels={
                "theme": "Theme",
                "n_untrained": "Practitioners, before training",
                "share_untrained": "% before",
                "n_trained": "Practitioners, after training",
                "share_trained": "% after",
                "difference": "Difference (points)",
                "ci_low": "95% CI low",
                "ci_high": "95% CI high",
                "boot_ci_low": "Bootstrap CI low",
                "boot_ci_high": "Bootstrap CI high",
            },
        )
    return tfind


def _which_themes_together(section, results: dict) -> list:
    """The themes coded together: strongest links and clusters (prose), the network (chart) and its
    tables; returns the figures."""
    themes = results["themes"]
    thr = section.threshold
    figs = []
    edges = results["cooccurrence"]
    cl = results["clusters"]
    if len(edges):
        shown = edges.loc[~edges["n_participants"].map(section.is_small).astype(bool).to_numpy()]
        strongest = shown.sort_values(["n_interviews", "theme_a"], ascending=[False, True]).head(2)
        big = cl[cl["n_themes"] > 1]
        # the clusters by their themes, not their numbers: "cluster 2" reads as a count beside "interviews"
        cl_txt = "; ".join(_list([_name(t) for t in r.themes.split("; ")]) for r in big.itertuples())
        strong_txt = _list(
            [
                f"{_name(r.theme_a)} with {_name(r.theme_b)} (in {section.count(r.n_interviews)} interviews)"
                for r in strongest.itertuples()
            ]
        )
        section.markdown(
            "### Which themes came up together\n\nTwo themes are linked when the coders put both on the same passage "
            "or on overlapping passages. "
            + (f"The strongest links were {strong_txt}. " if strong_txt else "")
            + (f"Grouping the network into clusters (greedy modularity) gives these: {cl_txt}." if cl_txt else "")
        )
        figs.append(
            section.figure(
                "interviews_network",
                charts.chart_network(results["graph"], edges, cl, thr),
                alt=(
                    f"Network of {len(themes)} themes arranged on a circle by cluster; node size shows how many participants "
                    f"raised the theme and line width how many interviews coded two themes on the same passages; links "
                    f"resting on too few participants to show (the small-count rule) are not drawn."
                ),
                caption="Themes coded on the same or overlapping passages (links resting on few participants not drawn).",
            )
        )
        section.table(
            "interviews_cooccurrence",
            # co-coded passages are not people, but there are at least as many as the interviews behind them
            # (1 passage is 1 interview), so their number would give a suppressed count away: not shown
            edges.drop(columns=["n_overlaps"], errors="ignore"),
            caption="Co-occurring themes: the interviews and participants behind each pair.",
            counts={"n_interviews": persons("interviews"), "n_participants": persons("participants")},
            decimals=0,
            appendix=True,
            labels={
                "theme_a": "Theme",
                "theme_b": "Coded with",
                "n_interviews": "Interviews",
                "n_participants": "Participants",
            },
        )
        _clusters_table(section, cl)
    return figs


def _clusters_table(section, cl: pd.DataFrame) -> None:
    section.table(
        "interviews_clusters",
        cl,
        caption="Clusters of the co-occurrence network.",
        # themes and links are not people; the interviews behind the links are
        counts={
            "cluster": row_label("cluster number"),
            "n_themes": things("themes"),
            "internal_links": things("links between themes"),
            "internal_weight": persons("interviews"),
        },
        decimals=0,
        appendix=True,
        labels={
            "cluster": "Cluster",
            "themes": "Themes",
            "n_themes": "Themes (number)",
            "internal_links": "Links inside",
            "internal_weight": "Interviews behind those links",
        },
    )


def _quotations(section, results: dict) -> None:
    """Consented, redacted quotations, and what happened to the passages that could have been quoted."""
    q = results["quotes"]
    qc = results["quote_counts"]
    n = lambda key: fmt(qc.get(key, 0), "count")  # noqa: E731 (passages are things, as in their table)
    counts_txt = (
        f"Of {n('candidates')} coded passages short enough to quote, {n('no_consent')} were never considered "
        f"(their speaker had not agreed to be quoted); {n('unsure')} were dropped because the redaction "
        f"helper could not be sure it had removed every personal detail; {n('redacted')} of those kept had names, "
        f"places, phone numbers or dates replaced ({n('placeholders')} replacements)."
    )
    if len(q):
        lines = [
            f"> “{_quote_md(r.quote)}” — {_SPEAKER.get(r.participant_group, 'participant')}, wave {r.wave} ({_name(r.theme)})"
            for r in q.itertuples()
        ]
        section.markdown(
            "### In their words\n\n"
            + "\n>\n".join(lines)
            + "\n\n"
            + counts_txt
            + (" The quotations are synthetic sentences, not things anyone said." if section.synthetic else "")
        )
    else:
        section.markdown("### In their words\n\nNo passage could be quoted. " + counts_txt)


def _method(section, results: dict, method_note: str) -> None:
    """How the interviews were coded and compared (appendix), the caveats, the codebook and the counts
    of passages (appendix)."""
    method = method_note.strip() or (
        "In the synthetic data one coder coded every transcript against a codebook set in advance from the "
        "programme's aims (confidence and coherence in practice, systemic ideas, supervision, clinicians in teams, "
        "case recording) and from what families are asked in evaluations of children's social care (being "
        "listened to, clear plans, changes of worker, help that fits)."
        if section.synthetic
        else "Who coded, how many coders and how the codebook was built are not recorded in the project file: the "
        "evaluation team should state them here (notebook parameter `method_note`)."
    )
    n_coders = results.get("n_coders")
    if n_coders:
        method += (
            f" The project file records {n_coders} coder{'s' if n_coders > 1 else ''} as having made the codings"
            + (" (no double coding or agreement check is recorded in it)." if n_coders == 1 else ".")
        )
    section.markdown(
        "### Method\n\n" + method + " The framework matrix (one row per participant, one column per theme) is kept "
        "with the processed outputs for the evaluators; the report shows only its summaries by group. Sub-codes are counted with their theme. A participant raises a theme when at "
        "least one passage of any of their interviews is coded with it. Changes and differences compare shares of "
        "interviews. Their 95% intervals treat each person's interviews (at most two waves per person) as one cluster: "
        "each share gets a Wilson interval on its effective number of interviews (interviews divided by the design "
        "effect of clustering in people; Korn and Graubard 1998, with a t on the number of people minus one degrees of "
        "freedom), and the two are combined into an interval for the difference allowing for the same people being in "
        "both (MOVER; Newcombe 1998, Zou and Donner 2008). The appendix tables also give a percentile bootstrap "
        "resampling participants for comparison: in the project's calibration on synthetic data "
        "(benchmarks/calibration.py) it was about 5% too narrow, with up to 7% false positives where nothing changed. "
        "Quotations are used only where consent to quote was recorded, and only after the project's "
        "redaction helper has replaced names, places, postcodes, phone numbers, e-mail addresses and dates; a "
        "passage it is unsure of is dropped, never published.",
        appendix=True,
    )
    section.markdown(CAVEATS)
    cb = results["codebook"]
    if len(cb):
        section.table(
            "interviews_codebook",
            cb[["code_path", "description"]],
            caption="The codebook as read (themes and sub-codes).",
            appendix=True,
            labels={"code_path": "Code", "description": "Description"},
        )
    section.table(
        "interviews_quote_counts",
        pd.DataFrame(list(results["quote_counts"].items()), columns=["outcome", "passages"]),
        caption="What happened to the passages that could have been quoted.",
        counts={"passages": things("passages of interview text")},
        appendix=True,
        labels={"outcome": "Outcome", "passages": "Passages"},
    )


def _key_findings(section, results: dict, by_type: pd.Series, findings: list, tfind) -> None:
    """The strand's findings for the summary: the most raised themes, the clearest change between the
    waves and the clearest difference after training."""
    prev = results["prevalence"]
    td = results["trained_difference"]
    thr = section.threshold
    n_people = len(results["interviews"].drop_duplicates("participant_id"))
    n_staff = int(by_type.get("practitioner", 0) + by_type.get("manager", 0))
    n_fam = int(by_type.get("family_member", 0))
    staff_top = pd.concat(
        [_top(prev, GROUP_LABELS["practitioner"], 1, thr), _top(prev, GROUP_LABELS["manager"], 1, thr)]
    )
    fam_top = _top(prev, GROUP_LABELS["family_member"], 1, thr)
    if n_staff and not section.is_small(n_staff) and not staff_top.empty:
        s = _top(prev, GROUP_LABELS["practitioner"], 1, thr)
        s = s.iloc[0] if len(s) else staff_top.iloc[0]
        text = f"Practitioners most often talked about {_name(s.theme)} ({section.value(s.share, s.n_mentioning, '{:.0f}')}% of them)"
        if not fam_top.empty and not section.is_small(n_fam):
            f = fam_top.iloc[0]
            text += f"; families about {_name(f.theme)} ({section.value(f.share, f.n_mentioning, '{:.0f}')}%)"
        section.key_finding(
            text + ".",
            # a description of the people chosen for interview (not sampled): a fact about them, not an effect
            kind="fact",
            source="sample",
            estimate=float(s.share),
            n=int(n_people),
            label="Most raised theme (interviews)",
        )
    if findings:
        # The change resting on the most people, then the largest: a big change in a small group is the
        # likeliest to be chance among the many compared.
        grp, r, n = max(findings, key=lambda x: (x[2], abs(x[1].change)))
        section.key_finding(
            f"Among {grp.lower()}, {_name(r.theme)} was raised {'more' if r.change > 0 else 'less'} often at wave 2 than at wave 1 "
            f"({section.value(r.change, n, '{:+.0f}')} percentage points, 95% CI {section.ci(r.ci_low, r.ci_high, n, '{:+.0f}')}).",
            # the same people before and after; the interval is clustered by person
            kind="effect",
            design="before_after",
            unit="people",
            units=int(r.n_participants),
            estimate=float(r.change),
            ci=(float(r.ci_low), float(r.ci_high)),
            n=int(n),
            label="Change between waves (interviews)",
        )
    if tfind is not None:
        n = int(min(td["n_trained"].max(), td["n_untrained"].max()))
        section.key_finding(
            f"Practitioners raised {_name(tfind.theme)} {'more' if tfind.difference > 0 else 'less'} often after systemic training than "
            f"before it ({section.value(tfind.difference, n, '{:+.0f}')} percentage points, 95% CI {section.ci(tfind.ci_low, tfind.ci_high, n, '{:+.0f}')}); "
            "an association, not an effect of training.",
            # interviews after training against interviews before it, waves pooled: nothing separates time
            # from training; the interval is clustered by practitioner
            kind="effect",
            design="cross_sectional",
            unit="practitioners",
            units=int(tfind.n_practitioners),
            estimate=float(tfind.difference),
            ci=(float(tfind.ci_low), float(tfind.ci_high)),
            n=n,
            label="Trained vs not yet trained (interviews)",
        )
