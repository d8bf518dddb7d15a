"""The shared reader of the published statistics (helpers.public_data).

Hand-made tiny folders test the rules (missing folder/column, suppressed cells, vintages, series
breaks); the real folder, when present, is checked against figures stated in its PROVENANCE.md.
"""

import csv
import math

import pandas as pd
import pytest

from helpers import public_data as pdm
from helpers.ingest import IngestError

REAL = pdm.public_data_dir()
needs_real = pytest.mark.skipif(
    not pdm.available(),
    reason=f"public statistics folder not found at {REAL} (set FOP_PUBLIC_DATA); real-data checks skipped",
)


def _write(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow([r.get(c, "") for c in columns])


def _indicator(code, name, year, measure, value, published=None, vintage="", level="Local authority"):
    return {
        "la_code": f"E0900{code}",
        "old_la_code": str(code) if level == "Local authority" else "",
        "la_name": name,
        "geographic_level": level,
        "year": str(year),
        "measure": measure,
        "value": value,
        "value_as_published": published if published is not None else value,
        "pop_vintage": vintage,
        "source_id": "HAND",
    }


@pytest.fixture
def tiny(tmp_path):
    """A hand-made public folder: two LAs, one with a suppressed cell, one created in 2019."""
    cols = [c.name for c in pdm.PREFERRED.columns]
    rows = [
        _indicator(101, "Alpha", 2014, "cla_at_31_march_number", "40"),
        _indicator(101, "Alpha", 2015, "cla_at_31_march_number", "", published="c"),
        _indicator(102, "Beta", 2014, "cla_at_31_march_number", "0"),
        _indicator(102, "Beta", 2015, "cla_at_31_march_number", "", published="-"),
        _indicator(101, "Alpha", 2014, "cla_at_31_march_rate_per_10000", "50", vintage=pdm.VINTAGE_PRE2021),
        _indicator(101, "Alpha", 2014, "pop_0_17_ons_mid_year_pre2021census", "8000", vintage=pdm.VINTAGE_PRE2021),
        _indicator(101, "Alpha", 2019, "pop_0_17_ons_mid_year_revised", "6000", vintage=pdm.VINTAGE_REVISED),
    ]
    _write(tmp_path / "csc_indicators_preferred.csv", cols, rows)
    lk_cols = [c.name for c in pdm.LA_LOOKUP.columns]
    _write(
        tmp_path / "la_lookup.csv",
        lk_cols,
        [
            {
                "old_la_code": "101",
                "la_code": "E09000101",
                "la_name": "Alpha",
                "geographic_level": "Local authority",
                "first_year_with_data": "2009",
                "last_year_with_data": "2025",
            },
            {
                "old_la_code": "102",
                "la_code": "E09000102",
                "la_name": "Beta",
                "geographic_level": "Local authority",
                "first_year_with_data": "2009",
                "last_year_with_data": "2025",
            },
            {
                "old_la_code": "103",
                "la_code": "E09000103",
                "la_name": "Gamma",
                "geographic_level": "Local authority",
                "first_year_with_data": "2019",
                "last_year_with_data": "2025",
            },
            {
                "old_la_code": "",
                "la_code": "E92000001",
                "la_name": "England",
                "geographic_level": "National",
                "first_year_with_data": "2009",
                "last_year_with_data": "2025",
            },
        ],
    )
    ch_cols = [c.name for c in pdm.LA_CHANGES.columns]
    _write(
        tmp_path / "la_changes.csv",
        ch_cols,
        [
            {
                "change_id": "2019-gamma",
                "change_type": "boundary change: separate series before/after (not spliced)",
                "old_dfe_la_codes": "104",
                "new_dfe_la_codes": "103",
                "old_areas_last_year_with_data": "2019",
                "new_areas_first_year_with_data": "2019",
            },
            {
                "change_id": "2013-code",
                "change_type": "GSS code change only for the children's services area: one continuous series",
                "old_dfe_la_codes": "102",
                "new_dfe_la_codes": "102",
            },
        ],
    )
    return tmp_path


def test_missing_folder_says_what_to_put_where(tmp_path):
    empty = tmp_path / "nothing_here"
    assert not pdm.available(empty)
    with pytest.raises(pdm.PublicDataMissing) as exc:
        pdm.read("preferred", empty)
    msg = str(exc.value)
    assert str(empty) in msg and "FOP_PUBLIC_DATA" in msg and "csc_indicators_preferred.csv" in msg
    assert isinstance(exc.value, IngestError)  # the pipeline treats it like any missing input
    assert pdm.missing_message(empty) == msg


def test_missing_file_named(tiny):
    with pytest.raises(pdm.PublicDataMissing, match="statistical_neighbours_2021.csv"):
        pdm.statistical_neighbours([101], path=tiny)


def test_missing_column_names_file_and_column(tiny):
    path = tiny / "la_changes.csv"
    cols = [c.name for c in pdm.LA_CHANGES.columns if c.name != "change_type"]
    _write(path, cols, [{"change_id": "x"}])
    with pytest.raises(IngestError) as exc:
        pdm.read("la_changes", tiny)
    assert "la_changes.csv" in str(exc.value) and "change_type" in str(exc.value)


def test_suppressed_stays_missing_with_symbol(tiny):
    p = pdm.panel(["cla_at_31_march_number"], path=tiny)
    alpha15 = p[(p.area_code == "101") & (p.year == 2015)].iloc[0]
    beta14 = p[(p.area_code == "102") & (p.year == 2014)].iloc[0]
    beta15 = p[(p.area_code == "102") & (p.year == 2015)].iloc[0]
    assert math.isnan(alpha15.value) and alpha15.value_as_published == "c"
    assert math.isnan(beta15.value) and beta15.value_as_published == "-"  # LAIT's dash kept, not blanked
    assert beta14.value == 0  # a published zero stays a zero
    # summing 2015 over the two LAs must not pretend the missing cells were 0
    assert p[p.year == 2015].value.isna().sum() == 2
    assert p[p.year == 2015].value.count() == 0


def test_bad_number_rejects_row_and_is_logged(tiny):
    cols = [c.name for c in pdm.PREFERRED.columns]
    _write(
        tiny / "csc_indicators_preferred.csv",
        cols,
        [
            _indicator(101, "Alpha", 2014, "cla_at_31_march_number", "forty"),
            _indicator(101, "Alpha", 2015, "cla_at_31_march_number", "41"),
        ],
    )
    res = pdm.read_result("preferred", tiny)
    assert res.rows_read == 2 and res.rows_accepted == 1 and res.rows_rejected == 1
    assert res.issues.iloc[0]["row"] == 2 and res.issues.iloc[0]["column"] == "value"


def test_vintages_never_meet(tiny):
    with pytest.raises(ValueError, match="never meet"):
        pdm.panel(["pop_0_17_ons_mid_year_pre2021census", "pop_0_17_ons_mid_year_revised"], path=tiny)
    revised = pdm.population(vintage=pdm.VINTAGE_REVISED, path=tiny)
    assert revised.population.tolist() == [6000]
    # a rate row on the revised vintage cannot sit in a pre-2021 panel
    cols = [c.name for c in pdm.PREFERRED.columns]
    _write(
        tiny / "csc_indicators_preferred.csv",
        cols,
        [
            _indicator(101, "Alpha", 2014, "cla_at_31_march_rate_per_10000", "50", vintage=pdm.VINTAGE_PRE2021),
            _indicator(101, "Alpha", 2020, "cla_at_31_march_rate_per_10000", "70", vintage=pdm.VINTAGE_REVISED),
        ],
    )
    with pytest.raises(ValueError, match="never meet"):
        pdm.panel(["cla_at_31_march_rate_per_10000"], path=tiny)


def test_eligibility_excludes_series_breaks(tiny):
    e = pdm.eligible_las(2010, 2019, path=tiny)
    assert e.eligible == [101, 102]  # 102's code-only change keeps one series
    assert e.excluded.old_la_code.tolist() == [103] and "boundary change" in e.excluded.reason.iloc[0]
    e2 = pdm.eligible_las(2010, 2019, path=tiny, exclude=[101])
    assert e2.eligible == [102] and e2.n_excluded == 2


def test_resolve_areas(tiny):
    assert pdm.resolve_areas("101, E09000102", path=tiny) == [101, 102]
    assert pdm.resolve_areas(["Gamma"], path=tiny) == [103]
    with pytest.raises(ValueError, match="Omega"):
        pdm.resolve_areas(["Omega"], path=tiny)


@needs_real
def test_real_files_validate_without_rejections():
    for key in ("preferred", "la_lookup", "la_changes", "sn_2021", "sn_2025"):
        res = pdm.read_result(key)
        assert res.rows_rejected == 0, (key, res.issues.head())


@needs_real
def test_real_figures_stated_in_provenance():
    # PROVENANCE.md: Westminster CLA at 31 March 2016 is 168 in later releases
    p = pdm.panel(["cla_at_31_march_number"], areas=["213"], years=(2016, 2016))
    assert p.value.tolist() == [168]
    # PROVENANCE.md: Westminster aged 0-17 mid-2019: 48,791 before the revision, 32,706 after
    assert pdm.population(["213"], (2019, 2019)).population.tolist() == [48791]
    assert pdm.population(["213"], (2019, 2019), vintage=pdm.VINTAGE_REVISED).population.tolist() == [32706]


@needs_real
def test_real_eligibility_and_neighbours():
    e = pdm.eligible_las(2010, 2019)
    # 160 LAs; out: City of London, Isles of Scilly; 820, 875 (abolished 2009); 838, 839 (from 2019);
    # 940, 941 (from 2021); 942, 943 (from 2022/2023): 150 left
    assert len(e.eligible) == 150 and e.n_excluded == 10
    assert {835, 836, 837, 928, 909} <= set(e.eligible)  # abolished after 2019: complete over 2010-2019
    sn = pdm.statistical_neighbours([213, 205, 207])
    assert not set(sn.neighbour_la) & {213, 205, 207}
    assert sn[sn.treated_la == 213].neighbour_la.tolist() == [202, 206, 212, 352, 203, 870, 302, 315]


# ---- the validated files kept between processes (helpers.public_data.cache) ------------------------

import dataclasses  # noqa: E402
import os  # noqa: E402

from helpers.public_data import cache as public_cache  # noqa: E402
from helpers.public_data import files as public_files  # noqa: E402


@pytest.fixture
def kept(tiny, tmp_path, monkeypatch):
    """The tiny folder with one rejected row, a cache folder of the test's own, and a way to read the
    preferred file as a new process would (nothing in memory), counting the validations."""
    cols = [c.name for c in pdm.PREFERRED.columns]
    rows = [_indicator(101, "Alpha", 2014, "cla_at_31_march_number", "forty")]
    rows.append(_indicator(101, "Alpha", 2015, "cla_at_31_march_number", "41"))
    _write(tiny / "csc_indicators_preferred.csv", cols, rows)
    folder = tmp_path / "kept"
    monkeypatch.setenv("FOP_CACHE_DIR", str(folder))
    validations = []
    real = public_files.validate
    monkeypatch.setattr(public_files, "validate", lambda *a: validations.append(a[1].name) or real(*a))

    def read_afresh():
        public_files._CACHE.clear()
        return pdm.read_result("preferred", tiny)

    return {
        "folder": folder,
        "read": read_afresh,
        "validations": validations,
        "file": tiny / "csc_indicators_preferred.csv",
    }


def test_a_second_process_loads_what_the_first_validated_rejections_and_issues_included(kept):
    first = kept["read"]()
    second = kept["read"]()
    assert kept["validations"] == ["csc_indicators_preferred.csv"]  # once, not twice
    assert second.rows_read == 2 and second.rows_rejected == 1 and second.issues.iloc[0]["column"] == "value"
    assert second.data.equals(first.data) and second.rejected.equals(first.rejected)
    assert len(list(kept["folder"].glob("*.pickle"))) == 1


def test_a_changed_file_is_validated_again_and_its_old_entry_removed(kept):
    kept["read"]()
    entry = next(kept["folder"].glob("*.pickle"))
    cols = [c.name for c in pdm.PREFERRED.columns]
    _write(kept["file"], cols, [_indicator(101, "Alpha", 2014, "cla_at_31_march_number", "40")])
    os.utime(kept["file"], ns=(1, 1))  # another modification time, whatever the clock's resolution
    result = kept["read"]()
    assert kept["validations"] == ["csc_indicators_preferred.csv"] * 2
    assert result.rows_read == 1 and result.rows_rejected == 0
    assert [p.name for p in kept["folder"].glob("*.pickle")] != [entry.name]
    assert len(list(kept["folder"].glob("*.pickle"))) == 1


def test_another_schema_is_another_entry(kept, monkeypatch):
    kept["read"]()
    changed = dataclasses.replace(pdm.PUBLIC_FILES["preferred"], description="read another way")
    monkeypatch.setitem(pdm.PUBLIC_FILES, "preferred", changed)
    kept["read"]()
    assert len(kept["validations"]) == 2


def test_text_kept_another_way_is_another_entry(kept):
    """A frame unpickled keeps the text storage it was made with: an entry made while pandas kept text
    in Arrow arrays is not handed to a process keeping it in Python objects (helpers.pandas_options)."""
    kept["read"]()
    with pd.option_context("mode.string_storage", "pyarrow"):
        kept["read"]()
    assert len(kept["validations"]) == 2
    kept["read"]()
    assert len(kept["validations"]) == 3  # the Arrow entry replaced the first: one entry per file


def test_an_unreadable_entry_is_validated_again_and_overwritten(kept):
    kept["read"]()
    entry = next(kept["folder"].glob("*.pickle"))
    entry.write_bytes(b"not a pickle")
    assert kept["read"]().rows_rejected == 1
    assert len(kept["validations"]) == 2
    assert kept["read"]().rows_rejected == 1 and len(kept["validations"]) == 2  # the rewritten entry serves


def test_off_keeps_nothing_and_a_folder_that_cannot_be_written_loses_nothing(kept, monkeypatch):
    monkeypatch.setenv("FOP_CACHE_DIR", "off")
    assert public_cache.cache_dir() is None
    kept["read"]()
    kept["read"]()
    assert len(kept["validations"]) == 2 and not kept["folder"].exists()
    blocked = kept["folder"].parent / "a_file"
    blocked.write_text("a file where the folder would be")
    monkeypatch.setenv("FOP_CACHE_DIR", str(blocked))
    assert kept["read"]().rows_rejected == 1
    assert len(kept["validations"]) == 3 and not list(blocked.parent.glob(".*.tmp-*"))
