"""Bounded work per input byte: a hostile workbook is refused within seconds and a few
hundred MB, before openpyxl loads it (`analysis.intake.xlsx_scan`), or while reading it
(`csvio.text_table`: columns, cell length, problems listed), with a message that names the
place and does not echo megabytes of text. SYNTHETIC inputs (tests/hostile_workbooks.py).

Each case is a real `policybook import` subprocess, measured by the launcher of
benchmarks/import_limits.py (wall-clock seconds and peak resident memory).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import hostile_workbooks as hostile
import pytest
from conftest import ROOT

from analysis.dataset.csvio import MAX_CELL_PROBLEMS, MAX_COLUMNS

_spec = importlib.util.spec_from_file_location("import_limits",
                                               ROOT / "benchmarks/import_limits.py")
benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(benchmark)

POLICYBOOK = str(Path(benchmark.BIN) / "policybook")
SECONDS, PEAK_MB = 20, 400  # "within seconds and a few hundred MB" on 2 shared cores


def refused(tmp: Path, make: Callable[[Path], Path]) -> str:
    """Import the hostile file into a copy of data/; assert it is refused quickly and
    cheaply, nothing is written; return the output."""
    shutil.copytree(ROOT / "data", tmp / "p" / "data", ignore=shutil.ignore_patterns("2020H2"))
    path = make(tmp / "hostile.xlsx")
    assert path.stat().st_size < 20 * 1024 * 1024
    command = [POLICYBOOK, "import", "2020H2", str(path), "--root", str(tmp / "p")]
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", benchmark.LAUNCHER, *command],
                            capture_output=True, text=True, timeout=120)
    seconds = time.perf_counter() - start
    peak = int(re.findall(r"peak-kb (\d+)", result.stderr)[-1]) / 1024
    text, code = result.stdout + result.stderr, result.returncode
    assert code == 2 and "Traceback" not in text, text[:2000]
    assert seconds < SECONDS and peak < PEAK_MB, (seconds, peak)
    assert not (tmp / "p/data/periods/2020H2").exists()
    assert len(text) < 20_000, len(text)  # no megabytes of echoed text
    return text


CASES = {
    "shared_5mb_string_in_2000_cells": (
        hostile.shared_fan_out, "shared string #0 is 5,000,000 characters long; a cell holds "
        "at most 32,767"),
    "shared_fan_out_beyond_100m_characters": (
        lambda p: hostile.shared_fan_out(p, cells=4_000, length=30_000),
        "sheet figures, row 3335, column I: the sheet's cells refer to more than 100,000,000 characters"),
    "two_million_cell_styles": (
        hostile.many_styles, "the workbook defines more than 64,000 cell styles"),
    "eight_million_empty_cells_in_one_row": (
        hostile.wide_row, "sheet figures, row 3: the row holds more than 1,000 cells"),
    "2.6_million_values_under_no_header": (
        hostile.headless_values, "sheet figures, row 19232: the sheet holds more than "
        "1,000,020 cells"),
    "a_15mb_value_inline": (
        hostile.huge_value, "sheet figures, row 2, column quote: the cell holds 15,000,000 "
        "characters; a cell holds at most 32,767"),
    "a_15mb_value_shared": (
        lambda p: hostile.huge_value(p, shared=True), "shared string #0 is 15,000,000 "
        "characters long"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_workbook_is_refused_in_seconds_and_megabytes(case, tmp_path):
    make, expected = CASES[case]
    text = refused(tmp_path, make)
    assert expected in text and "(fix: " in text, text[:2000]


def test_values_beside_the_table_list_the_first_problems_then_count_the_rest(tmp_path):
    text = refused(tmp_path, lambda p: hostile.headless_values(p, rows=2_000, per_row=20))
    errors = [line for line in text.splitlines() if line.startswith("error: ")]
    assert "value 'x' in column K, which has no header" in errors[0]
    assert len(errors) <= MAX_CELL_PROBLEMS + 2
    assert "…and 39,980 more problems like these" in text


def test_more_columns_than_the_limit_are_refused_at_the_first_row(tmp_path):
    text = refused(tmp_path, lambda p: hostile.headless_values(p, rows=10,
                                                                per_row=MAX_COLUMNS))
    assert f"sheet figures, row 2: more than {MAX_COLUMNS} columns hold a value" in text
