"""Chart builders for the book: coverage, standards, construction progress, comparisons.

Every builder returns a `Chart` whose `data` table carries the plotted numbers together
with the indicator id and report section they come from.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.ticker import MaxNLocator

from analysis.checks import months_in_window, per_person_month
from analysis.comparators import monthly_standards
from analysis.figure import Chart
from analysis.plans import track
from analysis.style import PALETTE, THOUSANDS, new_figure, new_panels, source_line
from analysis.view import PeriodView

GOAL_COLOUR = "#333333"


def _present(view: PeriodView, indicators: list[str]) -> list[str]:
    return [i for i in indicators if view.has(i)]


def _source(view: PeriodView, indicators: list[str]) -> str:
    sections = sorted({view.row(i)["section"] for i in indicators})
    return f"{view.source_title},第 {'、'.join(sections)} 节"


def _frame(view: PeriodView, indicators: list[str], value_name: str) -> pd.DataFrame:
    return pd.DataFrame({
        "指标": [view.row(i)["label_zh"] for i in indicators],
        value_name: [view.value(i) for i in indicators],
        "原文写法": [view.written(i) for i in indicators],
        "章节": [view.row(i)["section"] for i in indicators],
        "indicator": indicators,
    })


def _alt(kind: str, data: pd.DataFrame, value_name: str, unit: str) -> str:
    items = ",".join(f"{label}{value:g}{unit}"
                     for label, value in zip(data["指标"], data[value_name], strict=True))
    return f"{kind}:{items}"


def _hbar(data: pd.DataFrame, value_name: str, title: str, xlabel: str, source: str,
          fmt: str = "{:,.0f}", goal: float | None = None, goal_label: str = "") -> Chart:
    height = 1.6 + 0.55 * len(data)
    fig, ax = new_figure(height=height)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(data))]
    bars = ax.barh(data["指标"], data[value_name], color=colours)
    ax.bar_label(bars, labels=[fmt.format(v) for v in data[value_name]], padding=4)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    top = max(data[value_name].max(), goal or 0)
    ax.set_xlim(0, top * 1.22)
    ax.xaxis.set_major_formatter(THOUSANDS)
    if goal is not None:
        ax.axvline(goal, color=GOAL_COLOUR, linestyle="--", linewidth=1.2)
        ax.set_xlabel(f"{xlabel}(虚线:{goal_label})")
    ax.set_title(title, loc="left")
    source_line(fig, source)
    return Chart(fig, data, title, source, "")


def values(view: PeriodView, indicators: list[str], title: str, unit_label: str) -> Chart | None:
    """Horizontal bars of several figures that share a unit (counts, amounts)."""
    ids = _present(view, indicators)
    if not ids:
        return None
    data = _frame(view, ids, unit_label)
    chart = _hbar(data, unit_label, f"{view.label}{title}", unit_label, _source(view, ids))
    chart.alt = _alt("横向条形图", data, unit_label, unit_label)
    return chart


def coverage(view: PeriodView, indicators: list[str], title: str) -> Chart | None:
    """Coverage rates (percent) against the 100% goal."""
    ids = _present(view, indicators)
    if not ids:
        return None
    data = _frame(view, ids, "百分比")
    data["距100%目标"] = (100 - data["百分比"]).round(2)
    chart = _hbar(data, "百分比", f"{view.label}{title}", "%", _source(view, ids), "{:g}%",
                  goal=100, goal_label="目标 100%")
    chart.alt = _alt("覆盖率条形图,虚线为100%目标", data, "百分比", "%")
    return chart


def standards(view: PeriodView) -> Chart | None:
    """低保 and 特困 monthly standards against the 特困 floor that the policy rules of
    checks.yml set as a factor of the 低保 standard."""
    ids = _present(view, ["dibao_standard", "tekun_rural_basic_standard", "tekun_urban_standard"])
    if not ids:
        return None
    data = _frame(view, ids, "元/人/月")
    goal = None
    factors = {view.dataset.factor(c) for c in view.dataset.checks
               if c["kind"] == "ratio_at_least" and c["right"]["indicator"] == "dibao_standard"
               and c["left"]["indicator"] in ids}
    if view.has("dibao_standard") and view.value("dibao_standard") > 0:
        data["相对低保标准倍数"] = (data["元/人/月"] / view.value("dibao_standard")).round(3)
        if len(factors) == 1:
            [factor] = factors
            goal = factor * view.value("dibao_standard")
    chart = _hbar(data, "元/人/月", f"{view.label}{view.place}社会救助标准", "元/人/月",
                  _source(view, ids), goal=goal, goal_label=f"低保标准×{factor} = {goal:.0f}"
                  if goal else "")
    chart.alt = _alt("救助标准条形图,虚线为特困标准下限", data, "元/人/月", "元/人/月")
    return chart


def average_payment(view: PeriodView) -> Chart | None:
    """Average monthly payment per 低保 recipient (spending / recipients / months) vs standard."""
    pairs = [("城市低保", "dibao_urban_spending", "dibao_urban_recipients"),
             ("农村低保", "dibao_rural_spending", "dibao_rural_recipients")]
    rows, used = [], ["dibao_standard"]
    for label, spending, recipients in pairs:
        if not (view.has(spending) and view.has(recipients) and view.has("dibao_standard")):
            continue
        as_of = view.row(spending)["as_of"]
        average = per_person_month(view.value(spending), view.value(recipients), as_of)
        if average is None:
            continue
        rows.append({"指标": f"{label}月人均支出", "元/人/月": round(average, 2),
                     "计算": f"{view.written(spending)} ÷ {view.written(recipients)} ÷ "
                             f"{months_in_window(as_of)}个月",
                     "章节": view.row(spending)["section"],
                     "indicator": f"{spending} / {recipients}"})
        used += [spending, recipients]
    if not rows:
        return None
    data = pd.DataFrame(rows)
    standard = view.value("dibao_standard")
    chart = _hbar(data, "元/人/月", f"{view.label}低保月人均支出与保障标准", "元/人/月",
                  _source(view, used), "{:,.2f}", goal=standard,
                  goal_label=f"低保标准 {standard:.0f}")
    chart.alt = _alt("月人均支出条形图,虚线为低保标准", data, "元/人/月", "元/人/月")
    return chart


def progress(view: PeriodView, area: str | None = None) -> Chart | None:
    """Construction and plan progress: latest figure as a share of each target (of an area)."""
    status = track(view.project, view.period.id)
    status = status[status["progress"].notna()]
    if area is not None:
        areas = view.catalogue.indicators.set_index("id")["area"]
        status = status[status["indicator"].map(areas) == area]
    if status.empty:
        return None
    data = pd.DataFrame({
        "指标": status["目标"], "完成比例%": (100 * status["progress"]).round(1),
        "完成/目标": status["最新值"] + " / " + status["目标值"], "状态": status["状态"],
        "章节": status["章节"], "indicator": status["indicator"],
    }).reset_index(drop=True)
    chart = _hbar(data, "完成比例%", f"截至{view.label}的年度目标完成进度", "完成比例(%)",
                  "各期工作汇报中的年度目标与截至本期的完成数", "{:g}%", goal=100,
                  goal_label="目标")
    chart.alt = _alt("目标完成进度条形图", data, "完成比例%", "%")
    return chart


def stages(view: PeriodView, groups: dict[str, list[tuple[str, str]]], title: str) -> Chart | None:
    """Construction stages (built, under construction, approved/sited, not built), one panel
    per group, each on its own scale so small groups stay legible."""
    rows = [{"类别": group, "阶段": stage, "数量": view.value(ind), "原文写法": view.written(ind),
             "章节": view.row(ind)["section"], "indicator": ind}
            for group, items in groups.items() for stage, ind in items if view.has(ind)]
    if not rows:
        return None
    data = pd.DataFrame(rows)
    present = list(dict.fromkeys(data["类别"]))
    fig, axes = new_panels(len(present), height=1.4 + 0.5 * len(data))
    full_title = f"{view.label}{title}"
    for ax, group in zip(axes, present, strict=True):
        part = data[data["类别"] == group]
        bars = ax.barh(part["阶段"], part["数量"],
                       color=[PALETTE[i % len(PALETTE)] for i in range(len(part))])
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in part["数量"]], padding=4)
        ax.invert_yaxis()
        ax.set_xlim(0, part["数量"].max() * 1.25)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(group, loc="left", fontsize=11)
        ax.set_xlabel("座")
    fig.suptitle(full_title, x=0.01, ha="left", fontsize=13)
    source = _source(view, list(data["indicator"]))
    source_line(fig, source)
    alt = "分阶段条形图:" + ";".join(
        f"{g}:" + ",".join(f"{s}{v:g}" for s, v in zip(part["阶段"], part["数量"], strict=True))
        for g, part in data.groupby("类别", sort=False))
    return Chart(fig, data, full_title, source, alt)


def comparator_standards(view: PeriodView) -> Chart | None:
    """Lu'an's 低保 standard beside other Anhui cities and national averages (元/人/月)."""
    if not view.has("dibao_standard"):
        return None
    ids = ["dibao_standard", "dibao_urban_standard", "dibao_rural_standard"]
    others = monthly_standards(view.project, ids)
    year = view.period.start.year
    others = others[others["as_of"].str[:4].astype(int).between(year - 1, year)]
    own = pd.DataFrame([{
        "地区": view.place, "指标": view.row("dibao_standard")["label_zh"], "时点": view.row(
            "dibao_standard")["as_of"], "元/人/月": view.value("dibao_standard"),
        "来源可靠性": "本期报告", "来源": _source(view, ["dibao_standard"]),
    }])
    rest = pd.DataFrame({
        "地区": others["geo_label_zh"], "指标": others["label_zh"], "时点": others["as_of"],
        "元/人/月": others["value_monthly_yuan"], "来源可靠性": others["reliability_zh"],
        "来源": others["url"],
    })
    data = pd.concat([own, rest], ignore_index=True)
    labels = [f"{r['地区']} {r['指标']}\n({r['时点'][:7]},{r['来源可靠性']})"
              for _, r in data.iterrows()]
    fig, ax = new_figure(width=7.6, height=1.8 + 0.75 * len(data))
    colours = [PALETTE[0]] + [PALETTE[5]] * (len(data) - 1)
    bars = ax.barh(labels, data["元/人/月"], color=colours)
    ax.bar_label(bars, labels=[f"{v:,.0f}" for v in data["元/人/月"]], padding=4)
    ax.invert_yaxis()
    ax.set_xlim(0, data["元/人/月"].max() * 1.18)
    ax.set_xlabel("元/人/月(按年标准折算的已除以12)")
    title = f"低保标准:{view.place}与省内城市、全国平均"
    fig.suptitle(title, x=0.01, ha="left", fontsize=13)
    source = "本期报告;对比数据见 data/reference/sources.csv(括号内为来源可靠性)"
    source_line(fig, source)
    alt = "低保标准比较条形图:" + ",".join(f"{lab}{v:.0f}元" for lab, v in
                                           zip(labels, data["元/人/月"], strict=True))
    return Chart(fig, data, title, source, alt)


def standards_over_time(view: PeriodView) -> Chart | None:
    """Lu'an's urban and rural 低保 standards over time; a unified standard continues both."""
    if not view.has("dibao_standard"):
        return None
    history = monthly_standards(view.project, ["dibao_urban_standard", "dibao_rural_standard"])
    history = history[history["geo"] == view.geo]
    series = {"dibao_urban_standard": "城市低保标准", "dibao_rural_standard": "农村低保标准"}
    now = view.row("dibao_standard")
    data = pd.concat([
        pd.DataFrame({"时点": history["as_of"], "标准": history["indicator"].map(series),
                      "元/人/月": history["value_monthly_yuan"].round(2),
                      "来源可靠性": history["reliability_zh"], "来源": history["url"]}),
        pd.DataFrame([{"时点": now["as_of"], "标准": label,
                       "元/人/月": view.value("dibao_standard"), "来源可靠性": "本期报告",
                       "来源": f"{_source(view, ['dibao_standard'])}({now['label_zh']},城乡统一)"}
                      for label in series.values()]),
    ], ignore_index=True)
    fig, ax = new_figure()
    for n, (label, part) in enumerate(data.groupby("标准", sort=False)):
        when = pd.to_datetime(part["时点"])
        ax.plot(when, part["元/人/月"], marker="o", label=label, color=PALETTE[n])
        for x, y in zip(when, part["元/人/月"], strict=True):
            ax.annotate(f"{y:,.0f}", (x, y), textcoords="offset points",
                        xytext=(0, 7 if n == 0 else -15), ha="center", fontsize=10.5)
    ax.set_ylim(0, data["元/人/月"].max() * 1.2)
    ax.set_ylabel("元/人/月")
    ax.legend(frameon=False, loc="lower right")
    title = f"{view.place}低保标准的变化"
    ax.set_title(title, loc="left")
    source = f"更早的标准:对比数据(见表中来源与可靠性,年标准÷12折算);本期:{view.source_title}"
    source_line(fig, source)
    alt = "折线图:" + ",".join(f"{r['时点']} {r['标准']}{r['元/人/月']:.0f}元/人/月"
                               for _, r in data.iterrows())
    return Chart(fig, data, title, source, alt)
