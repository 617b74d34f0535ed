"""The check engine on small synthetic figures (not from any report), then 2020H1's verdicts."""

import pandas as pd
import pytest

from analysis.checks.rules import FAILS, HOLDS, NOT_APPLICABLE, NOT_JUDGED, WITHIN, evaluate
from analysis.dataset.checks_file import load_checks


def synthetic(*rows):
    """Figures frame from (indicator, value, unit_mult, as_of[, qualifier[, dimension]])
    tuples (synthetic); the dimension is a count unless given ('rate' for percentages)."""
    return pd.DataFrame([
        {"indicator": r[0], "geo": "341500", "value": r[1], "unit_mult": r[2], "as_of": r[3],
         "qualifier": r[4] if len(r) > 4 else "", "dimension": r[5] if len(r) > 5 else "count"}
        for r in rows
    ])


def verdict(check, figures):
    [result] = evaluate([{"id": "c", "title_zh": "", "title_en": "", **check}], figures, "341500")
    return result.verdict


SUM = {"kind": "sum", "total": {"indicator": "t"}, "parts": [{"indicator": "a"}, {"indicator": "b"}]}


@pytest.mark.parametrize(("total", "mult", "expected"), [
    ("50549", 0, HOLDS),      # 7039 + 43510 exactly
    ("5.05", 4, WITHIN),      # 50549 lies in 50450..50550
    ("5.04", 4, FAILS),       # 50549 outside 50350..50450
])
def test_sum_verdict_follows_the_written_precision(total, mult, expected):
    figures = synthetic(("t", total, mult, "2020-06-30"), ("a", "7039", 0, "2020-06-30"),
                        ("b", "43510", 0, "2020-06-30"))
    assert verdict(SUM, figures) == expected


@pytest.mark.parametrize(("share", "expected"), [("81", WITHIN), ("80", FAILS), ("60.0", FAILS)])
def test_share_is_compared_within_the_stated_rounding(share, expected):
    figures = synthetic(("s", share, 0, "2020-06-30", "", "rate"), ("n", "9322", 0, "2020-06-30"),
                        ("d", "11543", 0, "2020-06-30"))
    check = {"kind": "share", "share": {"indicator": "s"}, "numerator": {"indicator": "n"},
             "denominator": {"indicator": "d"}}
    assert verdict(check, figures) == expected


def test_ratio_at_least_holds_at_exact_equality_and_fails_below():
    check = {"kind": "ratio_at_least", "left": {"indicator": "l"}, "right": {"indicator": "r"},
             "factor": 1.3}
    assert verdict(check, synthetic(("l", "819", 0, "2020-06-30"), ("r", "630", 0, "2020-06-30"))) == HOLDS
    # whole numbers of yuan are exact: 818 is below the floor, not within rounding of it
    assert verdict(check, synthetic(("l", "818", 0, "2020-06-30"), ("r", "630", 0, "2020-06-30"))) == FAILS
    # a rounded figure (8.19万 stands for 81850..81950) meets 1.3 x 63010 = 81913 within rounding
    assert verdict(check, synthetic(("l", "8.19", 4, "2020-06-30"), ("r", "63010", 0, "2020-06-30"))) == WITHIN
    assert verdict(check, synthetic(("l", "800", 0, "2020-06-30"), ("r", "630", 0, "2020-06-30"))) == FAILS


def test_monthly_average_uses_the_months_of_the_window():
    check = {"kind": "monthly_average_below", "amount": {"indicator": "m"},
             "recipients": {"indicator": "p"}, "standard": {"indicator": "s"}}
    # 600 yuan per person per month over 6 months, against standards 630 and 590 (synthetic)
    base = [("m", "360000", 0, "2020-01-01/2020-06-30"), ("p", "100", 0, "2020-06-30")]
    assert verdict(check, synthetic(*base, ("s", "630", 0, "2020-01-01"))) == HOLDS
    assert verdict(check, synthetic(*base, ("s", "590", 0, "2020-01-01"))) == FAILS


def test_payments_are_not_judged_against_a_standard_set_within_their_window():
    check = {"kind": "monthly_average_below", "amount": {"indicator": "m"},
             "recipients": {"indicator": "p"}, "standard": {"indicator": "s"}}
    base = [("m", "360000", 0, "2020-01-01/2020-06-30"), ("p", "100", 0, "2020-06-30")]
    assert verdict(check, synthetic(*base, ("s", "630", 0, "2020-06-01/2020-06-30"))) == \
        NOT_JUDGED


def test_subset_larger_than_whole_fails():
    check = {"kind": "subset", "part": {"indicator": "p"}, "whole": {"indicator": "w"}}
    assert verdict(check, synthetic(("p", "11", 0, "2020-06-30"), ("w", "3", 0, "2020-06-30"))) == FAILS


def test_a_part_and_a_whole_of_different_dates_are_not_judged():
    check = {"kind": "subset", "part": {"indicator": "p"}, "whole": {"indicator": "w"}}
    figures = synthetic(("p", "146", 0, "2020-06-30"), ("w", "2603", 0, "2020-05-31"))
    assert verdict(check, figures) == NOT_JUDGED


def test_a_check_resting_on_an_assumed_definition_is_not_judged():
    check = {"kind": "share", "share": {"indicator": "s"}, "numerator": {"indicator": "n"},
             "denominator": {"indicator": "d"}, "assumes": "报告未说明口径"}
    figures = synthetic(("s", "60.0", 0, "2020-06-30", "", "rate"), ("n", "60", 0, "2020-06-30"),
                        ("d", "100", 0, "2020-06-30"))
    assert verdict(check, figures) == NOT_JUDGED
    assert verdict({k: v for k, v in check.items() if k != "assumes"}, figures) == HOLDS


def test_check_on_absent_figures_is_not_applicable():
    assert verdict(SUM, synthetic(("t", "1", 0, "2020-06-30"))) == NOT_APPLICABLE


def test_unknown_check_kind_is_a_user_error(tmp_path):
    from analysis.errors import UserError

    path = tmp_path / "checks.yml"
    path.write_text("- {id: x, kind: nonsense, title_zh: a, title_en: b}\n", encoding="utf-8")
    with pytest.raises(UserError, match="unknown kind"):
        load_checks(path)


def test_a_check_that_would_divide_by_zero_is_not_judged_with_its_reason():
    share = {"kind": "share", "share": {"indicator": "s"}, "numerator": {"indicator": "n"},
             "denominator": {"indicator": "d"}}
    figures = synthetic(("s", "50", 0, "2020-06-30"), ("n", "1", 0, "2020-06-30"),
                        ("d", "0", 0, "2020-06-30"))
    [result] = evaluate([{"id": "c", "title_zh": "", "title_en": "", **share}], figures, "341500")
    assert result.verdict == NOT_JUDGED and "零" in result.detail
    ratio = {"kind": "ratio_at_least", "left": {"indicator": "n"}, "right": {"indicator": "d"},
             "factor": 1.3}
    assert verdict(ratio, figures) == NOT_JUDGED


def test_a_named_policy_factor_is_looked_up_in_the_configuration():
    ratio = {"id": "c", "title_zh": "", "title_en": "", "kind": "ratio_at_least",
             "left": {"indicator": "l"}, "right": {"indicator": "r"}, "factor": "floor"}
    figures = synthetic(("l", "819", 0, "2020-06-30"), ("r", "630", 0, "2020-06-30"))
    assert evaluate([ratio], figures, "341500", {"floor": 1.3})[0].verdict == HOLDS
    assert evaluate([ratio], figures, "341500", {"floor": 1.4})[0].verdict == FAILS


@pytest.mark.parametrize(("text", "message"), [
    ("- {id: x, kind: sum, title_zh: a, title_en: b}\n", "parts"),
    ("- {id: x, kind: sum, title_zh: a, title_en: b, total: {indicator: nope}, "
     "parts: [{indicator: dibao_standard}]}\n", "unknown indicator 'nope'"),
    ("- {id: x, kind: subset, title_zh: a, title_en: b, part: 3, whole: {indicator: "
     "dibao_standard}}\n", "'part' must be"),
    ("- {id: x, kind: ratio_at_least, title_zh: a, title_en: b, left: {indicator: "
     "dibao_standard}, right: {indicator: dibao_standard}, factor: unknown_name}\n", "factor"),
    ("- {id: x, kind: ratio_at_least, title_zh: a, title_en: b, left: {indicator: "
     "dibao_standard}, right: {indicator: dibao_standard}, factor: 0}\n", "factor"),
    ("- {kind: subset, title_zh: a}\n", "no 'id'"),
    ("- {id: x, kind: subset, title_zh: a, title_en: b, part: {indicator: dibao_standard}, "
     "whole: {indicator: dibao_standard}, tolerance: 3}\n", "unknown key 'tolerance'"),
    ("id: x\n", "must be a list"),
    ("- [1, 2]\n", "not a mapping"),
])
def test_malformed_checks_file_is_refused_with_a_located_message(project, tmp_path, text,
                                                                  message):
    from analysis.dataset.catalogue import load_catalogue
    from analysis.errors import UserError

    path = tmp_path / "checks.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=message) as caught:
        load_checks(path, load_catalogue(project), project.config)
    assert all(str(path) in str(p) for p in caught.value.problems)
