"""Charts, narrative, plan tracking and export on the 2020H1 data."""

from __future__ import annotations

import re
import warnings

import matplotlib
import openpyxl
import pytest
from conftest import AVERAGE_PAYMENT, PINNED, ROOT, STANDARDS
from test_chart_layout import CHARTS

from analysis.build.toc import toc
from analysis.charts import builders as charts
from analysis.checks import targets as plans
from analysis.escape import html_text
from analysis.meaning.written import number_text
from analysis.pages import page
from analysis.pages.export import export, tables
from analysis.pages.word_edition import EM_CM, column_widths
from analysis.statements import narrative
from analysis.view import PeriodView

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def view() -> PeriodView:
    return PeriodView.load(ROOT, "2020H1")




@pytest.mark.parametrize("name", CHARTS)
def test_chart_renders_chinese_without_missing_glyphs(view, name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any "Glyph ... missing from font" fails the test
        chart = CHARTS[name](view)
        html = chart._repr_html_()
    assert chart.alt and chart.source and not chart.data.empty
    assert 'alt="' in html and "data:image/png;base64," in html


def test_standards_chart_table_holds_the_report_values(view):
    data = charts.standards(view, STANDARDS).data.set_index("indicator")
    assert data.loc["dibao_standard", "元/人/月"] == 630
    assert data.loc["tekun_rural_basic_standard", "相对城乡低保标准倍数"] == 1.3


def test_chart_for_absent_figures_is_none(view):
    assert charts.values(view, ["no_such_indicator"], "x", "人") is None


AREAS = ["social_assistance", "elderly_care", "social_organizations", "community_governance",
         "public_services"]


@pytest.mark.parametrize("area", AREAS)
def test_every_number_in_the_narrative_is_linked_to_its_provenance(view, area):
    from analysis.statements.prose import check_linked

    text = narrative.area_text(view, area)
    check_linked(text)  # raises on a number outside a provenance link or a <time>
    written = {re.sub(r"[^\d.]", "", view.written(i, g)) for i, g in
               zip(view.figures["indicator"], view.figures["geo"], strict=True)}
    for shown in re.findall(r'<a class="prov"[^>]*>([^<]+)</a>', text):
        assert re.sub(r"[^\d.]", "", shown) in written, shown


def _derived(view) -> dict[str, float]:
    """The derived numbers of the narrative (as printed: no more digits than the inputs
    have), recomputed here from the figures. Pinned to 2020H1."""
    v = view.value
    return {
        "83.9%": 100 * v("dibao_rural_recipients") / (v("dibao_urban_recipients")
                                                     + v("dibao_rural_recipients")),
        "1.64倍": v("tekun_urban_standard") / v("dibao_standard"),
        "1.30倍": v("tekun_rural_basic_standard") / v("dibao_standard"),
        "443元": v("dibao_urban_spending") / v("dibao_urban_recipients") / 6,
        "364元": v("dibao_rural_spending") / v("dibao_rural_recipients") / 6,
        "80.76%": 100 * v("poor_backstop_total") / v("poor_unlifted_total"),
        "27%": 100 * v("community_care_centres_completed") / v("community_care_centres_task"),
        "5.2个百分点": 100 - v("rural_community_pilot_coverage"),
        "59.94%": 100 * v("volunteers_active") / v("volunteers_registered"),
    }


def test_derived_numbers_in_the_narrative_match_the_arithmetic(view):
    text = "".join(narrative.area_text(view, a) for a in AREAS)
    for shown, expected in _derived(view).items():
        assert f">{shown}</a>" in text, shown
        number = re.sub(r"[^\d.]", "", shown)
        decimals = len(number.split(".")[1]) if "." in number else 0
        assert f"{expected:.{decimals}f}" == number, (shown, expected)


def test_narrative_leaves_out_sentences_whose_figures_are_absent(view):
    view = PeriodView(view.dataset, view.period, view.catalogue,
                      view.figures[view.figures["indicator"] != "dibao_standard"],
                      view.targets, view.checks, view.geo)
    assert "城乡低保标准为" not in narrative.area_text(view, "social_assistance")


def test_plan_tracking_reports_progress_of_each_target(project):
    status = plans.track(project, PINNED).set_index("indicator")
    assert status.loc["community_care_centres_completed", "status"] == plans.IN_PROGRESS
    assert status.loc["community_care_centres_completed", "latest"] == "3所"
    assert status.loc["community_care_centres_completed", "goal"] == "11所"
    assert status.loc["standard_demo_communities_completed", "status"] == plans.NO_DATA


def test_export_workbook_has_figures_checks_and_catalogue(view, tmp_path):
    out = export(view, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["数据", "核验", "指标目录", "录入完整性", "发布信息"]
    assert wb["数据"].max_row == len(view.figures) + 1
    assert wb["数据"].freeze_panes == "A2"


def test_the_workbook_catalogue_lists_the_periods_indicators_only(view):
    sheets = tables(view)
    listed = set(sheets["指标目录"]["指标代码"])
    assert listed == set(view.figures["indicator"]) | set(view.targets["indicator"])
    assert len(listed) < len(view.catalogue.indicators)  # the catalogue has more
    assert sheets["核验"]["依据"].astype(bool).all()  # every check says where it comes from


def test_the_workbook_lists_every_number_of_the_report_and_what_became_of_it(view):
    from analysis.checks.audit import audit

    result = audit(view.project.period_dir(view.period))
    sheet = tables(view)["录入完整性"]
    assert len(sheet) == len(result.captured) + len(result.excluded) + len(result.unexplained)
    assert sheet["说明"].astype(bool).all()  # an indicator's name or a reason, in Chinese
    assert not sheet["说明"].str.contains(r"[a-z_]{3,}").any()  # no code (GDP is a name)
    assert list(sheet["行"]) == sorted(sheet["行"])


def test_toc_lists_each_period_page_and_the_appendix(project):
    files = [c["file"] for part in toc(project)["parts"] for c in part["chapters"]]
    assert "periods/2020H1/overview" in files and "appendix" in files


def _without(view, *indicators):
    figures = view.figures[~view.figures["indicator"].isin(indicators)]
    return PeriodView(view.dataset, view.period, view.catalogue, figures, view.targets,
                      view.checks, view.geo)


def test_average_payment_with_only_rural_figures(view):
    chart = charts.average_payment(_without(view, "dibao_urban_spending"), *AVERAGE_PAYMENT)
    assert list(chart.data["指标"]) == ["农村低保月人均领取（估算）"]


def test_spending_with_a_single_date_has_no_monthly_average(view):
    figures = view.figures.copy()
    figures.loc[figures["indicator"] == "dibao_urban_spending", "as_of"] = "2020-06-30"
    single = PeriodView(view.dataset, view.period, view.catalogue, figures, view.targets,
                        view.checks, view.geo)
    chart = charts.average_payment(single, *AVERAGE_PAYMENT)
    assert "城市低保月人均领取（估算）" not in set(chart.data["指标"])
    assert "月人均领取约" not in narrative.area_text(single, "social_assistance")
    from analysis.checks.rules import NOT_JUDGED, evaluate

    results = evaluate(view.dataset.checks, figures, view.geo, view.dataset.config.policy_factors)
    verdict = {r.id: r.verdict for r in results}
    assert verdict["dibao_urban_monthly_average_below_standard"] == NOT_JUDGED


def test_latest_figure_is_chosen_by_the_end_of_its_window(view):
    from analysis.dataset.figures import latest

    rows = view.figures.iloc[:2].copy()
    rows["as_of"] = ["2020-01-01/2020-06-30", "2020-05-31"]
    assert latest(rows)["as_of"] == "2020-01-01/2020-06-30"


def test_a_large_area_lists_the_citable_figures_and_says_where_the_rest_are(project_copy,
                                                                              monkeypatch):
    """A period with thousands of figures (SYNTHETIC rows: the real ones repeated for the
    counties at every month end) keeps its page small: the source table lists each indicator's
    latest figure for the period's place, which the prose links to, then others up to the
    limit, and links the full downloads."""
    import csv

    from analysis.statements.prose import anchor

    path = project_copy.period_dir("2020H1") / "figures.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    counties = ["341502", "341503", "341504", "341522", "341523", "341524", "341525"]
    one_each = {r["indicator"]: r for r in rows if "/" not in r["as_of"]}.values()
    extra = [{**r, "geo": geo, "as_of": f"2020-{m:02d}-28", "note": "SYNTHETIC"}
             for r in one_each for geo in counties for m in range(1, 7)]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + extra)
    view = PeriodView.load(project_copy.root, "2020H1")
    area = view.figures[view.figures["area"] == "social_assistance"]
    limit = view.project.config.page_rows
    assert len(area) > 3 * limit
    shown = []
    monkeypatch.setattr(page, "display", lambda item: shown.append(item.data))
    page.trace(view, "social_assistance")
    [html] = shown
    assert html.count("<tr id=") == limit
    cited = {anchor(view.row(i)) for i in area.loc[area["geo"] == view.geo, "indicator"]}
    assert all(f'id="{a}"' in html for a in cited)
    assert f"共有{number_text(len(area))}条数字" in html and "figures_zh_2020H1.csv" in html


def test_a_word_table_gives_short_columns_room_for_their_text():
    """The comparator table's 地区 column printed one character a line: every column now
    holds up to four characters on a line, and the widths fill the text width."""
    rows = [["组别", "地区", "来源"], ["同一年份的标准（各地执行时间不同）", "霍邱县",
                                    "霍邱县人民政府关于提高城乡低保标准的通知" * 3]]
    widths = column_widths(rows, 3, 17.0)
    assert widths[1] >= 3 * EM_CM and abs(sum(widths) - 17.0) < 1e-9


def test_the_source_table_shows_each_entry_s_caveat_in_chinese(view, monkeypatch):
    shown = []
    monkeypatch.setattr(page, "display", lambda item: shown.append(item.data))
    page.trace(view, "social_assistance")
    [html] = shown
    assert "<th>说明</th>" in html.replace(' scope="col"', "")
    notes = [n for n in view.figures.loc[view.figures["area"] == "social_assistance", "note"]
             if n and not re.search(r"[A-Za-z]{3,}", n)]
    assert notes and all(html_text(n) in html for n in notes)


def test_a_chart_table_shows_the_report_s_writing_not_an_exact_looking_number(view):
    chart = charts.values(view, ["left_behind_distressed_children", "orphans"], "x", "人")
    shown = page.reader_data(chart.data)
    assert "9万余人" in set(shown["报告数值"]) and 90000 not in shown.to_numpy()
    assert 90000 in chart.data.to_numpy()  # the download keeps the plotted value
