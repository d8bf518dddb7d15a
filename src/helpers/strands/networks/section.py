"""Network maps report section: prose, tables, aggregate charts and example maps from the analysis results."""

from __future__ import annotations

import re

import pandas as pd

from helpers import stats
from helpers.config import DEFAULT_SUPPRESSION_THRESHOLD
from helpers.roster import LEVELS_OF_NEED

from . import charts
from .analysis import composition_by_wave, pick_examples
from .inputs import NOT_RECORDED, NetworkData

# --------------------------------------------------------------------------------------------------
# Report section


def _num(x, fmt="{:.1f}") -> str:
    """A number as prose prints it, never as '-0.0'."""
    text = fmt.format(x)
    return text[1:] if re.fullmatch(r"[-+]0(\.0+)?", text) else text


def _signed(x) -> str:
    return _num(x, "{:+.1f}")


def _ci(lo, hi, fmt="{:.1f}") -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "CI not computed"
    return f"95% CI {_num(lo, fmt)} to {_num(hi, fmt)}"


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
    min_count: int = DEFAULT_SUPPRESSION_THRESHOLD + 1,
):
    """Fill the report section: plain-English prose from the data, tables, aggregate charts and example maps.

    Tables declare their count columns, so the report suppresses small counts; charts and prose, which
    the report cannot suppress, leave out any group with fewer than ``min_count`` families or maps.
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
    _maps_analysed(section, measures, change)
    _what_networks_look_like(section, measures, families, min_count)
    _what_changed(section, change, summary, by_training, min_count)
    _change_table_and_chart(section, summary, min_count)
    _change_by_need(section, change)
    _who_holds_networks_together(section, measures)
    _score15_association(section, association, min_count)
    _example_maps(section, change, graphs, n_examples)
    rej = data.cross_file_rejections
    if sum(rej.values()):
        section.markdown(
            f"Data checks across the three map files rejected {rej.get('network_members', 0)} member rows and "
            f"{rej.get('network_ties', 0)} tie rows (for example a tie to a member not on that map); they are listed in the data-quality section."
        )
    return section


def _maps_analysed(section, measures: pd.DataFrame, change: pd.DataFrame) -> None:
    """How many maps and families, at which waves, and on how many maps ties were recorded."""
    n_maps = len(measures)
    n_fam = measures["family_id"].nunique()
    n_both = len(change)
    w1 = measures[measures["wave"] == 1]
    w2 = measures[measures["wave"] == 2]
    ties_share = measures["ties_recorded"].mean()
    section.markdown(
        f"**{n_maps} maps** from **{n_fam} families** were analysed: {len(w1)} at wave 1 and {len(w2)} at "
        f"wave 2; {n_both} families have a map at both waves, and {n_fam - n_both} only one map. "
        f"On {ties_share:.0%} of maps the family also said which of their members know each other, so "
        f"density and the people who hold the network together are described for those maps only; on the "
        f"others they are 'not recorded', not zero."
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
    size_med = w1["size"].median()
    inf_share = w1["informal_share"].mean()
    section.markdown(
        f"**What the networks look like.** At wave 1 the typical (median) map had {size_med:.0f} members "
        f"(range {w1['size'].min()} to {w1['size'].max()}). On average {inf_share:.0%} of members were "
        f"informal (household, relatives, friends, neighbours, work or school, community groups) and "
        f"{1 - inf_share:.0%} were formal services. Help went both ways with {w1['reciprocity'].mean():.0%} "
        f"of members, and {w1['multiplexity'].mean():.0%} gave more than one kind of support."
    )
    by_wave = _measures_by_wave(measures)
    section.table(
        "map_measures_by_wave",
        by_wave,
        caption="Network measures at each wave: means over maps (all families with a map at that wave).",
        count_columns=["n_maps", "n_maps_ties_recorded"],
        dependent_columns={
            **{
                c: "n_maps"
                for c in by_wave.columns
                if c not in ("Wave", "n_maps", "n_maps_ties_recorded", "Density (ties recorded)")
            },
            "Density (ties recorded)": "n_maps_ties_recorded",
        },
        note="Shares are of members on each map, averaged over maps. Density only on maps where ties between members were recorded.",
    )
    comp = composition_by_wave(measures, families)
    small = comp.groupby("group")["n_maps"].transform("min") < min_count
    comp = comp[~small | (comp["group"] == "all")]
    fig = charts.composition_chart(comp)
    section.figure(
        "composition",
        fig,
        caption="Who is in families' networks: mean members per domain at each wave, by whether the practitioner was systemically trained.",
        alt=f"Stacked bars of the mean number of network members in each life domain, at wave 1 and wave 2, for all families and by the practitioner's training. At wave 1 the mean map had {w1['size'].mean():.1f} members, {w1['n_informal'].mean():.1f} of them informal.",
    )


def _summary_row(summary: pd.DataFrame, measure: str, group: str):
    """The change-summary row of one measure and group, or None."""
    r = summary[(summary["measure"] == measure) & (summary["group"] == group)]
    return r.iloc[0] if len(r) else None


def _what_changed(
    section, change: pd.DataFrame, summary: pd.DataFrame, by_training: pd.DataFrame, min_count: int
) -> None:
    """What changed between waves, overall and by the practitioner's training (prose)."""
    allr = _summary_row(summary, "size", "all")
    inf = {g: _summary_row(summary, "n_informal", g) for g in ("all", "trained", "not trained")}
    form = _summary_row(summary, "n_formal", "all")
    if allr is not None and allr["n_families"] >= min_count:
        section.markdown(
            f"**What changed.** Across the {int(allr['n_families'])} families with two maps, networks changed by "
            f"{_signed(allr['mean_change'])} members on average ({_ci(allr['ci_low'], allr['ci_high'])}; d_z = {allr['d_z']:.2f}). "
            f"Informal members changed by {_signed(inf['all']['mean_change'])} ({_ci(inf['all']['ci_low'], inf['all']['ci_high'])}) and "
            f"formal services by {_signed(form['mean_change'])} ({_ci(form['ci_low'], form['ci_high'])}). "
            f"On average a family kept {change['kept'].mean():.1f} members, lost {change['lost'].mean():.1f} and gained "
            f"{change['gained'].mean():.1f}: networks turn over even when their size stays the same."
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
        section.markdown(
            f"**For whom.** Where the practitioner had completed systemic training before the work began, families' "
            f"informal networks changed by {_signed(t['mean_change'])} members ({_ci(t['ci_low'], t['ci_high'])}, "
            f"{int(t['n_families'])} families); where not, by {_signed(u['mean_change'])} ({_ci(u['ci_low'], u['ci_high'])}, "
            f"{int(u['n_families'])} families). The difference is {_signed(d['difference'])} members "
            f"({_ci(d['ci_low'], d['ci_high'])}; bootstrap {_ci(d['boot_ci_low'], d['boot_ci_high'])}). "
            "This compares families of trained and untrained practitioners; it is not a randomised comparison, "
            "and families may differ in other ways."
        )


def _change_table_and_chart(section, summary: pd.DataFrame, min_count: int) -> None:
    """Paired means and CIs of the main measures (table) and the change by training (chart)."""
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
        ["label", "group", "n_families", "mean_wave1", "mean_wave2", "mean_change", "ci_low", "ci_high", "d_z"]
    ].rename(
        columns={
            "label": "Measure",
            "group": "Practitioner",
            "mean_wave1": "Wave 1",
            "mean_wave2": "Wave 2",
            "mean_change": "Change",
            "ci_low": "95% CI low",
            "ci_high": "95% CI high",
            "d_z": "d_z",
        }
    )
    section.table(
        "change_summary",
        tab,
        caption="Change between waves (families with maps at both waves): paired means, 95% CI of the mean change and Cohen's d_z.",
        count_columns=["n_families"],
        dependent_columns={c: "n_families" for c in ["Wave 1", "Wave 2", "Change", "95% CI low", "95% CI high", "d_z"]},
    )
    shown = summary[(summary["n_families"] >= min_count) | (summary["group"] == "all")]
    fig = charts.change_chart(shown, ["size", "n_informal", "n_formal"])
    section.figure(
        "change_by_training",
        fig,
        caption="Mean change in network members between waves, with 95% confidence intervals, by the practitioner's training.",
        alt="Dot-and-whisker chart of the mean change between waves in the number of members, informal members and formal services, for all families and separately for families of trained and untrained practitioners, each with its 95% confidence interval.",
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
        need["level_of_need"] = need["level_of_need"].map(LEVELS_OF_NEED).fillna(need["level_of_need"])
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
            count_columns=["n_families"],
            dependent_columns={c: "n_families" for c in need.columns[2:]},
        )


def _who_holds_networks_together(section, measures: pd.DataFrame) -> None:
    """Density and separate groups on maps with ties recorded, and the roles most often 'in between'."""
    rec = measures[measures["ties_recorded"]]
    if not len(rec):
        return
    keys = rec.loc[~rec["key_member_role"].isin(["none", NOT_RECORDED]), "key_member_role"]
    top = keys.value_counts().rename_axis("Role").reset_index(name="n_maps").head(8)
    section.markdown(
        f"**Who holds networks together.** On the {len(rec)} maps with ties recorded, a median of "
        f"{rec['density'].median():.0%} of the possible pairs of members knew each other; once the family itself is set aside, "
        f"{(rec['n_components'] > 1).mean():.0%} of these networks fall into separate groups who do not know each other. The person most often "
        f"'in between' others (highest betweenness) is listed by role below."
    )
    section.table(
        "key_members",
        top,
        caption="Roles of the member with the highest betweenness on each map (maps with ties recorded).",
        count_columns=["n_maps"],
    )


def _score15_association(section, association: dict | None, min_count: int) -> None:
    """The correlation between change in informal members and change in SCORE-15, when there are enough families."""
    if association is None:
        section.markdown(
            "**Network change and family functioning.** SCORE-15 results not available: the association between network change and SCORE-15 change is not computed."
        )
    elif association["n"] < max(4, min_count) or pd.isna(association["rho"]):
        section.markdown(
            "**Network change and family functioning.** Too few families have both a network change and a SCORE-15 change to describe their association."
        )
    else:
        section.markdown(
            f"**Network change and family functioning.** For the {association['n']} families with both, the change in informal "
            f"members and the change in SCORE-15 total (higher scores mean more reported difficulty) had a Spearman correlation of "
            f"{association['rho']:.2f} ({_ci(association['ci_low'], association['ci_high'], '{:.2f}')}; {stats.describe_p(association['p'])}). "
            "A correlation across families does not show that one change caused the other."
        )


def _example_maps(section, change: pd.DataFrame, graphs: dict, n_examples: int) -> None:
    """Example families chosen by a fixed rule, drawn at both waves, and an overview grid of wave-1 maps."""
    examples = pick_examples(change, n_examples)
    if not examples:
        return
    section.markdown(
        "**Example maps.** The maps below are examples chosen by a fixed rule (a family close to the average change "
        "for trained and for untrained practitioners, and the family with most services), labelled by role only. "
        "The family is at the centre; rings show closeness (inner ring very close); colour shows the life domain; "
        "solid lines are strong relationships, dashed tenuous, jagged stressful; arrows show which way help goes. "
        "Members present at both waves keep their place."
    )
    for i, f in enumerate(examples):
        name = f"Family {chr(65 + i)}"
        fig = charts.draw_family_waves(graphs.get((f, 1)), graphs.get((f, 2)), title=name)
        c = change[change["family_id"] == f].iloc[0]
        section.figure(
            f"example_{chr(97 + i)}",
            fig,
            caption=f"{name}: network map at wave 1 and wave 2.",
            alt=f"Two ecomaps side by side for {name}. Wave 1 has {int(c['size_w1'])} members and wave 2 has {int(c['size_w2'])}; "
            f"{int(c['kept'])} members were kept, {int(c['lost'])} lost and {int(c['gained'])} gained.",
        )
    keys = sorted(k for k in graphs if k[1] == 1)
    step = max(1, len(keys) // 12)
    sample = keys[::step][:12]
    fig = charts.small_multiples([graphs[k] for k in sample], titles=[f"Map {i + 1}" for i in range(len(sample))])
    section.figure(
        "overview",
        fig,
        caption="Overview: a fixed sample of wave-1 maps, drawn the same way without labels.",
        alt=f"A grid of {len(sample)} small ecomaps at wave 1, showing how networks differ in size and in the mix of family, friends and services.",
    )
