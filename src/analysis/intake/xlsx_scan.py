"""A cheap look inside a .xlsx (a zip of XML parts) before openpyxl loads it.

openpyxl parses the whole style sheet and the whole shared-string table when it opens a
workbook, and then every cell element of a sheet it reads, also the empty ones. A small file
can make that cost minutes and gigabytes: two million cell styles, one 5 MB string that 2,000
cells point to, eight million empty cells in one row. `scan_workbook` reads the zip's
directory and streams the parts that matter with regular expressions, and refuses before
openpyxl sees anything:

- the zip: at most MAX_UNPACKED_BYTES unpacked, MAX_PARTS parts;
- xl/styles.xml: at most MAX_STYLES_BYTES and MAX_CELL_STYLES `<xf>` cell styles;
- the shared-string table: at most MAX_SHARED_STRINGS_BYTES, no string longer than
  MAX_CELL_CHARS (Excel's own limit for a cell);
- each sheet that import reads: at most MAX_CELLS_PER_ROW cell elements in a row and
  MAX_CELLS_PER_SHEET in the sheet (empty or not: openpyxl parses each), and MAX_TEXT_CHARS
  characters of shared text referred to by its cells (a string counts once per cell that
  refers to it).

Each limit is far above what the entry workbook of `policybook new-period` holds when filled
to the row limit (benchmarks/IMPORT.md).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import iterparse

from openpyxl.packaging.manifest import Manifest
from openpyxl.reader.excel import SHARED_STRINGS, _find_workbook_part
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.xml.functions import fromstring

from analysis.dataset.csvio import MAX_CELL_CHARS
from analysis.dataset.schema import MAX_FIGURE_ROWS
from analysis.errors import Problem, UserError
from analysis.language import _

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # bounds what reading unpacks
MAX_PARTS = 10_000  # files inside the zip
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024  # xl/workbook.xml: sheet names and defined names
MAX_STYLES_BYTES = 16 * 1024 * 1024
MAX_CELL_STYLES = 64_000  # Excel's own limit on cell formats in a workbook
MAX_SHARED_STRINGS_BYTES = 100 * 1024 * 1024
MAX_CELLS_PER_ROW = 1_000  # the contract has at most 13 columns; a stray far cell is one
MAX_CELLS_PER_SHEET = (MAX_FIGURE_ROWS + 1) * 20
MAX_TEXT_CHARS = 100_000_000  # shared text read from one sheet, counted once per cell
CHUNK = 1 << 20
FIX = "import one period's figures only, in the workbook made by `policybook new-period`"

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
# a row or cell start tag, and the shared-string index right after a cell's start tag
_TOKEN = re.compile(rb"<" + _PREFIX + rb"(row|c)(?=[\s/>])([^>]*)>(?:<" + _PREFIX +
                    rb"v>\s*(\d{1,12}))?")
_OPEN_CELL = re.compile(rb"<" + _PREFIX + rb"c(?=[\s>])[^>]*>")
_SHARED = re.compile(rb"""\bt\s*=\s*["']s["']""")
_REF = re.compile(rb"""\br\s*=\s*["']([A-Za-z]{1,3})[0-9]{1,7}["']""")
_ROW = re.compile(rb"""\br\s*=\s*["']([0-9]{1,7})["']""")
_XF = re.compile(rb"<" + _PREFIX + rb"xf(?=[\s/>])")


def scan_workbook(path: Path, sheets: tuple[str, ...]) -> None:
    """Refuse (UserError) a workbook whose parts would make openpyxl's reading of `sheets`
    slow or large; see the module docstring. Only the zip and XML text are read."""

    file = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise _refuse(file, f"the workbook holds {len(infos):,} parts; the limit is "
                                    f"{MAX_PARTS:,}")
            sizes = {info.filename: info.file_size for info in infos}
            total = sum(sizes.values())
            if total > MAX_UNPACKED_BYTES:
                raise _refuse(file, f"the workbook unpacks to {total:,} bytes; the limit is "
                                    f"{MAX_UNPACKED_BYTES:,}")
            package = Manifest.from_tree(fromstring(archive.read("[Content_Types].xml")))
            part = _find_workbook_part(package).PartName[1:]
            _size(file, sizes, part, MAX_WORKBOOK_BYTES, "the workbook part")
            parser = WorkbookParser(archive, part)
            parser.parse()
            targets = {sheet.name: rel.target.lstrip("/") for sheet, rel in
                       parser.find_sheets()}
            _styles(archive, file, sizes)
            strings = package.find(SHARED_STRINGS)
            lengths = (_string_lengths(archive, file, strings.PartName[1:], sizes)
                       if strings is not None else [])
            for name in (n for n in sheets if n in targets and targets[n] in sizes):
                _sheet(archive, file, name, targets[name], lengths)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken zip or XML part: openpyxl says the same
        raise UserError(Problem(file, _("not a readable .xlsx workbook ({name})").format(
                                          name=type(exc).__name__),
                                _("save it from Excel as .xlsx"))) from None


def _refuse(file: str, message: str, sheet: str | None = None, row: int | None = None,
            column: str | None = None, fix: str = FIX) -> UserError:
    return UserError(Problem(file, message, fix, row=row, column=column, sheet=sheet))


def _size(file: str, sizes: dict[str, int], part: str, limit: int, what: str) -> None:
    if sizes.get(part, 0) > limit:
        raise _refuse(file, f"{what} ({part}) unpacks to {sizes[part]:,} bytes; the limit is "
                            f"{limit:,}")


def _chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes in pieces that end just before a `<` (no tag is cut in two, and a
    cell's start tag stays with its `<v>`)."""
    tail = b""
    with archive.open(part) as stream:
        while block := stream.read(CHUNK):
            buffer = tail + block
            cut = buffer.rfind(b"<")
            before = buffer.rfind(b"<", 0, cut) if cut > 0 else -1
            if before >= 0 and _OPEN_CELL.match(buffer, before):
                cut = before
            if cut <= 0:
                tail = buffer
                continue
            yield buffer[:cut]
            tail = buffer[cut:]
    if tail:
        yield tail


def _styles(archive: zipfile.ZipFile, file: str, sizes: dict[str, int]) -> None:
    part = "xl/styles.xml"  # where openpyxl reads the style sheet
    if part not in sizes:
        return
    _size(file, sizes, part, MAX_STYLES_BYTES, "the style sheet")
    count = 0
    for piece in _chunks(archive, part):
        count += len(_XF.findall(piece))
        if count > MAX_CELL_STYLES:
            raise _refuse(file, f"the workbook defines more than {MAX_CELL_STYLES:,} cell "
                                "styles (Excel's own limit)")


def _string_lengths(archive: zipfile.ZipFile, file: str, part: str,
                    sizes: dict[str, int]) -> list[int]:
    """The length in characters of each shared string; refuses one beyond MAX_CELL_CHARS."""
    _size(file, sizes, part, MAX_SHARED_STRINGS_BYTES, "the shared-string table")
    lengths: list[int] = []
    with archive.open(part) as stream:
        for _, element in iterparse(stream):
            if element.tag.rsplit("}", 1)[-1] != "si":
                continue
            length = sum(len(node.text or "") for node in element.iter()
                         if node.tag.rsplit("}", 1)[-1] == "t")
            if length > MAX_CELL_CHARS:
                raise _refuse(file, f"shared string #{len(lengths)} is {length:,} characters "
                                    f"long; a cell holds at most {MAX_CELL_CHARS:,}")
            lengths.append(length)
            element.clear()
    return lengths


def _sheet(archive: zipfile.ZipFile, file: str, name: str, part: str,
           lengths: list[int]) -> None:
    """Cells per row and per sheet, shared text referred to."""
    row, in_row, cells, text = 0, 0, 0, 0
    for piece in _chunks(archive, part):
        for match in _TOKEN.finditer(piece):
            tag, attributes, index = match.groups()
            if tag == b"row":
                number = _ROW.search(attributes)
                row, in_row = int(number[1]) if number else row + 1, 0
                continue
            in_row += 1
            if in_row > MAX_CELLS_PER_ROW:
                raise _refuse(file, f"the row holds more than {MAX_CELLS_PER_ROW:,} cells "
                                    "(empty or not)", sheet=name, row=row or None,
                              fix="select the columns right of the table and delete them "
                                  "(右键 → 删除), then save again")
            cells += 1
            if cells > MAX_CELLS_PER_SHEET:
                raise _refuse(file, f"the sheet holds more than {MAX_CELLS_PER_SHEET:,} cells "
                                    f"(empty or not; {MAX_FIGURE_ROWS:,} rows of the "
                                    "contract's columns need far fewer)", sheet=name, row=row)
            if index is not None and _SHARED.search(attributes):
                n = int(index)
                text += lengths[n] if n < len(lengths) else 0
                if text > MAX_TEXT_CHARS:
                    ref = _REF.search(attributes)
                    raise _refuse(file, f"the sheet's cells refer to more than "
                                        f"{MAX_TEXT_CHARS:,} characters of text (a text "
                                        "repeated in many cells counts once for each)",
                                  sheet=name, row=row,
                                  column=ref[1].decode() if ref else None)
