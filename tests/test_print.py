"""The print editions of a period: a PDF typeset by WeasyPrint (A4, cover, contents with page
numbers, bookmarks, page numbers, CJK fonts embedded as CID fonts, charts within a page, no
local links, no web-only wording) and a Word document (A4, zh-CN, Chinese fonts, contents and
page-number fields, black headings, repeating table headers, charts with alt text, document
properties from the release block). Made from the book built into a temporary directory."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import PINNED, ROOT

from analysis.dataset.project import Project
from analysis.pages.print_editions import print_editions, write_docx


@pytest.fixture(scope="module")
def editions(html, tmp_path_factory):
    from analysis.pages.print_editions import weasyprint_missing

    if weasyprint_missing():
        pytest.skip(f"WeasyPrint cannot run: {weasyprint_missing()}")
    folder = tmp_path_factory.mktemp("print")
    return print_editions(Project(html.parents[2]), PINNED, folder)


def _poppler(*args: str) -> str:
    if not shutil.which(args[0]):
        pytest.skip("poppler-utils (pdffonts, pdfinfo, pdftotext, pdftohtml) not installed")
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def pdf(editions):
    return str(next(p for p in editions if p.suffix == ".pdf"))


@pytest.fixture(scope="module")
def pdf_xml(pdf, tmp_path_factory):
    """pdftohtml -xml of the PDF: pages with their images, and the outline (bookmarks)."""
    from xml.etree import ElementTree

    out = tmp_path_factory.mktemp("xml") / "edition"
    _poppler("pdftohtml", "-xml", "-q", pdf, str(out))
    return ElementTree.parse(f"{out}.xml").getroot()


@pytest.mark.slow
def test_the_pdf_has_its_pages_and_embeds_its_fonts_as_cid_not_type3(pdf):
    fonts = _poppler("pdffonts", pdf).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    assert not [line for line in fonts if "Type 3" in line], fonts
    text = _poppler("pdftotext", "-layout", pdf, "-")
    for words in ("目录", "社会救助", "养老服务", "计划与完成", "数字出处", "630元/人/月",
                  "跨期趋势", "方法与数据口径", "数据附录", "发布单位", "数据截至"):
        assert words in text, words
    pages = text.split("\f")
    assert pages[6].strip().splitlines()[-1].strip() == "7"  # page numbers in the margin


@pytest.mark.slow
def test_the_pdf_is_a4_with_a_bounded_page_count(pdf):
    info = _poppler("pdfinfo", pdf)
    assert "(A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    assert 20 <= pages <= 120, pages


@pytest.mark.slow
def test_the_pdf_has_bookmarks_for_every_chapter(pdf_xml):
    marks = [item.text for item in pdf_xml.iter("item")]
    for chapter in ("目录", "1　本期概览", "2　社会救助", "3　养老服务", "跨期趋势",
                    "方法与数据口径", "数据附录", "要点"):
        assert chapter in marks, chapter


@pytest.mark.slow
def test_the_contents_give_each_chapter_its_page(pdf):
    contents = _poppler("pdftotext", "-f", "2", "-l", "2", "-layout", pdf, "-")
    import re

    entries = dict(re.findall(r"(?:\d+\u3000)?(\S+?)\s*\.{3,}\s*(\d+)", contents))
    assert {"社会救助", "养老服务", "数据附录"} <= set(entries), contents
    first = _poppler("pdftotext", "-f", entries["社会救助"], "-l", entries["社会救助"], pdf, "-")
    heading = re.sub(r"\s", "", "".join(first.splitlines()[:3]))
    assert heading.startswith("2社会救助"), heading  # chapter 2, as its charts (图2-1)


@pytest.mark.slow
def test_the_pdf_links_no_local_file(pdf):
    raw = open(pdf, "rb").read()  # noqa: SIM115 - read once
    assert b"file:" not in raw


@pytest.mark.slow
def test_every_chart_fits_within_one_page(pdf_xml):
    charts = 0
    for page in pdf_xml.iter("page"):
        height, width = float(page.get("height")), float(page.get("width"))
        for image in page.iter("image"):
            charts += 1
            top, left = float(image.get("top")), float(image.get("left"))
            assert top >= 0 and top + float(image.get("height")) <= height, page.get("number")
            assert left >= 0 and left + float(image.get("width")) <= width, page.get("number")
    assert charts >= 8


@pytest.mark.slow
def test_no_web_only_wording_in_either_edition(pdf, editions):
    from docx import Document

    from analysis.pages.release import wording

    words = wording(Project(ROOT))
    text = _poppler("pdftotext", pdf, "-")
    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    word_text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    for phrase in words.web_only:
        assert phrase not in text, phrase
        assert phrase not in word_text, phrase


@pytest.mark.slow
def test_both_editions_follow_the_chinese_style_rules(html, pdf, editions):
    from zh_text import docx_pieces, lint, pdf_pieces, verbatim

    from analysis.statements.zh_style import RULES_PRINT

    quotes = verbatim(html)
    docx = next(p for p in editions if p.suffix == ".docx")
    found = lint(pdf_pieces(pdf, quotes), RULES_PRINT) + lint(docx_pieces(docx, quotes),
                                                              RULES_PRINT)
    assert not found, "\n".join(dict.fromkeys(found))


@pytest.mark.slow
def test_paper_offers_no_downloads_and_promises_source_tables_only_where_they_are(pdf):
    text = _poppler("pdftotext", pdf, "-")
    assert "可以下载" not in text and "下载图中数据" not in text
    assert "见各工作领域一章末的“数字出处”表" in text.replace("\n", "")
    pages = text.split("\f")
    tables = sum("数字出处" in page and "原文" in page for page in pages)
    assert tables >= 5  # one at the end of each work area's chapter


@pytest.mark.slow
def test_the_word_edition_has_headings_tables_and_charts(editions):
    from docx import Document

    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert {"2　社会救助", "3　养老服务", "要点", "方法与数据口径"} <= set(headings)
    assert len(doc.tables) >= 10 and len(doc.inline_shapes) >= 8
    assert any("630元/人/月" in p.text for p in doc.paragraphs)


@pytest.fixture(scope="module")
def docx_parts(editions):
    """The Word edition's XML parts by name."""
    import zipfile

    path = next(p for p in editions if p.suffix == ".docx")
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if name.endswith(".xml")}


@pytest.mark.slow
def test_the_word_edition_is_a4_chinese_with_chinese_fonts(docx_parts):
    document, styles = docx_parts["word/document.xml"], docx_parts["word/styles.xml"]
    assert 'w:w="11906"' in document and 'w:h="16838"' in document
    assert 'w:eastAsia="zh-CN"' in styles and "ja-JP" not in styles
    assert "ja-JP" not in docx_parts["word/settings.xml"]
    assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="黑体"' in styles
    assert "Noto" in styles


@pytest.mark.slow
def test_the_word_edition_has_contents_and_page_number_fields(docx_parts):
    assert "TOC \\o" in docx_parts["word/document.xml"]
    footers = [text for name, text in docx_parts.items() if name.startswith("word/footer")]
    assert any(" PAGE " in text for text in footers)


@pytest.mark.slow
def test_the_word_headings_are_black_not_the_templates_blue(editions):
    from docx import Document
    from docx.shared import RGBColor

    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        font = doc.styles[name].font
        assert font.color.rgb == RGBColor(0, 0, 0) and font.color.theme_color is None, name


@pytest.mark.slow
def test_the_word_tables_repeat_their_header_and_size_columns_by_content(editions):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    headed = [t for t in doc.tables if t.rows[0]._tr.find(f".//{qn('w:tblHeader')}") is not None]
    assert len(headed) >= 10
    widths = [{c.width for c in t.rows[0].cells} for t in headed]
    assert any(len(w) > 1 for w in widths)  # not all columns equal


@pytest.mark.slow
def test_the_word_charts_fit_the_page_and_have_alt_text(editions, docx_parts):
    from docx import Document
    from docx.shared import Cm

    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    for shape in doc.inline_shapes:
        assert shape.width <= Cm(16.01) and shape.height <= Cm(20.01)
        assert shape._inline.docPr.get("descr")


@pytest.mark.slow
def test_the_word_properties_come_from_the_release_block(editions):
    from docx import Document

    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    core = doc.core_properties
    assert core.author != "python-docx" and core.created.year != 2013
    assert core.title.startswith("六安市民政工作政策读本")
    assert core.author == "民政政策读本项目组" and core.language == "zh-CN"
    assert core.created.date().isoformat() == "2026-12-03"  # release.edition_date


def test_print_needs_a_built_book(tmp_path):
    from conftest import copy_data

    from analysis.errors import UserError

    copy_data(tmp_path)
    project = Project(tmp_path)
    with pytest.raises(UserError, match="build the book first"):
        write_docx(project, PINNED, tmp_path / "x.docx")


@pytest.mark.parametrize("line, message", [
    ("  edition_date: 2026-13-40", "a real month and day"),
    ("  edition_date: 第一版", "release.edition_date"),
    ("  internal: 是", "release.internal"),
    ("  url: book.example", "release.url"),
    ("  issue_date: 2026-12-03", "unknown keys issue_date"),
])
def test_a_bad_release_block_is_refused_with_its_key(tmp_path, line, message):
    from conftest import copy_data

    from analysis.errors import UserError

    copy_data(tmp_path)
    config = tmp_path / "data" / "project.yml"
    key = line.split(":")[0]
    text = config.read_text(encoding="utf-8")
    lines = [raw for raw in text.splitlines() if not raw.startswith(key + ":")]
    config.write_text("\n".join(lines) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=message):
        Project(tmp_path).config  # noqa: B018 - reading validates


@pytest.mark.slow
def test_the_pdf_numbers_its_pages_in_one_style_from_the_cover(pdf):
    contents = _poppler("pdftotext", "-f", "2", "-l", "2", "-layout", pdf, "-")
    assert contents.strip().splitlines()[-1].strip() == "2"  # not ii, before page 3


@pytest.mark.slow
def test_no_table_cell_is_broken_one_character_a_line_in_the_pdf(pdf):
    lines = _poppler("pdftotext", pdf, "-").splitlines()
    for alone in ("六", "安", "地", "一、", "（一）"):  # 六/安/市, 地/区, 一、/（一）/第3项
        assert alone not in lines, alone
    assert "下表各行的地区均为六安市。" in lines  # the place said once above the table


@pytest.mark.slow
def test_the_word_contents_list_the_headings_before_word_updates_the_field(editions):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    body = doc.element.body
    instruction = next(t for t in body.iter(qn("w:instrText")) if "TOC" in t.text)
    assert instruction.text.strip() == 'TOC \\o "1-2" \\h \\z \\u'
    shown, inside = [], False
    for paragraph in body.iter(qn("w:p")):
        kinds = [f.get(qn("w:fldCharType")) for f in paragraph.iter(qn("w:fldChar"))]
        if instruction in paragraph.iter(qn("w:instrText")):
            inside = True
        if inside:
            shown.append("".join(t.text for t in paragraph.iter(qn("w:t"))))
        if inside and "end" in kinds:
            break
    headings = [p.text for p in doc.paragraphs
                if p.style.name in ("Heading 1", "Heading 2")]
    assert shown == headings and len(shown) >= 20
    text = "\n".join(p.text for p in doc.paragraphs[:len(shown) + 20])
    assert "Word" not in text and "更新域" not in text


@pytest.mark.slow
def test_word_table_numbers_are_never_broken(editions, docx_parts):
    import re

    from docx import Document
    from docx.oxml.ns import qn

    from analysis.pages.word_edition import EM_CM, PAD_CM, _em

    # digits in en-US: with zh-CN LibreOffice breaks 877,077 between any two digits
    assert re.search(r'<w:lang w:val="en-US" w:eastAsia="zh-CN"', docx_parts["word/styles.xml"])
    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    numbers = 0
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                text = cell.text
                if not re.fullmatch(r"-?\d[\d,]*(?:\.\d+)?[万亿]?[%\u4e00-\u9fff/]{0,6}", text):
                    continue
                numbers += 1
                no_wrap = cell._tc.tcPr.find(qn("w:noWrap")) is not None
                wide = cell.width.cm >= PAD_CM + _em(text) * EM_CM - 0.05
                assert no_wrap and wide, (text, cell.width.cm)
    assert numbers > 100


@pytest.mark.slow
def test_word_headings_and_charts_keep_with_what_follows(editions):
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(next(p for p in editions if p.suffix == ".docx"))
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        assert doc.styles[name].paragraph_format.keep_with_next, name
    paragraphs = doc.paragraphs
    charts = [i for i, p in enumerate(paragraphs) if p._p.find(f".//{qn('w:drawing')}")
              is not None]
    assert len(charts) >= 8
    for i in charts:  # the chart with its caption (图12's caption was on the next page)
        assert paragraphs[i].paragraph_format.keep_with_next, i
        assert "引用：" in paragraphs[i + 1].text, paragraphs[i + 1].text  # its caption
        assert paragraphs[i + 1].paragraph_format.keep_with_next  # with the chart's table
        lead = paragraphs[i - 1]  # and the lead-in before the chart with the chart
        assert lead.paragraph_format.keep_with_next or lead.style.name.startswith(
            "Heading") or lead.text.startswith("图"), lead.text
    small = [t for t in doc.tables if len(t.rows) <= 8]  # a chart's table is not split
    assert small and all(t.rows[0].cells[0].paragraphs[0].paragraph_format.keep_with_next
                         for t in small)


def test_word_columns_leave_room_for_numbers_and_short_cells():
    from analysis.pages.word_edition import EM_CM, PAD_CM, _em, column_widths

    rows = [["指标", "人", "原文写法", "章节"],
            ["兜底保障中的农村低保对象" * 3, "877,077", "9322人", "一、（一）第3项"]]
    keep = [[0, 1, 1, 1], [0, 2, 2, 1]]
    widths = column_widths(rows, 4, 16.0, keep)
    assert abs(sum(widths) - 16.0) < 0.01
    for j, text in ((1, "877,077"), (2, "9322人"), (3, "一、（一）第3项")):
        assert widths[j] >= PAD_CM + _em(text) * EM_CM, (text, widths[j])
    assert _em("六安市") == 3 and _em("877,077") < 5
    narrow = column_widths([["目标", "最新值", "期限"], ["农村社区建设试点覆盖率", "94.8%",
                                                   "2020年12月底"]], 3, 4.0, [[0, 1, 1],
                                                                           [0, 2, 1]])
    assert narrow[1] >= PAD_CM + _em("94.8%") * EM_CM  # the number before the short cell


def test_a_column_the_same_on_every_row_is_said_once_above_the_table():
    from bs4 import BeautifulSoup

    from analysis.pages.print_editions import _fold_same_columns
    from analysis.pages.release import wording

    rows = "".join(f"<tr><td>指标{i}</td><td>六安市</td><td>{i}人</td></tr>" for i in range(4))
    article = BeautifulSoup(f"<article><div class='table-scroll'><table><thead><tr><th>指标</th>"
                            f"<th>地区</th><th>数值</th></tr></thead><tbody>{rows}</tbody>"
                            "</table></div></article>", "html.parser")
    _fold_same_columns(article, wording(Project(ROOT)))
    assert [th.get_text() for th in article.find_all("th")] == ["指标", "数值"]
    assert all(len(tr.find_all("td")) == 2 for tr in article.find("tbody").find_all("tr"))
    assert article.find("p", class_="table-note").get_text() == "下表各行的地区均为六安市。"


@pytest.mark.slow
def test_chapters_are_numbered_as_their_charts_are(html):
    """Chapter n of a period's edition holds 图n-1, 图n-2, ...: a citation finds its page."""
    import re

    from analysis.pages.print_editions import period_pages

    pages = [p for p in period_pages(Project(html.parents[2]), PINNED)
             if p.name.startswith("periods/")]
    for n, page in enumerate(pages, start=1):
        assert page.title.startswith(f"{n}　"), page.title
        assert set(re.findall(r"图(\d+)-\d+", page.body)) <= {str(n)}, page.name
    assert any("图2-1" in p.body for p in pages)
