"""One authority's own report (the runner's ``la`` parameter): the authority named in the title and the
scope line, what the report must say before anything else (each section's ``notice``, such as that
its extracts are test data), and one line per strand left out, naming the files that would bring it
in. A default build (the three boroughs) has no authority: every function then returns what the
report always said, or nothing.

Everything here is read from the build: ``run_info.json`` (the runner's ``la``, ``la_name`` and the
steps it left out), the parts notebooks recorded as left out (:func:`helpers.provenance.left_out`)
and the sections' own ``notice``.
"""

from __future__ import annotations

from pathlib import Path

from ..formatting import plural
from ..provenance import left_out, run_info
from ..report_section import join_words, load_sections
from .markup import esc


def authority(processed_dir: Path) -> dict | None:
    """``{"la": 383, "name": "Leeds"}`` for an authority's own build, else None."""
    info = run_info(processed_dir)
    if info.get("la") in (None, ""):
        return None
    return {"la": int(info["la"]), "name": str(info.get("la_name") or f"LA {info['la']}")}


def title(default: str, processed_dir: Path) -> str:
    """The report's title: ``default``, or for one authority its name first (the authority did not run
    the programme: the report applies the evaluation's analyses to its figures)."""
    la = authority(processed_dir)
    return default if la is None else f"{la['name']}, analysed as in the Focus on Practice evaluation"


def scope_label(processed_dir: Path, default: str) -> str:
    """What the scope line says: ``default`` (the boroughs), or the authority with its DfE number."""
    la = authority(processed_dir)
    return default if la is None else f"{la['name']} (DfE LA {la['la']}), against its own statistical neighbours"


def about(processed_dir: Path, default: str = "the boroughs themselves") -> str:
    """Whom the real figures are about: ``default``, or the authority ("Leeds itself")."""
    la = authority(processed_dir)
    return default if la is None else f"{la['name']} itself"


def notices_html(processed_dir: Path) -> str:
    """Each section's notice, said at the top of the report, before the answer box."""
    notices = dict.fromkeys(str(s["notice"]).strip() for s in load_sections(processed_dir) if s.get("notice"))
    return "".join(f'<p class="fop-notice" role="note"><b>Read this first.</b> {esc(n)}</p>' for n in notices)


def _name(entry: dict) -> str:
    """A strand's name: its description up to " - " (the runner's descriptions say what it does after)."""
    return str(entry.get("description") or entry.get("step", "")).split(" - ")[0].rstrip(".")


def left_out_brief_html(processed_dir: Path) -> str:
    """One line for the top of the report: which strands are left out, linked to the list naming the
    files that would bring each in (nothing in a default build, or when nothing is left out)."""
    la = authority(processed_dir)
    entries = left_out(processed_dir)
    if la is None or not entries:
        return ""
    names = [_name(e) for e in entries]
    names = [n if n[:2].isupper() else n[:1].lower() + n[1:] for n in names]  # "SCORE-15" keeps its capitals
    return (
        f'<p class="fop-scope"><b>Left out</b> for want of {esc(la["name"])}\'s own data: {esc(join_words(names))} '
        '(<a href="#left-out">the files that would bring each in</a>).</p>'
    )


def outside_programme(processed_dir: Path) -> str | None:
    """The name of the authority whose own report this is when it was not one of the three boroughs
    (it did not run the programme), else None (a default build, or a borough's own)."""
    from ..config import BOROUGHS

    la = authority(processed_dir)
    if la is None or la["la"] in {number for _, _, number in BOROUGHS.values()}:
        return None
    return la["name"]


def programme_note_html(processed_dir: Path) -> str:
    """For an authority that was not one of the three boroughs: what "the programme" means in its report
    (the boroughs' start, applied to its figures), so no reader takes it that the authority ran it."""
    outside = outside_programme(processed_dir)
    if outside is None:
        return ""
    name = esc(outside)
    return (
        f'<p class="fop-scope">{name} was not one of the three Focus on Practice boroughs: "before" and "after '
        f"the programme\" here mean before and after the boroughs' programme began, applied to {name}'s figures.</p>"
    )


def top_html(processed_dir: Path) -> str:
    """What an authority's report says under its scope line, before the answer box: the sections'
    notices, what "the programme" means for it and which strands are left out (nothing by default)."""
    return notices_html(processed_dir) + programme_note_html(processed_dir) + left_out_brief_html(processed_dir)


def left_out_line(entry: dict, la_name: str) -> str:
    """One line: the strand's name (its description up to " - "), the files of the authority's that
    would bring it in, and why it is out (the files absent, or the synthetic generator's)."""
    name = _name(entry)
    needs = list(entry.get("needs") or [])
    if entry.get("synthetic"):
        why = "those in the raw folder now are the synthetic generator's"
    elif entry.get("missing"):
        why = f"not in the raw folder: {join_words(entry['missing'])}"
    else:
        why = str(entry.get("reason", ""))
    return (
        f"<b>{esc(name)}</b>: {esc(la_name)}'s own {esc(join_words(needs))} in the raw folder would bring it in"
        + (f" ({esc(why)})" if why else "")
        + "."
    )


def left_out_html(processed_dir: Path) -> str:
    """The strands left out of an authority's report, one line each (nothing in a default build)."""
    la = authority(processed_dir)
    entries = left_out(processed_dir)
    if la is None or not entries:
        return ""
    lines = "".join(f"<li>{left_out_line(e, la['name'])}</li>" for e in entries)
    return (
        '<h3 id="left-out">Left out of this report</h3>'
        f"<p>{plural(len(entries), 'strand')} of the evaluation need data only the authority holds "
        f"and this build did not have, so {'it is' if len(entries) == 1 else 'they are'} left out:</p>"
        f'<ul class="fop-left-out">{lines}</ul>'
    )


def display_left_out(processed_dir: Path) -> None:
    """Display the strands left out of an authority's own report (nothing in a default build)."""
    from IPython.display import HTML, display

    html = left_out_html(processed_dir)
    if html:
        display(HTML(html))
