"""The indicator, unit, scope and place catalogue (data/catalogue/)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.csvio import read_csv
from analysis.project import Project

# TEMPORARY: the importer and workbook still read this; the areas live in data/project.yml
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
    """indicators.csv, units.csv, geo.csv and scopes.csv as frames of strings."""

    indicators: pd.DataFrame
    units: pd.DataFrame
    geo: pd.DataFrame
    scopes: pd.DataFrame | None = None


def load_catalogue(project: Project) -> Catalogue:
    """Read the catalogue of a project (scopes.csv is optional)."""
    scopes = project.catalogue / "scopes.csv"
    return Catalogue(
        indicators=read_csv(project.catalogue / "indicators.csv"),
        units=read_csv(project.catalogue / "units.csv"),
        geo=read_csv(project.catalogue / "geo.csv"),
        scopes=read_csv(scopes) if scopes.exists() else pd.DataFrame(
            columns=["id", "label_zh", "label_en", "description"]),
    )
