"""Nothing overwritten silently: importing over a period that has figures lists the rows
added, removed and changed and refuses without --replace (exit 2, nothing written); hints
name the project with --root when it is not the current one; a workbook open in Excel (its
`~$` lock file beside it) is refused; what a killed new-period or import left is removed by
the next command. SYNTHETIC data only."""

from __future__ import annotations

import csv
import multiprocessing
import os
import signal
import sys
from pathlib import Path

import pytest
from test_bad_inputs import BAD, _rows_2020h1, _write_rows, data_hash, run_in_process, workbook

from analysis.dataset.project import Project
from analysis.intake.importer import JOURNAL


def imported(project: Project, period: str, path: Path, monkeypatch, capsys,
             *extra: str) -> tuple[int, str]:
    return run_in_process(["import", period, str(path), "--root", str(project.root), *extra],
                          monkeypatch, capsys)


def figures(project: Project, period: str) -> list[list[str]]:
    with (project.period_dir(period) / "figures.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_importing_over_a_period_lists_the_changes_and_needs_replace(project_copy, tmp_path,
                                                                     monkeypatch, capsys):
    rows = _rows_2020h1()
    note = rows[0].index("note")
    changed, removed = rows[1], rows[-1]
    changed[note] = "SYNTHETIC changed note"
    added = list(rows[2])
    added[rows[0].index("geo")] = "341522"
    path = _write_rows(tmp_path / "figures.csv", [*rows[:-1], added])
    before = data_hash(project_copy)
    code, output = imported(project_copy, "2020H1", path, monkeypatch, capsys)
    assert code == 2, output
    assert "period 2020H1 already has data; this import would change it: figures.csv: rows " \
           f"1 added ({added[0]} 341522 {added[6]}), 1 removed ({' '.join(removed[i] for i in (0, 1, 6))}), " \
           f"1 changed ({changed[0]} {changed[1]} {changed[6]})" in output, output
    assert "Nothing was written" in output and "import again with --replace" in output
    assert data_hash(project_copy) == before

    code, output = imported(project_copy, "2020H1", path, monkeypatch, capsys, "--replace")
    assert code == 0, output
    assert figures(project_copy, "2020H1")[1][note] == "SYNTHETIC changed note"


def test_importing_the_same_figures_again_needs_no_replace(project_copy, monkeypatch, capsys):
    path = project_copy.period_dir("2020H1") / "figures.csv"
    copy = path.parent.parent / "same.csv"
    copy.write_bytes(path.read_bytes())
    code, output = imported(project_copy, "2020H1", copy, monkeypatch, capsys)
    assert code == 0, output


def test_hints_name_the_project_when_it_is_not_the_current_one(project_copy, tmp_path,
                                                               monkeypatch, capsys):
    monkeypatch.delenv("POLICYBOOK_ROOT", raising=False)
    monkeypatch.chdir(tmp_path.parent)  # not a project
    root = str(project_copy.root)
    code, output = run_in_process(["new-period", "2020H2", "--root", root], monkeypatch, capsys)
    assert code == 0, output
    entry = project_copy.period_dir("2020H2") / "entry_2020H2.xlsx"
    assert f"fill it in, then: policybook import 2020H2 {entry} --root {root}" in output
    code, output = imported(project_copy, "2021", BAD / "excel_gbk.csv", monkeypatch, capsys)
    assert code == 0, output
    assert f"next: policybook build --root {root}" in output

    monkeypatch.chdir(project_copy.root / "notebooks")  # inside the project: no --root
    code, output = run_in_process(["new-period", "2022", "--root", root], monkeypatch, capsys)
    assert code == 0 and "--root" not in output, output


def test_a_workbook_open_in_excel_is_refused(project_copy, tmp_path, monkeypatch, capsys):
    path = workbook()(tmp_path, project_copy)
    lock = path.parent / f"~${path.name}"
    lock.write_bytes(b"SYNTHETIC owner file")
    before = data_hash(project_copy)
    code, output = imported(project_copy, "2020H2", path, monkeypatch, capsys)
    assert code == 2, output
    assert f"{path}: the file is open in Excel ({lock.name} lies beside it)" in output
    assert "请先在 Excel 中关闭该文件" in output
    assert data_hash(project_copy) == before
    lock.unlink()
    (path.parent / f"~${path.name[2:]}").write_bytes(b"")  # Excel's short form of the name
    code, output = imported(project_copy, "2020H2", path, monkeypatch, capsys)
    assert code == 2 and "请先在 Excel 中关闭该文件" in output, output


def _killed_new_period(root: str) -> None:
    """new-period, SIGKILLed when its folder is complete, just before the rename."""
    from analysis.intake.workbook import new_period

    os.rename = lambda *args: os.kill(os.getpid(), signal.SIGKILL)
    new_period(Project(Path(root)), "2020H2")


@pytest.mark.skipif(sys.platform != "linux", reason="uses fork")
def test_what_a_killed_new_period_or_import_left_is_removed_by_the_next_command(
        project_copy, monkeypatch, capsys):
    child = multiprocessing.get_context("fork").Process(target=_killed_new_period,
                                                        args=(str(project_copy.root),))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    periods = project_copy.data / "periods"
    left = [p.name for p in periods.iterdir() if p.name.startswith(".")]
    assert left and all(name.startswith(".2020H2.new.") for name in left), left
    (periods / ".2021.import.abcd1234").mkdir()  # an import killed before its journal
    (periods / f"{JOURNAL}.tmp").write_text("{", encoding="utf-8")
    code, output = run_in_process(["validate", "2020H1", "--root", str(project_copy.root)],
                                  monkeypatch, capsys)
    assert code == 0, output
    assert [p.name for p in periods.iterdir() if p.name.startswith(".")] == []
    code, output = run_in_process(["new-period", "2020H2", "--root", str(project_copy.root)],
                                  monkeypatch, capsys)
    assert code == 0, output
