"""`policybook print P`: a period's pages as a print-ready PDF and as a Word document.

Both are made from the built HTML book (so they say exactly what the web pages say): the
period's pages in book order, with their narrative, charts and tables. The PDF is printed by
Debian's headless Chromium, offline, with a cover, a contents list and page numbers; the
book's CJK font (Noto Sans SC, shipped by a Python dependency) is embedded. The Word edition
(python-docx) holds the same text, tables and charts for officials who edit.
"""

from __future__ import annotations

import base64
import html
import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.dataset.periods import parse_period, period_label_zh
from analysis.dataset.project import Project
from analysis.errors import Problem, UserError
from analysis.files import files_digest

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-pdf-header-footer"]
TIMEOUT_S = 120


@dataclass
class Page:
    """One page of the period: its title and the article's HTML (links and buttons removed)."""

    name: str
    title: str
    body: str


def chromium() -> str | None:
    """Debian's chromium (or Google's), when installed."""
    return next((path for name in ("chromium", "chromium-browser", "google-chrome")
                 if (path := shutil.which(name))), None)


def period_pages(project: Project, period: str) -> list[Page]:
    """The period's built pages, in the order of the book's configuration."""
    from bs4 import BeautifulSoup

    pid = parse_period(period).id
    folder = project.book / "_build" / "html" / "periods" / pid
    pages = []
    for notebook in project.config.period_notebooks:
        path = folder / f"{notebook.name}.html"
        if not path.exists():
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        article = soup.find("article") or soup.body
        for downloads in article.select(".period-downloads"):  # with its heading
            (downloads.find_parent("section") or downloads).decompose()
        for junk in article.select("a.headerlink, .chart-downloads, script, button, "
                                   ".tag_remove-input > .cell_input"):
            junk.decompose()
        for details in article.find_all("details"):  # print collapsed tables open
            details["open"] = "open"
        heading = article.find("h1")
        title = heading.get_text(" ", strip=True) if heading else notebook.name
        pages.append(Page(notebook.name, title, str(article)))
    if not pages:
        raise UserError(Problem(str(folder), f"no built pages for {pid}",
                                "build the book first: policybook build"))
    return pages


PRINT_NOTE = "网页版中的数字可以点击查看出处；本打印版中，各页数字的出处见该页末的“数字出处”表。"


def _print_html(project: Project, period: str, pages: list[Page]) -> str:
    """One HTML document: cover, contents, the pages, print styles with page numbers."""
    import pylopdf_fonts_zh_cn

    font = Path(pylopdf_fonts_zh_cn.sans_path()).as_uri()
    label = period_label_zh(parse_period(period))
    title = html.escape(project.config.title)
    contents = "".join(f'<li><a href="#page-{p.name}">{html.escape(p.title)}</a></li>'
                       for p in pages)
    body = "".join(f'<section class="page" id="page-{p.name}">{p.body}</section>'
                   for p in pages)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}·{label}</title><style>
@font-face {{ font-family: "Book CJK"; src: url("{font}"); }}
@page {{ size: A4; margin: 20mm 18mm 22mm;
  @bottom-center {{ content: counter(page); font-family: "Book CJK"; font-size: 9pt; }} }}
@page :first {{ @bottom-center {{ content: none; }} }}
body {{ font-family: "Book CJK", sans-serif; font-size: 10.5pt; line-height: 1.7; color: #111; }}
.cover {{ page-break-after: always; padding-top: 70mm; text-align: center; }}
.cover h1 {{ font-size: 26pt; }} .cover p {{ font-size: 14pt; }}
.cover p.note {{ font-size: 10.5pt; margin-top: 60mm; }}
.contents {{ page-break-after: always; }}
section.page {{ page-break-before: always; }}
h1 {{ font-size: 18pt; }} h2 {{ font-size: 14pt; page-break-after: avoid; }}
img {{ max-width: 100%; height: auto; }} figure {{ page-break-inside: avoid; margin: 1em 0; }}
table {{ border-collapse: collapse; font-size: 8.5pt; width: 100%; }}
th, td {{ border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top;
  overflow-wrap: anywhere; }}
tr {{ page-break-inside: avoid; }} a {{ color: inherit; text-decoration: none; }}
details > summary {{ display: none; }}
</style></head><body>
<div class="cover"><h1>{title}</h1><p>{label}</p>
<p class="note">{PRINT_NOTE}</p></div>
<div class="contents"><h2>目录</h2><ol>{contents}</ol></div>
{body}</body></html>"""


def write_pdf(project: Project, period: str, out: Path) -> Path:
    """Print the period's pages to `out` with headless Chromium (UserError without it)."""
    browser = chromium()
    if browser is None:
        raise UserError(Problem("chromium", "no headless Chromium to print with",
                                "install it: apt-get install chromium fonts-noto-cjk"))
    pages = period_pages(project, period)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="policybook-print-") as tmp:
        source = Path(tmp) / "print.html"
        source.write_text(_print_html(project, period, pages), encoding="utf-8")
        partial = out.with_name(f".{out.name}.part")
        cmd = [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile",
               f"--print-to-pdf={partial}", source.as_uri()]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=TIMEOUT_S)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            partial.unlink(missing_ok=True)
            raise UserError(Problem(str(out), f"Chromium could not print the PDF ({exc})",
                                    "check that chromium runs headless")) from None
        partial.replace(out)
    return out


def write_docx(project: Project, period: str, out: Path) -> Path:
    """The period's pages as a Word document: headings, paragraphs, tables and charts."""
    from bs4 import BeautifulSoup
    from docx import Document
    from docx.shared import Cm

    pages = period_pages(project, period)
    doc = Document()
    doc.add_heading(project.config.title, 0)
    doc.add_paragraph(period_label_zh(parse_period(period)))
    for page in pages:
        doc.add_page_break()
        soup = BeautifulSoup(page.body, "html.parser")
        for node in soup.find_all(["h1", "h2", "h3", "p", "li", "table", "img"]):
            if node.find_parent("table") or (node.name in ("p", "li") and node.find_parent(
                    ["li", "figure"])):
                continue
            if node.name in ("h1", "h2", "h3"):
                doc.add_heading(node.get_text(" ", strip=True).rstrip("#"),
                                int(node.name[1]))
            elif node.name in ("p", "li"):
                text = node.get_text("", strip=True)
                if text:
                    doc.add_paragraph(text, style="List Bullet" if node.name == "li" else None)
            elif node.name == "img" and node.get("src", "").startswith("data:image/png;base64,"):
                data = base64.b64decode(node["src"].split(",", 1)[1])
                doc.add_picture(io.BytesIO(data), width=Cm(15))
                caption = node.find_next("figcaption")
                if caption:
                    doc.add_paragraph(caption.get_text(" ", strip=True))
            elif node.name == "table":
                rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
                        for tr in node.find_all("tr")]
                rows = [r for r in rows if r]
                if rows:
                    table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
                    table.style = "Table Grid"
                    for i, row in enumerate(rows):
                        for j, text in enumerate(row):
                            table.cell(i, j).text = text
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.part")
    doc.save(partial)
    partial.replace(out)
    return out


def print_editions(project: Project, period: str, folder: Path | None = None,
                   only_if_stale: bool = False) -> list[Path]:
    """Write <folder>/policybook_<P>.pdf (when Chromium is present) and .docx; their paths.
    With `only_if_stale`, editions made from the same built pages are kept as they are."""
    pid = parse_period(period).id
    folder = folder or project.book / "_build" / "print"
    targets = [folder / f"policybook_{pid}.docx"]
    if chromium() is not None:
        targets.insert(0, folder / f"policybook_{pid}.pdf")
    stamp, inputs = folder / f".policybook_{pid}.inputs", _inputs(project, pid)
    if only_if_stale and all(t.exists() for t in targets) and stamp.is_file() and (
            stamp.read_text(encoding="utf-8") == inputs):
        return targets
    written = [write_pdf(project, pid, t) if t.suffix == ".pdf" else write_docx(project, pid, t)
               for t in targets]
    stamp.write_text(inputs, encoding="utf-8")
    return written


def _inputs(project: Project, pid: str) -> str:
    """A hash of what a period's print edition is made from: its built pages (which no
    longer change when another period is added) and this module."""

    folder = project.book / "_build" / "html" / "periods" / pid
    return files_digest([Path(__file__), *sorted(folder.glob("*.html"))])
