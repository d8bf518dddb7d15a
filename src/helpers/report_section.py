"""How a strand notebook hands its results to the report.

Each strand notebook builds a :class:`Section`: prose (written from the data), tables and figures,
in reading order. ``Section.save()`` writes them to ``<processed>/report_sections/<order>_<strand>/``
as plain files (``section.json``, CSV tables, PNG figures), which are processed outputs like any
other. The report notebook only reads and lays them out (``helpers.report``); it never recomputes.

Tables are saved unsuppressed; the columns holding counts of people are declared here and the
report applies disclosure control to them when it renders, so the threshold is one report
parameter. Figures carry alt text; when the data behind them are synthetic, the figure is stamped
as such, so that it says so even when copied out of the report.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import DEFAULT_SUPPRESSION_THRESHOLD
from .disclosure import SUPPRESSED, is_small
from .formatting import fmt_pattern

SECTIONS_DIRNAME = "report_sections"
SYNTHETIC_STAMP = "SYNTHETIC DATA: illustrative, not evaluation results"


#: Strength of evidence a key finding can claim (the rule for each is stated in the report's
#: methods appendix): a finding is never stronger than its design, reliability, size and consistency.
EVIDENCE_STRENGTHS = ("strong", "moderate", "weak", "not possible to tell")

#: Where a section's figures come from. "synthetic": made by the project's generator (the banner
#: stays); "real": published statistics (the section names its sources and their release dates).
DATA_KINDS = ("synthetic", "real")


#: How each strength is judged (shown in the report's methods appendix, with :data:`STRENGTH_INTRO`;
#: :func:`evidence_strength` applies it, and every strand's key findings take their strength from it).
#: Five things are weighed: design, reliability of the measure, size, consistency, and whether the
#: interval (or test) rules out no effect at all.
STRENGTH_RULES = {
    "strong": "a design that rules out the main other explanations (complete administrative records for "
    "a descriptive question, or random allocation); a reliable measure (reliability of 0.7 or more, or "
    "records rather than ratings); at least 100 people; and the same direction of result in each borough "
    "or check that was made.",
    "moderate": "a comparison design (difference in differences, staggered roll-out, matched or synthetic "
    "comparison, interrupted time series, placebo tests among other areas), or records or random allocation "
    "with 30 to 99 people; with a reliable measure and at least 30 people, and no check pointing the other way.",
    "weak": "a before-after or one-off comparison with no comparison group, or a measure of doubtful "
    "reliability (below 0.7, or failing the reliability benchmark the section states in advance), or "
    "fewer than 30 people, or checks that disagree (a borough, a placebo or pre-programme trend test, or "
    "another method pointing the other way).",
    "not possible to tell": "fewer than 10 people (or their number not known), no usable design, or data "
    "missing for the question; also any estimated effect or change whose 95% interval includes no change "
    "(zero) or could not be computed, and, where the only test is a p-value (as from a placebo test among "
    "other areas), a p-value of 0.05 or more.",
}

#: A p-value at or above this leaves a finding whose only test is that p-value "not possible to tell";
#: sections that call a result "unusual" use the same cut, so the words and the strength agree.
P_VALUE_THRESHOLD = 0.05

#: The paragraph printed above :data:`STRENGTH_RULES` in the methods appendix.
STRENGTH_INTRO = (
    "Each finding in the summary states how far it can be relied on. Five things are weighed: the "
    "design (whether it rules out other explanations), the reliability of the measure, the number of "
    "people, whether checks agree, and whether the interval (or test) rules out no effect at all. A "
    "finding gets the lowest level any of the five allows."
)

#: Designs a strand can name in :func:`evidence_strength`, with the highest strength each allows.
DESIGN_CEILING = {
    "records": "strong",  # complete administrative or programme records, for a descriptive question
    "randomised": "strong",
    "comparison": "moderate",  # difference in differences, staggered roll-out, synthetic control, ITS, placebo
    "before_after": "weak",
    "cross_sectional": "weak",
    "none": "not possible to tell",
}

_RANK = {"strong": 3, "moderate": 2, "weak": 1, "not possible to tell": 0}


def _missing(x) -> bool:
    return x is None or (not isinstance(x, str) and pd.isna(x))


def evidence_strength(
    design: str,
    n: int | None,
    reliability: float | bool | None = None,
    consistent: bool | None = None,
    *,
    ci: tuple[float, float] | None = None,
    p: float | None = None,
) -> str:
    """The strength of evidence a finding can claim, by the rules in :data:`STRENGTH_RULES`.

    The one rule: every strand's key findings take their strength from here (a test checks that no
    strand defines its own or types one in). The finding gets the lowest level any input allows:

    - ``design``, a key of :data:`DESIGN_CEILING`, sets the ceiling;
    - ``n``, the people behind the finding: under 10 (or ``None``, not known): "not possible to
      tell"; under 30: weak at most; under 100: moderate at most;
    - ``reliability`` of the measure: a coefficient (alpha, kappa) below 0.7, or ``False`` when the
      section judges it against a benchmark it states in advance (e.g. Krippendorff's alpha of its
      coding) and it fails: weak at most. ``None`` for records;
    - ``consistent``: ``False`` when a check (a borough, a placebo or pre-programme trend test, another
      method) points the other way: weak at most;
    - ``ci``, the 95% interval of an estimated effect or change: when it includes 0 (no change) or is
      missing, "not possible to tell". Give it only for findings that estimate an effect or change;
    - ``p``, for a finding whose only test is a p-value (e.g. a placebo test ranking the estimate
      among untreated areas): 0.05 or more (or missing): "not possible to tell".
    """
    if design not in DESIGN_CEILING:
        raise ValueError(f"design must be one of {tuple(DESIGN_CEILING)}, got {design!r}")
    level = _RANK[DESIGN_CEILING[design]]
    if _missing(n) or n < 10:
        return "not possible to tell"
    if ci is not None and (any(_missing(x) for x in ci) or min(ci) <= 0 <= max(ci)):
        return "not possible to tell"
    if p is not None and (_missing(p) or p >= P_VALUE_THRESHOLD):
        return "not possible to tell"
    if n < 30:
        level = min(level, 1)
    elif n < 100:
        level = min(level, 2)
    if reliability is False or (not isinstance(reliability, bool) and not _missing(reliability) and reliability < 0.7):
        level = min(level, 1)
    if consistent is False:
        level = min(level, 1)
    return {v: k for k, v in _RANK.items()}[level]


# ---- numbers: the one formatter is helpers.formatting ----------------------------------------------


def format_number(x, fmt: str = "{:,.1f}") -> str:
    """A number through a format pattern (``"–"`` when missing, text such as a suppressed ``"c"``
    unchanged, no "-0.0"): a thin wrapper of :func:`helpers.formatting.fmt_pattern`, kept for old call
    sites. New code writes numbers by kind with :func:`helpers.formatting.fmt`."""
    return fmt_pattern(x, fmt)


def join_words(items) -> str:
    """ "a", "a and b", "a, b and c" ("" for none): a list inside a sentence."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def lower_first(text: str) -> str:
    """A label inside a sentence: first letter lower case, the rest kept ("31 March", "GBP")."""
    return text[:1].lower() + text[1:]


#: Human column headers used by every section's tables, so the same column reads the same
#: everywhere. A section's own ``labels=`` override these; anything else is humanised by
#: :func:`humanise`. Add a column here when a strand introduces a name a reader would not follow.
COLUMN_LABELS = {
    "n": "People",
    "n_families": "Families",
    "families": "Families",
    "respondents": "Respondents",
    "practitioners": "Practitioners",
    "borough": "Borough",
    "role": "Role",
    "wave": "Wave",
    "group": "Group",
    "unit": "Unit",
    "mean": "Mean",
    "sd": "Standard deviation",
    "median": "Median",
    "ci_low": "95% CI lower",
    "ci_high": "95% CI upper",
    "family_boot_ci_low": "95% CI lower (families resampled)",
    "family_boot_ci_high": "95% CI upper (families resampled)",
    "mean_wave1": "Mean at wave 1",
    "mean_wave2": "Mean at wave 2",
    "mean_change": "Mean change",
    "d_z": "Effect size (d_z)",
    "p": "p-value",
    "p_value": "p-value",
    "kappa_quadratic": "Weighted kappa (quadratic)",
    "kappa": "Kappa",
    "pct_agreement": "Agreement (%)",
    "cronbach_alpha": "Cronbach's alpha",
    "estimate": "Estimate",
    "se": "Standard error",
    "trained": "Trained",
    "practitioner_trained": "Practitioner trained",
    "level_of_need": "Level of need",
    "synthetic": "Synthetic",
    "file": "File",
    "rows_read": "Rows read",
    "rows_accepted": "Rows accepted",
    "rows_rejected": "Rows rejected",
    "values_set_to_missing": "Values set to missing",
    "column": "Column",
    "reason": "Reason",
    "action": "Action",
    "records": "Records",
}

_ABBREVIATIONS = {
    "ci": "CI",
    "sd": "SD",
    "se": "SE",
    "id": "ID",
    "la": "LA",
    "rci": "RCI",
    "icc": "ICC",
    "pct": "%",
    "n": "n",
    "dz": "d_z",
    "wave1": "wave 1",
    "wave2": "wave 2",
    "lo": "lower",
    "hi": "upper",
    "low": "lower",
    "high": "upper",
    "boot": "bootstrap",
}


def humanise(name: str) -> str:
    """A readable header for a column name nobody labelled: ``mean_wave1`` -> "Mean wave 1",
    ``n_improved`` -> "Improved (n)", ``pct_worse`` -> "Worse (%)", ``alpha_ci_low`` -> "Alpha CI lower"."""
    name = str(name)
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    if " " in name.strip() or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        return name  # already a header written for people
    words = [w for w in name.split("_") if w]
    if words[-2:] == ["d", "z"]:
        words = [*words[:-2], "dz"]
    suffix = ""
    if len(words) > 1 and words[0].lower() in ("n", "pct"):
        suffix = " (n)" if words[0].lower() == "n" else " (%)"
        words = words[1:]
    out = [_ABBREVIATIONS.get(w.lower(), w) for w in words]
    text = " ".join(out) + suffix
    return text[:1].upper() + text[1:]


def column_label(name: str, labels: dict | None = None) -> str:
    """The header a reader sees for column ``name``: the section's label, the project's, or humanised."""
    if labels and name in labels:
        return labels[name]
    return humanise(name)


#: The report-wide chart style: fonts legible when a chart is shown at phone width (390 px).
#: Strands draw inside ``with chart_style():`` and size figures with :data:`FIGURE_WIDTH`.
FIGURE_WIDTH = 5.5  # inches (528 px): shown at natural size on a desktop, shrunk by 0.7 on a phone
CHART_RC = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.dpi": 100,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def chart_style():
    """A context manager applying :data:`CHART_RC` (never sets the backend)."""
    import matplotlib

    return matplotlib.rc_context(CHART_RC)


def phone_text_px(min_font_pt: float, width_in: float, screen_px: int = 374) -> float:
    """How tall (CSS px) a figure's smallest text is when the figure is shrunk to a phone's
    content width (390 px less margins): 1 pt = 4/3 px at natural size."""
    natural_px = width_in * 96
    return min_font_pt * 4 / 3 * min(1.0, screen_px / natural_px)


#: Smallest text (CSS px) a chart may show at phone width (see :func:`phone_text_px`).
MIN_PHONE_TEXT_PX = 9.0


def figure_text_sizes(fig) -> list[float]:
    """Font sizes (points) of every visible text in a figure, to check legibility."""
    from matplotlib.text import Text

    return [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def sections_dir(processed_dir: Path) -> Path:
    return Path(processed_dir) / SECTIONS_DIRNAME


@dataclass
class Section:
    """A report section under construction. See the module docstring."""

    strand: str
    title: str
    order: int
    processed_dir: Path
    synthetic: bool
    #: Counts from 1 to this value, and anything derived from so few people, never reach a reader.
    #: A global pipeline parameter (``suppression_threshold``) that every notebook passes here.
    threshold: int = DEFAULT_SUPPRESSION_THRESHOLD
    #: For sections built on real published statistics: ``{"name", "publisher", "released", "url"}``.
    sources: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    key_findings: list[dict] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return sections_dir(self.processed_dir) / f"{self.order:02d}_{self.strand}"

    def _start(self):
        if not self.items and self.folder.exists():
            shutil.rmtree(self.folder)  # a section is rebuilt whole: no stale figure survives
        self.folder.mkdir(parents=True, exist_ok=True)

    # ---- numbers in prose: every count a reader sees passes the disclosure rule -----------------

    def count(self, n) -> str:
        """A count of people for prose: ``"c"`` when 1 <= n <= threshold, else the number (1,234)."""
        if n is None or pd.isna(n):
            return "–"
        return SUPPRESSED if is_small(n, self.threshold) else format_number(int(n), "{:,}")

    def value(self, x, n, fmt: str = "{:.1f}") -> str:
        """A figure derived from a group of ``n`` people (a mean, a %, a model term) for prose:
        ``"c"`` when the group is small, so an estimate never gives a suppressed group away.
        ``n=None`` for a figure that describes no group of people (a parameter, a ratio of totals)."""
        if is_small(n, self.threshold):
            return SUPPRESSED
        return format_number(x, fmt)

    def ci(self, lo, hi, n, fmt: str = "{:.1f}") -> str:
        """An interval for prose, "lo to hi", each bound through :meth:`value` (so "c" for a small
        group; ``n=None`` for published statistics or a figure about no group of people); "not
        computed" when a bound is missing."""
        if _missing(lo) or _missing(hi):
            return "not computed"
        return f"{self.value(lo, n, fmt)} to {self.value(hi, n, fmt)}"

    def cell(self, v, fmt: str = "{:,.0f}") -> str:
        """A cell of a table after disclosure control (:func:`helpers.disclosure.suppress_table`),
        for prose written from the table a reader sees: "c" stays "c", a number is formatted."""
        return format_number(v, fmt)

    def count_share(self, k, pct, fmt: str = "{:.0f}") -> str:
        """ "k (p%)" from cells of a table after disclosure control; just "c" when either is "c"."""
        if SUPPRESSED in (k, pct):
            return SUPPRESSED
        return f"{self.cell(k)} ({self.cell(pct, fmt)}%)"

    def published(self, x, fmt: str = "{:,.1f}") -> str:
        """A figure from real published statistics (already public: no suppression), for prose, by
        the same formatter as every other number. Never for individual-level data."""
        return format_number(x, fmt)

    def is_small(self, n) -> bool:
        """True when a group of ``n`` must not be described (use it to leave a sentence out)."""
        return is_small(n, self.threshold)

    # ---- content -------------------------------------------------------------------------------

    def markdown(self, text: str, appendix: bool = False) -> None:
        """Add a paragraph (Markdown). Numbers in it must come from the data, via f-strings, and
        counts and group estimates through :meth:`count` and :meth:`value`. ``appendix=True`` puts
        it in the section's technical appendix (detail for evaluators) instead of the body."""
        self._start()
        self.items.append({"kind": "markdown", "text": text.strip(), "appendix": bool(appendix)})

    def key_finding(
        self,
        text: str,
        strength: str,
        estimate: float | None = None,
        ci: tuple[float, float] | None = None,
        n: int | None = None,
        label: str = "",
        interval: str = "95% CI",
    ) -> None:
        """Hand the report's executive summary one finding of this strand, as data.

        ``text`` is one or two plain-English sentences written from the results (numbers through
        :meth:`count` / :meth:`value`); ``strength`` is one of :data:`EVIDENCE_STRENGTHS`;
        ``estimate``, ``ci`` and ``n`` (the people behind it) let the report check and show the key
        number; ``interval`` names ``ci`` as the summary prints it (e.g. "90% placebo interval").
        A finding about a group of ``n`` <= threshold is refused: leave it out instead.
        """
        if strength not in EVIDENCE_STRENGTHS:
            raise ValueError(f"key finding strength must be one of {EVIDENCE_STRENGTHS}, got {strength!r}")
        if n is not None and is_small(n, self.threshold):
            raise ValueError(f"key finding about a group of {n} (at or under the threshold): leave it out")
        self.key_findings.append(
            {
                "text": text.strip(),
                "strength": strength,
                "estimate": None if estimate is None or pd.isna(estimate) else float(estimate),
                "ci": None if ci is None else [float(ci[0]), float(ci[1])],
                "interval": interval,
                "n": None if n is None else int(n),
                "label": label,
            }
        )

    def table(
        self,
        name: str,
        table: pd.DataFrame,
        caption: str,
        count_columns: list[str] | tuple = (),
        dependent_columns: dict[str, str] | None = None,
        decimals: int = 2,
        note: str | None = None,
        appendix: bool = False,
        labels: dict[str, str] | None = None,
        totals: dict[str, list[str]] | None = None,
        row_margins: list[dict] | None = None,
    ) -> pd.DataFrame:
        """Add a table. ``count_columns`` hold counts of people and are suppressed when small;
        ``dependent_columns`` maps a derived column (a %, a mean) to the count (or list of counts) it
        depends on. ``totals`` (``{total_column: [part columns]}``) and ``row_margins`` (total rows
        and breakdowns, see :func:`helpers.disclosure.table_equations`) declare the table's margins,
        so that secondary suppression keeps a "c" from being recovered by subtraction.
        ``labels`` maps column names to the human headers a reader sees; ``appendix=True`` puts the
        table in the section's technical appendix."""
        self._start()
        filename = f"{name}.csv"
        table.to_csv(self.folder / filename, index=False)
        self.items.append(
            {
                "kind": "table",
                "name": name,
                "file": filename,
                "caption": caption,
                "count_columns": list(count_columns),
                "dependent_columns": dict(dependent_columns or {}),
                "decimals": decimals,
                "note": note,
                "appendix": bool(appendix),
                "labels": dict(labels or {}),
                "totals": {k: list(v) for k, v in (totals or {}).items()},
                "row_margins": [dict(m) for m in (row_margins or [])],
            }
        )
        return table

    def figure(self, name: str, fig, alt: str, caption: str, appendix: bool = False):
        """Add a matplotlib figure with its alt text (a sentence saying what the chart shows).
        Numbers in the alt text go through :meth:`count` / :meth:`value` like any prose.

        Saved as SVG (sharp at any width, so legible on a phone), byte-for-byte reproducible: no
        date or software stamp, fixed ids (:func:`save_figure`)."""
        if not alt or len(alt.strip()) < 20:
            raise ValueError(f"figure {name}: alt text must describe the chart (got {alt!r})")
        self._start()
        if self.synthetic:
            fig.text(0.99, 0.005, SYNTHETIC_STAMP, ha="right", va="bottom", fontsize=10, color="#b00020", alpha=0.8)
        filename = f"{name}.svg"
        save_figure(fig, self.folder / filename)
        sizes = figure_text_sizes(fig)
        self.items.append(
            {
                "kind": "figure",
                "name": name,
                "file": filename,
                "alt": alt.strip(),
                "caption": caption,
                "appendix": bool(appendix),
                # for the legibility check: text shrinks with the figure's width on a phone
                "width_in": round(float(fig.get_size_inches()[0]), 2),
                "min_font_pt": round(float(min(sizes)), 1) if sizes else None,
            }
        )
        return fig

    def save(self) -> Path:
        """Write ``section.json`` (stable key order, so the same results give the same bytes)."""
        self._start()
        meta = {
            "strand": self.strand,
            "title": self.title,
            "order": self.order,
            "synthetic": bool(self.synthetic),
            "data_kind": "synthetic" if self.synthetic else ("real" if self.sources else "extract"),
            "sources": self.sources,
            "threshold": int(self.threshold),
            "key_findings": self.key_findings,
            "items": self.items,
        }
        path = self.folder / "section.json"
        path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return path


def save_figure(fig, path: Path) -> Path:
    """Save a figure as SVG with nothing that changes between identical runs (no date, no
    software version, element ids from a fixed salt)."""
    import matplotlib

    with matplotlib.rc_context({"svg.hashsalt": "focus-on-practice", "svg.fonttype": "path"}):
        fig.savefig(
            path,
            format="svg",
            bbox_inches="tight",
            metadata={"Date": None, "Creator": None, "Contributor": None, "Format": None, "Type": None},
        )
    return Path(path)


def load_sections(processed_dir: Path) -> list[dict]:
    """All saved sections under ``processed_dir``, in report order, each with its ``folder``."""
    root = sections_dir(processed_dir)
    sections = []
    for path in sorted(root.glob("*/section.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["folder"] = path.parent
        sections.append(meta)
    return sorted(sections, key=lambda m: (m["order"], m["strand"]))
