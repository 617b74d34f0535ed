"""The Excel entry workbook that staff fill in for a new period (`policybook new-period`)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from analysis.catalogue import AREAS, KINDS, load_catalogue
from analysis.errors import Problem, UserError
from analysis.figures import FIGURE_COLUMNS, QUALIFIERS, TARGET_COLUMNS
from analysis.periods import parse_period
from analysis.project import Project

FIGURES, TARGETS, CATALOGUE, SOURCE, LISTS, HELP = (
    "figures", "targets", "catalogue", "source", "lists", "说明")
INDICATOR_COLUMNS = ("id", "area", "label_zh", "label_en", "unit", "kind", "description")
SOURCE_FIELDS = ("title", "issuer", "date", "url", "note")
MAX_ROWS = 2000
HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
WIDTHS = {"indicator": 34, "geo": 10, "value": 12, "unit_mult": 10, "unit": 24, "qualifier": 12,
          "as_of": 24, "section": 10, "quote": 50, "note": 40, "comparison": 12,
          "deadline": 12, "set_in": 10, "id": 34, "area": 22, "label_zh": 28, "label_en": 36,
          "kind": 10, "description": 50}

INSTRUCTIONS = """\
六安市民政政策读本 · {period} 数据录入表

1. 在 figures 表中,每行录入报告中的一个数字。列的含义:
   indicator  指标代码(下拉选择;catalogue 表列出全部指标及中文名称)
   geo        行政区划代码(下拉选择,341500 为六安市)
   value      按原文书写的数字,不换算单位:3.46万人填 3.46,不要写“万”
   unit_mult  单位的十的幂次:万填 4,亿填 8,其余填 0
   unit       计量单位代码(下拉选择)
   qualifier  限定词:余/超 填 more_than,以上 填 at_least,约/左右 填 approx,没有则留空
   as_of      时点 2020-06-30,或时段 2020-01-01/2020-04-30(文本格式)
   section    在报告中的位置,如 一、(一)3. 填 1.1.3
   quote      包含该数字的原文短句(有报告全文时必须逐字一致)
   note       说明(可空)
2. targets 表录入报告提出的有期限的目标(comparison 填 at_least、at_most 或 equal)。
3. 需要新指标时,在 catalogue 表末尾增加一行(id 用英文小写和下划线),导入时一并加入指标目录。
4. source 表填写报告的标题、发文单位、日期和网址。
5. 所有单元格按文本录入;不要合并单元格,不要使用公式,不要改动表名和表头。
6. 保存后运行:policybook import {period} <本文件>。有错误时不会写入任何数据,并逐条列出
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
    letter = get_column_letter(columns.index(column) + 1)
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                        errorTitle="无效的值", error=prompt, promptTitle=column, prompt=prompt,
                        showInputMessage=True)
    dv.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    ws.add_data_validation(dv)


def build(project: Project, period: str) -> Workbook:
    """The entry workbook for `period`, with the project's catalogue in its lists."""
    catalogue = load_catalogue(project)
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = HELP
    for line in INSTRUCTIONS.format(period=period).splitlines():
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 110
    for row in help_ws.iter_rows():
        row[0].alignment = Alignment(wrap_text=False)

    lists = wb.create_sheet(LISTS)
    vocab = {
        "A": ("unit", list(catalogue.units["id"])),
        "B": ("geo", list(catalogue.geo["code"])),
        "C": ("qualifier", [q for q in QUALIFIERS if q]),
        "D": ("unit_mult", ["0", "4", "8"]),
        "E": ("comparison", ["at_least", "at_most", "equal"]),
        "F": ("area", list(AREAS)),
        "G": ("kind", list(KINDS)),
        "H": ("geo_name", list(catalogue.geo["name_zh"])),
    }
    for letter, (name, values) in vocab.items():
        lists[f"{letter}1"] = name
        for n, value in enumerate(values, start=2):
            lists[f"{letter}{n}"] = value
    lists.sheet_state = "hidden"

    def ref(letter: str) -> str:
        return f"={LISTS}!${letter}$2:${letter}${len(vocab[letter][1]) + 1}"

    indicator_ref = f"={CATALOGUE}!$A$2:$A${MAX_ROWS + 1}"
    for name, columns in ((FIGURES, FIGURE_COLUMNS), (TARGETS, TARGET_COLUMNS)):
        ws = wb.create_sheet(name)
        _header(ws, columns)
        _list(ws, columns, "indicator", indicator_ref, "选择 catalogue 表中的指标代码")
        _list(ws, columns, "unit", ref("A"), "选择计量单位代码")
        _list(ws, columns, "geo", ref("B"), "选择行政区划代码(341500 为六安市)")
        _list(ws, columns, "unit_mult", ref("D"), "万填 4,亿填 8,其余填 0")
        if "qualifier" in columns:
            _list(ws, columns, "qualifier", ref("C"), "余/超: more_than;以上: at_least;约: approx")
        else:
            _list(ws, columns, "comparison", ref("E"), "at_least、at_most 或 equal")

    ws = wb.create_sheet(CATALOGUE)
    _header(ws, INDICATOR_COLUMNS)
    rows = catalogue.indicators[list(INDICATOR_COLUMNS)].itertuples(index=False)
    for r, row in enumerate(rows, start=2):  # cell by cell: the header pre-formats empty rows
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    _list(ws, INDICATOR_COLUMNS, "area", ref("F"), "选择工作领域")
    _list(ws, INDICATOR_COLUMNS, "unit", ref("A"), "选择计量单位代码")
    _list(ws, INDICATOR_COLUMNS, "kind", ref("G"), "stock/flow/money/rate/standard/target/progress")

    ws = wb.create_sheet(SOURCE)
    ws.append(["field", "value"])
    for field in SOURCE_FIELDS:
        ws.append([field, ""])
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 80
    for cell in ws["B"]:
        cell.number_format = "@"
    wb.active = wb.sheetnames.index(FIGURES)
    return wb


def new_period(project: Project, period: str) -> Path:
    """Create data/periods/<P>/ with its entry workbook; refuse if the period exists."""
    pid = parse_period(period).id
    folder = project.period_dir(pid)
    if folder.exists():
        raise UserError(Problem(str(folder.relative_to(project.root)),
                                "the period already exists",
                                "edit its files, or import into it with `policybook import`"))
    wb = build(project, pid)
    staging = Path(tempfile.mkdtemp(prefix=f".{pid}.", dir=folder.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; a period folder is not
    try:
        wb.save(staging / f"entry_{pid}.xlsx")
        os.rename(staging, folder)
    except BaseException:
        for child in staging.glob("*"):
            child.unlink()
        staging.rmdir()
        raise
    return folder / f"entry_{pid}.xlsx"
