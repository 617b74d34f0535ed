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
from pathlib import Path
from typing import Any

from analysis.dataset.periods import parse_period, period_label_zh
from analysis.dataset.project import Project

BODY_FONT, HEADING_FONT = "宋体", "黑体"
LATIN_BODY, LATIN_HEADING = "Noto Serif CJK SC", "Noto Sans CJK SC"
A4_TWIPS = (11906, 16838)
MARGIN_CM = 2.5
MAX_PICTURE_HEIGHT_CM = 20.0


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

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
    lang = rpr.find(_qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(_qn("w:lang"), {})
        rpr.append(lang)
    lang.set(_qn("w:val"), "zh-CN")
    lang.set(_qn("w:eastAsia"), "zh-CN")


def _chinese_styles(doc: Any) -> None:
    """zh-CN in the defaults and settings (the template says ja-JP), Chinese fonts, black
    headings."""
    from docx.shared import Pt, RGBColor

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


def _page_setup(doc: Any) -> None:
    """A4 portrait, 2.5 cm margins, the page number centred in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Twips

    section = doc.sections[0]
    section.page_width, section.page_height = Twips(A4_TWIPS[0]), Twips(A4_TWIPS[1])
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = trpr.makeelement(_qn("w:tblHeader"), {_qn("w:val"): "true"})
    trpr.append(header)


CHAR_CM = 0.42  # a Chinese character of the body text, with the cell's padding


def column_widths(rows: list[list[str]], columns: int, width_cm: float) -> list[float]:
    """Column widths in cm: every column first gets room for its text up to four characters
    (a place name or a number on one line, never one character a line), then the rest of
    the width goes to the columns with longer text, in proportion to it (up to 20)."""
    longest = [max([len(r[j]) for r in rows if j < len(r)] + [1]) for j in range(columns)]
    base = [min(n, 4) * CHAR_CM for n in longest]
    if sum(base) >= width_cm:
        return [width_cm * b / sum(base) for b in base]
    more = [max(0, min(n, 20) - min(n, 4)) for n in longest]
    spare = width_cm - sum(base)
    return [b + (spare * m / sum(more) if sum(more) else spare / columns)
            for b, m in zip(base, more, strict=True)]


def _table(doc: Any, node: Any, width_cm: float) -> None:
    """An HTML table as a Word table: header row repeated, columns as wide as their text."""
    from docx.shared import Cm

    rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
            for tr in node.find_all("tr")]
    rows = [r for r in rows if r]
    if not rows:
        return
    columns = max(len(r) for r in rows)
    table = doc.add_table(rows=len(rows), cols=columns)
    table.style = "Table Grid"
    table.autofit = False
    widths = [Cm(w) for w in column_widths(rows, columns, width_cm)]
    has_header = node.find("th") is not None
    for i, row in enumerate(rows):
        for j, text in enumerate(row):
            cell = table.cell(i, j)
            cell.text = text
            cell.width = widths[j]
            if i == 0 and has_header:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    for j, column in enumerate(table.columns):
        column.width = widths[j]
    if has_header:
        _repeat_header(table.rows[0])


def _picture(doc: Any, node: Any, width_cm: float) -> None:
    """A chart scaled to the text width (or the page height), its alt text in wp:docPr."""
    from docx.shared import Cm
    from PIL import Image

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
        doc.add_paragraph(caption.get_text(" ", strip=True))


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


def write_docx(project: Project, period: str, out: Path, pages: list, words: Any,
               cover: list[tuple[str, str]]) -> Path:
    """The period's edition as a Word document: cover, contents field, headings, paragraphs,
    tables and charts."""
    from bs4 import BeautifulSoup
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

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
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', "（在 Word 中更新域即可生成目录）")
    for page in pages:
        doc.add_page_break()
        soup = BeautifulSoup(page.body, "html.parser")
        for node in soup.find_all(["h1", "h2", "h3", "p", "li", "table", "img"]):
            if node.find_parent("table") or (node.name in ("p", "li") and node.find_parent(
                    ["li", "figure"])):
                continue
            if node.name in ("h1", "h2", "h3"):
                doc.add_heading(node.get_text(" ", strip=True).rstrip("#"), int(node.name[1]))
            elif node.name in ("p", "li"):
                text = node.get_text("", strip=True)
                if text:
                    doc.add_paragraph(text, style="List Bullet" if node.name == "li" else None)
            elif node.name == "img" and node.get("src", "").startswith("data:image/png;base64,"):
                _picture(doc, node, width_cm)
            elif node.name == "table":
                _table(doc, node, width_cm)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    doc.save(partial)
    partial.replace(out)
    return out
