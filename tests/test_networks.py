"""Tests of the family network maps strand (helpers.strands.networks, the generator).

Expected values on the hand-drawn maps are worked out by hand in the comments, not copied from the
code's output.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Circle

from conftest import slow_fixture
from helpers import report_section, roster, stats
from helpers.strands.networks import analysis, charts, inputs
from helpers.strands.networks.section import build_section
from helpers.synthetic import generate_all

KEY = b"test-key"
ROOT = Path(__file__).resolve().parents[1]


def member(mid, domain, emo, prac, info, crit, close, direction, quality, role=None):
    return {
        "member_id": mid,
        "role_label": role or f"role {mid}",
        "domain": domain,
        "support_emotional": emo,
        "support_practical": prac,
        "support_informational": info,
        "criticism": crit,
        "closeness": close,
        "contact_frequency": "weekly",
        "direction": direction,
        "years_known": ">5",
        "quality": quality,
    }


# A hand-drawn map of four members:
#   A household        support 3,3,1 crit 1 close 3 both        strong   -> two kinds >= 2: multiplex
#   B friends          support 2,1,2 crit 2 close 2 to_family   tenuous  -> emotional+informational: multiplex
#   C formal services  support 1,2,3 crit 3 close 1 to_family   stressful-> practical+informational: multiplex
#   D extended family  support 1,1,1 crit 1 close 2 from_family strong   -> not multiplex
# Ties: A-B, A-D (C knows nobody). Worked by hand:
#   size 4; informal 3 (A, B, D), formal 1; informal share 3/4 = 0.75
#   reciprocity: only A helps both ways -> 1/4 = 0.25; multiplexity 3/4 = 0.75
#   mean emotional (3+2+1+1)/4 = 1.75; practical (3+1+2+1)/4 = 1.75; informational (1+2+3+1)/4 = 1.75
#   mean criticism (1+2+3+1)/4 = 1.75; share critical (crit 3): 1/4; mean closeness (3+2+1+2)/4 = 2
#   strong 2/4, tenuous 1/4, stressful 1/4
#   density 2 ties / (4*3/2 = 6 pairs) = 1/3; components {A,B,D}, {C} = 2; isolates 1 (C)
#   A lies on the only path B-A-D: 1 of the 3 pairs among the other three -> betweenness 1/3;
#   A is the one articulation point.
HAND = [
    member("A", "household", 3, 3, 1, 1, 3, "both", "strong", role="partner"),
    member("B", "friends", 2, 1, 2, 2, 2, "to_family", "tenuous", role="friend"),
    member("C", "formal_services", 1, 2, 3, 3, 1, "to_family", "stressful", role="GP"),
    member("D", "extended_family", 1, 1, 1, 1, 2, "from_family", "strong", role="aunt"),
]
HAND_TIES = [("A", "B"), ("A", "D")]


def hand_graph(ties_recorded=True, ties=HAND_TIES, members=HAND, wave=1):
    return analysis.build_graph("F1", wave, ties_recorded, members, ties if ties_recorded else [])


def test_measures_on_hand_drawn_map():
    m = analysis.measure_graph(hand_graph())
    assert m["size"] == 4
    assert (m["n_household"], m["n_friends"], m["n_formal_services"], m["n_extended_family"], m["n_neighbours"]) == (
        1,
        1,
        1,
        1,
        0,
    )
    assert (m["n_informal"], m["n_formal"]) == (3, 1)
    assert m["informal_share"] == pytest.approx(0.75)
    assert m["reciprocity"] == pytest.approx(0.25)
    assert m["multiplexity"] == pytest.approx(0.75)
    for k in ("mean_emotional", "mean_practical", "mean_informational", "mean_criticism"):
        assert m[k] == pytest.approx(1.75)
    assert m["share_critical"] == pytest.approx(0.25)
    assert m["mean_closeness"] == pytest.approx(2.0)
    assert (m["share_strong"], m["share_tenuous"], m["share_stressful"]) == (0.5, 0.25, 0.25)
    assert m["ties_recorded"] is True
    assert m["n_ties"] == 2
    assert m["density"] == pytest.approx(1 / 3)
    assert m["n_components"] == 2 and m["n_isolates"] == 1 and m["n_bridging"] == 1
    assert m["max_betweenness"] == pytest.approx(1 / 3)
    assert m["key_member_role"] == "partner"


def test_density_not_recorded_is_not_zero():
    m = analysis.measure_graph(hand_graph(ties_recorded=False))
    assert m["ties_recorded"] is False
    for k in ("n_ties", "density", "n_components", "n_isolates", "n_bridging", "max_betweenness"):
        assert np.isnan(m[k]), k
    assert m["key_member_role"] == "not recorded"
    described = analysis.describe_map(hand_graph(ties_recorded=False)).set_index("measure")["value"]
    assert described["density"] == "not recorded"
    assert described["size"] == 4
    # Recorded, and nobody knows anybody: density 0, four groups of one, all isolates.
    m0 = analysis.measure_graph(hand_graph(ties_recorded=True, ties=[]))
    assert m0["density"] == 0 and m0["n_ties"] == 0
    assert m0["n_components"] == 4 and m0["n_isolates"] == 4
    assert m0["key_member_role"] == "none"


def test_measures_table_columns_and_empty_map():
    g = analysis.build_graph("F2", 1, True, [], [])
    table = analysis.map_measures({("F1", 1): hand_graph(), ("F2", 1): g})
    assert list(table.columns) == analysis.MAP_MEASURES_TABLE.column_names
    empty = table[table["family_id"] == "F2"].iloc[0]
    assert empty["size"] == 0 and np.isnan(empty["informal_share"]) and np.isnan(empty["density"])


def test_gained_lost_kept_and_change():
    # Wave 1: A B C D. Wave 2: A B (kept), C D gone, E F (friends) and G (formal) new.
    # kept 2, lost 2 (C formal, D informal), gained 3 (2 informal); size 4 -> 5 (+1);
    # informal 3 -> 4 (A, B, E, F): +1; formal 1 -> 1: 0.
    w2 = [
        HAND[0],
        HAND[1],
        member("E", "friends", 2, 2, 2, 1, 2, "both", "strong"),
        member("F", "friends", 2, 2, 2, 1, 2, "both", "strong"),
        member("G", "formal_services", 1, 2, 3, 1, 1, "to_family", "tenuous"),
    ]
    graphs = {
        ("F1", 1): hand_graph(),
        ("F1", 2): hand_graph(members=w2, ties=[("A", "E")], wave=2),
        ("F9", 1): analysis.build_graph("F9", 1, False, HAND),
    }  # F9 has wave 1 only: no change row
    assert analysis.membership_change(graphs[("F1", 1)], graphs[("F1", 2)]) == {
        "kept": 2,
        "lost": 2,
        "gained": 3,
        "informal_gained": 2,
        "informal_lost": 1,
    }
    measures = analysis.map_measures(graphs)
    fams = pd.DataFrame(
        {
            "family_id": ["F1", "F9"],
            "level_of_need": ["child_in_need", "looked_after"],
            "practitioner_trained": pd.array([True, False], dtype="boolean"),
        }
    )
    change = analysis.family_change(graphs, measures, fams)
    assert list(change.columns) == analysis.FAMILY_CHANGE_TABLE.column_names
    assert len(change) == 1
    row = change.iloc[0]
    assert (row["kept"], row["lost"], row["gained"]) == (2, 2, 3)
    assert (row["size_w1"], row["size_w2"], row["size_change"]) == (4, 5, 1)
    assert (row["n_informal_change"], row["n_formal_change"]) == (1, 0)
    assert row["informal_share_change"] == pytest.approx(4 / 5 - 3 / 4)


def test_difference_in_means_by_hand():
    # Means 2 and 0: difference 2. Welch: var(x)=var(y)=1 (ddof 1), n=3 each -> se = sqrt(2/3);
    # df = (2/3)^2 / (2 * (1/3)^2 / 2) = 4; t(0.975, 4) = 2.776 -> half-width 2.776 * 0.8165 = 2.267.
    d = stats.difference_in_means([1, 2, 3], [-1, 0, 1], n_boot=200)
    assert d["difference"] == pytest.approx(2.0)
    assert d["ci_low"] == pytest.approx(2 - 2.2666, abs=1e-3)
    assert d["ci_high"] == pytest.approx(2 + 2.2666, abs=1e-3)


# --------------------------------------------------------------------------------------------------
# Malformed rows


def write_raw(folder: Path, maps: str, members: str, ties: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "network_maps.csv").write_text(maps)
    (folder / "network_members.csv").write_text(members)
    (folder / "network_ties.csv").write_text(ties)


MEMBER_HEADER = (
    "family_id,wave,member_id,role_label,domain,support_emotional,support_practical,"
    "support_informational,criticism,closeness,contact_frequency,direction,years_known,quality\n"
)


def test_malformed_rows_rejected_with_file_row_column(tmp_path):
    raw = tmp_path / "raw"
    write_raw(
        raw,
        "family_id,wave,map_date,ties_recorded\nX1,1,2015-01-10,yes\nX1,2,2015-09-01,no\n",
        MEMBER_HEADER
        + "X1,1,M01,aunt,extended_family,3,2,1,1,3,weekly,both,>5,strong\n"  # row 2 ok
        + "X1,1,M02,online friend,internet,2,2,2,1,2,weekly,both,1-5,strong\n"  # row 3 unknown domain
        + "X1,1,M03,GP,formal_services,1,4,3,1,1,monthly,to_family,1-5,tenuous\n"  # row 4 support 4
        + "X1,1,M04,school,work_school,1,2,3,1,1,weekly,to_family,1-5,tenuous\n"  # row 5 ok
        + "X1,3,M04,school,work_school,1,2,3,1,1,weekly,to_family,1-5,tenuous\n"  # row 6 wave 3
        + "X2,1,M01,aunt,extended_family,3,2,1,1,3,weekly,both,>5,strong\n"  # row 7 no map for X2
        + "X1,2,M01,aunt,extended_family,3,2,1,1,3,weekly,both,>5,strong\n",  # row 8 ok
        "family_id,wave,member_a,member_b\n"
        "X1,1,M01,M04\n"  # row 2 ok
        "X1,1,M01,M99\n"  # row 3 M99 does not exist
        "X1,1,M04,M01\n"  # row 4 same tie as row 2, reversed
        "X1,1,M01,M02\n"  # row 5 M02's own row was rejected -> not on the map
        "X1,2,M01,M01\n",  # row 6 ties not recorded at wave 2
    )
    out = tmp_path / "processed"
    data = inputs.load_networks(raw, out, key=KEY)
    mem = data.results["network_members"].issues
    got = set(zip(mem["file"], mem["row"], mem["column"], strict=True))
    assert got == {
        ("network_members.csv", 3, "domain"),
        ("network_members.csv", 4, "support_practical"),
        ("network_members.csv", 6, "wave"),
        ("network_members.csv", 7, "family_id+wave"),
    }
    tie = data.results["network_ties"].issues
    assert set(zip(tie["file"], tie["row"], tie["column"], strict=True)) == {
        ("network_ties.csv", 3, "member_b"),
        ("network_ties.csv", 4, "member_a+member_b"),
        ("network_ties.csv", 5, "member_b"),
        ("network_ties.csv", 6, "family_id+wave"),
    }
    assert len(data.members) == 3 and len(data.ties) == 1
    # The data-quality record adds up and lists the cross-file rejections with their rows.
    dq = out / "data_quality"
    for key, read, accepted in (("network_members", 7, 3), ("network_ties", 5, 1), ("network_maps", 2, 2)):
        rec = pd.read_csv(dq / f"reconciliation_{key}.csv").iloc[0]
        assert (rec["rows_read"], rec["rows_accepted"], rec["rows_read"] - rec["rows_accepted"]) == (
            read,
            accepted,
            rec["rows_rejected"],
        )
    rejected = pd.read_csv(dq / "rejected_network_ties.csv")
    assert list(rejected["row"]) == [3, 4, 5, 6]
    assert "no member with this ID" in rejected.loc[0, "reasons"]
    issues = pd.read_csv(dq / "issues_network_ties.csv")
    assert list(issues.columns) == ["file", "row", "column", "value", "reason", "action"]
    assert not issues["value"].astype(str).str.contains("M99").any()  # identifiers stay pseudonymised
    assert data.cross_file_rejections == {"network_maps": 0, "network_members": 1, "network_ties": 4}


def test_ties_file_with_header_only_is_valid(tmp_path):
    raw = tmp_path / "raw"
    write_raw(
        raw,
        "family_id,wave,map_date,ties_recorded\nX1,1,2015-01-10,no\n",
        MEMBER_HEADER + "X1,1,M01,aunt,extended_family,3,2,1,1,3,weekly,both,>5,strong\n",
        "family_id,wave,member_a,member_b\n",
    )
    data = inputs.load_networks(raw, tmp_path / "p", key=KEY)
    graphs = analysis.build_graphs(data.maps, data.members, data.ties)
    m = analysis.map_measures(graphs).iloc[0]
    assert m["size"] == 1 and not m["ties_recorded"] and pd.isna(m["density"])


# --------------------------------------------------------------------------------------------------
# Drawings


def test_layout_is_deterministic_and_shared_between_waves():
    g = hand_graph()
    shuffled = analysis.build_graph("F1", 1, True, list(reversed(HAND)), [("D", "A"), ("B", "A")])
    assert charts.layout(g) == charts.layout(shuffled)
    pos = charts.layout(g)
    # Rings by closeness: A very close (inner), B and D sort of, C not very close (outer).
    radius = {m: math.hypot(*pos[m]) for m in "ABCD"}
    assert radius["A"] == pytest.approx(charts.RING_RADIUS[3])
    assert radius["B"] == pytest.approx(charts.RING_RADIUS[2]) and radius["D"] == pytest.approx(charts.RING_RADIUS[2])
    assert radius["C"] == pytest.approx(charts.RING_RADIUS[1])
    assert pos[inputs.FAMILY] == (0.0, 0.0)
    # Two waves: members in both keep their place, even if their closeness changed.
    w2 = [dict(HAND[0], closeness=1), HAND[1], member("E", "friends", 2, 2, 2, 1, 2, "both", "strong")]
    g2 = hand_graph(members=w2, ties=[], wave=2)
    shared = charts.layout(g, g2)
    assert set(shared) == {inputs.FAMILY, "A", "B", "C", "D", "E"}
    assert math.hypot(*shared["A"]) == pytest.approx(charts.RING_RADIUS[3])  # wave-1 ring kept
    fig = charts.draw_family_waves(g, g2)
    centres = []
    for ax in fig.axes:
        centres.append(
            {
                tuple(np.round(p.center, 6))
                for p in ax.patches
                if isinstance(p, Circle) and p.get_radius() == charts.NODE_RADIUS and p.get_fill()
            }
        )
    for m in ("A", "B"):  # drawn at the same place in both panels
        assert tuple(np.round(shared[m], 6)) in centres[0] & centres[1]
    assert tuple(np.round(shared["E"], 6)) in centres[1] - centres[0]


def test_drawing_bytes_are_reproducible(tmp_path):
    w2 = [HAND[0], HAND[1], member("E", "friends", 2, 2, 2, 1, 2, "both", "strong")]
    g1, g2 = hand_graph(), hand_graph(members=w2, ties=[], wave=2)
    a = charts.save_figure(charts.draw_family_waves(g1, g2, title="Family A"), tmp_path / "a", "map")
    b = charts.save_figure(charts.draw_family_waves(g1, g2, title="Family A"), tmp_path / "b", "map")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.suffix
    svg = (tmp_path / "a" / "map.svg").read_text()
    assert "partner" in svg or "<path" in svg  # text is drawn as paths; the file is a real SVG


# --------------------------------------------------------------------------------------------------
# Synthetic data end to end: planted change recovered, null effect covered


def run_strand(raw: Path, out: Path):
    pr = roster.load_practitioners(raw, out)
    fam = roster.load_families(raw, out, pr.data)
    data = inputs.load_networks(raw, out, fam.data)
    graphs = analysis.build_graphs(data.maps, data.members, data.ties)
    measures = analysis.map_measures(graphs)
    change = analysis.family_change(graphs, measures, fam.data)
    summary = analysis.change_summary(measures, fam.data, n_boot=500)
    by_training = analysis.change_by_training(measures, fam.data, n_boot=500)
    return fam, data, graphs, measures, change, summary, by_training


@pytest.fixture(scope="module")
@slow_fixture
def synthetic_run(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOP_PSEUDONYMISATION_KEY", "test-key-networks")
        raw = tmp_path_factory.mktemp("raw")
        truth = generate_all(raw, strands=("roster", "networks"))
        out = tmp_path_factory.mktemp("processed")
        yield truth, raw, out, run_strand(raw, out)


def ci_of(summary, measure, group):
    """The primary (practitioner-clustered) CI of a change-summary row."""
    r = summary[(summary["measure"] == measure) & (summary["group"] == group)].iloc[0]
    return r["cluster_ci_low"], r["cluster_ci_high"], r


def test_planted_change_recovered(synthetic_run):
    truth, raw, out, (fam, data, graphs, measures, change, summary, by_training) = synthetic_run
    t = truth["strands"]["networks"]
    planted = t["planted"]
    lo, hi, r = ci_of(summary, "n_informal", "trained")
    assert lo <= planted["informal_change_trained"] <= hi
    assert r["n_families"] == t["families_with_both_waves_trained"]
    lo, hi, r = ci_of(summary, "n_informal", "not trained")
    assert lo <= planted["informal_change_untrained"] <= hi
    lo, hi, _ = ci_of(summary, "n_formal", "all")
    assert lo <= planted["formal_change"] <= hi
    d = by_training[by_training["measure"] == "n_informal"].iloc[0]
    assert d["ci_low"] <= planted["informal_change_difference"] <= d["ci_high"]
    assert d["ci_low"] > 0  # the planted difference (1.2 members) is detected at the default size
    # The primary, baseline-adjusted and practitioner-clustered difference too.
    assert d["adjusted_ci_low"] <= planted["informal_change_difference"] <= d["adjusted_ci_high"]
    # Counts: every map and family accounted for; planted malformed rows rejected, no more.
    assert len(measures) == t["maps"] and len(change) == t["families_with_both_waves"]
    for key, n in t["malformed_rows"].items():
        assert data.results[key].rows_rejected == n, key
    # Formal services are more numerous where need is higher (risk drives them in the generator).
    w1 = measures[measures["wave"] == 1].merge(fam.data[["family_id", "level_of_need"]], on="family_id")
    by_need = w1.groupby("level_of_need")["n_formal"].mean()
    assert by_need["child_protection"] > by_need["child_in_need"]


def test_null_effect_is_covered(tmp_path, monkeypatch):
    monkeypatch.setenv("FOP_PSEUDONYMISATION_KEY", "test-key-networks")
    raw = tmp_path / "raw"
    generate_all(
        raw,
        seed=7,
        strands=("roster", "networks"),
        effects={"networks": {"informal_gain_trained": 0, "informal_gain_untrained": 0}},
    )
    *_, summary, by_training = run_strand(raw, tmp_path / "out")
    for group in ("trained", "not trained", "all"):
        lo, hi, _ = ci_of(summary, "n_informal", group)
        assert lo <= 0 <= hi, group


def test_generator_is_reproducible(tmp_path):
    a = generate_all(tmp_path / "a", strands=("roster", "networks"))
    b = generate_all(tmp_path / "b", strands=("roster", "networks"))
    assert a == b
    for f in ("network_maps.csv", "network_members.csv", "network_ties.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


# --------------------------------------------------------------------------------------------------
# Report section and SCORE-15 association


@pytest.mark.slow
def test_section_has_no_identifiers_and_reads_score15(synthetic_run, tmp_path):
    truth, raw, out, (fam, data, graphs, measures, change, summary, by_training) = synthetic_run
    assoc_missing = analysis.score15_association(change, tmp_path)
    assert assoc_missing is None
    # A SCORE-15 change file as the SCORE-15 strand writes it: change = twice the informal change.
    score = pd.DataFrame(
        {
            "family_id": change["family_id"],
            "n_respondents": 2,
            "total_wave1": 40.0,
            "total_wave2": 40.0 + 2 * change["n_informal_change"],
            "change": 2 * change["n_informal_change"],
        }
    )
    (tmp_path / "score15").mkdir()
    score.to_csv(tmp_path / "score15" / "family_change.csv", index=False)
    assoc = analysis.score15_association(change, tmp_path, n_boot=200)
    assert assoc["n"] == len(change) and assoc["rho"] == pytest.approx(1.0)

    section = report_section.Section(
        strand="networks", title="Family network maps", order=30, processed_dir=tmp_path / "p", synthetic=True
    )
    build_section(section, data, measures, change, summary, by_training, fam.data, graphs, None)
    section.save()
    meta = json.loads((section.folder / "section.json").read_text())
    text = " ".join(i.get("text", "") for i in meta["items"])
    assert "SCORE-15 results not available" in text
    figures = [i for i in meta["items"] if i["kind"] == "figure"]
    assert {"example_a", "example_b", "example_c", "composition", "change_by_training", "overview"} <= {
        f["name"] for f in figures
    }
    assert all(len(f["alt"]) >= 20 for f in figures)
    ids = set(measures["family_id"]) | set(data.members["member_id"])
    blob = (section.folder / "section.json").read_text() + "".join(p.read_text() for p in section.folder.glob("*.csv"))
    assert not any(i in blob for i in ids)
    assert not any(rid in blob for rid in ("WCC-F", "HF-F", "RBKC-F"))
    for item in meta["items"]:
        if item["kind"] == "table":
            table = pd.read_csv(section.folder / item["file"])
            for c in item["count_columns"]:
                assert c in table.columns


def test_pick_examples_is_deterministic(synthetic_run):
    *_, (fam, data, graphs, measures, change, summary, by_training) = synthetic_run
    a = analysis.pick_examples(change, 3)
    b = analysis.pick_examples(change.sample(frac=1, random_state=1), 3)
    assert a == b and len(set(a)) == 3


def test_resolve_family_ids_accepts_la_id_and_pseudonym():
    from helpers.pseudonymise import pseudonym

    p = pseudonym("WCC-F00001", KEY, "F")
    assert inputs.resolve_family_ids(["WCC-F00001", p], {p}, key=KEY) == [p, p]
    with pytest.raises(ValueError, match="no network map"):
        inputs.resolve_family_ids(["nobody"], {p}, key=KEY)
    assert inputs.parse_list('["a", "b"]') == ["a", "b"] == inputs.parse_list("a, b") == inputs.parse_list(["a", "b"])
    assert inputs.parse_list("") == []


def test_modules_are_documented():
    from helpers.ingest import RawFile

    assert all(isinstance(r, RawFile) for r in inputs.RAW_FILES)
    for table in analysis.OUTPUTS:
        assert all(f.description for f in table.fields)
    source = (ROOT / "src" / "helpers" / "strands" / "networks" / "charts.py").read_text()
    for forbidden in ("matplotlib.use(", "plt.show", "import matplotlib.pyplot", "from matplotlib import pyplot"):
        assert forbidden not in source, forbidden


def test_section_with_wave_one_only(synthetic_run, tmp_path):
    # Before any second maps arrive: the section still builds, says nothing about change it cannot know.
    truth, raw, out, (fam, data, graphs, measures, change, summary, by_training) = synthetic_run
    g1 = {k: g for k, g in graphs.items() if k[1] == 1}
    m1 = analysis.map_measures(g1)
    ch = analysis.family_change(g1, m1, fam.data)
    assert len(ch) == 0
    summ = analysis.change_summary(m1, fam.data, n_boot=50)
    bt = analysis.change_by_training(m1, fam.data, n_boot=50)
    section = report_section.Section(
        strand="networks", title="Family network maps", order=30, processed_dir=tmp_path, synthetic=True
    )
    build_section(section, data, m1, ch, summ, bt, fam.data, g1, None)
    text = " ".join(i.get("text", "") for i in section.items)
    assert "nan" not in text.lower().replace("financ", "")
    assert "What changed" not in text and "For whom" not in text


def test_summary_has_effect_sizes_and_bootstrap(synthetic_run):
    *_, (fam, data, graphs, measures, change, summary, by_training) = synthetic_run
    assert list(summary.columns) == analysis.CHANGE_SUMMARY_TABLE.column_names
    assert list(by_training.columns) == analysis.TRAINING_DIFFERENCE_TABLE.column_names
    r = summary[(summary["measure"] == "n_informal") & (summary["group"] == "all")].iloc[0]
    assert r["boot_ci_low"] < r["mean_change"] < r["boot_ci_high"]
    assert r["dz_ci_low"] < r["d_z"] < r["dz_ci_high"]
    # Hand check of the paired mean change from the per-family table.
    assert r["mean_change"] == pytest.approx(change["n_informal_change"].mean())
    # Density is compared only where ties were recorded at both waves.
    d = summary[(summary["measure"] == "density") & (summary["group"] == "all")].iloc[0]
    both = measures.pivot(index="family_id", columns="wave", values="ties_recorded").dropna()
    assert d["n_families"] == int((both[1].astype(bool) & both[2].astype(bool)).sum())


def test_explore_notebook_draws_chosen_families(synthetic_run, tmp_path, run_notebook):
    truth, raw, out, _ = synthetic_run
    maps = pd.read_csv(raw / "network_maps.csv")
    two = maps.groupby("family_id")["wave"].nunique()
    chosen = sorted(two[two == 2].index)[:2]  # the LA's own identifiers, as an evaluator would type them
    run_notebook(
        "explore_family_network.ipynb",
        tmp_path / "run.ipynb",
        raw_dir=str(raw),
        processed_dir=str(out),
        family_ids=json.dumps(chosen),
        output_folder=str(tmp_path / "maps"),
    )
    files = sorted(p.name for p in (tmp_path / "maps").iterdir())
    assert len([f for f in files if f.endswith(".png")]) == 2 and len([f for f in files if f.endswith(".svg")]) == 2
    assert not any(c in " ".join(files) for c in chosen)  # files are named by pseudonym, never the LA's ID
    m = pd.read_csv(next((tmp_path / "maps").glob("*_measures.csv")), index_col=0)
    assert {"wave 1", "wave 2"} <= set(m.columns) and "density" in m.index


def test_overlap_by_hand():
    from helpers.strands.networks.labels import overlap

    square = [(0, 0), (2, 0), (2, 2), (0, 2)]
    assert overlap(square, [(1, 1), (3, 1), (3, 3), (1, 3)])
    assert not overlap(square, [(2.5, 0), (4, 0), (4, 2), (2.5, 2)])
    assert not overlap(square, [(3, 0), (4, 1), (3, 2), (2.1, 1)])  # a diamond beside it, not touching
    assert overlap(square, [(3, 0), (4, 1), (3, 2), (1.9, 1)])  # its left corner inside the square


def _crowd(n, role):
    domains = ["household", "extended_family", "friends", "neighbours", "work_school", "community", "formal_services"]
    return [
        member(f"M{i:02d}", domains[i % 7], 2, 2, 2, 1, 3 if i % 2 else 2, "both", "strong", role=role.format(i=i))
        for i in range(n)
    ]


@pytest.mark.parametrize("n", [8, 16, 24])
def test_ecomap_labels_do_not_overlap(n):
    """A crowded map (up to 24 members, long role labels, all on two rings): no two member labels'
    rotated outlines overlap; a label that would is a number on the map, its role listed in the key."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from helpers.strands.networks.labels import outline, overlap

    fig = charts.draw_family(analysis.build_graph("F9", 1, False, _crowd(n, "maternal grandmother {i}"), []))
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    ax = fig.axes[0]
    labels = [t for t in ax.texts if t.get_rotation_mode() == "anchor"]  # members' labels (and numbers)
    assert len(labels) == n
    boxes = [outline(t, renderer) for t in labels]
    assert [(i, j) for i in range(n) for j in range(i + 1, n) if overlap(boxes[i], boxes[j])] == []
    key = [t.get_text().replace("\n", " ") for t in fig.legends[0].get_texts()]
    on_map = {t.get_text().replace("\n", " ") for t in labels}
    for i in range(n):
        role = f"maternal grandmother {i}"
        numbered = [k.split(": ")[0] for k in key if k.endswith(": " + role)]
        assert role in on_map or (len(numbered) == 1 and numbered[0] in on_map), role
    assert fig.get_figwidth() == pytest.approx(charts.FIGURE_WIDTH)


def test_short_labels_are_never_numbered():
    fig = charts.draw_family(analysis.build_graph("F9", 1, False, _crowd(8, "aunt {i}"), []))
    assert all(not t.get_text().isdigit() for t in fig.axes[0].texts)
    assert not any("Numbered" in t.get_text() for t in fig.legends[0].get_texts())
