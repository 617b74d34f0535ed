"""What a notebook cell shows: narrative, charts with their tables, provenance, checks."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis.checks import VERDICT_ZH, results_frame
from analysis.figure import Chart
from analysis.view import PeriodView


def text(fragment: str) -> None:
    """Show generated narrative: an HTML fragment in which every text from the data was
    escaped where it was inserted (see `analysis.escape`); the MyST parser never reads it."""
    display(HTML(f'<div class="policy-text">{fragment}</div>'))


def chart(item: Chart | None) -> None:
    """Show a chart (image with alt text and source), or say that the period lacks its data."""
    if item is None:
        display(Markdown("*本期没有绘制此图所需的数字。*"))
    else:  # rendered here, so that a drawing error fails the cell (a display hook would
        display(HTML(item.html()))  # only print it into the page)


def frame(data: pd.DataFrame) -> None:
    """Show a table without the row index (plain HTML: stable under nbval)."""
    display(HTML(data.to_html(index=False, na_rep="", classes="dataframe policy-table",
                              border=0)))


def table(item: Chart | None) -> None:
    """Show a chart's numbers as a table (nbval checks these)."""
    if item is not None:
        frame(item.data)


def trace(view: PeriodView, area: str) -> None:
    """Every figure of the area with its section and verbatim quote."""
    frame(view.area_figures(area).drop(columns="indicator"))


def checks(view: PeriodView) -> None:
    """Show the check verdicts as a Chinese table."""
    results = results_frame(view.checks)
    frame(pd.DataFrame({
        "核验": results["title_zh"], "结果": results["verdict"].map(VERDICT_ZH),
        "数字": results["detail"], "代码": results["id"],
    }))


def targets(status: pd.DataFrame) -> None:
    """Show the plan-tracking table (targets and their status)."""
    frame(status[["目标", "地区", "目标值", "期限", "最新值", "最新时点", "状态", "章节"]])
