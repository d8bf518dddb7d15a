"""The processed tables the network-maps analysis writes (:data:`OUTPUTS`), with the per-map measures
and their definitions (:data:`MAP_MEASURES`), as the data dictionary documents them."""

from __future__ import annotations

from helpers import stats
from helpers.ingest import Field, OutputTable

from .inputs import DOMAINS, STRAND

#: Per-map measures: column -> (dtype, definition). The definitions go to the data dictionary.
MAP_MEASURES: dict[str, tuple[str, str]] = {
    "family_id": ("string", "Pseudonymised family identifier."),
    "wave": ("integer", "Wave of the map (1 or 2)."),
    "size": ("integer", "Number of members on the map (the family itself not counted)."),
    **{f"n_{d}": ("integer", f"Number of members in the domain '{label}'.") for d, label in DOMAINS.items()},
    "n_informal": ("integer", "Number of informal members: every domain except formal services."),
    "n_formal": ("integer", "Number of formal services and agencies."),
    "informal_share": ("number", "n_informal / size (blank for an empty map)."),
    "mean_emotional": ("number", "Mean emotional support over members (1-3)."),
    "mean_practical": ("number", "Mean practical support over members (1-3)."),
    "mean_informational": ("number", "Mean informational support over members (1-3)."),
    "mean_criticism": ("number", "Mean criticism over members (1-3; higher is more critical)."),
    "share_critical": ("number", "Share of members who are almost always critical (criticism 3)."),
    "reciprocity": ("number", "Share of members with whom help goes both ways (direction = both)."),
    "multiplexity": (
        "number",
        "Share of members who give at least two of the three kinds of support (emotional, practical, informational) sometimes or almost always (score 2 or 3).",
    ),
    "mean_closeness": ("number", "Mean closeness over members (1 not very close to 3 very close)."),
    "share_very_close": ("number", "Share of members who are very close (closeness 3)."),
    "share_strong": ("number", "Share of relationships described as strong."),
    "share_tenuous": ("number", "Share of relationships described as tenuous."),
    "share_stressful": ("number", "Share of relationships described as stressful."),
    "ties_recorded": (
        "boolean",
        "Whether ties between members were recorded on this map. When false, every tie-based measure below is blank and reads 'not recorded'.",
    ),
    "n_ties": ("integer", "Number of pairs of members who know each other (ties recorded only)."),
    "density": (
        "number",
        "Ties among members divided by the possible pairs, size x (size - 1) / 2; the family and its links to members are excluded (ties recorded and size >= 2 only).",
    ),
    "n_components": (
        "integer",
        "Number of connected groups among members once the family is removed; a member who knows nobody else is a group of one (ties recorded only).",
    ),
    "n_isolates": ("integer", "Members who know no other member (ties recorded only)."),
    "n_bridging": (
        "integer",
        "Members who hold the network together: articulation points of the members' graph, whose removal would split a group in two (ties recorded only).",
    ),
    "max_betweenness": (
        "number",
        "Highest normalised betweenness centrality of a member in the members' graph (family removed): the share of shortest paths between other members that pass through them (ties recorded only).",
    ),
    "key_member_role": (
        "string",
        "Role label of the member with the highest betweenness (first by member ID on ties); 'none' if nobody lies between others; 'not recorded' without ties.",
    ),
}
MAP_MEASURES_TABLE = OutputTable(
    key="network_map_measures",
    filename="networks/map_measures.csv",
    strand=STRAND,
    description="One row per family and wave: the network measures of that map.",
    fields=tuple(Field(k, t, d) for k, (t, d) in MAP_MEASURES.items()),
)

#: Measures compared between waves, with their report labels.
CHANGE_MEASURES = {
    "size": "Number of members",
    "n_informal": "Informal members",
    "n_formal": "Formal services",
    "informal_share": "Informal share of the network",
    "mean_emotional": "Emotional support (mean, 1-3)",
    "mean_practical": "Practical support (mean, 1-3)",
    "mean_informational": "Informational support (mean, 1-3)",
    "mean_criticism": "Criticism (mean, 1-3)",
    "reciprocity": "Share of members helping both ways",
    "multiplexity": "Share of members giving two or more kinds of support",
    "share_strong": "Share of strong relationships",
    "density": "Density among members (ties recorded at both waves)",
}

FAMILY_CHANGE_TABLE = OutputTable(
    key="network_family_change",
    filename="networks/family_change.csv",
    strand=STRAND,
    description="One row per family with a map at both waves: members kept, lost and gained, and the change in size and composition.",
    fields=(
        Field("family_id", "string", "Pseudonymised family identifier."),
        Field(
            "practitioner_trained",
            "boolean",
            "The allocated practitioner had completed systemic training when work began (blank if unknown).",
        ),
        Field("level_of_need", "string", "Highest level of statutory involvement when work began (families.csv)."),
        Field("kept", "integer", "Members on both maps (same member_id)."),
        Field("lost", "integer", "Members on the wave-1 map only."),
        Field("gained", "integer", "Members on the wave-2 map only."),
        Field("informal_gained", "integer", "Gained members who are informal (not formal services)."),
        Field("informal_lost", "integer", "Lost members who are informal."),
        *(
            f
            for m in ("size", "n_informal", "n_formal", "informal_share")
            for f in (
                Field(f"{m}_w1", "number", f"{m} at wave 1."),
                Field(f"{m}_w2", "number", f"{m} at wave 2."),
                Field(f"{m}_change", "number", f"{m} at wave 2 minus wave 1."),
            )
        ),
    ),
)

#: The paired change of a measure (:func:`helpers.stats.paired_change`), declared once for every strand.
PAIRED_RESULTS = (
    "n",
    "mean_before",
    "mean_after",
    "mean_change",
    "ci_low",
    "ci_high",
    "boot_ci_low",
    "boot_ci_high",
    "d_z",
    "dz_ci_low",
    "dz_ci_high",
    "p",
)
PAIRED_NAMES = {"n": "n_families", "mean_before": "mean_wave1", "mean_after": "mean_wave2"}
CHANGE_SUMMARY_TABLE = OutputTable(
    key="network_change_summary",
    filename="networks/change_summary.csv",
    strand=STRAND,
    description="Paired comparison of wave 2 with wave 1 for each measure, for all families and by whether the practitioner was trained.",
    fields=(
        Field("measure", "string", "Measure (column of map_measures.csv)."),
        Field("label", "string", "Measure as the report names it."),
        Field("group", "string", "all, trained or not trained (practitioner's systemic training when work began)."),
        *stats.paired_change_fields(
            PAIRED_RESULTS,
            unit="families",
            names=PAIRED_NAMES,
            notes={"ci_low": "See cluster_ci_low for the primary interval."},
        ),
        Field(
            "n_practitioners",
            "integer",
            "Practitioners of those families (the clusters of the clustered CI; a family whose practitioner is "
            "unknown counts as its own).",
        ),
        Field(
            "cluster_ci_low",
            "number",
            "Primary: 95% CI of the mean change with practitioner-clustered robust errors (CR1, t on practitioners "
            "- 1 df), which allows for families of one practitioner (up to five) changing alike; lower.",
        ),
        Field("cluster_ci_high", "number", "That practitioner-clustered 95% CI, upper."),
        Field("cluster_p", "number", "Two-sided p-value of the practitioner-clustered test of no change (primary)."),
    ),
)

TRAINING_DIFFERENCE_TABLE = OutputTable(
    key="network_change_by_training",
    filename="networks/change_by_training.csv",
    strand=STRAND,
    description="Difference in mean change between families whose practitioner was trained and the others.",
    fields=(
        Field("measure", "string", "Measure (column of map_measures.csv)."),
        Field("label", "string", "Measure as the report names it."),
        Field("n_trained", "integer", "Families with a trained practitioner and the measure at both waves."),
        Field("n_not_trained", "integer", "Families with an untrained practitioner and the measure at both waves."),
        Field("mean_change_trained", "number", "Mean change, trained."),
        Field("mean_change_not_trained", "number", "Mean change, not trained."),
        Field("difference", "number", "mean_change_trained - mean_change_not_trained."),
        Field("ci_low", "number", "95% Welch CI of the difference, lower."),
        Field("ci_high", "number", "95% Welch CI of the difference, upper."),
        Field("boot_ci_low", "number", "95% bootstrap CI of the difference (resampling within each group), lower."),
        Field("boot_ci_high", "number", "95% bootstrap CI of the difference, upper."),
        Field("n_practitioners", "integer", "Practitioners of those families (clusters of the adjusted CI)."),
        Field(
            "adjusted_difference",
            "number",
            "Primary: ANCOVA of the wave-2 value on the wave-1 value and the training group (trained minus not), "
            "i.e. the difference between families with the same wave-1 value.",
        ),
        Field(
            "adjusted_ci_low",
            "number",
            "95% CI of adjusted_difference with practitioner-clustered robust errors (CR2, Bell-McCaffrey "
            "Satterthwaite df), lower.",
        ),
        Field("adjusted_ci_high", "number", "That CI, upper."),
        Field("adjusted_p", "number", "Two-sided p-value of adjusted_difference (practitioner-clustered)."),
    ),
)

OUTPUTS = (MAP_MEASURES_TABLE, FAMILY_CHANGE_TABLE, CHANGE_SUMMARY_TABLE, TRAINING_DIFFERENCE_TABLE)
