from decimal import Decimal

import pandas as pd
import pytest
from conftest import ROOT

from analysis.dataset.catalogue import load_catalogue
from analysis.dataset.figures import base_value, written_bounds
from analysis.dataset.project import Project
from analysis.meaning.written import written_text


def test_wan_figure_stands_for_fifty_either_side():
    b = written_bounds("3.46", 4)
    assert (b.point, b.low, b.high) == (Decimal(34600), Decimal(34550), Decimal(34650))


def test_one_decimal_percentage_is_plus_minus_five_hundredths():
    b = written_bounds("60.0", 0)
    assert (b.low, b.high) == (Decimal("59.95"), Decimal("60.05"))


def test_yi_figure_uses_power_eight():
    assert base_value("3.93", 8) == 393_000_000


def test_more_than_is_a_lower_bound_up_to_the_next_step():
    b = written_bounds("200", 0, "more_than")
    assert (b.low, b.high) == (Decimal(200), Decimal(300))
    b = written_bounds("9", 4, "more_than")
    assert (b.low, b.high) == (Decimal(90000), Decimal(100000))


@pytest.mark.parametrize(("value", "mult", "written"), [
    ("200", "0", "200余家"), ("9", "4", "9万余家"), ("6.12", "4", "6.12万余家"),
    ("6480", "4", "6480余万家"),
])
def test_more_than_is_written_where_chinese_puts_it(value, mult, written):
    catalogue = load_catalogue(Project(ROOT))
    row = pd.Series({"value": value, "unit_mult": mult, "unit": "organisation", "qualifier": "more_than"})
    assert written_text(row, catalogue) == written
