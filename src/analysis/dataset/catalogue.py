"""The indicator, unit, scope and place catalogue (data/catalogue/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from analysis.dataset.csvio import read_csv
from analysis.dataset.project import Project
from analysis.errors import Problem, UserError
from analysis.language import _

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


# relations between indicators (columns of indicators.csv; ids separated by spaces):
# part_of     the total this indicator is one of the parts of (the parts add up to it)
# stands_for  the indicators a unified one stands for (城乡低保标准: the urban and the rural)
RELATIONS = ("part_of", "stands_for")


def related(value: object) -> list[str]:
    """The ids of a relation cell ("a b", or empty)."""
    return str(value if isinstance(value, str) else "").split()


def relation_problems(indicators: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """(indicator, column, what is wrong, how to fix; in the user's language) for every
    relation that cannot hold:
    an unknown id, an indicator related to itself, parts in another unit or measure than
    their total, a part of more than one total, a chain of parts that comes back to itself."""
    rows = indicators.set_index("id")
    found = []
    for ident, row in rows.iterrows():
        for column in (c for c in RELATIONS if c in rows.columns):
            ids = related(row[column])
            if column == "part_of" and len(ids) > 1:
                found.append((ident, column, _("is a part of {count} totals").format(
                    count=len(ids)), _("name the one total whose parts add up to it")))
            for other in ids:
                if other == ident:
                    found.append((ident, column, _("names the indicator itself"),
                                  _("name another indicator, or leave the cell empty")))
                elif other not in rows.index:
                    found.append((ident, column, _("names {other}, which the catalogue "
                                                   "lacks").format(other=repr(other)),
                                  _("use an id of indicators.csv (or add that indicator "
                                    "first)")))
                elif (rows.at[other, "unit"], rows.at[other, "measure"]) != (
                        row["unit"], row["measure"]):
                    found.append((ident, column, _("{other} is counted in another unit or "
                                                   "measure").format(other=repr(other)),
                                  _("relate only indicators of one unit and measure")))
    parent = {i: related(p)[0] for i, p in rows.get("part_of", pd.Series(dtype=str)).items()
              if len(related(p)) == 1}
    for start in parent:
        seen, at = {start}, parent[start]
        while at in parent and at not in seen:
            seen.add(at)
            at = parent[at]
        if at == start:
            found.append((start, "part_of", _("is, through its totals, a part of itself"),
                          _("break the circle of part_of")))
    return found


def load_catalogue(project: Project) -> Catalogue:
    """Read the catalogue of a project (scopes.csv is optional); refuse relations between
    indicators that cannot hold (`relation_problems`)."""
    scopes = project.catalogue / "scopes.csv"
    indicators = read_csv(project.catalogue / "indicators.csv")
    file = str(project.catalogue / "indicators.csv")
    lines = {i: n for n, i in enumerate(indicators["id"], start=2)}
    if problems := relation_problems(indicators):
        raise UserError([Problem(file, _("indicator {ident}: {column} {what}").format(
                                 ident=repr(ident), column=column, what=what), fix,
                                 lines.get(ident), column)
                         for ident, column, what, fix in problems])
    return Catalogue(
        indicators=indicators,
        units=read_csv(project.catalogue / "units.csv"),
        geo=read_csv(project.catalogue / "geo.csv"),
        scopes=read_csv(scopes) if scopes.exists() else pd.DataFrame(
            columns=["id", "label_zh", "label_en", "description"]),
        areas=project.config.areas,
    )
