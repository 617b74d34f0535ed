"""Text from data is inert in every sink of the built book: HTML, MyST, matplotlib, the
search dictionary and the downloads.

A copy of the project gets hostile text in one indicator's label and description, one
figure's note and quote (the quote stays verbatim in a copied source.txt), the city's name
and the period's source title: HTML (script, onerror), MyST roles and links that would copy
a file from outside the project into the book (`{download}`, relative links), remote images,
`{math}` (which would load MathJax from a CDN), code fences, `$...$` (matplotlib math) and
spreadsheet formulas. The social-assistance notebook of 2020H1 is executed with papermill
into the copy, the other executed notebooks are taken as committed, and the whole book
(appendix and downloads included) is built with Sphinx.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from browser import Browser, build_book, chromium_or_skip, copy_book_sources
from conftest import ROOT

from analysis.build.pipeline import execute
from analysis.dataset.periods import parse_period
from analysis.dataset.project import Project

pytestmark = pytest.mark.slow

PERIOD = "2020H1"
NOTEBOOK = "social_assistance"
INDICATOR = "dibao_standard"  # charted and traced on the social-assistance page
CITY = "341500"
# field -> the number its payload's alert() shows
FIELDS = {"label": 1, "note": 2, "quote": 3, "place": 4, "description": 5, "title": 6}
SECRET = "SECRET-FROM-OUTSIDE-THE-PROJECT-7f3a"
FORMULA = '=HYPERLINK("http://example.invalid/x","点击")'


def payload(field: str) -> str:
    # no quotes in the onerror value: Markdown (MyST) passes such a tag through as HTML
    return (f"<script>window.__xss_{field}=1</script><img src=x onerror=alert({FIELDS[field]})>"
            f"{{download}}`leak_{field} <../../../../outside/secret.txt>`"
            f"[link_{field}](../../../outside/secret.txt)"
            f"![remote_{field}](http://example.invalid/{field}.png)"
            f"{{math}}`x_{field}^2`$m_{field}^2$"
            f"\n```python\nprint('fence_{field}')\n```\n")


def raw_markers(field: str) -> list[str]:
    """What a page holds when the payload went through as markup."""
    return [f"<script>window.__xss_{field}", f"<img src=x onerror=alert({FIELDS[field]})",
            f'<img alt="remote_{field}"', f">link_{field}</a>", f"leak_{field}</span></a>",
            f'<span class="pre">leak_{field}', f"fence_{field}')</span>"]


ESCAPED = "&lt;script&gt;window.__xss_{}"
# where each field is shown, escaped (a note and a description are only in the downloads)
SHOWN_ON = {"label": "periods/2020H1/social_assistance.html",
            "quote": "periods/2020H1/social_assistance.html",
            "place": "periods/2020H1/social_assistance.html",
            "title": "periods/2020H1/social_assistance.html"}


def _rewrite_csv(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows, path
    fields = list(rows[0])
    hits = sum(bool(change(row)) for row in rows)
    assert hits == 1, f"{path.name}: {hits} rows changed"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _inject(root: Path) -> None:
    catalogue = root / "data" / "catalogue"
    period = root / "data" / "periods" / PERIOD

    def label(row):
        if row["id"] == INDICATOR:
            row["label_zh"] += payload("label")
            row["description"] += payload("description")
            return True

    def place(row):
        if row["code"] == CITY:
            row["name_zh"] += payload("place")
            return True

    quotes = {}

    def note_and_quote(row):
        if row["indicator"] == INDICATOR and row["geo"] == CITY:
            row["note"] = FORMULA + payload("note")
            quotes["old"], quotes["new"] = row["quote"], row["quote"] + payload("quote")
            row["quote"] = quotes["new"]
            return True

    _rewrite_csv(catalogue / "indicators.csv", label)
    _rewrite_csv(catalogue / "geo.csv", place)
    _rewrite_csv(period / "figures.csv", note_and_quote)
    source = period / "source.txt"
    text = source.read_text(encoding="utf-8")
    assert quotes["old"] in text
    # a new line, so that every other quote of the report stays verbatim as well
    source.write_text(text.rstrip("\n") + "\n" + quotes["new"] + "\n", encoding="utf-8")
    meta_path = period / "source.yml"
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    meta["title"] += payload("title")
    meta_path.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    """The book built from a copy of the project with the payloads injected."""
    base = tmp_path_factory.mktemp("escaping")
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_text(SECRET, encoding="utf-8")
    root = base / "project"
    for name in ("data", "notebooks"):
        shutil.copytree(ROOT / name, root / name)
    copy_book_sources(ROOT, root)
    _inject(root)
    execute(Project(root), parse_period(PERIOD), NOTEBOOK)
    return build_book(root)


def _pages(html: Path) -> dict[str, str]:
    return {p.relative_to(html).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(html.rglob("*.html")) if "_static" not in p.parts}


def test_the_payloads_reached_the_book(html):
    """Not vacuous: the executed notebook used the modified data, without an error."""
    executed = (html.parents[2] / "book" / "periods" / PERIOD / f"{NOTEBOOK}.ipynb")
    text = executed.read_text(encoding="utf-8")
    for field in SHOWN_ON:
        assert f"__xss_{field}" in text, field
    assert "Traceback" not in text and '"output_type": "error"' not in text


def test_nothing_from_outside_the_project_is_copied_into_the_book(html):
    leaked = [p for p in html.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaked == []
    assert not (html / "_downloads").exists()  # no file copied by a role
    downloads = sorted(p.name for p in (html / "downloads").rglob("*") if p.is_file())
    assert downloads == ["changes.xlsx", "changes_zh.csv", "figures.csv",
                         f"figures_{PERIOD}.xlsx", f"figures_zh_{PERIOD}.csv"]


def test_pages_load_no_mathjax_and_no_remote_image(html):
    for name, page in _pages(html).items():
        assert "mathjax" not in page.lower(), name
        assert 'src="http' not in page, name


def test_downloads_show_formulas_as_text(html):
    [figures_csv] = (html / "downloads").rglob("figures.csv")
    with figures_csv.open(encoding="utf-8-sig", newline="") as f:
        notes = [row["note"] for row in csv.DictReader(f)]
    assert "'" + FORMULA + payload("note").replace("\n", "\n") in notes
    [reader_csv] = (html / "downloads").rglob("figures_zh_*.csv")
    with reader_csv.open(encoding="utf-8-sig", newline="") as f:
        cells = [cell for row in csv.DictReader(f) for cell in row.values()]
    # the English payload note is left out of the Chinese download; no cell is a formula
    assert not [c for c in cells if c.startswith(FORMULA)]
    [xlsx] = (html / "downloads").rglob("figures_*.xlsx")
    cells = [c for ws in openpyxl.load_workbook(xlsx).worksheets for row in ws.iter_rows()
             for c in row if isinstance(c.value, str) and c.value.startswith(FORMULA)]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


@pytest.mark.parametrize("field", FIELDS)
def test_payload_is_not_markup_in_any_page(html, field):
    leaks = {name: marker for name, page in _pages(html).items()
             for marker in raw_markers(field) if marker in page}
    assert leaks == {}, f"the {field} payload is rendered as HTML in {sorted(leaks)}"
    if field in SHOWN_ON:
        assert ESCAPED.format(field) in (html / SHOWN_ON[field]).read_text(encoding="utf-8")


def test_no_payload_runs_in_the_browser(html):
    chromium = chromium_or_skip()
    shown = [name for name, page in _pages(html).items() if "__xss_" in page]
    assert shown
    ran, remote = {}, {}
    with Browser(chromium) as browser:
        for name in shown:
            with browser.open((html / name).as_uri()) as tab:
                flags = tab.evaluate("Object.keys(window).filter(k => k.startsWith('__xss_'))")
                report = tab.settle()
            if flags or report.dialogs:
                ran[name] = flags + report.dialogs
            if report.non_local_requests:
                remote[name] = report.non_local_requests
    assert ran == {}, f"payloads ran: {ran}"
    assert remote == {}, f"pages fetched from outside the book: {remote}"
