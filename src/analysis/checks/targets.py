"""Plan tracking: each target set in a period, checked against the figures of later periods."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal

import pandas as pd

from analysis.dataset.figures import as_of_end, latest
from analysis.dataset.loader import load_dataset
from analysis.dataset.project import Project
from analysis.meaning.semantics import Window, assumed, is_assumed, meaning
from analysis.meaning.written import written_text

# codes, not wording, pass to the pages (labels: templates/plan_tracking.yml); the columns
# are there also when there is no target: empty selections work
COLUMNS = ["set_in", "label_zh", "geo_zh", "goal", "deadline", "latest", "latest_as_of",
           "latest_assumed", "status", "section", "quote", "indicator", "kind", "progress",
           "time_elapsed", "gap_points", "note"]
MET, IN_PROGRESS, NOT_MET, NO_DATA = "met", "in_progress", "not_met", "no_data"
STATUSES = (MET, IN_PROGRESS, NOT_MET, NO_DATA)
COUNT, RATE = "count", "rate"  # a target of a number to reach; of a rate (percent) to reach


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
    due = as_of_end(target["deadline"])
    rows = rows[ends <= due]
    if meaning(dataset.catalogue, target["indicator"]).resets_yearly:
        rows = rows[ends.loc[rows.index].str[:4] == due[:4]]
    return rows


def _kind(unit: str, catalogue) -> str:
    """COUNT or RATE by the target's unit (a percentage or a multiple is a rate)."""
    dimension = dict(zip(catalogue.units["id"], catalogue.units["dimension"], strict=True))
    return RATE if dimension.get(unit) == "rate" else COUNT


def _months_at(day: date, end_of_day: bool) -> float:
    """A day as months since year 0, counting whole months and the part of its own."""
    month_days = calendar.monthrange(day.year, day.month)[1]
    return day.year * 12 + day.month - 1 + (day.day - (0 if end_of_day else 1)) / month_days


def time_elapsed(as_of: str, deadline: str) -> float:
    """The share of a target's window that has passed at `as_of` (时间进度), in months: 0.5
    at the end of June for a year's task (2020-01-01/2020-12-31). NaN for a deadline that is
    only a date (the source gives no start to measure from) and outside the window."""
    window = Window.of(deadline)
    when = date.fromisoformat(as_of)
    if window.start is None or not window.start <= when <= window.end:
        return float("nan")
    start = _months_at(window.start, end_of_day=False)
    return (_months_at(when, True) - start) / (_months_at(window.end, True) - start)


def track(project: Project, up_to: str | None = None, geo: str | None = None) -> pd.DataFrame:
    """Status of every target of every period (up to `up_to`) against the latest figure.

    Only figures dated up to the deadline judge a target (and, for counts that restart each
    year, only those of the deadline's year). Met when the latest of them satisfies the
    target; not met when it falls short and is dated on the deadline; in progress when it
    falls short before the deadline; no data when there is no such figure. With `geo`, only
    the targets set for that place (a county's period does not list the city's targets).

    Count targets (kind COUNT) get their completion share (`progress`) and, when the target
    is due within a window and the latest figure is dated (`latest_assumed`, as in
    figures.csv, is not "yes"), the share of the window elapsed at it (`time_elapsed`); rate
    targets (kind RATE) get their distance to the target in percentage points
    (`gap_points`) instead: a completion share is never computed for a rate. Status and
    kind are codes (labels in templates/plan_tracking.yml).
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
            kind = _kind(target["unit"], catalogue)
            status, shown, when = NO_DATA, "", ""
            progress = elapsed = gap = float("nan")
            if len(observed):
                row = latest(observed)
                value = Decimal(row["value"]) * Decimal(10) ** int(row["unit_mult"])
                shown, when = written_text(row, catalogue), as_of_end(row["as_of"])
                if kind == RATE:  # a rate's distance to its target, in percentage points
                    gap = float(goal - value)
                else:  # a count's completion share, beside the share of time elapsed
                    progress = float(value / goal) if goal else float("nan")
                    if not is_assumed(row):  # an undated figure has no time to set it by
                        elapsed = time_elapsed(when, target["deadline"])
                if _meets(value, goal, target["comparison"]):
                    status = MET
                elif when >= as_of_end(target["deadline"]):
                    status = NOT_MET
                else:
                    status = IN_PROGRESS
            rows.append({
                "set_in": period.id, "label_zh": target["label_zh"],
                "geo_zh": target["geo_zh"], "goal": written_text(target, catalogue),
                "deadline": target["deadline"], "latest": shown,
                "latest_as_of": when, "latest_assumed": assumed(row) if len(observed) else "",
                "status": status, "section": target["section"], "quote": target["quote"],
                "indicator": target["indicator"], "kind": kind, "progress": progress,
                "time_elapsed": elapsed, "gap_points": gap, "note": target["note"],
            })
    return pd.DataFrame(rows, columns=COLUMNS)
