"""The Excel entry workbook that staff fill in for a new period (`policybook new-period`),
and reading it back, bounded, for `policybook import`.

Reading streams the sheets `figures`, `targets`, `catalogue` and `source` with openpyxl's
read-only parser: only the cells present in the file are visited (a stray cell at XFD1048576
costs one cell, not the rectangle up to it), `说明` and the hidden `lists` sheet are never
opened, and a sheet stops at the row limit. Formulas (also with a cached value), error
values, numbers and dates in text columns, merged cells and hidden sheets are refused.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from analysis.dataset.catalogue import Catalogue, load_catalogue
from analysis.dataset.csvio import Text, text_table
from analysis.dataset.figures import FIGURE_COLUMNS, TARGET_COLUMNS
from analysis.dataset.periods import parse_period
from analysis.dataset.project import Project
from analysis.dataset.schema import MAX_FIGURE_ROWS, MAX_LENGTHS, SOURCE_FIELDS
from analysis.errors import Problem, UserError, echo
from analysis.escape import xlsx_cell
from analysis.intake.lock import NEW_PERIOD_STAGING, project_lock
from analysis.intake.typed_numbers import exact, shown, whole
from analysis.intake.xlsx_scan import scan_workbook
from analysis.language import N_, _
from analysis.meaning.semantics import MEASURE_ZH

FIGURES, TARGETS, CATALOGUE, SOURCE, LISTS, HELP = (
    "figures", "targets", "catalogue", "source", "lists", "说明")
INDICATOR_COLUMNS = ("id", "area", "label_zh", "label_en", "unit", "kind", "measure", "scope",
                     "description", "definition_zh", "part_of", "stands_for")
RELATION_COLUMNS = ("part_of", "stands_for")  # optional in a workbook made before they existed
# a workbook made before definitions were asked for has no definition_zh column: it still
# imports, but a new indicator needs its definition
OPTIONAL_INDICATOR_COLUMNS = ("definition_zh",)
SOURCE_COLUMNS = ("field", "value")
SHEETS = {FIGURES: FIGURE_COLUMNS, TARGETS: TARGET_COLUMNS, CATALOGUE: INDICATOR_COLUMNS,
          SOURCE: SOURCE_COLUMNS}  # the sheets import reads; every other sheet is ignored
DATE_COLUMNS = ("as_of", "deadline")  # a date cell there is read as its ISO date
MAX_ROWS = 2000
NEW_INDICATOR_ROWS = 200  # catalogue rows after the existing ones that the drop-down shows
HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
WIDTHS = {"indicator": 34, "geo": 10, "value": 12, "unit_mult": 10, "unit": 24, "qualifier": 12,
          "as_of": 24, "section": 10, "quote": 50, "note": 40, "comparison": 12,
          "deadline": 12, "set_in": 10, "id": 34, "area": 22, "label_zh": 28, "label_en": 36,
          "kind": 10, "description": 50, "definition_zh": 50, "part_of": 34, "stands_for": 34}
# the Chinese names shown beside each code in the drop-down lists ("4 万", "approx 约/左右")
UNIT_MULT_NAMES = {"0": "", "4": "万", "8": "亿"}
QUALIFIER_NAMES = {"more_than": "余/超", "at_least": "以上", "approx": "约/左右"}
COMPARISON_NAMES = {"at_least": "不少于", "at_most": "不超过", "equal": "等于"}
KIND_NAMES = {"stock": "存量", "flow": "流量", "money": "金额", "rate": "比率",
              "standard": "标准", "target": "目标", "progress": "进度"}
TEXT_FIX = N_("format the cell as text (设置单元格格式 → 文本) and type it again as written")

INSTRUCTIONS = """\
{book_title} · {period} 数据录入表

1. 在 figures 表中,每行录入报告中的一个数字。列的含义:
   indicator  指标(下拉选择;catalogue 表列出全部指标及中文名称)
   geo        行政区划(下拉选择,{home})
   value      按原文书写的数字,不换算单位:3.46万人填 3.46,不要写“万”
   unit_mult  单位的十的幂次:万填 4,亿填 8,其余填 0
   unit       计量单位(下拉选择)
   qualifier  限定词:余/超 填 more_than,以上 填 at_least,约/左右 填 approx,没有则留空
   as_of      时点 2020-06-30,或时段 2020-01-01/2020-04-30(文本格式);报告没有写明时点
              或时段时留空:本书按期末(时点数、标准、比率)或本期(发生数)记录,
              并在书中注明“报告未注明时点”
   section    在报告中的位置,如 一、(一)3. 填 1.1.3;没有章节编号的通知留空
   quote      包含该数字的原文短句(有报告全文时必须逐字一致;不超过 {quote} 字)
   note       说明(可空;不超过 {note} 字)
2. 下拉列表显示“代码 名称”,如 {home}、{unit}、{indicator}。
   可以直接选择,也可以只填代码。导入时取第一个空格前的部分为代码,并核对名称与代码一致。
3. targets 表录入报告提出的目标(deadline 填期限:“年底前”写 2020-12-31,“年度任务”写
   2020-01-01/2020-12-31,“下半年”写 2020-07-01/2020-12-31;
   comparison 填 at_least、at_most 或 equal)。
4. 需要新指标时,在 catalogue 表末尾增加一行,导入时一并加入指标目录:id 只用英文小写字母、
   数字和下划线,以字母开头(如 {indicator_id});label_zh 不超过 {label_zh} 字,
   label_en 不超过 {label_en} 个字符;definition_zh 填写指标解释:用中文说明统计的是什么、
   统计范围和计量单位(如“期末享受城市低保的人数，为时点数，单位：人。”),不写报告以外的数字。
   measure 选“标准”只用于在一段时间内执行的标准(如低保标准);一次性发放的人均金额
   (如节日慰问金每人500元)选“期间发生数”,书中按发放时段表述,不说“调整”。
   新指标与其他指标的关系(下拉选择指标):
   part_of     它是哪个合计数的分项(各分项相加等于合计,如 集中供养 是 农村特困供养人员 的分项;
               “其中”只列出一部分的不填);导入后自动核对分项之和,并在书中与合计写在一句话里
   stands_for  统一指标同时代表哪些指标(如 城乡低保标准 同时是城市和农村低保标准;
               多个指标只填代码,用空格分开)
5. source 表填写文件的标题(title)、发文单位(issuer)、文号(doc_number,如 六民〔2021〕12号)、
   日期(date,如 2021-01-05)、网址(url,以 http:// 或 https:// 开头)、说明(note)和
   录入范围(extent:读到报告全文填 full,只读到部分文字填 partial,书中会注明)。
6. 录入通知(例如只公布年度低保标准的通知):通知没有章节编号,section 一律留空;
   在 source 表填写通知的文号。
7. 所有单元格按文本录入(1.10 不能变成 1.1);不要合并单元格;不要使用公式(即使显示了
   计算结果也不接受,请直接填写数值);不要隐藏或改动表名和表头,不要增加列。
   每个表最多 {rows} 行数据。
8. 保存后运行:policybook import {period} <本文件>。有错误时不会写入任何数据,并逐条列出
   表名、行号、列名和改正方法。
"""


def _header(ws, columns: tuple[str, ...]) -> None:
    ws.append(list(columns))
    for i, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(name, 14)
        for row in range(2, MAX_ROWS + 2):  # text format: 60.0 stays 60.0, dates stay ISO
            ws.cell(row=row, column=i).number_format = "@"
    ws.freeze_panes = "A2"


def _list(ws, columns: tuple[str, ...], column: str, formula: str, prompt: str) -> None:
    """A drop-down list; a warning (not a stop) so that a bare code can be typed too."""
    letter = get_column_letter(columns.index(column) + 1)
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                        errorStyle="warning", errorTitle="不在列表中",
                        error=f"{prompt}(也可以只填代码)", promptTitle=column, prompt=prompt,
                        showInputMessage=True)
    dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    ws.add_data_validation(dv)


def vocabularies(catalogue: Catalogue) -> dict[str, dict[str, str]]:
    """{column: {code: Chinese name}} for every column with a drop-down list."""
    units, geo, indicators = catalogue.units, catalogue.geo, catalogue.indicators
    return {
        "indicator": dict(zip(indicators["id"], indicators["label_zh"], strict=True)),
        "geo": dict(zip(geo["code"], geo["name_zh"], strict=True)),
        "unit": dict(zip(units["id"], units["symbol_zh"], strict=True)),
        "unit_mult": UNIT_MULT_NAMES, "qualifier": QUALIFIER_NAMES,
        "comparison": COMPARISON_NAMES, "kind": KIND_NAMES,
        "area": {area: names[0] for area, names in catalogue.areas.items()},
        "measure": MEASURE_ZH,
        "scope": dict(zip(catalogue.scopes["id"], catalogue.scopes["label_zh"], strict=True))
        if catalogue.scopes is not None else {},
    }


def choice(code: str, name: str) -> str:
    """A drop-down entry: `<code> <name>` (the bare code when there is no name)."""
    return f"{code} {name}" if name else code


def _lists(wb: Workbook, catalogue: Catalogue) -> dict[str, str]:
    """The hidden `lists` sheet; {column: the validation formula of its drop-down list}
    (without a leading =, as OOXML stores formulas)."""
    lists = wb.create_sheet(LISTS)
    vocab = vocabularies(catalogue)
    formulas = {}
    for i, column in enumerate(("unit", "geo", "qualifier", "unit_mult", "comparison", "area",
                                "kind"), start=1):
        letter = get_column_letter(i)
        lists[f"{letter}1"] = column
        for n, (code, name) in enumerate(vocab[column].items(), start=2):
            xlsx_cell(lists[f"{letter}{n}"], choice(code, name))
        formulas[column] = f"{LISTS}!${letter}$2:${letter}${len(vocab[column]) + 1}"
    # indicators: the catalogue sheet's rows, with room for new ones, as "id label_zh"
    last = len(catalogue.indicators) + NEW_INDICATOR_ROWS + 1
    lists["H1"] = "indicator"
    for r in range(2, last + 1):
        lists[f"H{r}"] = (f'=IF({CATALOGUE}!$A{r}="","",{CATALOGUE}!$A{r}&" "&'
                          f"{CATALOGUE}!$C{r})")
    formulas["indicator"] = (f"OFFSET({LISTS}!$H$2,0,0,MAX(1,COUNTA({CATALOGUE}!$A$2:"
                             f"$A${last})),1)")
    for letter, column in (("I", "measure"), ("J", "scope")):  # the catalogue's meaning columns
        lists[f"{letter}1"] = column
        for n, (code, name) in enumerate(vocab[column].items(), start=2):
            xlsx_cell(lists[f"{letter}{n}"], choice(code, name))
        formulas[column] = f"{LISTS}!${letter}$2:${letter}${max(2, len(vocab[column]) + 1)}"
    lists.sheet_state = "hidden"
    return formulas


def build(project: Project, period: str) -> Workbook:
    """The entry workbook for `period`, with the project's catalogue in its lists. Text from
    the catalogue and the configuration is set as text cells (`escape.xlsx_cell`): a label
    starting with = stays a label, never a formula."""
    catalogue = load_catalogue(project)
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = HELP
    config = project.config
    ind, unit = catalogue.indicators, catalogue.units  # the examples come from the catalogue
    ind_id, ind_zh = (ind["id"].iloc[0], ind["label_zh"].iloc[0]) if len(ind) else ("id", "名称")
    text = INSTRUCTIONS.format(period=period, rows=f"{MAX_FIGURE_ROWS:,}", book_title=config.title,
                               home=f"{config.home_geo} {config.home_name}",
                               unit=" ".join(unit[["id", "symbol_zh"]].iloc[0]) if len(unit)
                               else "id 单位", indicator=f"{ind_id} {ind_zh}",
                               indicator_id=ind_id, **MAX_LENGTHS)
    for number, line in enumerate(text.splitlines(), start=1):  # text cells, never formulas
        xlsx_cell(help_ws.cell(row=number, column=1), line)
    help_ws.column_dimensions["A"].width = 110
    for row in help_ws.iter_rows():
        row[0].alignment = Alignment(wrap_text=False)

    ref = _lists(wb, catalogue)
    for name, columns in ((FIGURES, FIGURE_COLUMNS), (TARGETS, TARGET_COLUMNS)):
        ws = wb.create_sheet(name)
        _header(ws, columns)
        _list(ws, columns, "indicator", ref["indicator"], "选择 catalogue 表中的指标")
        _list(ws, columns, "unit", ref["unit"], "选择计量单位")
        _list(ws, columns, "geo", ref["geo"], f"选择行政区划({config.home_geo} "
              f"{config.home_name})")
        _list(ws, columns, "unit_mult", ref["unit_mult"], "万填 4,亿填 8,其余填 0")
        if "qualifier" in columns:
            _list(ws, columns, "qualifier", ref["qualifier"],
                  "余/超: more_than;以上: at_least;约: approx")
        else:
            _list(ws, columns, "comparison", ref["comparison"], "at_least、at_most 或 equal")

    ws = wb.create_sheet(CATALOGUE)
    _header(ws, INDICATOR_COLUMNS)
    rows = catalogue.indicators.reindex(columns=list(INDICATOR_COLUMNS), fill_value="").itertuples(
        index=False)
    for r, row in enumerate(rows, start=2):  # cell by cell: the header pre-formats empty rows
        for c, value in enumerate(row, start=1):
            xlsx_cell(ws.cell(row=r, column=c), value)
    _list(ws, INDICATOR_COLUMNS, "area", ref["area"], "选择工作领域")
    _list(ws, INDICATOR_COLUMNS, "unit", ref["unit"], "选择计量单位")
    _list(ws, INDICATOR_COLUMNS, "kind", ref["kind"], "选择指标类型")
    _list(ws, INDICATOR_COLUMNS, "measure", ref["measure"],
          "时点数、期间发生数、累计数、标准或比率")
    _list(ws, INDICATOR_COLUMNS, "scope", ref["scope"], "统计范围小于全地区时选择；否则留空")
    _list(ws, INDICATOR_COLUMNS, "part_of", ref["indicator"], "各分项相加等于的合计指标；否则留空")
    _list(ws, INDICATOR_COLUMNS, "stands_for", ref["indicator"],
          "统一指标同时代表的指标；多个时只填代码，用空格分开")

    ws = wb.create_sheet(SOURCE)
    ws.append(list(SOURCE_COLUMNS))
    for field in SOURCE_FIELDS:
        ws.append([field, ""])
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 80
    for cell in ws["B"]:
        cell.number_format = "@"
    wb.active = wb.sheetnames.index(FIGURES)
    return wb


def new_period(project: Project, period: str) -> Path:
    """Create data/periods/<P>/ with its entry workbook; refuse if the period exists. The
    folder is filled as `.P.new.XXXX` and renamed, under the lock of data/ that import holds
    (the next command removes what a killed new-period left)."""
    pid = parse_period(period).id
    folder = project.period_dir(pid)
    if folder.exists():
        raise UserError(Problem(str(folder), _("the period already exists"),
                                _("edit its files, or import into it: {command}").format(
                                    command=project.command(f"import {pid} FILE"))))
    wb = build(project, pid)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with project_lock(project):
        staging = Path(tempfile.mkdtemp(prefix=f".{pid}{NEW_PERIOD_STAGING}", dir=folder.parent))
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a period folder is not
        try:
            wb.save(staging / f"entry_{pid}.xlsx")
            os.rename(staging, folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return folder / f"entry_{pid}.xlsx"


# ---------------------------------------------------------------------------- reading


@dataclass
class Filled:
    """The sheets import reads from a filled workbook, as frames of text, and its problems."""

    sheets: dict[str, pd.DataFrame]
    problems: list[Problem]


def read_filled(path: Path, limit: int) -> Filled:
    """Read the sheets in SHEETS (at most `limit` data rows each); UserError if unreadable."""

    file = str(path)
    scan_workbook(path, tuple(SHEETS))  # before openpyxl parses styles and strings
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise _unreadable(file, exc) from None
    try:
        problems = _sheet_problems(wb, file)
        sheets = {name: _read_sheet(wb[name], file, limit, problems) for name in SHEETS
                  if name in wb.sheetnames and hasattr(wb[name], "_get_source")}
    except UserError:
        raise
    except Exception as exc:  # a broken sheet inside a readable zip
        raise _unreadable(file, exc) from None
    finally:
        wb.close()
    return Filled(sheets, problems)


def _unreadable(file: str, exc: Exception) -> UserError:
    return UserError(Problem(file, _("not a readable .xlsx workbook ({name})").format(
                                       name=type(exc).__name__),
                             _("save it from Excel as .xlsx")))


def _sheet_problems(wb, file: str) -> list[Problem]:
    """A missing figures sheet; a contract sheet that is hidden or a chart."""
    problems = []
    if FIGURES not in wb.sheetnames:
        problems.append(Problem(file, _("sheet {figures!r} not found (sheets: {sheetnames})")
                                .format(figures=FIGURES, sheetnames=", ".join(wb.sheetnames)),
                                _("use the workbook made by `policybook new-period`; do not "
                                  "rename its sheets"), sheet=FIGURES))
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    for name in (n for n in SHEETS if n in wb.sheetnames):
        ws = wb[name]
        if not hasattr(ws, "_get_source"):
            problems.append(Problem(file, _("the sheet is a chart, not a table"),
                                    _("delete it; use the workbook made by `policybook "
                                      "new-period`"), sheet=name))
        elif ws.sheet_state != "visible":
            state = _("very hidden") if ws.sheet_state == "veryHidden" else _("hidden")
            problems.append(Problem(
                file, _("the sheet is {state}: what Excel shows is not what would be imported "
                        "(visible sheets: {visible})").format(
                          state=state, visible=", ".join(visible) or _("none")),
                _("make it visible (右键工作表标签 → 取消隐藏; a very hidden sheet: VBA editor, "
                  "Visible = -1), check it, and delete any copy of it"), sheet=name))
    return problems


def _read_sheet(ws, file: str, limit: int, problems: list[Problem]) -> pd.DataFrame:
    """One sheet as a frame of text, streamed: only the cells present in its XML.

    This is what openpyxl's ReadOnlyWorksheet.iter_rows does, minus its padding of every
    row to the sheet's width (and of missing rows), plus the merged cells the parser finds."""

    wb = ws.parent
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=False, epoch=wb.epoch,
                                 date_formats=wb._date_formats,
                                 timedelta_formats=wb._timedelta_formats)
        rows = ((n, {c["column"] - 1: c for c in cells if c["value"] is not None})
                for n, cells in parser.parse())
        frame = text_table(rows, file, ws.title, problems, limit,
                           _cell_text(ws, file, problems))
    for merged in getattr(parser.merged_cells, "mergeCell", []):
        problems.append(Problem(file, _("merged cells {ref}").format(ref=merged.ref),
                                _("unmerge them: one value per cell"), sheet=ws.title,
                                row=CellRange(merged.ref).min_row))
    return frame


def cell_text(value: Any) -> str:
    """The text of a cell value: a date as its ISO date, 60.0 as 60, a formula as written."""
    value = getattr(value, "text", value)  # an array formula
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_text(ws, file: str, problems: list[Problem]) -> Text:
    """The `text` of text_table for a sheet's parsed cells: a Problem for each cell under a
    header that is not text (a formula, an error, a number or date where text belongs)."""
    strict = ws.title != SOURCE

    def text(cell: dict, column: str | None, row: int) -> str:
        if cell["data_type"] == "s":  # text, the common case: no styles to look up
            return cell_text(cell["value"])
        typed = ReadOnlyCell(ws, **cell)
        found = _cell_problem(typed, column, strict) if column else None
        if found:
            problems.append(Problem(file, found[0], found[1], sheet=ws.title, row=row,
                                    column=f"{column} ({typed.column_letter})"))
        elif _number(typed.value):  # accepted: the digits the cell shows (60.0 with 0.0)
            return shown(typed.value, typed.number_format) or cell_text(typed.value)
        return cell_text(typed.value)
    return text


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell_problem(cell: ReadOnlyCell, column: str, strict: bool) -> tuple[str, str] | None:
    """(message, fix) for a formula, an error value, or (if strict) a number or a date where
    text is expected: Excel would have changed what was typed (1.10 → 1.1, 81% → 0.81)."""
    value = cell.value
    if cell.data_type == "f":
        return (_("formula {formula}: formulas are not imported, not even their computed "
                  "values").format(formula=echo(cell_text(value))),
                _("type the value instead of a formula"))
    if cell.data_type == "e":
        return (_("error value {value}").format(value=value),
                _("type the value instead (the cell shows an Excel error)"))
    if not strict:
        return None
    if isinstance(value, int | float) and "%" in str(cell.number_format):
        return (_("percentage-formatted cell holds {value!r}").format(value=value),  # 81%: 0.81
                _("format the cell as text and type the number as written (81 for 81%)"))
    if _number(value) and column == "value" and not exact(value, digits := shown(
            value, cell.number_format)):
        return (_("value typed as a number ({value!r}), which its cell (number format "
                  "{format!r}) shows as {shown}: digits would be lost").format(
                    value=value, format=cell.number_format, shown=digits or _("a rounding")),
                _("format the cell as text (设置单元格格式 → 文本) and type the value as written "
                  "(e.g. {text})").format(text=cell_text(value)))
    if _number(value) and (column == "value" or whole(value)):
        return None  # nothing lost: a whole number, or the digits the cell shows
    if isinstance(value, int | float):
        return (_("{column} stored as a number ({value!r}), which Excel may have changed "
                  "(1.10 becomes 1.1, 0341 becomes 341)").format(column=column, value=value),
                _(TEXT_FIX))
    if isinstance(value, dt.date | dt.time | dt.timedelta) and column not in DATE_COLUMNS:
        return (_("{column} stored as a date or time ({value})").format(
            column=column, value=cell_text(value)), _(TEXT_FIX))
    return None
