"""Validation of a period's figures: each broken row is reported with its place and fix."""

from __future__ import annotations

import pytest

from analysis.schema import validate_period


def _edit_row(project, row: int, column: str, value: str) -> None:
    """Set one cell of figures.csv (row counted as in a spreadsheet: header is row 1)."""
    import pandas as pd

    path = project.period_dir("2020H1") / "figures.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.at[row - 2, column] = value
    frame.to_csv(path, index=False)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("indicator", "dibao_standart", "invalid indicator"),
    ("geo", "341599", "invalid geo"),
    ("unit", "parsec", "invalid unit"),
    ("value", "3.46万", "invalid value"),
    ("value", "abc", "invalid value"),
    ("unit_mult", "3", "invalid unit_mult"),
    ("qualifier", "about", "invalid qualifier"),
    ("as_of", "2020/06/30", "invalid as_of"),
    ("as_of", "2019-12-31", "outside period 2020H1"),
    ("unit", "yuan", "does not match indicator"),
    ("value", "-5", "negative count"),
    ("quote", "这句话不在报告里", "not found verbatim"),
    ("quote", "其中农村低保7128人", "does not contain the value"),
])
def test_broken_cell_is_reported_at_its_row_and_column(project_copy, column, value, message):
    # row 2 is poor_backstop_newly_included (1753 persons); row 5 quotes 7128
    _edit_row(project_copy, 2, column, value)
    problems = validate_period(project_copy, "2020H1")
    assert any(message in p.message and p.row == 2 and p.column == column for p in problems), \
        [str(p) for p in problems]


def test_percentage_above_100_is_rejected(project_copy):
    _edit_row(project_copy, 10, "value", "181")  # row 10: poor_backstop_share 81%
    problems = validate_period(project_copy, "2020H1")
    assert any("outside 0-100" in p.message for p in problems)


def test_duplicate_observation_is_rejected(project_copy):
    path = project_copy.period_dir("2020H1") / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    problems = validate_period(project_copy, "2020H1")
    assert any("duplicate" in p.message for p in problems)


def test_misspelt_column_is_named_with_a_suggestion(project_copy):
    path = project_copy.period_dir("2020H1") / "figures.csv"
    text = path.read_text(encoding="utf-8").replace("indicator,", "indicater,", 1)
    path.write_text(text, encoding="utf-8")
    [problem] = validate_period(project_copy, "2020H1")
    assert "missing column 'indicator'" in problem.message and "indicater" in problem.message
