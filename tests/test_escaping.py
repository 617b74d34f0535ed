"""Labels, notes, quotes and place names holding HTML or script are escaped in the built book.

A copy of the project gets a payload in one indicator's label, one figure's note and quote
(the quote stays verbatim in a copied source.txt) and the city's name; the social-assistance
notebook of 2020H1 is executed with papermill into the copy, the other executed notebooks are
taken as committed, and the whole book (appendix included) is built with Sphinx. No page may
hold a payload as markup, and in the browser no payload may run.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from browser import Browser, build_book, chromium_or_skip, copy_book_sources
from conftest import ROOT

from analysis.periods import parse_period
from analysis.pipeline import execute
from analysis.project import Project

PERIOD = "2020H1"
NOTEBOOK = "social_assistance"
INDICATOR = "dibao_standard"  # charted and traced on the social-assistance page
CITY = "341500"
# field -> the number its payload's alert() shows
FIELDS = {"label": 1, "note": 2, "quote": 3, "place": 4}


def payload(field: str) -> str:
    # no quotes in the onerror value: Markdown (MyST) passes such a tag through as HTML
    return f"<script>window.__xss_{field}=1</script><img src=x onerror=alert({FIELDS[field]})>"


def raw_markers(field: str) -> list[str]:
    """What a page holds when the payload went through as markup."""
    return [f"<script>window.__xss_{field}", f"<img src=x onerror=alert({FIELDS[field]})"]


ESCAPED = "&lt;script&gt;window.__xss_{}"
# where each field is shown, escaped (a note is only exported to the downloads, not shown)
SHOWN_ON = {"label": "periods/2020H1/social_assistance.html",
            "quote": "periods/2020H1/social_assistance.html",
            "place": "periods/2020H1/social_assistance.html"}


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
            return True

    def place(row):
        if row["code"] == CITY:
            row["name_zh"] += payload("place")
            return True

    quotes = {}

    def note_and_quote(row):
        if row["indicator"] == INDICATOR and row["geo"] == CITY:
            row["note"] += payload("note")
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


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    """The book built from a copy of the project with the payloads injected."""
    root = tmp_path_factory.mktemp("escaping")
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
    """Not vacuous: the executed notebook used the modified data."""
    executed = (html.parents[2] / "book" / "periods" / PERIOD / f"{NOTEBOOK}.ipynb")
    text = executed.read_text(encoding="utf-8")
    for field in SHOWN_ON:
        assert f"__xss_{field}" in text, field


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
    ran = {}
    with Browser(chromium) as browser:
        for name in shown:
            with browser.open((html / name).as_uri()) as tab:
                flags = tab.evaluate("Object.keys(window).filter(k => k.startsWith('__xss_'))")
                report = tab.settle()
            if flags or report.dialogs:
                ran[name] = flags + report.dialogs
    assert ran == {}, f"payloads ran: {ran}"
