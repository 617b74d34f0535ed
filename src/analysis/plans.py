"""Plan tracking: each target set in a period, checked against the figures of later periods."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from analysis.figures import as_of_end, load_figures, load_targets
from analysis.periods import parse_period
from analysis.project import Project

MET, IN_PROGRESS, NOT_MET, NO_DATA = "已完成", "推进中", "未完成", "暂无数据"


def _meets(value: Decimal, target: Decimal, comparison: str) -> bool:
    return {"at_least": value >= target, "at_most": value <= target,
            "equal": value == target}[comparison]


def track(project: Project, up_to: str | None = None) -> pd.DataFrame:
    """Status of every target of every period (up to `up_to`) against the latest figure.

    A target is met when the latest figure on or before its deadline satisfies it; in
    progress while the deadline has not passed in the latest period; not met once a period
    after the deadline reports a figure that falls short; no data when no period reports it.
    """
    periods = project.periods()
    if up_to is not None:
        limit = parse_period(up_to)
        periods = [p for p in periods if p.end <= limit.end]
    figures = pd.concat([load_figures(project, p.id).assign(period=p.id) for p in periods],
                        ignore_index=True) if periods else pd.DataFrame()
    last_day = periods[-1].end.isoformat() if periods else ""
    rows = []
    for period in periods:
        targets = load_targets(project, period.id)
        for _, target in targets.iterrows():
            observed = figures[(figures["indicator"] == target["indicator"])
                               & (figures["geo"] == target["geo"])] if len(figures) else figures
            goal = Decimal(target["value"]) * Decimal(10) ** int(target["unit_mult"])
            status, latest, when, progress = NO_DATA, "", "", float("nan")
            if len(observed):
                ends = observed["as_of"].map(as_of_end)
                row = observed.assign(end=ends).sort_values("end").iloc[-1]
                value = Decimal(row["value"]) * Decimal(10) ** int(row["unit_mult"])
                latest, when = row["value"], row["end"]
                progress = float(value / goal) if goal else float("nan")
                if _meets(value, goal, target["comparison"]):
                    status = MET
                elif last_day > target["deadline"]:
                    status = NOT_MET
                else:
                    status = IN_PROGRESS
            rows.append({
                "提出期": period.id, "目标": target["label_zh"], "地区": target["geo_zh"],
                "目标值": target["value"], "期限": target["deadline"], "最新值": latest,
                "最新时点": when, "状态": status, "章节": target["section"],
                "原文": target["quote"], "indicator": target["indicator"],
                "progress": progress,
            })
    return pd.DataFrame(rows)


def summary(status: pd.DataFrame) -> str:
    """One sentence counting targets by status."""
    if status.empty:
        return "本期报告没有提出有期限的目标。"
    counts = status["状态"].value_counts()
    parts = [f"{counts[s]}项{s}" for s in (MET, IN_PROGRESS, NOT_MET, NO_DATA) if s in counts]
    return f"共{len(status)}项有期限的目标:" + ",".join(parts) + "。"
