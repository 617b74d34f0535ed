"""The example books (examples/shengzhou/, examples/zhushan/): real reports of other bureaus in
other provinces, each entered through `policybook init` and the entry workbook only. Each
builds, every figure is spoken and every standard drawn, and nothing of another place
appears."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT


@dataclass(frozen=True)
class Example:
    """One example book and what its report gives."""

    folder: str
    period: str
    figures: int
    standards: int
    undated_standards: tuple[str, ...]  # labels the book must say are undated
    others: tuple[str, ...]  # places of the other books, never named in this one


SEED = ("六安", "安徽", "皖办发", "滁州", "蚌埠", "合肥", "慈善一日捐")
EXAMPLES = [
    Example("shengzhou", "2022", 24, 4,
            ("调整前的特困人员基本生活标准", "特困人员基本生活标准", "城乡低保标准"),
            SEED + ("珠山", "江西", "景德镇")),
    Example("zhushan", "2024", 25, 11,
            ("困难残疾人生活补贴标准", "重度残疾人护理补贴标准", "贫困重度失能残疾人照护托养补贴标准"),
            SEED + ("嵊州", "浙江", "绍兴")),
]


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda example: example.folder)
def built(request, tmp_path_factory):
    example = request.param
    book = tmp_path_factory.mktemp("example") / example.folder
    shutil.copytree(ROOT / "examples" / example.folder, book,
                    ignore=shutil.ignore_patterns("_build", ".*.ipynb"))
    result = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-print", "--root",
                             str(book)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return example, book


def _text(book, page: str) -> str:
    html = (book / "book" / "_build" / "html" / page).read_text(encoding="utf-8")
    main = BeautifulSoup(html, "html.parser").find("main")
    return main.get_text(" ", strip=True)


@pytest.mark.slow
def test_the_example_book_speaks_and_draws_every_figure(built):
    example, book = built
    period = example.period
    figures = (book / "data" / "periods" / period / "figures.csv").read_text(encoding="utf-8")
    html = (book / "book" / "_build" / "html" / "periods" / period /
            "social_assistance.html").read_text(encoding="utf-8")
    prose = html.split('id="src-')[0]  # the page up to the source table: prose and charts
    rows = figures.splitlines()[1:]
    assert len(rows) == example.figures
    for row in rows:
        indicator, geo, *_ = row.split(",")
        assert f"#src-{indicator}-{geo}-" in prose, f"{indicator} not spoken"
    standards = [r.split(",")[0] for r in rows if ",yuan_per_person_month," in r]
    data = _text(book, f"periods/{period}/social_assistance.html")
    for label in example.undated_standards:
        assert f"{label}（报告未注明执行时间）" in data
    assert len(standards) == example.standards


@pytest.mark.slow
def test_the_example_book_shows_nothing_of_another_place_or_province(built):
    example, book = built
    period = example.period
    for page in (f"periods/{period}/overview.html", f"periods/{period}/social_assistance.html",
                 "intro.html", "method.html"):
        text = _text(book, page)
        for other in example.others:
            assert other not in text, f"{page}: {other}"
        assert not re.search(r"\b(poor_backstop|dibao_|tekun_)\w*", text), page
    overview = _text(book, f"periods/{period}/overview.html")
    assert "报告未注明执行时间" in overview
    if "没有本书可以核验" in overview:  # and then no empty table of checks beneath it
        assert "核验 结果 数字 依据" not in overview


@pytest.mark.slow
def test_the_example_book_follows_the_chinese_style_rules_on_screen_and_paper(built,
                                                                             tmp_path_factory):
    from zh_text import (
        chart_csv_pieces,
        docx_pieces,
        download_pieces,
        html_pieces,
        lint,
        pdf_pieces,
        verbatim,
    )

    from analysis.dataset.project import Project
    from analysis.pages.print_editions import print_editions
    from analysis.statements.zh_style import RULES_DOWNLOAD, RULES_PRINT

    example, book = built
    html = book / "book" / "_build" / "html"
    found = lint(html_pieces(html)) + lint(chart_csv_pieces(html) + download_pieces(html),
                                           RULES_DOWNLOAD)
    quotes = verbatim(html)
    for edition in print_editions(Project(book), example.period,
                                  tmp_path_factory.mktemp("print")):
        pieces = (pdf_pieces if edition.suffix == ".pdf" else docx_pieces)(edition, quotes)
        found += lint(pieces, RULES_PRINT)
    assert not found, "\n".join(dict.fromkeys(found))
