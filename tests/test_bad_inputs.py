"""Issue 7: a corpus of bad inputs for `policybook import`, each with the message it must give.

Every case runs the real command line against a copy of the project: most in-process through
`analysis.cli.main` (sys.argv patched, SystemExit caught: fast), the ones marked `sub` also as
a real `python -m analysis import` subprocess. Each bad case must exit 2, print an `error:`
line that holds all of the case's expected pieces (the place: file / sheet / row / column, what
is wrong, and the fix), never a traceback, and leave data/ byte-identical.

Inputs are generated here (CSV text edited from the 2020H1 figures, workbooks built with
`analysis.intake.workbook.build` and openpyxl) except where the stored bytes are the point: see
tests/bad_inputs/README.md. The good controls at the end must import (exit 0).

Some cases also patch the process (`Case.patch`): a smaller row limit (the real 50,000 is
measured in benchmarks/import_limits.py and tests/test_import_limits.py), a disk that fills up
or a read-only file system while the period is written. Those run in-process only.

Decision on markup (HTML/script): a quote or note is data. It is accepted as written (when the
period has source.txt, a quote must still be verbatim, so a script tag is rejected there as
"not found verbatim") and escaped where the book shows it (`analysis.pages.page.frame` uses
`DataFrame.to_html`, which escapes). A new indicator's labels are different: they are put into
the narrative's markdown, which passes HTML through, so a tag (`<` followed by a letter,
`/`, `!` or `?`) is rejected there; `<60岁` is fine.
"""

from __future__ import annotations

import csv
import errno
import functools
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from openpyxl import Workbook, load_workbook

from analysis import cli
from analysis.dataset.project import Project
from analysis.intake import importer
from analysis.intake.importer import MAX_BYTES
from analysis.intake.workbook import build

BAD = Path(__file__).parent / "bad_inputs"
FIGURES_2020H1 = ROOT / "data/periods/2020H1/figures.csv"
N_INDICATORS = len(pd.read_csv(ROOT / "data/catalogue/indicators.csv"))
NEW_ROW = N_INDICATORS + 2  # the catalogue sheet row where a new indicator goes

SYNTHETIC_ROWS = [  # SYNTHETIC: invented figures for a county-level 2020H2 workbook
    ["dibao_standard", "341522", "650", "0", "yuan_per_person_month", "", "2020-07-01", "1",
     "", "SYNTHETIC"],
    ["tekun_rural_basic_standard", "341522", "845", "0", "yuan_per_person_month", "",
     "2020-07-01", "2", "", "SYNTHETIC"],
    ["synthetic_new_indicator", "341522", "12.5", "4", "yuan", "", "2020-07-01/2020-12-31",
     "3", "", "SYNTHETIC"],
]
NEW_INDICATOR = ["synthetic_new_indicator", "social_assistance", "合成测试指标",
                 "Synthetic test", "yuan", "money", "flow", "", "SYNTHETIC indicator for tests",
                 "合成测试用的金额，单位：元。"]
SYNTHETIC_TARGET = ["dibao_standard", "341522", "700", "0", "yuan_per_person_month",
                    "at_least", "2020-12-31", "2020H2", "1", "", "SYNTHETIC"]

Builder = Callable[[Path, Project], Path]
Patch = Callable[[pytest.MonkeyPatch], None]


@dataclass(frozen=True)
class Case:
    id: str
    period: str
    make: Builder            # writes (or points to) the input file
    expect: tuple[str, ...]  # all on one `error:` line: place, what, fix
    sub: bool = False        # also through a real subprocess
    patch: Patch | None = None  # changes the process (in-process only)


# ---------------------------------------------------------------- CSV builders


def _rows_2020h1() -> list[list[str]]:
    with FIGURES_2020H1.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _cell_changed(read_rows: Callable[[], list[list[str]]], row: int, column: str,
                  value: str) -> Builder:
    """A CSV of `read_rows()` with one cell changed (row as a spreadsheet counts: header = 1)."""
    def make(tmp: Path, project: Project) -> Path:
        rows = read_rows()
        rows[row - 1][rows[0].index(column)] = value
        return _write_rows(tmp / "figures.csv", rows)
    return make


def csv_cell(row: int, column: str, value: str) -> Builder:
    """The 2020H1 figures with one cell changed."""
    return _cell_changed(_rows_2020h1, row, column, value)


def csv_rows(edit: Callable[[list[list[str]]], list[list[str]]]) -> Builder:
    def make(tmp: Path, project: Project) -> Path:
        return _write_rows(tmp / "figures.csv", edit(_rows_2020h1()))
    return make


def csv_bytes(data: bytes, name: str = "figures.csv") -> Builder:
    def make(tmp: Path, project: Project) -> Path:
        path = tmp / name
        path.write_bytes(data)
        return path
    return make


def stored(name: str) -> Builder:
    return lambda tmp, project: BAD / name


def too_large(tmp: Path, project: Project) -> Path:
    path = tmp / "figures.csv"
    with path.open("wb") as f:  # sparse: takes no disk space, never committed
        f.truncate(10 * MAX_BYTES)
    return path


def directory(tmp: Path, project: Project) -> Path:
    path = tmp / "figures.csv"
    path.mkdir()
    return path


def random_bytes(tmp: Path, project: Project) -> Path:
    import random

    path = tmp / "figures.csv"
    path.write_bytes(random.Random(7).randbytes(4096))
    return path


def drop_column(name: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def edit(rows):
        i = rows[0].index(name)
        return [r[:i] + r[i + 1:] for r in rows]
    return edit


def rename_column(old: str, new: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def edit(rows):
        rows[0][rows[0].index(old)] = new
        return rows
    return edit


# ---------------------------------------------------------------- workbook builders


def workbook(mutate: Callable[[Workbook], None] | None = None, period: str = "2020H2",
             rows: list[list[str]] = SYNTHETIC_ROWS, indicator: list[str] | None = NEW_INDICATOR,
             full: bool = False) -> Builder:
    """An entry workbook as `policybook new-period` makes it, filled, then `mutate`d.

    Unless `full`, the empty text-formatted cells (2000 rows per sheet) are dropped: they
    make saving and reading ten times slower and do not matter to the importer."""
    def make(tmp: Path, project: Project) -> Path:
        wb = build(project, period) if full else load_workbook(io.BytesIO(_sparse(period)))
        for r, row in enumerate(rows, start=2):
            for c, value in enumerate(row, start=1):
                wb["figures"].cell(row=r, column=c, value=value)
        if indicator:
            for c, value in enumerate(indicator, start=1):
                wb["catalogue"].cell(row=NEW_ROW, column=c, value=value)
        wb["source"]["B2"] = "SYNTHETIC 合成测试通知"
        if mutate:
            mutate(wb)
        path = tmp / f"entry_{period}.xlsx"
        wb.save(path)
        return path
    return make


@functools.cache
def _sparse(period: str) -> bytes:
    """The new-period workbook without its empty pre-formatted cells, built once; its
    `lists` sheet (never read by import) keeps the indicator formulas of 20 new rows, not
    NEW_INDICATOR_ROWS (they only make saving and reading slow)."""
    wb = build(Project(ROOT), period)
    for ws in wb.worksheets:
        for key in [k for k, c in ws._cells.items() if c.value is None]:
            del ws._cells[key]
    lists = wb["lists"]._cells
    for key in [(r, c) for r, c in lists if c == 8 and r > NEW_ROW + 20]:
        del lists[key]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def cell(sheet: str, ref: str, value) -> Callable[[Workbook], None]:
    def mutate(wb):
        wb[sheet][ref] = value
    return mutate


def new_indicator(column: str, value: str) -> Builder:
    changed = list(NEW_INDICATOR)
    changed[["id", "area", "label_zh", "label_en", "unit", "kind", "measure", "scope",
             "description", "definition_zh"].index(column)] = value
    return workbook(indicator=changed)


def merge(wb):
    wb["figures"].merge_cells("J2:J3")


def percent_cell(wb):
    wb["figures"]["C2"] = 0.81  # typed as 81% into a cell Excel formatted as a percentage
    wb["figures"]["C2"].number_format = "0%"


def rename_sheet(wb):
    wb["figures"].title = "数据"


def clear_rows(wb):
    wb["figures"].delete_rows(2, 10)


def add_indicator_twice(wb):
    for c, value in enumerate(NEW_INDICATOR, start=1):
        wb["catalogue"].cell(row=NEW_ROW + 1, column=c, value=value)


def add_target(comparison: str, rows: int = 1) -> Callable[[Workbook], None]:
    def mutate(wb):
        row = list(SYNTHETIC_TARGET)
        row[5] = comparison
        for r in range(2, 2 + rows):
            for c, value in enumerate(row, start=1):
                wb["targets"].cell(row=r, column=c, value=value)
    return mutate


def empty_workbook(tmp: Path, project: Project) -> Path:
    path = tmp / "entry.xlsx"
    Workbook().save(path)
    return path


def unclosed_quote(tmp: Path, project: Project) -> Path:
    text = FIGURES_2020H1.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace(",我市", ',"我市', 1)  # row 3: opens a quote never closed
    assert '"我市' in text[2]
    path = tmp / "figures.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- builders for the limits

SPARSE_CSV = BAD / "excel_utf8_bom.csv"  # SYNTHETIC 2021 notice: two standards of 霍邱县
TRADITIONAL = {"霍邱县城乡低保标准提高到每人每月700元": "霍邱縣城鄉低保標準提高到每人每月700元",
               "农村特困人员基本生活标准每人每月910元": "農村特困人員基本生活標準每人每月910元",
               "合成测试数字": "合成測試數字"}
JAPANESE = {"霍邱县城乡低保标准提高到每人每月700元": "霍邱県の生活保護基準は毎月700円",
            "农村特困人员基本生活标准每人每月910元": "特別困窮者の基本生活基準は毎月910円",
            "合成测试数字": "合成テストの数字"}


def _sparse_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SPARSE_CSV.read_text(encoding="utf-8-sig"), newline="")))


def sparse_cell(row: int, column: str, value: str) -> Builder:
    """The SYNTHETIC 2021 notice CSV with one cell changed."""
    return _cell_changed(_sparse_rows, row, column, value)


def sparse_text(replacements: dict[str, str], encoding: str) -> Builder:
    """The 2021 notice CSV with its Chinese rewritten and saved in another encoding."""
    def make(tmp: Path, project: Project) -> Path:
        text = SPARSE_CSV.read_text(encoding="utf-8-sig")
        for old, new in replacements.items():
            text = text.replace(old, new)
        path = tmp / "figures.csv"
        path.write_bytes(text.encode(encoding))
        return path
    return make


def utf8_bad_byte(tmp: Path, project: Project) -> Path:
    """UTF-8 without BOM, one byte of the first quote damaged (it still decodes as GB18030)."""
    raw = SPARSE_CSV.read_bytes()[3:]
    at = raw.index("低保".encode())
    path = tmp / "figures.csv"
    path.write_bytes(raw[:at] + b"\xb5" + raw[at + 1:])
    return path


def cut_off(at: str, then: str = "") -> Builder:
    """The 2021 notice CSV cut off just after `at` in its last row (no final line break),
    with `then` appended (an opening quote and the start of the cell)."""
    def make(tmp: Path, project: Project) -> Path:
        text = SPARSE_CSV.read_text(encoding="utf-8-sig")
        path = tmp / "figures.csv"
        path.write_text(text[: text.rindex(at) + len(at)] + then, encoding="utf-8")
        return path
    return make


def with_cached_value(make: Builder, formula: str, value: str) -> Builder:
    """A workbook whose formula cell also holds its computed value, as Excel saves it."""
    def post(tmp: Path, project: Project) -> Path:
        path = make(tmp, project)
        with zipfile.ZipFile(path) as old:
            parts = {info.filename: old.read(info) for info in old.infolist()}
        # an empty value: <v/> (openpyxl's own writer) or <v></v> (with lxml installed)
        pattern = re.compile(rb"(<f>" + re.escape(formula.encode()) + rb"</f>)(?:<v ?/>|<v></v>)")
        hits = 0
        for name, data in parts.items():
            parts[name], n = pattern.subn(rb"\1<v>" + value.encode() + rb"</v>", data)
            hits += n
        assert hits == 1
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
            for name, data in parts.items():
                new.writestr(name, data)
        return path
    return post


def very_hidden_with_decoy(wb):
    decoy = wb.copy_worksheet(wb["figures"])
    decoy.title = "figures (2)"
    decoy["C2"] = "999"
    wb.active = wb.sheetnames.index("figures (2)")
    wb["figures"].sheet_state = "veryHidden"


def stray_far_cell(wb):
    wb["figures"]["XFD1048576"] = "x"


def many_rows(n: int) -> Callable[[Workbook], None]:
    def mutate(wb):
        for r in range(2, n + 2):
            for c, value in enumerate(SYNTHETIC_ROWS[0], start=1):
                wb["figures"].cell(row=r, column=c, value=value)
            wb["figures"].cell(row=r, column=7, value=f"2020-07-{r % 28 + 1:02d}")
    return mutate


def limit(n: int) -> Patch:
    return lambda monkeypatch: monkeypatch.setattr(importer, "MAX_FIGURE_ROWS", n)


def failing_to_csv(code: int) -> Patch:
    """DataFrame.to_csv writes half its file, then fails with OSError(code)."""
    def patch(monkeypatch):
        original = pd.DataFrame.to_csv

        def to_csv(self, path=None, *args, **kwargs):
            if path is None:
                return original(self, path, *args, **kwargs)
            Path(path).write_text(original(self, None)[:40], encoding="utf-8")
            raise OSError(code, os.strerror(code), str(path))
        monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)
    return patch


def failing_mkdir(code: int) -> Patch:
    """Every new directory fails with OSError(code): a read-only or foreign data folder."""
    def patch(monkeypatch):
        def mkdir(path, *args, **kwargs):
            raise OSError(code, os.strerror(code), str(path))
        monkeypatch.setattr(os, "mkdir", mkdir)
    return patch


def source_field(field: str, value: str) -> Callable[[Workbook], None]:
    def mutate(wb):
        ws = wb["source"]
        row = next((r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == field),
                   ws.max_row + 1)
        ws.cell(row, 1, field)
        ws.cell(row, 2, value)
    return mutate


# ---------------------------------------------------------------- the corpus

VALUE_FIX = "as a decimal in the written unit (3.46 for 3.46万)"
PERIOD_FIX = "use YYYY (2020), YYYYH1/YYYYH2 (2020H1) or YYYYQ1..YYYYQ4 (2020Q3)"
SPARSE = stored("excel_utf8_bom.csv")  # a valid file, for the cases about the period argument

CASES = [
    # -- columns
    Case("csv_missing_column", "2020H1", csv_rows(drop_column("unit")),
         ("column unit: missing column 'unit' (fix: the header must have: indicator, geo",)),
    Case("csv_misspelt_column", "2020H1", csv_rows(rename_column("indicator", "indicater")),
         ("column indicator: missing column 'indicator' (found 'indicater': misspelt?)",
          "the header must have")),
    Case("csv_column_twice", "2020H1",
         csv_rows(lambda rows: [r + [r[2]] for r in rows]),
         ("column value: column 'value' appears twice (columns C and L)",
          "keep one column of each name")),
    Case("csv_value_beyond_header", "2020H1",
         csv_rows(lambda rows: [rows[0], rows[1] + ["3.46万人"], *rows[2:]]),
         ("row 2: value '3.46万人' in column L, which has no header",
          "quote cells that contain commas")),
    Case("csv_unclosed_quote", "2020H1", unclosed_quote,
         ("row 3: not a readable CSV", "check the quoting")),
    # -- catalogue vocabularies
    Case("csv_unknown_indicator", "2020H1", csv_cell(2, "indicator", "dibao_standart"),
         ("row 2, column indicator: invalid indicator 'dibao_standart'",
          "use an id from data/catalogue/indicators.csv")),
    Case("csv_unknown_unit", "2020H1", csv_cell(2, "unit", "parsec"),
         ("row 2, column unit: invalid unit 'parsec'", "data/catalogue/units.csv")),
    Case("csv_unknown_geo", "2020H1", csv_cell(3, "geo", "999999"),
         ("row 3, column geo: invalid geo '999999'", "six-digit code from data/catalogue/geo.csv")),
    Case("csv_unit_not_the_indicators", "2020H1", csv_cell(2, "unit", "yuan"),
         ("row 2, column unit: unit 'yuan' does not match indicator", "use 'person'")),
    Case("csv_unit_mult_3", "2020H1", csv_cell(2, "unit_mult", "3"),
         ("row 2, column unit_mult: invalid unit_mult '3'", "use 0, 4 (万) or 8 (亿)")),
    Case("csv_unknown_qualifier", "2020H1", csv_cell(2, "qualifier", "about"),
         ("row 2, column qualifier: invalid qualifier 'about'", "approx (约/左右)")),
    # -- values
    Case("csv_value_not_a_number", "2020H1", csv_cell(2, "value", "abc"),
         ("row 2, column value: invalid value 'abc'", VALUE_FIX)),
    Case("csv_value_with_wan", "2020H1", csv_cell(2, "value", "3.46万"),
         ("row 2, column value: invalid value '3.46万'", VALUE_FIX)),
    Case("csv_value_thousands_separator", "2020H1", csv_cell(3, "value", "11,543"),
         ("row 3, column value: invalid value '11,543'", VALUE_FIX)),
    Case("csv_value_fullwidth_digits", "2020H1", csv_cell(2, "value", "１７５３"),
         ("row 2, column value: invalid value '１７５３'", VALUE_FIX)),
    Case("csv_value_nan", "2020H1", csv_cell(2, "value", "NaN"),  # was a traceback
         ("row 2, column value: invalid value 'NaN'", VALUE_FIX), sub=True),
    Case("csv_value_infinity", "2020H1", csv_cell(2, "value", "Infinity"),  # was a traceback
         ("row 2, column value: invalid value 'Infinity'", VALUE_FIX)),
    Case("csv_negative_count", "2020H1", csv_cell(2, "value", "-1753"),
         ("row 2, column value: negative count -1753", "counts and amounts cannot be negative")),
    Case("csv_percentage_above_100", "2020H1", csv_cell(10, "value", "181"),
         ("row 10, column value: percentage 181 outside 0-100", "a number from 0 to 100")),
    Case("csv_duplicate_row", "2020H1", csv_rows(lambda rows: [*rows, rows[1]]),
         (f"row 2: duplicate row: rows 2, {len(_rows_2020h1()) + 1} have the same indicator, geo, as_of "
          f"{tuple(_rows_2020h1()[1][i] for i in (0, 1, 6))}",
          "keep one row per indicator, geo, as_of")),
    # -- dates and sections
    Case("csv_as_of_outside_period", "2020H1", csv_cell(3, "as_of", "2019-12-31"),
         ("row 3, column as_of: as_of 2019-12-31 ends outside period 2020H1",
          "use a date within the period")),
    Case("csv_as_of_not_a_date", "2020H1", csv_cell(3, "as_of", "2020-02-30"),
         ("row 3, column as_of: as_of 2020-02-30 is not a date", "write an ISO date")),
    Case("csv_as_of_reversed_interval", "2020H1", csv_cell(2, "as_of", "2020-03-31/2020-01-01"),
         ("row 2, column as_of: as_of 2020-03-31/2020-01-01: the interval ends before it starts",
          "start/end")),
    Case("csv_as_of_with_slashes", "2020H1", csv_cell(3, "as_of", "2020/06/30"),
         ("row 3, column as_of: invalid as_of '2020/06/30'", "write an ISO date 2020-06-30")),
    Case("csv_section_in_chinese", "2020H1", csv_cell(2, "section", "一、(一)1."),
         ("row 2, column section: invalid section '一、(一)1.'", "like 1.1.3")),
    # -- quotes (2020H1 has source.txt)
    Case("csv_quote_not_in_source", "2020H1", csv_cell(2, "quote", "这句话不在报告里"),
         ("row 2, column quote: quote not found verbatim in source.txt",
          "copy the clause exactly")),
    Case("csv_quote_without_the_value", "2020H1", csv_cell(2, "quote", "其中农村低保7128人"),
         ("row 2, column quote: quote does not contain the value '1753'",
          "quote the clause where the number is written")),
    Case("csv_empty_quote", "2020H1", csv_cell(2, "quote", ""),
         ("row 2, column quote: empty quote", "copy the clause containing the figure")),
    Case("csv_script_in_quote", "2020H1", csv_cell(2, "quote", "<script>alert(1)</script>"),
         ("row 2, column quote: quote not found verbatim in source.txt: "
          "'<script>alert(1)</script>'", "copy the clause exactly")),
    # -- row numbers are the spreadsheet's, also after a blank line
    Case("csv_row_number_after_blank_line", "2020H1",
         csv_rows(lambda rows: [rows[0], [], [rows[1][0], "999999", *rows[1][2:]], *rows[2:]]),
         ("row 3, column geo: invalid geo '999999'", "six-digit code")),
    # -- the file itself
    Case("csv_empty_file", "2020H1", csv_bytes(b""),
         ("figures.csv: the file is empty", "export the figures sheet")),
    Case("csv_blank_lines_only", "2020H1", csv_bytes(b"\r\n \r\n\r\n"),
         ("figures.csv: the file is empty", "export the figures sheet")),
    Case("csv_header_only", "2020H1",
         csv_bytes(FIGURES_2020H1.read_bytes().splitlines(keepends=True)[0]),
         ("figures.csv: the file has no figures", "enter at least one figure")),
    Case("csv_utf16_without_bom", "2021", stored("utf16le_no_bom.csv"),
         ("utf16le_no_bom.csv: cannot decode the file as text in UTF-8 or GBK",
          "CSV UTF-8"), sub=True),
    Case("csv_random_bytes", "2020H1", random_bytes,
         ("cannot decode the file as text in UTF-8 or GBK", "CSV UTF-8")),
    Case("csv_far_too_large", "2020H1", too_large,
         ("figures.csv: file too large", f"the limit is {MAX_BYTES:,}",
          "import one period's figures only"), sub=True),
    Case("txt_file", "2020H1", csv_bytes(FIGURES_2020H1.read_bytes(), "figures.txt"),
         ("figures.txt: unsupported file type '.txt'", "a figures .csv")),
    Case("xls_file", "2020H1",
         csv_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), "entry.xls"),
         ("entry.xls: unsupported file type '.xls'", "save it as .xlsx")),
    Case("directory_not_a_file", "2020H1", directory,
         ("figures.csv: is a directory", "give the path of the .xlsx workbook or the .csv"),
         sub=True),
    Case("file_not_found", "2020H1", lambda tmp, project: tmp / "no_such_file.csv",
         ("no_such_file.csv: file not found", "check the path")),
    Case("xlsx_not_a_workbook", "2020H1", csv_bytes(FIGURES_2020H1.read_bytes(), "entry.xlsx"),
         ("entry.xlsx: not a readable .xlsx workbook", "save it from Excel as .xlsx")),
    Case("xlsx_zero_bytes", "2020H1", csv_bytes(b"", "entry.xlsx"),
         ("entry.xlsx: not a readable .xlsx workbook", "save it from Excel as .xlsx")),
    # -- the period argument
    Case("period_2020H3", "2020H3", SPARSE, ("invalid period '2020H3'", PERIOD_FIX)),
    Case("period_20201", "20201", SPARSE, ("invalid period '20201'", PERIOD_FIX)),
    Case("period_dot_dot", "../x", SPARSE, ("invalid period '../x'", PERIOD_FIX), sub=True),
    Case("period_absolute_path", "/tmp/evil2020", SPARSE,
         ("invalid period '/tmp/evil2020'", PERIOD_FIX)),
    Case("period_empty", "", SPARSE, ("invalid period ''", PERIOD_FIX)),
    Case("period_lower_case", "2020h1", SPARSE, ("invalid period '2020h1'", PERIOD_FIX)),
    # -- workbooks
    Case("xlsx_empty_workbook", "2020H2", empty_workbook,
         ("sheet figures: sheet 'figures' not found (sheets: Sheet)",
          "use the workbook made by `policybook new-period`")),
    Case("xlsx_sheet_renamed", "2020H2", workbook(rename_sheet),
         ("sheet figures: sheet 'figures' not found", "do not rename its sheets")),
    Case("xlsx_no_rows", "2020H2", workbook(clear_rows, indicator=None, full=True),
         ("sheet figures: the figures sheet has no rows", "enter at least one figure")),
    Case("xlsx_formula_without_value", "2020H2", workbook(cell("figures", "C2", "=600+50")),
         ("sheet figures, row 2, column value (C): formula '=600+50': formulas are not imported",
          "type the value instead of a formula")),
    Case("xlsx_merged_cells", "2020H2", workbook(merge),
         ("sheet figures, row 2: merged cells J2:J3", "unmerge them"), sub=True),
    Case("xlsx_value_with_wan", "2020H2", workbook(cell("figures", "C2", "3.46万")),
         ("sheet figures, row 2, column value: invalid value '3.46万'", VALUE_FIX)),
    Case("xlsx_percent_formatted_cell", "2020H2", workbook(percent_cell),
         ("sheet figures, row 2, column value (C): percentage-formatted cell holds 0.81",
          "format the cell as text")),
    Case("xlsx_unknown_geo", "2020H2", workbook(cell("figures", "B3", "341599")),
         ("sheet figures, row 3, column geo: invalid geo '341599'", "six-digit code")),
    Case("xlsx_as_of_outside_period", "2020H2", workbook(cell("figures", "G4", "2020-06-30")),
         ("sheet figures, row 4, column as_of: as_of 2020-06-30 ends outside period 2020H2",
          "use a date within the period")),
    Case("xlsx_header_column_twice", "2020H2", workbook(cell("figures", "K1", "note")),
         ("sheet figures, column note: column 'note' appears twice (columns J and K)",
          "keep one column of each name")),
    Case("xlsx_value_beyond_header", "2020H2", workbook(cell("figures", "L3", "3.46万")),
         ("sheet figures, row 3: value '3.46万' in column L, which has no header",
          "give its column a header")),
    Case("xlsx_duplicate_target", "2020H2", workbook(add_target("at_least", rows=2)),
         ("sheet targets, row 3: duplicate row: rows 2, 3 have the same indicator, geo, "
          "deadline", "keep one row per indicator, geo, deadline")),
    Case("xlsx_target_bad_comparison", "2020H2", workbook(add_target("more")),
         ("sheet targets, row 2, column comparison: invalid comparison 'more'",
          "use at_least, at_most or equal")),
    Case("xlsx_new_indicator_bad_area", "2020H2", new_indicator("area", "welfare"),
         (f"sheet catalogue, row {NEW_ROW}, column area: invalid area 'welfare' for new "
          "indicator", "use one of social_assistance")),
    Case("xlsx_new_indicator_bad_unit", "2020H2", new_indicator("unit", "parsec"),
         (f"sheet catalogue, row {NEW_ROW}, column unit: invalid unit 'parsec' for new "
          "indicator", "use a unit id")),
    Case("xlsx_new_indicator_bad_id", "2020H2",
         workbook(cell("catalogue", f"A{NEW_ROW}", "Synthetic-New")),
         (f"sheet catalogue, row {NEW_ROW}, column id: invalid id 'Synthetic-New'",
          "lower-case letters, digits and _")),
    Case("xlsx_new_indicator_added_twice", "2020H2", workbook(add_indicator_twice),
         (f"sheet catalogue, row {NEW_ROW + 1}, column id: indicator 'synthetic_new_indicator' "
          "is added twice", "keep one row per new indicator")),
    Case("xlsx_new_indicator_script_label", "2020H2",
         new_indicator("label_zh", "<script>alert(1)</script>"),
         (f"sheet catalogue, row {NEW_ROW}, column label_zh: invalid label_zh "
          "'<script>alert(1)</script>'", "remove the HTML tag")),
    Case("xlsx_new_indicator_copies_a_label", "2020H2",
         new_indicator("label_zh", "未脱贫建档立卡贫困人口"),
         (f"sheet catalogue, row {NEW_ROW}, column label_zh: invalid label_zh "
          "'未脱贫建档立卡贫困人口'", "another indicator has this Chinese label")),
    Case("xlsx_catalogue_header_renamed", "2020H2", workbook(cell("catalogue", "B1", "areas")),
         ("sheet catalogue, column area: missing column 'area'", "the header must have: id")),
    # -- bounded input (issue: import limits)
    Case("xlsx_stray_far_cell", "2020H2", workbook(stray_far_cell),
         ("sheet figures, row 1048576: value 'x' in column XFD, which has no header",
          "delete the value"), sub=True),
    Case("csv_too_many_rows", "2020H1", csv_rows(lambda rows: rows),
         ("figures.csv, row 7: more than 5 rows of data", "import at most 5 rows at a time"),
         patch=limit(5)),
    Case("xlsx_too_many_rows", "2020H2", workbook(many_rows(6), indicator=None),
         ("sheet figures, row 7: more than 5 rows of data", "split the figures by period"),
         patch=limit(5)),
    Case("csv_unknown_column", "2020H1",
         csv_rows(lambda rows: [rows[0] + ["comment"]] + [r + ["x"] for r in rows[1:]]),
         ("column comment: unknown column 'comment'", "delete the column or correct its "
          "header: only indicator, geo")),
    Case("xlsx_unknown_column", "2020H2", workbook(cell("figures", "K1", "remark")),
         ("sheet figures, column remark: unknown column 'remark'", "delete the column")),
    Case("csv_quote_too_long", "2021", sparse_cell(2, "quote", "低" * 501),
         ("row 2, column quote: quote is 501 characters long; at most 500 are allowed",
          "quote only the clause that holds the number")),
    Case("csv_note_too_long", "2021", sparse_cell(3, "note", "n" * 1001),
         ("row 3, column note: note is 1,001 characters long; at most 1,000 are allowed",
          "shorten the note")),
    Case("xlsx_new_indicator_label_too_long", "2020H2", new_indicator("label_zh", "长" * 61),
         (f"sheet catalogue, row {NEW_ROW}, column label_zh: label_zh is 61 characters long; "
          "at most 60", "shorten it")),
    Case("xlsx_new_indicator_label_en_too_long", "2020H2", new_indicator("label_en", "x" * 101),
         (f"sheet catalogue, row {NEW_ROW}, column label_en: label_en is 101 characters",
          "shorten it")),
    Case("xlsx_new_indicator_without_definition", "2020H2", new_indicator("definition_zh", ""),
         (f"sheet catalogue, row {NEW_ROW}, column definition_zh: new indicator "
          "'synthetic_new_indicator': no Chinese definition", "write in Chinese what is counted")),
    Case("xlsx_new_indicator_definition_in_english", "2020H2",
         new_indicator("definition_zh", "Money paid"),
         (f"sheet catalogue, row {NEW_ROW}, column definition_zh: new indicator "
          "'synthetic_new_indicator': definition_zh 'Money paid' is not in Chinese",
          "write in Chinese")),
    Case("xlsx_new_indicator_definition_adds_a_figure", "2020H2",
         new_indicator("definition_zh", "全市约3000人领取的补贴金额，单位：元。"),
         (f"sheet catalogue, row {NEW_ROW}, column definition_zh: new indicator "
          "'synthetic_new_indicator': definition_zh holds 3000", "a definition adds no figure")),
    Case("xlsx_source_title_too_long", "2020H2", workbook(source_field("title", "通" * 201)),
         ("sheet source, row 2, column title: title is 201 characters long; at most 200",
          "shorten it")),
    # -- value ranges and digits
    Case("csv_zero_standard", "2021", sparse_cell(2, "value", "0"),
         ("row 2, column value: standard 0 is not greater than 0", "a standard (标准) is a "
          "positive amount")),
    Case("csv_negative_standard", "2021", sparse_cell(3, "value", "-910"),
         ("row 3, column value: standard -910 is not greater than 0", "check the number and its "
          "sign")),
    Case("xlsx_negative_standard", "2020H2", workbook(cell("figures", "C2", "-650")),
         ("sheet figures, row 2, column value: standard -650 is not greater than 0",
          "positive amount")),
    Case("csv_value_29_digits", "2021", sparse_cell(2, "value", "7" * 29),
         ("row 2, column value: value 77777777777777777777777777777 has 29 significant digits; "
          "at most 20", "write the number as the report writes it")),
    Case("csv_value_7_decimals", "2021", sparse_cell(2, "value", "700.1234567"),
         ("row 2, column value: value 700.1234567 has 7 decimals; at most 6",
          "as the report writes it")),
    Case("xlsx_new_indicator_chinese_id", "2020H2", workbook(cell("catalogue", f"A{NEW_ROW}",
                                                                  "低保标准")),
         (f"sheet catalogue, row {NEW_ROW}, column id: invalid id '低保标准'",
          "lower-case letters, digits and _ (ASCII")),
    Case("xlsx_new_indicator_fullwidth_id", "2020H2",
         workbook(cell("catalogue", f"A{NEW_ROW}", "ｓｙｎｔｈｅｔｉｃ＿new")),
         (f"sheet catalogue, row {NEW_ROW}, column id: invalid id 'ｓｙｎｔｈｅｔｉｃ＿new'",
          "lower-case letters, digits and _ (ASCII")),
    # -- control characters (tab and line breaks are kept; CRLF becomes LF)
    Case("xlsx_lone_carriage_return", "2020H2", workbook(cell("figures", "J2", "SYNTHETIC a\rb")),
         ("sheet figures, row 2, column note: a lone CR (carriage return) in 'SYNTHETIC a\\rb'",
          "only tab and line breaks are kept")),
    Case("csv_escape_code", "2021", sparse_cell(2, "note", "SYNTHETIC \x1b[2J"),
         ("row 2, column note: control character U+001B in 'SYNTHETIC \\x1b[2J'",
          "delete it"), sub=True),
    Case("csv_c1_control", "2021", sparse_cell(3, "note", "SYNTHETIC \x9b31m"),
         ("row 3, column note: control character U+009B", "delete it")),
    Case("csv_bidi_override", "2021", sparse_cell(2, "quote", "元007\u202e霍邱县"),
         ("row 2, column quote: control character U+202E", "delete it")),
    Case("csv_noncharacter", "2021", sparse_cell(2, "note", "SYNTHETIC \uffff"),
         ("row 2, column note: control character U+FFFF", "delete it")),
    Case("xlsx_bidi_isolate_in_a_label", "2020H2",
         new_indicator("label_en", "Synthetic \u2066test"),
         (f"sheet catalogue, row {NEW_ROW}, column label_en: control character U+2066",
          "delete it")),
    # -- catalogue labels that a spreadsheet would run as a formula
    Case("xlsx_new_indicator_label_formula", "2020H2",
         new_indicator("label_zh", '=HYPERLINK("http://example.invalid","合成")'),
         (f"sheet catalogue, row {NEW_ROW}, column label_zh: invalid label_zh "
          "'=HYPERLINK(", "would run text starting with =, +, - or @ as a formula")),
    Case("xlsx_new_indicator_label_at_sign", "2020H2",
         new_indicator("label_en", "@SUM(1+1)"),
         (f"sheet catalogue, row {NEW_ROW}, column label_en: invalid label_en '@SUM(1+1)'",
          "as a formula")),
    # -- encodings
    Case("csv_big5", "2021", sparse_text(TRADITIONAL, "big5"),
         ("figures.csv: cannot decode the file as text in UTF-8 or GBK: it looks like Big5",
          "CSV UTF-8"), sub=True),
    Case("csv_shift_jis", "2021", sparse_text(JAPANESE, "shift_jis"),
         ("figures.csv: cannot decode the file as text in UTF-8 or GBK: it looks like Shift-JIS",
          "CSV UTF-8")),
    Case("csv_utf8_with_a_bad_byte", "2021", utf8_bad_byte,
         ("row 2, column quote: byte 0xB5 is not valid UTF-8 (the rest of the file is UTF-8",
          "save the file again as CSV UTF-8")),
    Case("csv_cut_off_last_row", "2021", cut_off("2021-01-01"),
         ("row 3: the last row has 7 of the header's 10 cells and no line break: the file "
          "looks cut off", "export or copy the file again")),
    Case("csv_cut_off_in_a_quote", "2021", cut_off("2021-01-01,2,", '"农村特困'),
         ("row 3: not a readable CSV: a quoted cell of this row is never closed",
          "if the file was cut off, export it again")),
    Case("csv_cut_off_in_a_character", "2021",
         csv_bytes(SPARSE_CSV.read_bytes().rstrip()[:-2]),
         ("row 3: the file ends in the middle of a character: it looks cut off",
          "export or copy the file again")),
    # -- silent corruption in workbooks
    Case("xlsx_section_typed_as_number", "2020H2", workbook(cell("figures", "H2", 1.1)),
         ("sheet figures, row 2, column section (H): section stored as a number (1.1)",
          "format the cell as text")),
    Case("xlsx_unit_mult_typed_as_a_decimal_number", "2020H2",
         workbook(cell("figures", "D3", 4.5)),
         ("sheet figures, row 3, column unit_mult (D): unit_mult stored as a number (4.5)",
          "format the cell as text")),
    Case("xlsx_formula_with_cached_value", "2020H2",
         with_cached_value(workbook(cell("figures", "C2", "=600+50")), "600+50", "650"),
         ("sheet figures, row 2, column value (C): formula '=600+50': formulas are not "
          "imported, not even their computed values", "type the value")),
    Case("xlsx_figures_very_hidden_with_a_decoy", "2020H2", workbook(very_hidden_with_decoy),
         ("sheet figures: the sheet is very hidden", "visible sheets: 说明, targets, catalogue, "
          "source, figures (2)", "make it visible")),
    Case("xlsx_targets_hidden", "2020H2",
         workbook(lambda wb: setattr(wb["targets"], "sheet_state", "hidden")),
         ("sheet targets: the sheet is hidden", "make it visible")),
    # -- drop-down entries and the source sheet
    Case("xlsx_code_with_the_wrong_name", "2020H2", workbook(cell("figures", "B2",
                                                                  "341522 六安市")),
         ("sheet figures, row 2, column geo: geo '341522 六安市': 341522 is '霍邱县', not "
          "'六安市'", "choose the entry from the drop-down list, or type the code alone")),
    Case("csv_code_with_the_wrong_name", "2021", sparse_cell(2, "indicator",
                                                             "dibao_standard 低保人数"),
         ("row 2, column indicator: indicator 'dibao_standard 低保人数': dibao_standard is "
          "'城乡低保标准', not '低保人数'", "type the code alone")),
    Case("xlsx_source_bad_date", "2020H2", workbook(source_field("date", "2020年12月1日")),
         ("sheet source, row 5, column date: invalid date '2020年12月1日'", "2021-01-05")),
    Case("xlsx_source_bad_url", "2020H2", workbook(source_field("url", "www.luan.gov.cn")),
         ("sheet source, row 6, column url: invalid url 'www.luan.gov.cn'",
          "starting with http:// or https://")),
    Case("xlsx_source_unknown_field", "2020H2", workbook(source_field("author", "张三")),
         ("sheet source, row 9, column author: unknown field 'author'", "use only the fields")),
    # -- writing fails
    Case("disk_full", "2021", SPARSE,
         ("data/periods/2021: cannot write the period (the disk is full", "nothing was changed",
          "free space on the disk"), patch=failing_to_csv(errno.ENOSPC)),
    Case("read_only_data_folder", "2021", SPARSE,
         ("data/periods/2021: cannot write the period (the file system is read-only",
          "import into a writable copy"), patch=failing_mkdir(errno.EROFS)),
    Case("data_folder_not_writable", "2020H1", csv_rows(lambda rows: rows),
         ("data/periods/2020H1: cannot write the period (permission denied",
          "make data/ writable"), patch=failing_mkdir(errno.EACCES)),
]


# ---------------------------------------------------------------- running the command


def data_hash(project: Project) -> str:
    digest = hashlib.sha256()
    for path in sorted(project.data.rglob("*")):
        digest.update(str(path.relative_to(project.root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_in_process(args: list[str], monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["policybook", *args])
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # noqa: BLE001 - a traceback is the bug this test looks for
        pytest.fail(f"policybook {' '.join(args)} raised {type(exc).__name__}: {exc}")
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def run_subprocess(args: list[str]) -> tuple[int, str]:
    result = subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    return result.returncode, result.stdout + result.stderr


def check_rejected(code: int, output: str, case: Case) -> None:
    assert "Traceback" not in output, output
    assert code == 2, output
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert any(all(piece in line for piece in case.expect) for line in errors), (
        f"no error line holds {case.expect}:\n{output}")
    assert all("(fix: " in line or "invalid period" in line for line in errors), output


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_rejected_with_its_place_and_fix(case, project_copy, tmp_path,
                                                     monkeypatch, capsys):
    source = case.make(tmp_path, project_copy)
    before = data_hash(project_copy)
    args = ["import", case.period, str(source), "--root", str(project_copy.root)]
    with monkeypatch.context() as patched:
        if case.patch:
            case.patch(patched)
        result = run_in_process(args, patched, capsys)
    check_rejected(*result, case)
    assert data_hash(project_copy) == before
    assert not Path("/tmp/evil2020").exists()
    if case.sub:
        check_rejected(*run_subprocess(args), case)
        assert data_hash(project_copy) == before


def test_the_corpus_is_large_and_its_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) >= 30
    assert sum(c.sub for c in CASES) >= 5


# ---------------------------------------------------------------- good controls


@pytest.mark.parametrize("name", ["excel_gbk.csv", "excel_utf8_bom.csv"])
def test_csv_saved_by_chinese_excel_imports(name, project_copy, monkeypatch, capsys):
    code, output = run_in_process(["import", "2021", str(BAD / name), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 0, output
    figures = pd.read_csv(project_copy.period_dir("2021") / "figures.csv", dtype=str,
                          keep_default_na=False)
    assert list(figures["value"]) == ["700", "910"]
    assert figures.at[0, "quote"] == "霍邱县城乡低保标准提高到每人每月700元"
    assert set(figures["note"]) == {"SYNTHETIC 合成测试数字"}


def test_gbk_csv_imports_through_a_real_subprocess(project_copy):
    code, output = run_subprocess(["import", "2021", str(BAD / "excel_gbk.csv"), "--root",
                                   str(project_copy.root)])
    assert code == 0 and "Traceback" not in output, output
    assert (project_copy.period_dir("2021") / "figures.csv").exists()


def test_filled_workbook_control_imports(project_copy, tmp_path, monkeypatch, capsys):
    """The unmutated workbook the xlsx cases start from is valid: each case fails for its
    own reason."""
    path = workbook(add_target("at_least"), full=True)(tmp_path, project_copy)
    code, output = run_in_process(["import", "2020H2", str(path), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 0, output
    assert (project_copy.period_dir("2020H2") / "targets.csv").exists()


def test_markup_in_quote_and_note_is_data_and_escaped_when_shown(project_copy, tmp_path,
                                                                  monkeypatch, capsys):
    script = "<script>alert('x')</script>"
    rows = list(csv.reader(io.StringIO(
        (BAD / "excel_utf8_bom.csv").read_text(encoding="utf-8-sig"), newline="")))
    rows[1][8], rows[1][9] = f"标准{rows[1][2]}元{script}", f"<b>SYNTHETIC</b> {script}"
    path = _write_rows(tmp_path / "figures.csv", rows)
    code, output = run_in_process(["import", "2021", str(path), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 0, output
    figures = pd.read_csv(project_copy.period_dir("2021") / "figures.csv", dtype=str,
                          keep_default_na=False)
    assert script in figures.at[0, "quote"] and script in figures.at[0, "note"]

    from analysis.pages import page
    from analysis.view import PeriodView

    shown = []
    monkeypatch.setattr(page, "display", lambda item: shown.append(item.data))
    page.trace(PeriodView.load(project_copy.root, "2021"), "social_assistance")
    [html] = shown
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_markup_in_quote_is_rejected_where_source_txt_exists(project_copy, tmp_path,
                                                              monkeypatch, capsys):
    """...but a note with markup is accepted in 2020H1 too (notes are not checked)."""
    rows = _rows_2020h1()
    rows[1][9] = "<img src=x onerror=alert(1)>"
    path = _write_rows(tmp_path / "figures.csv", rows)
    code, output = run_in_process(["import", "2020H1", str(path), "--root",
                                   str(project_copy.root), "--replace"], monkeypatch, capsys)
    assert code == 0, output


def test_leading_blank_lines_and_crlf_are_fine(project_copy, tmp_path, monkeypatch, capsys):
    raw = (BAD / "excel_utf8_bom.csv").read_bytes()
    path = tmp_path / "figures.csv"
    path.write_bytes(raw[:3] + b"\r\n\r\n" + raw[3:])
    code, output = run_in_process(["import", "2021", str(path), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 0, output


def test_stored_inputs_are_small_and_documented():
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    for path in BAD.iterdir():
        assert path.stat().st_size < 10_000, path
        assert path.name == "README.md" or path.name in readme, path


def test_a_new_period_folder_gets_the_usual_permissions(project_copy, monkeypatch, capsys):
    """The staging folder comes from mkdtemp (0700); the period must not stay private."""
    code, output = run_in_process(["import", "2021", str(BAD / "excel_gbk.csv"), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 0, output
    umask = os.umask(0)
    os.umask(umask)
    assert project_copy.period_dir("2021").stat().st_mode & 0o777 == 0o777 & ~umask


def test_notice_without_sections_imports(project_copy, tmp_path, monkeypatch, capsys):
    """A standards notice has no numbered sections: `section` may be empty."""
    rows = _sparse_rows()
    for row in rows[1:]:
        row[rows[0].index("section")] = ""
    path = _write_rows(tmp_path / "figures.csv", rows)
    code, output = run_in_process(["import", "2021", str(path), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 0, output
    figures = pd.read_csv(project_copy.period_dir("2021") / "figures.csv", dtype=str,
                          keep_default_na=False)
    assert list(figures["section"]) == ["", ""]

    from analysis.dataset.schema import validate_period

    assert validate_period(project_copy, "2021") == []


def test_drop_down_entries_import_as_their_codes(project_copy, tmp_path, monkeypatch, capsys):
    """Every list column filled as the drop-down shows it ("341522 霍邱县"), or bare."""
    rows = [["dibao_standard 城乡低保标准", "341522 霍邱县", "650", "0", "yuan_per_person_month 元/人/月",
             "", "2020-07-01", "", "", "SYNTHETIC"],
            ["tekun_rural_basic_standard", "341522", "845", "0", "yuan_per_person_month",
             "at_least 以上", "2020-07-01", "", "", "SYNTHETIC"],
            ["synthetic_new_indicator 合成测试指标", "341522  霍邱县", "12.5", "4 万", "yuan 元",
             "approx 约/左右", "2020-07-01/2020-12-31", "", "", "SYNTHETIC"]]
    indicator = ["synthetic_new_indicator", "social_assistance 社会救助", "合成测试指标",
                 "Synthetic test", "yuan 元", "money 金额", "flow 期间发生数", "",
                 "SYNTHETIC indicator for tests", "合成测试用的金额，单位：元。"]
    target = list(SYNTHETIC_TARGET)
    target[5] = "at_least 不少于"
    path = workbook(add_target(target[5]), rows=rows, indicator=indicator)(tmp_path, project_copy)
    code, output = run_in_process(["import", "2020H2", str(path), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 0, output
    folder = project_copy.period_dir("2020H2")
    figures = pd.read_csv(folder / "figures.csv", dtype=str, keep_default_na=False)
    assert list(figures["indicator"]) == ["dibao_standard", "tekun_rural_basic_standard",
                                          "synthetic_new_indicator"]
    assert set(figures["geo"]) == {"341522"}
    assert list(figures["unit_mult"]) == ["0", "0", "4"]
    assert list(figures["qualifier"]) == ["", "at_least", "approx"]
    targets = pd.read_csv(folder / "targets.csv", dtype=str, keep_default_na=False)
    assert list(targets["comparison"]) == ["at_least"]
    catalogue = pd.read_csv(project_copy.catalogue / "indicators.csv", dtype=str)
    new = catalogue[catalogue["id"] == "synthetic_new_indicator"].iloc[0]
    assert (new["area"], new["unit"], new["kind"], new["measure"]) == (
        "social_assistance", "yuan", "money", "flow")
