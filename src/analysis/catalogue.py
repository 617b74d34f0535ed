"""The indicator, unit and geo catalogue (data/catalogue/)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.csvio import read_csv
from analysis.project import Project

AREAS = {
    "social_assistance": ("社会救助", "Social assistance"),
    "elderly_care": ("养老服务", "Elderly care"),
    "social_organizations": ("社会组织", "Social organizations"),
    "community_governance": ("社区治理", "Community governance"),
    "public_services": ("民政公共服务", "Public services"),
}
KINDS = ("stock", "flow", "money", "rate", "standard", "target", "progress")


@dataclass(frozen=True)
class Catalogue:
    """indicators.csv, units.csv and geo.csv as frames of strings."""

    indicators: pd.DataFrame
    units: pd.DataFrame
    geo: pd.DataFrame


def load_catalogue(project: Project) -> Catalogue:
    """Read the catalogue of a project."""
    return Catalogue(
        indicators=read_csv(project.catalogue / "indicators.csv"),
        units=read_csv(project.catalogue / "units.csv"),
        geo=read_csv(project.catalogue / "geo.csv"),
    )
