"""The trends page stays small as periods accumulate: past data/project.yml's `page_rows` it
lists one row per indicator and place (home place first) and links downloads holding every
row. The many-period projects are copies whose earlier periods are SYNTHETIC copies of 2020H1
(analysis.synthetic.copy_period), never published."""

from __future__ import annotations

import csv

import pytest
from conftest import ROOT, copy_data
from openpyxl import load_workbook
from synthetic import copy_period

from analysis.dataset.project import Project
from analysis.errors import UserError
from analysis.pages import page
from analysis.pages.appendix import DOWNLOADS, TRENDS_FOLDER, write_appendix
from analysis.pages.trends import change_table, changes


def _shown(monkeypatch, item) -> str:
    shown: list[str] = []
    monkeypatch.setattr(page, "display", lambda obj: shown.append(obj.data))
    page.changes(item)
    return "".join(shown)


def _set_page_rows(project: Project, rows: int) -> None:
    """(a comment changes the file's size: the cached data sees the edit even when the file
    system's clock has not moved since the last read)"""
    config = project.data / "project.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("page_rows: 400", f"page_rows: {rows}  # for this test"),
                      encoding="utf-8")


@pytest.fixture
def three_periods(project_copy) -> Project:
    for year in (2019, 2018):
        copy_period(project_copy, "2020H1", f"{year}H1")
    return project_copy


def test_a_book_without_changes_says_so_in_words_not_an_empty_table_of_codes(monkeypatch):
    import pandas as pd

    from analysis.pages.trends import Changes

    html = _shown(monkeypatch, Changes(0, 400, pd.DataFrame(columns=["label_zh", "as_of"]),
                                       summary=False))
    assert "<table" not in html and "label_zh" not in html and "暂无逐期变化" in html


def test_changes_that_fit_the_page_are_listed_in_full(monkeypatch):
    item = changes(Project(ROOT))
    assert not item.summary and item.rows == len(item.shown) <= item.limit
    html = _shown(monkeypatch, item)
    assert "trace-note" not in html and "downloads/trends" not in html
    assert html.count("<tr>") == item.rows + 1  # the header and every row


def test_changes_past_the_limit_list_each_indicator_and_place_once(three_periods,
                                                                   monkeypatch):
    table = change_table(three_periods)
    groups = table.groupby(["indicator", "地区代码"], sort=False).size()
    _set_page_rows(three_periods, len(groups) + 5)  # the summary fits, the table does not
    item = changes(three_periods)
    assert item.summary and item.rows == len(table) > item.limit and item.left_out == 0
    assert len(item.shown) == len(groups)
    latest = table.groupby(["indicator", "地区代码"], sort=False).tail(1).set_index(
        ["indicator", "地区代码"])
    for _, row in item.shown.iterrows():
        last = latest.loc[(row["indicator"], row["地区代码"])]
        assert row["已知值个数"] == groups[(row["indicator"], row["地区代码"])]
        assert row["最新已知值"].startswith(page.reader_cell(last["数值"]) + "（")
        assert row["最新已知值"].endswith("2020年上半年，" + row["最新已知值"].split("，")[-1])
        assert row["与前一已知值相比"] == last["与前一已知值相比"] or (
            row["与前一已知值相比"] != row["与前一已知值相比"])  # both NaN: not comparable
    html = _shown(monkeypatch, item)
    assert f"逐期数字共{len(table):,}行，超过本页可列的{item.limit:,}行" in html
    assert f"（共{len(groups):,}组）" in html and "从略" not in html
    assert 'href="downloads/trends/changes_zh.csv"' in html
    assert 'href="downloads/trends/changes.xlsx"' in html


def test_a_summary_past_the_limit_lists_the_home_place_first_and_says_how_many_are_left(
        three_periods, monkeypatch):
    table = change_table(three_periods)
    groups = table.groupby(["indicator", "地区代码"]).size()
    home_rows = int((groups.index.get_level_values(1) == "341500").sum())
    assert 10 < home_rows < len(groups)
    _set_page_rows(three_periods, 10)
    item = changes(three_periods)
    assert len(item.shown) == 10 and set(item.shown["地区代码"]) == {"341500"}
    assert item.left_out == len(groups) - 10
    html = _shown(monkeypatch, item)
    assert f"（共{len(groups):,}组）" in html
    assert f"只列出其中10组（先列本地），其余{item.left_out:,}组从略" in html


def test_the_downloads_hold_every_row_of_the_changes(three_periods):
    table = change_table(three_periods)
    write_appendix(three_periods)
    folder = three_periods.book / DOWNLOADS / TRENDS_FOLDER
    with (folder / "changes_zh.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:7] == ["指标", "地区", "来源", "时点或时段", "报告数值", "数值", "单位"]
    assert not {"指标代码", "地区代码"} & set(rows[0])  # codes: in the workbook only
    assert len(rows) == len(table) + 1
    sheet = load_workbook(folder / "changes.xlsx", read_only=True)["跨期变化"]
    assert sheet.max_row == len(table) + 1
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[-2:] == ["指标代码", "地区代码"]
    appendix = (three_periods.book / "appendix.md").read_text(encoding="utf-8")
    assert 'href="downloads/trends/changes_zh.csv"' in appendix


def test_a_change_from_zero_has_no_rate_and_says_why(three_periods):
    """(the real report has 0 infections; the SYNTHETIC 2019H1 is given 5)"""
    from synthetic import _rewrite_csv

    folder = three_periods.period_dir("2019H1")
    quote = "全市养老和福利机构感染5人（SYNTHETIC）"
    _rewrite_csv(folder / "figures.csv", lambda row: {**row, "value": "5", "quote": quote}
                 if row["indicator"] == "elderly_institution_infections" else row)
    with (folder / "source.txt").open("a", encoding="utf-8") as f:
        f.write(f"\n{quote}\n")
    moved = change_table(three_periods).query("indicator == 'elderly_institution_infections'")
    assert list(moved["数值"]) == [0, 5, 0]
    assert moved["变化率%（计算值）"].isna().tolist() == [True, True, False]
    assert "前一已知值为0，不计算变化率" in moved["说明"].iloc[1]
    assert moved["与前一已知值相比"].tolist()[1:] == [5, -5]


def test_a_change_of_a_rate_is_in_percentage_points_with_no_rate_of_change(three_periods):
    """(the real report has 78%; the SYNTHETIC 2019H1 is given 70%)"""
    from synthetic import _rewrite_csv

    from analysis.pages.trends import POINTS

    folder = three_periods.period_dir("2019H1")
    quote = "供养机构完成法人登记率70%（SYNTHETIC）"
    _rewrite_csv(folder / "figures.csv", lambda row: {**row, "value": "70", "quote": quote}
                 if row["indicator"] == "tekun_facility_legal_person_rate" else row)
    with (folder / "source.txt").open("a", encoding="utf-8") as f:
        f.write(f"\n{quote}\n")
    moved = change_table(three_periods).query("indicator == 'tekun_facility_legal_person_rate'")
    assert list(moved["数值"]) == [78, 70, 78]
    assert moved["与前一已知值相比"].tolist()[1:] == [-8, 8]  # points
    assert moved["变化率%（计算值）"].isna().all()
    assert all(POINTS in note for note in moved["说明"].iloc[1:])


def test_page_rows_that_is_not_a_number_is_refused_naming_the_key(project_copy):
    config = project_copy.data / "project.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("page_rows: 400",
                                                                  "page_rows: many"),
                      encoding="utf-8")
    with pytest.raises(UserError, match="page_rows"):
        _ = Project(project_copy.root).config


def test_a_change_from_a_yearly_standard_is_computed_from_the_unrounded_monthly_value(tmp_path):
    """3800元/年 is 316.67元/月 exactly 3800 ÷ 12: 630 is 98.9% more (98.7% from a rounded
    317)."""
    from analysis.pages import trends

    copy_data(tmp_path)
    _as_separate_rural_standard(tmp_path)
    rows = trends.series(Project(tmp_path))
    rural = rows[rows["indicator"] == "dibao_rural_standard"].reset_index(drop=True)
    assert abs(rural.at[0, "base_value"] - 3800 / 12) < 1e-9
    assert rural.at[1, "变化率%"] == 98.9


def _as_separate_rural_standard(root) -> None:
    """SYNTHETIC: 2020H1's 630 recorded as the rural standard alone, not the unified one."""
    path = root / "data" / "periods" / "2020H1" / "figures.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["indicator"] == "dibao_standard":
            row["indicator"] = "dibao_rural_standard"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_no_change_is_computed_from_a_separate_standard_to_a_unified_one(tmp_path):
    """2017: a rural standard of its own (316.67) and an urban one (500); 2020: one 城乡 standard
    (630) for both: the scope changed, so the values are listed without a change."""
    from analysis.pages import trends

    copy_data(tmp_path)
    rows = trends.series(Project(tmp_path))
    later = rows[rows["as_of"].str.startswith("2020")]
    assert set(later["indicator"]) == {"dibao_rural_standard", "dibao_urban_standard"}
    assert later["变化"].isna().all() and later["变化率%"].isna().all()
    assert all("口径不同，不计算变化" in note for note in later["说明"])


def test_a_qualifier_survives_into_trends_and_its_change_is_said_to_be_approximate(tmp_path):
    """6.12万余份 stays 6.12万余份 beside its base value, and a change computed from it says
    it is approximate."""
    from analysis.pages import trends

    copy_data(tmp_path)
    project = Project(tmp_path)
    copy_period(project, "2020H1", "2021H1")
    figures = project.period_dir("2021H1") / "figures.csv"
    lines = figures.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("qualifier")
    row = next(i for i, line in enumerate(lines[1:], 1)
               if line.startswith("dibao_urban_recipients,341500,"))
    cells = lines[row].split(",")
    cells[at] = "more_than"
    lines[row] = ",".join(cells)
    figures.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = trends.change_table(project)
    rows = table[(table["indicator"] == "dibao_urban_recipients")
                 & (table["地区代码"] == "341500")].reset_index(drop=True)
    assert "余" in rows.at[1, "报告数值"] and "余" not in rows.at[0, "报告数值"]
    assert "近似值" in rows.at[1, "说明"]
