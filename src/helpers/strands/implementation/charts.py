"""Charts of the programme as implemented (returned, never shown or closed; no backend set)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from ...figures import FIGURE_WIDTH, chart_style

COLOURS = {"Practitioners": "#1b5e20", "Supervisors": "#0d47a1", "Clinicians": "#6a1b9a"}
BOROUGH_STYLES = ("-", "--", ":")


def _masked(values: pd.Series, threshold: int) -> pd.Series:
    """Cumulative counts from 1 to the threshold are not drawn (disclosure control)."""
    return values.where((values == 0) | (values > threshold))


def cumulative_chart(cumulative: pd.DataFrame, stated: dict[str, int], threshold: int, half_trained=None):
    """Two panels, one above the other (so each is full width on a phone): cumulative trained by
    reach group, with the programme's stated reach as dashed lines; and by borough."""
    with chart_style():
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(FIGURE_WIDTH, 7.5), sharex=True)
        groups = cumulative[cumulative["dimension"] == "reach group"]
        for group, rows in groups.groupby("group", sort=False):
            dates = pd.to_datetime(rows["date"])
            top.step(
                dates,
                _masked(rows["trained"], threshold),
                where="post",
                color=COLOURS.get(group, "#333"),
                linewidth=2.2,
                label=f"{group} in the roster",
            )
        for group, value in stated.items():
            top.axhline(value, color=COLOURS.get(group, "#333"), linestyle="--", linewidth=1.2)
            top.annotate(
                f"Stated reach: {group.lower()}, over {value:,}",
                xy=(0.01, value),
                xycoords=("axes fraction", "data"),
                xytext=(0, 4),
                textcoords="offset points",
                fontsize=10,
                color=COLOURS.get(group, "#333"),
            )
        top.set_ylim(0, max([*stated.values(), int(groups["trained"].max() if len(groups) else 0)]) * 1.15 + 1)
        top.set_ylabel("People trained (cumulative)")
        top.set_title("By role group, against the programme's stated reach")
        top.legend(loc="center left", frameon=False)
        boroughs = cumulative[cumulative["dimension"] == "borough"]
        for style, (borough, rows) in zip(BOROUGH_STYLES * 3, boroughs.groupby("group", sort=True), strict=False):
            bottom.step(
                pd.to_datetime(rows["date"]),
                _masked(rows["trained"], threshold),
                where="post",
                linestyle=style,
                linewidth=2.2,
                color="#263238",
                label=borough,
            )
        bottom.set_ylim(bottom=0)
        bottom.set_ylabel("People trained (cumulative)")
        bottom.set_title("By borough (all roles)")
        bottom.legend(loc="upper left", frameon=False)
        bottom.set_xlabel("Date training was completed")
        if half_trained is not None and not pd.isna(half_trained):
            for ax in (top, bottom):
                ax.axvline(pd.Timestamp(half_trained), color="#555", linestyle=":", linewidth=1.5)
            bottom.annotate(
                "Half trained",
                xy=(pd.Timestamp(half_trained), 0.02),
                xycoords=("data", "axes fraction"),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=10,
                color="#333",
            )
        fig.autofmt_xdate()
        fig.tight_layout()
    return fig
