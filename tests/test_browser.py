"""Every page of the built book in headless Chromium, offline: no remote request, no console
error, every chart loaded, Chinese text, and the Chinese full-text search (issue 7).

The book is built from the committed notebooks into a temporary directory (Sphinx only, a few
seconds), so the test does not depend on a previous `make book`. Without Chromium on PATH the
tests are skipped, unless $CI is set (then they fail: .ci/run installs Chromium).
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from browser import Browser, PageReport, Tab, chromium_or_skip
from conftest import ROOT

from analysis.build.toc import toc
from analysis.dataset.project import Project

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u3400-\u9fff]")
# Sphinx pages that are not in the table of contents
HELPERS = ["genindex", "search"]
# docnames in the order of the table of contents, read from the committed sources
PAGES = ["intro"] + [chapter["file"] for part in toc(Project(ROOT))["parts"]
                     for chapter in part["chapters"]] + HELPERS

# query -> pages the search must list (more may be listed)
SEARCHES = {
    "低保": {"periods/2020H1/social_assistance", "periods/2020H1/overview"},
    # a compound term: found only if jieba indexed it as one word (the user dictionary)
    "城市低保": {"periods/2020H1/social_assistance"},
    "特困人员": {"periods/2020H1/social_assistance"},
}
SEARCH_IDS = ["dibao", "urban-dibao", "tekun-persons"]

IMAGES_JS = """[...document.images].map(i => ({
    src: i.getAttribute('src').slice(0, 60), complete: i.complete, width: i.naturalWidth}))"""


@pytest.fixture(scope="session")
def chromium() -> str:
    return chromium_or_skip()


@pytest.fixture(scope="session")
def browser(chromium):
    with Browser(chromium) as b:
        yield b


def _open(browser: Browser, html: Path, page: str, query: str | None = None) -> Tab:
    """A tab with html/page loaded (search.html?q=query when a query is given)."""
    url = (html / page).as_uri()
    return browser.open(url if query is None else f"{url}?q={quote(query)}")


def _problems(report: PageReport, html: Path) -> list[str]:
    """Remote requests, files outside the book, failed loads, console errors, dialogs."""
    root = html.as_uri() + "/"
    outside = [u for u in report.requests if u.startswith("file:") and not u.startswith(root)]
    return ([f"remote request: {u}" for u in report.non_local_requests]
            + [f"file outside the book: {u}" for u in outside]
            + [f"console: {e}" for e in report.errors]
            + [f"dialog: {d}" for d in report.dialogs]
            + [f"failed load: {f}" for f in report.failed])


def _expects_images(html: Path, page: str) -> bool:
    """Whether the page's source notebook has image outputs (charts)."""
    source = ROOT / "book" / f"{page}.ipynb"
    return source.exists() and "image/png" in source.read_text(encoding="utf-8")


def test_every_built_page_is_checked(html):
    built = {p.relative_to(html).with_suffix("").as_posix() for p in html.rglob("*.html")
             if "_static" not in p.parts and "_sources" not in p.parts}
    assert built - {"index"} == set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors(browser, html, page):
    with _open(browser, html, f"{page}.html") as tab:
        images = tab.evaluate(IMAGES_JS)
        # the article's h1: genindex has an empty print-only h1 before it
        title, lang, h1 = tab.evaluate(
            "[document.title, document.documentElement.lang, "
            "(document.querySelector('article h1') ?? document.querySelector('h1'))?.innerText]")
        report = tab.settle()
    problems = _problems(report, html)
    assert not problems, "\n".join(problems)
    assert [i for i in images if not (i["complete"] and i["width"] > 0)] == []
    if _expects_images(html, page):
        assert images, f"{page}: the notebook has charts but the page shows no image"
    assert CJK.search(title), f"no Chinese in the title: {title!r}"
    assert CJK.search(h1 or ""), f"no Chinese in the h1: {h1!r}"
    assert lang.startswith("zh"), lang


def test_index_redirects_to_the_first_page(browser, html):
    with _open(browser, html, "index.html") as tab:
        tab.wait_until("location.pathname.endsWith('/intro.html') "
                       "&& document.readyState === 'complete' && !!document.querySelector('h1')")
        report = tab.settle()
    problems = _problems(report, html)
    assert not problems, "\n".join(problems)


def _search(browser: Browser, html: Path, query: str) -> tuple[list[str], str, PageReport]:
    """The docnames listed by search.html?q=query, the summary line, and the report."""
    with _open(browser, html, "search.html", query) as tab:
        summary = tab.wait_until(
            "document.querySelector('#search-results p.search-summary')?.innerText")
        links = tab.evaluate("[...document.querySelectorAll('#search-results ul.search > li > a')]"
                             ".map(a => a.getAttribute('href'))")
        report = tab.settle()
    found = [unquote(urlsplit(href).path).removeprefix("./").removesuffix(".html")
             for href in links]
    return found, summary, report


@pytest.mark.parametrize("query", SEARCHES, ids=SEARCH_IDS)
def test_search_finds_the_pages(browser, html, query):
    found, summary, report = _search(browser, html, query)
    missing = SEARCHES[query] - set(found)
    assert not missing, f"search for {query} lists {found} ({summary}), not {sorted(missing)}"
    problems = _problems(report, html)
    assert not problems, "\n".join(problems)


def _article_text(path: Path) -> str:
    """The text of a page's main content (what Sphinx indexes), tags and scripts removed."""
    page = path.read_text(encoding="utf-8")
    match = re.search(r"<article\b.*?>(.*)</article>", page, re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", "", match.group(1) if match else "", flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", text))


@pytest.mark.parametrize("query", ["低保", "城市低保"], ids=["dibao", "urban-dibao"])
def test_search_lists_every_page_that_contains_the_term(browser, html, query):
    """A domain term is found wherever it is written, also inside a longer indicator label
    (城市低保对象) or next to another term (城市低保标准)."""
    containing = {page for page in PAGES if page not in HELPERS
                  and query in _article_text(html / f"{page}.html")}
    found, summary, _ = _search(browser, html, query)
    assert containing - set(found) == set(), (
        f"search for {query} lists {sorted(found)} ({summary}); the term is written in "
        f"{sorted(containing)}")


def _sentences(browser: Browser, html: Path, query: str) -> list[dict]:
    """The sentences the search page shows for `query`: text, highlighted parts, link."""
    with _open(browser, html, "search.html", query) as tab:
        tab.wait_until("document.querySelector('#search-results p.search-summary')")
        return tab.evaluate(
            "[...document.querySelectorAll('ol.search-snippets a')].map(a => ({"
            "text: a.innerText, href: a.getAttribute('href'), "
            "marks: [...a.querySelectorAll('mark')].map(m => m.innerText)}))")


@pytest.mark.parametrize(("query", "page", "written"), [
    ("630", "periods/2020H1/social_assistance", "城乡低保标准为630元/人/月"),
    ("877077", "periods/2020H1/public_services", "877,077"),  # typed without separators
    ("城乡低保标准 630", "periods/2020H1/social_assistance", "城乡低保标准为630元/人/月"),
    ("特困人员供养标准", "periods/2020H1/social_assistance", "城市特困人员供养标准为1032元"),
], ids=["number", "number-with-separators", "two-words", "indicator-name"])
def test_search_shows_the_sentence_that_states_it(browser, html, query, page, written):
    sentences = _sentences(browser, html, query)
    stated = [s for s in sentences if written in s["text"].replace(" ", "")
              and urlsplit(s["href"]).path.removesuffix(".html").endswith(page)]
    assert stated, f"search for {query}: no sentence with {written} from {page}: {sentences[:5]}"
    assert all(s["marks"] for s in stated), stated


def test_search_matches_whole_numbers(browser, html):
    """63 is not found inside 630 or 1,632: only where 63 is written as a number of its own."""
    sentences = _sentences(browser, html, "63")
    whole = re.compile(r"(?<![\d.,])63(?![\d]|,\d)")
    assert all(whole.search(s["text"]) for s in sentences), [
        s["text"] for s in sentences if not whole.search(s["text"])]


def test_search_shows_hostile_text_as_text(browser, tmp_path):
    """Sentences are inserted as text: markup in the index is shown, never run."""
    from analysis.site.search_index import write_index

    folder = tmp_path / "snippets"
    folder.mkdir()
    payload = '<img src=x onerror="document.title=1">低保</script><script>alert(1)</script>'
    (folder / "p.json").write_text(json.dumps(
        {"page": "p", "title": "页", "snippets": [[payload, "a"]]}), encoding="utf-8")
    write_index(folder, ["p"], tmp_path / "searchsnippets.js")
    shutil.copy(ROOT / "book" / "_static" / "policybook-search.js", tmp_path)
    (tmp_path / "search.html").write_text(
        '<html><body><div id="search-results"></div><script src="searchsnippets.js"></script>'
        '<script src="policybook-search.js"></script></body></html>', encoding="utf-8")
    with _open(browser, tmp_path, "search.html", "低保") as tab:
        text = tab.wait_until("document.querySelector('ol.search-snippets a')?.innerText")
        title, images = tab.evaluate("[document.title, document.images.length]")
        report = tab.settle()
    assert text.replace(" ", "") == payload.replace(" ", "")
    assert (title, images, report.dialogs) == ("", 0, [])


def _fixture_search(browser: Browser, folder: Path, snippets: list[list[str]],
                    query: str) -> list[str]:
    """The sentences the book's search script lists for `query` over `snippets` alone."""
    from analysis.site.search_index import write_index

    (folder / "entries").mkdir(exist_ok=True)
    (folder / "entries" / "p.json").write_text(json.dumps(
        {"page": "p", "title": "页", "snippets": snippets}), encoding="utf-8")
    write_index(folder / "entries", ["p"], folder / "searchsnippets.js")
    shutil.copy(ROOT / "book" / "_static" / "policybook-search.js", folder)
    (folder / "search.html").write_text(
        '<html><body><div id="search-results"></div><script src="searchsnippets.js"></script>'
        '<script src="policybook-search.js"></script></body></html>', encoding="utf-8")
    with _open(browser, folder, "search.html", query) as tab:
        tab.wait_until("document.querySelector('#search-results p.search-summary')")
        return tab.evaluate("[...document.querySelectorAll('ol.search-snippets a')]"
                            ".map(a => a.innerText)")


@pytest.mark.parametrize("query", ["877,077", "877077", "877，077"],
                         ids=["with-separator", "without", "full-width-comma"])
def test_a_number_is_found_with_or_without_separators_either_way(browser, tmp_path, query):
    snippets = [["服务877077人。", "a"], ["金额877,077元。", "b"], ["另有1877077人。", "c"],
                ["又有877,0771人。", "d"]]
    found = _fixture_search(browser, tmp_path, snippets, query)
    assert sorted(found) == ["服务877077人。", "金额877,077元。"]


def test_search_sentences_are_set_like_body_text(browser, html):
    """The sentences under a page title have the size and weight of the page's paragraphs
    (the theme sets the links of its result list bold at 1.2em, meant for titles)."""
    with _open(browser, html, "search.html", "低保") as tab:
        tab.wait_until("document.querySelector('ol.search-snippets a')")
        sentence, body = tab.evaluate(
            "[document.querySelector('ol.search-snippets a'), document.querySelector("
            "'.search-help')].map(e => [getComputedStyle(e).fontSize, "
            "getComputedStyle(e).fontWeight])")
    assert sentence == body


def test_search_for_an_absent_word_finds_nothing(browser, html):
    found, summary, _ = _search(browser, html, "xyzzyplugh")
    assert found == [] and summary


def test_harness_sees_remote_requests_errors_and_broken_images(browser, tmp_path):
    """The checks above are not vacuous: a page that breaks each rule is caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<html lang="zh"><title>坏页</title><h1>坏页</h1>'
        '<img src="https://example.invalid/a.png"><img src="missing.png">'
        "<script>console.error('boom')</script><script>undefined_name()</script>",
        encoding="utf-8")
    with browser.open(page.as_uri()) as tab:
        images = tab.evaluate(IMAGES_JS)
        report = tab.settle()
    assert report.non_local_requests == ["https://example.invalid/a.png"]
    assert any("boom" in e for e in report.errors)
    assert any("undefined_name" in e for e in report.errors)
    assert any(f.startswith("Image") for f in report.failed)
    assert all(i["width"] == 0 for i in images)


def test_the_sidebar_lists_every_page_and_marks_the_current_one(browser, html):
    """The sidebar is filled from booknav.js: every page of the table of contents, with
    links that work from a page two folders down, the page itself marked."""
    page = "periods/2020H1/elderly_care"
    with _open(browser, html, f"{page}.html") as tab:
        links = tab.wait_until(
            "[...document.querySelectorAll('.book-nav a')].map(a => "
            "[a.href, a.classList.contains('current')])")
        report = tab.settle()
    listed = [unquote(urlsplit(href).path).removeprefix(unquote(urlsplit(html.as_uri()).path)
                                                        + "/").removesuffix(".html")
              for href, _ in links]
    assert listed == [p for p in PAGES if p not in HELPERS + ["intro"]]
    assert [p for p, (_, current) in zip(listed, links, strict=True) if current] == [page]
    assert all((html / f"{p}.html").exists() for p in listed)
    assert not _problems(report, html)
