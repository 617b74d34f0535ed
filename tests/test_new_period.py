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

from analysis.errors import UserError
from analysis.importer import import_period, recover_interrupted
from analysis.project import Project
from analysis.schema import validate_period
from analysis.workbook import new_period

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
                 "yuan", "money", "SYNTHETIC indicator for tests"]


def data_hash(project: Project) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in project.data.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(project.root)).encode() + path.read_bytes())
    return digest.hexdigest()


def fill(path: Path, rows=SYNTHETIC_ROWS, indicator=NEW_INDICATOR) -> None:
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
    result = subprocess.run([sys.executable, "-m", "analysis", "build", "--root",
                             str(project_copy.root)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    pages = sorted(p.stem for p in (project_copy.book / "periods" / "2021").glob("*.ipynb"))
    assert pages == ["overview", "plan_tracking", "social_assistance"]
    html = (project_copy.book / "_build/html/periods/2021/social_assistance.html").read_text()
    assert "霍邱县" in html and "700元/人/月" in html
    toc = (project_copy.book / "_toc.yml").read_text(encoding="utf-8")
    assert "2021年(2021)" in toc and "2020年下半年(2020H2)" in toc
    assert (project_copy.book / "periods/2020H2/social_assistance.ipynb").exists()
    trends = (project_copy.book / "_build/html/trends.html").read_text(encoding="utf-8")
    assert "城市低保标准" in trends and "630" in trends


def test_county_period_checks_use_the_county_figures(project_copy):
    """SYNTHETIC 2021 notice for 霍邱县: 910 = 1.3 x 700, checked at the county, not the city."""
    from analysis.checks import HOLDS
    from analysis.view import PeriodView

    import_period(project_copy, "2021", FIXTURES / "sparse_county_2021.csv")
    view = PeriodView.load(project_copy.root, "2021")
    verdicts = {r.id: r.verdict for r in view.checks}
    assert view.geo == "341522"
    assert verdicts["tekun_rural_standard_vs_dibao"] == HOLDS


def test_a_later_period_without_the_figure_leaves_targets_in_progress(project_copy):
    """Targets due 2020-12-31, last reported 2020-06-30: a SYNTHETIC 2021 county notice does
    not make them 'not met', because no figure dated after the deadline falls short."""
    from analysis import plans

    import_period(project_copy, "2021", FIXTURES / "sparse_county_2021.csv")
    status = plans.track(project_copy).set_index("indicator")["状态"]
    assert status["community_care_centres_completed"] == plans.IN_PROGRESS
    assert status["standard_demo_communities_completed"] == plans.NO_DATA
