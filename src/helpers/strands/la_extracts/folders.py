"""Where the LA extracts are, whose they are, and what this report does with each return.

Two ways in:

* the raw layout, ``<raw_dir>/la_extracts/<DfE LA number>/<year ending 31 March>/`` holding
  ``ssda903/`` (the CSV tables, or ``ssda903.xml``) and/or ``cin/`` (CIN census XML files): the LA
  number and the year are the folder's;
* folders or files read in place (the ``extract_dir`` parameter: one path or a list), never copied:
  a folder holding ``ssda903/`` and/or ``cin/``, a folder of SSDA903 CSV tables, a folder of XML
  returns, or one XML file (told apart by its root element). Their LA number is the report's ``la``;
  their year is the CIN header's reference date, or for SSDA903 the year ending 31 March in which
  the latest episode started (the return covers that year).

Then one decision per return (:func:`decide`), written as one line the report prints: used;
outside this report's scope (another LA); or not used because the CIN header's LEA and the folder's
LA number disagree, unless the analyst sets ``trust_folder_la`` (the folder wins). SSDA903 returns
carry no LA number of their own, so only CIN files can disagree.

Plain Python only (no pandas, no lxml): the DfE validators' kernel (pandas < 2) imports this module
too, so the validation and the section read the same returns and say the same about them.
"""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ...config import ALL_BOROUGHS, BOROUGHS, normalise_borough

#: The strand's name (its processed folder), here so that the validators' kernel needs nothing heavier.
STRAND = "la_extracts"
SSDA903 = "SSDA903"
CIN = "CIN census"
SSDA903_CSV_TABLES = (
    "header",
    "episodes",
    "uasc",
    "missing",
    "oc2",
    "oc3",
    "ad1",
    "placed_for_adoption",
    "previous_permanence",
    "reviews",
    "sw_episodes",
)


class ExtractFolderError(ValueError):
    """A folder or file named for reading that is not an extract (one line, naming it)."""


@dataclass(frozen=True)
class Return:
    """One return as found: an SSDA903 return (a folder of CSV tables or one XML file) or one CIN
    census XML file."""

    kind: str  # SSDA903 or CIN
    path: Path
    where: str  # how the report names it: relative to the raw folder, or the path as given
    folder_la: str | None  # the LA number of its folder, or the report's la for a return read in place
    lea: str | None  # the CIN header's LEA (SSDA903 returns have none)
    year: int | None  # year ending 31 March
    year_from: str  # "folder", "CIN header" or "latest episode start"
    header_year: int | None = None  # a CIN census in the raw layout: its header's reference-date year


@dataclass(frozen=True)
class Decision:
    """What this report does with a return: ``la`` is the LA number its records are labelled with;
    ``fate`` is "used", "outside" (another LA: outside this report's scope) or "not used";
    ``detail`` says why in words (the header and folder numbers when they disagree)."""

    ret: Return
    la: str | None
    fate: str
    detail: str = ""

    @property
    def used(self) -> bool:
        return self.fate == "used"

    @property
    def status(self) -> str:
        """One line for the data-quality record."""
        head = {"used": "used", "outside": f"outside this report's scope: LA {self.la}", "not used": "not used"}
        return head[self.fate] + (f" ({self.detail})" if self.detail else "")


# ---- one return's own facts ----------------------------------------------------------------


def _root_tag(path: Path) -> str | None:
    try:
        for _, el in ET.iterparse(str(path), events=("start",)):
            return el.tag.split("}", 1)[-1]
    except (ET.ParseError, OSError):
        return None
    return None


def cin_header(path: Path) -> tuple[str | None, int | None]:
    """(LEA as written, year of the reference date) from a CIN census file's <Header>, reading no
    further than the header."""
    lea = ref = None
    try:
        for _, el in ET.iterparse(str(path), events=("end",)):
            tag = el.tag.split("}", 1)[-1]
            if tag == "LEA":
                lea = (el.text or "").strip() or None
            elif tag == "ReferenceDate":
                ref = (el.text or "").strip()
            elif tag == "Header":
                break
    except (ET.ParseError, OSError):
        return None, None
    year = int(ref[:4]) if ref and len(ref) > 4 and ref[:4].isdigit() and ref[4] == "-" else None
    return lea, year


def _year_ending_31_march(d: dt.date) -> int:
    return d.year + 1 if d.month >= 4 else d.year


def _decom_dates(path: Path):
    if path.is_dir():
        episodes = path / "episodes.csv"
        if not episodes.exists():
            return
        with open(episodes, newline="", encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                yield (row.get("DECOM") or "").strip()
    else:
        for _, el in ET.iterparse(str(path), events=("end",)):
            if el.tag == "DECOM":
                yield (el.text or "").strip()
            elif el.tag == "CHILD":
                el.clear()


def ssda903_year(path: Path) -> int | None:
    """The year ending 31 March of an SSDA903 return read in place: the year in which its latest
    episode started (a return covers the episodes open in its year, so none starts later)."""
    latest = None
    for text in _decom_dates(path):
        try:
            d = dt.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            continue
        latest = d if latest is None or d > latest else latest
    return None if latest is None else _year_ending_31_march(latest)


# ---- finding returns -----------------------------------------------------------------------


def _ssda903_in(folder: Path) -> Path | None:
    """The SSDA903 return in a folder: the folder itself when it holds CSV tables, else
    ``ssda903.xml``, else the first XML file whose root is <EXPSSDA903>."""
    if any((folder / f"{t}.csv").exists() for t in SSDA903_CSV_TABLES):
        return folder
    if (folder / "ssda903.xml").exists():
        return folder / "ssda903.xml"
    return next((p for p in sorted(folder.glob("*.xml")) if _root_tag(p) == "EXPSSDA903"), None)


def _label(path: Path, raw_dir: Path | None) -> str:
    if raw_dir is not None:
        try:
            return str(Path(path).relative_to(raw_dir))
        except ValueError:
            pass
    return str(path)


def layout_returns(raw_dir: Path) -> list[Return]:
    """Every return under ``<raw_dir>/la_extracts/<LA number>/<year>/``."""
    raw_dir = Path(raw_dir)
    base = raw_dir / "la_extracts"
    out: list[Return] = []
    if not base.is_dir():
        return out
    for la in sorted(p for p in base.iterdir() if p.is_dir() and p.name.isdigit()):
        for yr in sorted(p for p in la.iterdir() if p.is_dir() and p.name.isdigit()):
            s903 = _ssda903_in(yr / "ssda903") if (yr / "ssda903").is_dir() else None
            if s903 is not None:
                out.append(Return(SSDA903, s903, _label(s903, raw_dir), la.name, None, int(yr.name), "folder"))
            for xml in sorted((yr / "cin").glob("*.xml")) if (yr / "cin").is_dir() else []:
                lea, header_year = cin_header(xml)
                out.append(Return(CIN, xml, _label(xml, raw_dir), la.name, lea, int(yr.name), "folder", header_year))
    return out


def _in_place_file(path: Path, la: str | None, named: Path) -> Return:
    tag = _root_tag(path)
    where = _label(path, named.parent)
    if tag == "EXPSSDA903":
        return Return(SSDA903, path, where, la, None, ssda903_year(path), "latest episode start")
    if tag == "Message":
        lea, year = cin_header(path)
        return Return(CIN, path, where, la, lea, year, "CIN header")
    raise ExtractFolderError(
        f"{path}: not an SSDA903 XML return (root <EXPSSDA903>) nor a CIN census (root <Message>)"
        + ("" if tag else ": it cannot be read as XML")
    )


def in_place_returns(path: Path, la: str | None) -> list[Return]:
    """The returns in one folder or file named for reading in place (see the module docstring)."""
    path = Path(path)
    if not path.exists():
        raise ExtractFolderError(f"{path}: extract folder not found")
    if path.is_file():
        return [_in_place_file(path, la, path)]
    if (path / "la_extracts").is_dir():
        return layout_returns(path)
    out: list[Return] = []
    s903 = _ssda903_in(path / "ssda903" if (path / "ssda903").is_dir() else path)
    if s903 is not None and s903.is_dir():
        where = _label(s903, path.parent)
        out.append(Return(SSDA903, s903, where, la, None, ssda903_year(s903), "latest episode start"))
    elif s903 is not None:
        out.append(_in_place_file(s903, la, path))
    cin_dir = path / "cin" if (path / "cin").is_dir() else path
    out += [
        _in_place_file(x, la, path) for x in sorted(cin_dir.glob("*.xml")) if x != s903 and _root_tag(x) == "Message"
    ]
    if not out:
        raise ExtractFolderError(f"{path}: no SSDA903 tables or XML return and no CIN census XML found")
    return out


def as_paths(extract_dir) -> list[str]:
    """The ``extract_dir`` parameter as a list of paths (None or "" = none)."""
    if extract_dir is None or extract_dir == "":
        return []
    return [str(p) for p in (extract_dir if isinstance(extract_dir, (list, tuple)) else [extract_dir])]


def find_returns(raw_dir: Path, extract_dir=None, la=None, resolve=Path) -> list[Return]:
    """The returns this build reads: those named by ``extract_dir`` (read in place, labelled with
    ``la``), else every return in the raw layout. ``resolve`` turns a relative path into a path
    (the project's rule: from the project root)."""
    la = None if la in (None, "") else str(la)
    paths = as_paths(extract_dir)
    if not paths:
        return layout_returns(raw_dir)
    return [r for p in paths for r in in_place_returns(resolve(p), la)]


# ---- what this report does with each -------------------------------------------------------


def _year_note(ret: Return) -> str:
    """For a CIN census in the raw layout whose header's reference date falls in another year than its
    folder's: both years (its records take the folder's), so a return put in the wrong year's folder is
    never set against that year's published figures unsaid ("" when they agree)."""
    if ret.kind != CIN or ret.year_from != "folder" or ret.header_year in (None, ret.year):
        return ""
    return f"its CIN header's reference date is in {ret.header_year}, its folder says {ret.year}"


def decide(ret: Return, scope=None, trust_folder_la: bool = False) -> Decision:
    """One return's fate in a report whose scope is the LA numbers ``scope`` (None = every LA)."""
    la = ret.folder_la or ret.lea
    if la is None:
        return Decision(ret, None, "not used", "no LA number: a return read in place takes the report's la")
    disagree = ret.lea is not None and ret.folder_la is not None and ret.lea != ret.folder_la
    whose = "its folder says" if ret.year_from == "folder" else "this report is for"
    header = f"its CIN header says LEA {ret.lea}, {whose} LA {ret.folder_la}" if disagree else ""
    year = _year_note(ret)
    read_year = f"read as the year ending 31 March {ret.year}: {year}" if year else ""

    def said(*parts: str) -> str:
        return "; ".join(p for p in parts if p)

    if scope is not None and la not in {str(s) for s in scope}:
        return Decision(ret, la, "outside", said(header, year))
    if disagree and not trust_folder_la:
        return Decision(
            ret, None, "not used", said(f"{header}; set trust_folder_la: true to read it as LA {ret.folder_la}", year)
        )
    if disagree:
        return Decision(ret, la, "used", said(f"read as LA {la}: {header}, and trust_folder_la is set", read_year))
    return Decision(ret, la, "used", read_year)


def decide_all(returns: list[Return], scope=None, trust_folder_la: bool = False) -> list[Decision]:
    return [decide(r, scope, trust_folder_la) for r in returns]


def scope_las(borough: str = ALL_BOROUGHS, la=None) -> list[str]:
    """The LA numbers a report covers: ``la`` (an authority's own report), else the ``borough``
    parameter (all three boroughs, or one)."""
    if la not in (None, ""):
        return [str(la)]
    slug = normalise_borough(borough)
    if slug == ALL_BOROUGHS:
        return [str(code) for _, _, code in BOROUGHS.values()]
    return [str(BOROUGHS[slug][2])]
