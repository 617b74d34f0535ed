"""How indicators relate: the same concept under two ids (`same_as`), a unified standard
that stands for others (`stands_for`), a total and its parts (`part_of`), figures that
cannot be set against each other, and how comparable another place's standard is."""

from __future__ import annotations

import pandas as pd

from analysis.dataset.catalogue import Catalogue, related
from analysis.dataset.loader import Dataset
from analysis.meaning.semantics import FLOW, RUNNING, Window, meaning


def concept_of(dataset: Dataset) -> dict[str, str]:
    """Comparator indicator id -> the catalogue indicator of the same concept (`same_as`)."""
    ind = dataset.catalogue.indicators
    return {other: row["id"] for _, row in ind.iterrows()
            for other in str(row.get("same_as", "")).split()}


def stands_for(dataset: Dataset) -> dict[str, list[str]]:
    """Unified indicator -> the indicators it stands for (`stands_for`: 城乡低保标准 is the
    urban and the rural standard at once)."""
    ind = dataset.catalogue.indicators
    return {row["id"]: str(row["stands_for"]).split() for _, row in ind.iterrows()
            if str(row.get("stands_for", "")).strip()}


def parts_of(catalogue: Catalogue) -> dict[str, list[str]]:
    """Total -> its parts, in catalogue order (`part_of`: 集中供养 and 分散供养 add up to the
    农村特困供养人员)."""
    parts: dict[str, list[str]] = {}
    for ident, total in zip(catalogue.indicators["id"],
                            catalogue.indicators.get("part_of", [""] * len(catalogue.indicators)),
                            strict=True):
        for t in related(total):
            parts.setdefault(t, []).append(ident)
    return parts


def unified_standards(dataset: Dataset) -> list[str]:
    """Each unified indicator of `stands_for` followed by the indicators it stands for (the
    城乡低保标准, then the urban and the rural one)."""
    return list(dict.fromkeys(i for unified, parts in stands_for(dataset).items()
                              for i in (unified, *parts)))


def not_comparable(dataset: Dataset, indicator: str, before: str, after: str) -> str:
    """Why two figures of an indicator cannot be set against each other ('' if they can):
    flows over windows of different lengths (1—6月 vs 1—12月), running totals from
    different starts."""
    m = meaning(dataset.catalogue, indicator)
    a, b = Window.of(before), Window.of(after)
    if m.measure == FLOW and a.months != b.months:
        return f"时段长度不同（{a.months or 0}个月与{b.months or 0}个月），不计算变化"
    if m.measure == RUNNING and a.start != b.start:
        return "累计起点不同，不计算变化"
    return ""


COMPARABLE, OTHER_YEAR, PARTIAL, AVERAGE = (
    "同一年份的标准（各地执行时间不同）", "其他年份的标准（年份不同，仅供参考）",
    "部分地区的标准或政策下限（口径不同，仅供参考）",
    "平均标准（多个地区的平均值，不是某一地的标准）")
GROUPS = (COMPARABLE, OTHER_YEAR, PARTIAL, AVERAGE)


def comparability_group(row: pd.Series, year: int) -> str:
    """Which comparability group a comparator falls in, against a standard of `year`."""
    if row["basis"] == "average":
        return AVERAGE
    if row["coverage"] == "partial" or row["basis"] == "floor":
        return PARTIAL
    if int(str(row["as_of"]).split("/")[-1][:4]) != year:
        return OTHER_YEAR
    return COMPARABLE
