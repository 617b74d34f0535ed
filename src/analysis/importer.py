"""`policybook import`: a filled entry workbook or a figures CSV, validated, written atomically.

Nothing is written unless every check passes; every problem is reported with its file,
sheet, row and column and how to fix it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml
from openpyxl.utils import get_column_letter

from analysis.catalogue import AREAS, KINDS, Catalogue, load_catalogue
from analysis.errors import Problem, UserError
from analysis.figures import FIGURE_COLUMNS, TARGET_COLUMNS
from analysis.periods import parse_period
from analysis.project import Project
from analysis.schema import validate_table
from analysis.workbook import CATALOGUE, FIGURES, INDICATOR_COLUMNS, SOURCE, TARGETS

MAX_BYTES = 20 * 1024 * 1024
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Entry:
    """What an import brings: figures, targets, new indicators, source metadata."""

    figures: pd.DataFrame
    targets: pd.DataFrame | None
    new_indicators: pd.DataFrame
    source: dict[str, str]
    problems: list[Problem]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv_any(path: Path) -> pd.DataFrame:
    """A figures CSV in UTF-8 (with or without BOM) or GBK/GB18030 as saved by Chinese Excel.

    Rows are numbered as a spreadsheet shows them (header = row 1); the frame's index is that
    number - 2, as for a workbook sheet. Raises UserError for anything that is not such a CSV.
    """
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(Problem(file, f"cannot read the file ({exc.strerror})",
                                "check the path and the file's permissions")) from None
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = None
    if text is None or "\x00" in text:  # UTF-16 without BOM decodes, with NULs
        raise UserError(Problem(file, "cannot decode the file as text in UTF-8 or GBK "
                                "(UTF-16, or not a CSV at all?)",
                                "in Excel use 另存为 → CSV UTF-8 (逗号分隔)"))
    if not text.strip():
        raise UserError(Problem(file, "the file is empty", "export the figures sheet"))
    records: list[tuple[int, list[str]]] = []
    try:  # strict: an unclosed quote is an error, not a cell that swallows the rest
        for cells in csv.reader(io.StringIO(text, newline=""), strict=True):
            records.append((len(records) + 1, cells))
    except csv.Error as exc:
        raise UserError(Problem(file, f"not a readable CSV: {exc}",
                                "check the quoting of cells that contain commas or quotes",
                                row=len(records) + 1)) from None
    problems: list[Problem] = []
    frame = _table([(n, [c.strip() for c in cells]) for n, cells in records], file, None,
                   problems)
    if problems:
        raise UserError(problems)
    return frame


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # not \t \n \r


def _table(records: list[tuple[int, list[str]]], file: str, sheet: str | None,
           problems: list[Problem]) -> pd.DataFrame:
    """A frame of text from (row number, cells): the first non-empty row is the header.

    Appends a Problem for a header named twice and for a value in a column without a
    header; empty rows are skipped; the index is the row number - 2."""
    records = [(n, cells) for n, cells in records if any(cells)] or [(1, [])]
    (_, header), data = records[0], records[1:]
    while header and header[-1] == "":
        header.pop()
    first: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in first:
            problems.append(Problem(file, f"column {name!r} appears twice (columns "
                                    f"{get_column_letter(first[name] + 1)} and "
                                    f"{get_column_letter(i + 1)})",
                                    "keep one column of each name", sheet=sheet, column=name))
        elif name:
            first[name] = i
    fix = "delete the value or give its column a header" + (
        "" if sheet else "; quote cells that contain commas")
    rows, index = [], []
    for n, cells in data:
        for i, cell in enumerate(cells):
            if cell and (i >= len(header) or not header[i]):
                problems.append(Problem(file, f"value {cell!r} in column "
                                        f"{get_column_letter(i + 1)}, which has no header",
                                        fix, sheet=sheet, row=n))
            elif control := _CONTROL.search(cell):
                problems.append(Problem(file, f"control character U+{ord(control[0]):04X} in "
                                        f"{cell!r}", "delete it (it comes with text copied "
                                        "from a PDF or a web page)", sheet=sheet, row=n,
                                        column=header[i]))
        cells = cells + [""] * (len(header) - len(cells))
        rows.append([cells[i] for i in first.values()])
        index.append(n - 2)
    return pd.DataFrame(rows, columns=list(first), index=index, dtype=object).astype(str)


def _sheet_frame(wb, name: str, columns: tuple[str, ...], file: str,
                 problems: list[Problem], required: bool = True) -> pd.DataFrame | None:
    if name not in wb.sheetnames:
        if required:
            problems.append(Problem(file, f"sheet {name!r} not found (sheets: "
                                    f"{', '.join(wb.sheetnames)})",
                                    "use the workbook made by `policybook new-period`; "
                                    "do not rename its sheets", sheet=name))
        return None
    ws = wb[name]
    for merged in ws.merged_cells.ranges:
        problems.append(Problem(file, f"merged cells {merged}", "unmerge them: one value per "
                                "cell", sheet=name, row=merged.min_row))
    rows = list(ws.iter_rows(values_only=False))
    if not rows:
        return pd.DataFrame(columns=list(columns))
    header = [_text(c.value) for c in rows[0]]
    for row in rows[1:]:
        for cell in row:
            if isinstance(cell.value, int | float) and "%" in str(cell.number_format):
                # 81% is stored as 0.81: importing it as text would write 0.81
                problems.append(Problem(file, f"percentage-formatted cell holds {cell.value!r}",
                                        "format the cell as text and type the number as "
                                        "written (81 for 81%)", sheet=name, row=cell.row,
                                        column=_header_of(header, cell.column)))
            elif (isinstance(cell.value, float) and cell.column <= len(header)
                  and header[cell.column - 1] == "value"):
                # a number cell keeps no trailing zeros: 60.0 would arrive as 60
                problems.append(Problem(file, f"value stored as a number ({cell.value!r}), which "
                                        "loses the written precision",
                                        "format the cell as text and type the number as "
                                        "written (60.0, 3.46)", sheet=name, row=cell.row,
                                        column=_header_of(header, cell.column)))
    return _table([(row[0].row, [_text(c.value) for c in row]) for row in rows], file, name,
                  problems)


def _header_of(header: list[str], column: int) -> str:
    """`value (C)`: the header of a 1-based column with its letter, or just the letter."""
    letter = get_column_letter(column)
    name = header[column - 1] if column <= len(header) else ""
    return f"{name} ({letter})" if name else letter


def read_workbook(path: Path) -> Entry:
    """Read a filled entry workbook; raise UserError listing every structural problem."""
    from openpyxl import load_workbook

    file = str(path)
    try:
        wb = formulas = load_workbook(path, data_only=False)
        found = [c for ws in formulas.worksheets for row in ws.iter_rows() for c in row
                 if c.data_type == "f"]
        if found:  # the cached values of formulas: a second, slow load only when needed
            wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise UserError(Problem(file, f"not a readable .xlsx workbook ({type(exc).__name__})",
                                "save it from Excel as .xlsx")) from None
    problems: list[Problem] = []
    for ws in dict.fromkeys(c.parent for c in found):  # formulas without a cached value
        cached = wb[ws.title]
        header = [_text(c.value) for c in next(ws.iter_rows(max_row=1), ())]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and cached[cell.coordinate].value is None:
                    problems.append(Problem(file, f"formula {cell.value!r} has no computed value",
                                            "type the value instead of a formula", sheet=ws.title,
                                            row=cell.row, column=_header_of(header, cell.column)))
    figures = _sheet_frame(wb, FIGURES, FIGURE_COLUMNS, file, problems)
    targets = _sheet_frame(wb, TARGETS, TARGET_COLUMNS, file, problems, required=False)
    catalogue = _sheet_frame(wb, CATALOGUE, INDICATOR_COLUMNS, file, problems, required=False)
    source: dict[str, str] = {}
    if SOURCE in wb.sheetnames:
        for row in wb[SOURCE].iter_rows(min_row=2, values_only=True):
            if row and row[0]:
                source[_text(row[0])] = _text(row[1] if len(row) > 1 else "")
    if figures is None:
        raise UserError(problems)
    if figures.empty:
        raise UserError([*problems, Problem(file, "the figures sheet has no rows",
                                            "enter at least one figure", sheet=FIGURES)])
    return Entry(figures, targets if targets is not None and len(targets) else None,
                 catalogue if catalogue is not None else pd.DataFrame(), source, problems)


# a new indicator's labels go into the narrative's markdown, which passes HTML tags through
_MARKUP = re.compile(r"<[A-Za-z/!?]")


def _new_indicators(entry: Entry, catalogue: Catalogue, file: str) -> tuple[Catalogue,
                                                                             list[Problem]]:
    rows = entry.new_indicators
    if rows.empty:
        return catalogue, []
    missing = [c for c in INDICATOR_COLUMNS if c not in rows.columns]
    if missing:
        return catalogue, [Problem(file, f"missing column {c!r}", "the header must have: "
                                   f"{', '.join(INDICATOR_COLUMNS)}", sheet=CATALOGUE, column=c)
                           for c in missing]
    known = set(catalogue.indicators["id"])
    new = rows[~rows["id"].isin(known)]
    problems = [Problem(file, f"indicator {row['id']!r} is added twice", "keep one row per "
                        "new indicator", sheet=CATALOGUE, row=int(index) + 2, column="id")
                for index, row in new[new["id"].duplicated()].iterrows()]
    new = new[~new["id"].duplicated()]
    units = set(catalogue.units["id"])
    for index, row in new.iterrows():
        where = {"file": file, "sheet": CATALOGUE, "row": int(index) + 2}
        checks = [
            ("id", row.get("id", "").replace("_", "").isalnum() and row.get("id") == row.get(
                "id", "").lower(), "use lower-case letters, digits and _"),
            ("area", row.get("area") in AREAS, f"use one of {', '.join(AREAS)}"),
            ("unit", row.get("unit") in units, "use a unit id from the lists"),
            ("kind", row.get("kind") in KINDS, f"use one of {', '.join(KINDS)}"),
            ("label_zh", bool(row.get("label_zh")), "give the Chinese label"),
            ("label_en", bool(row.get("label_en")), "give the English label"),
        ] + [(col, not _MARKUP.search(row.get(col, "")), "labels are shown as text in the book: "
              "remove the HTML tag") for col in ("label_zh", "label_en", "description")]
        problems += [Problem(message=f"invalid {col} {row.get(col, '')!r} for new indicator",
                             fix=fix, column=col, **where) for col, ok, fix in checks if not ok]
    merged = pd.concat([catalogue.indicators, new[list(INDICATOR_COLUMNS)]], ignore_index=True)
    return Catalogue(merged, catalogue.units, catalogue.geo), problems


def load_entry(path: Path) -> Entry:
    """Read a workbook (.xlsx) or a figures CSV (.csv)."""
    if not path.exists():
        raise UserError(Problem(str(path), "file not found", "check the path"))
    if not path.is_file():
        raise UserError(Problem(str(path), "is a directory (or not a regular file), not a file",
                                "give the path of the .xlsx workbook or the .csv file"))
    if path.stat().st_size > MAX_BYTES:
        raise UserError(Problem(str(path), f"file too large ({path.stat().st_size:,} bytes; "
                                f"the limit is {MAX_BYTES:,})",
                                "import one period's figures only"))
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_workbook(path)
    if suffix == ".csv":
        frame = read_csv_any(path)
        if frame.empty:
            raise UserError(Problem(str(path), "the file has no figures (a header, no rows)",
                                    "enter at least one figure"))
        return Entry(frame, None, pd.DataFrame(), {}, [])
    raise UserError(Problem(str(path), f"unsupported file type {suffix!r}",
                            "open it in Excel and save it as .xlsx (Excel 工作簿)" if suffix in
                            (".xls", ".xlsm", ".xlsb", ".ods", ".et") else
                            "import the .xlsx entry workbook or a figures .csv"))


def import_period(project: Project, period: str, path: Path) -> Path:
    """Validate `path` against the contract and write data/periods/<P>/ atomically."""
    parsed = parse_period(period)
    entry = load_entry(path)
    folder = project.period_dir(parsed)
    file = str(path)
    catalogue, problems = _new_indicators(entry, load_catalogue(project), file)
    problems = entry.problems + problems
    source_path = folder / "source.txt"
    source = source_path.read_text(encoding="utf-8") if source_path.exists() else None
    sheet = FIGURES if path.suffix.lower() == ".xlsx" else None
    found = validate_table(entry.figures, catalogue, file, parsed, source)
    if entry.targets is not None:
        found += [Problem(p.file, p.message, p.fix, p.row, p.column, TARGETS) for p in
                  validate_table(entry.targets, catalogue, file, parsed, source, TARGET_COLUMNS)]
    problems += [Problem(p.file, p.message, p.fix, p.row, p.column, p.sheet or sheet)
                 for p in found]
    if problems:
        raise UserError(sorted(problems, key=lambda p: (p.sheet or "", p.row or 0)))
    _write(project, parsed.id, folder, entry, catalogue)
    return folder


def _write_csv(frame: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    extra = [c for c in frame.columns if c not in columns and c]
    frame[list(columns) + extra].to_csv(path, index=False, encoding="utf-8")


def _write(project: Project, pid: str, folder: Path, entry: Entry, catalogue: Catalogue) -> None:
    """Stage the new period folder beside the old one, then swap it in with renames."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{pid}.import.", dir=folder.parent))
    try:
        if folder.exists():
            shutil.copytree(folder, staging, dirs_exist_ok=True)  # its mode too
        else:  # mkdtemp makes it 0700: a new period gets the mode of any new directory
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(staging, 0o777 & ~umask)
        _write_csv(entry.figures, FIGURE_COLUMNS, staging / "figures.csv")
        if entry.targets is not None:
            _write_csv(entry.targets, TARGET_COLUMNS, staging / "targets.csv")
        if any(entry.source.values()):
            meta = {k: v for k, v in entry.source.items() if v} | {"period": pid}
            (staging / "source.yml").write_text(
                yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        if len(catalogue.indicators) > len(load_catalogue(project).indicators):
            target = project.catalogue / "indicators.csv"
            tmp = target.with_name(".indicators.csv.tmp")
            catalogue.indicators.to_csv(tmp, index=False, encoding="utf-8")
            os.replace(tmp, target)  # new indicators first: harmless if the swap never happens
        backup = folder.with_name(f".{pid}.previous")
        if folder.exists():
            os.rename(folder, backup)
        os.rename(staging, folder)
        if backup.exists():
            shutil.rmtree(backup)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def recover_interrupted(project: Project) -> None:
    """Finish or undo an import that was killed midway: restore `.P.previous` if `P` is
    missing, and remove staging folders (they never hold the only copy of anything)."""
    base = project.data / "periods"
    if not base.is_dir():
        return
    for backup in base.glob(".*.previous"):
        folder = base / backup.name[1:-len(".previous")]
        if folder.exists():
            shutil.rmtree(backup)
        else:
            os.rename(backup, folder)
    for staging in base.glob(".*.import.*"):
        shutil.rmtree(staging, ignore_errors=True)
