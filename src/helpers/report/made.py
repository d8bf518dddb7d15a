"""What the report is built on, said in words: the paragraph of "About this evaluation" naming the
real-data sections, and "How this report was made" (the inputs, every source in full, the build)."""

from __future__ import annotations

from pathlib import Path

from ..formatting import plural
from ..report_section import join_words, load_sections
from . import authority
from .header import run_parameters_html, synthetic_inputs
from .kinds import data_kind, report_sources, short_titles, source_html
from .markup import esc


def about_data_html(processed_dir: Path) -> str:
    """Which sections use real data (and which kind) and which synthetic, in one paragraph."""
    sections = load_sections(processed_dir)
    numbered = list(enumerate(sections, start=1))

    titles = short_titles(sections)

    def names(kind, notice=False):
        # 'Section 6 ("Children in care fell ...")': titles state findings, so they are quoted, not
        # used as the sentence's subject
        named = [
            f"section {n} (“{t}”)"
            for (n, s), t in zip(numbered, titles, strict=True)
            if data_kind(s) == kind and (kind != "synthetic" or bool(s.get("notice")) == notice)
        ]
        said = join_words(named)
        return said[:1].upper() + said[1:], len(named) > 1

    sentences = []
    (real, several), (extract, several_extracts) = names("real"), names("extract")
    if real:
        sentences.append(
            f"{real} {'use' if several else 'uses'} real statistics the Department for Education and "
            "the Office for National Statistics publish for every local authority in England, so their "
            f"figures are about {authority.about(processed_dir)}."
        )
    if extract:
        verb = "use" if several_extracts else "uses"
        sentences.append(f"{extract} {verb} the extracts the authority supplied.")
    test, several = names("synthetic", notice=True)
    if test:
        sentences.append(
            f"{test} {'use' if several else 'uses'} test extracts (named at the top of this report), "
            f"not the authority's own: {'their' if several else 'its'} figures show what the analysis would "
            "report."
        )
    synthetic = [s for s in sections if data_kind(s) == "synthetic" and not s.get("notice")]
    if synthetic:
        sentences.append(
            f"The other {plural(len(synthetic), 'section')} {'run' if len(synthetic) > 1 else 'runs'} on synthetic "
            "data in the shape of the boroughs' extracts, because the real individual-level data are confidential: "
            "they show what the analysis would report, not what happened."
        )
    return f'<p class="fop-about-data">{esc(" ".join(sentences))}</p>' if sentences else ""


def inputs_html(processed_dir: Path) -> str:
    """The raw files this build read, and whether they are synthetic (was the banner at the top)."""
    rec = synthetic_inputs(processed_dir)
    if not len(rec):
        return "<p>No raw input file was recorded for this build.</p>"
    synthetic = rec["synthetic"].astype(str).str.lower().isin(["true", "1"])
    made_up = sorted(set(rec.loc[synthetic, "file"]))
    supplied = sorted(set(rec.loc[~synthetic, "file"]))
    parts = []
    if made_up:
        parts.append(
            f"<p><b>Synthetic inputs ({plural(len(made_up), 'file')}),</b> made up by the project's generator, "
            f"not real children, families or staff: {esc(', '.join(made_up))}.</p>"
        )
    if supplied:
        parts.append(f"<p><b>Real inputs ({plural(len(supplied), 'file')}):</b> {esc(', '.join(supplied))}.</p>")
    return "".join(parts)


def sources_html(processed_dir: Path) -> str:
    """Every published source, once, in full."""
    sources = report_sources(load_sections(processed_dir))
    if not sources:
        return ""
    items = "".join(f"<li>{source_html(s)}</li>" for s in sources)
    return f'<h3 id="sources">Sources of the published statistics</h3><ul class="fop-sources">{items}</ul>'


def build_html(processed_dir: Path) -> str:
    """Code version, main package versions and the parameters of this build."""
    from ..provenance import code_version, package_versions

    version = code_version()
    packages = package_versions()
    pinned = ", ".join(
        f"{k} {v}" for k, v in packages.items() if k in ("python", "pandas", "networkx", "statsmodels", "papermill")
    )
    commit = version["commit"][:12] + (" with uncommitted changes" if version["uncommitted_changes"] else "")
    return (
        '<h3 id="build">The build</h3>'
        f"<p>Built by the project's pipeline from code version {esc(commit)} ({esc(pinned)}). The executed "
        "notebooks and a run manifest with the parameters, input hashes and all package versions are kept "
        "with the build.</p>" + run_parameters_html(processed_dir)
    )


def how_made_html(processed_dir: Path) -> str:
    """The parts of "How this report was made" written from the build: inputs, sources, the build."""
    return (
        '<h3 id="inputs">Inputs</h3>'
        + inputs_html(processed_dir)
        + sources_html(processed_dir)
        + build_html(processed_dir)
        + '<p>The technical detail of every section is in the <a href="#technical-appendix">technical '
        "appendix</a>, a separate file beside this one.</p>"
    )


def display_about_data(processed_dir: Path) -> None:
    from IPython.display import HTML, display

    display(HTML(about_data_html(processed_dir)))


def display_how_made(processed_dir: Path) -> None:
    from IPython.display import HTML, display

    display(HTML(how_made_html(processed_dir)))
