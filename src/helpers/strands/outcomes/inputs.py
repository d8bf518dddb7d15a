"""Inputs of the outcomes strand: the published statistics, read through :mod:`helpers.public_data`.

The strand reads no raw extract of its own. Its inputs are the public files declared in
:data:`helpers.public_data.PUBLIC_FILES` (documented in the data dictionary under
``public_data``); this module names the ones it reads and records them for the report's
data-quality section like any other input.
"""

from __future__ import annotations

from pathlib import Path

from ... import public_data as pdm
from ...ingest import save_ingest_record

#: The public files this strand reads (keys of :data:`helpers.public_data.PUBLIC_FILES`).
FILES_READ = ("preferred", "long", "la_lookup", "la_changes", "sn_2021", "sn_2025")
RAW_FILES = ()  # the public files are documented once, under helpers.public_data


def check(public_data_dir=None) -> str:
    """'' when every file the strand reads is present, else the one-paragraph 'what to put where'."""
    try:
        pdm.require(public_data_dir, files=FILES_READ)
    except pdm.PublicDataMissing as exc:
        return str(exc)
    return ""


def record(processed_dir: Path, public_data_dir=None, neighbour_list: str = "2021") -> list[dict]:
    """Validate the files read and write their reconciliation for the data-quality section."""
    keys = [k for k in FILES_READ if not k.startswith("sn_")] + [f"sn_{neighbour_list}"]
    return [save_ingest_record(pdm.read_result(k, public_data_dir), processed_dir) for k in keys]


def sources(public_data_dir=None) -> list[dict]:
    """The releases behind the section, with their dates, for ``Section(sources=...)``."""
    return list(SOURCES)


#: Releases the figures come from (PROVENANCE.md of the public folder). Dates are those stated there
#: or the release's own; "see PROVENANCE.md" where the folder does not give one.
SOURCES = (
    {
        "name": "Children looked after in England including adoptions (SFR/OSR 2010-2017, underlying data 2018-2019, EES 2021)",
        "publisher": "DfE",
        "released": "annual releases 2010-2021; EES 2021 release",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/children-looked-after-in-england-including-adoptions",
    },
    {
        "name": "Characteristics of children in need (SFR/OSR 2010-2017; EES 2022 and 2024 releases)",
        "publisher": "DfE",
        "released": "annual releases 2010-2024",
        "url": "https://explore-education-statistics.service.gov.uk/find-statistics/characteristics-of-children-in-need",
    },
    {
        "name": "Local Authority Interactive Tool (LAIT), big data set",
        "publisher": "DfE",
        "released": "repository commits of 28 May 2025 and 8 April 2026",
        "url": "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait",
    },
    {
        "name": "Section 251 outturn, Table A1 (FY2008-09 to FY2018-19)",
        "publisher": "DfE",
        "released": "annual outturn releases 2009-2019",
        "url": "https://www.gov.uk/government/collections/section-251-materials",
    },
    {
        "name": "Children's Services Statistical Neighbour Benchmarking Tool (April 2021 and May 2025 groups)",
        "publisher": "DfE",
        "released": "April 2021; May 2025",
        "url": "https://www.gov.uk/government/publications/local-authority-interactive-tool-lait",
    },
    {
        "name": "Mid-year population estimates, children aged 0-17 (pre-Census-2021 series as published with the DfE releases)",
        "publisher": "ONS",
        "released": "as used in the DfE releases above (mid-2009 to mid-2020)",
        "url": "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates",
    },
)
