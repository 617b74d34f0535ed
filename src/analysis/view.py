"""One period's data as the notebooks see it: figures, labels, checks, formatting."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis.checks.rules import CheckResult, period_results
from analysis.dataset.catalogue import Catalogue
from analysis.dataset.figures import FigureIndex
from analysis.dataset.loader import Dataset, load_dataset
from analysis.dataset.periods import Period, period_label_zh
from analysis.dataset.project import Project
from analysis.errors import UserError
from analysis.language import _
from analysis.meaning.semantics import qualifier_text, when_text
from analysis.meaning.written import written_text


@dataclass
class PeriodView:
    """Figures, targets and check results of one period, with helpers to cite them."""

    dataset: Dataset
    period: Period
    catalogue: Catalogue
    figures: pd.DataFrame
    targets: pd.DataFrame
    checks: list[CheckResult]
    geo: str

    @classmethod
    def load(cls, root: str | Path | None = None, period: str | None = None) -> PeriodView:
        """A period of the project found at `root` (default: upwards from the working
        directory); `period` defaults to the latest one about the home place (a county's
        period inside a city's book is not the city's latest). The data is validated once."""
        dataset = load_dataset(root)
        if period is None:
            if not dataset.periods:
                raise UserError(_("the project has no period yet: policybook new-period P"))
            home = [p for p in dataset.periods if dataset.main_geo(p) == dataset.config.home_geo]
            period = (home or dataset.periods)[-1].id  # a county's period is not the latest
        parsed = dataset.period(period)
        return cls(dataset, parsed, dataset.catalogue, dataset.figures[parsed.id],
                   dataset.targets[parsed.id], period_results(dataset, parsed),
                   dataset.main_geo(parsed))

    @property
    def project(self) -> Project:
        return self.dataset.project

    @property
    def home(self) -> str:
        """The book's home place (data/project.yml)."""
        return self.dataset.config.home_geo

    @property
    def source_title(self) -> str:
        """Title of the period's source (source.yml) with its 文号 when it has one, for the
        source lines under charts and the trace of each page."""
        source = self.dataset.source(self.period)
        title = str(source.get("title") or f"{self.label}数据")
        number = str(source.get("doc_number") or "").strip()
        return f"{title}（{number}）" if number and number not in title else title

    @property
    def source_partial(self) -> bool:
        """Whether the period's figures come from only part of the report (source.yml
        `extent: partial`)."""
        return self.dataset.source(self.period).get("extent") == "partial"

    @property
    def place(self) -> str:
        """Chinese name of the place the period is mainly about (the home place, or a county)."""
        return self.catalogue.geo_names[self.geo]

    @property
    def label(self) -> str:
        return period_label_zh(self.period)

    @cached_property
    def index(self) -> FigureIndex:
        return FigureIndex(self.figures)

    def has(self, indicator: str, geo: str | None = None) -> bool:
        return self.index.latest(indicator, geo or self.geo) is not None

    def row(self, indicator: str, geo: str | None = None) -> pd.Series:
        """The latest figure of an indicator for a place (default: the period's main place)."""
        found = self.index.latest(indicator, geo or self.geo)
        if found is None:
            raise KeyError(f"{indicator} ({geo or self.geo}) not in {self.period.id}")
        return found

    def value(self, indicator: str, geo: str | None = None) -> float:
        """Base value (value x 10**unit_mult)."""
        return float(self.row(indicator, geo)["base_value"])

    def written(self, indicator: str, geo: str | None = None) -> str:
        """The figure as the report writes it: 3.46万人, 630元/人/月, 200余家."""
        return written_text(self.row(indicator, geo), self.catalogue)

    def words(self, indicator: str, geo: str | None = None) -> str:
        """Scope and window words of the figure ('' when simply the period and the place)."""

        return qualifier_text(self.catalogue, self.row(indicator, geo), self.period)

    def when(self, indicator: str, geo: str | None = None) -> str:
        """Scope and dates of the figure in words, always said (see semantics.when_text)."""

        return when_text(self.catalogue, self.row(indicator, geo))

    def labelled(self, indicator: str, geo: str | None = None) -> str:
        """The indicator's label with its scope and window when they differ from the period's:
        “慈善一日捐”募集善款（2010年以来累计）."""
        words = self.words(indicator, geo)
        label = self.row(indicator, geo)["label_zh"]
        return f"{label}（{words}）" if words else label
