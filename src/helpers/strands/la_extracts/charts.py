"""Figures of the LA-extracts section (returned, never shown or closed; no backend set here). Drawn at
the report's width in its style (:mod:`helpers.figures`): one borough per full-width panel, in one
column, so that the text stays legible on a phone."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...figures import chart_style, legend_below, panels, wrap, year_ticks
from .pathways import PATHWAY_OUTCOMES

PERIOD_COLOURS = {"before": "#7f7f7f", "after": "#1f77b4"}


def reconciliation_chart(rec: pd.DataFrame, names: dict, measure: str, label: str):
    """Derived (points) against published (line) per borough and year for one measure."""
    d = rec[rec["measure"] == measure]
    las = sorted(d["la_code"].unique())
    with chart_style():
        fig, axes = panels(max(len(las), 1), panel_height=1.9, sharex=True, sharey=True)
        for ax, la in zip(axes, las, strict=False):
            g = d[d["la_code"] == la].sort_values("year")
            ax.plot(g["year"], g["value_published"], color="#333333", label="published")
            ax.scatter(g["year"], g["value_derived"], color="#d62728", zorder=3, s=22, label="derived from extracts")
            ax.set_title(names.get(la, f"LA {la}"), loc="left")
        axes[len(axes) // 2].set_ylabel(wrap(label, 30))
        axes[-1].set_xlabel("year ending 31 March")
        year_ticks(axes[-1], d["year"])
        legend_below(fig, axes)
    return fig


def pathway_chart(rates: pd.DataFrame, names: dict):
    """% of children with each outcome within 12 months of referral, before vs after, with 95% CIs:
    one full-width panel per outcome, the boroughs side by side in each."""
    outcomes = list(PATHWAY_OUTCOMES)
    las = sorted(rates["la_code"].unique())
    with chart_style():
        fig, axes = panels(len(outcomes), panel_height=2.2, sharex=True)
        for ax, k in zip(axes, outcomes, strict=False):
            for j, period in enumerate(("before", "after")):
                g = rates[(rates["outcome"] == k) & (rates["period"] == period)].set_index("la_code").reindex(las)
                x = np.arange(len(las)) + (j - 0.5) * 0.3
                ax.errorbar(
                    x,
                    g["pct"],
                    yerr=[g["pct"] - g["ci_low"], g["ci_high"] - g["pct"]],
                    fmt="o",
                    color=PERIOD_COLOURS[period],
                    label=f"referred {period} the programme start",
                    capsize=3,
                )
            ax.set_title(wrap(PATHWAY_OUTCOMES[k][:1].upper() + PATHWAY_OUTCOMES[k][1:], 50), loc="left")
            ax.set_ylabel("% of referred")
            ax.set_ylim(bottom=0)
        axes[-1].set_xticks(np.arange(len(las)), [wrap(names.get(la, la), 14) for la in las])
        legend_below(fig, axes)
    return fig


def km_chart(km: pd.DataFrame, names: dict, title: str):
    """Cumulative incidence over the 12 months after referral, before vs after, one panel per borough."""
    las = sorted(km["la_code"].unique())
    with chart_style():
        fig, axes = panels(max(len(las), 1), panel_height=1.9, sharex=True, sharey=True)
        for ax, la in zip(axes, las, strict=False):
            for period in ("before", "after"):
                g = _steps_only(km[(km["la_code"] == la) & (km["period"] == period)])
                if g.empty:
                    continue
                colour = PERIOD_COLOURS[period]
                ax.step(g["day"], g["pct"], where="post", color=colour, label=f"referred {period}")
                ax.fill_between(g["day"], g["ci_low"], g["ci_high"], step="post", color=colour, alpha=0.2)
            ax.set_title(names.get(la, la), loc="left")
            ax.set_xlim(0, 366)
        axes[len(axes) // 2].set_ylabel(wrap(title, 30))
        axes[-1].set_xlabel("days after referral")
        legend_below(fig, axes)
    return fig


def _steps_only(curve: pd.DataFrame) -> pd.DataFrame:
    """A step curve's rows where something changes (and its last day): the same drawing, far fewer
    points (a day-by-day curve repeats each value until the next event)."""
    curve = curve.sort_values("day")
    values = curve[["pct", "ci_low", "ci_high"]]
    changed = values.ne(values.shift()).any(axis=1)
    changed.iloc[-1:] = True
    return curve[changed.to_numpy()]


def cost_chart(cmp: pd.DataFrame, names: dict):
    """Placement cost (central, low-high band) against published s251 CLA gross spend, GBP m, one
    panel per borough."""
    las = sorted(cmp["la_code"].unique())
    with chart_style():
        fig, axes = panels(max(len(las), 1), panel_height=1.9, sharex=True, sharey=True)
        for ax, la in zip(axes, las, strict=False):
            g = cmp[cmp["la_code"] == la].sort_values("year")
            ax.fill_between(
                g["year"],
                g["cost_low"] / 1e6,
                g["cost_high"] / 1e6,
                color="#1f77b4",
                alpha=0.2,
                label="placement cost, low-high",
            )
            ax.plot(g["year"], g["cost_central"] / 1e6, color="#1f77b4", label="placement cost, central")
            ax.plot(g["year"], g["s251_cla_gross_gbp"] / 1e6, color="#333333", ls="--", label="s251 CLA gross spend")
            ax.set_title(names.get(la, la), loc="left")
        axes[len(axes) // 2].set_ylabel("GBP million (cash)")
        axes[-1].set_xlabel("year ending 31 March")
        year_ticks(axes[-1], cmp["year"])
        legend_below(fig, axes)
    return fig
