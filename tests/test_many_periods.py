"""Cross-period charts stay legible as periods accumulate: 4, 8 and 16 SYNTHETIC half-years
(copies of the pinned period shifted by whole years) draw with no overlapping or clipped
text, and the latest period's chart of standards over time shows the book's earlier values."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import PINNED, copy_data
from synthetic import copy_period
from test_chart_layout import _texts as visible_texts

from analysis.charts import builders as charts
from analysis.dataset.project import Project
from analysis.pages import trends
from analysis.view import PeriodView


def _project(tmp_path, periods: int) -> Project:
    copy_data(tmp_path)
    project = Project(tmp_path)
    year = int(PINNED[:4])
    for n in range(1, periods):
        copy_period(project, PINNED, f"{year + n}{PINNED[4:]}")
    return project


def _problems(fig) -> list:
    """Texts that overlap another or leave the image."""
    fig.canvas.draw()
    texts = visible_texts(fig)
    frame = fig.bbox
    out = [t.get_text() for t, b in texts if b.x0 < frame.x0 - 1 or b.x1 > frame.x1 + 1
           or b.y0 < frame.y0 - 1 or b.y1 > frame.y1 + 1]
    out += [(a.get_text(), b.get_text()) for (a, ba), (b, bb) in itertools.combinations(texts, 2)
            if ba.width and bb.width and min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 1
            and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 1]
    return out


@pytest.mark.parametrize("periods", [4, 8, 16])
def test_cross_period_charts_stay_legible_as_periods_accumulate(tmp_path, periods):
    project = _project(tmp_path, periods)
    chart = trends.standards_chart(project)
    assert chart is not None
    problems = _problems(chart.fig)
    plt.close(chart.fig)
    assert problems == [], f"{periods} periods: {problems[:5]}"
    latest = f"{int(PINNED[:4]) + periods - 1}{PINNED[4:]}"
    over_time = charts.standards_over_time(PeriodView.load(tmp_path, latest))
    assert over_time is not None
    problems = _problems(over_time.fig)
    plt.close(over_time.fig)
    assert problems == [], f"{periods} periods, standards over time: {problems[:5]}"
    assert PINNED[:4] in " ".join(str(v) for v in over_time.data.astype(str).values.ravel())


def test_a_standard_whose_date_the_report_omits_is_said_so_in_the_trends_chart(tmp_path):
    project = _project(tmp_path, 2)
    later = project.period_dir(f"{int(PINNED[:4]) + 1}{PINNED[4:]}") / "figures.csv"
    rows = pd.read_csv(later, dtype=str, keep_default_na=False)
    rows.loc[rows["indicator"] == "dibao_standard", "as_of_assumed"] = "yes"
    rows.to_csv(later, index=False)
    chart = trends.standards_chart(project)
    plt.close(chart.fig)
    assumed = chart.data[chart.data["时点"].str.startswith("报告未注明执行时间")]
    assert len(assumed) >= 2 and set(assumed["报告期"]) == {"2021年上半年"}  # and no other
    assert "报告未注明执行时间" in chart.alt
