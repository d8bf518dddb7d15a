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

SECTIONS_DIRNAME = "report_sections"
SYNTHETIC_STAMP = "SYNTHETIC DATA: illustrative, not evaluation results"


#: Strength of evidence a key finding can claim (the rule for each is stated in the report's
#: methods appendix): a finding is never stronger than its design, reliability, size and consistency.
EVIDENCE_STRENGTHS = ("strong", "moderate", "weak", "not possible to tell")

#: Where a section's figures come from. "synthetic": made by the project's generator (the banner
#: stays); "real": published statistics (the section names its sources and their release dates).
DATA_KINDS = ("synthetic", "real")


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
        return SUPPRESSED if is_small(n, self.threshold) else f"{int(n):,}"

    def value(self, x, n, fmt: str = "{:.1f}") -> str:
        """A figure derived from a group of ``n`` people (a mean, a %, a model term) for prose:
        ``"c"`` when the group is small, so an estimate never gives a suppressed group away."""
        if is_small(n, self.threshold):
            return SUPPRESSED
        if x is None or pd.isna(x):
            return "–"
        text = fmt.format(x)
        return text[1:] if re.fullmatch(r"-0(\.0+)?", text) else text  # never "-0.0"

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
    ) -> None:
        """Hand the report's executive summary one finding of this strand, as data.

        ``text`` is one or two plain-English sentences written from the results (numbers through
        :meth:`count` / :meth:`value`); ``strength`` is one of :data:`EVIDENCE_STRENGTHS`;
        ``estimate``, ``ci`` and ``n`` (the people behind it) let the report check and show the key
        number. A finding about a group of ``n`` <= threshold is refused: leave it out instead.
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
        Numbers in the alt text go through :meth:`count` / :meth:`value` like any prose."""
        if not alt or len(alt.strip()) < 20:
            raise ValueError(f"figure {name}: alt text must describe the chart (got {alt!r})")
        self._start()
        if self.synthetic:
            fig.text(0.99, 0.005, SYNTHETIC_STAMP, ha="right", va="bottom", fontsize=7, color="#b00020", alpha=0.8)
        filename = f"{name}.png"
        fig.savefig(self.folder / filename, dpi=110, bbox_inches="tight")
        self.items.append({"kind": "figure", "name": name, "file": filename, "alt": alt.strip(), "caption": caption,
                           "appendix": bool(appendix)})
        return fig

    def save(self) -> Path:
        """Write ``section.json``; returns its path."""
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


def load_sections(processed_dir: Path) -> list[dict]:
    """All saved sections under ``processed_dir``, in report order, each with its ``folder``."""
    root = sections_dir(processed_dir)
    sections = []
    for path in sorted(root.glob("*/section.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["folder"] = path.parent
        sections.append(meta)
    return sorted(sections, key=lambda m: (m["order"], m["strand"]))
