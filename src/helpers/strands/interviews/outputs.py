"""Processed outputs of the interviews strand (documented in the data dictionary), and their builders.

No output holds excerpt text except ``quotes.csv``: consented quotations after redaction, exactly as
the report shows them.
"""

from __future__ import annotations

import pandas as pd

from ...ingest import Field, OutputTable

STRAND = "interviews"

INTERVIEWS = OutputTable(
    key="interviews_interviews",
    filename="interviews/interviews.csv",
    strand=STRAND,
    description="One row per interview read (pseudonymised): who, where, when, trained or not.",
    fields=(
        Field("interview_id", "string", "Interview pseudonym (prefix I)."),
        Field("participant_id", "string", "Participant pseudonym (prefix P; staff pseudonyms join practitioners.csv)."),
        Field("participant_type", "string", "practitioner, manager or family_member."),
        Field("borough", "string", "Borough."),
        Field("wave", "integer", "Interview wave (1, 2)."),
        Field(
            "trained",
            "boolean",
            "Staff on the roster: systemic training completed by the interview date; blank otherwise.",
        ),
        Field("consent_to_quote", "boolean", "Consent to quote recorded as yes."),
        Field(
            "n_chars", "integer", "Length of the transcript in characters (Unicode code points); blank from the CSV."
        ),
    ),
)
SEGMENTS = OutputTable(
    key="interviews_segments",
    filename="interviews/segments.csv",
    strand=STRAND,
    description="One row per code applied to a segment: positions and codes, never the text.",
    fields=(
        Field("interview_id", "string", "Interview pseudonym."),
        Field("segment_id", "string", "Selection GUID from the .qdpx (csv-<n> from the CSV)."),
        Field("start", "integer", "First character (code points from 0); blank from the CSV."),
        Field("end", "integer", "One past the last character; blank from the CSV."),
        Field("code_path", "string", "Code as a path from the codebook's top level (' > ' between levels)."),
        Field("theme", "string", "Top-level code (theme)."),
    ),
)
CODEBOOK = OutputTable(
    key="interviews_codebook",
    filename="interviews/codebook.csv",
    strand=STRAND,
    description="The codebook as read, one row per code.",
    fields=(
        Field("code", "string", "Code name."),
        Field("parent", "string", "Parent code (blank for a theme)."),
        Field("code_path", "string", "Path from the top level."),
        Field("theme", "string", "Top-level ancestor."),
        Field("depth", "integer", "0 for a theme, 1 for its sub-codes, ..."),
        Field("description", "string", "The codebook's description of the code."),
    ),
)
FRAMEWORK = OutputTable(
    key="interviews_framework",
    filename="interviews/framework_matrix.csv",
    strand=STRAND,
    description="Framework matrix in long form: participant x theme, coded segments over all their interviews (0 = not mentioned).",
    fields=(
        Field("participant_id", "string", "Participant pseudonym."),
        Field("participant_type", "string", "practitioner, manager or family_member."),
        Field("borough", "string", "Borough."),
        Field("n_interviews", "integer", "Interviews of this participant."),
        Field("theme", "string", "Theme."),
        Field("n_segments", "integer", "Coded segments of the theme."),
    ),
)
PREVALENCE = OutputTable(
    key="interviews_prevalence",
    filename="interviews/prevalence.csv",
    strand=STRAND,
    description="Share of participants mentioning each theme, overall and by participant type, borough and wave.",
    fields=(
        Field("grouping", "string", "All, Participant type, Borough or Wave."),
        Field("group", "string", "The group."),
        Field("theme", "string", "Theme."),
        Field("n_participants", "integer", "Participants in the group (interviewed at that wave, for waves)."),
        Field("n_mentioning", "integer", "Of whom mentioned the theme at least once."),
        Field("share", "number", "n_mentioning / n_participants, %."),
    ),
)
COOCCURRENCE = OutputTable(
    key="interviews_cooccurrence",
    filename="interviews/cooccurrence.csv",
    strand=STRAND,
    description="Pairs of themes coded on the same or overlapping segments.",
    fields=(
        Field("theme_a", "string", "Theme (alphabetically first)."),
        Field("theme_b", "string", "Theme."),
        Field("n_overlaps", "integer", "Pairs of codings of the two themes on the same or overlapping segments."),
        Field("n_interviews", "integer", "Interviews with at least one such pair (the network's edge weight)."),
        Field("n_participants", "integer", "Participants with at least one such pair."),
    ),
)
CLUSTERS = OutputTable(
    key="interviews_clusters",
    filename="interviews/clusters.csv",
    strand=STRAND,
    description="Clusters of the co-occurrence network (greedy modularity, weighted by interviews).",
    fields=(
        Field("cluster", "integer", "Cluster number, largest first."),
        Field("themes", "string", "Themes in the cluster, ';'-separated."),
        Field("n_themes", "integer", "Number of themes."),
        Field("internal_links", "integer", "Links between themes of the cluster."),
        Field("internal_weight", "integer", "Sum of those links' weights (interviews)."),
    ),
)
WAVE_CHANGE = OutputTable(
    key="interviews_wave_change",
    filename="interviews/wave_change.csv",
    strand=STRAND,
    description="Change in each theme's prevalence from wave 1 to wave 2, for staff and for family members.",
    fields=(
        Field("group", "string", "Staff (practitioners and managers) or Family members."),
        Field("theme", "string", "Theme."),
        Field(
            "n_participants",
            "integer",
            "Participants interviewed at either wave (the clusters of the interval; one person at both waves counts once).",
        ),
        Field("n_wave1", "integer", "Participants interviewed at wave 1."),
        Field("share_wave1", "number", "% of wave-1 interviews mentioning the theme."),
        Field("n_wave2", "integer", "Participants interviewed at wave 2."),
        Field("share_wave2", "number", "% of wave-2 interviews mentioning the theme."),
        Field("change", "number", "Wave 2 minus wave 1, percentage points."),
        Field("ci_low", "number", "95% CI clustered by participant (MOVER, design-effect Wilson limits): lower."),
        Field("ci_high", "number", "Upper."),
        Field("boot_ci_low", "number", "95% percentile bootstrap CI resampling participants (secondary): lower."),
        Field("boot_ci_high", "number", "Upper."),
    ),
)
TRAINED = OutputTable(
    key="interviews_trained",
    filename="interviews/trained_difference.csv",
    strand=STRAND,
    description="Practitioners' interviews: theme prevalence after systemic training against before it (or never trained).",
    fields=(
        Field("theme", "string", "Theme."),
        Field(
            "n_practitioners",
            "integer",
            "Practitioners with an interview before or after training (the clusters of the interval; once each).",
        ),
        Field("n_untrained", "integer", "Practitioners with an interview before training (or never trained)."),
        Field("share_untrained", "number", "% of those interviews mentioning the theme."),
        Field("n_trained", "integer", "Practitioners with an interview after training."),
        Field("share_trained", "number", "% of those interviews mentioning the theme."),
        Field("difference", "number", "Trained minus untrained, percentage points."),
        Field("ci_low", "number", "95% CI clustered by practitioner (MOVER, design-effect Wilson limits): lower."),
        Field("ci_high", "number", "Upper."),
        Field("boot_ci_low", "number", "95% percentile bootstrap CI resampling practitioners (secondary): lower."),
        Field("boot_ci_high", "number", "Upper."),
    ),
)
QUOTES = OutputTable(
    key="interviews_quotes",
    filename="interviews/quotes.csv",
    strand=STRAND,
    description="Quotations for the report: consent recorded, redacted by helpers.redaction (unsure ones dropped).",
    fields=(
        Field("theme", "string", "Theme the excerpt was coded with."),
        Field("participant_group", "string", "Practitioners, Managers and supervisors, or Family members."),
        Field("wave", "integer", "Wave."),
        Field("quote", "string", "The redacted excerpt."),
        Field("n_redactions", "integer", "Placeholders put in."),
    ),
)
QUOTE_COUNTS = OutputTable(
    key="interviews_quote_counts",
    filename="interviews/quote_counts.csv",
    strand=STRAND,
    description="What happened to the candidate excerpts (coded segments up to 300 characters).",
    fields=(
        Field(
            "outcome",
            "string",
            "candidates, no_consent, empty, unsure (dropped), redacted (kept with placeholders), placeholders, published.",
        ),
        Field("count", "integer", "Excerpts (placeholders for 'placeholders')."),
    ),
)

OUTPUTS = (
    INTERVIEWS,
    SEGMENTS,
    CODEBOOK,
    FRAMEWORK,
    PREVALENCE,
    COOCCURRENCE,
    CLUSTERS,
    WAVE_CHANGE,
    TRAINED,
    QUOTES,
    QUOTE_COUNTS,
)


def output_tables(results: dict, codings: pd.DataFrame) -> dict:
    """The processed tables, keyed by output key, in their documented columns."""
    iv = results["interviews"].copy()
    fm = results["framework_matrix"].melt(
        id_vars=["participant_id", "participant_type", "borough", "n_interviews"],
        var_name="theme",
        value_name="n_segments",
    )
    cb = results["codebook"]
    qc = pd.DataFrame(list(results["quote_counts"].items()), columns=["outcome", "count"])
    tables = {
        INTERVIEWS.key: iv,
        SEGMENTS.key: codings,
        CODEBOOK.key: cb,
        FRAMEWORK.key: fm,
        PREVALENCE.key: results["prevalence"],
        COOCCURRENCE.key: results["cooccurrence"],
        CLUSTERS.key: results["clusters"],
        WAVE_CHANGE.key: results["wave_change"],
        TRAINED.key: results["trained_difference"],
        QUOTES.key: results["quotes"],
        QUOTE_COUNTS.key: qc,
    }
    by_key = {o.key: o for o in OUTPUTS}
    return {k: t.reindex(columns=by_key[k].column_names) for k, t in tables.items()}
