"""Text from data made inert, one function per place it goes (sink).

Labels, descriptions, quotes, notes, source titles and place names come from researchers'
workbooks: they are text, never markup. Each sink has its own rules:

- HTML (`html_text`): `& < > " '` as entities. Generated narrative is shown as HTML, so
  the MyST parser never sees it.
- MyST/Markdown (`myst_text`): every ASCII punctuation character backslash-escaped (CommonMark
  allows that for all of them), line breaks folded, so no role (`{download}`), directive,
  link, image, code fence, HTML tag or math survives as markup.
- matplotlib: `style.use_house_style` turns math text off (`text.parse_math`), so `$...$`
  in a source title is drawn as written.
- Names and titles of a book (`name_problem`): its home place and title are short, one
  line, printable, without the characters of markup (angle brackets, braces, brackets,
  backtick, backslash, `|`, `*`, `$`); each sink
  still escapes them (YAML through yaml.safe_dump, MyST, HTML, XLSX text cells).
- CSV and XLSX cells (`csv_cell`, `xlsx_cell`): text that Excel would run as a formula is
  neutralised as OWASP recommends (a leading apostrophe in CSV; a text cell with Excel's
  own quote prefix in XLSX, which shows no stray character).
"""

from __future__ import annotations

import html
import re
import string

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029\x85]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")
NAME_MAX = 40  # characters of a place's name
TITLE_MAX = 60  # characters of a book's title
_MARKUP = frozenset("<>{}[]`\\|*$")


def plain(value: object) -> str:
    """The value as one line of text without control characters."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", "" if value is None else str(value)))


def html_text(value: object) -> str:
    """Text for an HTML element or attribute."""
    return html.escape(plain(value), quote=True)


def myst_text(value: object) -> str:
    """Text for MyST Markdown (inline, including table cells): no markup survives."""
    return _PUNCTUATION.sub(r"\\\1", plain(value))


def name_problem(value: object, what: str, limit: int = NAME_MAX) -> str | None:
    """Why `value` cannot be a book's name or title (`what` names it), or None if it can:
    empty, longer than `limit`, more than one line, an unprintable character or one of
    markup."""
    text = "" if value is None else str(value)
    if not text.strip():
        return f"{what} is empty"
    if len(text) > limit:
        return f"{what} has {len(text)} characters, more than {limit}"
    for char in text:
        if not char.isprintable() and char != " ":
            return f"{what} holds a line break or control character (U+{ord(char):04X})"
        if char in _MARKUP:
            return f"{what} holds `{char}`, a character of markup"
    if text != text.strip():
        return f"{what} begins or ends with a space"
    return None


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet would read the text as a formula (a signed number is a number)."""
    return text.startswith(FORMULA_START) and not _NUMBER.match(text)


def csv_cell(value: object) -> object:
    """A CSV cell that Excel shows as text: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def xlsx_cell(cell, value: object) -> None:
    """Store `value` in an openpyxl cell; formula-like text stays text (quote prefix, no
    visible apostrophe) instead of becoming a formula."""
    if isinstance(value, str) and is_formula_like(value):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
