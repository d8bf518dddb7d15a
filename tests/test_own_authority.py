"""One authority's own report: its published workforce figures against its own statistical
neighbours and region. Expected values are read from the public CSV files with the csv module and
statistics.median, not through the project's readers."""

import csv
import statistics
from pathlib import Path

import pytest

from helpers import public_data
from helpers.report_section import Section
from helpers.strands.workforce import public
from helpers.strands.workforce import section_public as wf_public

PUBLIC = public_data.public_data_dir()
needs_public = pytest.mark.skipif(not public.available(), reason=f"public data folder not found at {PUBLIC}")
LEEDS = "383"


def _rows(name):
    with open(Path(PUBLIC) / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def leeds():
    treated = public.treated_areas(la=383)
    comp = public.comparison(
        public.read_workforce(), public.neighbours(None, treated), treated, public.regions(treated)
    )
    return treated, comp


@needs_public
def test_an_authority_is_compared_with_its_own_neighbours_and_region(leeds):
    treated, comp = leeds
    assert treated == {"Leeds": LEEDS}
    neighbours = [
        r["neighbour_old_la_code"]
        for r in _rows("statistical_neighbours_2021.csv")
        if r["old_la_code"] == LEEDS and r["sn_list"] == "main list"
    ]
    assert len(neighbours) == 10 and not {"213", "205", "207"} & set(neighbours)
    pref = {
        (r["old_la_code"] or r["la_code"], r["year"], r["measure"]): r["value"]
        for r in _rows("csc_indicators_preferred.csv")
        if r["measure"] == "csww_agency_rate_pct"
    }
    region = next(r for r in _rows("la_lookup.csv") if r["old_la_code"].split(".")[0] == LEEDS)
    assert region["region_name"] == "Yorkshire and The Humber"
    row = comp[(comp["measure"] == "agency_rate_pct") & (comp["year"] == 2016)].iloc[0]
    assert row["borough"] == "Leeds" and row["region_name"] == "Yorkshire and The Humber"
    assert row["borough_value"] == pytest.approx(float(pref[(LEEDS, "2016", "csww_agency_rate_pct")]))
    values = [float(v) for c in neighbours if (v := pref.get((c, "2016", "csww_agency_rate_pct")))]
    assert row["neighbours_median"] == pytest.approx(statistics.median(values))
    assert row["neighbours_with_value"] == len(values) and row["neighbours"] == len(neighbours)
    assert row["region"] == pytest.approx(float(pref[(region["region_code"], "2016", "csww_agency_rate_pct")]))
    assert row["england"] == pytest.approx(float(pref[("E92000001", "2016", "csww_agency_rate_pct")]))


@needs_public
def test_an_authoritys_workforce_section_names_it(leeds, tmp_path):
    _, comp = leeds
    section = Section(strand="workforce", title="t", order=50, processed_dir=tmp_path, synthetic=False)
    wf_public.build_public_section(section, comp)
    text = " ".join(i["text"] for i in section.items if i["kind"] == "markdown")
    assert "Leeds is compared with its statistical neighbours" in text
    assert "with Yorkshire and The Humber and with England" in text
    assert "boroughs" not in text.replace("Focus on Practice boroughs", "")
    answer = section.key_findings[0]["answer"]
    assert answer.startswith(
        "Published figures for 2015-2017 put Leeds below its statistical neighbours' median for agency rate in "
    )
    assert " years, for turnover in " in answer and "borough" not in answer
    assert "(below Yorkshire and The Humber's in " in section.key_findings[0]["text"]
