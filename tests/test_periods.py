from datetime import date

import pytest

from analysis.dataset.periods import parse_period
from analysis.errors import UserError


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("2020H1", date(2020, 1, 1), date(2020, 6, 30)),
        ("2020H2", date(2020, 7, 1), date(2020, 12, 31)),
        ("2020Q1", date(2020, 1, 1), date(2020, 3, 31)),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2021Q4", date(2021, 10, 1), date(2021, 12, 31)),
    ],
)
def test_valid_periods_cover_their_months(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end, period.id) == (start, end, text)


@pytest.mark.parametrize("text", ["2020H3", "2020Q5", "2020Q0", "20201", "../x", "2020h1", "", "0020"])
def test_invalid_periods_are_rejected_with_the_accepted_forms(text):
    with pytest.raises(UserError, match="YYYYH1"):
        parse_period(text)


def test_periods_sort_in_time_order():
    ids = ["2021", "2020H2", "2020Q1", "2020H1"]
    assert [p.id for p in sorted(map(parse_period, ids))] == ["2020Q1", "2020H1", "2020H2", "2021"]
