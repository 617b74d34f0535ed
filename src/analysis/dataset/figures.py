"""Load a period's figures with their base values and the precision their writing implies."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path

import pandas as pd

from analysis.dataset.catalogue import Catalogue, load_catalogue
from analysis.dataset.csvio import read_csv
from analysis.dataset.project import Project

FIGURE_COLUMNS = (
    "indicator", "geo", "value", "unit_mult", "unit", "qualifier",
    "as_of", "section", "quote", "note",
)
# optional: `yes` where the source gives no date and the book recorded the period's end (or
# the period, for a flow) as assumed; shown as such on every page
ASSUMED = "as_of_assumed"
# its values: "yes" when the source gives no date at all; "start" when it gives only the end
# of a flow's window ("截至6月，发放资金…"), whose start the book takes as the year's first day
# for monthly averages and says so wherever one is computed; "report" when it says 截至目前,
# which the book dates at the report's own date
DATE_ASSUMED, START_ASSUMED, REPORT_DATED = "yes", "start", "report"
ASSUMED_VALUES = ("", DATE_ASSUMED, START_ASSUMED, REPORT_DATED)
OPTIONAL_FIGURE_COLUMNS = (ASSUMED,)
TARGET_COLUMNS = (
    "indicator", "geo", "value", "unit_mult", "unit", "comparison",
    "deadline", "set_in", "section", "quote", "note",
)
QUALIFIERS = ("", "more_than", "at_least", "approx")


@dataclass(frozen=True)
class Bounds:
    """The interval a written figure stands for, in base units."""

    point: Decimal
    low: Decimal
    high: Decimal


def written_bounds(value: str, unit_mult: int, qualifier: str = "",
                   exact_integers: bool = False) -> Bounds:
    """Interval implied by the writing: 3.46万 -> 34550..34650; 200余 -> 200..300. With
    `exact_integers`, a whole number written in base units (7039人, 630元) is exact.

    Raises ValueError if `value` is not a finite decimal number or `unit_mult` not an integer
    (or either is beyond what decimal arithmetic can hold).
    """
    try:
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError(f"not a finite decimal number: {value!r}")
        if exact_integers and not qualifier and int(unit_mult) == 0 and \
                number.as_tuple().exponent >= 0:
            return Bounds(number, number, number)
        return _bounds(number, Decimal(10) ** int(unit_mult), qualifier)
    except (ArithmeticError, TypeError):  # InvalidOperation, Overflow; int(None)
        raise ValueError(f"no bounds for value {value!r} with unit_mult {unit_mult!r}") from None


def _bounds(number: Decimal, scale: Decimal, qualifier: str) -> Bounds:
    with localcontext() as ctx:  # exact: a half step needs one digit more than the number
        ctx.prec = max(ctx.prec, len(number.as_tuple().digits) + 2)
        return _exact_bounds(number, scale, qualifier)


def _exact_bounds(number: Decimal, scale: Decimal, qualifier: str) -> Bounds:
    exponent = number.as_tuple().exponent
    step = Decimal(10) ** exponent  # one unit of the last written digit
    point = number * scale
    if qualifier in ("more_than", "at_least"):
        # "200余": at least 200, below the next step of its last significant digit
        digits = number.normalize().as_tuple()
        significant_step = Decimal(10) ** max(digits.exponent, exponent)
        return Bounds(point, point, (number + significant_step) * scale)
    half = step / 2 * scale
    return Bounds(point, point - half, point + half)


def base_value(value: str, unit_mult: int) -> float:
    """value * 10**unit_mult as a float (for charts and tables)."""
    try:
        return float(Decimal(value) * Decimal(10) ** int(unit_mult))
    except (ArithmeticError, ValueError, TypeError):  # InvalidOperation, Overflow, int('x')
        return float("nan")


def as_of_end(as_of: str) -> str:
    """Last day of an ISO date or interval."""
    return as_of.split("/")[-1]


def latest(rows: pd.DataFrame) -> pd.Series:
    """The row whose date (or window end) is latest: 2020-06-30 beats 2020-01-01/2020-05-31
    (of rows ending on the same day, the last one)."""
    ends = [as_of_end(x) for x in rows["as_of"]]
    return rows.iloc[max(range(len(ends)), key=lambda k: (ends[k], k))]


class FigureIndex:
    """A period's figures by (indicator, geo), grouped once: lookups that do not filter the
    whole frame on every call."""

    def __init__(self, figures: pd.DataFrame) -> None:
        self.figures = figures
        self._groups = ({} if figures.empty else
                        dict(iter(figures.groupby(["indicator", "geo"], sort=False))))
        self._latest: dict[tuple[str, str], pd.Series] = {}

    def rows(self, indicator: str, geo: str) -> pd.DataFrame:
        """Every row of the indicator for the place (empty if none)."""
        return self._groups.get((indicator, geo), self.figures.iloc[0:0])

    def latest(self, indicator: str, geo: str) -> pd.Series | None:
        """The latest row of the indicator for the place, or None."""
        key = (indicator, geo)
        if key not in self._latest:
            rows = self._groups.get(key)
            if rows is None:
                return None
            self._latest[key] = latest(rows)
        return self._latest[key]


def load_figures(
    project: Project, period: str, catalogue: Catalogue | None = None
) -> pd.DataFrame:
    """figures.csv of a period, with labels from the catalogue and `base_value`."""
    catalogue = catalogue or load_catalogue(project)
    path = project.period_dir(period) / "figures.csv"
    frame = read_csv(path)
    if ASSUMED not in frame:
        frame[ASSUMED] = ""
    return _enrich(frame, catalogue)


def load_targets(project: Project, period: str, catalogue: Catalogue | None = None) -> pd.DataFrame:
    """targets.csv of a period (empty frame with the columns if the period has none)."""
    catalogue = catalogue or load_catalogue(project)
    path: Path = project.period_dir(period) / "targets.csv"
    if not path.exists():
        return pd.DataFrame(columns=list(TARGET_COLUMNS))
    return _enrich(read_csv(path), catalogue)


def _enrich(frame: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    frame = frame.copy()
    frame["unit_mult"] = frame["unit_mult"].astype(int)
    frame["base_value"] = [
        base_value(v, m) for v, m in zip(frame["value"], frame["unit_mult"], strict=True)
    ]
    labels = catalogue.by_id
    frame["label_zh"] = frame["indicator"].map(labels["label_zh"])
    frame["label_en"] = frame["indicator"].map(labels["label_en"])
    if "definition_zh" in labels.columns:  # the catalogue of a book checks it is there
        frame["definition_zh"] = frame["indicator"].map(labels["definition_zh"])
    frame["area"] = frame["indicator"].map(labels["area"])
    frame["geo_zh"] = frame["geo"].map(catalogue.geo.set_index("code")["name_zh"])
    frame["dimension"] = frame["unit"].map(catalogue.units.set_index("id")["dimension"])
    return frame
