"""One validated dataset: the project's configuration, catalogue, periods, targets, checks and
comparators, read and validated once and shared by every consumer (CLI commands, notebooks,
checks, trends, plans, export, appendix).

`load_dataset` refuses data that breaks the contract with the same located problems as
`policybook import`. A loaded dataset is kept per project and reused while no file under
data/ changed, so the notebooks a warm kernel runs read the data once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.dataset.catalogue import Catalogue, load_catalogue
from analysis.dataset.checks_file import load_checks
from analysis.dataset.comparators import NATIONAL, SHOWN_RELIABILITY, load_comparators
from analysis.dataset.config import NEEDS_ANY, NEEDS_TARGETS, Config
from analysis.dataset.figures import load_figures, load_targets
from analysis.dataset.periods import Period, parse_period
from analysis.dataset.project import Project
from analysis.dataset.safe_files import load_yaml
from analysis.dataset.schema import catalogue_problems, validate_period
from analysis.errors import Problem, UserError
from analysis.language import _


@dataclass
class Dataset:
    """Everything the book shows, validated."""

    project: Project
    config: Config
    catalogue: Catalogue
    checks: list[dict]
    reference: pd.DataFrame  # the comparators; read them through `comparators`
    periods: list[Period]
    figures: Mapping[str, pd.DataFrame]
    targets: Mapping[str, pd.DataFrame]
    sources: Mapping[str, dict] = field(default_factory=dict)

    @property
    def comparators(self) -> pd.DataFrame:
        """data/reference/'s comparators that serve this book, with their sources: those
        of the home place's province (the first two digits of its GB/T 2260 code) and
        national ones, from a source that is the issuer's own notice or a news report;
        another province's figures, and figures known only from a repost or mirror, are kept
        in data/reference/ but not set against the book's place."""
        province = self.config.home_geo[:2]
        geo = self.reference["geo"].astype(str)
        shown = self.reference["reliability"].isin(SHOWN_RELIABILITY)
        return self.reference[shown & (geo.str.startswith(province) | (geo == NATIONAL))]

    def period(self, period: str | Period) -> Period:
        """The period, or a UserError when data/ has no figures for it."""
        parsed = parse_period(str(period))
        if parsed.id not in self.figures:
            raise UserError(Problem(f"data/periods/{parsed.id}", _("no figures for this period"),
                                    _("import them: policybook import {id} FILE").format(
                                        id=parsed.id)))
        return parsed

    def periods_up_to(self, period: str | Period) -> list[Period]:
        """Periods complete by the end of `period` (itself included)."""
        end = parse_period(str(period)).end
        return [p for p in self.periods if p.end <= end]

    def main_geo(self, period: str | Period) -> str:
        """The home place when the period has figures for it, else its most frequent place
        (a county's notice): the place its pages, narrative and checks are about."""
        figures = self.figures[parse_period(str(period)).id]
        home = self.config.home_geo
        if figures.empty or (figures["geo"] == home).any():
            return home
        return str(figures["geo"].mode().iloc[0])

    def pages(self, period: str | Period) -> list[str]:
        """The notebooks (pages) a period has data for, in book order (data/project.yml's
        `needs`): an area with no figures gets no page; plan tracking needs a target set by
        then. A page's place in this list is its chapter number in the period's edition."""
        parsed = parse_period(str(period))
        figures = self.figures[parsed.id]
        areas = set(figures["area"])
        has_targets = any(len(self.targets[p.id]) for p in self.periods_up_to(parsed))
        return [nb.name for nb in self.config.period_notebooks
                if (nb.needs == NEEDS_ANY and len(figures)) or nb.needs in areas
                or (nb.needs == NEEDS_TARGETS and has_targets)]

    def factor(self, check: dict) -> float:
        """The factor of a ratio check (a number, or a policy factor of data/project.yml)."""
        factor = check["factor"]
        return self.config.policy_factors[factor] if isinstance(factor, str) else float(factor)

    def source(self, period: str | Period) -> dict:
        return self.sources.get(parse_period(str(period)).id, {})

    def all_targets(self, up_to: str | Period | None = None) -> pd.DataFrame:
        """Targets set in every period (or those up to `up_to`), with a `set_in` period."""
        periods = self.periods if up_to is None else self.periods_up_to(up_to)
        frames = [self.targets[p.id].assign(period=p.id) for p in periods
                  if len(self.targets[p.id])]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["indicator", "geo", "base_value", "value", "section", "quote"])

    def all_figures(self, up_to: str | Period | None = None) -> pd.DataFrame:
        """Figures of every period (or those up to `up_to`), with a `period` column."""
        periods = self.periods if up_to is None else self.periods_up_to(up_to)
        frames = [self.figures[p.id].assign(period=p.id) for p in periods]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _fingerprint(project: Project) -> tuple:
    """(path, size, mtime) of every file under data/: a changed file gives a new dataset."""
    return tuple(sorted((str(p), s.st_size, s.st_mtime_ns) for p in project.data.rglob("*")
                        if p.is_file() and (s := p.stat())))


_CACHE: dict[Path, tuple[tuple, Dataset]] = {}


def load_dataset(project: Project | str | Path | None = None) -> Dataset:
    """The project's dataset, validated (UserError listing every problem otherwise)."""
    if not isinstance(project, Project):
        project = Project.find(project)
    stamp = _fingerprint(project)
    cached = _CACHE.get(project.root)
    if cached and cached[0] == stamp:
        return cached[1]
    dataset = _load(project)
    _CACHE[project.root] = (stamp, dataset)
    return dataset


def _source_meta(project: Project, period: Period, problems: list[Problem]) -> dict:
    """source.yml of a period (title, issuer, doc_number, date, url), {} when absent."""
    path = project.period_dir(period) / "source.yml"
    if not path.exists():
        return {}
    try:
        meta = load_yaml(path, str(path.relative_to(project.root)))
    except UserError as exc:
        problems += exc.problems
        return {}
    if meta is not None and not isinstance(meta, dict):
        problems.append(Problem(str(path.relative_to(project.root)), _("not a mapping"),
                                _("write title:, issuer:, date:, url: lines")))
    return meta if isinstance(meta, dict) else {}


def _load(project: Project) -> Dataset:

    project.check_links()
    config = project.config
    catalogue = load_catalogue(project)
    problems = catalogue_problems(catalogue, "data/catalogue/indicators.csv")
    geo = set(catalogue.geo["code"])
    if config.home_geo not in geo:
        problems.append(Problem("data/project.yml", _(
            "home place {home_geo} is not in data/catalogue/geo.csv").format(
            home_geo=config.home_geo), _("add it there or fix the code")))
    periods = project.periods()
    for period in periods:
        problems += validate_period(project, period.id)
    checks: list[dict] = []
    try:
        checks = load_checks(project.catalogue / "checks.yml", catalogue, config)
    except UserError as exc:
        problems += exc.problems
    comparators = load_comparators(project)
    sources = {p.id: _source_meta(project, p, problems) for p in periods}
    if problems:
        raise UserError(problems)
    figures = {p.id: load_figures(project, p.id, catalogue) for p in periods}
    targets = {p.id: load_targets(project, p.id, catalogue) for p in periods}
    return Dataset(project, config, catalogue, checks, comparators, periods,
                   figures, targets, sources)
