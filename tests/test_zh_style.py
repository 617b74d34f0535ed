"""The Chinese-style rules (analysis.statements.zh_style): for each rule a sample it must flag
and one it must pass; the book's formatting of numbers follows them. The rules over the
built books (HTML, PDF, Word, downloads) are in test_print.py and test_example_book.py."""

from __future__ import annotations

import pytest

from analysis.meaning.written import grouped, number_text, reader_cell
from analysis.statements import zh_style
from analysis.statements.zh_style import findings

CASES = [  # rule, text it must flag, text it must pass
    ("halfwidth_punctuation", "城市低保,农村低保", "城市低保，农村低保"),
    ("halfwidth_punctuation", "说明: 仅给出终点", "说明：仅给出终点"),
    ("halfwidth_punctuation", '称为"救急难"救助', "称为“救急难”救助"),
    ("ascii_parentheses", "全市1949个村(社区)", "全市1949个村（社区）"),
    ("date_range", "2020年1-6月", "2020年1—6月"),
    ("date_range", "2020年1～6月", "2020年1—6月"),
    ("date_range", "第1-3项", "第1—3项"),
    ("date_range", "第2-4时点", "图2-4时点"),  # an exhibit's number keeps its hyphen
    ("numeric_range", "10～20%", "10%～20%"),
    ("numeric_range", "3-5万人", "3万人～5万人"),
    ("numeric_range", "34550至34650人", "34,550人至34,650人"),
    ("mixed_wan_yi", "资金1亿2000万元", "资金1.2亿元"),
    ("digit_grouping", "志愿者877077人", "志愿者877,077人"),
    ("digit_grouping", "捐赠资金19676854元", "捐赠资金19,676,854元"),
    ("digit_grouping", "新纳入1,753人", "新纳入1753人"),
    ("digit_grouping", "共87,7077人", "2020年共9194.32万元"),
    ("trailing_zero", "标准630.0元/人/月", "标准630元/人/月，活动率60.0%"),
    ("trailing_zero", "877077.0", "877077"),
    ("percentage_points", "覆盖率提高了3%", "覆盖率提高了3个百分点"),
    ("percentage_points", "低了2百分点", "低了2个百分点"),
    ("latin", "指标dibao_standard", "下载CSV文件"),
    ("latin", "3月底前: only the end is stated", "来源：m.bbnews.cn"),
    ("latin", "class A对象", "A类低保对象补助水平"),
    ("interaction_words", "点击“展开数据表”可以看到", "图后的数据表列出图中的全部数字"),
    ("web_page_words", "本页其余的数字，按统计口径和单位分组。", "本章其余的数字，按统计口径和单位分组。"),
    ("web_page_words", "只在概览页的数据核验中列出", "只在本期概览一章的数据核验中列出"),
]


@pytest.mark.parametrize("rule, bad, good", CASES)
def test_each_rule_flags_its_breach_and_passes_the_right_form(rule, bad, good):
    assert rule in [f.rule for f in findings(bad, rules=zh_style.RULES_PRINT)], bad
    assert rule not in [f.rule for f in findings(good, rules=zh_style.RULES_PRINT)], good


def test_every_rule_has_a_case_and_a_chinese_name():
    assert {rule for rule, _, _ in CASES} == set(zh_style.RULES_PRINT) == set(zh_style.RULE_ZH)


def test_a_finding_says_where_which_rule_and_the_text_around_it():
    found = findings("本期志愿者877077人，比上期多", where="public_services.html")
    assert len(found) == 1
    line = str(found[0])
    assert line.startswith("public_services.html: ") and "[digit_grouping]" in line
    assert "877077人" in line


def test_print_only_rules_are_not_applied_to_the_web():
    assert not findings("点击可跳到页末出处表")
    assert findings("点击可跳到页末出处表", rules=zh_style.RULES_PRINT)
    assert not findings("本页其余的数字")
    assert findings("本页其余的数字", rules=zh_style.RULES_PRINT)


@pytest.mark.parametrize("raw, shown", [
    ("877077", "877,077"), ("19676854", "19,676,854"), ("1753", "1753"), ("3.46", "3.46"),
    ("1967.69", "1967.69"), ("12345.6", "12,345.6"), ("-43510", "-43,510"), ("9万余", "9万余"),
])
def test_written_numbers_are_grouped_from_five_digits(raw, shown):
    assert grouped(raw) == shown
    assert not findings(shown, rules=("digit_grouping",))


@pytest.mark.parametrize("value, shown", [
    (877077.0, "877,077"), (630.0, "630"), (1032, "1032"), (1.3, "1.3"), (80.756, "80.76"),
    (0.0, "0"), (2.5e7, "25,000,000"),
])
def test_reader_cells_and_computed_numbers_have_no_trailing_zero_and_one_grouping(value,
                                                                                  shown):
    assert reader_cell(value) == number_text(value) == shown
    assert not findings(shown, rules=("digit_grouping", "trailing_zero"))


@pytest.mark.slow
def test_the_built_book_follows_the_chinese_style_rules(html):
    from zh_text import chart_csv_pieces, download_pieces, html_pieces, lint

    found = lint(html_pieces(html)) + lint(chart_csv_pieces(html) + download_pieces(html),
                                           zh_style.RULES_DOWNLOAD)
    assert not found, "\n".join(dict.fromkeys(found))
