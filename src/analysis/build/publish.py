"""The HTML book, built atomically: Sphinx writes into a staging folder of its own, and the
new pages replace the published ones in one step, only when the whole build succeeded.

book/_build/ (never committed):

    html -> .html-<id>       what readers open: a relative symlink, replaced by os.replace
    .html-<id>/              the published pages, a real copy of the staged ones (Sphinx
                             rewrites its output in place: a shared inode would change them);
                             a file Sphinx left as it was (same size and modification time,
                             which the copy keeps) is a hard link to the previous copy's
                             instead, so a build copies only what changed
    .staging/                Sphinx's output and environment, kept so it stays incremental;
                             complete.stamp there says its last run succeeded (else the next
                             starts empty, since Sphinx would not repeat the warnings of pages
                             it wrote before it stopped)
    .policybook-book.stamp   the inputs of the published pages, written after the swap

A failed or killed build never changes what `html` shows; the next build removes what it
left. `html` is a plain folder only after the previous layout (Sphinx wrote straight into
html/): it is swapped with two renames, and a build killed between them puts it back.
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
from analysis.pages.appendix import write_appendix
from analysis.site.sphinxext import GENERATED_ENV

PUBLISHED = ".html-"  # prefix of the published copies (and of a swap's temporary names)
COMPLETE = "complete.stamp"
UNCHANGED = N_("the published book in book/_build/html is unchanged")
OS_ERROR = re.compile(r"\[Errno (\d+)\] ([^:\n]+): '([^'\n]+)'")


def build(project: Project, *, force: bool = False, quiet: bool = False) -> Path:
    """Build the book unless the published pages are from the same inputs (or `force`);
    the path of index.html under book/_build/html."""
    folder = project.book / "_build"
    index, staging = folder / "html" / "index.html", folder / ".staging"
    with book_lock(folder, quiet) as lock:
        with reported(doing=N_("writing the table of contents")):
            write_toc(project)
        digest = book_hash(project)
        if not force and index.exists() and read_stamp(folder / BOOK_STAMP) == digest:
            if not quiet:
                print(_("book unchanged since its last build: Sphinx skipped"), file=sys.stderr)
            return index
        with reported(doing=N_("preparing the staging folder of the build")):
            remove_leftovers(folder)
            if staging.exists() and not (staging / COMPLETE).exists():
                shutil.rmtree(staging)  # a failed or killed Sphinx run's
            staging.mkdir(exist_ok=True)
        if force or read_stamp(staging / COMPLETE) != digest:
            run_sphinx(project, staging, quiet, lock)
            with reported(doing=_("recording the build")):
                write_atomic(staging / COMPLETE, digest + "\n")
        with reported(doing=_("publishing the new pages ({unchanged})").format(
                unchanged=_(UNCHANGED))):
            publish(folder, staging / "_build" / "html")
        with reported(doing=_("recording the build")):
            write_atomic(folder / BOOK_STAMP, digest + "\n")
        with suppress(OSError):  # the previous pages: removed at the next build otherwise
            remove_leftovers(folder)
    return index


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def remove_leftovers(folder: Path) -> None:
    """Copies of the pages that are not (or no longer) published, temporary links and
    stamps, the previous layout's Sphinx files; puts back the pages of a swap killed between
    its two renames."""
    html = folder / "html"
    away = sorted(folder.glob(f"{PUBLISHED}*.away"))
    if away and not (html.exists() or html.is_symlink()):
        away[-1].rename(html)
    current = os.readlink(html) if html.is_symlink() else None
    for entry in [*folder.glob(f"{PUBLISHED}*"), folder / ".doctrees",
                  folder / "jupyter_execute", *folder.glob(".*.*.stamp")]:
        if entry.name != current:
            _remove(entry)


def run_sphinx(project: Project, staging: Path, quiet: bool, lock: int) -> None:
    """jupyter-book build (warnings are errors) into `staging`/_build/html, from the project
    root, after writing the appendix and downloads here, from the dataset this process has
    loaded (Sphinx's hook that writes them is told so and skips). Sphinx inherits the `lock`
    descriptor and dies with policybook. Raises `NotebookFailed` (Sphinx's output goes to
    stderr), or `UserError` for a disk that is full or read-only."""
    (staging / COMPLETE).unlink(missing_ok=True)
    if not quiet:
        print(_("building the HTML book (Sphinx)..."), file=sys.stderr)
    with reported(doing=_("building the book with Sphinx ({unchanged})").format(
            unchanged=_(UNCHANGED))):
        write_appendix(Project(project.root.resolve()))  # as the hook would: same stamps
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb) if jb.exists() else "jupyter-book", "build", "book", "--path-output",
               str(staging), "-W", "-n", "--keep-going", "-q"]
    parent = os.getpid()
    result = subprocess.run(command, cwd=project.root, capture_output=True, text=True,
                            encoding="utf-8", errors="replace", pass_fds=(lock,),
                            env={**os.environ, GENERATED_ENV: str(project.book.resolve())},
                            preexec_fn=lambda: die_with_parent(parent))
    if result.returncode == 0:
        return
    for match in OS_ERROR.finditer(result.stdout + result.stderr):  # [Errno N] what: 'path'
        if int(match[1]) in TARGET_ERRNOS:
            raise UserError(problem(OSError(int(match[1]), match[2], match[3]), doing=_(
                "building the book with Sphinx ({unchanged})").format(unchanged=_(UNCHANGED))))
    sys.stderr.write(result.stdout[-20000:] + result.stderr[-20000:])
    how = (_("was killed by signal {number} ({name})").format(
        number=-result.returncode, name=signal.Signals(-result.returncode).name)
           if result.returncode < 0 else _("failed (exit {code})").format(code=result.returncode))
    raise NotebookFailed(_("jupyter-book build {how}; {unchanged}").format(
        how=how, unchanged=_(UNCHANGED)))


def _published(folder: Path) -> Path | None:
    """The .html-<id> copy `html` shows (None: none, or the previous layout)."""
    html = folder / "html"
    if not html.is_symlink():
        return None
    current = folder / os.readlink(html)
    return current if current.name.startswith(PUBLISHED) and current.is_dir() else None


def publish_file(staged: Path, target: Path, previous: Path | None) -> None:
    """`staged` published as `target`: a hard link to `previous` (the file the pages shown
    now have there) when Sphinx left it as it was, else a copy with its modification time.
    Never an inode of Sphinx's: it rewrites its files in place."""
    stat = staged.stat()
    if previous is not None:
        try:
            known = previous.stat()
            if (known.st_size, known.st_mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                os.link(previous, target)
                return
        except OSError:  # gone, or a file system without hard links: copy it
            pass
    shutil.copyfile(staged, target)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def publish(folder: Path, staged: Path) -> None:
    """Copy the staged pages to a new .html-<id> (files Sphinx did not rewrite linked to the
    copy shown now) and make `html` show it, in one step."""
    if not (staged / "index.html").is_file():
        raise NotebookFailed(_("jupyter-book wrote no {index}; {unchanged}").format(
            index=staged / "index.html", unchanged=_(UNCHANGED)))
    new, html = folder / f"{PUBLISHED}{uuid.uuid4().hex[:12]}", folder / "html"
    away, shown = folder / f"{new.name}.away", _published(folder)
    try:
        for here, _folders, files in os.walk(staged):  # new names; stops at the first error
            relative = Path(here).relative_to(staged)
            (copy := new / relative).mkdir()
            for name in files:
                publish_file(Path(here, name), copy / name,
                             shown / relative / name if shown is not None else None)
        os.symlink(new.name, folder / f"{new.name}.link", target_is_directory=True)
        if html.is_dir() and not html.is_symlink():  # the previous layout
            html.rename(away)
        os.replace(folder / f"{new.name}.link", html)
    except BaseException:
        with suppress(OSError):
            if away.exists() and not html.exists():
                away.rename(html)
            _remove(new)  # a full disk: give the space back now
        raise
