"""Figures of the LA-extracts section (returned, never shown or closed; no backend set here)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .pathways import PATHWAY_OUTCOMES

PERIOD_COLOURS = {"before": "#7f7f7f", "after": "#1f77b4"}


def reconciliation_chart(rec: pd.DataFrame, names: dict, measure: str, label: str):
    """Derived (points) against published (line) per borough and year for one measure."""
    d = rec[rec["measure"] == measure]
    las = sorted(d["la_code"].unique())
    fig, axes = plt.subplots(1, max(len(las), 1), figsize=(4 * max(len(las), 1), 3.2), sharey=True, squeeze=False)
    for ax, la in zip(axes[0], las, strict=False):
        g = d[d["la_code"] == la].sort_values("year")
        ax.plot(g["year"], g["value_published"], color="#333333", label="published")
        ax.scatter(g["year"], g["value_derived"], color="#d62728", zorder=3, s=18, label="derived from extracts")
        ax.set_title(names.get(la, f"LA {la}"), fontsize=10)
        ax.set_xlabel("year ending 31 March")
    axes[0][0].set_ylabel(label)
    axes[0][0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def pathway_chart(rates: pd.DataFrame, names: dict):
    """% of children with each outcome within 12 months of referral, before vs after, with 95% CIs."""
    outcomes = list(PATHWAY_OUTCOMES)
    las = sorted(rates["la_code"].unique())
    fig, axes = plt.subplots(1, len(outcomes), figsize=(4.2 * len(outcomes), 3.4), sharey=False, squeeze=False)
    for ax, k in zip(axes[0], outcomes, strict=False):
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
        ax.set_xticks(np.arange(len(las)))
        ax.set_xticklabels([names.get(la, la) for la in las], fontsize=8, rotation=15)
        ax.set_title(PATHWAY_OUTCOMES[k], fontsize=10)
        ax.set_ylabel("% of children referred")
        ax.set_ylim(bottom=0)
    axes[0][0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def km_chart(km: pd.DataFrame, names: dict, title: str):
    """Cumulative incidence over the 12 months after referral, before vs after, per borough."""
    las = sorted(km["la_code"].unique())
    fig, axes = plt.subplots(1, max(len(las), 1), figsize=(4 * max(len(las), 1), 3.2), sharey=True, squeeze=False)
    for ax, la in zip(axes[0], las, strict=False):
        for period in ("before", "after"):
            g = km[(km["la_code"] == la) & (km["period"] == period)]
            if g.empty:
                continue
            ax.step(g["day"], g["pct"], where="post", color=PERIOD_COLOURS[period], label=f"referred {period}")
            ax.fill_between(g["day"], g["ci_low"], g["ci_high"], step="post", color=PERIOD_COLOURS[period], alpha=0.2)
        ax.set_title(names.get(la, la), fontsize=10)
        ax.set_xlabel("days after referral")
        ax.set_xlim(0, 366)
    axes[0][0].set_ylabel(title)
    axes[0][0].legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def cost_chart(cmp: pd.DataFrame, names: dict):
    """Placement cost (central, low-high band) against published s251 CLA gross spend, GBP m."""
    las = sorted(cmp["la_code"].unique())
    fig, axes = plt.subplots(1, max(len(las), 1), figsize=(4 * max(len(las), 1), 3.2), sharey=True, squeeze=False)
    for ax, la in zip(axes[0], las, strict=False):
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
        ax.plot(g["year"], g["s251_cla_gross_gbp"] / 1e6, color="#333333", linestyle="--", label="s251 CLA gross spend")
        ax.set_title(names.get(la, la), fontsize=10)
        ax.set_xlabel("year ending 31 March")
    axes[0][0].set_ylabel("GBP million (cash)")
    axes[0][0].legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig
