"""A number typed as a number in the entry workbook: the text its cell shows, and whether
that text is the number itself (nothing lost) or a rounding of it."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# the number formats whose display we can reproduce: General, text, and plain decimals
# (0, 0.0, #,##0.00), after removing alignment spaces (`_ `, `_)`)
DECIMAL_FORMAT = re.compile(r"[#,]*0(?:\.(0+))?")
ALIGNMENT = re.compile(r"_.")
GENERAL = frozenset({"general", "@"})
GENERAL_DIGITS = 10  # significant digits General shows in a standard-width cell
EXACT_INTEGER = 2**53  # whole numbers below this are stored exactly


def whole(value: float | int) -> bool:
    """True for a whole number stored exactly (60, 60.0, 1300000)."""
    return abs(value) < EXACT_INTEGER and float(value).is_integer()


def shown(value: float | int, number_format: str | None) -> str | None:
    """The digits the cell shows for `value` under `number_format` (without thousands
    separators), or None for a format whose display is not reproduced here (scientific,
    fractions, currency, dates)."""
    fmt = ALIGNMENT.sub("", (number_format or "General").split(";")[0]).strip()
    if fmt.lower() in GENERAL:
        if whole(value):
            return str(int(value))
        text = repr(float(value))
        digits = len(text.replace("-", "").replace(".", "").lstrip("0"))
        return text if "e" not in text and digits <= GENERAL_DIGITS else None
    match = DECIMAL_FORMAT.fullmatch(fmt)
    if match is None:
        return None
    places = Decimal(1).scaleb(-len(match.group(1) or ""))
    return str(Decimal(repr(float(value))).quantize(places, ROUND_HALF_UP))  # as Excel rounds


def exact(value: float | int, text: str | None) -> bool:
    """True when `text` is `value` with nothing rounded away."""
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))
    return text is not None and Decimal(text) == number
