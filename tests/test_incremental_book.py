"""Adding a period costs that period's pages plus the pages whose content depends on it: the
other pages are not rewritten, and yet every page's navigation lists the new period (the
sidebar is loaded from booknav.js, not baked into each page). The new period is a SYNTHETIC
copy of the pinned one (analysis.synthetic), in a copy of the project."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest
from browser import copy_book_sources
from conftest import PINNED, ROOT, copy_data
from synthetic import copy_period

from analysis.build.pipeline import build_book, run
from analysis.dataset.project import Project

pytestmark = pytest.mark.slow
# pages that state something about every period (or list them) and so change with a new one
DEPENDENT = {"intro.html", "trends.html", "appendix.html", "genindex.html", "search.html"}


def _pages(html: Path) -> dict[str, str]:
    return {p.relative_to(html).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in html.rglob("*.html") if "_static" not in p.parts}


def test_adding_a_period_rewrites_only_its_pages_and_the_dependent_ones(tmp_path):
    copy_data(tmp_path)
    for folder in ("notebooks", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    copy_book_sources(ROOT, tmp_path)
    project = Project(tmp_path)
    run(project, quiet=True)
    before = _pages(build_book(project).parent)

    copy_period(project, PINNED, "2021H1")
    run(project, quiet=True)
    html = build_book(project).parent
    after = _pages(html)

    added = {p for p in after if p.startswith("periods/2021H1/")}
    assert added, "the new period has no pages"
    changed = {p for p in before if after.get(p) != before[p]}
    assert changed <= DEPENDENT, f"rewritten although they do not depend on it: {changed - DEPENDENT}"
    assert all(after[p] == before[p] for p in before if p.startswith(f"periods/{PINNED}/"))
    nav = (html / "booknav.js").read_text(encoding="utf-8")
    assert all(f"periods/2021H1/{Path(p).stem}" in nav for p in added)
    assert "book-nav" in (html / f"periods/{PINNED}/overview.html").read_text(encoding="utf-8")


def _build(root: Path) -> str:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-print", "--root",
                           str(root)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_a_build_with_nothing_changed_stops_at_once_and_an_edit_reaches_the_page(tmp_path):
    """The second build finds the sources and the book of the last good build unchanged
    and stops before loading the data; an edited prose template and catalogue label make
    the next build execute the pages again, and the published page shows both."""
    copy_data(tmp_path)
    for folder in ("notebooks", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    copy_book_sources(ROOT, tmp_path)
    _build(tmp_path)
    start = time.monotonic()
    assert "nothing changed since the last build" in _build(tmp_path)
    assert time.monotonic() - start < 30
    template = tmp_path / "templates" / "elderly_care.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n\n本段为修改后新增的说明。\n",
                        encoding="utf-8")
    catalogue = tmp_path / "data" / "catalogue" / "indicators.csv"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace(
        ",政府购买居家养老服务订单,", ",政府购买的居家养老服务订单,", 1), encoding="utf-8")
    again = _build(tmp_path)
    assert "nothing changed" not in again and "0 executed" not in again
    page = tmp_path / "book" / "_build" / "html" / "periods" / PINNED / "elderly_care.html"
    text = page.read_text(encoding="utf-8")
    assert "本段为修改后新增的说明。" in text and "政府购买的居家养老服务订单" in text
    assert "nothing changed since the last build" in _build(tmp_path)
