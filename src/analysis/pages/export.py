"""Excel export of a period's tables for officials: figures, checks, derived metrics, catalogue."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis.checks.audit import audit
from analysis.checks.rules import results_frame
from analysis.dataset.figures import ASSUMED, DATE_ASSUMED, REPORT_DATED, START_ASSUMED
from analysis.dataset.wording import AUDIT, labels
from analysis.errors import Problem, UserError, reported
from analysis.escape import xlsx_cell
from analysis.files import write_atomic
from analysis.language import _
from analysis.meaning.semantics import MEASURE_ZH, section_cell, when_text
from analysis.meaning.written import reader_note, written_text
from analysis.pages.release import release_lines
from analysis.view import PeriodView

HEADER_FILL = PatternFill("solid", fgColor="1F5F8B")
# where a row's 时点代码 comes from when the report does not give it (figures.csv as_of_assumed)
AS_OF_ORIGIN = {"": "原文写明的时间（按方法一章的规则写成日期）",
                DATE_ASSUMED: "报告未注明时点，代码为本期期末（占位，不是原文）",
                START_ASSUMED: "报告只写截止时间，起点按当年1月1日推定",
                REPORT_DATED: "原文“截至目前”（本句或承前句），按报告日期"}
FIXED_TIME = datetime(2020, 1, 1)  # workbook metadata is fixed so exports are reproducible


def tables(view: PeriodView) -> dict[str, pd.DataFrame]:
    """The sheets of the export, keyed by sheet name: Chinese for people first, the codes
    (for machines and cross-checking) in their own columns at the end."""
    f, cat = view.figures, view.catalogue
    units = cat.unit_symbols
    scopes = cat.scopes.set_index("id")["label_zh"] if len(cat.scopes) else pd.Series(dtype=str)
    figures = pd.DataFrame({
        "指标": f["label_zh"], "地区": f["geo_zh"],
        "报告数值": [written_text(r, cat) for _, r in f.iterrows()],
        "数值（基准单位）": f["base_value"], "基准单位": f["unit"].map(units),
        "范围与时段": [when_text(cat, r) for _, r in f.iterrows()],
        "章节": f["section"].map(section_cell), "原文": f["quote"],
        "说明": [reader_note(r) for _, r in f.iterrows()],
        "指标代码": f["indicator"], "地区代码": f["geo"], "单位代码": f["unit"],
        "时点代码": f["as_of"], "时点代码的来历": f[ASSUMED].map(AS_OF_ORIGIN).fillna(""),
        "Indicator": f["label_en"], "Note": f["note"],
    })
    checks = results_frame(view.checks)
    checks = pd.DataFrame({"核验": checks["title_zh"], "结果": checks["verdict_zh"],
                           "数字": checks["detail"], "依据": checks["basis"],
                           "核验代码": checks["id"],
                           "Check": checks["title_en"]})
    used = set(f["indicator"]) | set(view.dataset.all_targets(view.period)["indicator"])
    ind = cat.indicators[cat.indicators["id"].isin(used)]  # this period's indicators only
    catalogue = pd.DataFrame({
        "领域": ind["area"].map(view.project.config.area_zh), "指标": ind["label_zh"],
        "指标解释": ind["definition_zh"],
        "单位": ind["unit"].map(units), "类型": ind["measure"].map(MEASURE_ZH),
        "统计范围": ind["scope"].map(scopes).fillna("未限定"),
        "指标代码": ind["id"], "领域代码": ind["area"], "单位代码": ind["unit"],
        "类型代码": ind["measure"], "Indicator": ind["label_en"],
        "Description": ind["description"],
    })
    release = pd.DataFrame(release_lines(view.project), columns=["项目", "内容"])
    sheets = {"数据": figures, "核验": checks, "指标目录": catalogue}
    mentions = audit_rows(view)
    if mentions is not None:
        sheets["录入完整性"] = mentions
    return {**sheets, "发布信息": release}


def audit_rows(view: PeriodView) -> pd.DataFrame | None:
    """Every number of the report's text (source.txt) and what became of it: the indicator it
    was entered as, or why it was not entered; None for a period without the text."""
    folder = view.project.period_dir(view.period)
    if not (folder / "source.txt").is_file():
        return None
    result, words = audit(folder), labels(AUDIT, view.project)
    names = view.catalogue.by_id["label_zh"]

    def row(mention, outcome: str, why: str) -> dict:
        section = "" if mention.section in ("", "0") else section_cell(mention.section)
        return {"at": mention.start, "行": mention.line, "章节": section,
                "原文数字": mention.text, "处理": words["outcome"][outcome], "说明": why}

    rows = [row(m, "captured", names.get(e.detail.split(" = ")[0], ""))
            for m, e in result.captured]
    rows += [row(m, "excluded", words["reason"].get(re.split(r"[:：\s]", e.detail)[0], ""))
             for m, e in result.excluded]
    rows += [row(m, "unexplained", "") for m in result.unexplained]
    return pd.DataFrame(sorted(rows, key=lambda r: r.pop("at")),  # in the text's order
                        columns=["行", "章节", "原文数字", "处理", "说明"])


def write_xlsx(sheets: dict[str, pd.DataFrame], out: Path) -> None:
    """Write formatted sheets atomically (temporary file, then rename) into an existing
    folder. A path that cannot be written (a folder, a missing folder, a read-only place, a
    full disk) raises `UserError` naming it; an existing file at `out` is then unchanged."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = "policybook"
    for name, frame in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(frame.columns))
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            for c, v in enumerate(row, start=1):
                xlsx_cell(ws.cell(r, c), v if isinstance(v, str) or not pd.isna(v) else None)
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center")
        ws.freeze_panes = "A2"
        for i, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column))] + [len(str(v)) for v in frame[column]])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * 1.6))
        ws.auto_filter.ref = ws.dimensions
    check_target(out)
    kept = " (the file already there is unchanged)" if out.exists() else ""
    with reported(out, f"writing the workbook{kept}"):
        data = io.BytesIO()
        wb.save(data)
        write_atomic(out, data.getvalue())


def check_target(out: Path) -> None:
    """Raise `UserError` unless `out` names an .xlsx file in an existing folder."""
    if out.is_dir():
        raise UserError(Problem(str(out), _("is a folder, not a file"),
                                fix=_("name the workbook to write, e.g. {value}").format(
                                        value=out / 'figures.xlsx')))
    if out.suffix.lower() != ".xlsx":
        raise UserError(Problem(str(out), _("the export must be an .xlsx file"),
                                fix=_("end the file name with .xlsx")))
    if not out.parent.is_dir():
        raise UserError(Problem(str(out), _("the folder {parent} does not exist").format(
                                              parent=out.parent),
                                fix=_("create it first, or write into an existing folder, e.g. "
                                      "./{name}").format(
                                        name=out.name)))


def export(view: PeriodView, out: Path) -> Path:
    """Write the period's export workbook to `out`."""
    write_xlsx(tables(view), out)
    return out
