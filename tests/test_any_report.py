"""Any bureau's report: SYNTHETIC reports (random subsets of the catalogue, new indicators of
every measure, with and without targets, sections and comparators) get every figure spoken,
no verdict from another province's rule, and no failing cross-period step."""

from __future__ import annotations

import csv
import io
import random
import re
import shutil

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import ROOT, copy_data
from rich.console import Console

from analysis.charts import builders as charts
from analysis.checks import targets
from analysis.checks.rules import FAILS, NOT_APPLICABLE
from analysis.console import print_validation
from analysis.dataset.catalogue import load_catalogue
from analysis.dataset.periods import parse_period
from analysis.dataset.project import Project
from analysis.errors import UserError
from analysis.meaning.semantics import MEASURES
from analysis.pages import page, trends
from analysis.pages.appendix import render as render_appendix
from analysis.statements import keypoints, narrative
from analysis.statements.prose import anchor, check_linked
from analysis.view import PeriodView

PERIOD, START, END = "2021H1", "2021-01-01", "2021-06-30"
UNIT = {"stock": "person", "flow": "person_time", "running_total": "person",
        "standard": "yuan_per_person_month", "rate": "percent"}
KIND = {"stock": "stock", "flow": "flow", "running_total": "stock", "standard": "standard",
        "rate": "rate"}


def _as_of(measure: str) -> str:
    return f"{START}/{END}" if measure in ("flow", "running_total") else END


def _catalogue_rows(root) -> list[dict]:
    with (root / "data" / "catalogue" / "indicators.csv").open(encoding="utf-8",
                                                               newline="") as f:
        return list(csv.DictReader(f))


def _add_indicators(root, new: list[dict]) -> list[dict]:
    """SYNTHETIC indicators appended to the catalogue (described and defined as such); every
    row of the catalogue after it."""
    rows = _catalogue_rows(root)
    fields = list(rows[0])
    rows += [{**dict.fromkeys(fields, ""), "description": "SYNTHETIC indicator for tests",
              "definition_zh": "合成的测试指标，仅供测试。", **row} for row in new]
    with (root / "data" / "catalogue" / "indicators.csv").open("w", encoding="utf-8",
                                                               newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def synthetic_report(root, seed: int, geo: str, include: tuple[str, ...] = ()) -> list[dict]:
    """data/periods/2021H1 of a SYNTHETIC report at `geo`: a random subset of the catalogue's
    indicators and one new indicator of every measure; returns the figure rows."""
    rng = random.Random(seed)
    areas = sorted({r["area"] for r in _catalogue_rows(root)})
    rows = _add_indicators(root, [  # new indicators no template knows
        {"id": f"synthetic_{measure}", "area": rng.choice(areas),
         "label_zh": f"合成指标{MEASURES.index(measure)}", "label_en": f"SYNTHETIC {measure}",
         "unit": UNIT[measure], "kind": KIND[measure], "measure": measure}
        for measure in MEASURES])
    chosen = [r for r in rows if r["id"] in include or r["measure"] in UNIT and r["id"].startswith("synthetic_")
              or (r["measure"] in UNIT and r["unit"] == UNIT[r["measure"]]
                  and rng.random() < 0.4)]
    figures = []
    for r in chosen:
        value = rng.randint(1, 99) if r["measure"] == "rate" else rng.randint(1, 99999)
        value = {"dibao_standard": 630, "tekun_rural_basic_standard": 819}.get(r["id"], value)
        figures.append({"indicator": r["id"], "geo": geo, "value": str(value),
                        "unit_mult": "0", "unit": r["unit"],
                        "qualifier": rng.choice(["", "", "more_than", "approx"]),
                        "as_of": _as_of(r["measure"]),
                        "section": rng.choice(["", "1.1", "2.3.1"]), "quote": "",
                        "note": "SYNTHETIC"})
    folder = root / "data" / "periods" / PERIOD
    folder.mkdir(parents=True)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(figures[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(figures)
    (folder / "figures.csv").write_text(out.getvalue(), encoding="utf-8")
    (folder / "source.yml").write_text(
        f"title: SYNTHETIC report {seed}\nissuer: SYNTHETIC\nperiod: {PERIOD}\n",
        encoding="utf-8")
    return figures


@pytest.mark.parametrize("seed, geo, with_previous", [
    (0, "341500", True), (1, "341500", False), (2, "341522", False), (3, "341500", True),
    (4, "341525", True), (5, "341500", False),
])
def test_every_figure_of_a_synthetic_report_is_spoken(tmp_path, seed, geo, with_previous):
    copy_data(tmp_path, periods=("2020H1",) if with_previous else ())
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    figures = synthetic_report(tmp_path, seed, geo)
    view = PeriodView.load(tmp_path, PERIOD)
    spoken = " ".join(narrative.area_text(view, area) for area in view.dataset.config.areas)
    missing = [f"{r['indicator']}@{r['geo']}" for _, r in view.figures.iterrows()
               if anchor(r) not in spoken]
    assert len(view.figures) == len(figures) and not missing
    for area in view.dataset.config.areas:  # key points and charts of any subset
        keypoints.keypoints(view, area)
        drawn = {i for placed in charts.for_area(view, area)
                 for x in placed.chart.data.get("indicator", []) for i in str(x).split(" / ")}
        plt.close("all")
        here = view.figures[(view.figures["area"] == area) & (view.figures["geo"] == geo)]
        standards = set(here.loc[here["unit"] == "yuan_per_person_month", "indicator"])
        assert standards <= drawn, f"{area}: standards not drawn: {standards - drawn}"
        rest = here[~here["indicator"].isin(drawn)]  # only a figure alone in its measure
        kinds = rest["indicator"].map(view.catalogue.by_id["measure"]) + "/" + rest["unit"]
        assert kinds.is_unique, f"{area}: figures of one measure and unit not drawn"
    status = targets.track(Project(tmp_path), PERIOD)  # with or without targets
    narrative.targets_summary(status)
    trends.series(Project(tmp_path))


def test_a_rule_of_another_province_gives_no_verdict(tmp_path):
    """The Anhui 1.3x rule (applies_to 34) on a place outside Anhui: not applicable."""
    copy_data(tmp_path, periods=())
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    assert "330683" in (tmp_path / "data" / "catalogue" / "geo.csv").read_text(
        encoding="utf-8")  # 嵊州市, Zhejiang
    synthetic_report(tmp_path, 7, "330683", include=("dibao_standard",
                                                     "tekun_rural_basic_standard"))
    view = PeriodView.load(tmp_path, PERIOD)
    rule = next(r for r in view.checks if r.id == "tekun_rural_standard_vs_dibao")
    assert rule.verdict == NOT_APPLICABLE and "34" in rule.detail  # 819 = 1.3 x 630, unjudged
    spoken = narrative.area_text(view, "social_assistance")
    assert "819" in spoken and "皖办发" not in spoken and "相符" not in spoken


def _add_breakdown(root, parts: dict[str, int], total: int, geo: str = "341500") -> None:
    """SYNTHETIC: a new total (synthetic_whole) and its parts, declared with `part_of`."""
    _add_indicators(root, [
        {"id": ident, "area": "social_assistance", "label_zh": f"合成{ident[-5:]}",
         "label_en": f"SYNTHETIC {ident}", "unit": "person", "kind": "stock",
         "measure": "stock", "part_of": whole}
        for ident, whole in [("synthetic_whole", ""), *((p, "synthetic_whole") for p in parts)]])
    figures = root / "data" / "periods" / PERIOD / "figures.csv"
    with figures.open("a", encoding="utf-8", newline="") as f:
        for ident, value in [("synthetic_whole", total), *parts.items()]:
            f.write(f"{ident},{geo},{value},0,person,,{END},,,SYNTHETIC\n")


def test_a_declared_breakdown_is_said_in_one_sentence_and_checked(tmp_path):
    """part_of in the catalogue: the total and its parts in one sentence (其中), and the
    parts-sum check with no hand-written check (60 + 39 is not 100: the check fails)."""
    copy_data(tmp_path, periods=())
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    synthetic_report(tmp_path, 11, "341500")
    _add_breakdown(tmp_path, {"synthetic_part1": 60, "synthetic_part2": 39}, 100)
    view = PeriodView.load(tmp_path, PERIOD)
    sentences = [s for s in narrative.area_text(view, "social_assistance").split("。")
                 if anchor(view.row("synthetic_whole")) in s]
    assert len(sentences) == 1 and "其中" in sentences[0]
    assert all(anchor(view.row(p)) in sentences[0] for p in ("synthetic_part1", "synthetic_part2"))
    check = next(r for r in view.checks if r.id == "synthetic_whole_parts")
    assert check.verdict == FAILS and "合计100，分项之和99" in check.detail


def _set_part_of(root, ident: str, total: str) -> None:
    """The catalogue's part_of of `ident`, changed to `total`."""
    path = root / "data" / "catalogue" / "indicators.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (frame["id"] == ident).sum() == 1
    frame.loc[frame["id"] == ident, "part_of"] = total
    frame.to_csv(path, index=False)


@pytest.mark.parametrize("part_of, expected", [
    ("no_such_total", "which the catalogue lacks"),
    ("synthetic_part1", "names the indicator itself"),
    ("dibao_standard", "another unit or measure"),
])
def test_a_relation_that_cannot_hold_is_refused_with_its_row(tmp_path, part_of, expected):
    copy_data(tmp_path, periods=())
    synthetic_report(tmp_path, 12, "341500")
    _add_breakdown(tmp_path, {"synthetic_part1": 1, "synthetic_part2": 2}, 3)
    _set_part_of(tmp_path, "synthetic_part1", part_of)
    with pytest.raises(UserError) as refused:
        load_catalogue(Project(tmp_path))
    message = str(refused.value)
    assert expected in message and "synthetic_part1" in message and "row" in message


def test_parts_that_come_back_to_their_total_are_refused(tmp_path):
    copy_data(tmp_path, periods=())
    synthetic_report(tmp_path, 13, "341500")
    _add_breakdown(tmp_path, {"synthetic_part1": 1, "synthetic_part2": 2}, 3)
    _set_part_of(tmp_path, "synthetic_whole", "synthetic_part1")
    with pytest.raises(UserError, match="a part of itself"):
        load_catalogue(Project(tmp_path))


def test_a_source_without_date_or_with_partial_text_is_flagged_and_said(tmp_path):
    """validate notes a source.yml without a date and one with extent: partial; the
    overview says the figures come from part of the report only."""
    copy_data(tmp_path, periods=())
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    synthetic_report(tmp_path, 14, "341500")
    source = tmp_path / "data" / "periods" / PERIOD / "source.yml"
    source.write_text(source.read_text(encoding="utf-8") + "extent: partial\n",
                      encoding="utf-8")
    out = io.StringIO()
    assert print_validation(Project(tmp_path), [parse_period(PERIOD)],
                            Console(file=out, width=200))
    assert "gives no date" in out.getvalue() and "extent: partial" in out.getvalue()
    view = PeriodView.load(tmp_path, PERIOD)
    assert "出处仅为报告的部分文字" in narrative.audit(view)


def test_checks_about_figures_the_report_never_gives_are_not_mentioned(tmp_path, monkeypatch):
    """A new report with none of a check's figures: no line says the report 'did not give'
    them (they belong to the book it was started from); a check with some of its figures
    given is counted."""
    copy_data(tmp_path, periods=())
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    synthetic_report(tmp_path, 15, "341500", include=("poor_backstop_total",))
    view = PeriodView.load(tmp_path, PERIOD)
    shown = []
    monkeypatch.setattr(page, "display", lambda item: shown.append(getattr(item, "data", "")))
    page.checks(view)
    text = " ".join(str(s) for s in shown)
    partial = {r.id for r in view.checks if r.verdict == NOT_APPLICABLE
               and r.detail.startswith("本期没有") and any(view.has(i) for i in r.indicators)}
    assert "poor_backstop_share" in partial  # it needs the total, which is given
    assert f"另有{len(partial)}项核验（" in text and "所需的部分数字本期报告没有给出" in text


def test_the_overview_names_the_source_with_its_date_and_address(tmp_path):
    copy_data(tmp_path, periods=())
    synthetic_report(tmp_path, 16, "341500")
    source = tmp_path / "data" / "periods" / PERIOD / "source.yml"
    source.write_text(source.read_text(encoding="utf-8") + "date: '2021-07-05'\n"
                      "doc_number: 合成〔2021〕1号\nurl: https://example.org/r?a=1&b=2\n",
                      encoding="utf-8")
    html = narrative.source(PeriodView.load(tmp_path, PERIOD))
    check_linked(html)  # names and dates are not figures: a page may show it
    text = re.sub(r"<[^>]+>", "", html)
    assert "《SYNTHETIC report 16》（合成〔2021〕1号）" in text and "2021年7月5日" in text
    assert 'href="https://example.org/r?a=1&amp;b=2"' in html


def test_the_appendix_lists_only_the_indicators_and_places_the_book_uses(tmp_path):
    copy_data(tmp_path, periods=())
    figures = synthetic_report(tmp_path, 17, "341522")
    text = render_appendix(Project(tmp_path))
    catalogue = load_catalogue(Project(tmp_path))
    used = {f["indicator"] for f in figures}
    labels = dict(zip(catalogue.indicators["id"], catalogue.indicators["label_zh"], strict=True))
    assert all(f"| {labels[i]} |" in text for i in used)
    assert not [i for i in labels if i not in used and f"| {labels[i]} |" in text]
    assert "霍邱县" in text and "嵊州市" not in text  # the place of the figures, not others
