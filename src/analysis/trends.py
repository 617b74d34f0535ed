"""Indicators across periods: every indicator present in two or more periods, with changes."""

from __future__ import annotations

import pandas as pd

from analysis.catalogue import load_catalogue
from analysis.comparators import load_comparators
from analysis.figure import Chart
from analysis.figures import as_of_end, load_figures
from analysis.project import Project
from analysis.style import PALETTE, new_figure, source_line

# Comparator indicators that are the same concept as a catalogue indicator of Lu'an's reports
SAME_CONCEPT = {"dibao_standard", "dibao_urban_standard", "dibao_rural_standard",
                "tekun_urban_standard", "tekun_rural_basic_standard"}
# A unified urban-rural standard (城乡低保标准) is the urban and the rural standard at once
UNIFIED = {"dibao_standard": {"dibao_urban_standard": "城市低保标准",
                              "dibao_rural_standard": "农村低保标准"}}


def observations(project: Project) -> pd.DataFrame:
    """All figures of all periods (one row per period, indicator and place, latest as_of)."""
    catalogue = load_catalogue(project)
    frames = []
    for period in project.periods():
        figures = load_figures(project, period.id, catalogue).assign(period=period.id,
                                                                     source="本期报告")
        figures["end"] = figures["as_of"].map(as_of_end)
        frames.append(figures.sort_values("end").groupby(["indicator", "geo"]).tail(1))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def earlier_standards(project: Project) -> pd.DataFrame:
    """Lu'an's own standards from the comparators (e.g. 2017), in 元/人/月, with reliability."""
    comp = load_comparators(project)
    comp = comp[(comp["geo"] == "341500") & comp["indicator"].isin(SAME_CONCEPT)
                & comp["value_monthly_yuan"].notna()]
    return pd.DataFrame({
        "period": comp["period"], "indicator": comp["indicator"], "geo": comp["geo"],
        "label_zh": comp["label_zh"], "base_value": comp["value_monthly_yuan"],
        "end": comp["as_of"].map(as_of_end), "source": comp["reliability_zh"] + ":" + comp["url"],
    })


def series(project: Project) -> pd.DataFrame:
    """Indicators present in two or more periods (report periods plus Lu'an comparators)."""
    obs = observations(project)
    if obs.empty:
        return obs
    obs = obs[["period", "indicator", "geo", "label_zh", "base_value", "end", "source"]]
    split = [obs[obs["indicator"] == unified].assign(indicator=part, label_zh=label,
                                                     source="本期报告(城乡统一标准)")
             for unified, parts in UNIFIED.items() for part, label in parts.items()]
    earlier = earlier_standards(project)
    for parts in UNIFIED.values():
        for part, label in parts.items():
            earlier.loc[earlier["indicator"] == part, "label_zh"] = label
    both = pd.concat([earlier, obs, *split], ignore_index=True)
    counts = both.groupby(["indicator", "geo"])["period"].nunique()
    keep = counts[counts >= 2].index
    both = both.set_index(["indicator", "geo"]).loc[lambda f: f.index.isin(keep)].reset_index()
    both = both.sort_values(["indicator", "geo", "end"]).reset_index(drop=True)
    both["变化"] = both.groupby(["indicator", "geo"])["base_value"].diff()
    both["变化率%"] = (100 * both.groupby(["indicator", "geo"])["base_value"].pct_change()).round(1)
    return both


def standards_chart(project: Project) -> Chart | None:
    """Lu'an's 低保 and 特困 standards across all periods (元/人/月)."""
    data = series(project)
    if data.empty:
        return None
    data = data[data["indicator"].isin(SAME_CONCEPT) & (data["geo"] == "341500")]
    if data.empty:
        return None
    fig, ax = new_figure()
    for n, (label, part) in enumerate(data.groupby("label_zh", sort=False)):
        when = pd.to_datetime(part["end"])
        ax.plot(when, part["base_value"], marker="o", label=label, color=PALETTE[n % 6])
        for x, y in zip(when, part["base_value"], strict=True):
            ax.annotate(f"{y:,.0f}", (x, y), textcoords="offset points", xytext=(0, 7),
                        ha="center", fontsize=10.5)
    ax.set_ylim(0, data["base_value"].max() * 1.2)
    ax.set_ylabel("元/人/月")
    ax.legend(frameon=False, loc="lower right")
    title = "六安市救助标准的变化(各期)"
    ax.set_title(title, loc="left")
    source = "各期六安市民政局工作汇报;更早的标准来自对比数据(见表中来源与可靠性)"
    source_line(fig, source)
    table = data.rename(columns={"period": "报告期", "label_zh": "指标", "base_value": "元/人/月",
                                 "end": "时点", "source": "来源"})
    table = table[["指标", "报告期", "时点", "元/人/月", "变化", "变化率%", "来源", "indicator"]]
    alt = "折线图:" + ",".join(f"{r['指标']}{r['时点']} {r['元/人/月']:.0f}元"
                               for _, r in table.iterrows())
    return Chart(fig, table.reset_index(drop=True), title, source, alt)


def change_table(project: Project) -> pd.DataFrame:
    """Every indicator in two or more periods: value per period and the change."""
    data = series(project)
    if data.empty:
        return data
    return data.rename(columns={"period": "报告期", "label_zh": "指标", "base_value": "数值",
                                "end": "时点", "geo": "地区代码"})[
        ["指标", "地区代码", "报告期", "时点", "数值", "变化", "变化率%", "indicator"]]
