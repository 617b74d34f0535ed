"""指标解释: every indicator's Chinese definition reaches the reader (appendix, tooltips,
Chinese downloads), and the Chinese appendix carries no English column."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.dataset.project import Project
from analysis.pages import appendix
from analysis.pages.export import tables
from analysis.statements.prose import Prose
from analysis.view import PeriodView

MARK = "合成的指标解释：期末在册的合成测试对象人数，单位：人。"  # SYNTHETIC


@pytest.fixture
def marked(project_copy: Project) -> tuple[Project, str]:
    """The project copy with one indicator of the pinned period given a marked definition."""
    path = project_copy.catalogue / "indicators.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    figures = pd.read_csv(project_copy.period_dir("2020H1") / "figures.csv", dtype=str)
    indicator = figures["indicator"].iloc[0]
    frame.loc[frame["id"] == indicator, "definition_zh"] = MARK
    frame.to_csv(path, index=False)
    return project_copy, indicator


def test_the_appendix_shows_definitions_and_no_english(marked):
    project, _ = marked
    text = appendix.render(project)
    assert "| 领域 | 指标 | 指标解释 |" in text and MARK in text
    english = pd.read_csv(project.catalogue / "indicators.csv", dtype=str)["label_en"]
    assert "英文" not in text
    assert not [e for e in english if f"| {e} |" in text]


def test_chinese_downloads_carry_the_definition(marked):
    project, indicator = marked
    view = PeriodView.load(project.root, "2020H1")
    rows = appendix.reader_rows(view)
    column = rows[0].index("指标解释")
    assert MARK in [r[column] for r in rows[1:]]
    sheet = tables(view)["指标目录"]
    assert sheet.set_index("指标代码").at[indicator, "指标解释"] == MARK


def test_a_label_in_the_prose_has_its_definition_as_tooltip(marked):
    project, indicator = marked
    view = PeriodView.load(project.root, "2020H1")
    label = str(Prose(view).label(indicator))
    assert 'title="指标解释：' + MARK + '"' in label


def test_chinese_downloads_leave_out_an_english_note_which_stays_for_machines(project_copy):
    """Notes are written in Chinese; an English note (an older book's) is left out of the
    Chinese CSV and the workbook's 说明, and stays in figures.csv and the Note column."""
    path = project_copy.period_dir("2020H1") / "figures.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "note"] = "合成的中文说明"
    frame.loc[1, "note"] = "SYNTHETIC English note"
    frame.to_csv(path, index=False)
    view = PeriodView.load(project_copy.root, "2020H1")
    rows = appendix.reader_rows(view)
    notes = [r[rows[0].index("说明")] for r in rows[1:]]
    assert notes[0] == "合成的中文说明" and notes[1] == ""
    sheet = tables(view)["数据"]
    assert list(sheet["说明"][:2]) == ["合成的中文说明", ""]
    assert list(sheet["Note"][:2]) == ["合成的中文说明", "SYNTHETIC English note"]
