"""The policybook command: exit codes and messages, never a traceback for user errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT


def policybook(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_validate_passes_on_the_committed_data():
    result = policybook("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conform to the contract" in result.stdout


@pytest.mark.parametrize("period", ["2020H3", "20201", "../x"])
def test_invalid_period_exits_2_with_a_message_and_no_traceback(period):
    result = policybook("validate", period)
    assert result.returncode == 2
    assert "invalid period" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unknown_period_directory_exits_2(tmp_path):
    result = policybook("run", "1999H1")
    assert result.returncode == 2
    assert "1999H1" in result.stderr and "Traceback" not in result.stderr


def test_outside_a_project_exits_2(tmp_path):
    result = policybook("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "no project found" in result.stderr


def test_validate_reports_a_broken_row_with_its_place_and_exits_2(project_copy):
    path = project_copy.period_dir("2020H1") / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",341500,", ",999999,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = policybook("validate", "2020H1", "--root", str(project_copy.root))
    assert result.returncode == 2
    assert "figures.csv, row 2, column geo" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
