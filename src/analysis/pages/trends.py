"""Indicators across periods: every indicator present in two or more periods, with changes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from analysis.charts.builders import dated_points
from analysis.charts.chart import Chart
from analysis.charts.colours import concept_colours
from analysis.charts.style import new_figure, title
from analysis.dataset.figures import DATE_ASSUMED, as_of_end
from analysis.dataset.loader import Dataset, load_dataset
from analysis.dataset.periods import is_period, parse_period, period_label_zh
from analysis.dataset.project import Project
from analysis.meaning.concepts import concept_of, not_comparable, stands_for
from analysis.meaning.semantics import ASSUMED_WORDS, as_of_text
from analysis.meaning.written import number_text, reader_cell, written_text


def observations(dataset: Dataset) -> pd.DataFrame:
    """All figures of all periods (one row per period, indicator and place, latest as_of)."""
    frames = []
    for period in dataset.periods:
        figures = dataset.figures[period.id].assign(period=period.id, source="本期报告")
        figures["end"] = figures["as_of"].map(as_of_end)
        frames.append(figures.sort_values("end").groupby(["indicator", "geo"]).tail(1))
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def monthly_exact(row: pd.Series) -> float:
    """A comparator's standard per person and month, from its written value and unit."""
    value = Decimal(str(row["value"])) * Decimal(10) ** int(row["unit_mult"] or 0)
    return float(value / 12 if row["unit"] == "yuan_per_person_year" else value)


def earlier_standards(dataset: Dataset) -> pd.DataFrame:
    """The home place's own standards from the comparators (e.g. 2017), in 元/人/月, with
    reliability: comparator indicators that the catalogue's `same_as` names."""
    same = concept_of(dataset)
    comp = dataset.comparators
    comp = comp[(comp["geo"] == dataset.config.home_geo) & comp["indicator"].isin(same)
                & comp["value_monthly_yuan"].notna()]
    return pd.DataFrame({
        "period": "对比数据", "indicator": comp["indicator"].map(same),
        "geo": comp["geo"], "label_zh": comp["label_zh"],
        # exact: a yearly standard ÷ 12 from the written value (3800 ÷ 12, not the rounded
        # 316.67 or 317), so that a change computed from it is not off by the rounding
        "base_value": [monthly_exact(r) for _, r in comp.iterrows()],
        "end": comp["as_of"].map(as_of_end),
        "as_of": comp["as_of"],
        "source": comp["reliability_zh"] + "：" + comp["url"],
    })


POINTS = "比率之差，单位为个百分点，不计算变化率"
SCOPE_CHANGED = "此前为单设的标准，口径不同，不计算变化"
UNIFIED_LATER = "后一时点为城乡统一标准，与此前单设的城市、农村标准口径不同"


def series(project: Project | Dataset) -> pd.DataFrame:
    """Indicators present in two or more periods (report periods plus the home place's
    earlier standards from the comparators); a unified figure continues each indicator it
    stands for."""
    dataset = project if isinstance(project, Dataset) else load_dataset(project)
    obs = observations(dataset)
    if obs.empty:
        return obs
    assumed = obs["as_of_assumed"].fillna("") if "as_of_assumed" in obs else ""
    obs = obs.assign(written=[written_text(r, dataset.catalogue) for _, r in obs.iterrows()],
                     qualified=obs["qualifier"].fillna("") != "", assumed=assumed == DATE_ASSUMED)
    obs = obs[["period", "indicator", "geo", "label_zh", "base_value", "end", "as_of",
               "source", "written", "qualified", "assumed"]]
    labels = dataset.catalogue.by_id["label_zh"]
    split = [obs[obs["indicator"] == unified].assign(
                indicator=part, label_zh=labels.get(part, part),
                source=f"本期报告（{labels.get(unified, unified)}）",
                说明=f"此期为{labels.get(unified, unified)}，同时适用于"
                     f"{'和'.join(labels.get(p, p) for p in parts)}", unified=True)
             for unified, parts in stands_for(dataset).items() for part in parts]
    earlier = earlier_standards(dataset)
    earlier["label_zh"] = earlier["indicator"].map(labels).fillna(earlier["label_zh"])
    both = pd.concat([earlier, obs, *split], ignore_index=True)
    counts = both.groupby(["indicator", "geo"])["period"].nunique()
    keep = counts[counts >= 2].index
    both = both.set_index(["indicator", "geo"]).loc[lambda f: f.index.isin(keep)].reset_index()
    both = both.sort_values(["indicator", "geo", "end"]).reset_index(drop=True)
    both["变化"] = both.groupby(["indicator", "geo"])["base_value"].diff()
    rate = 100 * both.groupby(["indicator", "geo"])["base_value"].pct_change()
    from_zero = rate.abs() == float("inf")  # from 0 to another value: no rate
    both["变化率%"] = rate.mask(from_zero).round(1)
    both["说明"] = both["说明"].fillna("") if "说明" in both else ""
    dimension = dataset.catalogue.units.set_index("id")["dimension"]
    of_rates = (both["indicator"].map(dataset.catalogue.by_id["unit"]).map(dimension) == "rate"
                ) & both["变化"].notna()  # a difference of rates is in points, not a rate
    both.loc[of_rates, "变化率%"] = float("nan")
    both.loc[of_rates, "说明"] = [x + ("；" if x else "") + POINTS for x in
                                  both.loc[of_rates, "说明"]]
    both.loc[from_zero, "说明"] = [x + ("；" if x else "") + "前一已知值为0，不计算变化率"
                                 for x in both.loc[from_zero, "说明"]]
    both["qualified"] = both["qualified"].fillna(False).astype(bool)
    both["written"] = both["written"].fillna("")
    near = (both["qualified"] | both.groupby(["indicator", "geo"])["qualified"].shift(
        fill_value=False)) & both["变化"].notna()
    rough = "原文有“余”“以上”或“约”，变化按所写数字计算，是近似值"
    both.loc[near, "说明"] = [x + ("；" if x else "") + rough for x in both.loc[near, "说明"]]
    previous = both.groupby(["indicator", "geo"])["as_of"].shift()
    unified = both["unified"].eq(True) if "unified" in both else pd.Series(False, both.index)
    was_unified = unified.groupby([both["indicator"], both["geo"]]).shift(fill_value=True)
    for i in both.index[previous.notna()]:
        reason = not_comparable(dataset, both.at[i, "indicator"], previous[i], both.at[i, "as_of"])
        if unified[i] and not was_unified[i]:  # a separate standard, then a unified one
            reason = SCOPE_CHANGED
        if reason:
            both.loc[i, ["变化", "变化率%"]] = float("nan")
            both.at[i, "说明"] = "；".join(x for x in (both.at[i, "说明"], reason) if x)
    return both


def standards_chart(project: Project) -> Chart | None:
    """The home place's standards in every period and earlier source (元/人/月), as dated
    points."""
    dataset = load_dataset(project)
    data = series(dataset)
    if data.empty:
        return None
    ind = dataset.catalogue.indicators
    standards = ind[(ind["measure"] == "standard") & (ind["unit"] == "yuan_per_person_month")]
    data = data[data["indicator"].isin(standards["id"])
                & (data["geo"] == dataset.config.home_geo)]
    if data.empty:
        return None
    fig, ax = new_figure(height=3.6 + 0.3 * -(-data["indicator"].nunique() // 2))
    colour = concept_colours(dataset)
    dated_points(ax, data.reset_index(drop=True), "end", "label_zh", "base_value",
                 {r["label_zh"]: colour[r["indicator"]] for _, r in data.iterrows()})
    ax.set_ylabel("元/人/月")
    home = dataset.config.home_name
    chart_title = f"{home}救助标准（各期及更早来源给出的时点）"
    title(fig, chart_title)
    source = "各期报告；更早的标准来自对比数据（见表中来源与可靠性）"
    if data["说明"].str.contains(SCOPE_CHANGED).any():  # said where the chart is, not only in
        source += f"；{UNIFIED_LATER}"                   # the table below it

    data = data.assign(period=[period_label_zh(parse_period(p)) if is_period(p) else p
                               for p in data["period"]], end=data["as_of"])
    table = data.rename(columns={"period": "报告期", "label_zh": "指标", "base_value": "元/人/月",
                                 "end": "时点", "source": "来源"})
    # a date the report does not give is drawn at the period's end and said to be so
    table["时点"] = [f"{ASSUMED_WORDS['standard']}（按{as_of_text(t)}画出）" if a is True
                   else as_of_text(t) for t, a in zip(table["时点"], data["assumed"], strict=True)]
    table = table[["指标", "报告期", "时点", "元/人/月", "变化", "变化率%", "来源", "indicator"]]
    alt = "散点图（点与点之间的变化未知" + (f"；{UNIFIED_LATER}" if UNIFIED_LATER in source
                                        else "") + "）：" + "，".join(
        f"{r['指标']}（{r['时点']}）{number_text(r['元/人/月'], 0)}元"
        for _, r in table.iterrows())
    return Chart(fig, table.reset_index(drop=True), chart_title, source, alt)


def change_table(project: Project | Dataset) -> pd.DataFrame:
    """Every indicator in two or more periods: value per period and the change."""
    data = series(project)
    if data.empty:
        return data

    dataset = project if isinstance(project, Dataset) else load_dataset(project)
    places = dataset.catalogue.geo.set_index("code")["name_zh"]
    data = data.assign(
        period=[period_label_zh(parse_period(p)) if is_period(p) else p for p in data["period"]],
        地区代码=data["geo"], geo=data["geo"].map(places).fillna(data["geo"]))
    units = dataset.catalogue.unit_symbols
    unit_of = dataset.catalogue.by_id["unit"].map(units)
    data = data.assign(单位=data["indicator"].map(unit_of))
    return data.rename(columns={"period": "来源", "label_zh": "指标", "base_value": "数值",
                                "as_of": "时点或时段", "geo": "地区", "变化": "与前一已知值相比",
                                "变化率%": "变化率%（计算值）", "source": "出处",
                                "written": "报告数值"})[
        ["指标", "地区", "来源", "时点或时段", "报告数值", "数值", "单位", "与前一已知值相比",
         "变化率%（计算值）", "说明", "indicator", "地区代码"]]


def latest_changes(table: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator and place of `change_table`: how many values are known, the
    first, the one before the latest and the latest (each with its source and date), and the
    change between the last two (blank where they are not comparable, with the reason)."""

    def known(row: pd.Series) -> str:
        return f"{reader_cell(row['数值'])}（{row['来源']}，{as_of_text(row['时点或时段'])}）"

    rows = []
    for _, group in table.groupby(["indicator", "地区代码"], sort=False):
        last = group.iloc[-1]
        rows.append({"指标": last["指标"], "地区": last["地区"], "已知值个数": len(group),
                     "最早已知值": known(group.iloc[0]), "前一已知值": known(group.iloc[-2]),
                     "最新已知值": known(last), "单位": last["单位"],
                     "与前一已知值相比": last["与前一已知值相比"],
                     "变化率%（计算值）": last["变化率%（计算值）"], "说明": last["说明"],
                     "indicator": last["indicator"], "地区代码": last["地区代码"]})
    return pd.DataFrame(rows, columns=["指标", "地区", "已知值个数", "最早已知值", "前一已知值",
                                       "最新已知值", "单位", "与前一已知值相比",
                                       "变化率%（计算值）", "说明", "indicator", "地区代码"])


@dataclass(frozen=True)
class Changes:
    """What the trends page lists of the changes across periods."""

    rows: int             # rows of the full table (the download holds them all)
    limit: int            # rows a page may list (data/project.yml `page_rows`)
    shown: pd.DataFrame   # the full table, or one row per indicator and place
    summary: bool         # whether `shown` is the summary
    groups: int = 0       # indicator-and-place pairs (rows of the whole summary)
    left_out: int = 0     # summary rows not listed (the page's limit; the home place first)


def changes(project: Project | Dataset) -> Changes:
    """The full change table when it fits the page (data/project.yml `page_rows`), else the
    latest change of each indicator and place, the home place's first, up to that limit."""
    dataset = project if isinstance(project, Dataset) else load_dataset(project)
    table = change_table(dataset)
    limit = dataset.config.page_rows
    if len(table) <= limit:
        return Changes(len(table), limit, table, summary=False)
    summary = latest_changes(table)
    home = summary["地区代码"] == dataset.config.home_geo
    summary = pd.concat([summary[home], summary[~home]])
    return Changes(len(table), limit, summary.head(limit).reset_index(drop=True), summary=True,
                   groups=len(summary), left_out=max(0, len(summary) - limit))
