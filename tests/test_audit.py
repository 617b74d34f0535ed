"""Tests of the source-report audit and self-checks of the 2020H1 data files.

The find_mentions tests use small synthetic strings written for these tests (not quotes
from any report); the audit tests use the real 2020H1 period and copies of it.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
try:
    from analysis.checks.audit import AUTO_KINDS, REASONS, audit, chinese_to_int, find_mentions
except ModuleNotFoundError:  # a checkout whose package is not installed
    sys.path.insert(0, str(ROOT / "src"))
    from analysis.checks.audit import AUTO_KINDS, REASONS, audit, chinese_to_int, find_mentions

PERIOD = ROOT / "data" / "periods" / "2020H1"
CATALOGUE = ROOT / "data" / "catalogue"
FIGURE_COLUMNS = ["indicator", "geo", "value", "unit_mult", "unit", "qualifier", "as_of",
                  "section", "quote", "note"]
TARGET_COLUMNS = ["indicator", "geo", "value", "unit_mult", "unit", "comparison", "deadline",
                  "set_in", "section", "quote", "note"]
OPTIONAL_FIGURE_COLUMNS = ["as_of_assumed"]  # the book's date where the report gives none


def texts(text: str, kind: str | None = None) -> list[str]:
    return [m.text for m in find_mentions(text) if kind is None or m.kind == kind]


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has a BOM"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


# --- find_mentions on synthetic strings -------------------------------------------------


def test_arabic_with_wan_yi_and_decimals() -> None:
    ms = find_mentions("保障对象1.5万人200.25万元,支出2.7亿元。")
    assert [m.text for m in ms] == ["1.5万人", "200.25万元", "2.7亿元"]
    assert [m.number for m in ms] == ["1.5", "200.25", "2.7"]
    assert [m.unit_mult for m in ms] == [4, 4, 8]
    assert ms[0].value == Decimal("1.5")


def test_percent_yu_yishang_and_standards() -> None:
    assert texts("覆盖率达85.5%,共300余家,5万余名,党员2人以上,标准为700元/人/月。") == [
        "85.5%", "300余家", "5万余名", "2人以上", "700元/人/月",
    ]
    assert texts("完成订单12份,合计4.5万平方米,共8人次。") == ["12份", "4.5万平方米", "8人次"]


def test_chinese_counts() -> None:
    ms = find_mentions("发放两项补贴,先后三次致函,在四县一区开展,共六个方面。")
    assert [(m.text, m.value) for m in ms] == [
        ("两项", 2), ("三次", 3), ("四县", 4), ("一区", 1), ("六个", 6),
    ]
    assert {m.kind for m in ms} == {"chinese"}


def test_chinese_words_that_are_not_counts_are_ignored() -> None:
    assert texts("统一部署,进一步推进,一系列项目,一些困难户,下一步工作。") == []


def test_quoted_terms_and_ordinals() -> None:
    ms = find_mentions("落实“五嵌入”和“十百千”,实现“零感染”,开展第二批试点。")
    assert [(m.text, m.kind) for m in ms] == [
        ("五嵌入", "quoted"), ("十百千", "quoted"), ("零感染", "quoted"), ("第二批", "ordinal"),
    ]
    assert ms[1].value is None  # 十百千 is not a number
    assert ms[2].value == 0


def test_congress_names_are_ordinals() -> None:
    """Synthetic string: party congresses and plenums are numbered without 第."""
    ms = find_mentions("学习党的十八大和二十大精神,贯彻十九届五中全会部署,党的一大旧址。")
    assert [(m.text, m.kind, m.value) for m in ms] == [
        ("十八大", "ordinal", 18), ("二十大", "ordinal", 20), ("十九届", "chinese", 19),
        ("五中全会", "ordinal", 5), ("一大", "ordinal", 1),
    ]


def test_numeral_before_da_is_a_count_unless_a_word() -> None:
    """Synthetic string: 三大/两大 are counts ("N major"); 一大批, 统一大市场 are not mentions."""
    assert texts("打好三大攻坚战,完成两大任务,建成一大批项目,融入统一大市场。") == [
        "三大", "两大",
    ]
    assert {m.kind for m in find_mentions("打好三大攻坚战。")} == {"chinese"}


def test_one_x_service_slogans() -> None:
    """Synthetic string: 一窗/一门/一网/一站 slogans are found; 统一/唯一 words are not."""
    ms = find_mentions("推行一窗通办、一门受理、一网通办和一站式服务,一次办好;统一门户,唯一窗口。")
    assert [(m.text, m.kind, m.value) for m in ms] == [
        ("一窗", "chinese", 1), ("一门", "chinese", 1), ("一网", "chinese", 1),
        ("一站", "chinese", 1), ("一次", "chinese", 1),
    ]


def test_bare_wan_yi_thresholds() -> None:
    """Synthetic string: a bare 万/亿 as a size class (亿元以上) implies the numeral 1."""
    ms = find_mentions("推进亿元以上项目,服务万人以上社区,扶持千万元以下企业,另有5亿元以上项目。")
    assert [(m.text, m.kind, m.value, m.unit_mult) for m in ms] == [
        ("亿元以上", "threshold", 1, 8), ("万人以上", "threshold", 1, 4),
        ("千万元以下", "threshold", 1000, 4), ("5亿元以上", "arabic", 5, 8),
    ]
    # a bare unit without 以上/以下 (a unit label, a word like 万家) is not a mention
    assert texts("单位:万元,情暖万家,亿元项目。") == []


def test_dates_are_classified_and_years_need_four_digits() -> None:
    ms = find_mentions("2019年以来,1-3月,截至2021年5月,5月底前,截至7月15日,8月份,连续9年。")
    assert [(m.text, m.kind) for m in ms] == [
        ("2019年", "date"), ("1-3月", "date"), ("2021年5月", "date"), ("5月底", "date"),
        ("7月15日", "date"), ("8月份", "date"), ("9年", "arabic"),
    ]
    assert "date" in AUTO_KINDS


def test_sections_and_list_numbering() -> None:
    text = (
        "前言2019年\n一、甲\n(一)乙\n1.丙10人。\n2.丁。一是开展;二是完成3项。\n"
        "(二)戊\n1.己5家\n二、计划\n一是推进7个。\n二是完成2所。"
    )
    ms = find_mentions(text)
    counts = [(m.text, m.section, m.line) for m in ms if m.kind not in AUTO_KINDS]
    assert counts == [
        ("10人", "1.1.1", 4), ("3项", "1.1.2", 5), ("5家", "1.2.1", 7),
        ("7个", "2.1", 9), ("2所", "2.2", 10),
    ]
    numbering = [m.text for m in ms if m.kind == "list_numbering"]
    assert numbering == ["一、", "(一)", "1.", "2.", "一是", "二是", "(二)", "1.", "二、",
                         "一是", "二是"]
    assert ms[0].section == "0" and ms[0].kind == "date"


def test_offsets_point_at_the_text() -> None:
    text = "前言\n共有3.5万人受益。"
    (m,) = find_mentions(text)
    assert text[m.start:m.end] == "3.5万人" and m.line == 2


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("两", 2), ("十", 10), ("十五", 15), ("二十三", 23), ("一百零六", 106),
     ("三万", 30000), ("零", 0), ("十三五", None), ("十百千", None)],
)
def test_chinese_to_int(numeral: str, value: int | None) -> None:
    assert chinese_to_int(numeral) == value


# --- the audit of 2020H1 ----------------------------------------------------------------


def test_2020h1_audit_has_no_unexplained_mention() -> None:
    result = audit(PERIOD)
    assert result.problems == []
    assert [(m.line, m.text) for m in result.unexplained] == []
    assert result.ok
    assert result.unmatched_rows == []  # every row's number is written in the report


def copy_period(tmp_path: Path) -> Path:
    target = tmp_path / "2020H1"
    shutil.copytree(PERIOD, target)
    return target


def rewrite_without(path: Path, drop) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = [row for row in reader if not drop(row)]
    path.chmod(0o644)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_removing_a_figure_row_leaves_its_mention_unexplained(tmp_path: Path) -> None:
    period = copy_period(tmp_path)
    rewrite_without(period / "figures.csv", lambda row: row["indicator"] == "dibao_standard")
    result = audit(period)
    assert [m.text for m in result.unexplained] == ["630元/人/月"]


def test_a_wrong_value_does_not_explain_the_mention(tmp_path: Path) -> None:
    period = copy_period(tmp_path)
    path = period / "figures.csv"
    text = path.read_text(encoding="utf-8").replace(
        "tekun_rural_dispersed,341500,43510,", "tekun_rural_dispersed,341500,43501,"
    )
    path.chmod(0o644)
    path.write_text(text, encoding="utf-8")
    result = audit(period)
    assert [m.text for m in result.unexplained] == ["43510人"]


def test_an_exclusion_silences_only_its_own_occurrence(tmp_path: Path) -> None:
    period = copy_period(tmp_path)
    rewrite_without(
        period / "audit_exclusions.csv",
        lambda row: row["text"] == "十百千" and row["context"] == "公益服务“十百千”工程,",
    )
    result = audit(period)
    (m,) = result.unexplained
    assert m.text == "十百千" and m.section == "1.5.2"
    assert len([x for x, _ in result.excluded if x.text == "十百千"]) == 1


# --- self-checks of the data files ------------------------------------------------------


@pytest.fixture(scope="module")
def source() -> str:
    return (PERIOD / "source.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    tables = {}
    for name, key in (("indicators", "id"), ("units", "id"), ("geo", "code")):
        _, rows = read_csv(CATALOGUE / f"{name}.csv")
        ids = [row[key] for row in rows]
        assert len(ids) == len(set(ids)), f"duplicate ids in {name}.csv"
        tables[name] = {row[key]: row for row in rows}
    return tables


def test_catalogue_columns_and_vocabularies(catalogue) -> None:
    assert read_csv(CATALOGUE / "indicators.csv")[0] == [
        "id", "area", "label_zh", "label_en", "unit", "kind", "measure", "scope", "numerator",
        "denominator", "resets_yearly", "part_of", "stands_for", "same_as", "description",
        "definition_zh"]
    assert read_csv(CATALOGUE / "units.csv")[0] == ["id", "symbol_zh", "label_en", "dimension"]
    assert read_csv(CATALOGUE / "geo.csv")[0] == ["code", "name_zh", "name_en", "level", "parent"]
    areas = {"social_assistance", "elderly_care", "social_organizations",
             "community_governance", "public_services"}
    kinds = {"stock", "flow", "money", "rate", "standard", "target", "progress"}
    for ind in catalogue["indicators"].values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", ind["id"]), ind["id"]
        assert ind["area"] in areas and ind["kind"] in kinds, ind["id"]
        assert ind["unit"] in catalogue["units"], ind["id"]
        assert ind["label_zh"] and ind["label_en"] and ind["description"], ind["id"]
        assert ind["definition_zh"], ind["id"]
        assert all(i in catalogue["indicators"] for i in ind["stands_for"].split()), ind["id"]
        assert ind["measure"] in {"stock", "flow", "running_total", "standard", "rate"}, ind["id"]
        for col in ("numerator", "denominator"):
            assert ind[col] == "" or ind[col] in catalogue["indicators"], ind["id"]
    for unit in catalogue["units"].values():
        assert unit["dimension"] in {"count", "money", "rate", "standard", "area"}
    for geo in catalogue["geo"].values():
        assert geo["parent"] == "" or geo["parent"] in catalogue["geo"]


@pytest.mark.parametrize(("name", "columns"), [("figures.csv", FIGURE_COLUMNS),
                                               ("targets.csv", TARGET_COLUMNS)])
def test_period_rows_are_well_formed(name, columns, source, catalogue) -> None:
    header, rows = read_csv(PERIOD / name)
    assert [c for c in header if c not in OPTIONAL_FIGURE_COLUMNS] == list(columns)
    keys = set()
    for i, row in enumerate(rows, start=2):
        where = f"{name} row {i}"
        assert row["indicator"] in catalogue["indicators"], where
        assert row["unit"] in catalogue["units"], where
        assert row["unit"] == catalogue["indicators"][row["indicator"]]["unit"], where
        assert row["geo"] in catalogue["geo"], where
        assert re.fullmatch(r"-?\d+(\.\d+)?", row["value"]), where
        assert row["unit_mult"] in {"0", "4", "8"}, where
        assert source.count(row["quote"]) == 1, f"{where}: quote not verbatim and unique"
        if name == "figures.csv":  # shown in the Chinese downloads
            assert not re.search(r"[A-Za-z]{4,}", row["note"]), f"{where}: a note in English"
        assert re.fullmatch(r"\d\.\d(\.\d)?", row["section"]), where
        if name == "figures.csv":
            assert row["qualifier"] in {"", "more_than", "at_least", "approx"}, where
            date = r"\d{4}-\d{2}-\d{2}"
            assert re.fullmatch(rf"{date}(/{date})?", row["as_of"]), where
            key = (row["indicator"], row["geo"], row["as_of"])
        else:
            assert row["comparison"] in {"at_least", "at_most", "equal"}, where
            date = r"\d{4}-\d{2}-\d{2}"
            assert re.fullmatch(rf"{date}(/{date})?", row["deadline"]), where
            assert row["set_in"] == "2020H1", where
            key = (row["indicator"], row["geo"], row["deadline"])
        assert key not in keys, f"{where}: duplicate key {key}"
        keys.add(key)


def test_every_figure_quote_shows_its_value(source) -> None:
    _, rows = read_csv(PERIOD / "figures.csv")
    matched = audit(PERIOD)
    unmatched = {(w.source, w.row) for w in matched.unmatched_rows}
    for i, row in enumerate(rows, start=2):
        assert ("figures.csv", i) not in unmatched, f"figures.csv row {i}: value not in quote"
        written = [m for m in find_mentions(row["quote"]) if m.kind not in AUTO_KINDS]
        assert any(m.value == Decimal(row["value"]) for m in written), f"figures.csv row {i}"


def test_row_sections_agree_with_the_headings() -> None:
    rows = {name: read_csv(PERIOD / name)[1] for name in ("figures.csv", "targets.csv")}
    for mention, why in audit(PERIOD).captured:
        row = rows[why.source][why.row - 2]
        assert row["section"] == mention.section, f"{why.source} row {why.row}"


def test_exclusions_are_well_formed(source) -> None:
    header, rows = read_csv(PERIOD / "audit_exclusions.csv")
    assert header == ["text", "context", "reason"]
    for row in rows:
        assert row["text"] in row["context"] and source.count(row["context"]) == 1
        code, _, words = row["reason"].partition(":")
        assert code in REASONS and words.strip(), row


def test_checks_refer_to_known_indicators(catalogue) -> None:
    yaml = pytest.importorskip("yaml")
    checks = yaml.safe_load((CATALOGUE / "checks.yml").read_text(encoding="utf-8"))
    fields = {
        "sum": ("total", "parts"),
        "share": ("share", "numerator", "denominator"),
        "subset": ("part", "whole"),
        "monthly_average_below": ("amount", "recipients", "standard"),
        "ratio_at_least": ("left", "right", "factor", "basis"),
    }
    ids = [check["id"] for check in checks]
    assert len(ids) == len(set(ids))
    _, figures = read_csv(PERIOD / "figures.csv")
    present = {(row["indicator"], row["geo"]) for row in figures}
    for check in checks:
        assert check["title_zh"] and check["title_en"], check["id"]
        refs = []
        for name in fields[check["kind"]]:
            assert name in check, f"{check['id']}: missing {name}"
            value = check[name]
            refs += value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for ref in refs:
            assert ref["indicator"] in catalogue["indicators"], check["id"]
            assert (ref["indicator"], ref.get("geo", "341500")) in present, check["id"]
