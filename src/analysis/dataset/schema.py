"""Validate a period's data against the contract (schema + catalogue + source text).

The contract's limits, each refused with a located message and a fix:

- rows: at most `MAX_FIGURE_ROWS` (50,000) data rows per table (enforced by the readers of
  `policybook import`, which stop there).
- columns: exactly the contract's (`FIGURE_COLUMNS`, `TARGET_COLUMNS`): a missing column or
  any other column is an error (nothing is copied through unchecked).
- `value`: a plain decimal (ASCII digits, optional sign and point) with at most
  `MAX_SIGNIFICANT_DIGITS` (20) significant digits, `MAX_DECIMALS` (6) decimals and
  `MAX_INTEGER_DIGITS` (15) digits before the point, so that the Decimal arithmetic of the
  checks (bounds, sums, ratios, `quantize`) never raises InvalidOperation.
- ranges by the indicator's kind and unit: a `standard` is > 0 (it is divided by); counts
  and amounts (kinds stock, flow, money, target, progress; unit dimensions count, money,
  area) are >= 0; a percentage is within 0-100.
- `section`: empty (a notice has no numbered sections) or `1`, `1.1.3`, ...
- text lengths (`MAX_LENGTHS`, in characters): section 20, quote 500, note 1000, set_in 10;
  a new indicator's label_zh 60, label_en 100, description 500, definition_zh 200; the
  source document's
  title 200, issuer 100, doc_number (文号) 60, url 500.
- ids of new indicators: ASCII `^[a-z][a-z0-9_]{1,63}$` (`INDICATOR_ID`).
- `definition_zh` of every indicator (指标解释): given, in Chinese, and with no figure that
  its label or English description does not hold (a definition explains, it adds no number).
- source.yml (`SOURCE_FIELDS`): title, issuer, doc_number, date, url, note, extent; date an
  ISO date, url starting with http:// or https://, extent `full` or `partial` (the figures
  were entered from only part of the report's text), when given.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis.dataset.catalogue import Catalogue, load_catalogue
from analysis.dataset.csvio import read_csv
from analysis.dataset.figures import (
    ASSUMED,
    ASSUMED_VALUES,
    FIGURE_COLUMNS,
    OPTIONAL_FIGURE_COLUMNS,
    QUALIFIERS,
    TARGET_COLUMNS,
    as_of_end,
)
from analysis.dataset.periods import Period, parse_period
from analysis.dataset.project import Project
from analysis.dataset.safe_files import read_source_text
from analysis.errors import Problem, UserError, echo
from analysis.language import N_, _

# ASCII digits only: `\d` would also accept full-width １２３ and other scripts' digits
DECIMAL = r"-?[0-9]+(\.[0-9]+)?"
ISO_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
AS_OF = rf"{ISO_DATE}(/{ISO_DATE})?"
SECTION = r"[0-9]+(\.[0-9]+)*"
INDICATOR_ID = r"[a-z][a-z0-9_]{1,63}"  # ASCII: str.isalnum would accept 低保 and ａｂｃ
URL = r"https?://\S+"
CJK = re.compile(r"[\u4e00-\u9fff]")
FIGURE = re.compile(r"[0-9]+(?:\.[0-9]+)?")  # ASCII figures (a year, a count, a share)
MAX_FIGURE_ROWS = 50_000  # data rows per sheet or CSV that `policybook import` reads
MAX_SIGNIFICANT_DIGITS = 20
MAX_DECIMALS = 6
MAX_INTEGER_DIGITS = 15
MAX_LENGTHS = {
    "section": 20, "quote": 500, "note": 1000, "set_in": 10,
    "label_zh": 60, "label_en": 100, "description": 500, "definition_zh": 200,
    "title": 200, "issuer": 100, "doc_number": 60, "url": 500,
}
SOURCE_FIELDS = ("title", "issuer", "doc_number", "date", "url", "note", "extent")
EXTENTS = ("full", "partial")  # source.yml `extent`: the whole report, or only part of it
NON_NEGATIVE_KINDS = ("stock", "flow", "money", "target", "progress")
NON_NEGATIVE_DIMENSIONS = ("count", "money", "area")
CHINESE_DIGITS = {
    0: "零", 1: "一", 2: "二两", 3: "三", 4: "四", 5: "五",
    6: "六", 7: "七", 8: "八", 9: "九", 10: "十",
}

FIXES = {
    "column_in_dataframe": N_("add the column to the header row"),
    "value": N_("write the number only, as a decimal in the written unit (3.46 for 3.46万)"),
    "unit_mult": N_("use 0, 4 (万) or 8 (亿)"),
    "qualifier": N_("leave empty or use more_than (余/超), at_least (以上), approx (约/左右)"),
    "as_of": N_("write an ISO date 2020-06-30 or interval 2020-01-01/2020-04-30"),
    "deadline": N_("write an ISO date such as 2020-12-31 (年底前), or the window a task is "
                   "due within, such as 2020-01-01/2020-12-31 (年度任务)"),
    "section": N_("write the section number like 1.1.3 for 一、(一)3. (leave it empty for a "
                  "notice without numbered sections)"),
    "indicator": N_("use an id from data/catalogue/indicators.csv or add it there"),
    "unit": N_("use an id from data/catalogue/units.csv"),
    "geo": N_("use a six-digit code from data/catalogue/geo.csv"),
    "comparison": N_("use at_least, at_most or equal"),
}
LENGTH_FIXES = {
    "quote": N_("quote only the clause that holds the number"),
    "note": N_("shorten the note; longer explanations belong in the period's README or source.yml"),
    "description": N_("shorten the description to a sentence or two"),
    "definition_zh": N_("say in a sentence what is counted, its scope and its unit"),
    "url": N_("give the address of the document itself"),
}


def _schema(catalogue: Catalogue, columns: tuple[str, ...], key: list[str]) -> pa.DataFrameSchema:
    text = {"dtype": str, "nullable": False}
    spec: dict[str, pa.Column] = {
        "indicator": pa.Column(checks=pa.Check.isin(list(catalogue.indicators["id"])), **text),
        "geo": pa.Column(checks=pa.Check.isin(list(catalogue.geo["code"])), **text),
        "value": pa.Column(checks=pa.Check.str_matches(rf"^{DECIMAL}$"), **text),
        "unit_mult": pa.Column(checks=pa.Check.isin(["0", "4", "8"]), **text),
        "unit": pa.Column(checks=pa.Check.isin(list(catalogue.units["id"])), **text),
        "section": pa.Column(checks=pa.Check.str_matches(rf"^({SECTION})?$"), **text),
        "quote": pa.Column(**text),
        "note": pa.Column(**text),
    }
    if "as_of" in columns:
        spec["as_of"] = pa.Column(checks=pa.Check.str_matches(rf"^{AS_OF}$"), **text)
        spec["qualifier"] = pa.Column(checks=pa.Check.isin(list(QUALIFIERS)), **text)
    else:
        spec["deadline"] = pa.Column(checks=pa.Check.str_matches(rf"^{AS_OF}$"), **text)
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
        return Problem(file, _("missing column {missing}").format(
                                 missing=echo(missing)), _(FIXES[check]), column=str(missing))
    if check in ("multiple_fields_uniqueness", "field_uniqueness") or column is None or (
        isinstance(column, str) and column.startswith("(")
    ):
        if row is not None and key:
            same = (frame[key] == frame.loc[index, key]).all(axis=1)
            rows = ", ".join(str(int(i) + 2) for i in frame.index[same])
            return Problem(file, _("duplicate row: rows {rows} have the same {key} {value}").format(
                                     rows=rows, key=', '.join(key),
                                     value=tuple(frame.loc[index, key])),
                           _("keep one row per {key}").format(
                               key=', '.join(key)), row=row)
        return Problem(file, _("duplicate row for the same (indicator, geo, as_of)"),
                       _("keep one row per indicator, geo and date"), row=row)
    value = frame.at[index, column] if row is not None else case.get("failure_case")
    return Problem(file, _("invalid {column} {value}").format(
                             column=column,
                             value=echo(value)), _(FIXES.get(str(column), "")), row=row,
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


def digits_problem(text: str, number: Decimal) -> tuple[str, str] | None:
    """(message, fix) if a contract decimal has more digits than Decimal checks can hold."""
    sign, digits, exponent = number.as_tuple()
    decimals = max(0, -int(exponent))
    significant = len(digits) if any(digits) else 1
    integer = max(0, len(digits) + int(exponent)) if any(digits) else 0
    fix = _("write the number as the report writes it, in its written unit (3.46 for 3.46万)")
    if significant > MAX_SIGNIFICANT_DIGITS:
        return (_("value {text} has {significant} significant digits; at most {most} are "
                  "allowed").format(text=text, significant=significant,
                                    most=MAX_SIGNIFICANT_DIGITS), fix)
    if decimals > MAX_DECIMALS:
        return (_("value {text} has {decimals} decimals; at most {most} are allowed").format(
            text=text, decimals=decimals, most=MAX_DECIMALS), fix)
    if integer > MAX_INTEGER_DIGITS:
        return (_("value {text} has {integer} digits before the decimal point; at most {most} "
                  "are allowed").format(text=text, integer=integer, most=MAX_INTEGER_DIGITS),
                _("write the number as the report writes it, in its written unit (3.46 for "
                  "3.46万) and unit_mult (4 for 万, 8 for 亿)"))
    return None


def range_problem(text: str, number: Decimal, kind: str, dimension: str,
                  unit: str) -> tuple[str, str] | None:
    """(message, fix) if the value is outside its kind's and unit's range."""
    if kind == "standard" and number <= 0:
        return (_("standard {text} is not greater than 0").format(text=text),
                _("a standard (标准) is a positive amount: check the number and its sign"))
    if unit == "percent" and not 0 <= number <= 100:
        return (_("percentage {text} outside 0-100").format(text=text),
                _("write the percentage as a number from 0 to 100"))
    if number < 0 and (dimension in NON_NEGATIVE_DIMENSIONS or kind in NON_NEGATIVE_KINDS):
        what = dimension if dimension in NON_NEGATIVE_DIMENSIONS else kind
        return (_("negative {what} {text}").format(what=what, text=text),
                _("counts and amounts cannot be negative"))
    return None


def length_problem(column: str, text: str) -> tuple[str, str] | None:
    """(message, fix) if `text` is longer than the contract allows for `column`."""
    limit = MAX_LENGTHS.get(column)
    if limit is None or len(text) <= limit:
        return None
    return (_("{column} is {length:,} characters long; at most {limit:,} are allowed").format(
        column=column, length=len(text), limit=limit),
            _(LENGTH_FIXES[column]) if column in LENGTH_FIXES else _(
                "shorten it to at most {limit:,} characters").format(limit=limit))


def definition_problem(row: pd.Series | dict) -> tuple[str, str] | None:
    """(message, fix) if an indicator's Chinese definition (指标解释) is missing, not in
    Chinese, too long, or holds a figure that its labels and description do not."""
    text = row.get("definition_zh", "")
    fix = ("write in Chinese what is counted, its scope and its unit, from the description "
           "and the report, e.g. 期末享受城市低保的人数，为时点数，单位：人。")
    if not text.strip():
        return "no Chinese definition (definition_zh)", fix
    if not CJK.search(text):
        return f"definition_zh {echo(text)} is not in Chinese", fix
    if found := length_problem("definition_zh", text):
        return found
    known = " ".join(str(row.get(c, "")) for c in ("label_zh", "label_en", "description"))
    added = [n for n in FIGURE.findall(text) if n not in FIGURE.findall(known)]
    if added:
        return (f"definition_zh holds {', '.join(added)}, which neither the labels nor the "
                "description give", "a definition adds no figure: take the number out, or "
                "give it in the description with its source")
    return None


def catalogue_problems(catalogue: Catalogue, file: str) -> list[Problem]:
    """Problems of indicators.csv: every indicator has a Chinese definition (definition_zh)."""
    indicators = catalogue.indicators
    if "definition_zh" not in indicators.columns:
        return [Problem(file, "no definition_zh column", "add a definition_zh column with a "
                        "Chinese definition (指标解释) of every indicator", column="definition_zh")]
    return [Problem(file, f"indicator {row['id']}: {found[0]}", found[1], int(index) + 2,
                    "definition_zh")
            for index, row in indicators.iterrows() if (found := definition_problem(row))]


def _value_problems(row: dict, line: int, file: str, kind: dict[str, str],
                    dimension: dict[str, str]) -> list[Problem]:
    """Digits and range of the row's value, by its indicator's kind and its unit."""
    text = row.get("value", "")
    number = _decimal(text)
    if number is None:
        return []  # reported by the schema as an invalid value
    found = [digits_problem(text, number)]
    indicator, unit = row.get("indicator"), row.get("unit")
    if indicator in kind and unit in dimension:
        found.append(range_problem(text, number, kind[indicator], dimension[unit], unit))
    return [Problem(file, message, fix, line, "value") for message, fix in filter(None, found)]


def _date_problems(row: dict, line: int, file: str, period: Period) -> list[Problem]:
    problems: list[Problem] = []
    as_of = row.get("as_of")
    for column in ("as_of", "deadline"):  # well-formed but not a calendar date
        text = row.get(column)
        if text and re.fullmatch(AS_OF, text) and (bad := _bad_date(text)):
            problems.append(Problem(file, (_("{column} {text} is not a date") if bad == text
                                           else _("{column} {text}: {bad} is not a date")).format(
                                               column=column, text=text, bad=bad),
                                    _(FIXES[column]), line, column))
    for column in ("as_of", "deadline"):
        text = row.get(column)
        if text and re.fullmatch(AS_OF, text) and "/" in text and (
                text.split("/")[0] > text.split("/")[1]):
            problems.append(Problem(
                file, _("{column} {text}: the interval ends before it starts").format(
                    column=column, text=text),
                _("write the interval as start/end"), line, column))
    if as_of and re.fullmatch(AS_OF, as_of) and not _bad_date(as_of):
        end = as_of_end(as_of)
        if not period.start.isoformat() <= end <= period.end.isoformat():
            problems.append(Problem(file, _("as_of {as_of} ends outside period {id} "
                                            "({start}..{end})").format(
                                              as_of=as_of, id=period.id, start=period.start,
                                              end=period.end),
                                    _("use a date within the period or move the row to its own "
                                      "period"), line, "as_of"))
    return problems


def _quote_problems(row: dict, line: int, file: str, source: str | None) -> list[Problem]:
    quote = row.get("quote", "")
    if source is None:
        return []
    if not quote:
        return [Problem(file, _("empty quote"), _("copy the clause containing the figure from "
                                               "source.txt"), line, "quote")]
    if len(quote) > MAX_LENGTHS["quote"]:
        return []  # reported as too long; not searched for in the text
    if quote not in source:
        return [Problem(file, _("quote not found verbatim in source.txt: {quote}").format(
                                  quote=echo(quote)),
                        _("copy the clause exactly, with the same punctuation"), line, "quote")]
    if "as_of" in row and not any(form in quote for form in
                                  written_forms(row.get("value", ""), row.get("unit_mult", 0))):
        return [Problem(file, _("quote does not contain the value {value!r}").format(
                                  value=row.get('value')),
                        _("quote the clause where the number is written"), line, "quote")]
    return []


def _row_problems(
    frame: pd.DataFrame, catalogue: Catalogue, file: str, period: Period, source: str | None
) -> list[Problem]:
    problems: list[Problem] = []
    indicators, units = catalogue.indicators, catalogue.units
    unit_of = dict(zip(indicators["id"], indicators["unit"], strict=True))
    kind = dict(zip(indicators["id"], indicators["kind"], strict=True))
    dimension = dict(zip(units["id"], units["dimension"], strict=True))
    for index, row in zip(frame.index, frame.to_dict("records"), strict=True):
        line = int(index) + 2
        indicator, unit = row.get("indicator"), row.get("unit")
        if indicator in unit_of and unit in dimension and unit != unit_of[indicator]:
            expected = unit_of[indicator]
            problems.append(Problem(file, _("unit {unit} does not match indicator {indicator}, "
                                            "whose unit is {expected!r}").format(
                                              unit=echo(unit), indicator=echo(indicator),
                                              expected=expected),
                                    _("use {expected!r} or another indicator").format(
                                        expected=expected), line, "unit"))
        problems += _value_problems(row, line, file, kind, dimension)
        problems += _date_problems(row, line, file, period)
        problems += _quote_problems(row, line, file, source)
    return problems


def _length_problems(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Cells longer than MAX_LENGTHS allows, column by column."""
    problems = []
    for column in (c for c in frame.columns if c in MAX_LENGTHS):
        long = frame.index[frame[column].str.len() > MAX_LENGTHS[column]]
        for index in long:
            message, fix = length_problem(column, frame.at[index, column]) or ("", "")
            problems.append(Problem(file, message, fix, int(index) + 2, column))
    return problems


def validate_table(
    frame: pd.DataFrame, catalogue: Catalogue, file: str, period: Period,
    source: str | None, columns: tuple[str, ...] = FIGURE_COLUMNS,
) -> list[Problem]:
    """Every problem in a figures or targets table, as located Problems."""
    optional = OPTIONAL_FIGURE_COLUMNS if columns == FIGURE_COLUMNS else ()
    unknown = column_problems([c for c in frame.columns if c not in optional], columns, file)
    missing = [p for p in unknown if p.message.startswith("missing")]
    if missing:
        return unknown
    if ASSUMED in optional and ASSUMED in frame:
        unknown += [Problem(file, _("{column} must be empty, yes, start or report, not {v}").format(
                                      column=ASSUMED,
                                      v=echo(v)),
                            _("write yes where the source gives no date for the figure, start "
                              "where it gives only the end of the figure's window, report "
                              "where it says 截至目前 (the report's date)"),
                            i + 2, ASSUMED)
                    for i, v in enumerate(frame[ASSUMED]) if v not in ASSUMED_VALUES]
    key = ["indicator", "geo", "as_of"] if "as_of" in columns else ["indicator", "geo", "deadline"]
    problems = unknown + _schema_problems(frame[list(columns)], _schema(catalogue, columns, key),
                                          file)
    return problems + _length_problems(frame, file) + _row_problems(
        frame, catalogue, file, period, source)


def column_problems(found: list[str], columns: tuple[str, ...], file: str) -> list[Problem]:
    """A Problem for each contract column missing from `found` and each column not in it."""
    unexpected = [c for c in found if c not in columns]
    problems, misspelt = [], set()
    for name in (c for c in columns if c not in found):
        close = _closest(name, unexpected)  # a misspelt column is named, not just refused
        misspelt.add(close)
        problems.append(Problem(file, (_("missing column {name} (found {close}: misspelt?)")
                                       if close else _("missing column {name}")).format(
                                           name=echo(name), close=echo(close)),
                                _("the header must have: {columns}").format(
                                    columns=', '.join(columns)), column=name))
    for name in (c for c in unexpected if c not in misspelt):
        close = _closest(name, list(columns))
        problems.append(Problem(file, (_("unknown column {name} (misspelt {close}?)")
                                       if close else _("unknown column {name}")).format(
                                           name=echo(name), close=echo(close)),
                                _("delete the column or correct its header: only {columns} are "
                                  "imported").format(
                                    columns=', '.join(columns)), column=name))
    return problems


def _closest(name: str, candidates: list[str]) -> str | None:
    found = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def validate_source(fields: dict[str, str], file: str,
                    rows: dict[str, int] | None = None) -> list[Problem]:
    """Problems in the source document's metadata (the workbook's `source` sheet)."""
    rows = rows or {}
    problems = []
    for name, text in fields.items():
        if name not in SOURCE_FIELDS:
            found = [(f"unknown field {echo(name)}", "use only the fields "
                      f"{', '.join(SOURCE_FIELDS)} (one per row, in column A)")]
        else:
            found = [length_problem(name, text), _source_value_problem(name, text)]
        problems += [Problem(file, message, fix, rows.get(name), name)
                     for message, fix in filter(None, found)]
    return problems


def _source_value_problem(name: str, text: str) -> tuple[str, str] | None:
    if not text:
        return None
    if name == "date" and (not re.fullmatch(ISO_DATE, text) or _bad_date(text)):
        return (_("invalid date {text}").format(text=echo(text)),
                _("write the document's date as 2021-01-05"))
    if name == "extent" and text not in EXTENTS:
        return (_("invalid extent {text}").format(text=echo(text)),
                _("write full (the whole report was read) or partial (only part of its text "
                  "was available)"))
    if name == "url" and not re.fullmatch(URL, text):
        return (_("invalid url {text}").format(text=echo(text)), _(
            "give the web address starting with http:// or https:// (leave it empty if the "
            "document is not online)"))
    return None


def source_notes(fields: dict) -> list[str]:
    """What a reader of the period's pages should know about its source (not errors): no
    date, only part of the report's text."""
    notes = []
    if not str(fields.get("date") or "").strip():
        notes.append(_("source.yml gives no date: the pages cannot say when the report was "
                       "issued (add date: 'YYYY-MM-DD' if the document states one)"))
    if fields.get("extent") == "partial":
        notes.append(_("source.yml says extent: partial: the figures come from part of the "
                       "report only, and the pages say so"))
    return notes


def validate_period(project: Project, period: str) -> list[Problem]:
    """Problems in data/periods/<P>/ (figures.csv, targets.csv) against the contract."""
    parsed = parse_period(period)
    catalogue = load_catalogue(project)
    base: Path = project.period_dir(parsed)
    if not base.is_dir():
        raise UserError(Problem(str(base), _("period directory not found"),
                                _("create it with `{value}`").format(
                                    value=project.command(f'new-period {parsed.id}'))))
    rel = project.root
    source = read_source_text(base / "source.txt", str((base / "source.txt").relative_to(rel)))
    problems = validate_table(read_csv(base / "figures.csv"), catalogue,
                              str((base / "figures.csv").relative_to(rel)), parsed, source)
    targets = base / "targets.csv"
    if targets.exists():
        problems += validate_table(read_csv(targets), catalogue, str(targets.relative_to(rel)),
                                   parsed, source, TARGET_COLUMNS)
    return problems
