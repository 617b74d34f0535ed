"""Plan tracking like with like, and 要点 that inform: codes (not wording) between modules,
count and rate targets apart (a rate's distance in percentage points), a count's completion
beside the time elapsed, changes first, rounding slips left to the checks section, and an area
with nothing to compare saying what it reports. On a SYNTHETIC half-year after 2020H1."""

from __future__ import annotations

import re
import shutil

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import ROOT, copy_data

from analysis.charts import builders as charts
from analysis.checks import targets
from analysis.checks.rules import results_frame
from analysis.dataset.project import Project
from analysis.pages import page
from analysis.pages.export import tables
from analysis.statements import keypoints, narrative
from analysis.statements.prose import Prose, check_linked
from analysis.view import PeriodView

PERIOD, END = "2021H1", "2021-06-30"
FIGURES = [  # SYNTHETIC: invented figures of a city half-year
    ("community_care_centres_completed", "4", "institution"),  # target 8: half done
    ("tekun_facilities_socialized", "120", "institution"),  # 2020H1: 106, a change
    ("rural_community_pilot_coverage", "90", "percent"),  # target 100: 10 points short
    ("volunteers_registered", "877077", "person"),
    ("volunteers_active", "525679", "person"),
    ("volunteers_activity_rate", "{rate}", "percent"),  # 60.0 is 59.94 written a digit off
    ("social_orgs_registered", "430", "organisation"),
]
TARGETS = [  # SYNTHETIC: a year's task (due within 2021) and one due by a date
    ("community_care_centres_completed", "8", "institution", "2021-01-01/2021-12-31"),
    ("rural_community_pilot_coverage", "100", "percent", "2021-12-31"),
]


def _rows(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


@pytest.fixture
def synthetic(tmp_path):
    """A project with 2020H1 (its figures only, or nothing) and a SYNTHETIC 2021H1 with two
    targets; `rate` is the volunteers' activity rate as written. The activity-rate check is
    given a stated definition here (SYNTHETIC: the report does not state one), so that it is
    judged."""
    def make(rate: str = "60.0", previous: bool = True) -> PeriodView:
        copy_data(tmp_path, periods=("2020H1",) if previous else ())
        checks = tmp_path / "data" / "catalogue" / "checks.yml"
        checks.write_text(re.sub(r"\n  assumes: [^\n]*", "", checks.read_text(encoding="utf-8")),
                          encoding="utf-8")
        (tmp_path / "data" / "periods" / "2020H1" / "targets.csv").unlink(missing_ok=True)
        shutil.copytree(ROOT / "templates", tmp_path / "templates")
        folder = tmp_path / "data" / "periods" / PERIOD
        folder.mkdir()
        (folder / "figures.csv").write_text(_rows(
            ["indicator", "geo", "value", "unit_mult", "unit", "qualifier", "as_of", "section",
             "quote", "note"],
            [[i, "341500", v.format(rate=rate), "0", u, "", END, "1.1", "", "SYNTHETIC"]
             for i, v, u in FIGURES]), encoding="utf-8")
        (folder / "targets.csv").write_text(_rows(
            ["indicator", "geo", "value", "unit_mult", "unit", "comparison", "deadline",
             "set_in", "section", "quote", "note"],
            [[i, "341500", v, "0", u, "at_least", d, PERIOD, "1.1", "", "SYNTHETIC"]
             for i, v, u, d in TARGETS]), encoding="utf-8")
        (folder / "source.yml").write_text(
            f"title: SYNTHETIC report\nissuer: SYNTHETIC\nperiod: {PERIOD}\n", encoding="utf-8")
        return PeriodView.load(tmp_path, PERIOD)
    return make


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_targets_pass_codes_and_keep_counts_and_rates_apart(synthetic):
    view = synthetic()
    status = targets.track(Project(view.project.root), PERIOD).set_index("indicator")
    assert set(status["status"]) <= set(targets.STATUSES)  # codes, not 已完成 or 推进中
    assert not [c for c in status.columns if re.search(r"[\u4e00-\u9fff]", c)]
    count = status.loc["community_care_centres_completed"]
    assert (count["kind"], count["progress"], count["time_elapsed"]) == (targets.COUNT, 0.5, 0.5)
    assert pd.isna(count["gap_points"])
    rate = status.loc["rural_community_pilot_coverage"]
    assert rate["kind"] == targets.RATE and rate["gap_points"] == 10
    assert pd.isna(rate["progress"])  # 90% of a 100% target is no completion share


@pytest.mark.parametrize(("as_of", "deadline", "elapsed"), [
    ("2021-06-30", "2021-01-01/2021-12-31", 0.5),  # a year's task at mid-year
    ("2021-06-30", "2021-07-01/2021-12-31", None),  # a second-half task not yet begun
    ("2021-09-30", "2021-07-01/2021-12-31", 0.5),
    ("2021-06-30", "2021-12-31", None),  # due by a date: the source gives no start
])
def test_time_elapsed_is_measured_only_within_a_stated_window(as_of, deadline, elapsed):
    share = targets.time_elapsed(as_of, deadline)
    assert (pd.isna(share) if elapsed is None else share == elapsed)


def test_an_undated_figure_gets_no_time_elapsed_and_says_it_is_undated(synthetic):
    view = synthetic()
    figures = view.project.period_dir(PERIOD) / "figures.csv"
    text = figures.read_text(encoding="utf-8").splitlines()
    text[0] += ",as_of_assumed"
    text[1:] = [line + (",yes" if line.startswith("community_care_centres_completed,") else ",")
                for line in text[1:]]
    figures.write_text("\n".join(text) + "\n", encoding="utf-8")
    status = targets.track(view.project, PERIOD)
    row = status.set_index("indicator").loc["community_care_centres_completed"]
    assert row["latest_assumed"] and pd.isna(row["time_elapsed"]) and row["progress"] == 0.5
    counts = page.target_tables(status, view.project)["数量目标"]
    assert list(counts["最新时点"]) == ["报告未注明时点"]
    assert "时间进度" not in counts  # a column empty on every row is left out
    assert list(counts["期限"]) == ["2021年内"]


def test_the_plan_tables_show_count_and_rate_targets_apart_with_labels(synthetic):
    view = synthetic()
    tables = page.target_tables(targets.track(view.project, PERIOD), view.project)
    assert list(tables) == ["数量目标", "比率目标"]
    counts, rates = tables["数量目标"], tables["比率目标"]
    assert list(counts["完成比例（计算值）"]) == ["50%"] and "距目标（百分点，计算值）" not in counts
    assert list(rates["距目标（百分点，计算值）"]) == ["10"] and "完成比例（计算值）" not in rates
    assert set(counts["状态"]) | set(rates["状态"]) <= {"推进中"}
    summary = narrative.targets_summary(targets.track(view.project, PERIOD))
    check_linked(summary)  # every number links to where it comes from
    summary = _text(summary)
    assert "数量目标1项，比率目标1项" in summary and "2项推进中" in summary


def test_the_progress_chart_draws_count_targets_only(synthetic):
    view = synthetic()
    chart = charts.progress(view)
    plt.close("all")
    assert list(chart.data["indicator"]) == ["community_care_centres_completed"]


def test_key_points_lead_with_changes_then_targets_against_time_elapsed(synthetic):
    view = synthetic()
    text = _text(keypoints.keypoints(view, "elderly_care"))
    assert text.index("由") < text.index("报告提出的目标"), text  # what changed comes first
    assert "完成50%（计算值），时间进度50%" in text
    rates = _text(keypoints.keypoints(view, "community_governance"))
    assert "距目标10个百分点" in rates and "完成" not in rates


def test_a_rounding_slip_goes_to_the_checks_not_the_key_points(synthetic):
    view = synthetic("60.0")  # 525679 ÷ 877077 = 59.94%: one digit of rounding off
    slip = next(r for r in view.checks if r.id == "volunteers_activity_rate")
    assert slip.verdict == "fails" and slip.rounding_slip
    assert "核验" not in _text(keypoints.keypoints(view, "public_services"))


def test_a_real_disagreement_stays_in_the_key_points(synthetic):
    view = synthetic("70.0")
    found = next(r for r in view.checks if r.id == "volunteers_activity_rate")
    assert found.verdict == "fails" and not found.rounding_slip
    assert "核验“" in _text(keypoints.keypoints(view, "public_services"))


def test_an_area_with_nothing_to_compare_says_what_it_reports(synthetic):
    view = synthetic(previous=False)
    for area in view.dataset.config.areas:
        check_linked(keypoints.keypoints(view, area))  # every number links to its source
    text = _text(keypoints.keypoints(view, "social_organizations"))
    assert text.startswith("本期报告：六安市登记在册的社会组织430家"), text  # its lead sentence
    assert "没有可与" not in text


def test_the_reports_own_figures_lead_before_other_places(tmp_path):
    copy_data(tmp_path)  # 2020H1: no previous period, no target in 社会救助, peers' standards
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    text = _text(keypoints.keypoints(PeriodView.load(tmp_path, "2020H1"), "social_assistance"))
    assert text.startswith("本期报告："), text
    assert text.index("低保对象") < text.index("同一年份其他地区的标准"), text


def test_the_checks_section_says_a_rounding_slip_is_one(synthetic):
    view = synthetic("60.0")
    frame = results_frame(view.checks).set_index("id")
    assert frame.at["volunteers_activity_rate", "verdict_zh"] == "不一致（仅差原文末位一个单位）"
    assert tables(view)["核验"].set_index("核验代码").at["volunteers_activity_rate", "结果"] \
        == "不一致（仅差原文末位一个单位）"


def test_a_check_on_a_definition_the_report_does_not_state_gets_no_verdict(tmp_path):
    copy_data(tmp_path)  # the real checks.yml: 活动率 is not defined by the report
    view = PeriodView.load(tmp_path, "2020H1")
    found = next(r for r in view.checks if r.id == "volunteers_activity_rate")
    assert found.verdict == "not judged"
    assert found.detail.startswith("报告未说明活动率的计算口径") and "59.94%" in found.detail


def test_a_target_without_a_figure_says_so_without_a_dangling_clause(tmp_path):
    copy_data(tmp_path)  # 2020H1: the 示范社区 target has no figure to compare
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    text = _text(keypoints.keypoints(PeriodView.load(tmp_path, "2020H1"), "community_governance"))
    assert "达到1个，报告未给出可比数字" in text, text
    assert not re.search(r"为[，；。]", text), text


def test_a_figures_tooltip_names_the_source_it_quotes(tmp_path):
    copy_data(tmp_path)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    view = PeriodView.load(tmp_path, "2020H1")
    title = view.dataset.source(view.period)["title"]
    link = str(Prose(view).fig("dibao_standard"))
    assert f'title="《{title}》一、（一）第3项：' in link, link
