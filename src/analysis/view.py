"""One period's data as the notebooks see it: figures, labels, checks, formatting."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.catalogue import Catalogue, load_catalogue
from analysis.checks import CheckResult, evaluate, load_checks
from analysis.figures import latest, load_figures, load_targets
from analysis.periods import Period, parse_period
from analysis.project import Project
from analysis.toc import period_label_zh

CITY = "341500"
MULT_ZH = {0: "", 4: "万", 8: "亿"}
QUALIFIER_ZH = {"more_than": "余", "at_least": "以上", "approx": "左右", "": ""}


@dataclass
class PeriodView:
    """Figures, targets and check results of one period, with helpers to cite them."""

    project: Project
    period: Period
    catalogue: Catalogue
    figures: pd.DataFrame
    targets: pd.DataFrame
    checks: list[CheckResult]
    geo: str = CITY

    @classmethod
    def load(cls, root: str | Path, period: str) -> PeriodView:
        """Load a period (validates the id; paths stay inside the project)."""
        project = Project.find(root)
        parsed = parse_period(period)
        catalogue = load_catalogue(project)
        figures = load_figures(project, parsed.id, catalogue)
        geo = main_geo(figures)
        checks = evaluate(load_checks(project.catalogue / "checks.yml"), figures, geo)
        targets = load_targets(project, parsed.id, catalogue)
        return cls(project, parsed, catalogue, figures, targets, checks, geo)

    @property
    def source_title(self) -> str:
        """Title of the period's source (source.yml), for source lines under charts."""
        path = self.project.period_dir(self.period) / "source.yml"
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
        return (meta or {}).get("title") or f"{self.label}数据"

    @property
    def place(self) -> str:
        """Chinese name of the place the period is mainly about (六安市, or a county)."""
        return self.catalogue.geo.set_index("code").at[self.geo, "name_zh"]

    @property
    def label(self) -> str:
        return period_label_zh(self.period)

    def has(self, indicator: str, geo: str | None = None) -> bool:
        rows, geo = self.figures, geo or self.geo
        return bool(((rows["indicator"] == indicator) & (rows["geo"] == geo)).any())

    def row(self, indicator: str, geo: str | None = None) -> pd.Series:
        """The latest figure of an indicator for a place (default: the period's main place)."""
        geo = geo or self.geo
        rows = self.figures[(self.figures["indicator"] == indicator) & (self.figures["geo"] == geo)]
        if rows.empty:
            raise KeyError(f"{indicator} ({geo}) not in {self.period.id}")
        return latest(rows)

    def value(self, indicator: str, geo: str | None = None) -> float:
        """Base value (value x 10**unit_mult)."""
        return float(self.row(indicator, geo)["base_value"])

    def written(self, indicator: str, geo: str | None = None) -> str:
        """The figure as the report writes it: 3.46万人, 630元/人/月, 200余家."""
        return written_text(self.row(indicator, geo), self.catalogue)

    def area_figures(self, area: str) -> pd.DataFrame:
        """Every figure of a work area with its provenance (for the trace table)."""
        rows = self.figures[self.figures["area"] == area]
        return trace_table(rows, self.catalogue)


def main_geo(figures: pd.DataFrame) -> str:
    """The city when the period has city-wide figures, else its most frequent place."""
    if figures.empty or (figures["geo"] == CITY).any():
        return CITY
    return str(figures["geo"].mode().iloc[0])


def written_text(row: pd.Series, catalogue: Catalogue) -> str:
    """Number, 万/亿, unit symbol and qualifier as written."""
    symbol = catalogue.units.set_index("id").at[row["unit"], "symbol_zh"]
    qualifier = QUALIFIER_ZH.get(row.get("qualifier", ""), "")
    return f"{row['value']}{MULT_ZH[int(row['unit_mult'])]}{qualifier}{symbol}"


def trace_table(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """指标 / 地区 / 数值 / 时点 / 出处 table, one line per figure row."""
    return pd.DataFrame({
        "指标": rows["label_zh"],
        "地区": rows["geo_zh"],
        "数值": [written_text(r, catalogue) for _, r in rows.iterrows()],
        "时点": rows["as_of"],
        "章节": rows["section"],
        "原文": rows["quote"],
        "indicator": rows["indicator"],
    }).reset_index(drop=True)
