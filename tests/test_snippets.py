"""The search page's index: sentences and table rows with their anchors, bounded, and a
script that no text from the data can break out of."""

from __future__ import annotations

import json

from analysis.site import search_index as snippets
from analysis.site.search_index import page_snippets, write_index

BODY = """<section id="dibao"><h2>低保</h2>
<p>城乡低保标准为<a class="prov" href="#r1">630元/人/月</a>。农村对象18.01万人；<b>城市</b>3.46万人</p>
<ul><li><p>列表中的句子。</p></li></ul>
<table><tr id="r1"><td>城乡低保标准</td><td>630</td></tr></table>
<table><thead><tr><th>指标</th><th>数值</th><th>说明</th></tr></thead>
<tbody><tr id="r2"><td>农村低保对象</td><td>18.01万人</td><td></td></tr></tbody></table>
<script>var x = "不是正文";</script></section>"""


def test_sentences_keep_inline_text_together_and_split_at_full_stops():
    texts = [t for t, _ in page_snippets(BODY)]
    assert texts[:4] == ["低保", "城乡低保标准为630元/人/月。", "农村对象18.01万人；", "城市3.46万人"]


def test_a_table_row_is_one_entry_linked_to_its_own_anchor():
    assert ["城乡低保标准｜630", "r1"] in page_snippets(BODY)


def test_a_row_under_headers_names_its_columns_and_the_header_row_is_not_indexed():
    found = page_snippets(BODY)
    assert ["指标：农村低保对象；数值：18.01万人", "r2"] in found
    assert not any(t.startswith("指标｜") or t == "指标｜数值｜说明" for t, _ in found)


def test_text_inside_an_indexed_element_is_indexed_once_and_scripts_not_at_all():
    texts = [t for t, _ in page_snippets(BODY)]
    assert texts.count("列表中的句子。") == 1
    assert not any("不是正文" in t for t in texts)


def test_sentences_link_to_their_section():
    assert ["城乡低保标准为630元/人/月。", "dibao"] in page_snippets(BODY)


def test_entries_are_bounded(monkeypatch):
    monkeypatch.setattr(snippets, "MAX_SNIPPETS", 3)
    long = "<p>" + "长" * 1000 + "</p>" + "<p>句。</p>" * 10
    found = page_snippets(long)
    assert len(found) == 3 and len(found[0][0]) == snippets.MAX_CHARS


def test_the_index_script_cannot_be_closed_by_data(tmp_path):
    (tmp_path / "p.json").write_text(json.dumps(
        {"page": "p", "title": "</script><script>alert(1)</script>", "snippets": []}),
        encoding="utf-8")
    out = tmp_path / "index.js"
    write_index(tmp_path, ["p", "missing"], out)
    text = out.read_text(encoding="utf-8")
    assert "<" not in text and text.isascii()
    data = json.loads(text.removeprefix("window.SNIPPETS = ").removesuffix(";\n"))
    assert data[0]["title"] == "</script><script>alert(1)</script>"


def test_the_permalink_glyph_after_a_heading_is_not_indexed():
    body = ('<section id="elderly"><h2>养老服务<a class="headerlink" href="#elderly" '
            'title="Link to this heading">#</a></h2><p>句子。</p></section>')
    assert ["养老服务", "elderly"] in page_snippets(body)
    assert not any("#" in t for t, _ in page_snippets(body))
