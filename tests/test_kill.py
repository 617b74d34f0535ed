"""Killed imports and runs leave the previous data and pages whole, never half-written.

- `policybook import 2020H1 <large valid CSV>` is SIGKILLed at random moments (during
  validation) and right after its staging folder appears (during writing); after
  `recover_interrupted` (which every import calls first) data/periods/2020H1 holds exactly
  the old files or exactly the new ones.
- The same import in a forked child is SIGKILLed before each of its file-system steps in turn
  (and in the middle of each file it writes): every crash point recovers to old or new.
- `policybook run 2020H1` is killed (its whole process tree, frozen first so the snapshot is
  consistent) after ~3 s and while a notebook is being written: every executed notebook is
  byte-identical or replaced whole (valid JSON that nbformat reads), and the next run
  completes and leaves no temporary files.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import multiprocessing
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import ROOT, copy_data
from crash import crash_at

from analysis.dataset.project import Project
from analysis.intake.importer import import_period, recover_interrupted

pytestmark = [pytest.mark.skipif(sys.platform != "linux", reason="uses fork and /proc"),
              pytest.mark.slow]

PERIOD = "2020H1"
ROWS_IN_BIG_CSV = 12_000  # ~1.7 MB: about two seconds of validation, < MAX_BYTES


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def fresh_copy(root: Path, with_book: bool = False) -> Project:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    copy_data(root)
    if with_book:
        shutil.copytree(ROOT / "notebooks", root / "notebooks")
        shutil.copytree(ROOT / "templates", root / "templates")
        shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns("_build"))
    return Project(root)


def hidden(project: Project) -> list[str]:
    return sorted([p.name for p in (project.data / "periods").iterdir() if p.name.startswith(".")]
                  + [p.name for p in project.catalogue.iterdir() if p.name.startswith(".")])


# ---------------------------------------------------------------------------- inputs


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """A large figures CSV that is valid for 2020H1: each indicator's first row, repeated for
    every place and for each day of the half-year (point dates, unique keys)."""
    with (ROOT / "data/periods/2020H1/figures.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    first = list({r["indicator"]: r for r in reversed(rows)}.values())
    geos = list(pd.read_csv(ROOT / "data/catalogue/geo.csv", dtype=str)["code"])
    path = tmp_path_factory.mktemp("big") / "figures_big.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        n = 0
        for day in range(182):
            as_of = (dt.date(2020, 1, 1) + dt.timedelta(days=day)).isoformat()
            for geo in geos:
                for row in first:
                    writer.writerow({**row, "geo": geo, "as_of": as_of})
                    n += 1
                    if n == ROWS_IN_BIG_CSV:
                        return path
    return path


@pytest.fixture(scope="module")
def states(big_csv, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """The period folder before and after a complete import of the big CSV."""
    project = fresh_copy(tmp_path_factory.mktemp("reference") / "p")
    old = snapshot(project.period_dir(PERIOD))
    import_period(project, PERIOD, big_csv, replace=True)  # over the period's figures
    new = snapshot(project.period_dir(PERIOD))
    assert old != new
    return {"old": old, "new": new}


def which(state: dict[str, bytes], states: dict[str, dict[str, bytes]]) -> str:
    for name, expected in states.items():
        if state == expected:
            return name
    changed = sorted(k for k in set(state) | set(states["old"])
                     if state.get(k) != states["old"].get(k))
    pytest.fail(f"data/periods/{PERIOD} is neither the old nor the new content: {changed}")


# ---------------------------------------------------------------------------- real kills


def _import(project: Project, source: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", "import", PERIOD, str(source), "--replace",
         "--root", str(project.root)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)


def _kill(proc: subprocess.Popen) -> bool:
    """SIGKILL; True if it was still running (False: it had finished first)."""
    running = proc.poll() is None
    if running:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return running


def test_import_killed_at_random_moments_leaves_old_or_new(big_csv, states, tmp_path):
    rng = random.Random(20200630)
    # a full import takes T seconds; kill at random fractions of it
    project = fresh_copy(tmp_path / "timing")
    start = time.monotonic()
    proc = _import(project, big_csv)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    total = time.monotonic() - start
    outcomes = []
    for n, fraction in enumerate([0.15, 0.5, *(rng.uniform(0.2, 1.0) for _ in range(2))]):
        project = fresh_copy(tmp_path / f"random{n}")
        proc = _import(project, big_csv)
        time.sleep(fraction * total)
        killed = _kill(proc)
        recover_interrupted(project)
        outcomes.append((round(fraction * total, 2), killed,
                         which(snapshot(project.period_dir(PERIOD)), states)))
        assert hidden(project) == []
    print("import killed at (seconds, still running, state after recovery):", outcomes)
    assert any(killed and state == "old" for _, killed, state in outcomes), outcomes


def test_import_killed_while_writing_leaves_old_or_new(big_csv, states, tmp_path):
    """Kill as soon as the staging folder appears, then after a few random milliseconds."""
    rng = random.Random(7)
    outcomes = []
    for n, extra in enumerate([0.0, 0.002, 0.2, *(rng.uniform(0, 0.05) for _ in range(2))]):
        project = fresh_copy(tmp_path / f"writing{n}")
        periods = project.data / "periods"
        proc = _import(project, big_csv)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and not any(
                p.name.startswith(f".{PERIOD}.") for p in periods.iterdir()):
            time.sleep(0.0005)
        time.sleep(extra)
        left = sorted(p.name for p in periods.iterdir() if p.name.startswith("."))
        killed = _kill(proc)
        recover_interrupted(project)
        outcomes.append((extra, killed, left, which(snapshot(project.period_dir(PERIOD)),
                                                    states)))
        assert hidden(project) == []
    print("import killed while writing (extra s, still running, left, state):", outcomes)
    assert any(killed for _, killed, _, _ in outcomes), outcomes


# ---------------------------------------------------------------------------- every step


def test_import_killed_at_every_file_system_step_recovers_to_old_or_new(tmp_path):
    """A small import with a source.yml and a new file: crash before each step in turn."""
    source = tmp_path / "figures.csv"
    with (ROOT / "data/periods/2020H1/figures.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("note")] += "（重新导入）"  # a change, whatever the notes say
    with source.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    reference = fresh_copy(tmp_path / "reference")
    states = {"old": snapshot(reference.period_dir(PERIOD))}
    import_period(reference, PERIOD, source, replace=True)
    states["new"] = snapshot(reference.period_dir(PERIOD))
    assert states["old"] != states["new"]

    context = multiprocessing.get_context("fork")
    seen = []
    for step in range(1, 200):
        project = fresh_copy(tmp_path / "work")
        child = context.Process(target=crash_at, args=(step, str(project.root), str(source), PERIOD))
        child.start()
        child.join(60)
        assert child.exitcode in (0, -signal.SIGKILL), child.exitcode
        recover_interrupted(project)
        seen.append(which(snapshot(project.period_dir(PERIOD)), states))
        assert hidden(project) == []
        if child.exitcode == 0:  # ran to the end: every step has had its crash
            break
    else:
        pytest.fail("the import never completed")
    print(f"{len(seen)} crash points:", seen)
    assert len(seen) > 5 and seen[0] == "old" and seen[-1] == "new", seen


# ---------------------------------------------------------------------------- runs


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _kill_tree(proc: subprocess.Popen) -> None:
    """Freeze the run and everything it started (workers, kernels), then SIGKILL them all:
    what a power cut or the OOM killer does, with a consistent snapshot."""
    frozen: set[int] = set()
    for _ in range(20):  # until no new process appears
        tree = {proc.pid} | _descendants(proc.pid)
        for pid in tree - frozen:
            with_suppressed(os.kill, pid, signal.SIGSTOP)
        if tree <= frozen:
            break
        frozen |= tree
    for pid in frozen:
        with_suppressed(os.kill, pid, signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z" for pid in frozen):
        assert time.monotonic() < deadline, "processes survived SIGKILL"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def with_suppressed(function, *args) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        function(*args)


def _pages(project: Project) -> dict[str, Path]:
    folder = project.book_period_dir(PERIOD)
    pages = {p.relative_to(project.book).as_posix(): p for p in folder.glob("[!.]*.ipynb")}
    pages["trends.ipynb"] = project.book / "trends.ipynb"
    return pages


def _run(project: Project) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "analysis", "run", PERIOD, "--root", str(project.root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _book_copy(root: Path) -> Project:
    project = fresh_copy(root, with_book=True)
    figures = project.period_dir(PERIOD) / "figures.csv"  # a data change: all pages re-run
    frame = pd.read_csv(figures, dtype=str, keep_default_na=False)
    frame.loc[0, "note"] += "（重跑）"
    frame.to_csv(figures, index=False)
    return project


def _assert_whole(project: Project, before: dict[str, bytes]) -> dict[str, str]:
    verdicts = {}
    pages = _pages(project)
    for name, old in before.items():
        assert pages[name].exists(), f"{name} is gone"
        data = pages[name].read_bytes()
        if data == old:
            verdicts[name] = "unchanged"
            continue
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)  # whole JSON, a notebook
        nbformat.validate(nb)
        assert json.loads(data)["cells"], name
        verdicts[name] = "replaced"
    return verdicts


@pytest.mark.parametrize("moment", ["after_3s", "while_writing"])
def test_run_killed_leaves_every_executed_notebook_whole(tmp_path, moment):
    project = _book_copy(tmp_path / "p")
    pages = _pages(project)
    before = {name: path.read_bytes() for name, path in pages.items()}
    assert len(before) >= 5
    proc = _run(project)
    if moment == "after_3s":
        time.sleep(3)
    else:  # as soon as a temporary notebook holds data, or a page has been replaced
        folder, deadline = project.book_period_dir(PERIOD), time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and not (
                any(p.stat().st_size for p in folder.glob(".*.ipynb"))
                or any(pages[n].read_bytes() != before[n] for n in before)):
            time.sleep(0.002)
    assert proc.poll() is None, "the run ended before the kill: nothing was tested"
    temporary = {p.name: p.stat().st_size for p in project.book.rglob(".*.ipynb")}
    _kill_tree(proc)
    verdicts = _assert_whole(project, before)
    print(f"run killed {moment}; temporary notebooks then: {temporary}; pages: {verdicts}")
    assert set(verdicts) == set(before)


def test_a_run_after_a_killed_run_completes_and_leaves_no_temporary_files(tmp_path):
    project = _book_copy(tmp_path / "p")
    proc = _run(project)
    folder, deadline = project.book_period_dir(PERIOD), time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not any(
            p.stat().st_size for p in folder.glob(".*.ipynb")):
        time.sleep(0.002)
    _kill_tree(proc)
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "run", PERIOD, "--root", str(project.root)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    leftovers = sorted(p.relative_to(project.book).as_posix()
                       for p in project.book.rglob(".*.ipynb"))
    assert leftovers == [], f"temporary notebooks left behind: {leftovers}"
    before = {name: b"" for name in _pages(project)}
    assert all(v == "replaced" for v in _assert_whole(project, before).values())


# ---------------------------------------------------------------------------- builds


def _kernels(root: Path) -> set[int]:
    """The running Jupyter kernels working in the project at `root` (a kernel's working
    directory is its notebook's folder)."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = cmdline.read_bytes()
            cwd = Path(os.readlink(cmdline.parent / "cwd"))
        except OSError:
            continue
        pid = int(cmdline.parent.name)
        if b"ipykernel_launcher" in command and cwd.is_relative_to(root) and _state(pid) != "Z":
            found.add(pid)
    return found


def test_a_build_killed_mid_notebook_leaves_no_process_and_the_next_build_completes(tmp_path):
    """`policybook build & kill -9 $!` while a notebook executes: its pool workers and their
    kernels end with it (they held the run lock), and the next build runs at once."""
    from browser import copy_book_sources

    project = fresh_copy(tmp_path / "p")
    shutil.copytree(ROOT / "notebooks", project.root / "notebooks")
    shutil.copytree(ROOT / "templates", project.root / "templates")
    copy_book_sources(ROOT, project.root)
    command = [sys.executable, "-m", "analysis", "build", "--no-print", "-q", "--root",
               str(project.root)]
    first = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    template = project.root / "templates" / "elderly_care.j2"  # one notebook runs again
    template.write_text(template.read_text(encoding="utf-8") + "\n{# edited #}\n",
                        encoding="utf-8")
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    folder, deadline = project.book_period_dir(PERIOD), time.monotonic() + 120
    started: set[int] = set()
    while proc.poll() is None and time.monotonic() < deadline and not (
            started and any(folder.glob(".elderly_care.*.ipynb"))):
        started = _descendants(proc.pid) & _kernels(project.root)
        time.sleep(0.05)
    assert proc.poll() is None and started, "no notebook was executing: nothing was tested"
    tree = _descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # policybook alone, as `kill -9 $!` does
    proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    while (left := {pid for pid in tree if _state(pid) != "Z"}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes outlived the killed build: {sorted(left)}"
    assert not _kernels(project.root), "orphaned kernels"

    start = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "POLICYBOOK_LOCK_TIMEOUT": "30"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "waiting for another run" not in result.stderr
    assert time.monotonic() - start < 60
    assert not _kernels(project.root), "the next build left kernels behind"
    assert not list(project.book.rglob(".*.ipynb")), "temporary notebooks left behind"
