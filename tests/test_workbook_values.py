"""The entry workbook takes what its own drop-down lists show (元/人/月, 余, 万: the names
alone, not only `code name`), and numbers typed as numbers where nothing is lost; where the
cell's number format hides digits, a located message says to type the value as text."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.errors import UserError
from analysis.intake.importer import import_period
from analysis.intake.workbook import new_period

# SYNTHETIC: invented figures for a county-level half-year (columns of the figures sheet:
# indicator, geo, value, unit_mult, unit, qualifier, as_of, section, quote, note)
ROWS = [
    ["dibao_standard", "341522", "650", "0", "yuan_per_person_month", "", "2020-07-01", "1", "",
     "SYNTHETIC"],
    ["tekun_rural_basic_standard", "341522", "845", "0", "yuan_per_person_month", "",
     "2020-07-01", "2", "", "SYNTHETIC"],
]


def _fill(path, rows, formats=None) -> None:
    wb = load_workbook(path)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = wb["figures"].cell(row=r, column=c, value=value)
            if (r, c) in (formats or {}):
                cell.number_format = formats[(r, c)]
            elif not isinstance(value, str):
                cell.number_format = "General"  # what a cell shows once its format is reset
    wb["source"]["B2"] = "SYNTHETIC 合成测试通知"
    wb.save(path)


def _imported(project, rows, formats=None) -> pd.DataFrame:
    path = new_period(project, "2020H2")
    _fill(path, rows, formats)
    import_period(project, "2020H2", path)
    return pd.read_csv(project.period_dir("2020H2") / "figures.csv", dtype=str,
                       keep_default_na=False)


def test_names_alone_as_the_drop_down_lists_show_them_are_taken_as_their_codes(project_copy):
    rows = [list(r) for r in ROWS]
    rows[0][3:6] = ["0", "元/人/月", "余"]  # the unit's and the qualifier's names
    rows[1][3:6] = ["0", "元/人/月", "约"]
    figures = _imported(project_copy, rows)
    assert list(figures["unit"]) == ["yuan_per_person_month"] * 2
    assert list(figures["qualifier"]) == ["more_than", "approx"]


def test_the_ten_thousands_name_is_taken_as_its_power_of_ten(project_copy):
    rows = [list(r) for r in ROWS]
    rows[0][2:4] = ["0.065", "万"]
    figures = _imported(project_copy, rows)
    assert list(figures["unit_mult"]) == ["4", "0"]


def test_a_name_shared_by_several_codes_is_refused_with_the_codes(project_copy):
    path = new_period(project_copy, "2020H2")
    rows = [list(r) for r in ROWS]
    rows[0][4] = "个"  # the symbol of several units
    _fill(path, rows)
    with pytest.raises(UserError) as caught:
        import_period(project_copy, "2020H2", path)
    problem = next(p for p in caught.value.problems if p.column == "unit")
    assert problem.row == 2 and problem.sheet == "figures"
    assert "'个' is the name of " in problem.message and "," in problem.message


@pytest.mark.parametrize(("value", "number_format", "expected"), [
    (650, "General", "650"),  # a whole number
    (650.0, "General", "650"),
    (650, "0.0", "650.0"),  # the digits the cell's own format shows
    (649.5, "0.0", "649.5"),
    (649.52, "#,##0.00", "649.52"),
    (649.5, "General", "649.5"),
])
def test_a_number_typed_as_a_number_is_taken_where_nothing_is_lost(project_copy, value,
                                                                   number_format, expected):
    rows = [list(r) for r in ROWS]
    rows[0][2] = value
    figures = _imported(project_copy, rows, {(2, 3): number_format})
    assert figures["value"][0] == expected


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (6.12, "0.0", "6.1"),  # the cell shows fewer digits than were typed
    (649.5, "0", "650"),
    (0.0123456789012, "General", "a rounding"),
])
def test_a_number_whose_cell_hides_digits_is_refused_with_its_place(project_copy, value,
                                                                    number_format, shown):
    path = new_period(project_copy, "2020H2")
    rows = [list(r) for r in ROWS]
    rows[1][2] = value
    _fill(path, rows, {(3, 3): number_format})
    before = sorted(p.name for p in project_copy.data.rglob("*"))
    with pytest.raises(UserError) as caught:
        import_period(project_copy, "2020H2", path)
    [problem] = [p for p in caught.value.problems if p.column == "value (C)"]
    assert (problem.sheet, problem.row) == ("figures", 3)
    assert f"shows as {shown}: digits would be lost" in problem.message
    assert "text" in problem.fix and str(value) in problem.fix
    assert sorted(p.name for p in project_copy.data.rglob("*")) == before  # nothing written
