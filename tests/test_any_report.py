"""Any bureau's report: SYNTHETIC reports (random subsets of the catalogue, new indicators of
every measure, with and without targets, sections and comparators) get every figure spoken,
no verdict from another province's rule, and no failing cross-period step."""

from __future__ import annotations

import csv
import io
import random
import shutil

import matplotlib.pyplot as plt
import pytest
from conftest import ROOT, copy_data

from analysis.charts import builders as charts
from analysis.checks import targets
from analysis.checks.rules import NOT_APPLICABLE
from analysis.dataset.project import Project
from analysis.meaning.semantics import MEASURES
from analysis.pages import trends
from analysis.statements import keypoints, narrative
from analysis.statements.prose import anchor
from analysis.view import PeriodView

PERIOD, START, END = "2021H1", "2021-01-01", "2021-06-30"
UNIT = {"stock": "person", "flow": "person_time", "running_total": "person",
        "standard": "yuan_per_person_month", "rate": "percent"}
KIND = {"stock": "stock", "flow": "flow", "running_total": "stock", "standard": "standard",
        "rate": "rate"}


def _as_of(measure: str) -> str:
    return f"{START}/{END}" if measure in ("flow", "running_total") else END


def synthetic_report(root, seed: int, geo: str, include: tuple[str, ...] = ()) -> list[dict]:
    """data/periods/2021H1 of a SYNTHETIC report at `geo`: a random subset of the catalogue's
    indicators and one new indicator of every measure; returns the figure rows."""
    rng = random.Random(seed)
    catalogue = root / "data" / "catalogue" / "indicators.csv"
    with catalogue.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    areas = sorted({r["area"] for r in rows})
    for measure in MEASURES:  # new indicators no template knows
        rows.append({**dict.fromkeys(fields, ""), "id": f"synthetic_{measure}",
                     "area": rng.choice(areas), "label_zh": f"合成指标{MEASURES.index(measure)}",
                     "label_en": f"SYNTHETIC {measure}", "unit": UNIT[measure],
                     "kind": KIND[measure], "measure": measure,
                     "description": "SYNTHETIC indicator for tests",
                     "definition_zh": "合成测试指标，仅供测试。"})
    with catalogue.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
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
