"""The bounds of `policybook import` and its all-or-nothing writing (SYNTHETIC inputs only).

- Bounded reading: the real row limit (50,000) on a CSV; a stray cell at XFD1048576 in every
  sheet (also `说明` and the hidden `lists`, which are never read) costs neither time nor
  memory. The time and memory of the largest allowed workbook are in benchmarks/IMPORT.md.
- The import's lock: a second import is refused while one runs, and recovery leaves the
  staging folders and journal of a running import alone.
- The journal: an import that adds an indicator, SIGKILLed before each of its file-system
  steps in turn (in a forked child), leaves the period and the catalogue both old or both
  new after recovery; a write that fails after the journal is completed by the next command;
  one that fails before it leaves nothing behind.
"""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import multiprocessing
import os
import shutil
import signal
import sys
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from crash import crash_at

from analysis.dataset.project import Project
from analysis.errors import UserError
from analysis.intake import importer
from analysis.intake.importer import (
    JOURNAL,
    MAX_FIGURE_ROWS,
    STAGED_INDICATORS,
    import_period,
    recover_interrupted,
)
from analysis.intake.workbook import build

PERIOD = "2020H2"
ROWS = [  # SYNTHETIC: invented figures for a county-level 2020H2 workbook
    ["dibao_standard", "341522", "650", "0", "yuan_per_person_month", "", "2020-07-01", "1", "",
     "SYNTHETIC"],
    ["synthetic_new_indicator", "341522", "12.5", "4", "yuan", "", "2020-07-01/2020-12-31", "",
     "", "SYNTHETIC"],
]
NEW_INDICATOR = ["synthetic_new_indicator", "social_assistance", "合成测试指标",
                 "Synthetic test", "yuan", "money", "flow", "", "SYNTHETIC indicator for tests",
                 "合成测试用的金额，单位：元。"]


def fresh_copy(root: Path) -> Project:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(ROOT / "data", root / "data")
    return Project(root)


def small_workbook(project: Project, path: Path, stray: tuple[str, ...] = ()) -> Path:
    """The new-period workbook, filled with ROWS and NEW_INDICATOR, without the empty
    pre-formatted cells (they only make it slow); a cell at XFD1048576 in each `stray` sheet
    (a value, except in figures: there only a format, as a stray click leaves it)."""
    wb = build(project, PERIOD)
    for ws in wb.worksheets:
        for key in [k for k, c in ws._cells.items() if c.value is None]:
            del ws._cells[key]
    for r, row in enumerate(ROWS, start=2):
        for c, value in enumerate(row, start=1):
            wb["figures"].cell(row=r, column=c, value=value)
    row = len(project_indicators(project)) + 2
    for c, value in enumerate(NEW_INDICATOR, start=1):
        wb["catalogue"].cell(row=row, column=c, value=value)
    wb["source"]["B2"] = "SYNTHETIC 合成测试通知"
    for name in stray:
        if name == "figures":
            wb[name]["XFD1048576"].number_format = "@"
        else:
            wb[name]["XFD1048576"] = "stray"
    wb.save(path)
    return path


def project_indicators(project: Project) -> pd.DataFrame:
    return pd.read_csv(project.catalogue / "indicators.csv", dtype=str)


def snapshot(project: Project) -> tuple[dict[str, bytes], bytes]:
    """(the period folder's files, indicators.csv)."""
    folder = project.period_dir(PERIOD)
    files = {p.relative_to(folder).as_posix(): p.read_bytes()
             for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}
    return files, (project.catalogue / "indicators.csv").read_bytes()


def leftovers(project: Project) -> list[str]:
    """Hidden files an import may leave: staging folders, journal, staged catalogue."""
    return sorted([p.name for p in (project.data / "periods").iterdir()
                   if p.name.startswith(".")] +
                  [p.name for p in project.catalogue.iterdir() if p.name.startswith(".")])


# ---------------------------------------------------------------------------- bounded reading


def test_a_csv_beyond_the_real_row_limit_is_refused_without_reading_on(tmp_path):
    assert MAX_FIGURE_ROWS == 50_000
    with (ROOT / "data/periods/2020H1/figures.csv").open(encoding="utf-8", newline="") as f:
        header, row = list(csv.reader(f))[:2]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows([header] + [row] * (MAX_FIGURE_ROWS + 1))
    path = tmp_path / "figures.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(UserError) as err:
        importer.load_entry(path)
    [problem] = err.value.problems
    assert problem.row == MAX_FIGURE_ROWS + 2 and "more than 50,000 rows" in problem.message
    assert time.perf_counter() - start < 30


def test_a_stray_cell_far_away_costs_neither_time_nor_memory(tmp_path):
    """XFD1048576 in 说明, lists, targets (a value: refused) and figures (a format: nothing)."""
    project = fresh_copy(tmp_path / "p")
    path = small_workbook(project, tmp_path / "stray.xlsx", ("说明", "lists", "figures"))
    tracemalloc.start()
    start = time.perf_counter()
    try:
        entry = importer.load_entry(path)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(entry.figures) == 2 and not entry.problems
    assert seconds < 5 and peak < 30 * 1024 * 1024, (seconds, peak)
    import_period(project, PERIOD, path)

    path = small_workbook(project, tmp_path / "stray_targets.xlsx", ("targets",))
    [problem] = importer.load_entry(path).problems
    assert (problem.sheet, problem.row) == ("targets", 1048576)
    assert problem.message == "value 'stray' in column XFD, which has no header"


# ---------------------------------------------------------------------------- the lock


def hold_lock(project: Project) -> int:
    fd = os.open(project.data, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def test_a_second_import_is_refused_while_one_runs(tmp_path):
    project = fresh_copy(tmp_path / "p")
    path = small_workbook(project, tmp_path / "entry.xlsx")
    fd = hold_lock(project)
    try:
        with pytest.raises(UserError, match="another `policybook import` is writing"):
            import_period(project, PERIOD, path)
    finally:
        os.close(fd)
    import_period(project, PERIOD, path)


def test_recovery_leaves_a_running_import_alone(tmp_path):
    project = fresh_copy(tmp_path / "p")
    periods = project.data / "periods"
    (periods / f".{PERIOD}.import.running").mkdir()
    (periods / JOURNAL).write_text("{}", encoding="utf-8")
    (project.catalogue / STAGED_INDICATORS).write_text("id\n", encoding="utf-8")
    fd = hold_lock(project)
    try:
        recover_interrupted(project)
        assert leftovers(project) == sorted([f".{PERIOD}.import.running", JOURNAL,
                                             STAGED_INDICATORS])
    finally:
        os.close(fd)
    recover_interrupted(project)  # not running any more: a journal we cannot use is undone
    assert leftovers(project) == []


# ---------------------------------------------------------------------------- the journal


def test_staged_files_without_a_journal_are_removed(tmp_path, monkeypatch):
    """Killed after staging, before the journal: the catalogue stays as it was."""
    project = fresh_copy(tmp_path / "p")
    before = snapshot(project)
    path = small_workbook(project, tmp_path / "entry.xlsx")
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(importer, "_write_journal", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_period(project, PERIOD, path)
    assert leftovers(project) == [] and snapshot(project) == before


def test_a_journalled_import_is_completed_by_recovery(tmp_path, monkeypatch):
    """Killed right after the journal: the period and its new indicator both arrive."""
    project = fresh_copy(tmp_path / "p")
    path = small_workbook(project, tmp_path / "entry.xlsx")
    monkeypatch.setattr(importer, "_complete", lambda *a: None)
    import_period(project, PERIOD, path)
    assert JOURNAL in leftovers(project) and STAGED_INDICATORS in leftovers(project)
    assert not project.period_dir(PERIOD).exists()
    monkeypatch.undo()
    recover_interrupted(project)
    assert leftovers(project) == []
    assert "synthetic_new_indicator" in set(project_indicators(project)["id"])
    assert (project.period_dir(PERIOD) / "figures.csv").exists()


def test_a_write_failing_after_the_journal_is_completed_by_the_next_command(tmp_path,
                                                                            monkeypatch):
    project = fresh_copy(tmp_path / "p")
    path = small_workbook(project, tmp_path / "entry.xlsx")
    rename = os.rename

    def failing(src, dst, *args, **kwargs):
        if Path(src).name.startswith(f".{PERIOD}.import."):
            raise OSError(errno.EACCES, "Permission denied", str(src))
        return rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", failing)
    with pytest.raises(UserError, match="it is journalled and the next policybook command "
                                        "completes it"):
        import_period(project, PERIOD, path)
    monkeypatch.undo()
    recover_interrupted(project)
    assert leftovers(project) == []
    assert (project.period_dir(PERIOD) / "figures.csv").exists()
    assert "synthetic_new_indicator" in set(project_indicators(project)["id"])


def test_a_full_disk_while_staging_the_catalogue_leaves_nothing(tmp_path, monkeypatch):
    project = fresh_copy(tmp_path / "p")
    before = snapshot(project)
    path = small_workbook(project, tmp_path / "entry.xlsx")
    to_csv = pd.DataFrame.to_csv

    def failing(self, target=None, *args, **kwargs):
        if target is not None and Path(target).name == STAGED_INDICATORS:
            Path(target).write_text("id,area\nhalf", encoding="utf-8")
            raise OSError(errno.ENOSPC, "No space left on device", str(target))
        return to_csv(self, target, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", failing)
    with pytest.raises(UserError, match=r"the disk is full.*nothing was changed"):
        import_period(project, PERIOD, path)
    assert leftovers(project) == [] and snapshot(project) == before




@pytest.mark.skipif(sys.platform != "linux", reason="uses fork")
def test_import_with_a_new_indicator_killed_at_every_step_is_all_or_nothing(tmp_path):
    """The period and the catalogue change together: after recovery both old or both new."""
    reference = fresh_copy(tmp_path / "reference")
    source = small_workbook(reference, tmp_path / "entry.xlsx")
    old = snapshot(reference)
    import_period(reference, PERIOD, source)
    new = snapshot(reference)
    assert old[0] != new[0] and old[1] != new[1]

    context = multiprocessing.get_context("fork")
    seen = []
    for step in range(1, 100):
        project = fresh_copy(tmp_path / "work")
        child = context.Process(target=crash_at, args=(step, str(project.root), str(source), PERIOD))
        child.start()
        child.join(60)
        assert child.exitcode in (0, -signal.SIGKILL), child.exitcode
        recover_interrupted(project)
        state = snapshot(project)
        assert state in (old, new), f"step {step}: neither old nor new"
        assert leftovers(project) == []
        seen.append("old" if state == old else "new")
        if child.exitcode == 0:
            break
    else:
        pytest.fail("the import never completed")
    print(f"{len(seen)} crash points:", seen)
    assert seen[0] == "old" and seen[-1] == "new" and "old" in seen[:-1], seen
