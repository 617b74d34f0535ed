"""Hostile .xlsx files, small on disk and huge to read (SYNTHETIC; used by
tests/test_hostile_workbooks.py and benchmarks/import_limits.py).

Each starts from a valid two-row workbook written by openpyxl (figures first, so its sheet is
xl/worksheets/sheet1.xml) and rewrites XML parts in the zip: what Excel never writes but a
damaged or crafted file may hold.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils import get_column_letter

from analysis.dataset.figures import FIGURE_COLUMNS

FIGURES_PART = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROWS = [  # SYNTHETIC: invented figures for a county-level 2020H2 workbook
    ["dibao_standard", "341522", "650", "0", "yuan_per_person_month", "", "2020-07-01", "1", "",
     "SYNTHETIC"],
    ["tekun_rural_basic_standard", "341522", "845", "0", "yuan_per_person_month", "",
     "2020-07-01", "2", "", "SYNTHETIC"],
]


def base(path: Path) -> Path:
    """A valid workbook: figures with ROWS, a source sheet (openpyxl writes text inline)."""
    wb = openpyxl.Workbook(write_only=True)
    figures = wb.create_sheet("figures")
    figures.append(list(FIGURE_COLUMNS))
    for row in ROWS:
        figures.append(row)
    source = wb.create_sheet("source")
    source.append(["field", "value"])
    source.append(["title", "SYNTHETIC 合成测试通知"])
    wb.save(path)
    return path


def _rewrite(path: Path, edit: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    return path


def _inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'.encode()


def _row(n: int, values: list[str]) -> bytes:
    cells = b"".join(_inline(f"{get_column_letter(c)}{n}", v)
                     for c, v in enumerate(values, start=1) if v)
    return b'<row r="%d">%s' % (n, cells)


def _sheet(rows: list[bytes]) -> bytes:
    """A worksheet part: each item of `rows` is a row's start tag and cells (no end tag)."""
    body = b"".join(r + b"</row>" for r in rows)
    return (f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + body
            + b"</sheetData></worksheet>")


def _shared_strings(parts: dict[str, bytes], strings: list[str]) -> None:
    """Add a shared-string table holding `strings` (index 0, 1, ...)."""
    items = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    parts["xl/sharedStrings.xml"] = (f'<sst xmlns="{MAIN}" count="{len(strings)}" '
                                     f'uniqueCount="{len(strings)}">{items}</sst>').encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", (
        b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))


def shared_fan_out(path: Path, cells: int = 2_000, length: int = 5_000_000) -> Path:
    """`cells` quote cells (column I) that all refer to one shared string `length` long."""
    def edit(parts: dict[str, bytes]) -> None:
        _shared_strings(parts, ["x" * length])
        rows = [_row(1, list(FIGURE_COLUMNS))] + [
            _row(n, ROWS[0][:6] + [f"2020-07-{n % 28 + 1:02d}"]) + b'<c r="I%d" t="s"><v>0</v>'
            b"</c>" % n for n in range(2, cells + 2)]
        parts[FIGURES_PART] = _sheet(rows)
    return _rewrite(base(path), edit)


def many_styles(path: Path, count: int = 2_000_000) -> Path:
    """A style sheet with `count` cell styles (`<xf/>`)."""
    def edit(parts: dict[str, bytes]) -> None:
        styles = parts["xl/styles.xml"]
        start = styles.index(b"<cellXfs")
        end = styles.index(b"</cellXfs>") + len(b"</cellXfs>")
        parts["xl/styles.xml"] = (styles[:start] + b'<cellXfs count="%d">' % count
                                  + b"<xf/>" * count + b"</cellXfs>" + styles[end:])
    return _rewrite(base(path), edit)


def wide_row(path: Path, cells: int = 8_000_000) -> Path:
    """Row 3 of figures holds `cells` empty cell elements."""
    def edit(parts: dict[str, bytes]) -> None:
        parts[FIGURES_PART] = _sheet([_row(1, list(FIGURE_COLUMNS)), _row(2, ROWS[0]),
                                      b'<row r="3">' + b"<c/>" * cells])
    return _rewrite(base(path), edit)


def headless_values(path: Path, rows: int = 50_000, per_row: int = 52) -> Path:
    """`rows` x `per_row` values in the columns right of the header (K onwards)."""
    def edit(parts: dict[str, bytes]) -> None:
        _shared_strings(parts, ["x"])
        letters = [get_column_letter(c).encode() for c in range(11, 11 + per_row)]
        body = [_row(1, list(FIGURE_COLUMNS))]
        for n in range(2, rows + 2):
            number = b"%d" % n
            body.append(b'<row r="' + number + b'">' + b"".join(
                b'<c r="' + col + number + b'" t="s"><v>0</v></c>' for col in letters))
        parts[FIGURES_PART] = _sheet(body)
    return _rewrite(base(path), edit)


def huge_value(path: Path, length: int = 15_000_000, shared: bool = False) -> Path:
    """One quote cell (I2) of `length` characters, inline (or in the shared strings)."""
    def edit(parts: dict[str, bytes]) -> None:
        text = "低保" * (length // 2)
        if shared:
            _shared_strings(parts, [text])
            cell = b'<c r="I2" t="s"><v>0</v></c>'
        else:
            cell = _inline("I2", text)
        parts[FIGURES_PART] = _sheet([_row(1, list(FIGURE_COLUMNS)),
                                      _row(2, ROWS[0][:8]) + cell])
    return _rewrite(base(path), edit)
