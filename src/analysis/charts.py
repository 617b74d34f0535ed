"""Chart builders for the book: coverage, standards, construction progress."""

from __future__ import annotations

import pandas as pd

from analysis.figure import Chart
from analysis.style import new_figure, source_line
from analysis.view import PeriodView


def _sections(view: PeriodView, indicators: list[str]) -> str:
    sections = sorted({view.row(i)["section"] for i in indicators})
    return f"{view.period.id} 报告第 {', '.join(sections)} 节"


def standards(view: PeriodView, factor: float = 1.3) -> Chart:
    """低保 and 特困 monthly standards against the 特困 floor of `factor` x 低保."""
    ids = ["dibao_standard", "tekun_rural_basic_standard", "tekun_urban_standard"]
    ids = [i for i in ids if view.has(i)]
    data = pd.DataFrame({
        "标准": [view.row(i)["label_zh"] for i in ids],
        "元/人/月": [view.value(i) for i in ids],
    })
    fig, ax = new_figure()
    colours = ["#1f5f8b", "#e07b39", "#b8405e"][: len(ids)]
    bars = ax.barh(data["标准"], data["元/人/月"], color=colours)
    ax.bar_label(bars, fmt="%.0f", padding=4)
    ax.invert_yaxis()
    ax.set_xlabel("元/人/月")
    title = f"{view.label}六安市社会救助标准"
    if view.has("dibao_standard"):
        floor = factor * view.value("dibao_standard")
        ax.axvline(floor, color="#333333", linestyle="--", linewidth=1.2)
        ax.text(floor, -0.6, f" 低保标准×{factor} = {floor:.0f}", fontsize=9, va="bottom")
        data["相对低保标准倍数"] = (data["元/人/月"] / view.value("dibao_standard")).round(3)
    ax.set_title(title, loc="left")
    ax.set_xlim(0, data["元/人/月"].max() * 1.2)
    source = _sections(view, ids)
    source_line(fig, source)
    alt = "横向条形图:" + ",".join(
        f"{label}{value:.0f}元/人/月" for label, value in zip(data["标准"], data["元/人/月"],
                                                           strict=True))
    return Chart(fig, data, title, source, alt)
