"""Every failure is a message, never a traceback: `policybook export` to a path that cannot be
written and `policybook build` into a read-only or full book/_build exit 2 with a message that
names the path, what is wrong and the fix; Ctrl-C exits 130 with one line.

Tests run as root, where chmod does not stop writes: a read-only file system and a full disk
are simulated by monkeypatching the os functions (in-process, through `analysis.cli.main`),
or, for Sphinx's own writes, with a sitecustomize module on the child's PYTHONPATH.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import PINNED
from test_atomic_build import fake_sphinx, new_project, snapshot

from analysis import cli
from analysis.build import pipeline
from analysis.build import publish as book_build
from analysis.dataset.project import Project

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def policybook(monkeypatch, capsys, *args: str) -> tuple[int, str]:
    """Run `analysis.cli.main` in-process: (exit code, stdout + stderr)."""
    monkeypatch.setattr(sys, "argv", ["policybook", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
        raise SystemExit(0)
    out = capsys.readouterr()
    code = exit_.value.code
    return (code if isinstance(code, int) else 1), out.out + out.err


def failed(code: int, output: str, *expected: str) -> None:
    """Exit 2, a message with each of `expected`, and no traceback."""
    assert code == 2, output
    assert "error: " in output and "Traceback" not in output, output
    for text in expected:
        assert text in output, output


# ---------------------------------------------------------------------------- export

@pytest.mark.parametrize("where, expected", [
    ("folder", "is a folder, not a file"),
    ("missing parent", "does not exist"),
    ("not xlsx", "the export must be an .xlsx file"),
    pytest.param("/proc/x.xlsx", "No such file or directory", marks=pytest.mark.skipif(
        not Path("/proc/self").exists(), reason="no /proc")),
    pytest.param("/sys/x.xlsx", "Permission denied", marks=pytest.mark.skipif(
        not Path("/sys/kernel").exists(), reason="no /sys")),
])
def test_export_to_a_path_that_cannot_be_written_exits_2_naming_it(
        project_copy, tmp_path, monkeypatch, capsys, where, expected):
    out = {"folder": str(tmp_path), "missing parent": str(tmp_path / "no" / "such" / "x.xlsx"),
           "not xlsx": str(tmp_path / "x.csv")}.get(where, where)
    code, output = policybook(monkeypatch, capsys, "export", PINNED, out, "--root",
                              str(project_copy.root))
    failed(code, output, f"error: {out}: ", expected, "(fix: ")
    assert not Path(out).is_file()


def test_export_onto_a_full_disk_exits_2_and_keeps_the_previous_file(
        project_copy, tmp_path, monkeypatch, capsys):
    out = tmp_path / "exports" / "figures.xlsx"
    out.parent.mkdir()
    out.write_bytes(b"the previous export")

    def write_bytes(self, data) -> None:  # the disk fills up half way through the file
        with open(self, "wb") as file:
            file.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    code, output = policybook(monkeypatch, capsys, "export", PINNED, str(out), "--root",
                              str(project_copy.root))
    failed(code, output, f"error: {out}: No space left on device while writing the workbook",
           "free space on that disk")
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in out.parent.iterdir()] == ["figures.xlsx"], "no temporary file"


# ---------------------------------------------------------------------------- build

def read_only(monkeypatch, folder: Path, number: int = errno.EROFS) -> None:
    """Every write under `folder` fails with `number` (EROFS: a read-only file system)."""
    prefix = str(folder)

    def inside(path) -> bool:
        return isinstance(path, str | bytes | os.PathLike) and os.path.abspath(
            os.fsdecode(path)).startswith(prefix)

    def fail(path) -> None:
        raise OSError(number, os.strerror(number), os.fsdecode(path))

    real_open, real_os_open, real_mkdir = io.open, os.open, os.mkdir

    def guarded_open(file, mode="r", *args, **kwargs):
        if inside(file) and set(mode) & set("wax+"):
            fail(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if inside(path) and flags & WRITE_FLAGS:
            fail(path)
        return real_os_open(path, flags, *args, **kwargs)

    def guarded_mkdir(path, *args, **kwargs):
        if inside(path):
            if os.path.lexists(path):  # as the kernel does: existence is checked first
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), path)
            fail(path)
        return real_mkdir(path, *args, **kwargs)

    def guard(real):
        def call(*paths, **kwargs):
            for path in paths[:2]:
                if inside(path):
                    fail(path)
            return real(*paths, **kwargs)
        return call

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    monkeypatch.setattr(os, "mkdir", guarded_mkdir)
    for name in ("rmdir", "unlink", "remove", "symlink", "link", "rename", "replace"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))


@pytest.fixture
def published(tmp_path, monkeypatch) -> Project:
    """A project copy with a book already built (by `fake_sphinx`, later builds too), whose
    notebooks are taken as up to date."""
    monkeypatch.setattr(book_build, "run_sphinx", fake_sphinx)
    monkeypatch.setattr(pipeline, "run", lambda *args, **kwargs: pipeline.Summary())
    project = new_project(tmp_path / "project")
    pipeline.build_book(project, quiet=True)
    return project


def build_args(project: Project) -> list[str]:
    return ["build", "--no-print", "--root", str(project.root), "-q", "--force"]


@pytest.mark.parametrize("number, expected", [
    (errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")])
def test_build_into_a_read_only_build_folder_exits_2_naming_it(
        published, monkeypatch, capsys, number, expected):
    folder = published.book / "_build"
    before = snapshot(folder / "html")
    read_only(monkeypatch, folder, number)
    code, output = policybook(monkeypatch, capsys, *build_args(published))
    failed(code, output, f"error: {folder}/", expected, "(fix: ")
    assert snapshot(folder / "html") == before


def test_a_read_only_build_folder_also_stops_the_notebook_run_with_a_message(
        published, monkeypatch, capsys):
    """`policybook run` locks book/_build first: its OSError reaches cli.main's last resort."""
    monkeypatch.undo()
    folder = published.book / "_build"
    read_only(monkeypatch, folder)
    code, output = policybook(monkeypatch, capsys, "run", "--root", str(published.root), "-q")
    failed(code, output, f"error: {folder}/.policybook-run.lock: Read-only file system",
           "use a writable location")


@pytest.mark.parametrize("step", ["os.symlink", "os.replace"])
def test_build_that_cannot_swap_the_pages_in_exits_2_and_keeps_them(
        published, monkeypatch, capsys, step):
    folder = published.book / "_build"
    before, target = snapshot(folder / "html"), os.readlink(folder / "html")

    real = getattr(os, step.split(".")[1])

    def refuse(*paths, **kwargs):  # the link to the new pages (and only that)
        if Path(paths[-1]) != folder / "html" and not Path(paths[-1]).name.endswith(".link"):
            return real(*paths, **kwargs)
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(paths[-1]))

    monkeypatch.setattr(os, step.split(".")[1], refuse)
    code, output = policybook(monkeypatch, capsys, *build_args(published))
    failed(code, output, f"error: {folder}/", "Permission denied while publishing the new pages",
           "book/_build/html is unchanged")
    assert snapshot(folder / "html") == before and os.readlink(folder / "html") == target


def test_disk_full_while_publishing_exits_2_keeps_the_pages_and_frees_the_copy(
        published, monkeypatch, capsys):
    folder = published.book / "_build"
    before, target = snapshot(folder / "html"), os.readlink(folder / "html")
    real_copyfile, copied = shutil.copyfile, []

    def copyfile(source, target, **kwargs):
        if copied:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        copied.append(target)
        return real_copyfile(source, target, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", copyfile)
    code, output = policybook(monkeypatch, capsys, *build_args(published))
    failed(code, output, f"error: {folder}/.html-", "No space left on device",
           "free space on that disk", "book/_build/html is unchanged")
    assert snapshot(folder / "html") == before and os.readlink(folder / "html") == target
    assert [p.name for p in folder.glob(".html-*")] == [target], "the partial copy is removed"


SITECUSTOMIZE = '''\
import builtins, errno, io, os

_open = io.open


def _full(file, mode="r", *args, **kwargs):
    """The disk is full for the pages Sphinx writes into the staging folder."""
    if (isinstance(file, str | os.PathLike) and "/.staging/" in os.fspath(file)
            and os.fspath(file).endswith(".html") and set(mode) & set("wax+")):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.fspath(file))
    return _open(file, mode, *args, **kwargs)


builtins.open = io.open = _full
'''


@pytest.mark.slow
def test_disk_full_while_sphinx_writes_exits_2_naming_the_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pipeline, "run", lambda *args, **kwargs: pipeline.Summary())
    project = new_project(tmp_path / "project")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(tmp_path / "full"), *filter(None, [os.environ.get("PYTHONPATH")])]))
    code, output = policybook(monkeypatch, capsys, "build", "--no-print", "--root", str(project.root), "-q")
    staged = project.book / "_build" / ".staging" / "_build" / "html"
    failed(code, output, f"error: {staged}/", "No space left on device while building the book",
           "free space on that disk")
    assert not (project.book / "_build" / "html").exists()


def test_ctrl_c_exits_130_with_one_line(project_copy, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run", interrupted)
    code, output = policybook(monkeypatch, capsys, "run", "--root", str(project_copy.root))
    assert code == 130
    assert output.strip() == "interrupted: what was being written keeps its previous version"
