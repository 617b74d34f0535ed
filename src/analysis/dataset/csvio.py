"""Reading CSV files: every column as text, with clear errors.

`read_csv` reads the project's own UTF-8 files. `read_figures_csv` reads a figures CSV
handed to `policybook import`: its encoding is detected, not guessed (UTF-8 with or without
BOM, or GBK/GB18030 as Chinese Excel saves it; anything else, also a UTF-8 file with a bad
byte, is refused naming the likely encoding), it stops at a row limit, and a file cut off
mid-row is refused. `text_table` turns rows of
cells (from a CSV or a workbook sheet) into a frame of text under the first non-empty row.

The rule for control characters in a cell: a line break written as CRLF (Windows) becomes
LF; tab and LF are kept; every other control character is refused with its place: a lone
CR, ESC and the other C0 and C1 controls, DEL, the bidi overrides U+202A-U+202E and
U+2066-U+2069 and marks U+200E, U+200F, U+061C (they reorder what a reader sees), invisible
characters (U+200B-U+200D, U+2060-U+2064, U+FEFF, U+2028, U+2029) and the noncharacters
U+FFFE and U+FFFF.
A cell holds at most MAX_CELL_CHARS characters (Excel's own limit) and a table at most
MAX_COLUMNS columns with a value (with a header or not); at most MAX_CELL_PROBLEMS problems
of single cells per table are listed, then the rest are counted.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from charset_normalizer import from_bytes
from openpyxl.utils import get_column_letter

from analysis.errors import CONTROL, Problem, UserError, echo
from analysis.language import _

INVISIBLE = set("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u2028\u2029")

SAVE_AS_UTF8 = "in Excel use 另存为 → CSV UTF-8(逗号分隔) and import that file"
GB2312_SHARE = 0.8  # of the non-ASCII characters, in simplified-Chinese GBK text ~1.0
LIKELY = {  # codecs that charset_normalizer may name instead of GB18030, as shown to people
    "big5": "Big5 (Traditional Chinese)", "cp950": "Big5 (Traditional Chinese)",
    "cp932": "Shift-JIS (Japanese)", "shift_jis": "Shift-JIS (Japanese)",
    "euc_jp": "EUC-JP (Japanese)", "cp949": "EUC-KR (Korean)", "euc_kr": "EUC-KR (Korean)",
    "cp1252": "Windows-1252 (Western European)",
}
MAX_CELL_CHARS = 32_767  # Excel's own limit on the text of one cell
MAX_COLUMNS = 64  # columns holding a value in a table, header or not
MAX_CELL_PROBLEMS = 20  # problems of single cells listed per table; the rest are counted
_WIDE = re.compile(r"[^\x00-\x7f]")

Row = tuple[int, dict[int, Any]]  # spreadsheet row number, {0-based column: cell}
Text = Callable[[Any, str | None, int], str]  # cell, its column's header (or None), row


def read_csv(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV as strings (empty cells become ''), or raise UserError."""
    if not path.exists():
        raise UserError(
            Problem(str(path), _("file not found"), _("create it or check the period id"))
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(
            Problem(str(path), _("not UTF-8 text"), _("save the file as CSV UTF-8"))
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(
            Problem(str(path), _("not a readable CSV: {exc}").format(exc=exc), _("check quoting"))
        ) from None
    return frame


# ------------------------------------------------------------------ encodings


def decode(raw: bytes, file: str) -> str:
    """The text of a CSV in UTF-8 (BOM or not) or GBK/GB18030; UserError for anything else."""
    if raw.startswith(codecs.BOM_UTF8):
        return _utf8(raw[len(codecs.BOM_UTF8) :], file)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw:
        raise UserError(
            Problem(
                file,
                _(
                    "cannot decode the file as text in UTF-8 or GBK: it is "
                    "UTF-16 (Excel's “Unicode text”), or not a CSV at all"
                ),
                SAVE_AS_UTF8,
            )
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        if _mostly_utf8(raw):  # one bad byte must not turn a UTF-8 file into GBK mojibake
            return _utf8(raw, file)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is None or _gb2312_share(text) < GB2312_SHARE:  # Big5, Shift-JIS... also decode
        raise UserError(
            Problem(
                file,
                _("cannot decode the file as text in UTF-8 or GBK: {raw}").format(raw=_likely(raw)),
                SAVE_AS_UTF8,
            )
        )
    return text


def _utf8(raw: bytes, file: str) -> str:
    """Strict UTF-8, or a Problem at the row and column of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad, cut = raw[exc.start], exc.end == len(raw) and "end of data" in exc.reason
    row, column, cell = _first_replacement(raw.decode("utf-8", errors="replace"))
    if cut:
        raise UserError(
            Problem(
                file,
                _("the file ends in the middle of a character: it looks cut off"),
                _("export or copy the file again, completely"),
                row=row,
            )
        )
    raise UserError(
        Problem(
            file,
            _(
                "byte 0x{bad:02X} is not valid UTF-8 (the rest of the file is "
                "UTF-8; shown as �: {cell!r})"
            ).format(bad=bad, cell=cell[:60]),
            _(
                "the file is damaged or "
                "mixes encodings: retype "
                "that cell, then save the "
                "file again as CSV UTF-8 "
                "(importing it as another "
                "encoding would garble the "
                "text)"
            ),
            row=row,
            column=column,
        )
    )


def _first_replacement(text: str) -> tuple[int | None, str | None, str]:
    """(row, header, cell) of the first U+FFFD in a CSV text."""
    header: list[str] = []
    with contextlib.suppress(csv.Error):  # a broken CSV: the place stays unknown
        for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            header = header or cells
            for i, cell in enumerate(cells):
                if "\ufffd" in cell:
                    name = header[i] if i < len(header) and n > 1 else None
                    return n, name or letter(i), cell
    return None, None, ""


def _mostly_utf8(raw: bytes) -> bool:
    """More well-formed multi-byte UTF-8 characters than malformed bytes (GBK text has few)."""
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return len(_WIDE.findall(text)) - bad > bad


def _gb2312_share(text: str) -> float:
    """The share of non-ASCII characters in GB2312 (simplified Chinese and its punctuation)."""
    wide = Counter(_WIDE.findall(text))
    if not wide:
        return 1.0
    return sum(n for ch, n in wide.items() if _in_gb2312(ch)) / wide.total()


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _likely(raw: bytes) -> str:
    """What the bytes probably are, by charset_normalizer (it may name several)."""
    matches = list(from_bytes(raw, cp_isolation=sorted(set(LIKELY))))
    if not matches:
        return "it is not text in any encoding we know (or not a CSV at all)"
    least = min(m.chaos for m in matches)
    names = dict.fromkeys(LIKELY[m.encoding] for m in matches if m.chaos == least)
    return f"it looks like {' or '.join(names)}"


# ------------------------------------------------------------------ rows


def read_figures_csv(path: Path, limit: int) -> pd.DataFrame:
    """A figures CSV in UTF-8 (with or without BOM) or GBK/GB18030 as saved by Chinese Excel.

    Rows are numbered as a spreadsheet shows them (header = row 1); the frame's index is that
    number - 2, as for a workbook sheet. At most `limit` data rows. Raises UserError for
    anything that is not such a CSV."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(
            Problem(
                file,
                _("cannot read the file ({strerror})").format(strerror=exc.strerror),
                _("check the path and the file's permissions"),
            )
        ) from None
    text = decode(raw, file)
    if not text.strip():
        raise UserError(Problem(file, _("the file is empty"), _("export the figures sheet")))
    problems: list[Problem] = []
    frame = text_table(_csv_rows(text, file), file, None, problems, limit)
    if problems:
        raise UserError(problems)
    return frame


def _csv_rows(text: str, file: str) -> Iterator[Row]:
    """(row number, {column: stripped cell}) of each CSV record; UserError for bad quoting
    and for a last row cut off (fewer cells than the header and no final line break)."""
    width = n = 0
    cells: list[str] = []
    try:  # strict: an unclosed quote is an error, not a cell that swallows the rest
        for n, cells in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), 1):
            width = width or len(cells) * any(c.strip() for c in cells)
            yield n, {i: c.strip() for i, c in enumerate(cells)}
    except csv.Error as exc:
        what = (
            "a quoted cell of this row is never closed" if "end of data" in str(exc) else str(exc)
        )
        raise UserError(
            Problem(
                file,
                _("not a readable CSV: {what}").format(what=what),
                _(
                    "check the quoting of cells that contain commas or quotes; if "
                    "the file was cut off, export it again"
                ),
                row=n + 1,
            )
        ) from None
    if any(c.strip() for c in cells) and len(cells) < width and not text.endswith(("\n", "\r")):
        raise UserError(
            Problem(
                file,
                _(
                    "the last row has {cells} of the header's {width} cells "
                    "and no line break: the file looks cut off"
                ).format(cells=len(cells), width=width),
                _("export or copy the file again, completely"),
                row=n,
            )
        )


def letter(column: int) -> str:
    """The spreadsheet letter of a 0-based column (C), or #N beyond Excel's last (XFD)."""
    return get_column_letter(column + 1) if column < 16384 else f"#{column + 1}"


def _as_is(cell: Any, column: str | None, row: int) -> str:
    return cell


def text_table(
    rows: Iterable[Row],
    file: str,
    sheet: str | None,
    problems: list[Problem],
    limit: int,
    text: Text = _as_is,
) -> pd.DataFrame:
    """A frame of text from sparse rows: the first non-empty row is the header.

    `text` turns a cell into its text (and may append a Problem, e.g. for a formula). Appends
    a Problem for a header named twice, a value in a column without a header, a control
    character and a cell beyond MAX_CELL_CHARS (at most MAX_CELL_PROBLEMS, then a count);
    CRLF becomes LF; empty rows are skipped; the index is the row number - 2. Raises
    UserError at the first row beyond `limit` data rows or MAX_COLUMNS columns with a value."""
    header: dict[int, str] | None = None
    data, index = [], []
    found: list[Problem] = []
    more = 0
    used: set[int] = set()
    for n, cells in rows:
        texts = {
            i: _normalised(text(c, header.get(i) if header else None, n)) for i, c in cells.items()
        }
        used.update(i for i, t in texts.items() if t)
        if len(used) > MAX_COLUMNS:
            raise UserError(
                Problem(
                    file,
                    _("more than {max_columns} columns hold a value (this is row {n})").format(
                        max_columns=MAX_COLUMNS, n=n
                    ),
                    _(
                        "delete the columns beside the table: only "
                        "the contract's columns are imported"
                    ),
                    sheet=sheet,
                    row=n,
                )
            )
        if header is None:
            if any(texts.values()):
                header = _header(texts, file, sheet, problems)
            continue
        new = _cell_problems(texts, header, n, file, sheet)
        keep = max(0, MAX_CELL_PROBLEMS - len(found))
        found += new[:keep]
        more += len(new) - len(new[:keep])
        if not any(texts.get(i) for i in header):  # a stray value beside the table: no row
            continue
        if len(data) == limit:
            raise UserError(
                Problem(
                    file,
                    _("more than {limit:,} rows of data (this is row {n})").format(
                        limit=limit, n=n
                    ),
                    _(
                        "import at most {limit:,} rows at a time: split the figures by period"
                    ).format(limit=limit),
                    sheet=sheet,
                    row=n,
                )
            )
        data.append([texts.get(i, "")[:MAX_CELL_CHARS] for i in header])
        index.append(n - 2)
    problems += found
    if more:
        problems.append(
            Problem(
                file,
                _("…and {more:,} more problems like these").format(more=more),
                _("fix the ones listed, then import again"),
                sheet=sheet,
            )
        )
    columns = list((header or {}).values())
    return pd.DataFrame(data, columns=columns, index=index, dtype=object).astype(str)


def _normalised(text: str) -> str:
    """A cell's text with Windows line breaks (CRLF) as LF."""
    return text.replace("\r\n", "\n") if "\r" in text else text


def _header(
    names: dict[int, str], file: str, sheet: str | None, problems: list[Problem]
) -> dict[int, str]:
    """{column: name} of the named header cells; a Problem for a name given twice."""
    header: dict[int, str] = {}
    first: dict[str, int] = {}
    for i, name in sorted(names.items()):
        if name in first:
            problems.append(
                Problem(
                    file,
                    _("column {name!r} appears twice (columns {first} and {i})").format(
                        name=name, first=letter(first[name]), i=letter(i)
                    ),
                    _("keep one column of each name"),
                    sheet=sheet,
                    column=name,
                )
            )
        elif name:
            first[name] = i
            header[i] = name
    return header


def _cell_problems(
    texts: dict[int, str], header: dict[int, str], n: int, file: str, sheet: str | None
) -> list[Problem]:
    """A value without a header, a control character, a cell too long: one row's problems."""
    fix = "delete the value or give its column a header" + (
        "" if sheet else "; quote cells that contain commas"
    )
    problems = []
    for i, cell in sorted(texts.items()):
        if cell and i not in header:
            problems.append(
                Problem(
                    file,
                    _("value {cell} in column {i}, which has no header").format(
                        cell=echo(cell), i=letter(i)
                    ),
                    fix,
                    sheet=sheet,
                    row=n,
                )
            )
        elif len(cell) > MAX_CELL_CHARS:
            problems.append(
                Problem(
                    file,
                    _(
                        "the cell holds {cell:,} characters; a cell holds at "
                        "most {max_cell_chars:,}"
                    ).format(cell=len(cell), max_cell_chars=MAX_CELL_CHARS),
                    _("enter only the clause that holds the figure"),
                    sheet=sheet,
                    row=n,
                    column=header[i],
                )
            )
        elif control := CONTROL.search(cell):
            kind = "invisible" if control[0] in INVISIBLE else "control"
            name = (
                "a lone CR (carriage return)"
                if control[0] == "\r"
                else (f"{kind} character U+{ord(control[0]):04X}")
            )
            problems.append(
                Problem(
                    file,
                    _("{name} in {cell}").format(name=name, cell=echo(cell)),
                    _(
                        "delete it (it comes with "
                        "text copied from a PDF or "
                        "a web page); only tab and "
                        "line breaks are kept"
                    ),
                    sheet=sheet,
                    row=n,
                    column=header[i],
                )
            )
    return problems
