"""The one reader of the published DfE/ONS statistics (``FOP_PUBLIC_DATA``, default ``../shared/public_data``).

The folder holds real published statistics for every English local authority, 2009-2025, built
outside this repository and documented in its ``PROVENANCE.md``. Nothing from it is ever copied into
the repository. Every strand that uses it (outcomes and costs, workforce) reads it through this
module, so that the same rules hold everywhere:

* the folder is a parameter (``public_data_dir``); blank or ``None`` means ``$FOP_PUBLIC_DATA`` if set,
  else :data:`helpers.config.PUBLIC_DATA_DIR`;
* each file read has a declared schema (:data:`PUBLIC_FILES`, also :data:`RAW_FILES` for the data
  dictionary). A missing folder or file raises :class:`PublicDataMissing`, whose message says what
  to put where; a missing column raises :class:`helpers.ingest.IngestError` naming the file and the
  column; a value that breaks its column's type rejects the row, logged like any other input;
* suppressed or missing cells stay missing (``NaN``), never 0; the published symbol (``c``, ``x``,
  ``z``, ``..``, ``u``, ``-``) is kept in ``value_as_published``;
* the two population vintages behind rates never meet in one table (:func:`panel` refuses);
* areas whose series is broken by a local-government change inside the years compared are not
  eligible as comparators (:func:`eligible_las`, which says how many it removes and why).

DfE LA numbers (``old_la_code``, e.g. 213 Westminster) are the area key: each number is one fixed
area. GSS codes (``la_code``) and names are accepted wherever an area is asked for.
"""

from __future__ import annotations

from .areas import Eligibility, area_names, eligible_las, la_lookup, resolve_areas, statistical_neighbours
from .files import available, missing_message, public_data_dir, read, read_result, require, validate
from .panel import PANEL_COLUMNS, first_published, panel, population, release_year, wide
from .schema import (
    ENGLAND,
    GEOGRAPHIC_LEVELS,
    INNER_LONDON,
    LA_CHANGES,
    LA_LOOKUP,
    LA_TYPES,
    LONDON,
    LONG,
    OUTER_LONDON,
    OUTPUTS,
    POPULATION_MEASURES,
    PREFERRED,
    PUBLIC_FILES,
    RAW_FILES,
    RAW_LOCATION,
    S251_LINES,
    SMALL_AREAS,
    SN_2021,
    SN_2025,
    STRAND,
    SUPPRESSION_SYMBOLS,
    VINTAGE_PRE2021,
    VINTAGE_REVISED,
    VINTAGES,
    PublicDataMissing,
)

__all__ = [
    "ENGLAND",
    "Eligibility",
    "GEOGRAPHIC_LEVELS",
    "INNER_LONDON",
    "LA_CHANGES",
    "LA_LOOKUP",
    "LA_TYPES",
    "LONDON",
    "LONG",
    "OUTER_LONDON",
    "OUTPUTS",
    "PANEL_COLUMNS",
    "POPULATION_MEASURES",
    "PREFERRED",
    "PUBLIC_FILES",
    "PublicDataMissing",
    "RAW_FILES",
    "RAW_LOCATION",
    "S251_LINES",
    "SMALL_AREAS",
    "SN_2021",
    "SN_2025",
    "STRAND",
    "SUPPRESSION_SYMBOLS",
    "VINTAGES",
    "VINTAGE_PRE2021",
    "VINTAGE_REVISED",
    "area_names",
    "available",
    "eligible_las",
    "first_published",
    "la_lookup",
    "missing_message",
    "panel",
    "population",
    "public_data_dir",
    "read",
    "read_result",
    "release_year",
    "require",
    "resolve_areas",
    "statistical_neighbours",
    "validate",
    "wide",
]
