"""Audit a period's source report for numeric mentions not yet captured.

`find_mentions` scans the report text for every numeric mention:

- ``arabic``: an Arabic number, with decimals, and what follows it: 万/亿, 余/多, a
  measure word or unit (人, 人次, 元/人/月, %, 平方米, 所, 家, ...) and 以上/左右,
  e.g. ``3.46万人``, ``9万余名``, ``200余家``, ``3人以上``, ``630元/人/月``;
- ``chinese``: a Chinese numeral used as a count, i.e. followed by a measure word
  (两项, 三次, 四县, 一区, 六个, ...). Two forms without a measure word count too: a small
  numeral before 大 meaning "N major" (三大攻坚战, 两大任务; 一大 only after 党的/中共, so
  一大批 and 统一大市场 are not mentions), and the "one-X" service slogans 一窗受理, 一门办理,
  一网通办, 一站式, 一号文件, 一码通 (一 before 窗/门/网/站/号/证/码, not inside a word such
  as 统一 or 唯一; 一次 is already a count);
- ``ordinal``: a Chinese numeral after 第 (第二批, 第二次), and the numbered names of
  party congresses and plenums, written without 第: 十九大, 党的二十大, 四中全会 (a
  numeral before 大 is a congress when it is eleven or more or follows 党的/中共);
- ``threshold``: a bare 万 or 亿 with no Arabic numeral in front, used as a size class with
  以上/以下 (亿元以上, 万人以上, 千万元以下); the numeral is implied: number "1" (or the Chinese
  numeral written, 千 in 千万元以下) with unit_mult 4 or 8, so 亿元以上 is "at least 1亿元";
- ``quoted``: a quoted term that opens with a Chinese numeral (“五嵌入”, “十百千”,
  “一院一站一中心”, “零感染”): usually a programme name, sometimes a figure;
- ``date``: 2020年6月30日, 2019年, 1-4月, 3月底, 6月份, 5月7日 (years have four digits,
  so 连续11年 is a count, not a date);
- ``list_numbering``: heading and list markers (一、 (一) 1. 一是).

Each mention carries the section it stands in, computed from the headings: "一、" is the
top level, "(一)" the second and "1." the third (1.1.3 for 一、(一)3.); a line that opens
with "一是", "二是" ... is second level (the 下半年工作计划 part: 2.1 ... 2.6). Text before
the first heading is section "0".

`audit` explains each mention in one of three ways:

1. captured: a row of figures.csv or targets.csv whose quote occurs exactly once in
   source.txt, at a span covering the mention, and whose value equals the mention's
   number (Chinese numerals converted) with the same unit_mult (4 for 万, 8 for 亿);
2. auto-excluded: mentions of kind ``date`` and ``list_numbering`` are classified by
   the code itself (reasons ``date`` and ``list_numbering``) and need no row;
3. excluded: a row of audit_exclusions.csv (text, context, reason) whose context occurs
   exactly once in source.txt and contains a mention whose text equals ``text``. The
   reason starts with one of `REASONS`, then words ("date: ...").

Everything else is unexplained. Rows that cannot be used (a quote or context not found
or found more than once, an unknown reason, an exclusion that matches nothing) are
reported as problems.
"""

from __future__ import annotations

import bisect
import csv
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from analysis.dataset.safe_files import read_source_text

REASONS = (
    "date",
    "list_numbering",
    "document_or_programme_name",
    "repeat_of_captured_figure",
    "not_a_quantity",
)
AUTO_KINDS = ("date", "list_numbering")

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10**4, "亿": 10**8}

_CN_START = "零〇一二两三四五六七八九十百千"
_CN_ANY = _CN_START + "万亿"
_HEAD_CN = "一二三四五六七八九十"

# Units and measure words after an Arabic number, longest first.
ARABIC_MEASURES = (
    "元/人/月", "元/人/年", "平方米", "公里", "人次", "户次", "%", "‰",
    "元", "人", "名", "户", "对", "家", "所", "座", "个", "项", "份", "条", "次",
    "件", "年", "批", "类", "县", "区", "点", "天", "张", "位", "处", "种", "倍",
    "岁", "亩", "米", "吨", "床", "辆", "场", "期", "届", "篇", "本", "套", "台",
)
# Measure words that make a Chinese numeral a count.
CHINESE_MEASURES = (
    "人次", "项", "次", "个", "所", "家", "座", "县", "区", "名", "人", "类", "批",
    "户", "件", "条", "份", "对", "位", "张", "处", "种", "级", "关", "点", "倍",
    "轮", "场", "期", "届", "篇", "套", "台", "辆",
)


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_DATE_RE = re.compile(
    r"(?<![\d.])(?:"
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日|底|初|份)?)?"
    r"|\d{1,2}[-—~～至]\d{1,2}月(?:\d{1,2}日)?"
    r"|\d{1,2}月(?:\d{1,2}日|底|初|份|上旬|中旬|下旬)?"
    r")"
)
_ARABIC_RE = re.compile(
    r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)(?P<mult>[万亿])?(?P<q1>余|多)?"
    rf"(?P<measure>{_alternation(ARABIC_MEASURES)})?(?P<q2>以上|以下|左右|余)?"
)
_CHINESE_RE = re.compile(
    rf"(?P<ord>第)?(?P<num>[{_CN_START}][{_CN_ANY}]*)"
    rf"(?P<measure>{_alternation(CHINESE_MEASURES)})"
)
_CONGRESS_RE = re.compile(
    rf"(?<![{_CN_ANY}第])(?P<num>[{_HEAD_CN}两]+)(?P<tail>大(?![批量片早堆群])|中全会)"
)
_ONE_X_RE = re.compile(
    rf"(?<![{_CN_ANY}统唯同单逐第进专划整归合])(?P<num>一)[窗门网站号证码](?=[\u4e00-\u9fff])"
)
_THRESHOLD_RE = re.compile(
    rf"(?<![\d.{_CN_ANY}])(?P<num>[{_CN_START}]+?)?(?P<mult>[万亿])"
    rf"(?P<measure>{_alternation(ARABIC_MEASURES)})?(?P<q>及?以上|以下)"
)
_QUOTED_RE = re.compile(rf"“(?P<term>(?P<num>[{_CN_START}][{_CN_ANY}]*)[^”\n]{{0,12}})”")
_HEAD1_RE = re.compile(rf"^(?P<num>[{_HEAD_CN}]+)、", re.M)
_HEAD2_RE = re.compile(rf"^[(（](?P<num>[{_HEAD_CN}]+)[)）]", re.M)
_HEAD3_RE = re.compile(r"^(?P<num>\d+)[.．]", re.M)
_SHI_RE = re.compile(rf"(?:^|(?<=[。;；:：]))(?P<num>[{_HEAD_CN}]+)是", re.M)


def chinese_to_int(text: str) -> int | None:
    """Convert a Chinese numeral (三, 两, 十五, 二十三, 一百零六, 三万) to an int.

    Returns None for sequences that are not a well-formed number (十三五, 十百千).
    """
    if not text:
        return None
    total, section, digit = 0, 0, None
    last_unit = 10**9
    for ch in text:
        if ch in CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # two digits in a row: 十三五
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            unit = CN_UNITS[ch]
            if unit >= last_unit:
                return None  # 十百千
            section += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        elif ch in CN_BIG:
            if digit is None and section == 0:
                return None
            total += (section + (digit or 0)) * CN_BIG[ch]
            section, digit, last_unit = 0, None, 10**9
        else:
            return None
    return total + section + (digit or 0)


@dataclass(frozen=True)
class Mention:
    """One numeric mention in the report text."""

    text: str
    number: str
    start: int
    line: int
    section: str
    kind: str
    unit_mult: int = 0

    @property
    def end(self) -> int:
        """Offset just past the mention."""
        return self.start + len(self.text)

    @property
    def value(self) -> Decimal | None:
        """The numeral as a Decimal in the written unit (None if not a number)."""
        if self.number and self.number[0].isdigit():
            return Decimal(self.number)
        converted = chinese_to_int(self.number)
        return None if converted is None else Decimal(converted)


def _heading_marks(text: str) -> list[tuple[int, int, str]]:
    """Heading markers as (offset, level, numeral), in text order."""
    marks: list[tuple[int, int, str]] = []
    for level, regex in ((1, _HEAD1_RE), (2, _HEAD2_RE), (3, _HEAD3_RE)):
        marks += [(m.start(), level, m.group("num")) for m in regex.finditer(text)]
    for m in _SHI_RE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if m.start() == line_start:  # 一是 opening a line: second level
            marks.append((m.start(), 2, m.group("num")))
    return sorted(marks)


def _section_map(text: str) -> list[tuple[int, str]]:
    """(offset, section) pairs: the section in force from each heading on."""
    result: list[tuple[int, str]] = [(0, "0")]
    parts: list[int] = []
    for offset, level, num in _heading_marks(text):
        n = int(num) if num.isdigit() else chinese_to_int(num)
        parts = parts[: level - 1]
        parts += [0] * (level - 1 - len(parts)) + [n or 0]
        result.append((offset, ".".join(str(p) for p in parts)))
    return result


def _section_at(sections: list[tuple[int, str]], offset: int) -> str:
    """The section a text offset falls in (sections sorted by offset; '0' before the first)."""
    at = bisect.bisect_right(sections, offset, key=lambda s: s[0])
    return sections[at - 1][1] if at else "0"


def find_mentions(text: str) -> list[Mention]:
    """Every numeric mention in `text`, in order of appearance."""
    found: list[tuple[int, str, str, str, int]] = []  # start, text, number, kind, mult
    taken = bytearray(len(text) + 1)  # characters already in a mention: linear in the text

    def add(start: int, mtext: str, number: str, kind: str, mult: int = 0) -> None:
        end = start + len(mtext)
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            found.append((start, mtext, number, kind, mult))

    for offset, _level, num in _heading_marks(text):
        end = offset + len(num) + 1
        if text[offset] in "(（":
            end += 1
        add(offset, text[offset:end], num, "list_numbering")
    for m in _SHI_RE.finditer(text):
        add(m.start(), m.group(0), m.group("num"), "list_numbering")
    for m in _DATE_RE.finditer(text):
        add(m.start(), m.group(0), re.match(r"\d+", m.group(0)).group(0), "date")
    for m in _ARABIC_RE.finditer(text):
        mult = {"万": 4, "亿": 8}.get(m.group("mult") or "", 0)
        add(m.start(), m.group(0), m.group("num"), "arabic", mult)
    for m in _QUOTED_RE.finditer(text):
        add(m.start("term"), m.group("term"), m.group("num"), "quoted")
    for m in _THRESHOLD_RE.finditer(text):
        mult = {"万": 4, "亿": 8}[m.group("mult")]
        add(m.start(), m.group(0), m.group("num") or "1", "threshold", mult)
    for m in _CONGRESS_RE.finditer(text):
        after_party = text[max(0, m.start() - 2):m.start()] in ("党的", "中共")
        value = chinese_to_int(m.group("num"))
        if m.group("tail") == "中全会" or after_party or (value or 0) >= 11:
            add(m.start(), m.group(0), m.group("num"), "ordinal")
        elif value is not None and value > 1:  # 三大攻坚战: "N major", a count
            add(m.start(), m.group(0), m.group("num"), "chinese")
    for m in _ONE_X_RE.finditer(text):
        add(m.start(), m.group(0), m.group("num"), "chinese")
    for m in _CHINESE_RE.finditer(text):
        kind = "ordinal" if m.group("ord") else "chinese"
        add(m.start(), m.group(0), m.group("num"), kind)

    sections = _section_map(text)
    mentions = []
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    for start, mtext, number, kind, mult in sorted(found):
        line = bisect.bisect_left(breaks, start) + 1
        mentions.append(
            Mention(mtext, number, start, line, _section_at(sections, start), kind, mult)
        )
    return mentions


@dataclass(frozen=True)
class Explanation:
    """Why a mention is explained: the file and row (1-based, header = row 1), or auto."""

    source: str
    row: int
    detail: str


@dataclass
class AuditResult:
    """Outcome of an audit: each mention is captured, excluded or unexplained."""

    captured: list[tuple[Mention, Explanation]] = field(default_factory=list)
    excluded: list[tuple[Mention, Explanation]] = field(default_factory=list)
    unexplained: list[Mention] = field(default_factory=list)
    unmatched_rows: list[Explanation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every mention is explained and no row is unusable."""
        return not self.unexplained and not self.problems


def _read_rows(path: Path) -> list[dict[str, str]]:

    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _unique_span(text: str, snippet: str) -> tuple[int, int] | None:
    """Span of `snippet` in `text` if it occurs exactly once, else None."""
    first = text.find(snippet) if snippet else -1
    if first < 0 or text.find(snippet, first + 1) >= 0:
        return None
    return first, first + len(snippet)


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return None


def audit(period_dir: Path) -> AuditResult:
    """Audit `period_dir`: its source.txt against figures, targets and exclusions."""
    period_dir = Path(period_dir)
    text = read_source_text(period_dir / "source.txt") or ""
    mentions = find_mentions(text)
    result = AuditResult()
    explained: dict[int, tuple[str, Explanation]] = {}

    for name in ("figures.csv", "targets.csv"):
        for i, row in enumerate(_read_rows(period_dir / name), start=2):
            where = Explanation(name, i, f"{row.get('indicator', '')} = {row.get('value', '')}")
            quote = row.get("quote") or ""
            span = _unique_span(text, quote)
            if span is None:
                found = "not found" if quote not in text or not quote else "found more than once"
                result.problems.append(f"{name} row {i}: quote {found} in source.txt: {quote!r}")
                continue
            value = _decimal(row.get("value", ""))
            mult = row.get("unit_mult", "0").strip() or "0"
            matched = False
            for k, m in enumerate(mentions):
                if m.start < span[0] or m.end > span[1] or m.kind in AUTO_KINDS:
                    continue
                if value is None or m.value != value or str(m.unit_mult) != mult:
                    continue
                matched = True
                explained.setdefault(k, ("captured", where))
            if not matched:
                result.unmatched_rows.append(where)

    for k, m in enumerate(mentions):
        if m.kind in AUTO_KINDS and k not in explained:
            explained[k] = ("excluded", Explanation("auto", 0, m.kind))

    for i, row in enumerate(_read_rows(period_dir / "audit_exclusions.csv"), start=2):
        reason = (row.get("reason") or "").strip()
        code = re.split(r"[:：\s]", reason, maxsplit=1)[0]
        if code not in REASONS:
            result.problems.append(f"audit_exclusions.csv row {i}: unknown reason {reason!r}")
            continue
        span = _unique_span(text, row.get("context") or "")
        if span is None:
            result.problems.append(
                f"audit_exclusions.csv row {i}: context must occur exactly once: "
                f"{row.get('context')!r}"
            )
            continue
        hits = [
            k
            for k, m in enumerate(mentions)
            if m.text == row.get("text") and m.start >= span[0] and m.end <= span[1]
        ]
        fresh = [k for k in hits if k not in explained]
        if not fresh:
            result.problems.append(
                f"audit_exclusions.csv row {i}: {row.get('text')!r} matches no "
                f"unexplained mention in its context"
            )
        for k in fresh:
            explained[k] = ("excluded", Explanation("audit_exclusions.csv", i, reason))

    for k, m in enumerate(mentions):
        if k not in explained:
            result.unexplained.append(m)
            continue
        status, why = explained[k]
        (result.captured if status == "captured" else result.excluded).append((m, why))
    return result


def main(argv: list[str] | None = None) -> int:
    """Print the unexplained mentions and problems of a period directory."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m analysis.checks.audit data/periods/<P>", file=sys.stderr)
        return 2
    result = audit(Path(args[0]))
    for m in result.unexplained:
        print(f"unexplained: line {m.line} section {m.section}: {m.text}")
    for problem in result.problems:
        print(f"problem: {problem}")
    print(
        f"{len(result.captured)} captured, {len(result.excluded)} excluded, "
        f"{len(result.unexplained)} unexplained, {len(result.problems)} problems"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
