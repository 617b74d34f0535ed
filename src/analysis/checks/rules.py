"""Evaluate the declarative checks (data/catalogue/checks.yml) on a period's figures.

Each figure stands for an interval implied by its writing (see `figures.written_bounds`).
A check *holds* when the written numbers satisfy it exactly, *holds within rounding* when
some values inside the intervals satisfy it, and *fails* otherwise. A check whose
figures are absent from the period is *not applicable*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from analysis.dataset.comparators import RELIABILITY_ZH
from analysis.dataset.config import is_factor
from analysis.dataset.figures import Bounds, FigureIndex, latest, written_bounds
from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError
from analysis.meaning.semantics import as_of_text

HOLDS = "holds"
WITHIN = "holds within rounding"
FAILS = "fails"
NOT_APPLICABLE = "not applicable"
VERDICT_ZH = {HOLDS: "相符", WITHIN: "在四舍五入误差范围内相符", FAILS: "不一致",
              NOT_APPLICABLE: "不适用"}
# the references each kind of check needs (a list for `parts`), and its other required keys
REFS = {
    "sum": ("total", "parts"),
    "share": ("share", "numerator", "denominator"),
    "subset": ("part", "whole"),
    "monthly_average_below": ("amount", "recipients", "standard"),
    "ratio_at_least": ("left", "right"),
}
OTHER_KEYS = {"ratio_at_least": ("factor",)}
OPTIONAL = ("note", "basis", "source", "reliability", "applies_from")


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check, with the numbers behind it."""

    id: str
    kind: str
    title_zh: str
    title_en: str
    verdict: str
    detail: str
    indicators: tuple[str, ...]
    basis: str = "报告自身的数字"


def load_checks(path: Path, catalogue=None, config=None) -> list[dict]:
    """Read checks.yml and validate it against its schema: every check has id, kind and
    titles, the references its kind needs (each naming an indicator of the catalogue and,
    optionally, a place of geo.csv), and a factor that is a positive number or the name of a
    policy factor of data/project.yml."""
    file = str(path)
    checks = load_yaml(path) or []
    if not isinstance(checks, list):
        raise UserError(Problem(file, "must be a list of checks", "start each check with '- id:'"))
    problems: list[Problem] = []
    seen: set[str] = set()
    for n, check in enumerate(checks, start=1):
        problems += _check_problems(check, n, file, seen, catalogue, config)
    if problems:
        raise UserError(problems)
    return checks


def _check_problems(check, n: int, file: str, seen: set[str], catalogue, config) -> list[Problem]:
    if not isinstance(check, dict):
        return [Problem(file, f"check #{n} is not a mapping", "write key: value lines")]
    name = f"check #{n}" + (f" ({check['id']})" if isinstance(check.get("id"), str) else "")
    problems = [Problem(file, f"{name} has no {key!r}", f"give every check {key}")
                for key in ("id", "kind", "title_zh", "title_en")
                if not isinstance(check.get(key), str) or not check[key].strip()]
    if check.get("id") in seen:
        problems.append(Problem(file, f"{name}: id used twice", "give each check its own id"))
    seen.add(check.get("id"))
    kind = check.get("kind")
    if kind not in REFS:
        return problems + [Problem(file, f"{name}: unknown kind {kind!r}",
                                   f"use one of {', '.join(REFS)}")]
    known = set(REFS[kind]) | set(OTHER_KEYS.get(kind, ())) | {
        "id", "kind", "title_zh", "title_en", *OPTIONAL}
    problems += [Problem(file, f"{name}: unknown key {key!r}",
                         f"use only {', '.join(sorted(known))}")
                 for key in check if key not in known]
    indicators = set(catalogue.indicators["id"]) if catalogue is not None else None
    places = set(catalogue.geo["code"]) if catalogue is not None else None
    for key in REFS[kind]:
        refs = check.get(key)
        if key == "parts":
            if not isinstance(refs, list) or not refs:
                problems.append(Problem(file, f"{name}: 'parts' must be a list of references",
                                        "list {indicator: id} entries"))
                continue
        else:
            refs = [refs]
        for ref in refs:
            if not isinstance(ref, dict) or not isinstance(ref.get("indicator"), str):
                problems.append(Problem(file, f"{name}: {key!r} must be {{indicator: id}}",
                                        "name the indicator of the catalogue"))
            elif indicators is not None and ref["indicator"] not in indicators:
                problems.append(Problem(file, f"{name}: {key} names unknown indicator "
                                        f"{ref['indicator']!r}", "use an id of indicators.csv"))
            elif places is not None and "geo" in ref and str(ref["geo"]) not in places:
                problems.append(Problem(file, f"{name}: {key} names unknown place "
                                        f"{ref['geo']!r}", "use a code of geo.csv"))
    if "applies_from" in check:
        try:
            date.fromisoformat(str(check["applies_from"]))
        except ValueError:
            problems.append(Problem(file, f"{name}: applies_from {check['applies_from']!r} is "
                                    "not a date", "write an ISO date in quotes: '2020-11-19'"))
    if "reliability" in check and check["reliability"] not in RELIABILITY_ZH:
        problems.append(Problem(file, f"{name}: unknown reliability {check['reliability']!r}",
                                f"use one of {', '.join(RELIABILITY_ZH)}"))
    if kind == "ratio_at_least":
        factor = check.get("factor")
        factors = config.policy_factors if config is not None else {}
        ok = (isinstance(factor, str) and (config is None or factor in factors)) or is_factor(
            factor)
        if not ok:
            problems.append(Problem(file, f"{name}: factor {factor!r} is neither a positive "
                                    "number nor a policy factor of data/project.yml",
                                    f"use one of {', '.join(factors) or 'the policy_factors'}"))
    return problems


class _Missing(Exception):
    pass


def _lookup(figures: FigureIndex, ref: dict, geo: str) -> pd.Series:
    where = (ref["indicator"], str(ref.get("geo", geo)))
    if "as_of" in ref:
        rows = figures.rows(*where)
        rows = rows[rows["as_of"] == ref["as_of"]]
        found = None if rows.empty else latest(rows)
    else:
        found = figures.latest(*where)
    if found is None:
        raise _Missing(f"本期没有 {ref['indicator']} 的数字")
    return found


def _nonzero(bounds: Bounds, ref: dict) -> None:
    """A check that would divide by zero is undefined: not applicable, with the reason."""
    if bounds.low <= 0:
        raise _Missing(f"{ref['indicator']} 为 {_fmt(bounds.point)},可能为零,无法相除")


def _bounds(row: pd.Series) -> Bounds:
    """The interval the writing implies; whole numbers of counts, money and standards are
    exact, a rate written as 81% stands for 80.5%..81.5%."""
    return written_bounds(row["value"], int(row["unit_mult"]), row.get("qualifier", ""),
                          exact_integers=row.get("dimension") != "rate")


def _fmt(x: Decimal) -> str:
    x = x.quantize(Decimal("0.01")) if x != x.to_integral() else x.quantize(Decimal(1))
    return f"{x:,}"


def _verdict(exact: bool, possible: bool) -> str:
    return HOLDS if exact else WITHIN if possible else FAILS


def _sum(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str]:
    total = _bounds(_lookup(figures, check["total"], geo))
    parts = [_bounds(_lookup(figures, p, geo)) for p in check["parts"]]
    point = sum((p.point for p in parts), Decimal(0))
    low = sum((p.low for p in parts), Decimal(0))
    high = sum((p.high for p in parts), Decimal(0))
    verdict = _verdict(point == total.point, low <= total.high and total.low <= high)
    head = f"合计{_fmt(total.point)}，分项之和{_fmt(point)}，差{_fmt(total.point - point)}"
    if total.low == total.high and low == high:
        return verdict, f"{head}；原文均为整数，应完全相等"
    return verdict, (f"{head}；按原文有效位数允许的差为"
                     f"{_fmt(total.low - high)}至{_fmt(total.high - low)}")


def _share(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str]:
    share = _bounds(_lookup(figures, check["share"], geo))
    num = _bounds(_lookup(figures, check["numerator"], geo))
    den = _bounds(_lookup(figures, check["denominator"], geo))
    _nonzero(den, check["denominator"])
    computed = 100 * num.point / den.point
    low, high = 100 * num.low / den.high, 100 * num.high / den.low
    exact = computed == share.point
    verdict = _verdict(exact, low <= share.high and share.low <= high)
    return verdict, (f"报告表述为{share.point}%（即{share.low}%至{share.high}%），"
                     f"按{_fmt(num.point)}÷{_fmt(den.point)}计算为{computed:.2f}%")


def _subset(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str]:
    part = _bounds(_lookup(figures, check["part"], geo))
    whole = _bounds(_lookup(figures, check["whole"], geo))
    verdict = _verdict(part.point <= whole.point, part.low <= whole.high)
    return verdict, f"部分{_fmt(part.point)}，总数{_fmt(whole.point)}"


def months_in_window(as_of: str) -> Decimal | None:
    """Calendar months covered by an ISO interval (2020-01-01/2020-06-30 -> 6); None for a
    single date, over which no monthly average can be taken."""
    if "/" not in as_of:
        return None
    start, end = (date.fromisoformat(d) for d in as_of.split("/"))
    return Decimal((end.year - start.year) * 12 + end.month - start.month + 1)


def per_person_month(amount: float, recipients: float, as_of: str) -> float | None:
    """Average monthly amount per recipient over the amount's window (None: no window)."""
    months = months_in_window(as_of)
    return None if months is None else amount / recipients / float(months)


def _starts_after(standard_as_of: str, window: str) -> bool:
    """True when a standard was set (or took effect) after the start of a window."""
    return standard_as_of.split("/")[0] > window.split("/")[0]


def _monthly_average_below(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str]:
    amount_row = _lookup(figures, check["amount"], geo)
    amount = _bounds(amount_row)
    recipients = _bounds(_lookup(figures, check["recipients"], geo))
    standard = _bounds(_lookup(figures, check["standard"], geo))
    _nonzero(recipients, check["recipients"])
    months = months_in_window(amount_row["as_of"])
    standard_row = _lookup(figures, check["standard"], geo)
    if months is not None and _starts_after(standard_row["as_of"], amount_row["as_of"]):
        average = amount.point / recipients.point / months
        raise _Missing(f"标准在资金所属时段内调整（{as_of_text(standard_row['as_of'])}），"
                       f"期内大部分时间执行的是调整前的标准，不作判断；"
                       f"估算月人均{average:.0f}元")
    if months is None:
        raise _Missing(f"{check['amount']['indicator']} 只有时点"
                       f"（{as_of_text(amount_row['as_of'])}），没有时段，无法按月平均")
    average = amount.point / recipients.point / months
    lowest = amount.low / recipients.high / months
    verdict = _verdict(average < standard.point, lowest < standard.high)
    return verdict, (f"{_fmt(amount.point)}元÷{_fmt(recipients.point)}人÷{months}个月＝"
                     f"{average:.0f}元/人/月（估算），标准{_fmt(standard.point)}元/人/月")


def _ratio_at_least(check: dict, figures: FigureIndex, geo: str) -> tuple[str, str]:
    left = _bounds(_lookup(figures, check["left"], geo))
    right = _bounds(_lookup(figures, check["right"], geo))
    _nonzero(right, check["right"])
    factor = Decimal(str(check["factor"]))
    floor = factor * right.point
    verdict = _verdict(left.point >= floor, left.high >= factor * right.low)
    return verdict, (f"{_fmt(left.point)}，下限{factor}×{_fmt(right.point)}＝{_fmt(floor)}"
                     f"（实际倍数{left.point / right.point:.3f}）")


EVALUATORS = {
    "sum": _sum,
    "share": _share,
    "subset": _subset,
    "monthly_average_below": _monthly_average_below,
    "ratio_at_least": _ratio_at_least,
}


def _indicators(check: dict) -> tuple[str, ...]:
    found: list[str] = []
    for value in check.values():
        refs = value if isinstance(value, list) else [value]
        found += [r["indicator"] for r in refs if isinstance(r, dict) and "indicator" in r]
    return tuple(found)


def basis_text(check: dict) -> str:
    """Where a check comes from: the report's own arithmetic, or a rule's source document
    with its reliability and the date from which it applies."""
    if not check.get("source"):
        return "报告自身的数字"
    text = str(check["source"])
    if check.get("reliability"):
        text += f"；来源可靠性：{RELIABILITY_ZH.get(check['reliability'], check['reliability'])}"
    if check.get("applies_from"):
        text += f"；自{_day_zh(str(check['applies_from']))}起适用"
    return text


def _day_zh(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def evaluate(checks: list[dict], figures: pd.DataFrame, geo: str,
             factors: dict[str, float] | None = None,
             period_end: date | None = None) -> list[CheckResult]:
    """Verdict of every check on one period's figures; refs without a geo mean `geo`; a
    factor given by name is looked up in `factors` (data/project.yml's policy_factors). A
    rule whose `applies_from` falls after `period_end` is not applicable to the period; its
    arithmetic is still shown."""
    results, index = [], FigureIndex(figures)
    for check in checks:
        if isinstance(check.get("factor"), str):
            check = {**check, "factor": (factors or {})[check["factor"]]}
        try:
            verdict, detail = EVALUATORS[check["kind"]](check, index, geo)
        except _Missing as missing:
            verdict, detail = NOT_APPLICABLE, str(missing)
        start = check.get("applies_from")
        if start and period_end is not None and period_end < date.fromisoformat(str(start)):
            detail = (f"规则自{_day_zh(str(start))}起适用，本期尚未适用；"
                      f"按此规则计算：{detail}")
            verdict = NOT_APPLICABLE
        results.append(CheckResult(check["id"], check["kind"], check["title_zh"],
                                   check["title_en"], verdict, detail, _indicators(check),
                                   basis_text(check)))
    return results


def results_frame(results: list[CheckResult]) -> pd.DataFrame:
    """Check results as a table (for notebooks and export)."""
    return pd.DataFrame([r.__dict__ for r in results])
