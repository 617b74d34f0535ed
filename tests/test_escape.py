"""Each sink's escaping makes hostile text from data inert (unit level; the whole-book test is
tests/test_escaping.py)."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import openpyxl
import pytest
from docutils.core import publish_doctree
from myst_parser.parsers.docutils_ import Parser

from analysis.charts.style import use_house_style
from analysis.escape import csv_cell, html_text, myst_text, xlsx_cell

PAYLOADS = [
    "{download}`secret <../../../../etc/hostname>`",
    "[报告](../../secret.txt)",
    "![图](http://example.invalid/x.png)",
    "{math}`x^2`",
    "```python\nprint(1)\n```",
    ":::{note}\n注意\n:::",
    "$x^2$ 与 $$y$$",
    "<script>alert(1)</script><img src=x onerror=alert(2)>",
    "&lt;b&gt; &#60;i&#62;",
    "| 表 | 格 |\n| --- | --- |",
    "# 标题\n- 列表\n> 引用",
    "*强调* __粗__ ~~删~~ \\",
    "{{ substitution }} {ref}`x` (target)=",
]


def _myst_nodes(text: str) -> list[str]:
    """Node types MyST makes of `text` inside a paragraph."""
    tree = publish_doctree(f"前{text}后\n", parser=Parser(),
                           settings_overrides={"report_level": 5, "halt_level": 5,
                                               "myst_enable_extensions": ["colon_fence",
                                                                          "deflist"]})
    return sorted({node.tagname for node in tree.findall()})


@pytest.mark.parametrize("payload", PAYLOADS)
def test_myst_text_leaves_one_paragraph_of_plain_text(payload):
    assert _myst_nodes(myst_text(payload)) == ["#text", "document", "paragraph"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_myst_text_shows_the_text_as_written(payload):
    tree = publish_doctree(myst_text(payload) + "\n", parser=Parser(),
                           settings_overrides={"report_level": 5})
    assert tree.astext() == " ".join(payload.split("\n"))


def test_without_escaping_the_payloads_are_markup():
    """Not vacuous: the same payloads unescaped become roles, links, images, blocks."""
    assert sum(_myst_nodes(p) != ["#text", "document", "paragraph"] for p in PAYLOADS) >= 10


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_text_has_no_tag_or_entity_of_its_own(payload):
    out = html_text(payload)
    assert "<" not in out and ">" not in out and '"' not in out and "\n" not in out
    assert out.count("&") == out.count("&amp;") + out.count("&lt;") + out.count(
        "&gt;") + out.count("&quot;") + out.count("&#x27;")


def test_matplotlib_draws_dollar_signs_as_written():
    use_house_style()
    fig, ax = plt.subplots()
    title = ax.set_title("来源:$x^2$ 报告")
    assert title._preprocess_math(title.get_text()) == ("来源:$x^2$ 报告", False)
    fig.savefig(io.BytesIO(), format="png")  # an unbalanced $ would raise here when parsed
    ax.set_title("$ 未闭合")
    fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "＝1+1"])
def test_formula_like_text_is_neutralised_in_csv(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["低保", "-5", "+3.5", "3.46", ""])
def test_ordinary_text_and_signed_numbers_are_left_alone(text):
    assert csv_cell(text) == text


def test_formula_like_text_stays_text_in_xlsx_without_a_visible_apostrophe(tmp_path):
    wb = openpyxl.Workbook()
    xlsx_cell(wb.active["A1"], "=HYPERLINK(\"http://x\",\"点击\")")
    xlsx_cell(wb.active["A2"], "低保")
    wb.save(tmp_path / "x.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "x.xlsx").active["A1"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value == "=HYPERLINK(\"http://x\",\"点击\")"
