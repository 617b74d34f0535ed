"""Numbered exhibits: each chart of a period's page is 图<chapter>-1, 图<chapter>-2, ... (the
chapter is the page's place in the period's edition); its caption says the title and the
source once, and the citation names the book, the edition and the number."""

from __future__ import annotations

import re

import matplotlib

from analysis.charts import builders as charts
from analysis.checks import targets
from analysis.pages import page
from analysis.view import PeriodView

matplotlib.use("Agg")


def test_a_pages_charts_are_numbered_and_say_title_and_source_once(project_copy, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(page, "display", lambda item: shown.append(getattr(item, "data", "")))
    monkeypatch.chdir(project_copy.root)
    view = PeriodView.load(project_copy.root, "2020H1")
    items = charts.for_area(view, "social_assistance")
    assert len(items) >= 2
    page.charts(items)
    captions = [re.sub(r"<[^>]+>", "", c) for html in shown
                for c in re.findall(r"<figcaption>(.*?)</figcaption>", html)]
    assert len(captions) == len(items)
    chapter = view.dataset.pages("2020H1").index("social_assistance") + 1
    assert chapter == 2  # after the overview
    for n, (caption, item) in enumerate(zip(captions, items, strict=True), start=1):
        assert caption.startswith(f"图{chapter}-{n}　{item.chart.title}。"), caption
        assert caption.count(item.chart.title) == 1 and caption.count(item.chart.source) == 1
        assert f"引用：《{view.dataset.config.title}》（2020年上半年）图{chapter}-{n}" in caption


def test_the_plan_tables_are_numbered(project_copy, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(page, "display", lambda item: shown.append(getattr(item, "data", "")))
    status = targets.track(project_copy, "2020H1")
    page.targets(status, project_copy)
    titles = [re.sub(r"<[^>]+>", "", t) for html in shown
              for t in re.findall(r'<p class="table-title">(.*?)</p>', html)]
    assert titles == ["表1　数量目标", "表2　比率目标"]
