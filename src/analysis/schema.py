"""Validate a period's data against the contract (schema + catalogue + source text)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis.catalogue import Catalogue, load_catalogue
from analysis.csvio import read_csv
from analysis.errors import Problem, UserError
from analysis.figures import FIGURE_COLUMNS, QUALIFIERS, TARGET_COLUMNS, as_of_end
from analysis.periods import Period, parse_period
from analysis.project import Project

# ASCII digits only: `\d` would also accept full-width １２３ and other scripts' digits
DECIMAL = r"-?[0-9]+(\.[0-9]+)?"
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
AS_OF = rf"{ISO_DATE}(/{ISO_DATE})?"
SECTION = r"[0-9]+(\.[0-9]+)*"
CHINESE_DIGITS = {
    0: "零", 1: "一", 2: "二两", 3: "三", 4: "四", 5: "五",
    6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
}

FIXES = {
    "column_in_dataframe": "add the column to the header row",
    "value": "write the number only, as a decimal in the written unit (3.46 for 3.46万)",
    "unit_mult": "use 0, 4 (万) or 8 (亿)",
    "qualifier": "leave empty or use more_than (余/超), at_least (以上), approx (约/左右)",
    "as_of": "write an ISO date 2020-06-30 or interval 2020-01-01/2020-04-30",
    "deadline": "write an ISO date such as 2020-12-31",
    "section": "write the section number like 1.1.3 for 一、(一)3.",
    "indicator": "use an id from data/catalogue/indicators.csv or add it there",
    "unit": "use an id from data/catalogue/units.csv",
    "geo": "use a six-digit code from data/catalogue/geo.csv",
    "comparison": "use at_least, at_most or equal",
}


def _schema(catalogue: Catalogue, columns: tuple[str, ...], key: list[str]) -> pa.DataFrameSchema:
    text = {"dtype": str, "nullable": False}
    spec: dict[str, pa.Column] = {
        "indicator": pa.Column(checks=pa.Check.isin(list(catalogue.indicators["id"])), **text),
        "geo": pa.Column(checks=pa.Check.isin(list(catalogue.geo["code"])), **text),
        "value": pa.Column(checks=pa.Check.str_matches(rf"^{DECIMAL}$"), **text),
        "unit_mult": pa.Column(checks=pa.Check.isin(["0", "4", "8"]), **text),
        "unit": pa.Column(checks=pa.Check.isin(list(catalogue.units["id"])), **text),
        "section": pa.Column(checks=pa.Check.str_matches(rf"^{SECTION}$"), **text),
        "quote": pa.Column(**text),
        "note": pa.Column(**text),
    }
    if "as_of" in columns:
        spec["as_of"] = pa.Column(checks=pa.Check.str_matches(rf"^{AS_OF}$"), **text)
        spec["qualifier"] = pa.Column(checks=pa.Check.isin(list(QUALIFIERS)), **text)
    else:
        spec["deadline"] = pa.Column(checks=pa.Check.str_matches(rf"^{ISO_DATE}$"), **text)
        spec["comparison"] = pa.Column(
            checks=pa.Check.isin(["at_least", "at_most", "equal"]), **text
        )
        spec["set_in"] = pa.Column(**text)
    return pa.DataFrameSchema(spec, strict=False, unique=key, report_duplicates="all")


def _schema_problems(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str) -> list[Problem]:
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        key = [schema.unique] if isinstance(schema.unique, str) else list(schema.unique or [])
        found = [_problem(case, frame, file, key) for case in
                 err.failure_cases.to_dict("records")]
        return list(dict.fromkeys(found))  # a duplicate row fails once per key column
    return []


def _problem(case: dict, frame: pd.DataFrame, file: str, key: list[str]) -> Problem:
    column = case.get("column")
    check = str(case.get("check"))
    index = case.get("index")
    row = int(index) + 2 if index is not None and not pd.isna(index) else None
    if check == "column_in_dataframe":
        missing = case.get("failure_case")
        return Problem(file, f"missing column {missing!r}", FIXES[check], column=str(missing))
    if check in ("multiple_fields_uniqueness", "field_uniqueness") or column is None or (
        isinstance(column, str) and column.startswith("(")
    ):
        if row is not None and key:
            same = (frame[key] == frame.loc[index, key]).all(axis=1)
            rows = ", ".join(str(int(i) + 2) for i in frame.index[same])
            return Problem(file, f"duplicate row: rows {rows} have the same "
                           f"{', '.join(key)} {tuple(frame.loc[index, key])}",
                           f"keep one row per {', '.join(key)}", row=row)
        return Problem(file, "duplicate row for the same (indicator, geo, as_of)",
                       "keep one row per indicator, geo and date", row=row)
    value = frame.at[index, column] if row is not None else case.get("failure_case")
    return Problem(file, f"invalid {column} {value!r}", FIXES.get(str(column), ""), row=row,
                   column=str(column))


def _decimal(text: str) -> Decimal | None:
    """The number of a contract decimal string; None for anything else (also NaN, 1e5, ∞)."""
    if not isinstance(text, str) or not re.fullmatch(DECIMAL, text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _bad_date(text: str) -> str | None:
    """The first part of an ISO date or interval that is not a real date (2020-02-30)."""
    for part in text.split("/"):
        try:
            dt.date.fromisoformat(part)
        except ValueError:
            return part
    return None


def written_forms(value: str, unit_mult: int) -> list[str]:
    """Ways the number can stand in the source: 3.46, or 两/二 for 2."""
    forms = [value]
    number = _decimal(value)
    if number is not None and number == number.to_integral() and int(number) in CHINESE_DIGITS:
        forms.extend(CHINESE_DIGITS[int(number)])
    return forms


def _row_problems(
    frame: pd.DataFrame, catalogue: Catalogue, file: str, period: Period, source: str | None
) -> list[Problem]:
    problems: list[Problem] = []
    units = catalogue.units.set_index("id")
    indicators = catalogue.indicators.set_index("id")
    for index, row in frame.iterrows():
        line = int(index) + 2
        number = _decimal(row.get("value", ""))
        indicator, unit = row.get("indicator"), row.get("unit")
        if indicator in indicators.index and unit in units.index:
            expected = indicators.at[indicator, "unit"]
            if unit != expected:
                problems.append(Problem(file, f"unit {unit!r} does not match indicator "
                                        f"{indicator!r}, whose unit is {expected!r}",
                                        f"use {expected!r} or another indicator", line, "unit"))
            dimension = units.at[unit, "dimension"]
            if number is not None and number < 0 and dimension in ("count", "money", "area"):
                problems.append(Problem(file, f"negative {dimension} {row['value']}",
                                        "counts and amounts cannot be negative", line, "value"))
            if number is not None and unit == "percent" and not 0 <= number <= 100:
                problems.append(Problem(file, f"percentage {row['value']} outside 0-100",
                                        "write the percentage as a number from 0 to 100", line,
                                        "value"))
        as_of = row.get("as_of")
        for column in ("as_of", "deadline"):  # well-formed but not a calendar date
            text = row.get(column)
            if text and re.fullmatch(AS_OF, text) and (bad := _bad_date(text)):
                problems.append(Problem(file, f"{column} {text}" + (
                                        "" if bad == text else f": {bad}") + " is not a date",
                                        FIXES[column], line, column))
        if as_of and re.fullmatch(AS_OF, as_of) and "/" in as_of and (
                as_of.split("/")[0] > as_of.split("/")[1]):
            problems.append(Problem(file, f"as_of {as_of}: the interval ends before it starts",
                                    "write the interval as start/end", line, "as_of"))
        if as_of and re.fullmatch(AS_OF, as_of) and not _bad_date(as_of):
            end = as_of_end(as_of)
            if not period.start.isoformat() <= end <= period.end.isoformat():
                problems.append(Problem(file, f"as_of {as_of} ends outside period {period.id} "
                                        f"({period.start}..{period.end})",
                                        "use a date within the period or move the row to "
                                        "its own period", line, "as_of"))
        quote = row.get("quote", "")
        if source is not None:
            if not quote:
                problems.append(Problem(file, "empty quote", "copy the clause containing the "
                                        "figure from source.txt", line, "quote"))
            elif quote not in source:
                problems.append(Problem(file, f"quote not found verbatim in source.txt: "
                                        f"{quote!r}", "copy the clause exactly, with the same "
                                        "punctuation", line, "quote"))
            elif "as_of" in row and not any(form in quote for form in
                         written_forms(row.get("value", ""), row.get("unit_mult", 0))):
                problems.append(Problem(file, f"quote does not contain the value "
                                        f"{row.get('value')!r}", "quote the clause where the "
                                        "number is written", line, "quote"))
    return problems


def validate_table(
    frame: pd.DataFrame, catalogue: Catalogue, file: str, period: Period,
    source: str | None, columns: tuple[str, ...] = FIGURE_COLUMNS,
) -> list[Problem]:
    """Every problem in a figures or targets table, as located Problems."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        unexpected = [c for c in frame.columns if c not in columns]  # not another's name
        close = {c: _closest(c, unexpected) for c in missing}
        return [Problem(file, f"missing column {c!r}" +
                        (f" (found {close[c]!r}: misspelt?)" if close[c] else ""),
                        f"the header must have: {', '.join(columns)}", column=c)
                for c in missing]
    key = ["indicator", "geo", "as_of"] if "as_of" in columns else ["indicator", "geo", "deadline"]
    problems = _schema_problems(frame, _schema(catalogue, columns, key), file)
    return problems + _row_problems(frame, catalogue, file, period, source)


def _closest(name: str, candidates: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def validate_period(project: Project, period: str) -> list[Problem]:
    """Problems in data/periods/<P>/ (figures.csv, targets.csv) against the contract."""
    parsed = parse_period(period)
    catalogue = load_catalogue(project)
    base: Path = project.period_dir(parsed)
    if not base.is_dir():
        raise UserError(Problem(str(base), "period directory not found",
                                f"create it with `policybook new-period {parsed.id}`"))
    source_path = base / "source.txt"
    source = source_path.read_text(encoding="utf-8") if source_path.exists() else None
    rel = project.root
    problems = validate_table(read_csv(base / "figures.csv"), catalogue,
                              str((base / "figures.csv").relative_to(rel)), parsed, source)
    targets = base / "targets.csv"
    if targets.exists():
        problems += validate_table(read_csv(targets), catalogue, str(targets.relative_to(rel)),
                                   parsed, source, TARGET_COLUMNS)
    return problems
