"""The book's navigation on every screen (issue "An edition officials can circulate"): the
visible ☰ button (显示或隐藏目录) opens and closes the chapter list and 本页目录 the page's
contents, by touch and by keyboard, at phone, tablet, small-laptop and desktop widths; a
work-area link in the open drawer is visible and leads to its page; every page lists every
chapter and has 上一页/下一页; axe-core finds no serious or critical violation with a
drawer open. In headless Chromium (Debian's, through Playwright), offline.
"""

from __future__ import annotations

import pytest
from browser import serious_violations
from conftest import ROOT
from playwright.sync_api import expect

from analysis.build.toc import toc
from analysis.dataset.project import Project

pytestmark = pytest.mark.slow

WIDTHS = [390, 800, 1024, 1366]
WIDE = 992  # sphinx-book-theme: from here the chapter list is a column, not a drawer
PAGE = "periods/2020H1/social_assistance.html"
AREA = "养老服务"  # a work area's chapter (data/project.yml), linked from the chapter list
CHAPTERS = [chapter["file"] for part in toc(Project(ROOT))["parts"]
            for chapter in part["chapters"]]
PRIMARY = ".bd-header-article .primary-toggle"
SECONDARY = ".bd-header-article .secondary-toggle"


def _open(chromium_browser, url: str, width: int):
    """A touch-screen tab `width` px wide (offline) with `url` loaded."""
    context = chromium_browser.new_context(viewport={"width": width, "height": 900}, has_touch=True,
                                  offline=True, locale="zh-CN")
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_function("document.querySelector('.book-nav')?.dataset.filled === '1'")
    return page


SHOWN = """(() => {
    const dialog = document.getElementById('pst-primary-sidebar-modal');
    if (dialog.open) return true;
    const side = document.getElementById('pst-primary-sidebar');
    return side.getBoundingClientRect().width > 0
        && !side.classList.contains('pst-sidebar-hidden')
        && getComputedStyle(side).visibility !== 'hidden';
})()"""


def _chapter_list_shown(page, shown: bool = True) -> bool:
    """Whether the chapter list comes on screen (in the open drawer, or as the left column)
    or, with `shown` false, leaves it, within 2 s (the column slides)."""
    from playwright.sync_api import TimeoutError

    try:
        page.wait_for_function(SHOWN if shown else f"!{SHOWN}", timeout=2000)
    except TimeoutError:
        return False
    return True


@pytest.mark.parametrize("width", WIDTHS)
def test_the_menu_button_opens_the_chapter_list_and_a_work_area_link_works(html, chromium_browser,
                                                                          width):
    page = _open(chromium_browser, (html / PAGE).as_uri(), width)
    try:
        button = page.locator(PRIMARY)
        assert button.is_visible(), "the ☰ button is not shown"
        dialog = page.locator("#pst-primary-sidebar-modal")
        if width < WIDE:  # a drawer: closed until tapped
            assert _chapter_list_shown(page, shown=False)
            button.tap()
            page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open")
            link = dialog.get_by_role("link", name=AREA, exact=True)
        else:  # a column: shown, the button hides and shows it
            assert _chapter_list_shown(page)
            button.tap()
            assert _chapter_list_shown(page, shown=False)
            button.tap()
            link = page.locator("#pst-primary-sidebar").get_by_role("link", name=AREA,
                                                                     exact=True)
        expect(link).to_be_visible()  # waits for the drawer's transition
        assert _chapter_list_shown(page)
        assert serious_violations(page) == []
        link.tap()
        page.wait_for_url("**/periods/2020H1/elderly_care.html")
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [390, 800])
def test_the_keyboard_opens_and_closes_the_chapter_list(html, chromium_browser, width):
    page = _open(chromium_browser, (html / PAGE).as_uri(), width)
    try:
        button = page.locator(PRIMARY)
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("document.getElementById('pst-primary-sidebar-modal').open")
        expect(page.locator("#pst-primary-sidebar-modal").get_by_role(
            "link", name=AREA, exact=True)).to_be_visible()  # waits for the drawer to open
        page.keyboard.press("Escape")
        page.wait_for_function("!document.getElementById('pst-primary-sidebar-modal').open")
        assert page.evaluate("document.activeElement.matches('.primary-toggle')")
        # the list is back in its column, ready for the next time
        expect(page.locator("#pst-primary-sidebar .book-nav a[data-doc]")).to_have_count(
            len(CHAPTERS))
    finally:
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_contents_button_opens_the_page_contents(html, chromium_browser, width):
    page = _open(chromium_browser, (html / PAGE).as_uri(), width)
    try:
        button = page.locator(SECONDARY)
        contents = page.locator("#pst-page-navigation-heading-2, .bd-toc-nav").first
        if width >= 1200:  # the page's contents are a column, the button is not needed
            assert not button.is_visible() and contents.is_visible()
            return
        assert button.is_visible(), "the 本页目录 button is not shown"
        button.tap()
        page.wait_for_function("document.getElementById('pst-secondary-sidebar-modal').open")
        dialog = page.locator("#pst-secondary-sidebar-modal")
        entry = dialog.locator("a.nav-link").first
        expect(entry).to_be_visible()
        assert serious_violations(page) == []
        page.keyboard.press("Escape")
        page.wait_for_function("!document.getElementById('pst-secondary-sidebar-modal').open")
    finally:
        page.context.close()


@pytest.mark.parametrize("width", [390, 800])
def test_a_page_contents_entry_closes_the_drawer_and_shows_its_heading(html, chromium_browser,
                                                                         width):
    page = _open(chromium_browser, (html / PAGE).as_uri(), width)
    try:
        page.locator(SECONDARY).tap()
        page.wait_for_function("document.getElementById('pst-secondary-sidebar-modal').open")
        entry = page.locator("#pst-secondary-sidebar-modal a.nav-link", has_text="图表").first
        target = entry.get_attribute("href")
        entry.tap()
        page.wait_for_function("!document.getElementById('pst-secondary-sidebar-modal').open")
        page.wait_for_timeout(300)  # the scroll is made on the next frame
        top = page.evaluate(f"document.getElementById({target[1:]!r})"
                            ".getBoundingClientRect().top")
        assert 0 <= top < 200, f"the heading is {top} px from the top of the screen"
    finally:
        page.context.close()


def test_every_page_lists_every_chapter_and_links_its_neighbours(html, chromium_browser):
    pages = ["intro", *CHAPTERS]
    for at, doc in enumerate(pages):
        page = _open(chromium_browser, (html / f"{doc}.html").as_uri(), 390)
        try:
            listed = page.eval_on_selector_all(".book-nav a[data-doc]",
                                               "links => links.map(a => a.dataset.doc)")
            assert listed == CHAPTERS, doc
            prev = page.locator("nav.book-pager a[rel=prev]")
            following = page.locator("nav.book-pager a[rel=next]")
            assert prev.count() == (at > 0), doc
            assert following.count() == (at < len(pages) - 1), doc
            if at < len(pages) - 1:
                assert following.get_attribute("href").endswith(
                    pages[at + 1].rsplit("/", 1)[-1] + ".html"), doc
        finally:
            page.context.close()
