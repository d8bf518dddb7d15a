"""Family network maps: who is around each family, how close they are and how they help.

Families drew a Social Network Map (Tracy & Whittaker 1990) with the practitioner or researcher at
each wave: every person or service around the family, with their life domain, the kinds of support
they give (emotional, practical, informational) and how critical they are (1 hardly ever,
2 sometimes, 3 almost always), how close they are (1 not very, 2 sort of, 3 very), how often they are
in contact, how long they have been known, the direction of help and the quality of the relationship
(the ecomap's strong / tenuous / stressful, Hartman 1978). Where it was recorded, the map also says
which members know each other.

Three raw files (:data:`RAW_FILES`): one row per map (``network_maps.csv``, with ``ties_recorded`` so
that "ties not recorded" is never confused with "recorded, none"), one row per member per map
(``network_members.csv``) and one row per pair of members who know each other
(``network_ties.csv``). After each file is validated on its own, :func:`cross_check` rejects rows that
only make sense with another file (a tie to a member who is not on that map, members of a map that
does not exist...), with file, row and column, in the same data-quality record, so that
``rows read = accepted + rejected`` still holds for every file.

Each map becomes one ``networkx`` graph (:func:`build_graphs`): the family at the centre (node
:data:`FAMILY`), members as nodes carrying their attributes, an edge from the family to every member
(``kind="family"``) and an edge for each tie between members (``kind="tie"``). :func:`measure_graph`
computes the measures defined in :data:`MAP_MEASURES`; :func:`family_change` and
:func:`change_summary` describe change between waves.

Modules: :mod:`.inputs` (schemas, cross-file checks, reading), :mod:`.analysis` (graphs, measures,
change; the processed tables), :mod:`.charts` (ecomaps and aggregate charts; depends on the analysis,
never the other way), :mod:`.section` (the report section).
"""

from .analysis import OUTPUTS
from .inputs import RAW_FILES, STRAND

__all__ = ["OUTPUTS", "RAW_FILES", "STRAND"]
