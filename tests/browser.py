"""A minimal headless-Chromium driver over the DevTools protocol, standard library only.

Chromium is started with `--remote-debugging-pipe`: it reads protocol commands from fd 3 and
writes responses and events to fd 4, each message a JSON object ended by a NUL byte. This
needs no websocket client and opens no TCP port. Each page is loaded in a fresh tab with the
network emulated offline; every request, failed load, console error and uncaught exception of
the tab is recorded in a `PageReport`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOCAL_SCHEMES = ("file:", "data:", "blob:")
TIMEOUT_S = 30.0


def find_chromium() -> str | None:
    """The Chromium (or Chrome) executable on PATH, if any."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


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
    """The browser died, timed out or answered a command with an error."""


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
        self._profile = tempfile.mkdtemp(prefix="policybook-chromium-")
        # pipe ends in the parent, moved to fds >= 10 so that dup2 to 3/4 cannot clobber them
        to_browser_r, to_browser_w = (self._high(fd) for fd in os.pipe())
        from_browser_r, from_browser_w = (self._high(fd) for fd in os.pipe())

        def child_fds() -> None:
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        cmd = [
            executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions",
            "--disable-default-apps", "--disable-domain-reliability", "--mute-audio",
            "--metrics-recording-only", "--disable-breakpad", "--disable-dev-shm-usage",
            "--hide-scrollbars", "--window-size=1280,900", "--lang=zh-CN",
            f"--user-data-dir={self._profile}", "--remote-debugging-pipe", "about:blank",
        ]
        self._log = open(os.path.join(self._profile, "stderr.log"), "wb")  # noqa: SIM115
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._log, pass_fds=(3, 4), preexec_fn=child_fds,
        )
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        self._out = os.fdopen(to_browser_w, "wb", buffering=0)
        self._in = os.fdopen(from_browser_r, "rb", buffering=0)
        self._lock = threading.Lock()
        self._next_id = 0
        self._replies: dict[int, queue.Queue] = {}
        self._sessions: dict[str, queue.Queue] = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        try:
            self.version = self.send("Browser.getVersion")["product"]
        except BrowserError as err:
            log = self.stderr
            self.close()
            raise BrowserError(f"{executable} did not start: {err}\n{log}") from None

    @property
    def stderr(self) -> str:
        """The last lines Chromium wrote to stderr."""
        path = os.path.join(self._profile, "stderr.log")
        if not os.path.exists(path):
            return ""
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-20:])

    @staticmethod
    def _high(fd: int) -> int:
        high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(fd)
        return high

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = self._in.read(1 << 16)
            if not chunk:
                break
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    box = self._replies.get(message["id"])
                    if box is not None:
                        box.put(message)
                elif message.get("sessionId") in self._sessions:
                    if message.get("method") == "Page.javascriptDialogOpening":
                        # a dialog blocks the page (and every later command): dismiss it here
                        with contextlib.suppress(BrowserError):
                            self._post("Page.handleJavaScriptDialog", {"accept": False},
                                       message["sessionId"])
                    self._sessions[message["sessionId"]].put(message)
        for box in [*self._replies.values(), *self._sessions.values()]:
            box.put(None)  # the browser is gone: wake every waiter

    def _post(self, method: str, params: dict | None = None, session: str | None = None,
              box: queue.Queue | None = None) -> int:
        """Write one command; its reply goes to `box` (or is dropped)."""
        with self._lock:
            self._next_id += 1
            mid = self._next_id
            if box is not None:
                self._replies[mid] = box
            message: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            try:
                self._out.write(json.dumps(message).encode() + b"\0")
            except OSError as err:
                self._replies.pop(mid, None)
                raise BrowserError(f"the browser is gone ({err}) while sending {method}") from None
        return mid

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = TIMEOUT_S) -> dict[str, Any]:
        """Send one command and wait for its result."""
        box: queue.Queue = queue.Queue()
        mid = self._post(method, params, session, box)
        try:
            reply = box.get(timeout=timeout)
        except queue.Empty:
            raise BrowserError(f"no answer to {method} within {timeout:.0f} s") from None
        finally:
            self._replies.pop(mid, None)
        if reply is None:
            raise BrowserError(f"the browser exited (code {self._proc.poll()}) during {method}")
        if "error" in reply:
            raise BrowserError(f"{method} failed: {reply['error']}")
        return reply.get("result", {})

    def open(self, url: str) -> Tab:
        """A new offline tab with `url` loaded (its load event fired)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        events: queue.Queue = queue.Queue()
        self._sessions[session] = events
        tab = Tab(self, target, session, events, url)
        tab.load()
        return tab

    def close(self) -> None:
        with contextlib.suppress(BrowserError):
            self.send("Browser.close", timeout=5)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._out.close()
        self._reader.join(timeout=5)
        self._in.close()
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Tab:
    """One page in its own tab; `report` collects what happened while it was open."""

    def __init__(self, browser: Browser, target: str, session: str, events: queue.Queue,
                 url: str) -> None:
        self.browser, self.target, self.session, self._events = browser, target, session, events
        self.report = PageReport(url)

    def send(self, method: str, params: dict | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, session=self.session)

    def load(self) -> None:
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        self.send("Network.setCacheDisabled", {"cacheDisabled": True})
        # every page as on a first visit: what earlier pages stored (theme mode, search
        # terms...) must not hide an error; file:// pages share one storage
        self.send("Page.addScriptToEvaluateOnNewDocument",
                  {"source": "try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}"})
        navigated = self.send("Page.navigate", {"url": self.report.url})
        if navigated.get("errorText"):
            self.report.failed.append(f"Document: {navigated['errorText']}")
        self._wait_for("Page.loadEventFired")
        # a late load event of the initial about:blank must not count as the page's
        self.wait_until("location.protocol !== 'about:' && document.readyState === 'complete'")

    def _handle(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        report = self.report
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            report.requests.append(url[:120] if url.startswith("data:") else url)
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            report.failed.append(f"{params.get('type')}: {params.get('errorText')}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            report.errors.append(f"console.{params['type']}: {args}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            report.errors.append(f"uncaught exception: {text}")
        elif method == "Page.javascriptDialogOpening":
            report.dialogs.append(f"{params['type']}: {params['message']}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            report.errors.append(f"log {entry['source']}: {entry['text']} {entry.get('url', '')}")

    def _wait_for(self, method: str, timeout: float = TIMEOUT_S) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"{self.report.url}: no {method} within {timeout:.0f} s")
            try:
                message = self._events.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise BrowserError(f"the browser exited while waiting for {method}")
            self._handle(message)
            if message.get("method") == method:
                return message

    def drain(self) -> None:
        """Record the events received so far."""
        while True:
            try:
                message = self._events.get_nowait()
            except queue.Empty:
                return
            if message is not None:
                self._handle(message)

    def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression (awaited if it is a promise)."""
        result = self.send("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression!r} threw: {result['exceptionDetails']}")
        self.drain()
        return result["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 10.0) -> Any:
        """Poll a JavaScript expression until it is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(expression)
            except BrowserError as err:  # e.g. the context went away in a navigation
                value, last = None, err
            else:
                last = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"{self.report.url}: {expression!r} still false "
                                   f"after {timeout:.0f} s" + (f" ({last})" if last else ""))
            time.sleep(0.05)

    def settle(self, quiet: float = 0.3) -> PageReport:
        """Wait until no event arrived for `quiet` seconds, then return the report."""
        while True:
            try:
                message = self._events.get(timeout=quiet)
            except queue.Empty:
                return self.report
            if message is None:
                return self.report
            self._handle(message)

    def close(self) -> None:
        self.browser._sessions.pop(self.session, None)
        with contextlib.suppress(BrowserError):
            self.browser.send("Target.closeTarget", {"targetId": self.target})

    def __enter__(self) -> Tab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def copy_book_sources(source_root: Path, dest: Path) -> None:
    """book/ of `source_root` into `dest`/book, without build output, downloads, the generated
    search dictionary or half-written papermill files: the executed notebooks as committed."""
    shutil.copytree(source_root / "book", dest / "book", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("_build", "_extra", "downloads", "_search_dict.txt",
                                                  ".ipynb_checkpoints", ".*.ipynb"))


def build_book(root: Path) -> Path:
    """Build the book of the project at `root` with `analysis.pipeline.build_book`, as
    `policybook build` does after executing the notebooks (none is executed here). The build
    runs with `root` as cwd, so `book/_search_dict.txt` of _config.yml resolves inside `root`.
    The directory of the HTML."""
    from analysis.pipeline import build_book as build
    from analysis.project import Project

    return build(Project(root)).parent
