"""Shared fixtures: the project checkout and a disposable copy of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis.dataset.project import Project
from analysis.language import ENGLISH, use

ROOT = Path(__file__).resolve().parents[1]

# the tests pin the English wording (in this process and in the commands and kernels they
# start); tests/test_language.py checks that policybook speaks Chinese by default
os.environ["POLICYBOOK_LANG"] = ENGLISH
use(ENGLISH)


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


PINNED = "2020H1"  # the period whose figures and verdicts tests may pin


def copy_data(dest: Path, periods: tuple[str, ...] = (PINNED,)) -> None:
    """data/ of the checkout into `dest`/data with only `periods`: tests that add periods or
    count pages never meet the real periods added later."""
    (dest / "data" / "periods").mkdir(parents=True)
    for name in ("catalogue", "reference"):
        shutil.copytree(ROOT / "data" / name, dest / "data" / name)
    shutil.copyfile(ROOT / "data" / "project.yml", dest / "data" / "project.yml")
    for period in periods:
        shutil.copytree(ROOT / "data" / "periods" / period, dest / "data" / "periods" / period)


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium (the system's, driven by Playwright) for the browser tests of a
    test process; skipped without Chromium, except under $CI."""
    from browser import ARGS, chromium_or_skip

    executable = chromium_or_skip()
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def all_comparators(tmp_path_factory) -> Path:
    """A copy of data/ whose comparator sources are all marked news reports (SYNTHETIC: the
    reposts and mirrors promoted), so that every comparator of the reference data is drawn."""
    root = tmp_path_factory.mktemp("all_comparators")
    copy_data(root)
    sources = root / "data" / "reference" / "sources.csv"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        ",repost_or_mirror,", ",news_report,"), encoding="utf-8")
    return root


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A copy of data/ holding only the pinned period (and notebooks/) to modify freely."""
    copy_data(tmp_path)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "book").mkdir()
    return Project(tmp_path)


@pytest.fixture(scope="session")
def html(tmp_path_factory) -> Path:
    """The book built from the committed sources into a temporary directory (Sphinx only),
    or the built HTML directory named by $POLICYBOOK_TEST_HTML (e.g. book/_build/html after
    `make book`)."""
    import os

    from browser import build_book, copy_book_sources

    if os.environ.get("POLICYBOOK_TEST_HTML"):
        return Path(os.environ["POLICYBOOK_TEST_HTML"]).resolve()
    root = tmp_path_factory.mktemp("book")
    (root / "data").symlink_to(ROOT / "data")
    copy_book_sources(ROOT, root)
    return build_book(root)


# the indicators the book's notebooks pass to the standards and average-payment charts
STANDARDS = ["dibao_standard", "tekun_rural_basic_standard", "tekun_urban_standard"]
AVERAGE_PAYMENT = ("dibao_standard", [
    ("城市低保", "dibao_urban_spending", "dibao_urban_recipients"),
    ("农村低保", "dibao_rural_spending", "dibao_rural_recipients")])
