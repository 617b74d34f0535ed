"""`policybook import`: a filled entry workbook or a figures CSV, validated, written atomically.

Nothing is written unless every check passes; every problem is reported with its file,
sheet, row and column and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

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
    """A figures CSV in UTF-8 (with or without BOM) or GBK/GB18030 as saved by Chinese Excel."""
    raw = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UserError(Problem(str(path), "cannot decode the file as UTF-8 or GBK",
                                "in Excel use 另存为 → CSV UTF-8 (逗号分隔)"))
    if not text.strip():
        raise UserError(Problem(str(path), "the file is empty", "export the figures sheet"))
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise UserError(Problem(str(path), f"not a readable CSV: {exc}",
                                "check the quoting of cells that contain commas")) from None
    return frame.map(str.strip)


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
    while header and header[-1] == "":
        header.pop()
    records = []
    for row in rows[1:]:
        values = []
        for cell in row[: len(header)]:
            if cell.data_type == "f" or (isinstance(cell.value, str)
                                         and cell.value.startswith("=")):
                problems.append(Problem(file, f"formula {cell.value!r} without a stored value",
                                        "type the value itself, not a formula", sheet=name,
                                        row=cell.row, column=header[cell.column - 1]))
            values.append(_text(cell.value))
        if any(values):
            records.append((row[0].row, values))
    frame = pd.DataFrame([v for _, v in records], columns=header,
                         index=[r - 2 for r, _ in records]).astype(str)
    return frame


def read_workbook(path: Path) -> Entry:
    """Read a filled entry workbook; raise UserError listing every structural problem."""
    from openpyxl import load_workbook

    file = str(path)
    try:
        wb = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise UserError(Problem(file, f"not a readable .xlsx workbook ({type(exc).__name__})",
                                "save it from Excel as .xlsx")) from None
    problems: list[Problem] = []
    for ws in formulas.worksheets:  # formulas whose cached value is missing
        cached = wb[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and cached[cell.coordinate].value is None:
                    problems.append(Problem(file, f"formula {cell.value!r} has no computed value",
                                            "type the value instead of a formula", sheet=ws.title,
                                            row=cell.row, column=str(cell.column_letter)))
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


def _new_indicators(entry: Entry, catalogue: Catalogue, file: str) -> tuple[Catalogue,
                                                                             list[Problem]]:
    rows = entry.new_indicators
    if rows.empty:
        return catalogue, []
    known = set(catalogue.indicators["id"])
    new = rows[~rows["id"].isin(known)] if "id" in rows else rows.iloc[0:0]
    problems = []
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
        ]
        problems += [Problem(message=f"invalid {col} {row.get(col, '')!r} for new indicator",
                             fix=fix, column=col, **where) for col, ok, fix in checks if not ok]
    merged = pd.concat([catalogue.indicators, new[list(INDICATOR_COLUMNS)]], ignore_index=True)
    return Catalogue(merged, catalogue.units, catalogue.geo), problems


def load_entry(path: Path) -> Entry:
    """Read a workbook (.xlsx) or a figures CSV (.csv)."""
    if not path.exists():
        raise UserError(Problem(str(path), "file not found", "check the path"))
    if path.stat().st_size > MAX_BYTES:
        raise UserError(Problem(str(path), f"file too large ({path.stat().st_size:,} bytes; "
                                f"the limit is {MAX_BYTES:,})",
                                "import one period's figures only"))
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_workbook(path)
    if suffix == ".csv":
        return Entry(read_csv_any(path), None, pd.DataFrame(), {}, [])
    raise UserError(Problem(str(path), f"unsupported file type {suffix!r}",
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
            shutil.copytree(folder, staging, dirs_exist_ok=True)
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
