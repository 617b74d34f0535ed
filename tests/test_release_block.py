"""The release block of data/project.yml where readers meet the book: the intro page and the
Excel download; empty fields are left out, never filled in."""

from __future__ import annotations

import yaml
from conftest import ROOT

from analysis.dataset.project import Project
from analysis.pages.appendix import write_appendix
from analysis.pages.export import tables
from analysis.view import PeriodView

# a cut-off date is said to be the latest of the figures' dates, not the date of all of them
CUTOFF_NOTE = "（最晚的时点；各项数字的时点不一，以各表所注为准）"


def _release(project: Project, **fields) -> None:
    path = project.data / "project.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["release"] = fields
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def test_the_intro_page_shows_the_release_block_without_empty_fields(project_copy):
    _release(project_copy, issuer="合成发布单位", edition="第2版", edition_date="2026-12-03",
             data_cutoff="2020-06-30", contact="", reuse="合成使用说明")  # SYNTHETIC
    write_appendix(project_copy)
    block = (project_copy.book / "_release.txt").read_text(encoding="utf-8")
    assert block.splitlines() == ["- 发布单位：合成发布单位", "- 版次：第2版",
                                  "- 印发日期：2026年12月3日",
                                  "- 数据截至：2020年6月30日" + CUTOFF_NOTE,
                                  "- 使用说明：合成使用说明"]


def test_the_committed_intro_pages_include_the_release_block():
    for intro in (ROOT / "book" / "intro.md", ROOT / "examples/shengzhou/book/intro.md",
                  ROOT / "examples/zhushan/book/intro.md"):
        assert "```{include} _release.txt" in intro.read_text(encoding="utf-8"), intro


def test_the_excel_download_carries_the_release_block(project_copy):
    _release(project_copy, issuer="合成发布单位", data_cutoff="2020-06-30")  # SYNTHETIC
    sheet = tables(PeriodView.load(project_copy.root, "2020H1"))["发布信息"]
    assert list(map(tuple, sheet.values)) == [("发布单位", "合成发布单位"),
                                              ("数据截至", "2020年6月30日" + CUTOFF_NOTE)]
