"""The HTML book, built atomically: Sphinx writes into a staging folder of its own, and the
new pages replace the published ones in one step, only when the whole build succeeded.

book/_build/ (generated, never committed):

    html -> .html-<id>       what readers open (`policybook build` prints html/index.html):
                             a relative symlink, replaced atomically (os.replace of a new link)
    .html-<id>/              the published pages: a copy of the staged ones, never written
                             again; the previous copy is removed after the swap
    .staging/_build/html/    Sphinx's output, and beside it .doctrees/ and jupyter_execute/,
                             kept between builds so that Sphinx stays incremental (it compares
                             the sources' mtimes with its pickled environment and its output)
    .staging/complete.stamp  written when the last Sphinx run there succeeded: after a failed
                             or killed one the staging folder starts empty, since Sphinx would
                             not repeat the warnings of pages it wrote before it stopped
    .policybook-book.stamp   the inputs of the published pages, written after the swap
    .policybook-sources.stamp  what `policybook build` read for them (its no-change stop)
    .policybook-run.lock     one run or build of a book at a time (also held by Sphinx)

(a stamp is one digest, `hashing.digest`, in a text file: `analysis.files.read_stamp`)

A failed or killed build (policybook or Sphinx, even by SIGKILL) never changes what `html`
shows: the previous pages stay byte-identical, and what the build left behind (a staging
folder, a half-made copy) is not under `html`; the next build removes it. The published copy
is a real copy, not hard links: Sphinx rewrites its output files in place (`open(path, "w")`),
so a shared inode would change a published page while a build that may still fail runs.

`html` is a plain folder only in two cases, each swapped with two renames (for an instant in
between there is no `html`; a build killed then puts the previous pages back): the first
build after the previous layout (Sphinx wrote straight into html/), and Windows, where
creating a symlink needs a privilege.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from contextlib import suppress
from pathlib import Path

from analysis.build.hashing import BOOK_STAMP, book_hash
from analysis.build.lock import book_lock, die_with_parent
from analysis.build.toc import write_toc
from analysis.dataset.project import Project
from analysis.errors import TARGET_ERRNOS, NotebookFailed, UserError, problem, reported
from analysis.files import read_stamp, write_atomic
from analysis.language import N_, _

HTML = "html"
STAGING = ".staging"
PUBLISHED = ".html-"  # prefix of the published copies (and of a swap's temporary names)
COMPLETE = "complete.stamp"
UNCHANGED = N_("the published book in book/_build/html is unchanged")
OS_ERROR = re.compile(r"\[Errno (\d+)\] ([^:\n]+): '([^'\n]+)'")


def build_dir(project: Project) -> Path:
    return project.book / "_build"


def build(project: Project, *, force: bool = False, quiet: bool = False) -> Path:
    """Build the book unless the published pages are from the same inputs (or `force`);
    the path of index.html under book/_build/html."""
    folder = build_dir(project)
    index = folder / HTML / "index.html"
    with book_lock(folder, quiet) as lock:
        with reported(doing=N_("writing the table of contents")):
            write_toc(project)
        digest = book_hash(project)
        if not force and index.exists() and read_stamp(folder / BOOK_STAMP) == digest:
            if not quiet:
                print(_("book unchanged since its last build: Sphinx skipped"), file=sys.stderr)
            return index
        _rebuild(project, digest, force=force, quiet=quiet, lock=lock)
    return index


def _rebuild(project: Project, digest: str, *, force: bool, quiet: bool,
             lock: int | None) -> None:
    """Sphinx into the staging folder (unless it already holds these inputs' pages), then
    publish, then record the inputs of the published pages."""
    folder = build_dir(project)
    with reported(doing=_("removing what earlier builds left in {folder}").format(
            folder=folder)):
        remove_leftovers(folder)
    staging = folder / STAGING
    with reported(doing=N_("preparing the staging folder of the build")):
        prepare_staging(staging)
    if force or read_stamp(staging / COMPLETE) != digest:
        run_sphinx(project, staging, quiet, lock)
        with reported(doing=_("recording the build")):
            write_atomic(staging / COMPLETE, digest + "\n")
    with reported(doing=_("publishing the new pages ({unchanged})").format(
            unchanged=_(UNCHANGED))):
        publish(folder, staging / "_build" / HTML)
    with reported(doing=_("recording the build")):
        write_atomic(folder / BOOK_STAMP, digest + "\n")
    with suppress(OSError):  # the previous pages: removed at the next build otherwise
        remove_leftovers(folder)


# ---------------------------------------------------------------------------- leftovers

def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path)


def published(folder: Path) -> str | None:
    """The name of the copy `html` points to (None: no symlink there)."""
    html = folder / HTML
    return os.readlink(html) if html.is_symlink() else None


def remove_leftovers(folder: Path) -> None:
    """Copies of the pages that are not (or no longer) published, temporary links and
    stamps, the previous layout's Sphinx files; puts back the pages of a swap killed between
    its two renames."""
    html = folder / HTML
    away = sorted(folder.glob(f"{PUBLISHED}*.away"))
    if away and not (html.exists() or html.is_symlink()):
        away[-1].rename(html)
    current = published(folder)
    for entry in folder.glob(f"{PUBLISHED}*"):
        if entry.name != current:
            _remove(entry)
    for legacy in (".doctrees", "jupyter_execute"):  # Sphinx wrote into book/_build/ itself
        _remove(folder / legacy)
    for tmp in folder.glob(".*.*.stamp"):  # a stamp's temporary file (`write_atomic`)
        tmp.unlink(missing_ok=True)


def prepare_staging(staging: Path) -> None:
    """Keep Sphinx's staging folder (incremental builds) unless its last build did not
    succeed: then start from an empty one."""
    if staging.exists() and not (staging / COMPLETE).exists():
        shutil.rmtree(staging)
    staging.mkdir(exist_ok=True)


# ---------------------------------------------------------------------------- Sphinx

def _command(staging: Path) -> list[str]:
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else shutil.which("jupyter-book") or "jupyter-book",
           "build", "book", "--path-output", str(staging), "-W", "-n", "--keep-going", "-q"]
    return cmd


def run_sphinx(project: Project, staging: Path, quiet: bool, lock: int | None) -> None:
    """jupyter-book build (warnings are errors) into `staging`/_build/html, from the project
    root (where the search dictionary's path in _config.yml is resolved). Sphinx inherits
    the `lock` descriptor: if policybook is killed, the lock stays held until Sphinx is gone
    too. Raises `NotebookFailed` (Sphinx's output goes to stderr), or `UserError` for a disk
    that is full or read-only."""
    (staging / COMPLETE).unlink(missing_ok=True)
    if not quiet:
        print(_("building the HTML book (Sphinx)..."), file=sys.stderr)
    parent = os.getpid()  # Sphinx gets SIGKILL when policybook dies, even by SIGKILL
    result = subprocess.run(_command(staging), cwd=project.root, check=False,
                            capture_output=True, text=True, encoding="utf-8",
                            errors="replace", pass_fds=(lock,) if lock is not None else (),
                            preexec_fn=lambda: die_with_parent(parent))
    if result.returncode == 0:
        return
    output = result.stdout + result.stderr
    oserror = _os_error(output)
    if oserror is not None:
        raise UserError(problem(oserror, doing=_(
            "building the book with Sphinx ({unchanged})").format(unchanged=_(UNCHANGED))))
    sys.stderr.write(result.stdout[-20000:] + result.stderr[-20000:])
    how = (_("was killed by signal {number} ({name})").format(
        number=-result.returncode, name=_signal_name(-result.returncode))
           if result.returncode < 0 else _("failed (exit {code})").format(code=result.returncode))
    raise NotebookFailed(_("jupyter-book build {how}; {unchanged}").format(
        how=how, unchanged=_(UNCHANGED)))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown signal"


def _os_error(output: str) -> OSError | None:
    """A full or read-only disk that Sphinx reported ([Errno N] strerror: 'path')."""
    for match in OS_ERROR.finditer(output):
        number, strerror, filename = int(match[1]), match[2], match[3]
        if number in TARGET_ERRNOS:
            return OSError(number, strerror, filename)
    return None


# ---------------------------------------------------------------------------- publishing

def _copy_tree(source: Path, target: Path) -> None:
    """A real copy of `source` at `target` (new inodes); stops at the first error."""
    for folder, _folders, files in os.walk(source):
        here = target / Path(folder).relative_to(source)
        here.mkdir()
        for name in files:
            shutil.copyfile(Path(folder, name), here / name)


def publish(folder: Path, staged: Path) -> None:
    """Copy the staged pages to a new .html-<id> and make `html` show it, in one step."""
    if not (staged / "index.html").is_file():
        raise NotebookFailed(_("jupyter-book wrote no {index}; {unchanged}").format(
            index=staged / "index.html", unchanged=_(UNCHANGED)))
    new = folder / f"{PUBLISHED}{uuid.uuid4().hex[:12]}"
    try:
        _copy_tree(staged, new)
        swap(folder, new)
    except BaseException:
        with suppress(OSError):  # a full disk: give the space back now
            _remove(new)
        raise


def swap(folder: Path, new: Path) -> None:
    """Make `html` show `new`: os.replace of a new symlink (atomic); two renames where
    `html` is a plain folder (see the module docstring)."""
    html = folder / HTML
    link: Path | None = folder / f"{new.name}.link"
    try:
        os.symlink(new.name, link, target_is_directory=True)
    except OSError:
        if sys.platform != "win32":
            raise
        link = None  # no symlink privilege
    away = None
    if html.is_dir() and not html.is_symlink():
        away = folder / f"{new.name}.away"
        html.rename(away)
    try:
        if link is not None:
            os.replace(link, html)
        else:
            new.rename(html)
    except BaseException:
        if away is not None:
            with suppress(OSError):
                away.rename(html)
        raise
