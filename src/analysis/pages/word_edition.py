"""The Word edition of a period (python-docx), for offices that edit: the pages of the print
edition (analysis.pages.print_editions) as headings, paragraphs, tables and charts, on A4,
in Chinese (East Asian language zh-CN, 宋体 body and 黑体 headings with Noto CJK for Latin
text), black headings, a contents field, page numbers in the footer, tables whose header row
repeats on each page, charts scaled to the page with alt text, and document properties from
the release block of data/project.yml.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips
from PIL import Image

from analysis.dataset.periods import parse_period, period_label_zh
from analysis.dataset.project import Project

BODY_FONT, HEADING_FONT = "宋体", "黑体"
LATIN_BODY, LATIN_HEADING = "Noto Serif CJK SC", "Noto Sans CJK SC"
A4_TWIPS = (11906, 16838)
MARGIN_CM = 2.5
MAX_PICTURE_HEIGHT_CM = 15.0  # a chart leaves room on its page for its caption and table
KEEP_ROWS = 8  # a table of up to so many rows is kept on one page (with its chart)


def _qn(tag: str) -> str:

    return qn(tag)


def _fonts(rpr: Any, east_asian: str, latin: str) -> None:
    """w:rFonts of a run-properties element: the East Asian face, Noto CJK for the rest."""
    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(_qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for key in list(fonts.attrib):
        if key.endswith("Theme"):  # a theme font would win over the names below
            del fonts.attrib[key]
    for key, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin),
                       ("w:eastAsia", east_asian)):
        fonts.set(_qn(key), value)


def _lang(rpr: Any) -> None:
    """Chinese text in zh-CN; digits and Latin letters in en-US, as Word sets it for a Chinese
    document (with zh-CN for them, LibreOffice breaks 877,077 between any two digits)."""
    lang = rpr.find(_qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(_qn("w:lang"), {})
        rpr.append(lang)
    lang.set(_qn("w:val"), "en-US")
    lang.set(_qn("w:eastAsia"), "zh-CN")


def _chinese_styles(doc: Any) -> None:
    """zh-CN in the defaults and settings (the template says ja-JP), Chinese fonts, black
    headings."""

    styles = doc.styles.element
    defaults = styles.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault")).find(_qn("w:rPr"))
    _fonts(defaults, BODY_FONT, LATIN_BODY)
    _lang(defaults)
    theme_lang = doc.settings.element.find(_qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(_qn("w:eastAsia"), "zh-CN")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    _fonts(normal.element.get_or_add_rPr(), BODY_FONT, LATIN_BODY)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.paragraph_format.keep_with_next = True  # never the last line of a page
        style.font.color.rgb = RGBColor(0, 0, 0)
        rpr = style.element.get_or_add_rPr()
        color = rpr.find(_qn("w:color"))
        for key in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(_qn(key), None)
        _fonts(rpr, HEADING_FONT, LATIN_HEADING)
        border = style.element.find(_qn("w:pPr"))
        if border is not None and border.find(_qn("w:pBdr")) is not None:  # Title's rule
            border.remove(border.find(_qn("w:pBdr")))
    doc.styles["Title"].font.size = Pt(24)


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, TOC ...) in `paragraph`: Word fills it in when it updates fields."""
    def run_with(tag: str, **attrs: str) -> None:
        run = paragraph.add_run()._r
        element = run.makeelement(_qn(tag), {_qn(k): v for k, v in attrs.items()})
        if tag == "w:instrText":
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            element.text = f" {instruction} "
        run.append(element)

    run_with("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"})
    run_with("w:instrText")
    run_with("w:fldChar", **{"w:fldCharType": "separate"})
    paragraph.add_run(placeholder)
    run_with("w:fldChar", **{"w:fldCharType": "end"})


def _contents(doc: Any, headings: list[tuple[int, str]]) -> None:
    """A contents field (TOC of heading levels 1–2) whose shown result is already the list of
    headings, so that the page is not empty before Word updates the field (page numbers
    appear when it does)."""

    field = doc.add_paragraph()
    _field_part(field, "begin", 'TOC \\o "1-2" \\h \\z \\u')
    _field_part(field, "separate")
    paragraphs = [field]
    for i, (level, text) in enumerate(headings):
        paragraph = field if i == 0 else doc.add_paragraph()
        paragraph.add_run(text).bold = level == 1
        paragraph.paragraph_format.left_indent = Cm(0.8 * (level - 1))
        paragraph.paragraph_format.space_before = Cm(0.2 if level == 1 else 0)
        paragraph.paragraph_format.space_after = Cm(0)
        paragraphs.append(paragraph)
    _field_part(paragraphs[-1], "end")


def _field_part(paragraph: Any, kind: str, instruction: str = "") -> None:
    """One w:fldChar (begin, separate, end) of a field, with its instruction after begin."""
    run = paragraph.add_run()._r
    attrs = {_qn("w:fldCharType"): kind}
    if kind == "begin":
        attrs[_qn("w:dirty")] = "true"
    run.append(run.makeelement(_qn("w:fldChar"), attrs))
    if instruction:
        run = paragraph.add_run()._r
        element = run.makeelement(_qn("w:instrText"), {})
        element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        element.text = f" {instruction} "
        run.append(element)


def _page_setup(doc: Any) -> None:
    """A4 portrait, 2.5 cm margins, the page number centred in the footer."""

    section = doc.sections[0]
    section.page_width, section.page_height = Twips(A4_TWIPS[0]), Twips(A4_TWIPS[1])
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    section.different_first_page_header_footer = True  # the cover has no page number
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "2")


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = trpr.makeelement(_qn("w:tblHeader"), {_qn("w:val"): "true"})
    trpr.append(header)


TABLE_PT = 9.0  # the text of tables
EM_CM = TABLE_PT * 2.54 / 72  # one Chinese character of it
PAD_CM = 0.5  # the cell's left and right margins (0.19 cm each) and a little room
LONG_EM = 4.0  # a long text may wrap, but not narrower than four characters a line


def _em(text: str) -> float:
    """The width of `text` in ems: a Chinese character or full-width mark is one, a Latin
    letter, digit or ASCII mark about 0.6, and a quarter em where Chinese and Latin meet
    (the gap a word processor puts between them)."""
    wide = [unicodedata.east_asian_width(c) in "WF" for c in text]
    switches = sum(a != b for a, b in zip(wide, wide[1:], strict=False))
    return sum(1.0 if w else 0.6 for w in wide) + 0.25 * switches


def column_widths(rows: list[list[str]], columns: int, width_cm: float,
                  keep: list[list[int]] | None = None) -> list[float]:
    """Column widths in cm. `keep` says how each cell holds together: 2 a number (never
    broken), 1 a short cell or web address (on one line if there is room), 0 text that wraps
    (but keeps its numbers, units and addresses whole, at least four characters a line).
    Every column first gets room for what holds together; the rest of the width goes to the
    columns with longer text, in proportion to what they lack (up to twenty characters).
    When that is too wide, the wrapping text gives way first, then the short cells."""
    keep = keep or [[0] * len(r) for r in rows]
    least = PAD_CM + EM_CM
    number, hard, need, want = ([least] * columns for _ in range(4))
    for row, tiers in zip(rows, keep, strict=True):
        for j, text in enumerate(row[:columns]):
            full = _em(text)
            pieces = re.findall(r"[\x21-\x7e]+", text)  # numbers, units, addresses
            unbroken = PAD_CM + max([min(full, LONG_EM)] + [_em(p) for p in pieces]) * EM_CM
            if tiers[j] >= 2:
                number[j] = max(number[j], PAD_CM + full * EM_CM)
            if tiers[j] >= 1:
                hard[j] = max(hard[j], PAD_CM + full * EM_CM)
            need[j] = max(need[j], hard[j], unbroken)
            want[j] = max(want[j], need[j], PAD_CM + min(full, 20) * EM_CM)
    if sum(need) < width_cm:
        more = [w - n for w, n in zip(want, need, strict=True)]
        spare = width_cm - sum(need)
        if sum(more) <= spare:  # everything fits: the rest shared alike
            return [w + (spare - sum(more)) / columns for w in want]
        return [n + spare * m / sum(more) for n, m in zip(need, more, strict=True)]
    base = hard if sum(hard) < width_cm else [max(n, PAD_CM + 2 * EM_CM) for n in number]
    if sum(base) >= width_cm:
        return [width_cm * b / sum(base) for b in base]
    give = [n - b for n, b in zip(need, base, strict=True)]
    share = (width_cm - sum(base)) / sum(give)
    return [b + g * share for b, g in zip(base, give, strict=True)]


def _no_wrap(cell: Any) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(tcpr.makeelement(_qn("w:noWrap"), {}))


def _table(doc: Any, node: Any, width_cm: float) -> None:
    """An HTML table as a Word table: header row repeated, columns as wide as their text,
    numbers, short columns and web addresses (classes num, short, url) never broken across lines."""

    cells = [tr.find_all(["th", "td"]) for tr in node.find_all("tr")]
    cells = [r for r in cells if r]
    if not cells:
        return
    rows = [[c.get_text(" ", strip=True) for c in r] for r in cells]
    keep = [[2 if "num" in c.get("class", []) else int(bool({"short", "url"} & set(
        c.get("class", [])))) for c in r] for r in cells]
    columns = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=columns)
    table.style = "Table Grid"
    table.autofit = False
    widths = [Cm(w) for w in column_widths(rows, columns, width_cm, keep)]
    has_header = node.find("th") is not None
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.text = text
            cell.width = widths[j]
            if keep[i][j]:
                _no_wrap(cell)
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(TABLE_PT)
                run.bold = bool(i == 0 and has_header) or None
    for j, column in enumerate(table.columns):
        column.width = widths[j]
    if has_header:
        _repeat_header(table.rows[0])
    if len(rows) <= KEEP_ROWS:  # each row kept with the next: the table is not split
        for row in table.rows[:-1]:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.keep_with_next = True


def _picture(doc: Any, node: Any, width_cm: float) -> None:
    """A chart scaled to the text width (or the page height), its alt text in wp:docPr."""

    data = base64.b64decode(node["src"].split(",", 1)[1])
    with Image.open(io.BytesIO(data)) as image:
        ratio = image.height / image.width
    width = min(width_cm, MAX_PICTURE_HEIGHT_CM / ratio)
    shape = doc.add_picture(io.BytesIO(data), width=Cm(width))
    figure = node.find_parent("figure")
    caption = figure.find("figcaption") if figure else None
    alt = node.get("alt") or (caption.get_text(" ", strip=True) if caption else "图表")
    shape._inline.docPr.set("descr", alt)
    if caption:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True  # the chart with its caption
        doc.add_paragraph(caption.get_text(" ", strip=True)).paragraph_format.keep_with_next = (
            True)  # and the caption with the table of the chart's figures


def _properties(doc: Any, project: Project, period: str) -> None:
    """Title, author (the issuer), subject, dates and language of the document."""
    config, label = project.config, period_label_zh(parse_period(period))
    release = config.release
    core = doc.core_properties
    core.title = f"{config.title}·{label}"
    core.author = core.last_modified_by = release.issuer or config.author
    core.subject, core.language, core.revision = label, "zh-CN", 1
    core.keywords, core.comments = "", ""
    day = release.edition_date or dt.date.today()
    core.created = core.modified = dt.datetime(day.year, day.month, day.day)


LEAD_PARAGRAPHS = 3  # a chart's lead-in, kept on the chart's page with its heading


def _blocks(soup: Any) -> list[Any]:
    """The headings, paragraphs, list items, tables and charts of a page, in order (the
    paragraphs of list items and captions are part of them)."""
    return [node for node in soup.find_all(["h1", "h2", "h3", "p", "li", "table", "img"])
            if not node.find_parent("table")
            and not (node.name in ("p", "li") and node.find_parent(["li", "figure"]))]


def _heading(node: Any) -> str:
    return node.get_text(" ", strip=True).rstrip("#")


def write_docx(project: Project, period: str, out: Path, pages: list, words: Any,
               cover: list[tuple[str, str]]) -> Path:
    """The period's edition as a Word document: cover, contents field, headings, paragraphs,
    tables and charts."""

    doc = Document()
    _page_setup(doc)
    _chinese_styles(doc)
    _properties(doc, project, period)
    width_cm = 21.0 - 2 * MARGIN_CM
    if project.config.release.internal:
        doc.add_paragraph(words.cover["internal"]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_heading(project.config.title, 0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(period_label_zh(parse_period(period))).alignment = (
        WD_ALIGN_PARAGRAPH.CENTER)
    for label, value in cover:
        doc.add_paragraph(f"{label}：{value}")
    doc.add_paragraph(words.note)
    if project.config.release.reuse:
        doc.add_paragraph(f"{words.cover['reuse']}：{project.config.release.reuse}")
    doc.add_page_break()
    doc.add_paragraph(words.cover["contents"], style="TOC Heading" if "TOC Heading" in [
        s.name for s in doc.styles] else None)
    blocks = [_blocks(BeautifulSoup(page.body, "html.parser")) for page in pages]
    _contents(doc, [(int(node.name[1]), _heading(node)) for nodes in blocks for node in nodes
                    if node.name in ("h1", "h2")])
    for nodes in blocks:
        doc.add_page_break()
        lead: list[Any] = []  # the paragraphs since the last heading, kept with a chart
        for node in nodes:
            if node.name in ("h1", "h2", "h3"):
                doc.add_heading(_heading(node), int(node.name[1]))
                lead = []
            elif node.name in ("p", "li"):
                text = node.get_text("", strip=True)
                if text:
                    paragraph = doc.add_paragraph(
                        text, style="List Bullet" if node.name == "li" else None)
                    lead.append(paragraph)
                    if "table-note" in node.get("class", []):
                        paragraph.paragraph_format.keep_with_next = True
            elif node.name == "img" and node.get("src", "").startswith("data:image/png;base64,"):
                for paragraph in lead[-LEAD_PARAGRAPHS:]:
                    paragraph.paragraph_format.keep_with_next = True
                lead = []
                _picture(doc, node, width_cm)
            elif node.name == "table":
                _table(doc, node, width_cm)
                lead = []
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    doc.save(partial)
    partial.replace(out)
    return out
