"""`policybook print P`: a period's pages as a print-grade PDF and as a Word document.

Both are made from the built HTML book (so they say what the web pages say): the period's
pages in book order, then the trends, method and appendix pages, with their narrative,
charts and tables. Web-only sentences (pointing, clicking, opening tables) are swapped for
print wording (templates/print.yml); links go to the published book (data/project.yml
`release.url`) or inside the edition, and are dropped otherwise. The PDF is typeset by
WeasyPrint: A4, a cover with the release block, contents with page numbers, PDF bookmarks,
page numbers in the margin, the CJK font embedded as a CID font (Chromium's print embeds it
as Type 3, which print shops refuse). The Word edition is in analysis.pages.word_edition.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pylopdf_fonts_zh_cn
from bs4 import BeautifulSoup, NavigableString

from analysis.dataset.periods import parse_period, period_label_zh
from analysis.dataset.project import Project
from analysis.errors import Problem, UserError
from analysis.files import files_digest, read_stamp, write_atomic
from analysis.language import _
from analysis.pages import word_edition
from analysis.pages.release import WORDING, Wording, cover_lines, wording

SHARED_PAGES = ("method", "appendix")  # after the period's and the cross-period pages


@dataclass
class Page:
    """One page of the edition: its name, title and the article's HTML, made for print."""

    name: str
    title: str
    body: str


def weasyprint_missing() -> str | None:
    """Why WeasyPrint cannot typeset here (its Pango libraries missing), or None."""
    try:
        # deferred: WeasyPrint needs Pango, a system library that may be missing
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return str(exc).splitlines()[0]
    return None


def _documents(project: Project, pid: str) -> list[tuple[str, Path]]:
    """(docname, built HTML) of the edition's pages, in book order."""
    html_root = project.book / "_build" / "html"
    config = project.config
    docs = [f"periods/{pid}/{n.name}" for n in config.period_notebooks]
    docs += [n.name for n in config.cross_period_notebooks] + list(SHARED_PAGES)
    return [(doc, html_root / f"{doc}.html") for doc in docs
            if (html_root / f"{doc}.html").is_file()]


def _anchor(doc: str, ident: str = "") -> str:
    """The id, in the one-document edition, of `ident` on page `doc` (of the page itself)."""
    base = "page-" + doc.replace("/", "-")
    return f"{base}--{ident}" if ident else base


def _relink(article: Any, doc: str, docs: set[str], url: str) -> None:
    """Links within the edition go to their anchor; others to the published book (`url`)
    or, without it or for data: and file: links, are dropped (their text kept)."""
    for node in article.find_all(id=True):
        node["id"] = _anchor(doc, node["id"])
    page_url = f"https://book.invalid/{doc}.html"
    for link in article.find_all("a", href=True):
        href = link["href"]
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        target = urlsplit(urljoin(page_url, href))
        if target.scheme == "https" and target.netloc == "book.invalid":
            path = target.path.lstrip("/").removesuffix(".html")
            if path in docs:
                link["href"] = "#" + _anchor(path, target.fragment)
                continue
            if url:
                link["href"] = f"{url}/{target.path.lstrip('/')}" + (
                    f"#{target.fragment}" if target.fragment else "")
                continue
        link.unwrap()


def _reword(article: Any, words: Wording) -> None:
    """Web-only sentences replaced by their print wording (templates/print.yml)."""

    for text in article.find_all(string=True):
        new = str(text)
        for old, replacement in words.replace.items():
            new = new.replace(old, replacement)
        if new != text:
            text.replace_with(NavigableString(new))


def cell_width(text: str) -> float:
    """The width of `text` in ems: a Chinese character or full-width mark is one, a Latin
    letter, digit or ASCII mark about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


SHORT_EM = 8.5  # a cell up to this wide (一、（一）第3项, 2020年12月底) stays on one line
MIN_ROWS_TO_FOLD = 3  # a column the same on fewer rows is not worth a note
HEADER_EM = 5.0  # a header up to this wide (地区, 元/人/月) stays on one line


def _fold_same_columns(article: Any, words: Wording) -> None:
    """A column whose value is the same short text on every row (地区 六安市 in the sources
    table) is left out of the table and said once in a note above it."""
    for table in article.find_all("table"):
        head = table.find("thead")
        body = [tr.find_all(["td", "th"]) for tr in table.find_all("tr") if tr.find("td")]
        heads = head.find_all("th") if head else []
        if (len(body) < MIN_ROWS_TO_FOLD or not heads or table.find(attrs={"colspan": True})
                or table.find(attrs={"rowspan": True})
                or any(len(row) != len(heads) for row in body)):
            continue
        same = [j for j in range(len(heads))
                if len({row[j].get_text(strip=True) for row in body}) == 1
                and body[0][j].get_text(strip=True) and heads[j].get_text(strip=True)
                and cell_width(body[0][j].get_text(strip=True)) <= SHORT_EM]
        if not same or len(same) > len(heads) - 2:
            continue
        notes = [words.same_column.format(column=heads[j].get_text(strip=True),
                                          value=body[0][j].get_text(strip=True)) for j in same]
        for j in sorted(same, reverse=True):
            heads[j].decompose()
            for row in body:
                row[j].decompose()
        note = article.new_tag("p", attrs={"class": "table-note"})
        note.string = "".join(notes)
        (table.find_parent(class_="table-scroll") or table).insert_before(note)


def _mark_short_columns(article: Any) -> None:
    """Cells of a column whose every cell is short, and short headers, are kept on one line
    (class "short"); so are cells holding a web address (class "url")."""
    for table in article.find_all("table"):
        rows = [tr.find_all(["td", "th"]) for tr in table.find_all("tr")]
        body = [row for row in rows if any(c.name == "td" for c in row)]
        columns = max((len(row) for row in rows), default=0)
        for j in range(columns):
            cells = [row[j] for row in body if j < len(row)]
            if cells and max(cell_width(c.get_text(strip=True)) for c in cells) <= SHORT_EM:
                for cell in cells:
                    cell["class"] = [*cell.get("class", []), "short"]
        for row in rows:
            for cell in row:
                text = cell.get_text(strip=True)
                if cell.name == "th" and cell_width(text) <= HEADER_EM:
                    cell["class"] = [*cell.get("class", []), "short"]
                if _URL_CELL.search(text):
                    cell["class"] = [*cell.get("class", []), "url"]


_URL_CELL = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}|\d+\.\d+\.\d+\.\d+")


KEEP_ROWS = 12  # a table of up to this many rows is not split across pages


def _mark_exhibits(article: Any) -> None:
    """A notebook output holding a chart (its heading, lead-in, chart and caption) is an
    exhibit, kept on one page; the table of its figures follows it, on the same page when it
    is short. The paragraphs under a heading are kept with what follows them."""
    for figure in article.find_all("figure"):
        output = figure.find_parent(class_="output")
        if output is not None:
            output["class"] = [*output.get("class", []), "exhibit"]
    for table in article.select("div.print-table"):  # a chart's short table: on its page
        if len(table.find_all("tr")) > KEEP_ROWS:
            continue
        table["class"] = [*table.get("class", []), "keep"]
        output = table.find_parent(class_="output")
        chart = output.find_previous_sibling(class_="output") if output is not None else None
        if chart is not None and "exhibit" in chart.get("class", []):
            chart["class"] = [*chart.get("class", []), "with-table"]
    for heading in article.find_all(["h2", "h3"]):  # the lead-in stays with what it leads to
        for lead in heading.find_next_siblings():
            if lead.name != "p":
                break
            lead["class"] = [*lead.get("class", []), "lead"]


# a number, with its 万/亿, qualifier and unit as written (19,676,854元, 3.46万人, 630元/人/月)
_NUMBER_CELL = re.compile(
    r"-?[\d,]+(?:\.\d+)?(?:余|多)?[万亿]?(?:余)?(?:[%‰]|[\u4e00-\u9fff/]{0,6})")


def period_pages(project: Project, period: str) -> list[Page]:
    """The edition's built pages (the period's, trends, method, appendix) made for print."""

    pid = parse_period(period).id
    found = _documents(project, pid)
    if not any(doc.startswith("periods/") for doc, _ in found):
        raise UserError(Problem(str(project.book / "_build" / "html" / "periods" / pid),
                                _("no built pages for {pid}").format(
                                    pid=pid),
                                _("build the book first: policybook build")))
    docs, words, url = {d for d, _ in found}, wording(project), project.config.release.url
    pages, chapter = [], 0
    for doc, path in found:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article") or soup.body
        for downloads in article.select(".period-downloads"):  # with its heading
            (downloads.find_parent("section") or downloads).decompose()
        for junk in article.select("a.headerlink, .chart-downloads, script, button, summary, "
                                   ".tag_remove-input > .cell_input, nav.book-pager"):
            junk.decompose()
        for details in article.find_all("details"):  # collapsed tables are printed open
            details.name = "div"
            details.attrs = {"class": ["print-table"]}
        for region in article.select("[tabindex]"):
            del region["tabindex"]
        _reword(article, words)
        _fold_same_columns(article, words)
        for cell in article.find_all("td"):  # a number is never broken across lines
            if _NUMBER_CELL.fullmatch(cell.get_text(strip=True)):
                cell["class"] = [*cell.get("class", []), "num"]
        _mark_short_columns(article)
        _mark_exhibits(article)
        _relink(article, doc, docs, url)
        heading = article.find("h1")
        title = heading.get_text(" ", strip=True) if heading else doc
        if doc.startswith("periods/"):  # chapter n: its charts are 图n-1, 图n-2, ...
            chapter += 1
            title = f"{chapter}　{title}"
            if heading is not None:
                heading.insert(0, NavigableString(f"{chapter}　"))
        pages.append(Page(doc, title, str(article)))
    return pages


PRINT_CSS = """
@font-face { font-family: "Book CJK"; src: url("%(font)s"); }
@page { size: A4; margin: 22mm 20mm 24mm;
  @bottom-center { content: counter(page); font-family: "Book CJK"; font-size: 9pt; } }
@page cover { @bottom-center { content: none; } }
html { font-family: "Book CJK", sans-serif; font-size: 10.5pt; line-height: 1.7; color: #111; }
.cover { page: cover; page-break-after: always; text-align: center; padding-top: 45mm; }
.cover .mark { position: absolute; top: 0; right: 0; border: 1pt solid #111; padding: 2pt 8pt;
  font-size: 12pt; }
.cover h1 { font-size: 26pt; bookmark-level: none; margin-bottom: 6mm; }
.cover .period { font-size: 16pt; margin-bottom: 40mm; }
.cover dl { display: inline-block; text-align: left; font-size: 11pt; margin: 0; }
.cover dt { float: left; clear: left; width: 6em; color: #444; }
.cover dd { margin-left: 6.5em; }
.cover .note, .cover .reuse { font-size: 9.5pt; text-align: left; margin: 8mm 10mm 0; }
.contents { page: front; page-break-after: always; }
.contents h2 { bookmark-level: 1; font-size: 16pt; }
.contents ol { list-style: none; padding: 0; }
.contents li { margin: 0.3em 0; }
.contents li.part { margin-top: 0.8em; font-weight: 700; }
.contents a { color: inherit; text-decoration: none; }
.contents a::after { content: leader(".") target-counter(attr(href), page); }
section.page { page-break-before: always; }
section.page h1 { font-size: 18pt; bookmark-level: 1; break-after: avoid; }
section.page h2 { font-size: 14pt; bookmark-level: 2; break-after: avoid; }
section.page h3 { font-size: 12pt; bookmark-level: none; break-after: avoid; }
img { max-width: 100%%; max-height: 205mm; height: auto; object-fit: contain; }
figure { page-break-inside: avoid; break-inside: avoid; margin: 1em 0; }
.exhibit { break-inside: avoid; } .lead { break-after: avoid; }
.keep { break-inside: avoid; } .with-table { break-after: avoid; }
.table-title { break-after: avoid; }  /* 表1 数量目标 stays with its table */
.table-note { font-size: 9pt; margin: 0.5em 0 0.2em; break-after: avoid; }
figcaption { font-size: 9pt; color: #333; }
table { border-collapse: collapse; font-size: 8.5pt; width: 100%%; display: table; }
thead { display: table-header-group; }
th, td { border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }
td.num, td.short, th.short { white-space: nowrap; overflow-wrap: normal; }
td.url { overflow-wrap: normal; }  /* a web address breaks only where it may */
th { background: #eee; } tr { page-break-inside: avoid; }
a { color: inherit; text-decoration: none; } a[href^="http"] { text-decoration: underline; }
td::before { content: none !important; }
"""


def print_html(project: Project, period: str, pages: list[Page]) -> str:
    """One HTML document for WeasyPrint: the cover, contents, the pages, print styles."""

    config, words = project.config, wording(project)
    font = Path(pylopdf_fonts_zh_cn.sans_path()).as_uri()
    label = period_label_zh(parse_period(period))
    title = html.escape(config.title)
    lines = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>"
                    for k, v in cover_lines(project, period))
    mark = (f'<p class="mark">{html.escape(words.cover["internal"])}</p>'
            if config.release.internal else "")
    reuse = (f'<p class="reuse">{html.escape(words.cover["reuse"])}：'
             f"{html.escape(config.release.reuse)}</p>" if config.release.reuse else "")
    contents = "".join(f'<li><a href="#{_anchor(p.name)}">{html.escape(p.title)}</a></li>'
                       for p in pages)
    body = "".join(f'<section class="page" id="{_anchor(p.name)}">{p.body}</section>'
                   for p in pages)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}·{label}</title><meta name="author" content="{html.escape(config.release.issuer)}">
<style>{PRINT_CSS % {"font": font}}</style></head><body>
<div class="cover">{mark}<h1>{title}</h1><p class="period">{label}</p><dl>{lines}</dl>
<p class="note">{html.escape(words.note)}</p>{reuse}</div>
<div class="contents"><h2>{html.escape(words.cover["contents"])}</h2><ol>{contents}</ol></div>
{body}</body></html>"""


def write_pdf(project: Project, period: str, out: Path) -> Path:
    """Typeset the period's edition to `out` with WeasyPrint (UserError when it cannot)."""
    missing = weasyprint_missing()
    if missing:
        raise UserError(Problem("weasyprint", _("WeasyPrint cannot run here ({missing})").format(
                                                  missing=missing),
                                _("install Pango: apt-get install libpango-1.0-0 "
                                  "libpangoft2-1.0-0")))
    import weasyprint  # deferred: only here is Pango known to be installed

    pages = period_pages(project, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    try:
        document = weasyprint.HTML(string=print_html(project, period, pages))
        document.write_pdf(partial)
    except Exception as exc:  # any typesetting failure is reported, not shown as a traceback
        partial.unlink(missing_ok=True)
        raise UserError(
            Problem(
                str(out),
                _("WeasyPrint could not typeset the PDF ({name}: {exc})").format(
                    name=type(exc).__name__, exc=exc
                ),
                _("check the built pages (policybook build) and try again"),
            )
        ) from None
    partial.replace(out)
    return out


def write_docx(project: Project, period: str, out: Path) -> Path:
    """The period's edition as a Word document (analysis.pages.word_edition)."""
    return word_edition.write_docx(
        project,
        period,
        out,
        period_pages(project, period),
        wording(project),
        cover_lines(project, period),
    )


def print_editions(
    project: Project, period: str, folder: Path | None = None, only_if_stale: bool = False
) -> list[Path]:
    """Write <folder>/policybook_<P>.pdf (when WeasyPrint can run) and .docx; their paths.
    With `only_if_stale`, editions made from the same built pages are kept as they are."""
    pid = parse_period(period).id
    folder = folder or project.book / "_build" / "print"
    targets = [folder / f"policybook_{pid}.docx"]
    if weasyprint_missing() is None:
        targets.insert(0, folder / f"policybook_{pid}.pdf")
    stamp, inputs = folder / f".policybook_{pid}.inputs", _inputs(project, pid)
    if only_if_stale and all(t.exists() for t in targets) and read_stamp(stamp) == inputs:
        return targets
    written = [
        write_pdf(project, pid, t) if t.suffix == ".pdf" else write_docx(project, pid, t)
        for t in targets
    ]
    write_atomic(stamp, inputs + "\n")
    return written


def _inputs(project: Project, pid: str) -> str:
    """A hash of what a period's print edition is made from: its built pages, the trends,
    method and appendix pages, the configuration, the print wording and this code."""

    here = Path(__file__).parent
    return files_digest(
        [
            Path(__file__),
            here / "word_edition.py",
            project.data / "project.yml",
            WORDING,
            *(path for _, path in _documents(project, pid)),
        ]
    )
