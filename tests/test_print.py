"""The print editions of a period: a PDF printed by headless Chromium (cover, contents, page
numbers, charts and tables, CJK fonts embedded) and a Word document with the same text,
tables and charts. Made from the book built into a temporary directory."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import PINNED

from analysis.dataset.project import Project
from analysis.pages.print_editions import print_editions, write_docx


@pytest.fixture(scope="module")
def editions(html, tmp_path_factory):
    from browser import chromium_or_skip

    chromium_or_skip()
    folder = tmp_path_factory.mktemp("print")
    return print_editions(Project(html.parents[2]), PINNED, folder)


@pytest.mark.slow
def test_the_pdf_has_its_pages_and_embeds_its_fonts(editions):
    pdf = next(p for p in editions if p.suffix == ".pdf")
    if not shutil.which("pdffonts"):
        pytest.skip("poppler-utils (pdffonts, pdftotext) not installed")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for words in ("目录", "社会救助", "养老服务", "计划与完成", "数字出处", "630元/人/月"):
        assert words in text, words
    pages = text.split("\f")
    assert len(pages) > 10 and pages[2].strip().splitlines()[-1].strip() == "3"  # page numbers


@pytest.mark.slow
def test_the_word_edition_has_headings_tables_and_charts(editions):
    from docx import Document

    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert {"社会救助", "养老服务", "要点"} <= set(headings)
    assert len(doc.tables) >= 10 and len(doc.inline_shapes) >= 8
    assert any("630元/人/月" in p.text for p in doc.paragraphs)


def test_print_needs_a_built_book(tmp_path):
    from conftest import copy_data

    from analysis.errors import UserError

    copy_data(tmp_path)
    project = Project(tmp_path)
    with pytest.raises(UserError, match="build the book first"):
        write_docx(project, PINNED, tmp_path / "x.docx")
