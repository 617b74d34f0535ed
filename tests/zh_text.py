"""The text a reader sees in a built book, its PDF and its Word edition, in pieces that the
Chinese-style rules (analysis.statements.zh_style) read, each with where it is. Verbatim
quotes of the report (elements of class `verbatim`, the hover text of a figure) are left out.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from analysis.statements import zh_style

BLOCKS = ["p", "li", "td", "th", "h1", "h2", "h3", "h4", "figcaption", "caption", "summary",
          "dt", "dd", "pre", "blockquote"]
SKIPPED_PAGES = {"genindex.html", "search.html"}
Piece = tuple[str, str]  # (where, text)
FOLIO = re.compile(r"\n\s*(?:\d+|[ivxlc]+)\s*\n*$")


def _leaf_blocks(root) -> list:
    return [node for node in root.find_all(BLOCKS) if not node.find(BLOCKS)]


def _squash(text: str) -> str:
    """Spaces out, but one kept between two digits (图1　2020年 is not the number 12020)."""
    return re.sub(r"(?<=\d)\s+(?=\d)", " ", re.sub(r"(?<!\d)\s+|\s+(?!\d)", "", text))


def verbatim(html_root: Path) -> set[str]:
    """Every quote the built pages mark as verbatim (whitespace removed)."""
    quotes = set()
    for page in html_root.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        quotes |= {_squash(node.get_text("")) for node in soup.select(".verbatim")}
    return quotes - {""}


def html_pieces(html_root: Path) -> list[Piece]:
    """The article of every page: its blocks of text, alt texts and the hover text of
    computed numbers (not the verbatim quotes)."""
    pieces = []
    for page in sorted(html_root.rglob("*.html")):
        name = page.relative_to(html_root).as_posix()
        if name in SKIPPED_PAGES or name.startswith(("_", "downloads/")):
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article") or soup.body
        if article is None:  # a redirect page
            continue
        for junk in article.select(".verbatim, a.headerlink, script, style, .cell_input"):
            junk.decompose()
        pieces += [(name, _squash(node.get_text(""))) for node in _leaf_blocks(article)]
        pieces += [(f"{name} (alt)", img["alt"]) for img in article.find_all("img", alt=True)]
        pieces += [(f"{name} (hover)", a["title"]) for a in article.select("a.derived[title]")]
    return [(w, t) for w, t in pieces if t]


def chart_csv_pieces(html_root: Path) -> list[Piece]:
    """The cells of every chart's CSV download (data: links in the pages)."""
    pieces = []
    for page in sorted(html_root.rglob("*.html")):
        name = page.relative_to(html_root).as_posix()
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for link in soup.select('a[download][href^="data:text/csv"]'):
            text = unquote(link["href"].split(",", 1)[1]).lstrip("\ufeff")
            pieces += [(f"{name} {link['download']}", cell)
                       for row in csv.reader(io.StringIO(text)) for cell in row]
    return pieces


def download_pieces(html_root: Path) -> list[Piece]:
    """The cells of the Chinese CSV downloads (downloads/**/*_zh*.csv) but their quotes."""
    pieces = []
    for path in sorted((html_root / "downloads").rglob("*_zh*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        header = rows[0]
        for row in rows:
            pieces += [(f"{path.name} {column}", cell) for column, cell in
                       zip(header, row, strict=False) if column != "原文"]
    return pieces


# a line of lower-case letters, digits, dots and hyphens alone: a piece of a web address that a
# narrow table cell wrapped (renrendoc. / com), which pdftotext gives as a block of its own
HOST_PART = re.compile(r"[a-z0-9.-]+")


def _exempt(text: str, quotes: set[str]) -> bool:
    squashed = _squash(text)
    return len(squashed) >= 4 and any(squashed in quote for quote in quotes)


def pdf_pieces(pdf: Path, quotes: set[str]) -> list[Piece]:
    """The PDF's text by page (pdftotext), a paragraph's lines joined; lines that are part
    of a verbatim quote left out."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils (pdftotext) not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pieces = []
    for number, page in enumerate(text.split("\f"), 1):
        page = FOLIO.sub("", page)  # the page number (ii, 7) is not text
        for block in re.split(r"\n\s*\n", page):
            lines = [line.strip() for line in block.splitlines()
                     if line.strip() and not _exempt(line, quotes)
                     and not HOST_PART.fullmatch(line.strip())]
            if lines:
                pieces.append((f"PDF p.{number}", _join(lines)))
    return pieces


def _join(lines: list[str]) -> str:
    """Wrapped lines as one text: no space between two Chinese characters or marks."""
    out = lines[0]
    for line in lines[1:]:
        broken = (re.search(r"[\w.-]*[./][\w./-]*$", out) and re.match(r"[\w./-]", line)
                  or re.search(r"[\d,]$", out) and re.match(r"\d", line))  # address, number
        glue = "" if (broken or re.match(zh_style.CJK, out[-1])
                      or re.match(zh_style.CJK, line[0])) else " "  # a web address wrapped
        out += glue + line
    return out


def docx_pieces(docx: Path, quotes: set[str]) -> list[Piece]:
    """The Word document's paragraphs, table cells and alt texts (not the verbatim quotes)."""
    from docx import Document

    doc = Document(str(docx))
    pieces = [("Word", p.text) for p in doc.paragraphs]
    pieces += [("Word table", cell.text) for table in doc.tables for row in table.rows
               for cell in row.cells]
    pieces += [("Word alt", shape._inline.docPr.get("descr") or "")
               for shape in doc.inline_shapes]
    return [(w, t) for w, t in pieces if t and not _exempt(t, quotes)]


def lint(pieces: list[Piece], rules=zh_style.RULES_WEB) -> list[str]:
    """Every finding in `pieces`, one line each (page and text)."""
    return [str(f) for where, text in pieces for f in zh_style.findings(text, where, rules)]
