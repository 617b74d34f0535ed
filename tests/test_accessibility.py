"""Every page of the built book, at desktop (1366 px) and phone (390 px) width, with every
collapsed table opened, has no serious or critical WCAG 2.1 A/AA violation (axe-core, run by
axe-playwright-python in Debian's Chromium through Playwright, offline), and no chart is
wider than the phone's screen. Set $POLICYBOOK_SCREENSHOTS to a folder to keep a full-page
screenshot of each page at each width.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import serious_violations

pytestmark = pytest.mark.slow
WIDTHS = {"desktop": 1366, "phone": 390}


def _pages(html: Path) -> list[Path]:
    return [p for p in sorted(html.rglob("*.html"))
            if "_static" not in p.parts and p.name not in ("genindex.html", "search.html")]


def _open(chromium_browser, url: str, width: int):
    page = chromium_browser.new_page(viewport={"width": width, "height": 900})
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")  # index.html forwards to the first page
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.wait_for_timeout(600)  # let the opening transitions finish before measuring colours
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_violation_on_any_page(html, chromium_browser, width):
    found = {}
    shots = os.environ.get("POLICYBOOK_SCREENSHOTS")
    for path in _pages(html):
        page = _open(chromium_browser, path.as_uri(), WIDTHS[width])
        serious = serious_violations(page)
        if serious:
            found[path.relative_to(html).as_posix()] = serious
        if shots:
            name = path.relative_to(html).as_posix().replace("/", "__")
            page.screenshot(path=str(Path(shots) / f"{width}_{name}.png"), full_page=True)
        page.close()
    assert found == {}


def test_charts_fit_the_phone_screen(html, chromium_browser):
    too_wide = {}
    for path in _pages(html):
        page = _open(chromium_browser, path.as_uri(), WIDTHS["phone"])
        widths = page.evaluate("[...document.querySelectorAll('figure.policy-chart img')]"
                               ".map(i => i.getBoundingClientRect().right)")
        if any(w > WIDTHS["phone"] for w in widths):
            too_wide[path.name] = widths
        page.close()
    assert too_wide == {}


def test_clicking_a_number_shows_its_row_in_the_source_table(html, chromium_browser):
    page = _open(chromium_browser, (html / "periods/2020H1/social_assistance.html").as_uri(), 1366)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
    link = page.locator("a.prov:not(.derived)").first
    target = link.get_attribute("href").split("#", 1)[1]
    assert link.get_attribute("title")  # the clause, on hover
    link.click()  # opens the clause with a link to the row (test_number_sources.py)
    page.locator("#prov-box a.prov-box-link").click()
    page.wait_for_timeout(300)
    assert page.locator(f"[id='{target}']").is_visible()
    page.close()
