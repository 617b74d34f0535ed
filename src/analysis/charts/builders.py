"""Chart builders for the book: coverage, standards, construction progress, comparisons.

Every builder returns a `Chart` whose `data` table carries the plotted numbers together
with the indicator id and report section they come from.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis.charts.chart import Chart
from analysis.charts.colours import concept_colours, stage_colours
from analysis.charts.style import (
    FIGURES,
    FONT,
    MAX_HEIGHT,
    OTHERS,
    AxisNumbers,
    label_lines,
    new_figure,
    new_panels,
    panel_title,
    title,
    wrap,
)
from analysis.checks.rules import in_force as rule_in_force
from analysis.checks.rules import months_in_window, per_person_month, starts_after
from analysis.checks.targets import COUNT, track
from analysis.dataset.catalogue import load_catalogue
from analysis.dataset.safe_files import load_yaml
from analysis.dataset.wording import PLAN_TRACKING, labels
from analysis.errors import Problem, UserError, echo
from analysis.language import _
from analysis.meaning.concepts import (
    COMPARABLE,
    GROUPS,
    comparability_group,
    concept_of,
    parts_of,
    stands_for,
    unified_standards,
)
from analysis.meaning.semantics import (
    FLOW,
    MEASURE_ZH,
    as_of_text,
    assumed,
    deadline_text,
    is_assumed,
    meaning,
    month_zh,
    section_zh,
    start_assumed,
    start_note,
)
from analysis.meaning.written import grouped, number_text
from analysis.view import PeriodView

GOAL_COLOUR = "#333333"
SHARED_SPAN = 20  # panels of one unit share a scale while their largest values are this close


def _present(view: PeriodView, indicators: list[str]) -> list[str]:
    return [i for i in indicators if view.has(i)]


def _source(view: PeriodView, indicators: list[str]) -> str:

    sections = sorted({view.row(i)["section"] for i in indicators})
    return f"{view.source_title}，{'、'.join(section_zh(x) for x in sections)}"


def _frame(view: PeriodView, indicators: list[str], value_name: str) -> pd.DataFrame:
    return pd.DataFrame({
        "指标": [view.labelled(i) for i in indicators],
        value_name: [view.value(i) for i in indicators],
        "报告数值": [view.written(i) for i in indicators],
        "章节": [view.row(i)["section"] for i in indicators],
        "indicator": indicators,
    })


def _alt(kind: str, data: pd.DataFrame, value_name: str, unit: str) -> str:
    """The chart in words: each bar's label and its figure as written (万/亿 kept), or its
    computed value in the book's number style."""
    written = data["报告数值"] if "报告数值" in data else [
        f"{number_text(v)}{unit}" for v in data[value_name]]
    items = "，".join(f"{label}{text}"
                      for label, text in zip(data["指标"], written, strict=True))
    return f"{kind}：{items}"


def _grouped_label(text: str) -> str:
    """A bar's label (630, 877077, 60%) with its number in the book's grouping style."""
    return re.sub(r"\d+(?:\.\d+)?", lambda m: grouped(m.group()), text)


def _hbar(view: PeriodView, data: pd.DataFrame, value_name: str, chart_title: str,
          xlabel: str, source: str, fmt: str = "{:.0f}", goal: float | None = None,
          goal_label: str = "", marks: list[float | None] | None = None,
          mark_label: str = "", as_written: bool = False) -> Chart:
    """Horizontal bars of `data[value_name]`, each labelled by `fmt` or, `as_written`, by
    the figure as the report wrote it (60.0%, not 60%)."""
    height = 1.7 + 0.62 * len(data) + 0.25 * sum(len(str(x)) > 9 for x in data["指标"])
    fig, ax = new_figure(height=height)
    values = list(data[value_name])
    ax.barh(label_lines(data["指标"]), values, color=FIGURES)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    lines = [goal] * len(values) if goal is not None else list(marks or [None] * len(values))
    top = max([*values, *(x for x in lines if x is not None)]) or 1  # all zero: still a scale
    ax.set_xlim(0, top * 1.22)
    ax.xaxis.set_major_formatter(AxisNumbers())
    if goal is not None:
        ax.axvline(goal, color=GOAL_COLOUR, linestyle="--", linewidth=1.2, zorder=0)
        ax.set_xlabel(f"{xlabel}\n虚线：{goal_label}")
    elif any(m is not None for m in lines):  # a target per bar, where one is set
        for y, mark in enumerate(lines):
            if mark is not None:
                ax.plot([mark, mark], [y - 0.42, y + 0.42], color=GOAL_COLOUR,
                        linestyle="--", linewidth=1.6)
        ax.set_xlabel(f"{xlabel}\n虚线：{mark_label}")
    for y, (value, line) in enumerate(zip(values, lines, strict=True)):
        # a value just short of its target line is labelled beyond the line, not across it
        at = line if line is not None and 0 <= line - value < 0.15 * top else value
        text = data["报告数值"].iloc[y] if as_written else _grouped_label(fmt.format(value))
        ax.annotate(text, (at, y), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=FONT)
    ax.xaxis.set_major_locator(MaxNLocator(4, integer=all(float(v).is_integer() for v in values)))
    title(fig, chart_title)
    return Chart(fig, data, chart_title, source, "")


def _comparable_groups(view: PeriodView, ids: list[str]) -> dict[tuple, list[str]]:
    """Figures grouped so that bars side by side are comparable: the same kind of measure,
    scope, window and unit."""

    groups: dict[tuple, list[str]] = {}
    for i in ids:
        m = meaning(view.catalogue, i)
        row = view.row(i)  # a date the book assumed is not the same date as one the source gave
        groups.setdefault((m.measure, m.scope, row["as_of"], assumed(row), m.unit),
                          []).append(i)
    return groups


def values(view: PeriodView, indicators: list[str], chart_title: str,
           unit_label: str) -> Chart | None:
    """Horizontal bars of several figures; figures that are not comparable (another kind of
    measure, scope, window or unit) are drawn in panels of their own, each titled with what
    it covers."""
    ids = _present(view, indicators)
    if not ids:
        return None
    groups = _comparable_groups(view, ids)
    # only flows over a stated window are the period's: a stock, a running total (慈善一日捐:
    # 11 years) or money paid up to a date is not "2020年上半年" progress, so no period in
    # its title
    period = f"{view.period.start}/{view.period.end}"
    when = view.label if any(key[0] == FLOW and key[2] == period and key[3] == ""
                             for key in groups) else ""
    if len(groups) == 1:
        data = _frame(view, ids, unit_label)
        chart = _hbar(view, data, unit_label, f"{when}{chart_title}", unit_label,
                      _source(view, ids))
        chart.alt = _alt("横向条形图", data, unit_label, unit_label)
        return chart
    symbols = view.catalogue.unit_symbols
    labels = view.catalogue.by_id["label_zh"]  # each panel's title says window and scope
    data = pd.concat([_frame(view, members, "数值").assign(
        指标=[labels[i] for i in members],
        组别=f"{view.when(members[0])}（单位：{symbols[key[-1]]}）")
        for key, members in groups.items()], ignore_index=True)
    fig, axes = new_panels(len(groups), height=1.4 + 0.62 * len(data) + 0.7 * len(groups))
    # panels of one unit share a scale, unless their largest values are so far apart that
    # the smaller panel's bars would vanish; panels on scales of their own say so
    tops = data.groupby("组别", sort=False)["数值"].max()
    shared = len({key[-1] for key in groups}) == 1 and tops.max() <= SHARED_SPAN * max(
        tops.min(), 1)
    whole = bool((data["数值"].dropna() % 1 == 0).all())  # counts: whole-number ticks
    full_title = (f"{when}{chart_title}（分组：口径、时段或单位不同"
                  f"{'' if shared else '，各组刻度不同'}）")
    for ax, (group, part) in zip(axes, data.groupby("组别", sort=False), strict=True):
        bars = ax.barh(label_lines(part["指标"]), part["数值"],
                       color=FIGURES)
        ax.bar_label(bars, labels=list(part["报告数值"]), padding=4)  # 9万余, not 90,000
        ax.invert_yaxis()
        top = data["数值"].max() if shared else part["数值"].max()
        ax.set_xlim(0, (top or 1) * 1.25)
        ax.xaxis.set_major_formatter(AxisNumbers())
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=whole))
        panel_title(ax, group)
    title(fig, full_title)
    source = _source(view, ids)
    alt = "分组条形图：" + "；".join(
        f"{g}：" + "，".join(f"{lab}{text}" for lab, text in zip(part["指标"], part["报告数值"],
                                                                strict=True))
        for g, part in data.groupby("组别", sort=False))
    return Chart(fig, data, full_title, source, alt)


def _target_of(view: PeriodView, indicator: str) -> pd.Series | None:
    """The latest target that targets.csv (of this or an earlier period) sets for the
    indicator at the period's place, or None: a target is drawn only where a source set it."""
    targets = view.dataset.all_targets(view.period)
    rows = targets[(targets["indicator"] == indicator) & (targets["geo"] == view.geo)]
    return None if rows.empty else rows.iloc[-1]


def coverage(view: PeriodView, indicators: list[str], chart_title: str) -> Chart | None:
    """Rates (percent), each with the target a source set for it, where there is one."""
    ids = _present(view, indicators)
    if not ids:
        return None
    data = _frame(view, ids, "百分比")
    targets = [_target_of(view, i) for i in ids]
    marks = [None if t is None else float(t["base_value"]) for t in targets]
    if any(m is not None for m in marks):
        data["目标"] = ["" if t is None else f"{t['value']}%（{deadline_text(t['deadline'])}）"
                      for t in targets]
        data["距目标（百分点，计算值）"] = [
            "" if m is None else round(m - v, 2) for m, v in zip(marks, data["百分比"],
                                                                strict=True)]
    chart = _hbar(view, data, "百分比", chart_title, "%", _source(view, ids),
                  "{:g}%", marks=marks, mark_label="计划目标", as_written=True)
    with_target = [lab for lab, m in zip(data["指标"], marks, strict=True) if m is not None]
    chart.alt = _alt("比率条形图" + (f"，竖线为计划目标（{'、'.join(with_target)}）"
                                    if with_target else "，报告未设目标"),
                     data, "百分比", "%")
    return chart


def standards(view: PeriodView, indicators: list[str]) -> Chart | None:
    """Monthly standards (`indicators`), with the floor that a policy rule of checks.yml in
    force in the period sets as a factor of one of them (ratio_at_least: e.g. a 特困
    standard at least 1.3 x the 低保 standard), and each one's multiple of that base."""
    ids = _present(view, indicators)
    if not ids:
        return None
    data = _frame(view, ids, "元/人/月")
    rules = [c for c in view.dataset.checks if c["kind"] == "ratio_at_least"
             and c["left"]["indicator"] in ids and c["right"]["indicator"] in ids]
    bases = {c["right"]["indicator"] for c in rules}
    goal, goal_label, floor_of = None, "", ""
    if len(bases) == 1 and view.value(base := bases.pop()) > 0:
        label = view.catalogue.by_id["label_zh"]
        data[f"相对{label[base]}倍数"] = (data["元/人/月"] / view.value(base)).round(3)
        # the floor of the rules known to be in force for the period's place and time
        in_force = [c for c in rules if rule_in_force(c, view.geo, view.period.end)[0]]
        factors = {view.dataset.factor(c) for c in in_force}
        if len(factors) == 1:
            [factor] = factors
            goal = factor * view.value(base)
            floor_of = "、".join(dict.fromkeys(label[c["left"]["indicator"]] for c in in_force))
            goal_label = f"{floor_of}下限\n＝{label[base]}×{factor:g}＝{goal:.0f}"
    chart = _hbar(view, data, "元/人/月", f"{view.place}各项标准（{view.label}报告所列）",
                  "元/人/月", _source(view, ids), goal=goal, goal_label=goal_label)
    chart.alt = _alt("救助标准条形图" + (f"，虚线为{floor_of}下限" if goal else ""), data,
                     "元/人/月", "元/人/月")
    return chart


def average_payment(view: PeriodView, standard: str,
                    groups: list[tuple[str, str, str]]) -> Chart | None:
    """Average monthly payment per recipient (spending / recipients / months) against the
    `standard`; `groups` are (label, spending indicator, recipients indicator)."""
    rows, used, from_january = [], [standard], False
    for label, spending, recipients in groups:
        if not (view.has(spending) and view.has(recipients) and view.has(standard)):
            continue
        as_of = view.row(spending)["as_of"]
        average = per_person_month(view.value(spending), view.value(recipients), as_of)
        if average is None:
            continue
        rows.append({"指标": f"{label}月人均领取（估算）", "元/人/月": round(average),
                     "计算": f"{view.written(spending)}（{view.words(spending) or view.label}）"
                             f" ÷ {view.written(recipients)} ÷ {months_in_window(as_of)}个月"
                             + start_note(view.row(spending)),
                     "章节": view.row(spending)["section"],
                     "indicator": f"{spending} / {recipients}"})
        used += [spending, recipients]
        from_january |= start_assumed(view.row(spending))
    if not rows:
        return None
    data = pd.DataFrame(rows)
    standard_id, standard = standard, view.value(standard)
    name = view.catalogue.by_id.at[standard_id, "label_zh"]

    spending_window = view.row(used[1])["as_of"]
    standard_row = view.row(standard_id)
    what = "、".join(dict.fromkeys(r["指标"].removesuffix("月人均领取（估算）") for r in rows))
    when = view.when(standard_id)
    # a window the report gives only by its end is not called the half-year in the title
    period = "" if from_january else view.label
    if starts_after(standard_row["as_of"], spending_window):
        # the standard was set within the window the money was paid over: not the standard
        # most of it was paid under, so it is named, not drawn as a yardstick
        chart = _hbar(view, data, "元/人/月", f"{period}{what}月人均领取（估算）", "元/人/月",
                      _source(view, used), "{:.0f}")
        chart.fig.axes[0].set_xlabel(f"元/人/月\n{name}{when}为\n{standard:.0f}元/人/月，不作对照")
        chart.alt = _alt(f"月人均领取估算条形图（资金÷期末人数÷月数）；{name}于{when}为"
                         f"{standard:.0f}元，资金所属时段开始时执行的标准报告未给出，图中不作对照",
                         data, "元/人/月", "元/人/月")
        return chart
    chart = _hbar(view, data, "元/人/月", f"{period}{what}月人均领取估算与保障标准",
                  "元/人/月", _source(view, used), "{:.0f}", goal=standard,
                  goal_label=f"{when}的{name}{standard:.0f}")
    chart.alt = _alt(f"月人均领取估算条形图（资金÷期末人数÷月数），虚线为{name}",
                     data, "元/人/月", "元/人/月")
    return chart


def progress(view: PeriodView, area: str | None = None) -> Chart | None:
    """Construction and plan progress: latest figure as a share of each count target (of an
    area); rate targets have no completion share (their distance is in percentage points)."""
    status = track(view.project, view.period.id, view.geo)
    status = status[(status["kind"] == COUNT) & status["progress"].notna()]
    if area is not None:
        areas = view.catalogue.by_id["area"]
        status = status[status["indicator"].map(areas) == area]
    if status.empty:
        return None
    data = pd.DataFrame({
        "指标": status["label_zh"],  # the precision of share_text, as the prose says it
        "完成比例%（计算值）": [round(100 * p, 1 if abs(100 * p) < 1 else 0)
                           for p in status["progress"]],
        "完成/目标": status["latest"] + " / " + status["goal"],
        "状态": status["status"].map(labels(PLAN_TRACKING, view.project)["status"]),
        "章节": status["section"], "indicator": status["indicator"],
    }).reset_index(drop=True)
    chart = _hbar(view, data, "完成比例%（计算值）", "目标完成进度（计算值）",
                  "完成比例（%）", "报告所列目标与报告给出的最新完成数", "{:g}%",
                  goal=100, goal_label="目标")
    chart.alt = _alt("目标完成进度条形图", data, "完成比例%（计算值）", "%")
    return chart


def stages(view: PeriodView, groups: dict[str, list[tuple[str, str]]],
           chart_title: str) -> Chart | None:
    """Construction stages (built, under construction, approved/sited, not built), one panel
    per group, all on one scale (a count of 427 is drawn a fifth as long as one of 2,034); a
    stage has one colour in every panel, found from the indicator ids (the part after what
    a group's ids share: built, under_construction), whatever the words of its label."""
    rows = [{"类别": group, "阶段": stage, "数量": view.value(ind), "报告数值": view.written(ind),
             "章节": view.row(ind)["section"], "indicator": ind}
            for group, items in groups.items() for stage, ind in items if view.has(ind)]
    if not rows:
        return None
    data = pd.DataFrame(rows)
    present = list(dict.fromkeys(data["类别"]))
    fig, axes = new_panels(len(present), height=1.4 + 0.62 * len(data) + 0.5 * len(present))
    full_title = chart_title  # stocks at a date, not the half-year's progress
    stage_of = {ind: key for items in groups.values()
                for ind, key in _stage_keys([i for _, i in items]).items()}
    colour = stage_colours(stage_of[i] for i in data["indicator"])
    for ax, group in zip(axes, present, strict=True):
        part = data[data["类别"] == group]
        bars = ax.barh(label_lines(part["阶段"]), part["数量"],
                       color=[colour[stage_of[i]] for i in part["indicator"]])
        ax.bar_label(bars, labels=[number_text(v, 0) for v in part["数量"]], padding=4)
        ax.invert_yaxis()
        ax.set_xlim(0, (data["数量"].max() or 1) * 1.25)
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        panel_title(ax, group)
        ax.set_xlabel("座")
    title(fig, full_title)
    source = _source(view, list(data["indicator"]))
    alt = "分阶段条形图：" + "；".join(
        f"{g}：" + "，".join(f"{s}{text}" for s, text in zip(part["阶段"], part["报告数值"],
                                                             strict=True))
        for g, part in data.groupby("类别", sort=False))
    return Chart(fig, data, full_title, source, alt)


def _stage_keys(indicators: list[str]) -> dict[str, str]:
    """Indicator id -> its stage: the part of the id after what the group's ids share
    (urban_public_cemeteries_built -> built); a group of one: the id's last word."""
    if len(indicators) == 1:
        return {indicators[0]: indicators[0].rsplit("_", 1)[-1]}
    prefix = os.path.commonprefix(indicators)
    prefix = prefix[:prefix.rfind("_") + 1]
    return {i: i[len(prefix):] for i in indicators}


def comparator_standards(view: PeriodView) -> list[Chart]:
    """The period's unified standard and the standards it stands for (the catalogue's
    `stands_for`: the 低保 standards) beside other places', in groups that say whether they are
    comparable: the same year's standards of whole places; other years; partial places or
    policy floors; averages over many places (which are not any one place's standard).
    Drawn in as many charts as keep each under MAX_HEIGHT (whole groups where they fit, a
    longer group cut into parts), every chart on the same scale; [] without the standards."""

    own_standards = unified_standards(view.dataset)
    own_ids = _present(view, own_standards)
    if not own_ids:
        return []
    concept = concept_of(view.dataset)
    comp = view.dataset.comparators
    comp = comp[comp["indicator"].map(concept).isin(own_standards)
                & comp["value_monthly_yuan"].notna() & (comp["geo"] != view.geo)]
    year = int(view.row(own_ids[0])["as_of"].split("/")[-1][:4])
    short = view.catalogue.by_id["label_zh"]
    own = pd.DataFrame([{
        "组别": COMPARABLE, "地区": view.place, "指标": view.row(i)["label_zh"],
        "类别": short[i], "indicator": i,
        "时点": view.row(i)["as_of"], "元/人/月": view.value(i), "来源可靠性": "本期报告",
        "来源": _source(view, [i]), "assumed": is_assumed(view.row(i)),
    } for i in own_ids])
    rest = pd.DataFrame({
        "组别": [comparability_group(r, year) for _, r in comp.iterrows()],
        "地区": comp["geo_label_zh"], "指标": comp["label_zh"],
        "类别": comp["indicator"].map(concept).map(short), "时点": comp["as_of"],
        "元/人/月": comp["value_monthly_yuan"].round(2), "来源可靠性": comp["reliability_zh"],
        "来源": comp["url"], "indicator": comp["indicator"], "assumed": False,
    })
    data = pd.concat([own, rest], ignore_index=True)

    def when(r: pd.Series) -> str:  # a date the report does not give is not shown as one
        return "报告未注明执行时间" if r["assumed"] else month_zh(r["时点"])

    data["组别"] = pd.Categorical(data["组别"], GROUPS, ordered=True)
    data = data.sort_values(["组别", "时点"], kind="stable").reset_index(drop=True)
    data["组别"] = data["组别"].astype(str)
    present = [g for g in GROUPS if (data["组别"] == g).any()]
    top = data["元/人/月"].max() * 1.2
    pages = _comparator_pages(data, present)
    charts = []
    for n, page in enumerate(pages, start=1):
        more = f"，之{'一二三四五六七八九十'[n - 1]}" if 1 < len(pages) <= 10 else ""
        chart_title = f"低保标准：{view.place}与其他地区（按可比性分组{more}）"
        charts.append(_comparator_chart(data.loc[[i for _, rows in page for i in rows]],
                                        page, top, chart_title, when))
    return charts


COMPARATOR_BAR, COMPARATOR_PANEL, COMPARATOR_FRAME = 1.0, 0.9, 1.6  # inches


def _comparator_pages(data: pd.DataFrame, groups: list[str]) -> list[list[tuple[str, list]]]:
    """The comparator rows in charts of at most MAX_HEIGHT: each chart a list of (group, row
    labels) panels; a group too long for one chart is cut into parts."""
    most = int((MAX_HEIGHT - COMPARATOR_FRAME - COMPARATOR_PANEL) // COMPARATOR_BAR)
    pieces = []
    for group in groups:
        rows = list(data.index[data["组别"] == group])
        pieces += [(group, rows[k:k + most]) for k in range(0, len(rows), most)]
    pages: list[list[tuple[str, list]]] = [[]]
    for piece in pieces:
        page = pages[-1] + [piece]
        height = (COMPARATOR_FRAME + COMPARATOR_BAR * sum(len(r) for _, r in page)
                  + COMPARATOR_PANEL * len(page))
        if pages[-1] and height > MAX_HEIGHT:
            pages.append([piece])
        else:
            pages[-1] = page
    return pages


def _comparator_chart(data: pd.DataFrame, panels: list[tuple[str, list]], top: float,
                      chart_title: str, when) -> Chart:
    """One chart of the comparator standards: a panel per (group, rows), on the scale `top`."""
    fig, axes = new_panels(len(panels), height=COMPARATOR_FRAME + COMPARATOR_BAR * len(data)
                           + COMPARATOR_PANEL * len(panels))
    for ax, (group, rows) in zip(axes, panels, strict=True):
        part = data.loc[rows]
        labels = [f"{wrap(r['地区'], 10)}\n{r['类别']}\n{when(r)}·{r['来源可靠性']}"
                  for _, r in part.iterrows()]
        colours = [FIGURES if r == "本期报告" else OTHERS for r in part["来源可靠性"]]
        bars = ax.barh(labels, part["元/人/月"], color=colours)
        ax.bar_label(bars, labels=[number_text(v, 0) for v in part["元/人/月"]], padding=4)
        ax.invert_yaxis()
        ax.set_xlim(0, top)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        panel_title(ax, group)
    axes[-1].set_xlabel("元/人/月\n按年公布的标准已除以12折算")
    title(fig, chart_title)
    source = "本期报告；对比数据的来源与可靠性见表"
    groups = list(dict.fromkeys(group for group, _ in panels))
    alt = "低保标准分组比较条形图：" + "；".join(
        f"{g}：" + "，".join(f"{r['地区']}{r['指标']}（{when(r)}）"
                            f"{number_text(r['元/人/月'], 0)}元"
                            for _, r in data[data["组别"] == g].iterrows())
        for g in groups)
    shown = data.assign(时点=[when(r) if r["assumed"] else r["时点"] for _, r in data.iterrows()])
    return Chart(fig, shown.drop(columns="assumed"), chart_title, source, alt)


def standards_over_time(view: PeriodView) -> Chart | None:
    """The home place's urban and rural 低保 standards at each date a source gives one,
    drawn as dated points (what happened between two sources is unknown); a unified
    standard counts for both (the catalogue's stands_for)."""

    split = stands_for(view.dataset)
    parts = sorted({part for parts in split.values() for part in parts})
    concept = concept_of(view.dataset)
    comp = view.dataset.comparators
    history = comp[(comp["geo"] == view.geo) & comp["indicator"].map(concept).isin(parts)
                   & comp["value_monthly_yuan"].notna()]
    labels = view.catalogue.by_id["label_zh"]
    rows = [{"时点": r["as_of"], "标准": labels[concept[r["indicator"]]],
             "元/人/月": round(float(r["value_monthly_yuan"]), 2),
             "来源可靠性": r["reliability_zh"], "来源": r["url"]} for _, r in history.iterrows()]
    for unified, members in split.items():
        if view.has(unified):
            now = view.row(unified)
            rows += [{"时点": now["as_of"], "标准": labels[part], "元/人/月": view.value(unified),
                      "来源可靠性": "本期报告",
                      "来源": f"{_source(view, [unified])}（{now['label_zh']}）"}
                     for part in members]
    for part in parts:
        if view.has(part):
            rows.append({"时点": view.row(part)["as_of"], "标准": labels[part],
                         "元/人/月": view.value(part), "来源可靠性": "本期报告",
                         "来源": _source(view, [part])})
    if not any(r["来源可靠性"] == "本期报告" for r in rows):
        return None
    data = pd.DataFrame(rows).sort_values(["标准", "时点"], kind="stable").reset_index(drop=True)
    fig, ax = new_figure(height=3.6 + 0.3 * -(-data["标准"].nunique() // 2))
    colour = concept_colours(view.dataset)
    dated_points(ax, data, "时点", "标准", "元/人/月",
                 {labels[p]: colour[p] for p in parts})
    ax.set_ylabel("元/人/月")
    chart_title = f"{view.place}低保标准（各来源给出的时点）"
    title(fig, chart_title)
    source = ("更早的标准来自对比数据（见表中来源与可靠性，年标准÷12折算）；"
              f"本期：{view.source_title}")
    changed = any(view.has(u) for u in split) and not history.empty  # separate, then unified
    scope = "；本期为城乡统一标准，与此前单设的城市、农村标准口径不同" if changed else ""
    source += scope
    alt = f"散点图，点与点之间的变化未知{scope}：" + "，".join(
        f"{as_of_text(r['时点'])}{r['标准']}{number_text(r['元/人/月'], 0)}元/人/月"
        for _, r in data.iterrows())
    return Chart(fig, data, chart_title, source, alt)


def dated_points(ax, data: pd.DataFrame, when: str, series: str, value: str,
                 colours: dict[str, str]) -> None:
    """Values at the dates sources give them, as points (no line: what happened between two
    sources is unknown). Legible with any number of dates: every value is labelled when
    there are three dates or fewer, else each series' latest (labels at one date pushed
    apart, equal values labelled once; every value is in the table), as many dates on the
    axis as fit (always the latest), the legend below."""
    ends = pd.to_datetime(data[when].astype(str).str.split("/").str[-1])
    latest: dict[tuple, str] = {}
    for n, (label, part) in enumerate(data.groupby(series, sort=False)):
        xs = ends[part.index]
        # a filled circle, then hollow larger shapes: a point under another stays visible
        ax.plot(xs, part[value], marker="osD^v"[n % 5], markersize=7 + 3 * min(n, 1),
                fillstyle="full" if n == 0 else "none", markeredgewidth=1.8,
                linestyle="none", label=label, color=colours[label])
        few = ends.nunique() <= 3
        for i in part.index if few else [xs.idxmax()]:
            latest.setdefault((xs[i], round(part.at[i, value])), label)
    dates = sorted(set(ends))
    fits = max(2, int(ax.figure.get_figwidth() * 72 * 0.8 / (6.5 * FONT)))  # "2020年6月"s
    shown = dates[::-1][::-(-len(dates) // fits)][::-1]
    ax.set_xticks(shown, [f"{d.year}年{d.month}月" for d in shown])
    span = (dates[-1] - dates[0]) if len(dates) > 1 else pd.Timedelta(days=365)
    ax.set_xlim(dates[0] - span * 0.1, dates[-1] + span * 0.3)
    ax.set_ylim(0, data[value].max() * 1.25)
    ax.figure.legend(loc="outside lower center", ncols=2, frameon=False)
    ax.figure.draw_without_rendering()  # the layout settled: label positions are final
    room = FONT * 1.3  # points between two labels at one date
    for x in sorted({at for at, _value in latest}):
        placed = -1e9
        for y in sorted(value for at, value in latest if at == x):
            at = ax.transData.transform((mdates.date2num(x), y))[1] * 72 / ax.figure.dpi
            offset = max(-FONT / 2, placed + room - at)
            placed = at + offset
            ax.annotate(number_text(y, 0), (x, y), textcoords="offset points", xytext=(10, offset),
                        ha="left", va="bottom", fontsize=FONT)


CHART_SPECS = "charts.yml"  # templates/charts.yml: the charts of each work area
# a YAML line break folded into a space between Chinese characters is no space in Chinese
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def chart_specs(project) -> dict:
    """templates/charts.yml: each area's charts, declared by what they select."""
    path = project.root / "templates" / CHART_SPECS
    specs = load_yaml(path)
    if not isinstance(specs, dict) or not isinstance(specs.get("default"), list):
        raise UserError(Problem(str(path), _("must map each area to a list of charts, with a "
                                             "`default` list"),
                                _("see the comment at the top of the file")))
    return specs


def _selected(view: PeriodView, select: dict, area: str) -> list[str]:
    """The period's indicators (at its place) of `area` ('all': any) whose catalogue
    columns equal `select`."""
    cat = view.catalogue.by_id
    ids = [
        i
        for i in dict.fromkeys(view.figures.loc[view.figures["geo"] == view.geo, "indicator"])
        if area == "all" or cat.at[i, "area"] == area
    ]
    return [i for i in ids if all(str(cat.at[i, k]) == str(v) for k, v in select.items())]


def _rest(view: PeriodView, area: str, drawn: set[str], per_chart: int) -> list[Chart]:
    """Every figure of the area at the period's place that no other chart drew: one chart
    per measure and unit, at most `per_chart` bars each (a figure alone in its measure and
    unit is not drawn: one bar shows nothing its sentence does not say)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for i in _selected(view, {}, area):
        if i not in drawn:
            m = meaning(view.catalogue, i)
            groups.setdefault((m.measure, view.catalogue.by_id.at[i, "unit"]), []).append(i)
    charts = []
    names = view.dataset.config.areas.get(area, [area])
    for (measure, unit), ids in groups.items():
        symbol = view.catalogue.unit_symbols[unit]
        chunks = -(-len(ids) // per_chart)
        for n in range(chunks):  # equal parts, none of a single bar
            part = ids[n * len(ids) // chunks : (n + 1) * len(ids) // chunks]
            if len(part) < 2:
                continue
            more = f"之{'一二三四五六七八九十'[n]}" if chunks > 1 and n < 10 else ""
            chart = values(view, part, f"{names[0]}{MEASURE_ZH[measure]}（{symbol}）{more}", symbol)
            charts += [chart] if chart is not None else []
    return charts


def _breakdowns(view: PeriodView, area: str, drawn: set[str], chart_title: str) -> list[Chart]:
    """Each total of the area whose parts the catalogue declares (`part_of`), with at least
    two parts in the period: its parts as bars, titled by `chart_title` with the total's
    name in place of {total}."""
    charts = []
    for total, parts in parts_of(view.catalogue).items():
        if area != "all" and view.catalogue.by_id.at[total, "area"] != area:
            continue
        present = [p for p in _present(view, parts) if p not in drawn]
        if len(present) < 2:
            continue
        symbol = view.catalogue.unit_symbols[view.catalogue.by_id.at[total, "unit"]]
        label = str(view.catalogue.by_id.at[total, "label_zh"])
        chart = values(view, present, chart_title.replace("{total}", label), symbol)
        charts += [chart] if chart is not None else []
    return charts


@dataclass
class Placed:
    """A chart as its page shows it: the words above it (for the first chart of an entry of
    templates/charts.yml) and the anchor that prose links to."""

    chart: Chart
    anchor: str = ""
    heading: str = ""
    intro: str = ""
    chapter: int = 0  # the page's place in its period's edition: charts are 图<chapter>-<n>
    edition: str = ""  # that edition (the period's label), for citations


def for_area(view: PeriodView, area: str) -> list[Placed]:
    """The charts of an area's page for the period, from templates/charts.yml; entries
    without figures in the period are left out. Each knows its page's chapter number."""
    specs = chart_specs(view.project)
    pages = view.dataset.pages(view.period)
    chapter = pages.index(area) + 1 if area in pages else 0
    out: list[Placed] = []
    drawn: set[str] = set()
    for spec in specs.get(area, specs["default"]):
        kind, own = spec["chart"], spec.get("area", area)
        words = {key: _CJK_SPACE.sub("", str(spec.get(key, ""))) for key in ("heading", "intro")}
        if kind in ("rest", "breakdown"):
            made = (_rest(view, own, drawn, int(spec.get("per_chart", 8))) if kind == "rest"
                    else _breakdowns(view, own, drawn, str(spec.get("title", "{total}构成"))))
            drawn |= {i for c in made for x in c.data.get("indicator", [])
                      for i in str(x).split(" / ")}
            out += [Placed(c, **(words if n == 0 else {})) for n, c in enumerate(made)]
            continue
        ids = spec.get("indicators")
        if ids is None and (kind in ("standards", "values", "coverage")):
            select = spec.get(
                "select",
                {"measure": "standard", "unit": "yuan_per_person_month"}
                if kind == "standards"
                else {},
            )
            ids = [i for i in _selected(view, select, own) if i not in drawn]
        if kind == "standards":
            chart = standards(view, ids)
        elif kind in ("values", "coverage"):
            title_zh = spec.get("title", "")
            chart = (
                values(view, ids, title_zh, spec.get("unit", ""))
                if kind == "values"
                else coverage(view, ids, title_zh)
            )
        elif kind == "average_payment":
            chart = average_payment(view, spec["standard"], [tuple(p) for p in spec["pairs"]])
        elif kind == "stages":
            chart = stages(
                view,
                {g: [tuple(s) for s in items] for g, items in spec["groups"].items()},
                spec["title"],
            )
        elif kind == "progress":
            chart = progress(view, spec.get("area"))
        elif kind == "comparator_standards":  # in parts, each under MAX_HEIGHT
            made = comparator_standards(view)
            out += [Placed(c, str(spec.get("anchor", "")), **words) if n == 0 else Placed(c)
                    for n, c in enumerate(made)]
            drawn |= {i for c in made for i in c.data.get("indicator", [])}
            continue
        elif kind == "standards_over_time":
            chart = standards_over_time(view)
        else:
            raise UserError(
                Problem(
                    CHART_SPECS,
                    _("unknown chart {kind!r}").format(kind=kind),
                    _("use a chart kind listed at the top of templates/charts.yml"),
                )
            )
        if chart is None:
            continue
        used = {i for x in chart.data.get("indicator", []) for i in str(x).split(" / ")}
        drawn |= used | set(ids or [])
        out.append(Placed(chart, str(spec.get("anchor", "")), **words))
    return [replace(placed, chapter=chapter, edition=view.label) for placed in out]


KINDS = ("standards", "values", "coverage", "average_payment", "stages", "progress",
         "comparator_standards", "standards_over_time", "breakdown", "rest")


def spec_problems(project) -> list[Problem]:
    """What in templates/charts.yml the charts cannot use: an unknown chart kind, an
    indicator id the catalogue lacks, a `select` key that is not a catalogue column."""
    file = f"templates/{CHART_SPECS}"
    if not (project.root / "templates").is_dir():  # no wording: the notebooks draw no charts
        return []
    try:
        specs = chart_specs(project)
    except UserError as exc:
        return exc.problems
    indicators = load_catalogue(project).indicators
    ids, columns = set(indicators["id"]), set(indicators.columns)
    problems = []
    for area, entries in specs.items():
        for n, spec in enumerate(entries if isinstance(entries, list) else [None], start=1):
            where = f"{area}, chart {n}"
            if not isinstance(spec, dict) or spec.get("chart") not in KINDS:
                problems.append(
                    Problem(
                        file,
                        _("{where}: not a chart of a known kind").format(where=where),
                        _("write chart: one of {kinds}").format(kinds=", ".join(KINDS)),
                    )
                )
                continue
            shapes = {
                "indicators": list,
                "select": dict,
                "pairs": list,
                "groups": dict,
                "heading": str,
                "intro": str,
                "title": str,
                "unit": str,
                "anchor": str,
            }
            wrong = [k for k, kind in shapes.items() if k in spec and not isinstance(spec[k], kind)]
            per = spec.get("per_chart", 8)
            if isinstance(per, bool) or not isinstance(per, int) or not 2 <= per <= 20:
                wrong.append("per_chart")
            if wrong:
                problems.append(
                    Problem(
                        file,
                        _("{where}: {wrong} of the wrong kind").format(
                            where=where, wrong=", ".join(wrong)
                        ),
                        _(
                            "indicators, pairs: lists; select, groups: mappings; "
                            "per_chart: a whole number from 2 to 20; the rest text"
                        ),
                    )
                )
                continue
            named = [
                *spec.get("indicators", []),
                *([spec["standard"]] if "standard" in spec else []),
                *(i for pair in spec.get("pairs", []) for i in pair[1:]),
                *(i for items in spec.get("groups", {}).values() for _, i in items),
            ]
            problems += [
                Problem(
                    file,
                    _("{where}: {i} is not in the catalogue").format(where=where, i=echo(i)),
                    _("use an id of data/catalogue/indicators.csv"),
                )
                for i in named
                if i not in ids
            ]
            problems += [
                Problem(
                    file,
                    _("{where}: select by {k}, which is not a column of the catalogue").format(
                        where=where, k=echo(k)
                    ),
                    _("use one of {columns}").format(columns=", ".join(sorted(columns))),
                )
                for k in spec.get("select", {})
                if k not in columns
            ]
    return problems
