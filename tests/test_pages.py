"""Charts, narrative, plan tracking and export on the 2020H1 data."""

from __future__ import annotations

import re
import warnings

import matplotlib
import openpyxl
import pytest
from conftest import ROOT

from analysis import charts, narrative, plans
from analysis.export import export, neutralize
from analysis.toc import toc
from analysis.view import PeriodView

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def view() -> PeriodView:
    return PeriodView.load(ROOT, "2020H1")


CHARTS = {
    "standards": lambda v: charts.standards(v),
    "average_payment": lambda v: charts.average_payment(v),
    "comparators": lambda v: charts.comparator_standards(v),
    "over_time": lambda v: charts.standards_over_time(v),
    "progress": lambda v: charts.progress(v),
    "coverage": lambda v: charts.coverage(v, ["urban_community_facility_coverage"], "覆盖率"),
    "stages": lambda v: charts.stages(v, {"乡镇公益性公墓": [
        ("已建成", "township_public_cemeteries_built"), ("未建", "township_public_cemeteries_not_built")]},
        "公墓"),
}


@pytest.mark.parametrize("name", CHARTS)
def test_chart_renders_chinese_without_missing_glyphs(view, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any "Glyph ... missing from font" fails the test
        chart = CHARTS[name](view)
        html = chart._repr_html_()
    assert chart.alt and chart.source and not chart.data.empty
    assert 'alt="' in html and "data:image/png;base64," in html


def test_standards_chart_table_holds_the_report_values(view):
    data = charts.standards(view).data.set_index("indicator")
    assert data.loc["dibao_standard", "元/人/月"] == 630
    assert data.loc["tekun_rural_basic_standard", "相对低保标准倍数"] == 1.3


def test_chart_for_absent_figures_is_none(view):
    assert charts.values(view, ["no_such_indicator"], "x", "人") is None


@pytest.mark.parametrize("area", narrative.SENTENCES)
def test_every_number_in_the_narrative_is_a_figure_or_derived_from_figures(view, area):
    text = narrative.area_text(view, area)
    written = {re.sub(r"[^\d.]", "", view.written(i, g)) for i, g in
               zip(view.figures["indicator"], view.figures["geo"], strict=True)}
    derived = set(re.findall(r"(?:占|的|约|为|差)(\d+\.\d+)", text))
    for number in re.findall(r"\d+(?:\.\d+)?", text.replace(view.label, "")):
        assert number in written or number in derived or number in {"2020", "1", "5", "6", "18",
                                                                   "30", "31", "100"}, number


def test_narrative_leaves_out_sentences_whose_figures_are_absent(view):
    view = PeriodView(view.project, view.period, view.catalogue,
                      view.figures[view.figures["indicator"] != "dibao_standard"],
                      view.targets, view.checks)
    assert "城乡低保标准为" not in narrative.area_text(view, "social_assistance")


def test_plan_tracking_reports_progress_of_each_target(project):
    status = plans.track(project).set_index("indicator")
    assert status.loc["community_care_centres_completed", "状态"] == plans.IN_PROGRESS
    assert status.loc["community_care_centres_completed", "最新值"] == "3"
    assert status.loc["standard_demo_communities_completed", "状态"] == plans.NO_DATA


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x"])
def test_export_neutralizes_formula_text(text):
    assert neutralize(text) == "'" + text
    assert neutralize("低保") == "低保" and neutralize(3.5) == 3.5


def test_export_workbook_has_figures_checks_and_catalogue(view, tmp_path):
    out = export(view, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["数据", "核验", "指标目录"]
    assert wb["数据"].max_row == len(view.figures) + 1
    assert wb["数据"].freeze_panes == "A2"


def test_toc_lists_each_period_page_and_the_appendix(project):
    files = [c["file"] for part in toc(project)["parts"] for c in part["chapters"]]
    assert "periods/2020H1/overview" in files and "appendix" in files
