"""A figure as the report wrote it: number, 万/亿, unit symbol and qualifier; numbers in the
book's one digit-grouping style (GB/T 15835-2011): an integer part of five digits or more
carries thousands separators (877,077; 12,345.6), four digits or fewer none (1753; 1967.69)."""

from __future__ import annotations

import re

import pandas as pd

from analysis.dataset.catalogue import Catalogue
from analysis.meaning.semantics import as_of_text

MULT_ZH = {0: "", 4: "万", 8: "亿"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$")


GROUP_FROM = 5  # digits of an integer part from which it is grouped in threes


def grouped(number: str) -> str:
    """A written number (877077, -12345.6) in the book's grouping style (877,077; -12,345.6);
    text that is not a plain number is returned as it is."""
    match = re.fullmatch(r"(-?)(\d+)(\.\d+)?", number.replace(",", ""))
    if match is None:
        return number
    sign, whole, fraction = match.groups()
    if len(whole) >= GROUP_FROM:
        whole = f"{int(whole):,}"
    return f"{sign}{whole}{fraction or ''}"


def number_text(value: float, decimals: int = 2) -> str:
    """A computed number for readers: no trailing .0, at most `decimals` decimals, grouped
    in the book's style (877077.0 -> 877,077; 1.30 -> 1.3)."""
    text = f"{value:.{decimals}f}"
    return grouped(text.rstrip("0").rstrip(".") if "." in text else text)


def share_text(value: float) -> str:
    """A computed share (0.2727) as a whole percent (27%), one decimal below 1% (0.4%): the
    same precision wherever the book shows a completion share or a share of time."""
    percent = 100 * value
    return f"{number_text(percent, 1 if abs(percent) < 1 else 0)}%"


def written_text(row: pd.Series, catalogue: Catalogue) -> str:
    """Number, 万/亿, unit symbol and qualifier as written, the number grouped."""
    return written_number(row, catalogue.unit_symbols[row["unit"]])


def written_number(row: pd.Series, symbol: str = "") -> str:
    """A figure as written, with `symbol` as its unit (none: 18.01万, 200余, 3以上)."""
    value, mult = str(row["value"]), MULT_ZH[int(row["unit_mult"])]
    number = f"{grouped(value)}{mult}"
    qualifier = row.get("qualifier", "")
    if qualifier == "more_than":  # 200余家, 9万余名, 6.12万余份, but 6480余万元
        if mult and value.isdigit() and len(value) > 1:
            return f"{grouped(value)}余{mult}{symbol}"
        return f"{number}余{symbol}"
    if qualifier == "at_least":  # 3人以上
        return f"{number}{symbol}以上"
    if qualifier == "approx":  # 9万人左右
        return f"{number}{symbol}左右"
    return f"{number}{symbol}"


def reader_cell(value: object) -> str:
    """A table cell as readers expect it: 630 not 630.0, 877,077 grouped (`number_text`), at
    most two decimals, dates in Chinese (2020年6月30日; 2020年1—6月)."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        if pd.isna(value):
            return ""
        return number_text(value)
    text = str(value)
    if _ISO.match(text):
        return as_of_text(text)
    return text


_LATIN_WORDS = re.compile(r"[A-Za-z]{3,}")


def reader_note(row: pd.Series) -> str:
    """A figure's note for Chinese readers: the note when it is written in Chinese (notes
    are; an English one of an older book stays in the files for machines)."""
    note = row.get("note", "")
    return note if isinstance(note, str) and not _LATIN_WORDS.search(note) else ""
