"""Network maps report section: prose, tables, aggregate charts and example maps from the analysis results."""

from __future__ import annotations

import pandas as pd

from helpers import stats
from helpers.disclosure import SUPPRESSED, people, protect
from helpers.evidence import Check
from helpers.roster import LEVELS_OF_NEED

from . import charts
from .analysis import composition_by_wave, pick_examples
from .inputs import NOT_RECORDED, NetworkData

# --------------------------------------------------------------------------------------------------
# Report section


def build_section(
    section,
    data: NetworkData,
    measures: pd.DataFrame,
    change: pd.DataFrame,
    summary: pd.DataFrame,
    by_training: pd.DataFrame,
    families: pd.DataFrame | None,
    graphs: dict,
    association: dict | None,
    n_examples: int = 3,
    min_count: int | None = None,
):
    """Fill the report section: plain-English prose from the data, tables, aggregate charts and example maps.

    Tables declare their count columns and margins, so the report suppresses small counts (and what
    would give them back); prose and alt text go through ``section.count`` / ``section.value``, and
    charts leave out any group of ``section.threshold`` or fewer families (``min_count``, when given,
    can only raise that). Example maps only of families who agreed to be shown.
    The parts, in order: the maps analysed; what the networks look like; what changed and for whom;
    who holds networks together; network change and SCORE-15; example maps; cross-file checks.
    """
    section.markdown(
        "Families drew a network map with their worker near the start of the work (wave 1) and again "
        "some months later (wave 2): everyone around the family, from relatives and friends to schools and "
        "services, how close each is, how they help, and how the relationship feels (the Social Network Map "
        "of Tracy and Whittaker, drawn as an ecomap). People on the maps are described only by their role."
    )
    if not len(measures):
        section.markdown("No network maps were available for this scope.")
        return section
    min_count = max(min_count or 0, section.threshold + 1)
    _key_findings(section, summary)
    _maps_analysed(section, measures, change)
    _what_networks_look_like(section, measures, families, min_count)
    _what_changed(section, change, summary, by_training, min_count)
    _change_table_and_chart(section, summary, min_count)
    _change_by_need(section, change)
    _who_holds_networks_together(section, measures)
    _score15_association(section, association, min_count)
    _example_maps(section, change, graphs, n_examples, data.maps)
    rej = data.cross_file_rejections
    if sum(rej.values()):
        section.markdown(
            f"Data checks across the three map files rejected {rej.get('network_members', 0)} member rows and "
            f"{rej.get('network_ties', 0)} tie rows (for example a tie to a member not on that map); they are listed in the data-quality section.",
            appendix=True,
        )
    return section


def _maps_analysed(section, measures: pd.DataFrame, change: pd.DataFrame) -> None:
    """How many maps and families, at which waves, and on how many maps ties were recorded.

    A family has one map per wave, so these counts are counts of families, and they are linked
    (families = both waves + one map; maps = wave 1 + wave 2 = 2 x both waves + one map): they are
    suppressed together by the shared rule (:func:`helpers.disclosure.protect`), so that no "c" can be
    worked out from the others."""
    w1 = int((measures["wave"] == 1).sum())
    w2 = int((measures["wave"] == 2).sum())
    values = {
        "maps": len(measures),
        "families": measures["family_id"].nunique(),
        "both": len(change),
        "one": measures["family_id"].nunique() - len(change),
        "w1": w1,
        "w2": w2,
    }
    primary = {k for k, v in values.items() if section.is_small(v)}
    hidden, _ = protect(
        values,
        primary,
        [(["families"], ["both", "one"]), (["maps"], ["w1", "w2"]), (["maps"], ["both", "both", "one"])],
    )
    c = {k: SUPPRESSED if k in hidden else section.count(v) for k, v in values.items()}
    ties_share = measures["ties_recorded"].mean()
    section.markdown(
        f"**{c['maps']} maps** from **{c['families']} families** were analysed: {c['w1']} at wave 1 and {c['w2']} at "
        f"wave 2; {c['both']} families have a map at both waves, and {c['one']} only one map. "
        f"On {section.value(100 * ties_share, len(measures), '{:.0f}')}% of maps the family also said which of their "
        "members know each other, so density and the people who hold the network together are described for those "
        "maps only; on the others they are 'not recorded', not zero."
    )


def _measures_by_wave(measures: pd.DataFrame) -> pd.DataFrame:
    """Means over maps of the main measures at each wave, with human headers (the section's first table)."""
    by_wave = []
    for w in (1, 2):
        s = measures[measures["wave"] == w]
        if not len(s):
            continue
        by_wave.append(
            {
                "Wave": f"Wave {w}",
                "n_maps": len(s),
                "Members (mean)": s["size"].mean(),
                "Informal members (mean)": s["n_informal"].mean(),
                "Formal services (mean)": s["n_formal"].mean(),
                "Informal share": s["informal_share"].mean(),
                "Emotional support (1-3)": s["mean_emotional"].mean(),
                "Practical support (1-3)": s["mean_practical"].mean(),
                "Informational support (1-3)": s["mean_informational"].mean(),
                "Criticism (1-3)": s["mean_criticism"].mean(),
                "Help both ways (share)": s["reciprocity"].mean(),
                "Two or more kinds of support (share)": s["multiplexity"].mean(),
                "Strong (share)": s["share_strong"].mean(),
                "Stressful (share)": s["share_stressful"].mean(),
                "n_maps_ties_recorded": int(s["ties_recorded"].sum()),
                "Density (ties recorded)": s["density"].mean(),
            }
        )
    return pd.DataFrame(by_wave)


def _what_networks_look_like(section, measures: pd.DataFrame, families: pd.DataFrame | None, min_count: int) -> None:
    """Size and mix of the maps at wave 1 (prose), measures by wave (table), composition by training (chart)."""
    w1 = measures[measures["wave"] == 1]
    n1 = len(w1)
    v = lambda x, fmt="{:.0f}": section.value(x, n1, fmt)  # noqa: E731
    inf_share = w1["informal_share"].mean()
    section.markdown(
        f"**What the networks look like.** At wave 1 the typical (median) map had {v(w1['size'].median())} members "
        f"(range {v(w1['size'].min())} to {v(w1['size'].max())}). On average {v(100 * inf_share)}% of members were "
        f"informal (household, relatives, friends, neighbours, work or school, community groups) and "
        f"{v(100 * (1 - inf_share))}% were formal services. Help went both ways with "
        f"{v(100 * w1['reciprocity'].mean())}% of members, and {v(100 * w1['multiplexity'].mean())}% gave more than "
        "one kind of support."
    )
    by_wave = _measures_by_wave(measures)
    section.table(
        "map_measures_by_wave",
        by_wave,
        caption="Network measures at each wave: means over maps (all families with a map at that wave).",
        counts={"n_maps": people("families' maps"), "n_maps_ties_recorded": people("families' maps")},
        dependent_columns={
            **{
                c: "n_maps"
                for c in by_wave.columns
                if c not in ("Wave", "n_maps", "n_maps_ties_recorded", "Density (ties recorded)")
            },
            "Density (ties recorded)": "n_maps_ties_recorded",
        },
        note="Shares are of members on each map, averaged over maps. Density only on maps where ties between members were recorded.",
        labels={"n_maps": "Maps", "n_maps_ties_recorded": "Maps with ties recorded"},
    )
    comp = composition_by_wave(measures, families)
    small = comp.groupby("group")["n_maps"].transform("min") < min_count
    comp = comp[~small | (comp["group"] == "all")]
    fig = charts.composition_chart(comp)
    section.figure(
        "composition",
        fig,
        caption="Who is in families' networks: mean members per domain at each wave, by whether the practitioner was systemically trained (groups of too few families to show are left out).",
        alt=(
            "Stacked bars of the mean number of network members in each life domain, at wave 1 and wave 2, for all "
            "families and by the practitioner's training. At wave 1 the mean map had "
            f"{v(w1['size'].mean(), '{:.1f}')} members, {v(w1['n_informal'].mean(), '{:.1f}')} of them informal."
        ),
    )


def _summary_row(summary: pd.DataFrame, measure: str, group: str):
    """The change-summary row of one measure and group, or None."""
    r = summary[(summary["measure"] == measure) & (summary["group"] == group)]
    return r.iloc[0] if len(r) else None


def _what_changed(
    section, change: pd.DataFrame, summary: pd.DataFrame, by_training: pd.DataFrame, min_count: int
) -> None:
    """What changed between waves, overall and by the practitioner's training (prose); a group of
    ``min_count`` - 1 or fewer families is not described."""
    allr = _summary_row(summary, "size", "all")
    inf = {g: _summary_row(summary, "n_informal", g) for g in ("all", "trained", "not trained")}
    form = _summary_row(summary, "n_formal", "all")

    def ci(row):  # practitioner-clustered: families of one practitioner may change alike
        return f"95% CI {section.ci(row['cluster_ci_low'], row['cluster_ci_high'], row['n_families'])}"

    def sv(row, col="mean_change"):
        return section.value(row[col], row["n_families"], "{:+.1f}")

    if allr is not None and allr["n_families"] >= min_count:
        n = len(change)
        section.markdown(
            f"**What changed.** Across the {section.count(allr['n_families'])} families with two maps, networks changed by "
            f"{sv(allr)} members on average ({ci(allr)}; d_z = {section.value(allr['d_z'], allr['n_families'], '{:.2f}')}). "
            f"Informal members changed by {sv(inf['all'])} ({ci(inf['all'])}) and "
            f"formal services by {sv(form)} ({ci(form)}). "
            "These intervals allow for families of one practitioner (up to five) changing alike "
            "(errors clustered by practitioner). "
            f"On average a family kept {section.value(change['kept'].mean(), n)} members, lost "
            f"{section.value(change['lost'].mean(), n)} and gained {section.value(change['gained'].mean(), n)}: "
            "networks turn over even when their size stays the same."
        )
    if (
        inf.get("trained") is not None
        and inf.get("not trained") is not None
        and len(by_training)
        and inf["trained"]["n_families"] >= min_count
        and inf["not trained"]["n_families"] >= min_count
    ):
        d = by_training[by_training["measure"] == "n_informal"].iloc[0]
        t, u = inf["trained"], inf["not trained"]
        n_d = min(t["n_families"], u["n_families"])
        dv = lambda x: section.value(x, n_d, "{:+.1f}")  # noqa: E731
        section.markdown(
            f"**For whom.** Where the practitioner had completed systemic training before the work began, families' "
            f"informal networks changed by {sv(t)} members ({ci(t)}, {section.count(t['n_families'])} families); where "
            f"not, by {sv(u)} ({ci(u)}, {section.count(u['n_families'])} families). Comparing families that started "
            f"with the same number of informal members (ANCOVA, errors clustered by practitioner, as up to five "
            f"families share one), the difference is {dv(d['adjusted_difference'])} members (95% CI "
            f"{dv(d['adjusted_ci_low'])} to {dv(d['adjusted_ci_high'])}); unadjusted, {dv(d['difference'])}. "
            "Training was rolled out over time, so the two groups also began work at different times, and whatever "
            "else changed over those months is mixed up with the training. "
            "This compares families of trained and untrained practitioners; it is not a randomised comparison, "
            "and families may differ in other ways."
        )


def _key_findings(section, summary: pd.DataFrame) -> None:
    """The strand's finding for the executive summary: mean change in informal network members per
    family, with the results its strength is judged from (before and after, no comparison group; the
    practitioners its interval is clustered by; the families of trained and of untrained practitioners
    on their own as checks)."""
    r = _summary_row(summary, "n_informal", "all")
    if r is None or pd.isna(r["mean_change"]) or section.is_small(r["n_families"]):
        return
    n = int(r["n_families"])
    ci = (r["cluster_ci_low"], r["cluster_ci_high"])  # practitioner-clustered (primary)
    groups = {g: _summary_row(summary, "n_informal", g) for g in ("trained", "not trained")}
    v = lambda x: section.value(x, n, "{:+.1f}")  # noqa: E731
    section.key_finding(
        f"The number of informal members (relatives, friends, neighbours, community) in families' networks changed by "
        f"{v(r['mean_change'])} on average between the two maps (95% CI {section.ci(ci[0], ci[1], n, '{:+.1f}')}; "
        f"{section.count(n)} families). Networks turn over between maps, and there is no comparison group.",
        kind="effect",
        design="before_after",
        unit="practitioners",
        units=r["n_practitioners"],
        estimate=r["mean_change"],
        ci=ci,
        checks=[
            Check(f"families of {g} practitioners", g_r["mean_change"])
            for g, g_r in groups.items()
            if g_r is not None and not section.is_small(g_r["n_families"])  # a small group's figure is never recorded
        ],
        n=n,
        label="Informal network members",
    )


def _change_table_and_chart(section, summary: pd.DataFrame, min_count: int) -> None:
    """Paired means and CIs of the main measures (table) and the change by training (chart)."""
    tab, shown = _change_summary_table(section, summary)
    _change_by_training_chart(section, summary, _suppressed_groups(tab, shown), min_count)


def _change_summary_table(section, summary: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The appendix table of paired means, the mean change with its practitioner-clustered CI and d_z for
    the main measures; returns the table and the table as shown (with the report's suppression)."""
    tab = summary[
        summary["measure"].isin(
            [
                "size",
                "n_informal",
                "n_formal",
                "informal_share",
                "mean_emotional",
                "mean_practical",
                "reciprocity",
                "density",
            ]
        )
    ]
    tab = tab.assign(
        group=tab["group"].map({"all": "All families", "trained": "Trained", "not trained": "Not trained"})
    )
    tab = tab[
        [
            "label",
            "group",
            "n_families",
            "mean_wave1",
            "mean_wave2",
            "mean_change",
            "cluster_ci_low",
            "cluster_ci_high",
            "d_z",
        ]
    ].rename(
        columns={
            "label": "Measure",
            "group": "Practitioner",
            "mean_wave1": "Wave 1",
            "mean_wave2": "Wave 2",
            "mean_change": "Change",
            "cluster_ci_low": "95% CI low",
            "cluster_ci_high": "95% CI high",
            "d_z": "d_z",
        }
    )
    shown = section.table(
        "change_summary",
        tab,
        caption="Change between waves (families with maps at both waves): paired means, 95% CI of the mean change "
        "(errors clustered by practitioner, as up to five families share one) and Cohen's d_z.",
        counts={"n_families": people("families")},
        # every value describes the families counted: hidden where their count is, whatever columns are added
        dependent_columns={c: "n_families" for c in tab.columns if c not in ("Measure", "Practitioner", "n_families")},
        labels={"n_families": "Families", "d_z": "Effect size (d_z)"},
        appendix=True,
    )
    return tab, shown


def _suppressed_groups(tab: pd.DataFrame, shown: pd.DataFrame) -> set:
    """(measure label, group as in the summary) of every change-table row whose families the report
    suppresses, also by secondary suppression: the chart must not draw what the table hides."""
    hidden = {
        (m, g)
        for m, g, n in zip(tab["Measure"], tab["Practitioner"], shown["n_families"], strict=True)
        if n == SUPPRESSED
    }
    names = {"All families": "all", "Trained": "trained", "Not trained": "not trained"}
    return {(m, names.get(g, g)) for m, g in hidden}


def _change_by_training_chart(section, summary: pd.DataFrame, hidden: set, min_count: int) -> None:
    """The dot-and-whisker chart of the change in members by the practitioner's training, leaving out groups of
    fewer than ``min_count`` families and those the table suppresses (``hidden``); no chart when none is left."""
    shown = summary[
        (summary["n_families"] >= min_count)
        & ~pd.Series(
            [(lab, g) in hidden for lab, g in zip(summary["label"], summary["group"], strict=True)], index=summary.index
        )
    ]
    if not len(shown):
        return
    fig = charts.change_chart(shown, ["size", "n_informal", "n_formal"])
    left_out = set(summary["group"]) - set(shown["group"])
    section.figure(
        "change_by_training",
        fig,
        caption="Mean change in network members between waves, with 95% confidence intervals (clustered by "
        "practitioner), by the practitioner's training."
        + (" Groups of too few families to show are left out." if left_out else ""),
        alt="Dot-and-whisker chart of the mean change between waves in the number of members, informal members and "
        "formal services, for all families"
        + (" and separately for families of trained and untrained practitioners" if not left_out else "")
        + ", each with its 95% confidence interval.",
    )


def _change_by_need(section, change: pd.DataFrame) -> None:
    """Change by the family's level of need when work began (table), when it was recorded."""
    if len(change) and change["level_of_need"].notna().any():
        need = (
            change.groupby("level_of_need", observed=True)
            .agg(
                n_families=("family_id", "size"),
                informal_change=("n_informal_change", "mean"),
                formal_change=("n_formal_change", "mean"),
                size_w1=("size_w1", "mean"),
            )
            .reset_index()
        )
        need["level_of_need"] = need["level_of_need"].map(LEVELS_OF_NEED).fillna(need["level_of_need"]).astype(str)
        # The total row makes the margin explicit (the prose and the change table give the number of
        # families with two maps), so secondary suppression protects the levels against it.
        total = {
            "level_of_need": "All levels",
            "n_families": int(need["n_families"].sum()),
            "informal_change": change["n_informal_change"].mean(),
            "formal_change": change["n_formal_change"].mean(),
            "size_w1": change["size_w1"].mean(),
        }
        if change["level_of_need"].isna().any():
            missing = change[change["level_of_need"].isna()]
            need = pd.concat(
                [
                    need,
                    pd.DataFrame(
                        [
                            {
                                "level_of_need": "Not recorded",
                                "n_families": len(missing),
                                "informal_change": missing["n_informal_change"].mean(),
                                "formal_change": missing["n_formal_change"].mean(),
                                "size_w1": missing["size_w1"].mean(),
                            }
                        ]
                    ),
                ],
                ignore_index=True,
            )
        need = pd.concat([need, pd.DataFrame([total])], ignore_index=True)
        need = need.rename(
            columns={
                "level_of_need": "Level of need",
                "informal_change": "Informal change (mean)",
                "formal_change": "Formal change (mean)",
                "size_w1": "Members at wave 1 (mean)",
            }
        )
        section.table(
            "change_by_need",
            need,
            caption="Change by level of need when work began (families with maps at both waves).",
            counts={"n_families": people("families")},
            dependent_columns={c: "n_families" for c in need.columns[2:]},
            labels={"n_families": "Families"},
        )


def _who_holds_networks_together(section, measures: pd.DataFrame) -> None:
    """Density and separate groups on maps with ties recorded, and the roles most often 'in between'."""
    rec = measures[measures["ties_recorded"]]
    if not len(rec):
        return
    keys = rec.loc[~rec["key_member_role"].isin(["none", NOT_RECORDED]), "key_member_role"]
    top = keys.value_counts().rename_axis("Role").reset_index(name="n_maps").head(8)
    n = len(rec)
    section.markdown(
        f"**Who holds networks together.** On the {section.count(n)} maps with ties recorded, a median of "
        f"{section.value(100 * rec['density'].median(), n, '{:.0f}')}% of the possible pairs of members knew each other; "
        "once the family itself is set aside, "
        f"{section.value(100 * (rec['n_components'] > 1).mean(), n, '{:.0f}')}% of these networks fall into separate "
        "groups who do not know each other. The person most often 'in between' others (highest betweenness) is listed "
        "by role below."
    )
    section.table(
        "key_members",
        top,
        caption="Roles of the member with the highest betweenness on each map (maps with ties recorded; the most common roles).",
        counts={"n_maps": people("families' maps")},
        labels={"n_maps": "Maps"},
    )


def _score15_association(section, association: dict | None, min_count: int) -> None:
    """The correlation between change in informal members and change in SCORE-15, when there are enough families."""
    if association is None:
        section.markdown(
            "**Network change and family functioning.** SCORE-15 results not available: the association between network change and SCORE-15 change is not computed."
        )
    elif association["n"] < max(4, min_count) or section.is_small(association["n"]) or pd.isna(association["rho"]):
        section.markdown(
            "**Network change and family functioning.** Too few families have both a network change and a SCORE-15 change to describe their association."
        )
    else:
        section.markdown(
            f"**Network change and family functioning.** For the {section.count(association['n'])} families with both, the change in informal "
            f"members and the change in SCORE-15 total (higher scores mean more reported difficulty) had a Spearman correlation of "
            f"{section.value(association['rho'], association['n'], '{:.2f}')} (95% CI "
            f"{section.ci(association['ci_low'], association['ci_high'], association['n'], '{:.2f}')}; "
            f"{stats.describe_p(association['p'])}). "
            "A correlation across families does not show that one change caused the other."
        )


def consented_families(maps: pd.DataFrame | None) -> set:
    """Families whose every map records consent to be shown as an example (``illustration_consent``)."""
    if maps is None or "illustration_consent" not in maps.columns or not len(maps):
        return set()
    ok = maps.groupby("family_id")["illustration_consent"].all()
    return set(ok[ok].index)


def _example_maps(
    section, change: pd.DataFrame, graphs: dict, n_examples: int, maps: pd.DataFrame | None = None
) -> None:
    """Example families chosen by a fixed rule among those who agreed to be shown, drawn at both waves,
    and an overview grid of their wave-1 maps. Without recorded consent no family's map is drawn."""
    consented = consented_families(maps)
    examples = pick_examples(change[change["family_id"].isin(consented)], n_examples) if n_examples else []
    if not examples:
        section.markdown(
            "**Example maps.** No example map is shown: individual families' networks are drawn only where the family "
            "agreed to its map being used as an illustration (recorded with the map), and no family in this "
            "selection did. The charts above summarise all maps."
        )
        return
    section.markdown(
        "**Example maps.** The maps below are of families who agreed to their map being shown as an illustration "
        "(recorded with the map; no other family's map is drawn). Among them, examples were chosen by a fixed rule (a "
        "family close to the average change for trained and for untrained practitioners, and the family with most "
        "services), labelled by role only. "
        "The family is at the centre; rings show closeness (inner ring very close); colour shows the life domain; "
        "solid lines are strong relationships, dashed tenuous, jagged stressful; arrows show which way help goes. "
        "Members present at both waves keep their place."
        + (" The first example is shown here, the others in the technical appendix." if len(examples) > 1 else "")
    )
    for i, f in enumerate(examples):
        name = f"Family {chr(65 + i)}"
        fig = charts.draw_family_waves(graphs.get((f, 1)), graphs.get((f, 2)), title=name)
        section.figure(
            f"example_{chr(97 + i)}",
            fig,
            caption=f"{name}: network map at wave 1 and wave 2 (shown with the family's consent).",
            alt=f"Two ecomaps of {name}, wave 1 above wave 2, members labelled by role only, showing which "
            "members were kept, lost and gained between the waves.",
            appendix=i > 0,  # one example map in the body: a map is one idea, and each is a phone's screen tall
        )
    keys = sorted(k for k in graphs if k[1] == 1 and k[0] in consented)
    if len(keys) <= len(examples):
        return
    step = max(1, len(keys) // 12)
    sample = keys[::step][:12]
    fig = charts.small_multiples([graphs[k] for k in sample], titles=[f"Map {i + 1}" for i in range(len(sample))])
    section.figure(
        "overview",
        fig,
        caption="Overview: a fixed sample of wave-1 maps of families who agreed to be shown, drawn the same way without labels.",
        alt="A grid of small ecomaps at wave 1 of families who agreed to be shown, showing how networks differ in size "
        "and in the mix of family, friends and services.",
        appendix=True,
    )
