"""`policybook build` publishes the book in one step: Sphinx writes into book/_build/.staging,
and book/_build/html (a symlink to a copy of the staged pages) is replaced only when the
build succeeded.

- A Sphinx build that fails (`-W`: an undefined reference in a page) leaves every file of the
  published html byte-identical and exits 1 with a message; so does the next build as long
  as the page is not fixed (the staging of a failed build starts over, so Sphinx cannot skip
  the page whose warning failed the build); once fixed, the next build publishes.
- `policybook build` SIGKILLed while Sphinx writes its output (or Sphinx itself killed, or
  Ctrl-C) leaves the published html byte-identical, and the next build succeeds and removes
  what the killed one left.
- A successful build swaps the new pages in and leaves only the published copy, the staging
  folder and the stamp; copies, links and the previous layout's files left by killed builds
  are removed, and the pages of a swap killed halfway are put back.

The slow tests run the real `policybook build` in copies of the project; the others replace
Sphinx with a stub that writes a few pages (`fake_sphinx`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser import copy_book_sources
from conftest import PINNED, ROOT, copy_data

from analysis.build import publish as book_build
from analysis.build.pipeline import build_book
from analysis.dataset.project import Project

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="uses SIGKILL and /proc")

BAD_REFERENCE = "\n\n参见{ref}`no-such-label`。\n"  # -n -W: an undefined label fails the build
TIMEOUT_S = 300


def snapshot(html: Path) -> dict[str, str]:
    """sha256 of every file the published book shows (through the html symlink)."""
    return {p.relative_to(html).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(html.rglob("*")) if p.is_file()}


def entries(folder: Path) -> list[str]:
    """What book/_build holds, with each published copy's name replaced by .html-<id>."""
    return sorted(".html-<id>" if p.name.startswith(".html-") and p.is_dir() else p.name
                  for p in folder.iterdir())


CLEAN = [".html-<id>", ".policybook-book.stamp", ".policybook-run.lock", ".staging", "html"]
# `policybook build` also records the sources the good build read (its no-change shortcut)
CLEAN_CLI = sorted([*CLEAN, ".policybook-sources.stamp"])


def policybook(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, timeout=TIMEOUT_S)


def new_project(root: Path) -> Project:
    """The pinned period's data, notebooks/ and the book's sources (its executed notebooks
    as committed)."""
    copy_data(root)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    copy_book_sources(ROOT, root)
    for folder in (root / "book" / "periods").iterdir():
        if folder.name != PINNED:
            shutil.rmtree(folder)
    return Project(root)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# ---------------------------------------------------------------------------- with Sphinx

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A project copy built once by `policybook build` (notebooks executed if stale)."""
    project = new_project(tmp_path_factory.mktemp("built") / "project")
    result = policybook("build", "--no-print", "--root", str(project.root), "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    return project.root


@pytest.fixture
def book(built, tmp_path) -> Project:
    """A copy of the built project (the html symlink kept as a symlink)."""
    shutil.copytree(built, tmp_path / "project", symlinks=True)
    return Project(tmp_path / "project")


def html_of(project: Project) -> Path:
    return project.book / "_build" / "html"


@pytest.mark.slow
def test_a_successful_build_swaps_the_new_pages_in(book):
    folder, html = book.book / "_build", html_of(book)
    assert html.is_symlink() and entries(folder) == CLEAN_CLI
    previous = os.readlink(html)
    append(book.book / "intro.md", "\n\n这是新增的一段。\n")
    # what killed builds leave: a half-made copy, a temporary link, the old layout's files
    (folder / ".html-0123456789ab").mkdir()
    (folder / ".html-0123456789ab" / "index.html").write_text("half", encoding="utf-8")
    (folder / ".html-feedfeedfeed.link").symlink_to(".html-0123456789ab")
    (folder / ".doctrees").mkdir()
    result = policybook("build", "--no-print", "--root", str(book.root), "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"book built: {html / 'index.html'}" in result.stdout
    assert html.is_symlink() and os.readlink(html) != previous
    assert "这是新增的一段" in (html / "intro.html").read_text(encoding="utf-8")
    assert entries(folder) == CLEAN_CLI
    # the stamp, written after the swap, says so: nothing changed since, Sphinx is skipped
    # and the same pages stay published
    published = os.readlink(html)
    again = policybook("build", "--no-print", "--root", str(book.root))
    assert again.returncode == 0 and "Sphinx skipped" in again.stderr
    assert os.readlink(html) == published


@pytest.mark.slow
def test_a_failing_sphinx_build_leaves_the_published_pages_byte_identical(book):
    html = html_of(book)
    before, target = snapshot(html), os.readlink(html)
    intro = book.book / "intro.md"
    good = intro.read_text(encoding="utf-8")
    append(intro, BAD_REFERENCE)
    for _ in range(2):  # the second time, Sphinx must not skip the page it wrote
        result = policybook("build", "--no-print", "--root", str(book.root), "-q")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "jupyter-book build failed" in result.stderr
        assert "book/_build/html is unchanged" in result.stderr
        assert "no-such-label" in result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        assert snapshot(html) == before and os.readlink(html) == target
        assert [p.name for p in html.parent.glob(".html-*")] == [target]
    intro.write_text(good + "\n\n改好了。\n", encoding="utf-8")
    result = policybook("build", "--no-print", "--root", str(book.root), "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "改好了" in (html / "intro.html").read_text(encoding="utf-8")
    assert entries(html.parent) == CLEAN_CLI


def _sphinx_of(pid: int) -> int | None:
    """The jupyter-book process that `pid` started, if any."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"jupyter-book" in command:
            return int(stat.parent.name)
    return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for_sphinx_output(proc: subprocess.Popen, staged: Path, since: float) -> int:
    """The pid of Sphinx (jupyter-book) once it wrote a page into `staged` after `since`."""
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the build ended before Sphinx wrote anything"
        if staged.is_dir():
            written = [p for p in staged.rglob("*.html") if p.stat().st_mtime >= since]
            sphinx = _sphinx_of(proc.pid)
            if written and sphinx is not None:
                return sphinx
        time.sleep(0.02)
    raise AssertionError(f"Sphinx wrote nothing into {staged} within {TIMEOUT_S} s")


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["policybook", "sphinx", "ctrl-c"])
def test_a_build_killed_while_sphinx_writes_leaves_the_published_pages(book, victim, tmp_path):
    """SIGKILL of policybook (Sphinx dies with it), SIGKILL of Sphinx alone, or Ctrl-C
    (SIGINT to the whole process group, as a terminal sends it)."""
    html, folder = html_of(book), book.book / "_build"
    before, target = snapshot(html), os.readlink(html)
    append(book.book / "intro.md", "\n\n被中断的一次构建。\n")
    since = time.time() - 1  # mtimes have a coarse resolution on some file systems
    with open(tmp_path / "stderr.txt", "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "analysis", "build", "--no-print", "--root", str(book.root), "-q"],
            stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
            # as from a terminal: a shell's background job (make test &) ignores SIGINT, and
            # a process started with SIGINT ignored never sees Ctrl-C
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        try:
            sphinx = _wait_for_sphinx_output(proc, folder / ".staging" / "_build" / "html",
                                             since)
            if victim == "ctrl-c":
                os.killpg(proc.pid, signal.SIGINT)
            else:
                os.kill(proc.pid if victim == "policybook" else sphinx, signal.SIGKILL)
            code = proc.wait(timeout=TIMEOUT_S)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    deadline = time.monotonic() + 10
    while _alive(sphinx) and time.monotonic() < deadline:  # it dies with policybook
        time.sleep(0.05)
    assert not _alive(sphinx), "Sphinx outlived the killed policybook"
    assert not (folder / ".staging" / "complete.stamp").exists(), "killed after Sphinx ended"
    message = (tmp_path / "stderr.txt").read_text(encoding="utf-8")
    if victim == "policybook":
        assert code == -signal.SIGKILL
    elif victim == "sphinx":
        assert code == 1 and "jupyter-book build was killed by signal 9 (SIGKILL)" in message
    else:
        assert code == 130 and message.rstrip().endswith(
            "interrupted: what was being written keeps its previous version")
    assert "Traceback" not in message
    assert snapshot(html) == before and os.readlink(html) == target

    result = policybook("build", "--no-print", "--root", str(book.root), "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "被中断的一次构建" in (html / "intro.html").read_text(encoding="utf-8")
    assert entries(folder) == CLEAN_CLI


# ---------------------------------------------------------------------------- Sphinx stubbed

def fake_sphinx(project: Project, staging: Path, quiet: bool, lock: int | None) -> None:
    """Stands in for `book_build.run_sphinx`: writes a few pages that differ at each build."""
    html = staging / "_build" / "html"
    (html / "_static").mkdir(parents=True, exist_ok=True)
    stamp = f"{time.time_ns()}"
    (html / "index.html").write_text(f"<p>index {stamp}</p>", encoding="utf-8")
    (html / "intro.html").write_text(f"<p>intro {stamp}</p>", encoding="utf-8")
    (html / "_static" / "style.css").write_text("p {}", encoding="utf-8")


@pytest.fixture
def stubbed(tmp_path, monkeypatch) -> Project:
    """A project copy whose book build uses `fake_sphinx`."""
    monkeypatch.setattr(book_build, "run_sphinx", fake_sphinx)
    return new_project(tmp_path / "project")


def test_the_previous_layout_is_replaced_by_a_symlink_on_the_next_build(stubbed):
    folder = stubbed.book / "_build"
    (folder / "html").mkdir(parents=True)  # Sphinx wrote here directly before
    (folder / "html" / "index.html").write_text("old", encoding="utf-8")
    for legacy in (".doctrees", "jupyter_execute"):
        (folder / legacy).mkdir()
    index = build_book(stubbed, quiet=True)
    assert index == folder / "html" / "index.html"
    assert (folder / "html").is_symlink() and index.read_text().startswith("<p>index")
    assert entries(folder) == CLEAN


def test_a_swap_killed_between_its_renames_gets_the_previous_pages_back(stubbed):
    folder = stubbed.book / "_build"
    build_book(stubbed, quiet=True)
    html = folder / "html"
    before, target = snapshot(html), os.readlink(html)
    # the state right after `html` was renamed away: no html
    (folder / target).rename(folder / ".html-aaaaaaaaaaaa.away")
    html.unlink()
    book_build.remove_leftovers(folder)
    assert html.is_dir() and snapshot(html) == before


def test_each_build_publishes_a_fresh_copy_and_removes_the_previous_one(stubbed):
    folder = stubbed.book / "_build"
    first = build_book(stubbed, quiet=True).read_text()
    target = os.readlink(folder / "html")
    second = build_book(stubbed, force=True, quiet=True).read_text()
    assert first != second and os.readlink(folder / "html") != target
    assert entries(folder) == CLEAN
    staged = folder / ".staging" / "_build" / "html" / "index.html"
    published = folder / "html" / "index.html"
    assert staged.stat().st_ino != published.stat().st_ino, "no inode shared with Sphinx"


def test_a_build_after_a_failed_one_starts_from_an_empty_staging(stubbed):
    build_book(stubbed, quiet=True)
    staging = stubbed.book / "_build" / ".staging"
    (staging / "_build" / "leftover.txt").write_text("from the failed build", encoding="utf-8")
    (staging / "complete.stamp").unlink()  # what a failed or killed Sphinx run leaves
    build_book(stubbed, force=True, quiet=True)
    assert not (staging / "_build" / "leftover.txt").exists()
    assert (staging / "complete.stamp").exists()


# ---------------------------------------------------------------------------- the run lock

HOLD = """\
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
os.pwrite(fd, f"{os.getpid()}\\n".encode(), 0)
print("held", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("command", ["run", "build"])
def test_a_run_that_must_wait_says_for_whom_and_gives_up_with_exit_2(project_copy, command):
    folder = project_copy.book / "_build"
    folder.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder / ".policybook-run.lock")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "analysis", command, "--root", str(project_copy.root),
             *(["--no-print"] if command == "build" else [])],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "POLICYBOOK_LOCK_TIMEOUT": "2"})
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2, result.stdout + result.stderr
    assert time.monotonic() - start < 30
    assert f"waiting for another run or build of this book (pid {holder.pid})" in result.stderr
    assert f"(pid {holder.pid}) has held the lock for 2 s" in result.stderr
    assert "Traceback" not in result.stderr
