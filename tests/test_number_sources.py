"""A number in the prose leads to its source on any device (issue "An edition officials can
circulate", item 4): click, tap or Enter opens a box (a dialog with a name) holding its clause,
or a computed value's formula, and a link to its row; Escape closes it and gives focus back to
the number; the row the link opens is marked over the zebra stripes and the row under the
mouse. Checked at phone, tablet and desktop widths in headless Chromium."""

from __future__ import annotations

import pytest
from browser import serious_violations

pytestmark = pytest.mark.slow
WIDTHS = [390, 800, 1024, 1366]
PAGE = "periods/2020H1/social_assistance.html"
OVERVIEW = "periods/2020H1/overview.html"
BOX = "document.getElementById('prov-box')"


def _page(chromium_browser, html, page: str, width: int, touch: bool = False):
    context = chromium_browser.new_context(viewport={"width": width, "height": 844},
                                   has_touch=touch, is_mobile=touch and width < 600)
    tab = context.new_page()
    tab.goto((html / page).as_uri(), wait_until="load")
    return tab


def _box(tab) -> dict:
    return tab.evaluate(f"""(() => {{ const b = {BOX}; if (!b) return null;
        const r = b.getBoundingClientRect();
        const name = document.getElementById(b.getAttribute('aria-labelledby'))?.innerText;
        return {{hidden: b.hidden, role: b.getAttribute('role'), name, text: b.innerText,
                 left: r.left, right: r.right, focused: b.contains(document.activeElement),
                 href: b.querySelector('a').getAttribute('href')}}; }})()""")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_click_opens_the_clause_in_a_named_dialog_and_escape_closes_it(chromium_browser, html, width):
    tab = _page(chromium_browser, html, PAGE, width)
    link = tab.locator("article a.prov:not(.derived)").first
    title, href = link.get_attribute("title"), link.get_attribute("href")
    assert _box(tab)["hidden"]
    link.click()
    box = _box(tab)
    assert not box["hidden"] and box["role"] == "dialog" and box["focused"]
    assert link.inner_text() in box["name"]
    assert title in box["text"] and box["href"] == href
    assert box["left"] >= 0 and box["right"] <= width  # inside the screen
    assert link.get_attribute("aria-expanded") == "true"
    tab.keyboard.press("Escape")
    assert _box(tab)["hidden"]
    assert tab.evaluate("document.activeElement.classList.contains('prov')")
    assert link.get_attribute("aria-expanded") == "false"
    tab.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_enter_on_a_number_opens_its_box(chromium_browser, html, width):
    tab = _page(chromium_browser, html, PAGE, width)
    link = tab.locator("article a.prov").first
    link.focus()
    tab.keyboard.press("Enter")
    assert not _box(tab)["hidden"]
    assert tab.url.endswith(PAGE)  # the page stayed: the box opened instead
    tab.keyboard.press("Escape")
    assert _box(tab)["hidden"]
    tab.context.close()


@pytest.mark.parametrize("width", [390, 800])
def test_a_tap_shows_a_computed_values_formula(chromium_browser, html, width):
    tab = _page(chromium_browser, html, OVERVIEW, width, touch=True)
    link = tab.locator("article a.prov.derived").first
    link.tap()
    box = _box(tab)
    assert not box["hidden"] and "计算值" in box["text"]
    assert link.get_attribute("title") in box["text"]
    tab.locator("body").tap(position={"x": 5, "y": 5})  # a tap elsewhere closes it
    assert _box(tab)["hidden"]
    tab.context.close()


ROW_BACKGROUNDS = """(() => {
    const target = document.querySelector('tr:target');
    const rows = [...target.parentElement.children].filter(r => r !== target);
    const bg = (r) => getComputedStyle(r).backgroundColor;
    return {target: bg(target), others: [...new Set(rows.map(bg))]}; })()"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_source_row_is_marked_over_the_stripes_and_the_mouse(chromium_browser, html, width):
    tab = _page(chromium_browser, html, PAGE, width)
    link = tab.locator("article a.prov:not(.derived)").first
    target = link.get_attribute("href").split("#", 1)[1]
    link.click()
    tab.locator("#prov-box a.prov-box-link").click()
    tab.wait_for_timeout(300)
    assert _box(tab)["hidden"]
    row = tab.locator(f"[id='{target}']")
    assert row.is_visible()
    # another row under the mouse: the target stays unlike every other row
    tab.locator(f"tr:not([id='{target}'])").last.hover()
    found = tab.evaluate(ROW_BACKGROUNDS)
    assert len(found["others"]) >= 2, found  # the stripes (and the hover) are drawn
    assert found["target"] not in found["others"], found
    tab.context.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_the_open_box_has_no_serious_accessibility_violation(chromium_browser, html, width):
    tab = _page(chromium_browser, html, OVERVIEW, width)
    tab.locator("article a.prov.derived").first.click()
    assert not _box(tab)["hidden"] and serious_violations(tab) == []
    tab.context.close()
