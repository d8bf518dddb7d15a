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
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

SECTIONS_DIRNAME = "report_sections"
SYNTHETIC_STAMP = "SYNTHETIC DATA: illustrative, not evaluation results"


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
    items: list[dict] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return sections_dir(self.processed_dir) / f"{self.order:02d}_{self.strand}"

    def _start(self):
        if not self.items and self.folder.exists():
            shutil.rmtree(self.folder)  # a section is rebuilt whole: no stale figure survives
        self.folder.mkdir(parents=True, exist_ok=True)

    def markdown(self, text: str) -> None:
        """Add a paragraph (Markdown). Numbers in it must come from the data, via f-strings."""
        self._start()
        self.items.append({"kind": "markdown", "text": text.strip()})

    def table(
        self,
        name: str,
        table: pd.DataFrame,
        caption: str,
        count_columns: list[str] | tuple = (),
        dependent_columns: dict[str, str] | None = None,
        decimals: int = 2,
        note: str | None = None,
    ) -> pd.DataFrame:
        """Add a table. ``count_columns`` hold counts of people and are suppressed when small;
        ``dependent_columns`` maps a derived column (a %, a mean) to the count it depends on."""
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
            }
        )
        return table

    def figure(self, name: str, fig, alt: str, caption: str):
        """Add a matplotlib figure with its alt text (a sentence saying what the chart shows)."""
        if not alt or len(alt.strip()) < 20:
            raise ValueError(f"figure {name}: alt text must describe the chart (got {alt!r})")
        self._start()
        if self.synthetic:
            fig.text(0.99, 0.005, SYNTHETIC_STAMP, ha="right", va="bottom", fontsize=7, color="#b00020", alpha=0.8)
        filename = f"{name}.png"
        fig.savefig(self.folder / filename, dpi=110, bbox_inches="tight")
        self.items.append({"kind": "figure", "name": name, "file": filename, "alt": alt.strip(), "caption": caption})
        return fig

    def save(self) -> Path:
        """Write ``section.json``; returns its path."""
        self._start()
        meta = {
            "strand": self.strand,
            "title": self.title,
            "order": self.order,
            "synthetic": bool(self.synthetic),
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
