"""DfE code lists for the SSDA903 and CIN census returns (``shared/reference/formats.md``)."""

from __future__ import annotations

SEX_903 = {
    "1": "male (to 2023/24)",
    "2": "female (to 2023/24)",
    "M": "male (from 2024/25)",
    "F": "female (from 2024/25)",
    "U": "unknown (from 2024/25)",
}
RNE = {
    "S": "all episodes start: new period of care",
    "L": "change of legal status only",
    "P": "change of placement only",
    "T": "change of legal status and placement",
    "U": "change of legal status and placement at the same time (two changes)",
    "B": "change of placement and legal status (older code)",
}
LS = {
    "C1": "interim care order",
    "C2": "full care order",
    "D1": "freeing order",
    "E1": "placement order",
    "V2": "single period of accommodation under s20",
    "V3": "short break, single occasion (s20)",
    "V4": "short breaks, series (s20)",
    "J1": "remanded to LA accommodation (PACE)",
    "J2": "PACE transfer",
    "J3": "sentenced to supervision order with residence requirement",
    "L1": "police protection",
    "L2": "emergency protection order",
    "L3": "child assessment order",
}
#: Legal statuses of short breaks that DfE excludes from "looked after at 31 March".
SHORT_BREAK_LS = ("V3", "V4")
CIN_NEED = {f"N{i}": f"category of need N{i}" for i in range(1, 9)}
PLACE = {
    **{f"A{i}": "placed for adoption" for i in range(3, 7)},
    "H5": "semi-independent living (old code)",
    "K1": "secure unit",
    "K2": "children's home",
    "K3": "children's home (from 2025/26)",
    "P1": "placed with parents",
    "P2": "independent living (old code)",
    "P3": "residential employment",
    "R1": "residential care home",
    "R2": "NHS/health trust",
    "R3": "family centre or mother and baby unit",
    "R5": "young offender institution or prison",
    "S1": "residential school",
    **{f"T{i}": "temporary placement" for i in range(0, 5)},
    "U1": "foster placement with relative/friend, long term",
    "U2": "foster placement with relative/friend, FFA",
    "U3": "foster placement with relative/friend, not long term or FFA",
    "U4": "foster placement with other carer, long term",
    "U5": "foster placement with other carer, FFA",
    "U6": "foster placement with other carer, not long term or FFA",
    "Z1": "other placement (old code)",
    **{f"Z1{i}": "other placement (from 2025/26)" for i in range(1, 5)},
}
PLACE_PROVIDER = {f"PR{i}": f"provider PR{i}" for i in range(0, 6)}
REC = {
    c: "episode ceased"
    for c in (
        "X1",
        "E11",
        "E12",
        "E13",
        "E14",
        "E15",
        "E16",
        "E17",
        "E2",
        "E3",
        "E4A",
        "E4B",
        "E41",
        "E45",
        "E46",
        "E47",
        "E48",
        "E5",
        "E6",
        "E7",
        "E8",
        "E9",
    )
}
REC["X1"] = "episode ceases, child still looked after"
REASON_PLACE_CHANGE = {
    c: c
    for c in (
        "CARPL",
        "CLOSE",
        "ALLEG",
        "STAND",
        "APPRR",
        "CREQB",
        "CREQO",
        "CHILD",
        "LAREQ",
        "PLACE",
        "CUSTOD",
        "OTHER",
    )
}
GENDER_CIN = {
    "0": "not known",
    "1": "male",
    "2": "female",
    "9": "not specified",
    "M": "male (from 2024/25)",
    "F": "female (from 2024/25)",
    "U": "unknown (from 2024/25)",
}
PRIMARY_NEED = {f"N{i}": f"primary need N{i}" for i in range(0, 10)}
REASON_CLOSURE = {f"RC{i}": f"reason for closure RC{i}" for i in range(1, 10)}
ABUSE = {"NEG": "neglect", "PHY": "physical abuse", "SAB": "sexual abuse", "EMO": "emotional abuse", "MUL": "multiple"}
