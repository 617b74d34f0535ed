"""Plan tracking: each target set in a period, checked against the figures of later periods."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.dataset.figures import as_of_end, latest
from analysis.dataset.loader import load_dataset
from analysis.dataset.project import Project
from analysis.meaning.semantics import meaning
from analysis.meaning.written import written_text

COLUMNS = ["提出期", "目标", "地区", "目标值", "期限", "最新值", "最新时点", "状态", "章节", "原文",
           "indicator", "progress"]  # also when there is no target: empty selections work
MET, IN_PROGRESS, NOT_MET, NO_DATA = "已完成", "推进中", "未完成", "报告未给出可比数字"


def _meets(value: Decimal, target: Decimal, comparison: str) -> bool:
    return {"at_least": value >= target, "at_most": value <= target,
            "equal": value == target}[comparison]


def _evidence(dataset, figures: pd.DataFrame, target: pd.Series) -> pd.DataFrame:
    """The figures that can judge a target: its indicator and place, dated up to its
    deadline, and, for counts that restart each year, within the deadline's year."""

    if figures.empty:
        return figures
    rows = figures[(figures["indicator"] == target["indicator"])
                   & (figures["geo"] == target["geo"])]
    ends = rows["as_of"].map(as_of_end)
    rows = rows[ends <= target["deadline"]]
    if meaning(dataset.catalogue, target["indicator"]).resets_yearly:
        rows = rows[rows["as_of"].map(as_of_end).str[:4] == target["deadline"][:4]]
    return rows


def track(project: Project, up_to: str | None = None, geo: str | None = None) -> pd.DataFrame:
    """Status of every target of every period (up to `up_to`) against the latest figure.

    Only figures dated up to the deadline judge a target (and, for counts that restart each
    year, only those of the deadline's year). Met when the latest of them satisfies the
    target; not met when it falls short and is dated on the deadline; in progress when it
    falls short before the deadline; no data when there is no such figure. With `geo`, only
    the targets set for that place (a county's period does not list the city's targets).
    """
    dataset = load_dataset(project)
    catalogue = dataset.catalogue
    periods = dataset.periods if up_to is None else dataset.periods_up_to(up_to)
    figures = dataset.all_figures(up_to)
    rows = []
    for period in periods:
        for _, target in dataset.targets[period.id].iterrows():
            if geo is not None and target["geo"] != geo:
                continue
            observed = _evidence(dataset, figures, target)
            goal = Decimal(target["value"]) * Decimal(10) ** int(target["unit_mult"])
            status, shown, when, progress = NO_DATA, "", "", float("nan")
            if len(observed):
                row = latest(observed)
                value = Decimal(row["value"]) * Decimal(10) ** int(row["unit_mult"])
                shown, when = written_text(row, catalogue), as_of_end(row["as_of"])
                progress = float(value / goal) if goal else float("nan")
                if _meets(value, goal, target["comparison"]):
                    status = MET
                elif when >= target["deadline"]:
                    status = NOT_MET
                else:
                    status = IN_PROGRESS
            rows.append({
                "提出期": period.id, "目标": target["label_zh"], "地区": target["geo_zh"],
                "目标值": written_text(target, catalogue), "期限": target["deadline"],
                "最新值": shown, "最新时点": when, "状态": status, "章节": target["section"],
                "原文": target["quote"], "indicator": target["indicator"],
                "progress": progress,
            })
    return pd.DataFrame(rows, columns=COLUMNS)
