"""The indicator, unit, scope and place catalogue (data/catalogue/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from analysis.dataset.csvio import read_csv
from analysis.dataset.project import Project

KINDS = ("stock", "flow", "money", "rate", "standard", "target", "progress")


@dataclass(frozen=True)
class Catalogue:
    """indicators.csv, units.csv, geo.csv and scopes.csv as frames of strings."""

    indicators: pd.DataFrame
    units: pd.DataFrame
    geo: pd.DataFrame
    scopes: pd.DataFrame | None = None
    areas: dict[str, tuple[str, str]] = field(default_factory=dict)  # data/project.yml

    @cached_property
    def by_id(self) -> pd.DataFrame:
        """indicators.csv indexed by id (built once: lookups by id are frequent)."""
        return self.indicators.set_index("id")

    @cached_property
    def unit_symbols(self) -> dict[str, str]:
        return dict(zip(self.units["id"], self.units["symbol_zh"], strict=True))

    @cached_property
    def geo_names(self) -> dict[str, str]:
        return dict(zip(self.geo["code"], self.geo["name_zh"], strict=True))

    @cached_property
    def scope_labels(self) -> dict[str, str]:
        scopes = self.scopes if self.scopes is not None else pd.DataFrame(
            columns=["id", "label_zh"])
        return dict(zip(scopes["id"], scopes["label_zh"], strict=True))


def load_catalogue(project: Project) -> Catalogue:
    """Read the catalogue of a project (scopes.csv is optional)."""
    scopes = project.catalogue / "scopes.csv"
    return Catalogue(
        indicators=read_csv(project.catalogue / "indicators.csv"),
        units=read_csv(project.catalogue / "units.csv"),
        geo=read_csv(project.catalogue / "geo.csv"),
        scopes=read_csv(scopes) if scopes.exists() else pd.DataFrame(
            columns=["id", "label_zh", "label_en", "description"]),
        areas=project.config.areas,
    )
