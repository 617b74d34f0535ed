"""The second example book (examples/shengzhou/): a real report of another bureau in another
province, entered through `policybook init` and the entry workbook only. It builds, every
figure is spoken and every standard drawn, and nothing of another place appears."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT

EXAMPLE = ROOT / "examples" / "shengzhou"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    book = tmp_path_factory.mktemp("example") / "shengzhou"
    shutil.copytree(EXAMPLE, book, ignore=shutil.ignore_patterns("_build", ".*.ipynb"))
    result = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-print", "--root",
                             str(book)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return book


def _text(book, page: str) -> str:
    html = (book / "book" / "_build" / "html" / page).read_text(encoding="utf-8")
    main = BeautifulSoup(html, "html.parser").find("main")
    return main.get_text(" ", strip=True)


@pytest.mark.slow
def test_the_example_book_speaks_and_draws_every_figure(built):
    figures = (built / "data" / "periods" / "2022" / "figures.csv").read_text(encoding="utf-8")
    html = (built / "book" / "_build" / "html" / "periods" / "2022" /
            "social_assistance.html").read_text(encoding="utf-8")
    prose = html.split('id="src-')[0]  # the page up to the source table: prose and charts
    rows = figures.splitlines()[1:]
    assert len(rows) == 24
    for row in rows:
        indicator, geo, *_ = row.split(",")
        assert f"#src-{indicator}-{geo}-" in prose, f"{indicator} not spoken"
    standards = [r.split(",")[0] for r in rows if ",yuan_per_person_month," in r]
    data = _text(built, "periods/2022/social_assistance.html")
    for label in ("调整前的特困人员基本生活标准", "特困人员基本生活标准", "城乡低保标准"):
        assert f"{label}（报告未注明执行时间）" in data
    assert len(standards) == 4


@pytest.mark.slow
def test_the_example_book_shows_nothing_of_another_place_or_province(built):
    for page in ("periods/2022/overview.html", "periods/2022/social_assistance.html",
                 "intro.html", "method.html"):
        text = _text(built, page)
        for other in ("六安", "安徽", "皖办发", "滁州", "蚌埠", "合肥", "慈善一日捐"):
            assert other not in text, f"{page}: {other}"
        assert not re.search(r"\b(poor_backstop|dibao_|tekun_)\w*", text), page
    assert "报告未注明执行时间" in _text(built, "periods/2022/overview.html")


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

    html = built / "book" / "_build" / "html"
    found = lint(html_pieces(html)) + lint(chart_csv_pieces(html) + download_pieces(html),
                                           RULES_DOWNLOAD)
    quotes = verbatim(html)
    for edition in print_editions(Project(built), "2022", tmp_path_factory.mktemp("print")):
        pieces = (pdf_pieces if edition.suffix == ".pdf" else docx_pieces)(edition, quotes)
        found += lint(pieces, RULES_PRINT)
    assert not found, "\n".join(dict.fromkeys(found))
