"""new-period -> fill the workbook -> import -> build, on SYNTHETIC fixture periods."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from openpyxl import load_workbook

from analysis.checks.rules import HOLDS
from analysis.dataset.project import Project
from analysis.dataset.schema import validate_period
from analysis.errors import UserError
from analysis.intake.importer import import_period, recover_interrupted
from analysis.intake.workbook import new_period
from analysis.view import PeriodView

FIXTURES = Path(__file__).parent / "fixtures"
SYNTHETIC_ROWS = [  # SYNTHETIC: invented figures for a county-level half-year
    ["dibao_standard", "341522", "650", "0", "yuan_per_person_month", "", "2020-07-01", "1", "",
     "SYNTHETIC"],
    ["tekun_rural_basic_standard", "341522", "845", "0", "yuan_per_person_month", "",
     "2020-07-01", "2", "", "SYNTHETIC"],
    ["synthetic_new_indicator", "341522", "12.5", "4", "yuan", "", "2020-07-01/2020-12-31", "3",
     "", "SYNTHETIC"],
]
NEW_INDICATOR = ["synthetic_new_indicator", "social_assistance", "合成测试指标", "Synthetic test",
                 "yuan", "money", "flow", "", "SYNTHETIC indicator for tests",
                 "合成测试用的金额，单位：元。"]


def data_hash(project: Project) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in project.data.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(project.root)).encode() + path.read_bytes())
    return digest.hexdigest()


def fill(path: Path, rows=SYNTHETIC_ROWS, indicator=NEW_INDICATOR,
         source: dict[str, str] | None = None) -> None:
    wb = load_workbook(path)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            wb["figures"].cell(row=r, column=c, value=value)
    catalogue = wb["catalogue"]
    first_empty = next(r for r in range(2, catalogue.max_row + 2)
                       if not catalogue.cell(row=r, column=1).value)
    for c, value in enumerate(indicator, start=1):
        catalogue.cell(row=first_empty, column=c, value=value)
    wb["source"]["B2"] = "SYNTHETIC 合成测试通知"
    for row in wb["source"].iter_rows(min_row=2):
        if row[0].value in (source or {}):
            row[1].value = source[row[0].value]
    wb.save(path)


def test_new_period_workbook_has_lists_frozen_header_and_instructions(project_copy):
    path = new_period(project_copy, "2020H2")
    wb = load_workbook(path)
    assert wb.sheetnames == ["说明", "lists", "figures", "targets", "catalogue", "source"]
    figures = wb["figures"]
    assert [c.value for c in figures[1]][:3] == ["indicator", "geo", "value"]
    assert figures.freeze_panes == "A2"
    validated = {str(dv.sqref).split(":")[0] for dv in figures.data_validations.dataValidation}
    assert {"A2", "B2", "D2", "E2", "F2"} <= validated  # indicator, geo, unit_mult, unit, qualifier
    assert "policybook import 2020H2" in "\n".join(str(r[0].value) for r in wb["说明"].iter_rows())
    ids = [c.value for c in wb["catalogue"]["A"] if c.value]
    assert ids[1:] == list(pd.read_csv(ROOT / "data/catalogue/indicators.csv")["id"])


def test_new_period_refuses_an_existing_period(project_copy):
    with pytest.raises(UserError, match="already exists"):
        new_period(project_copy, "2020H1")


def test_filled_workbook_imports_with_a_new_indicator(project_copy):
    path = new_period(project_copy, "2020H2")
    fill(path)
    import_period(project_copy, "2020H2", path)
    folder = project_copy.period_dir("2020H2")
    figures = pd.read_csv(folder / "figures.csv", dtype=str, keep_default_na=False)
    assert list(figures["value"]) == ["650", "845", "12.5"]
    assert "synthetic_new_indicator" in set(
        pd.read_csv(project_copy.catalogue / "indicators.csv")["id"])
    assert validate_period(project_copy, "2020H2") == []
    assert "SYNTHETIC" in (folder / "source.yml").read_text(encoding="utf-8")


def test_bad_workbook_lists_every_problem_and_writes_nothing(project_copy):
    path = new_period(project_copy, "2020H2")
    rows = [list(r) for r in SYNTHETIC_ROWS]
    rows[0][2] = "3.46万"            # unit written into value
    rows[1][1] = "999999"            # unknown geo
    rows[2][6] = "2019-01-01"        # outside the period
    fill(path, rows)
    before = data_hash(project_copy)
    with pytest.raises(UserError) as err:
        import_period(project_copy, "2020H2", path)
    text = str(err.value)
    assert "sheet figures, row 2, column value" in text
    assert "sheet figures, row 3, column geo" in text
    assert "sheet figures, row 4, column as_of" in text
    assert data_hash(project_copy) == before


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_csv_saved_by_chinese_excel_is_decoded(project_copy, tmp_path, encoding):
    path = tmp_path / "figures.csv"
    path.write_bytes((FIXTURES / "sparse_county_2021.csv").read_text("utf-8").encode(encoding))
    import_period(project_copy, "2021", path)
    assert validate_period(project_copy, "2021") == []


def test_killed_import_is_recovered_from_its_backup(project_copy):
    base = project_copy.data / "periods"
    (base / "2020H1").rename(base / ".2020H1.previous")  # as if killed between the renames
    (base / ".2020H1.import.x").mkdir()
    recover_interrupted(project_copy)
    assert (base / "2020H1" / "figures.csv").exists()
    assert not list(base.glob(".*"))


@pytest.mark.slow
def test_new_periods_from_workbook_and_csv_build_into_the_book(project_copy, tmp_path):
    """Two SYNTHETIC periods: 2020H2 through new-period, a programmatically filled workbook
    and import; 2021, a notice-style county period (two standards, no source.txt) from CSV.
    Each gets only the pages it has data for, the trends page grows, and the book builds."""
    workbook = new_period(project_copy, "2020H2")
    fill(workbook)
    import_period(project_copy, "2020H2", workbook)
    import_period(project_copy, "2021", FIXTURES / "sparse_county_2021.csv")
    shutil.copytree(ROOT / "book", project_copy.book, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("_build"))
    result = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-print", "--root",
                             str(project_copy.root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    pages = sorted(p.stem for p in (project_copy.book / "periods" / "2021").glob("*.ipynb"))
    assert pages == ["overview", "plan_tracking", "social_assistance"]
    html = (project_copy.book / "_build/html/periods/2021/social_assistance.html").read_text()
    assert "霍邱县" in html and "700元/人/月" in html
    toc = (project_copy.book / "_toc.yml").read_text(encoding="utf-8")
    assert "caption: 2021年\n" in toc and "caption: 2020年下半年\n" in toc
    assert (project_copy.book / "periods/2020H2/social_assistance.ipynb").exists()
    trends = (project_copy.book / "_build/html/trends.html").read_text(encoding="utf-8")
    assert "城市低保标准" in trends and "630" in trends


@pytest.mark.slow
def test_two_added_periods_pass_the_data_dependent_checks(project_copy):
    """The README's walkthrough on a copy: a report period (SYNTHETIC 2020H2, full-year flows)
    through new-period, a filled workbook and import, and a county notice with blank sections
    and separate urban and rural standards (SYNTHETIC 2021H2, CSV); then the book builds and
    nbval re-runs every executed notebook of every period against its outputs."""
    workbook = new_period(project_copy, "2020H2")
    fill(workbook)
    import_period(project_copy, "2020H2", workbook)
    import_period(project_copy, "2021H2", FIXTURES / "county_notice_2021H2.csv")
    shutil.copytree(ROOT / "book", project_copy.book, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("_build", "periods"))
    result = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-print", "--root",
                             str(project_copy.root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    check = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "--nbval", "--nbval-current-env", "book/periods", "book/trends.ipynb",
                            "--rootdir", str(project_copy.root)],
                           cwd=project_copy.root, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout[-3000:]
    html = (project_copy.book / "_build/html/periods/2021H2/social_assistance.html").read_text(
        encoding="utf-8")
    assert "750元/人/月" in html and "700元/人/月" in html
    trends = (project_copy.book / "_build/html/trends.html").read_text(encoding="utf-8")
    assert "农村低保标准" in trends


def test_county_period_checks_use_the_county_figures(project_copy):
    """SYNTHETIC 2021 notice for 霍邱县: 910 = 1.3 x 700, checked at the county, not the city."""
    from analysis.checks.rules import UNKNOWN_IN_FORCE
    from analysis.view import PeriodView

    import_period(project_copy, "2021", FIXTURES / "sparse_county_2021.csv")
    view = PeriodView.load(project_copy.root, "2021")
    verdicts = {r.id: r.verdict for r in view.checks}
    assert view.geo == "341522"
    # an Anhui county: the Anhui rule's place fits, its start date is not established
    assert verdicts["tekun_rural_standard_vs_dibao"] == UNKNOWN_IN_FORCE


def test_a_county_period_neither_takes_the_city_s_targets_nor_becomes_its_latest(project_copy):
    from analysis.checks.targets import track
    from analysis.view import PeriodView

    import_period(project_copy, "2021", FIXTURES / "sparse_county_2021.csv")
    assert PeriodView.load(project_copy.root).period.id == "2020H1"  # the city's latest
    assert len(track(project_copy, "2021"))  # the city's targets exist up to 2021
    assert track(project_copy, "2021", "341522").empty  # none of them is the county's


def test_a_later_period_without_the_figure_leaves_targets_in_progress(project_copy):
    """Targets due 2020-12-31, last reported 2020-06-30: a SYNTHETIC 2021 county notice does
    not make them 'not met', because no figure dated after the deadline falls short."""
    from analysis.checks import targets as plans

    import_period(project_copy, "2021", FIXTURES / "sparse_county_2021.csv")
    status = plans.track(project_copy).set_index("indicator")["status"]
    assert status["community_care_centres_completed"] == plans.IN_PROGRESS
    assert status["standard_demo_communities_completed"] == plans.NO_DATA


def test_drop_down_lists_show_the_chinese_name_beside_each_code_and_say_so(project_copy):
    path = new_period(project_copy, "2020H2")
    wb = load_workbook(path)
    entries = {c.value for row in wb["lists"].iter_rows() for c in row if c.value}
    assert {"341500 六安市", "341522 霍邱县", "person 人", "yuan_per_person_month 元/人/月",
            "approx 约/左右", "4 万", "0", "social_assistance 社会救助", "standard 标准",
            "at_least 不少于"} <= entries
    assert wb["lists"].sheet_state == "hidden"
    # indicators: "id label_zh" of every catalogue-sheet row, new ones included
    assert wb["lists"]["H26"].value == ('=IF(catalogue!$A26="","",catalogue!$A26&" "&'
                                        'catalogue!$C26)')
    assert wb["catalogue"]["A26"].value == "dibao_standard"
    assert wb["catalogue"]["C26"].value == "城乡低保标准"
    figures = {str(dv.sqref).split(":")[0]: dv for dv in wb["figures"].data_validations.dataValidation}
    assert figures["A2"].formula1.startswith("OFFSET(lists!$H$2,0,0,")
    assert figures["B2"].formula1.startswith("lists!$B$2:$B$")
    assert all(dv.errorStyle == "warning" for dv in figures.values())  # a bare code may be typed
    # the instructions explain the drop-down format, notices and the source fields
    text = "\n".join(str(r[0].value) for r in wb["说明"].iter_rows())
    assert "section 一律留空" in text and "文号" in text and "doc_number" in text
    assert "341500 六安市" in text and "只填代码" in text
    assert "不要使用公式" in text and "50,000" in text
    assert [c.value for c in wb["source"]["A"]] == ["field", "title", "issuer", "doc_number",
                                                    "date", "url", "note", "extent"]


def test_a_notice_imports_with_its_document_number(project_copy):
    """SYNTHETIC notice: no sections, the document's 文号 and date in the source sheet."""
    path = new_period(project_copy, "2020H2")
    rows = [[*r[:7], "", *r[8:]] for r in SYNTHETIC_ROWS]
    fill(path, rows, source={"doc_number": "六民〔2020〕99号 SYNTHETIC", "date": "2020-07-01",
                             "url": "https://example.org/notice.html"})
    import_period(project_copy, "2020H2", path)
    folder = project_copy.period_dir("2020H2")
    source = (folder / "source.yml").read_text(encoding="utf-8")
    assert "doc_number: 六民〔2020〕99号 SYNTHETIC" in source and "date: '2020-07-01'" in source
    assert validate_period(project_copy, "2020H2") == []


def _add_catalogue_rows(path: Path, rows: list[list[str]]) -> None:
    wb = load_workbook(path)
    sheet = wb["catalogue"]
    header = [c.value for c in sheet[1]]
    first = next(r for r in range(2, sheet.max_row + 2) if not sheet.cell(row=r, column=1).value)
    for n, row in enumerate(rows):
        for name, value in zip(INDICATOR_FIELDS, row, strict=True):
            sheet.cell(row=first + n, column=header.index(name) + 1, value=value)
    wb.save(path)


INDICATOR_FIELDS = ("id", "area", "label_zh", "label_en", "unit", "kind", "measure", "part_of",
                    "definition_zh")
BREAKDOWN = [  # SYNTHETIC: a new total and its parts, the parts chosen as the drop-down shows
    ["synthetic_total", "social_assistance", "合成合计", "Synthetic total", "person", "stock",
     "stock", "", "合成的测试合计，单位：人。"],
    ["synthetic_part_a", "social_assistance", "合成分项甲", "Synthetic part A", "person",
     "stock", "stock", "synthetic_total 合成合计", "合成的测试分项，单位：人。"],
    ["synthetic_part_b", "social_assistance", "合成分项乙", "Synthetic part B", "person",
     "stock", "stock", "synthetic_total", "合成的测试分项，单位：人。"],
]


def test_a_breakdown_declared_in_the_workbook_is_imported_and_checked(project_copy):
    path = new_period(project_copy, "2020H2")
    rows = [*SYNTHETIC_ROWS[:2], *([i, "341522", v, "0", "person", "", "2020-12-31", "", "",
                                    "SYNTHETIC"] for i, v in (("synthetic_total", "30"),
                                                              ("synthetic_part_a", "10"),
                                                              ("synthetic_part_b", "20")))]
    fill(path, rows, indicator=[])
    _add_catalogue_rows(path, BREAKDOWN)
    import_period(project_copy, "2020H2", path)
    catalogue = pd.read_csv(project_copy.catalogue / "indicators.csv", dtype=str,
                            keep_default_na=False).set_index("id")
    assert list(catalogue.loc[["synthetic_part_a", "synthetic_part_b"], "part_of"]) == [
        "synthetic_total"] * 2
    view = PeriodView.load(project_copy.root, "2020H2")
    assert next(r for r in view.checks if r.id == "synthetic_total_parts").verdict == HOLDS


def test_a_part_in_another_unit_than_its_total_is_a_located_problem(project_copy):
    path = new_period(project_copy, "2020H2")
    fill(path, SYNTHETIC_ROWS[:2], indicator=[])
    wrong = [list(r) for r in BREAKDOWN]
    wrong[2][4] = "person_time"
    _add_catalogue_rows(path, wrong)
    before = data_hash(project_copy)
    with pytest.raises(UserError) as err:
        import_period(project_copy, "2020H2", path)
    assert "sheet catalogue, row" in str(err.value) and "column part_of" in str(err.value)
    assert "another unit or measure" in str(err.value)
    assert data_hash(project_copy) == before
