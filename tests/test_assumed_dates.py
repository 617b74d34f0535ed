"""Nothing assumed is shown as fact: a figure entered without a date gets the period's end
(or the period, for a flow) marked as assumed, and every page says the report gives no date."""

from __future__ import annotations

import shutil

from conftest import ROOT, copy_data

from analysis.dataset.project import Project
from analysis.intake.importer import import_period
from analysis.meaning.semantics import START_WORDS
from analysis.statements import narrative
from analysis.view import PeriodView

ROWS = """indicator,geo,value,unit_mult,unit,qualifier,as_of,section,quote,note
dibao_urban_recipients,341500,3.46,4,person,,,1.1,,SYNTHETIC: undated stock
temp_assistance_cases,341500,1200,0,person_time,,,1.2,,SYNTHETIC: undated flow
dibao_standard,341500,700,0,yuan_per_person_month,,,1.3,,SYNTHETIC: undated standard
dibao_rural_recipients,341500,5,4,person,,2021-06-30,1.1,,SYNTHETIC: dated
"""


def test_a_figure_without_a_date_is_recorded_and_shown_as_assumed(tmp_path):
    copy_data(tmp_path, periods=())
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    project = Project(tmp_path)
    source = tmp_path / "figures_2021H1.csv"
    source.write_text(ROWS, encoding="utf-8")
    import_period(project, "2021H1", source)
    written = (project.period_dir("2021H1") / "figures.csv").read_text(encoding="utf-8")
    assert "as_of_assumed" in written.splitlines()[0]
    view = PeriodView.load(tmp_path, "2021H1")
    rows = view.figures.set_index("indicator")
    assert rows.at["dibao_urban_recipients", "as_of"] == "2021-06-30"
    assert rows.at["temp_assistance_cases", "as_of"] == "2021-01-01/2021-06-30"
    assert rows.at["dibao_urban_recipients", "as_of_assumed"] == "yes"
    assert rows.at["dibao_rural_recipients", "as_of_assumed"] == ""
    text = narrative.area_text(view, "social_assistance")
    assert "报告未注明时点" in text and "报告未注明执行时间" in text
    assert "报告未注明时段" in text and "调整" not in text
    assert view.when("dibao_standard") == "报告未注明执行时间"


START_ROWS = """indicator,geo,value,unit_mult,unit,qualifier,as_of,section,quote,note,as_of_assumed
dibao_urban_recipients,341500,3.46,4,person,,2021-06-30,1.1,,SYNTHETIC,
dibao_urban_spending,341500,9000,4,yuan,,2021-01-01/2021-06-30,1.1,,SYNTHETIC: 截至6月,start
dibao_rural_recipients,341500,18,4,person,,2021-06-30,1.1,,SYNTHETIC,
dibao_rural_spending,341500,3,8,yuan,,2021-01-01/2021-06-30,1.1,,SYNTHETIC: 截至6月,start
dibao_standard,341500,700,0,yuan_per_person_month,,2021-01-01,1.3,,SYNTHETIC,
"""


def test_a_flow_given_only_up_to_a_date_is_said_by_its_end_and_its_average_says_so(tmp_path):
    copy_data(tmp_path, periods=())
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    project = Project(tmp_path)
    source = tmp_path / "figures_2021H1.csv"
    source.write_text(START_ROWS, encoding="utf-8")
    import_period(project, "2021H1", source)
    view = PeriodView.load(tmp_path, "2021H1")
    assert view.row("dibao_urban_spending")["as_of_assumed"] == "start"
    assert view.when("dibao_urban_spending") == "截至2021年6月底"
    text = narrative.area_text(view, "social_assistance")
    assert "截至2021年6月底" in text and "2021年1—6月" not in text
    assert 'datetime="2021-01-01/' not in text  # nor in the machine-readable date
    assert START_WORDS in text  # the monthly average's formula says where it counts from


def test_a_source_s_doc_number_is_shown_where_its_figures_are_cited(tmp_path):
    copy_data(tmp_path)
    project = Project(tmp_path)
    source = project.period_dir("2020H1") / "source.yml"
    source.write_text(source.read_text(encoding="utf-8") + "doc_number: 六民〔2020〕1号\n",
                      encoding="utf-8")
    view = PeriodView.load(tmp_path, "2020H1")
    assert view.source_title.endswith("（六民〔2020〕1号）")
