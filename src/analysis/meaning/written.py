"""A figure as the report wrote it: number, 万/亿, unit symbol and qualifier."""

from __future__ import annotations

import re

import pandas as pd

from analysis.dataset.catalogue import Catalogue
from analysis.meaning.semantics import as_of_text

MULT_ZH = {0: "", 4: "万", 8: "亿"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$")


def written_text(row: pd.Series, catalogue: Catalogue) -> str:
    """Number, 万/亿, unit symbol and qualifier as written."""
    symbol = catalogue.unit_symbols[row["unit"]]
    number = f"{row['value']}{MULT_ZH[int(row['unit_mult'])]}"
    qualifier = row.get("qualifier", "")
    if qualifier == "more_than":  # 200余家
        return f"{number}余{symbol}"
    if qualifier == "at_least":  # 3人以上
        return f"{number}{symbol}以上"
    if qualifier == "approx":  # 9万人左右
        return f"{number}{symbol}左右"
    return f"{number}{symbol}"


def reader_cell(value: object) -> str:
    """A table cell as readers expect it: 630 not 630.0, 877,077 with separators, at most
    two decimals, dates in Chinese (2020年6月30日; 2020年1—6月)."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int | float):
        if pd.isna(value):
            return ""
        if float(value).is_integer():
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    text = str(value)
    if _ISO.match(text):
        return as_of_text(text)
    return text


_LATIN_WORDS = re.compile(r"[A-Za-z]{3,}")


def reader_note(row: pd.Series) -> str:
    """A figure's note for Chinese readers: its Chinese note (note_zh), or the note itself
    when it is written in Chinese; an English note stays in the files for machines."""
    chinese = row.get("note_zh", "")
    if isinstance(chinese, str) and chinese:
        return chinese
    note = row.get("note", "")
    return note if isinstance(note, str) and not _LATIN_WORDS.search(note) else ""
