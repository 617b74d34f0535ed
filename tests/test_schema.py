"""Validation of a period's figures: each broken row is reported with its place and fix."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.dataset.loader import load_dataset
from analysis.dataset.schema import validate_period
from analysis.errors import UserError


def _edit_row(project, row: int, column: str, value: str) -> None:
    """Set one cell of figures.csv (row counted as in a spreadsheet: header is row 1)."""
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


# ------------------------------------------------------------------ the contract's limits

@pytest.mark.parametrize(("row", "value", "message"), [
    (37, "0", "standard 0 is not greater than 0"),        # dibao_standard
    (37, "-630", "standard -630 is not greater than 0"),
    (2, "-1753", "negative count -1753"),                 # a flow of persons
    (2, "1" * 21, "has 21 significant digits; at most 20"),
    (2, "1753.0000001", "has 7 decimals; at most 6"),
    (2, "1" * 16, "has 16 digits before the decimal point; at most 15"),
])
def test_value_outside_its_range_or_digits_is_reported(project_copy, row, value, message):
    _edit_row(project_copy, row, "value", value)
    problems = validate_period(project_copy, "2020H1")
    assert any(message in p.message and p.row == row and p.column == "value" for p in problems), \
        [str(p) for p in problems]


def test_largest_allowed_values_pass_the_range_checks():
    from decimal import Decimal

    from analysis.dataset.schema import digits_problem, range_problem

    for text in ["123456789012345.123456"[:21], "99999999999999.999999", "0.000001", "0"]:
        assert digits_problem(text, Decimal(text)) is None, text
    assert range_problem("0.01", Decimal("0.01"), "standard", "standard", "yuan") is None
    assert range_problem("0", Decimal("0"), "stock", "count", "person") is None
    assert range_problem("100", Decimal("100"), "rate", "rate", "percent") is None


def test_empty_section_is_allowed_but_a_bad_one_is_not(project_copy):
    _edit_row(project_copy, 2, "section", "")
    assert not [p for p in validate_period(project_copy, "2020H1") if p.column == "section"]
    _edit_row(project_copy, 2, "section", "1.")
    assert any(p.column == "section" and p.row == 2 for p in validate_period(project_copy,
                                                                             "2020H1"))


def test_unknown_column_in_figures_csv_is_refused(project_copy):
    path = project_copy.period_dir("2020H1") / "figures.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).assign(comment="x")
    frame.to_csv(path, index=False)
    [problem] = validate_period(project_copy, "2020H1")
    assert problem.message == "unknown column 'comment'" and problem.column == "comment"


@pytest.mark.parametrize(("column", "length", "limit"), [("quote", 501, 500),
                                                         ("note", 1001, 1000)])
def test_over_long_text_is_reported_with_the_limit(project_copy, column, length, limit):
    _edit_row(project_copy, 2, column, "x" * length)
    problems = validate_period(project_copy, "2020H1")
    assert any(p.message == f"{column} is {length:,} characters long; at most {limit:,} are "
               "allowed" and p.row == 2 for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(("fields", "message"), [
    ({"date": "2021/01/05"}, "invalid date '2021/01/05'"),
    ({"date": "2021-02-30"}, "invalid date '2021-02-30'"),
    ({"url": "ftp://example.org/x"}, "invalid url"),
    ({"url": "www.example.org"}, "invalid url"),
    ({"title": "题" * 201}, "title is 201 characters long; at most 200"),
    ({"doc_number": "号" * 61}, "doc_number is 61 characters long; at most 60"),
    ({"author": "x"}, "unknown field 'author'"),
])
def test_source_metadata_is_checked(fields, message):
    from analysis.dataset.schema import validate_source

    [problem] = validate_source(fields, "entry.xlsx", {name: 3 for name in fields})
    assert message in problem.message and problem.row == 3 and problem.fix


def test_complete_source_metadata_passes():
    from analysis.dataset.schema import validate_source

    assert validate_source({"title": "关于提高城乡低保标准的通知", "issuer": "六安市民政局",
                            "doc_number": "六民〔2021〕12号", "date": "2021-01-05",
                            "url": "https://www.luan.gov.cn/x.html", "note": ""}, "f") == []


@pytest.mark.parametrize(("definition", "message"), [
    ("", "no Chinese definition"),
    ("Persons receiving urban dibao.", "is not in Chinese"),
    ("期末享受城市低保的人数，约9000人，单位：人。", "holds 9000"),
])
def test_every_indicator_needs_a_chinese_definition_without_new_figures(project_copy,
                                                                         definition, message):
    """指标解释: a book whose catalogue lacks one, or whose definition is English or adds a
    number, does not load; the problem names indicators.csv, the row and definition_zh."""
    path = project_copy.catalogue / "indicators.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.at[3, "definition_zh"] = definition
    frame.to_csv(path, index=False)
    with pytest.raises(UserError) as raised:
        load_dataset(project_copy)
    assert any(message in p.message and p.row == 5 and p.column == "definition_zh"
               and p.file.endswith("indicators.csv") for p in raised.value.problems), \
        [str(p) for p in raised.value.problems]


def test_a_catalogue_without_definitions_is_refused(project_copy):
    path = project_copy.catalogue / "indicators.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.drop(columns="definition_zh").to_csv(path, index=False)
    with pytest.raises(UserError, match="definition_zh"):
        load_dataset(project_copy)
