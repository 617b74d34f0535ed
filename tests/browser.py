"""Headless Chromium for the browser tests: Playwright driving Debian's chromium through
`executable_path` (no browser download).

Each page is loaded in a fresh offline browser context of its own (own storage and cache, as on
a first visit); every request, failed load, console error, uncaught exception and dialog of the
page is recorded in a `PageReport`. Playwright's sync API allows one running instance per
thread and the axe-core tests share another (conftest.chromium_browser), so each `Browser` drives Playwright from a
thread of its own: its methods can be called from any thread, at any time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
TIMEOUT_S = 30.0
# what keeps Chromium off the network and quiet here
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--lang=zh-CN"]
# Playwright's resource types are lower-case; the report names them as Chromium does
RESOURCE_TYPES = {"xhr": "XHR", "eventsource": "EventSource", "websocket": "WebSocket",
                  "texttrack": "TextTrack", "cspviolationreport": "CSPViolationReport"}
CLEAR_STORAGE = "try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}"


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH, if any."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on a Playwright page, each
    as 'rule (nodes): first target'."""
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [f"{v['id']} ({len(v['nodes'])}): {v['nodes'][0]['target']}"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def chromium_or_skip() -> str:
    """Chromium's path; without it the test is skipped, unless $CI is set: there a missing
    browser is a failure (.ci/run installs it)."""
    import pytest

    path = find_chromium()
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is not on PATH: .ci/run installs it with "
                    "`apt-get install chromium fonts-noto-cjk`", pytrace=False)
    pytest.skip("chromium is not on PATH (install it: apt-get install chromium fonts-noto-cjk); "
                "CI runs this test")


class BrowserError(RuntimeError):
    """The browser died, timed out or failed a command."""


@dataclass
class PageReport:
    """What one tab did while a page was open."""

    url: str
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def non_local_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]


class Browser:
    """One headless Chromium; `open(url)` gives a `Tab`. Use as a context manager."""

    def __init__(self, executable: str) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self._playwright = self._chromium = None
        self._closed = False
        try:
            self.version = self.call(self._launch, executable)
        except BaseException:
            self.close()
            raise

    def _launch(self, executable: str) -> str:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._chromium = self._playwright.chromium.launch(
            executable_path=executable, args=ARGS, timeout=TIMEOUT_S * 1000)
        return self._chromium.version

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """`function(*args)` run in this browser's Playwright thread; Playwright's errors
        raised as `BrowserError`."""
        from playwright.sync_api import Error

        try:
            return self._thread.submit(function, *args).result()
        except Error as err:
            raise BrowserError(err.message) from None

    def open(self, url: str) -> Tab:
        """A new offline tab with `url` loaded (its load event fired)."""
        return self.call(Tab, self, url)

    def close(self) -> None:
        def stop() -> None:
            try:
                if self._chromium is not None:
                    self._chromium.close()
            finally:
                if self._playwright is not None:
                    self._playwright.stop()
                self._playwright = self._chromium = None

        if self._closed:
            return
        self._closed = True
        try:
            self.call(stop)
        finally:
            self._thread.shutdown()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Tab:
    """One page in its own browser context; `report` collects what happened while it was
    open. Made in the browser's thread by `Browser.open`."""

    def __init__(self, browser: Browser, url: str) -> None:
        from playwright.sync_api import Error, TimeoutError

        self.browser, self.report = browser, PageReport(url)
        self._pending: set[Any] = set()  # the requests still loading
        self._last_event = time.monotonic()
        self._context = browser._chromium.new_context(
            offline=True, locale="zh-CN", viewport={"width": 1280, "height": 900})
        self._context.set_default_timeout(TIMEOUT_S * 1000)
        # every page as on a first visit, also after a redirect within the tab
        self._context.add_init_script(CLEAR_STORAGE)
        self._page = page = self._context.new_page()
        for event in ("request", "requestfinished", "requestfailed", "console", "pageerror",
                      "dialog"):
            page.on(event, getattr(self, f"_on_{event}"))
        try:
            try:
                page.goto(url, wait_until="load")
            except TimeoutError:
                raise BrowserError(f"{url}: not loaded within {TIMEOUT_S:.0f} s") from None
            except Error as err:  # the browser shows its error page, which is loaded
                self.report.failed.append(f"Document: {err.message.splitlines()[0]}")
            # a late load event of the initial about:blank must not count as the page's
            self._wait_until(
                "location.protocol !== 'about:' && document.readyState === 'complete'", 10.0)
        except BaseException:
            self._context.close()
            raise

    def _event(self) -> None:
        self._last_event = time.monotonic()

    def _on_request(self, request: Any) -> None:
        self._event()
        self._pending.add(request)
        self.report.requests.append(request.url)

    def _on_requestfinished(self, request: Any) -> None:
        self._event()
        self._pending.discard(request)

    def _on_requestfailed(self, request: Any) -> None:
        self._event()
        self._pending.discard(request)
        if request.failure != "net::ERR_ABORTED":  # cancelled, e.g. by a navigation
            kind = RESOURCE_TYPES.get(request.resource_type, request.resource_type.title())
            self.report.failed.append(f"{kind}: {request.failure} {request.url}")

    def _on_console(self, message: Any) -> None:
        self._event()
        if message.type in ("error", "assert"):
            where = message.location.get("url")
            self.report.errors.append(f"console.{message.type}: {message.text}"
                                      + (f" ({where})" if where else ""))

    def _on_pageerror(self, error: Any) -> None:
        self._event()
        self.report.errors.append(f"uncaught exception: {error.stack or error.message}")

    def _on_dialog(self, dialog: Any) -> None:
        self._event()
        self.report.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()  # a dialog blocks the page: dismiss it

    def _evaluate(self, expression: str) -> Any:
        from playwright.sync_api import Error

        try:
            return self._page.evaluate(expression)
        except Error as err:
            raise BrowserError(f"{expression!r} threw: {err.message}") from None

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression (awaited if it is a promise)."""
        return self.browser.call(self._evaluate, expression)

    def _wait_until(self, expression: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            try:
                value, last = self._evaluate(expression), None
            except BrowserError as err:  # e.g. the context went away in a navigation
                value, last = None, err
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"{self.report.url}: {expression!r} still false "
                                   f"after {timeout:g} s" + (f" ({last})" if last else ""))
            self._page.wait_for_timeout(50)

    def wait_until(self, expression: str, timeout: float = 10.0) -> Any:
        """Poll a JavaScript expression until it is truthy; its value."""
        return self.browser.call(self._wait_until, expression, timeout)

    def _settle(self, quiet: float) -> PageReport:
        start = time.monotonic()
        deadline = start + TIMEOUT_S
        while True:
            now = time.monotonic()
            idle = now - max(self._last_event, start)
            if idle >= quiet and not self._pending:
                return self.report
            if now > deadline:
                raise BrowserError(f"{self.report.url}: {len(self._pending)} requests still "
                                   f"loading after {TIMEOUT_S:.0f} s")
            self._page.wait_for_timeout(max(quiet - idle, 0.05) * 1000)

    def settle(self, quiet: float = 0.3) -> PageReport:
        """Wait until no request is loading and no event arrived for `quiet` seconds, then
        return the report."""
        return self.browser.call(self._settle, quiet)

    def close(self) -> None:
        with contextlib.suppress(BrowserError):  # the browser is gone: so is the tab
            self.browser.call(self._context.close)

    def __enter__(self) -> Tab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def copy_book_sources(source_root: Path, dest: Path) -> None:
    """book/ of `source_root` into `dest`/book, without build output, downloads, the generated
    search dictionary or half-written papermill files: the executed notebooks as committed;
    and templates/, the wording the notebooks render."""
    if not (dest / "templates").exists():
        shutil.copytree(source_root / "templates", dest / "templates")
    shutil.copytree(source_root / "book", dest / "book", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("_build", "_extra", "_extra_inputs", "downloads",
                                                  ".ipynb_checkpoints",
                                                  ".*.ipynb"))


def build_book(root: Path) -> Path:
    """Build the book of the project at `root` with `analysis.build.pipeline.build_book`, as
    `policybook build` does after executing the notebooks (none is executed here), with
    `root` as cwd. The directory of the HTML."""
    from analysis.build.pipeline import build_book as build
    from analysis.dataset.project import Project

    return build(Project(root)).parent
