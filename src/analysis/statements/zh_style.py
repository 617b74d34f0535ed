"""Chinese style of the book's text: pure rules over strings (no I/O).

The rules follow GB/T 15834-2011 (punctuation), GB/T 15835-2011 (numbers) and the
conventions of statistical bulletins:

- ``halfwidth_punctuation``: full-width punctuation next to Chinese (，；：？！。“”), never
  the ASCII marks.
- ``ascii_parentheses``: （） around Chinese, never ().
- ``date_range``: dates and ordinals run with a one-em dash (1—6月, 第1—3项).
- ``numeric_range``: values run with a wave dash and carry their unit, %, 万 or 亿 on both
  ends (10%～20%, 3万人～5万人).
- ``mixed_wan_yi``: one number is written with 万 or with 亿, not both (1亿2000万).
- ``digit_grouping``: the book's one grouping style: integer parts of five digits or more
  carry thousands separators (877,077; 12,345.6万), four digits or fewer none (1753; 2020年).
- ``trailing_zero``: no 630.0 or 877077.0 for a whole number (a rate keeps its written
  precision: 60.0%).
- ``percentage_points``: a difference of rates is in 个百分点, not %.
- ``latin``: no English words or code identifiers (dibao_standard) in Chinese text; the names
  of file formats and standards (CSV, Excel, GB/T) and web addresses are allowed.
- ``interaction_words`` (print only): paper cannot be clicked, pointed at or opened.
- ``web_page_words`` (print only): a printed book has chapters, not web pages (本页, 概览页).

`findings(text)` applies the rules of a kind of text; `Finding` says which rule, where and
what. Verbatim quotes of the report are exempt: the callers leave them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = f"[{HAN}]"
CJK_PUNCT = "，。；：？！、“”‘’（）《》〔〕【】—…～"
CJK = f"[{HAN}{CJK_PUNCT}]"  # a Chinese character or mark

DATE_UNITS = "年|月|日|号|时|季度|项|条|章|期|周|批|次"  # the ends of date and ordinal ranges
VALUE_UNITS = (r"%|‰|万|亿|元|人次|人|户|个|家|张|床|名|所|处|倍|平方米|公里|千米|米|吨|"
               r"个百分点|岁")
DASHES = "-‐‑‒–—―－~～〜"  # not the minus sign (−): 100% − 94.8% is a subtraction
ALLOWED_LATIN = {"CSV", "Excel", "PDF", "PNG", "Word", "XLSX", "GB", "T", "ISO", "UTF", "HTML",
                 "GDP"}  # names of formats and standards, and abbreviations of Chinese usage
INTERACTION_WORDS = ("点击", "单击", "展开数据表", "收起数据表", "指向", "鼠标", "悬停",
                     "滑动", "左右滑动")
WEB_PAGE_WORDS = ("本页", "概览页")  # print says 本章, 本期概览一章

RULES_WEB = ("halfwidth_punctuation", "ascii_parentheses", "date_range", "numeric_range",
             "mixed_wan_yi", "digit_grouping", "trailing_zero", "percentage_points", "latin")
RULES_PRINT = (*RULES_WEB, "interaction_words", "web_page_words")
RULES_DOWNLOAD = ("latin", "trailing_zero")  # cells of the Chinese CSV files

RULE_ZH = {
    "halfwidth_punctuation": "汉字旁用了半角标点",
    "ascii_parentheses": "汉字外用了半角括号",
    "date_range": "时间或序号范围应用一字线“—”",
    "numeric_range": "数值范围应用浪纹线“～”，两端都带单位",
    "mixed_wan_yi": "一个数字混用万和亿",
    "digit_grouping": "数字分节与全书不一致（五位及以上整数用千分位逗号）",
    "trailing_zero": "整数带了多余的“.0”",
    "percentage_points": "比率之差应以“个百分点”表示",
    "latin": "中文里夹有英文或代码",
    "interaction_words": "印刷版不能点击、指向或展开",
    "web_page_words": "印刷版分章而不分网页（应说本章、本期概览一章）",
}


@dataclass(frozen=True)
class Finding:
    """One breach of a rule: the rule, where (a page, a file, a line) and the text around it."""

    rule: str
    text: str
    where: str = ""

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{place}{RULE_ZH[self.rule]} [{self.rule}]: {self.text}"


def _context(text: str, start: int, end: int, width: int = 12) -> str:
    return text[max(0, start - width):end + width].replace("\n", " ")


# --------------------------------------------------------------------------- the rules
_URL = re.compile(r"(?:https?://|www\.)[^\s，。；）]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                  r"|(?:[A-Za-z0-9-]+\.)+(?:cn|com|net|org|gov|edu|info)\b[^\s，。；）]*")
_HALF = re.compile(rf"(?<={_HAN})\s*[,;:?!]|[,;:?!]\s*(?={_HAN})|(?<={_HAN})\.(?![\d.])"
                   rf'|"[^"\n]*{_HAN}[^"\n]*"')
_PARENS = re.compile(rf"\([^()\n]*{_HAN}[^()\n]*\)|(?<={CJK})\(|\)(?={_HAN})")
# an exhibit's number (图2-4, 表3-1) takes the hyphen (GB/T 15834-2011, 4.13.3): not a range
_DATE_RANGE = re.compile(
    rf"(?<![\d.图表])\d+(?:{DATE_UNITS})?\s*[{DASHES}]\s*\d+\s*(?:{DATE_UNITS})")
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_VALUE_RANGE = re.compile(
    rf"(?<![\d.,]){_NUMBER}(?P<first>(?:{VALUE_UNITS})*)\s*(?P<sep>[{DASHES}]|至)\s*"
    rf"{_NUMBER}(?P<second>(?:{VALUE_UNITS})+)")
_WAN_YI = re.compile(r"\d[\d,.]*亿[零]?\d[\d,.]*万|\d[\d,.]*万亿")
_DIGITS = re.compile(r"(?<![\d.,])\d(?:[\d,]*\d)?(?:\.\d+)?")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_TRAILING_ZERO = re.compile(r"(?<![\d.])\d[\d,]*\.0+(?![\d.%‰])")
_RATE_DIFF = re.compile(
    r"率[^，。；\n%]{0,12}?(?:提高|上升|下降|降低|增加|减少|增长|高出|低于|高于|相差|差)了?"
    r"\s*\d+(?:\.\d+)?\s*%|\d+(?:\.\d+)?\s*(?:%\s*个百分点|百分点)")
_WORD = r"[A-Za-z_][A-Za-z0-9_]*"
_LATIN = re.compile(rf"{_WORD}(?:[\s\-:;,.()/'&]+{_WORD})*")


def halfwidth_punctuation(text: str) -> Iterator[re.Match]:
    """ASCII , ; : ? ! . or "" next to a Chinese character."""
    yield from _HALF.finditer(text)


def ascii_parentheses(text: str) -> Iterator[re.Match]:
    """() around Chinese, or opening after it."""
    yield from _PARENS.finditer(text)


def date_range(text: str) -> Iterator[re.Match]:
    """A range of dates or ordinals written with another mark than '—' (1-6月, 1～6月)."""
    for match in _DATE_RANGE.finditer(text):
        if "—" not in match.group():
            yield match


def numeric_range(text: str) -> Iterator[re.Match]:
    """A range of values not written a～b with the unit on both ends (10～20%, 3-5万人)."""
    for match in _VALUE_RANGE.finditer(text):
        if match["sep"] == "至" and match["first"]:
            continue  # 3万人至5万人: words, and both ends carry their unit
        if match["sep"] != "～" or not match["first"]:
            yield match


def mixed_wan_yi(text: str) -> Iterator[re.Match]:
    """One number with both 亿 and 万 (1亿2000万, 3万亿 is a unit, also refused)."""
    yield from _WAN_YI.finditer(text)


def _is_year(text: str, start: int, end: int) -> bool:
    return end - start == 4 and (text[end:end + 1] in ("年", "〕", "]")
                                 or text[start - 1:start] in ("〔", "["))


def digit_grouping(text: str) -> Iterator[re.Match]:
    """A number whose integer part is grouped against the book's style: five digits or more
    without separators (877077), four or fewer with one (1,753), or misplaced groups."""
    urls = [m.span() for m in _URL.finditer(text)]
    for match in _DIGITS.finditer(text):
        if any(a <= match.start() < b for a, b in urls):  # a web address is no number
            continue
        number = match.group()
        whole = number.split(".")[0]
        digits = whole.replace(",", "")
        if "," in whole:
            if len(digits) <= 4 or not _GROUPED.fullmatch(number):
                yield match
        elif len(digits) >= 5 and not _is_year(text, match.start(), match.end()):
            yield match


def trailing_zero(text: str) -> Iterator[re.Match]:
    """A whole number written with a decimal zero (630.0, 877077.0); a rate keeps the
    precision it was written with (60.0%)."""
    yield from _TRAILING_ZERO.finditer(text)


def percentage_points(text: str) -> Iterator[re.Match]:
    """A rate that rose or fell by n% (the difference of rates is n个百分点), or 百分点
    without 个 or after %."""
    yield from _RATE_DIFF.finditer(text)


def latin(text: str) -> Iterator[re.Match]:
    """An English word or code identifier (dibao_standard, note, only) outside a web address;
    the names in ALLOWED_LATIN and grades (A类) pass."""
    urls = [m.span() for m in _URL.finditer(text)]
    for match in _LATIN.finditer(text):
        words = re.findall(_WORD, match.group())
        grade = re.fullmatch("[A-Z]", match.group()) and text[match.end():match.end() + 1] in (
            "类", "级", "型", "档")  # A类低保对象: a grade, in Chinese usage
        if set(words) <= ALLOWED_LATIN or grade or any(a <= match.start() < b for a, b in urls):
            continue
        yield match


def interaction_words(text: str) -> Iterator[re.Match]:
    """Words that only a screen can do (点击, 展开数据表, 指向 ...)."""
    yield from re.finditer("|".join(INTERACTION_WORDS), text)


def web_page_words(text: str) -> Iterator[re.Match]:
    """Words for a web page (本页, 概览页) where the printed book has a chapter."""
    yield from re.finditer("|".join(WEB_PAGE_WORDS), text)


RULES = {"halfwidth_punctuation": halfwidth_punctuation, "ascii_parentheses": ascii_parentheses,
         "date_range": date_range, "numeric_range": numeric_range, "mixed_wan_yi": mixed_wan_yi,
         "digit_grouping": digit_grouping, "trailing_zero": trailing_zero,
         "percentage_points": percentage_points, "latin": latin,
         "interaction_words": interaction_words, "web_page_words": web_page_words}


def findings(text: str, where: str = "", rules: Iterable[str] = RULES_WEB) -> list[Finding]:
    """Every breach of `rules` in `text`, in rule order, each with its context."""
    return [Finding(rule, _context(text, m.start(), m.end()), where)
            for rule in rules for m in RULES[rule](text)]
