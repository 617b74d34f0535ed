"""No text of any chart overlaps another or leaves the image (matplotlib reports each text's
bounding box), and every chart is legible on a phone. Pinned to 2020H1's charts."""

from __future__ import annotations

import itertools
import re

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import AVERAGE_PAYMENT, PINNED, ROOT, STANDARDS
from matplotlib.colors import to_hex
from matplotlib.text import Text

from analysis.charts import builders as charts
from analysis.charts.style import AxisNumbers, use_house_style
from analysis.dataset.project import Project
from analysis.pages import trends
from analysis.view import PeriodView

matplotlib.use("Agg")
CHARTS = {
    "standards": lambda v: charts.standards(v, STANDARDS),
    "average_payment": lambda v: charts.average_payment(v, *AVERAGE_PAYMENT),
    # the comparator standards come in parts (each under the height bound): the first, the last
    "comparators": lambda v: (charts.comparator_standards(v) or [None])[0],
    "comparators-last": lambda v: (charts.comparator_standards(v) or [None])[-1],
    "over_time": lambda v: charts.standards_over_time(v),
    "progress": lambda v: charts.progress(v),
    "coverage": lambda v: charts.coverage(v, ["urban_community_facility_coverage",
                                              "community_committee_listing_rate",
                                              "rural_community_pilot_coverage"], "社区设施与试点覆盖率"),
    "reform": lambda v: charts.coverage(v, ["tekun_facility_beds_socialized_share",
                                            "tekun_facility_legal_person_rate",
                                            "disabled_tekun_centralized_rate"], "特困供养机构改革指标"),
    "backstop": lambda v: charts.values(v, [
        "poor_backstop_dibao_rural", "poor_backstop_tekun", "poor_backstop_orphans",
        "poor_backstop_disability", "poor_backstop_temp_assistance"],
        "未脱贫贫困人口社保兜底构成", "人"),
    "orgs": lambda v: charts.values(v, [
        "social_orgs_registered", "community_hub_orgs", "community_social_orgs_registered",
        "community_social_orgs_filed"], "社会组织数量", "家"),
    "party": lambda v: charts.values(v, ["social_org_party_orgs_standalone",
                                         "social_org_party_orgs_joint",
                                         "social_org_party_instructors"], "社会组织党建", "个"),
    "lists": lambda v: charts.values(v, ["social_orgs_abnormal_list",
                                         "social_orgs_dishonesty_list",
                                         "social_orgs_listing_pending"],
                                     "活动异常名录与严重违法失信名单", "家"),
    "volunteers": lambda v: charts.values(v, ["volunteers_registered", "volunteers_active"],
                                          "志愿者", "人"),
    "cemeteries": lambda v: charts.stages(v, {
        "城市公益性公墓": [("已建成", "urban_public_cemeteries_built"),
                    ("已开工", "urban_public_cemeteries_under_construction"),
                    ("完成规划选址", "urban_public_cemeteries_sited")],
        "乡镇公益性公墓": [("已建成", "township_public_cemeteries_built"),
                    ("在建", "township_public_cemeteries_under_construction"),
                    ("已立项", "township_public_cemeteries_approved"),
                    ("未建", "township_public_cemeteries_not_built")]}, "公益性公墓建设"),
    "trends": lambda v: trends.standards_chart(Project(ROOT)),
}
PHONE_CSS_PX = 390 - 2 * 28  # the book's content column on a 390 px phone
PHONE_SCREEN_PX = 844  # the height of a common 390 px phone's screen
MIN_PHONE_PX = 12


@pytest.fixture(scope="module")
def view() -> PeriodView:
    return PeriodView.load(ROOT, PINNED)


def _texts(fig):
    """Every text matplotlib draws, with its box (tick labels only of ticks in view)."""
    renderer = fig.canvas.get_renderer()
    hidden = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            drawn = {id(t) for t in axis._update_ticks()}
            hidden |= {id(t.label1) for t in axis.get_major_ticks() + axis.get_minor_ticks()
                       if id(t) not in drawn}
            hidden |= {id(t.label2) for t in axis.get_major_ticks() + axis.get_minor_ticks()}
    found = []
    for text in fig.findobj(Text):
        if (text.get_visible() and text.get_text().strip() and id(text) not in hidden):
            found.append((text, text.get_window_extent(renderer)))
    return found


def _drawn(view, name: str):
    """The chart's figure, drawn (skips a chart the pinned period has no data for)."""
    chart = CHARTS[name](view)
    if chart is None:
        pytest.skip("no data for this chart in the pinned period")
    for other in [plt.figure(n) for n in plt.get_fignums()]:  # the comparators' other parts
        if other is not chart.fig:
            plt.close(other)
    chart.fig.canvas.draw()
    return chart.fig


@pytest.mark.parametrize("name", CHARTS)
def test_no_text_overlaps_or_is_clipped(view, name):
    fig = _drawn(view, name)
    texts = _texts(fig)
    frame = fig.bbox
    clipped = [t.get_text() for t, box in texts
               if box.x0 < frame.x0 - 1 or box.y0 < frame.y0 - 1 or box.x1 > frame.x1 + 1
               or box.y1 > frame.y1 + 1]
    assert clipped == [], f"{name}: text outside the image: {clipped}"
    overlaps = [(a.get_text(), b.get_text()) for (a, ba), (b, bb) in itertools.combinations(texts, 2)
                if ba.overlaps(bb) and ba.width and bb.width
                and min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > 1
                and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > 1]
    plt.close(fig)
    assert overlaps == [], f"{name}: overlapping texts: {overlaps}"


@pytest.mark.parametrize("name", CHARTS)
def test_text_is_legible_on_a_phone(view, name):
    fig = _drawn(view, name)
    width_px = fig.get_figwidth() * fig.dpi
    scale = min(1.0, PHONE_CSS_PX / width_px)
    smallest = min(t.get_fontsize() * fig.dpi / 72 for t, _ in _texts(fig))
    plt.close(fig)
    assert smallest * scale >= MIN_PHONE_PX, f"{name}: {smallest * scale:.1f} px on a phone"


def _bar_colours(chart) -> dict[str, str]:
    """Indicator -> colour of its bar, for charts whose bars are the rows of their table
    (other places' comparator bars are grey by design and left out)."""
    bars = [bar for ax in chart.fig.axes for container in ax.containers for bar in container]
    data = chart.data
    if "indicator" not in data or len(bars) != len(data):
        return {}
    own = data["来源可靠性"] == "本期报告" if "来源可靠性" in data else [True] * len(data)
    return {ind: to_hex(bar.get_facecolor()) for ind, bar, mine
            in zip(data["indicator"], bars, own, strict=True) if mine}


def _series_colours(chart) -> dict[str, str]:
    """Series label (a standard drawn over time) -> its colour."""
    return {line.get_label(): to_hex(line.get_color()) for ax in chart.fig.axes
            for line in ax.get_lines() if not line.get_label().startswith("_")}


def test_an_indicator_has_the_same_colour_in_every_chart(view):
    """The same concept keeps its colour on every page: wherever an indicator is drawn as a
    bar (several charts show the 低保 standard or a planned rate) or a series (the urban and
    rural standards over time, on the period's and the trends page), its colour is the same."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for name in CHARTS:
        chart = CHARTS[name](view)
        if chart is None:
            continue
        for ind, colour in (_bar_colours(chart) | _series_colours(chart)).items():
            seen.setdefault(ind, set()).add((colour, name))
        plt.close(chart.fig)
    shared = {ind: found for ind, found in seen.items() if len({n for _, n in found}) > 1}
    assert shared, "no indicator is drawn in two charts: the test would check nothing"
    differing = {ind: found for ind, found in shared.items() if len({c for c, _ in found}) > 1}
    assert differing == {}


@pytest.mark.parametrize("name", CHARTS)
def test_no_value_label_is_crossed_by_a_goal_line(view, name):
    """A dashed goal or target line never runs through a value label (a bar just short of
    its target is labelled beyond the line)."""
    fig = _drawn(view, name)
    renderer = fig.canvas.get_renderer()
    crossed = []
    for ax in fig.axes:
        for line in ax.get_lines():
            xs = set(line.get_xdata(orig=False))
            if line.get_linestyle() != "--" or len(xs) != 1:
                continue
            box = line.get_window_extent(renderer)
            for text in ax.texts:
                tb = text.get_window_extent(renderer)
                if tb.x0 < box.x0 < tb.x1 and tb.y0 < box.y1 and box.y0 < tb.y1:
                    crossed.append(text.get_text())
    plt.close(fig)
    assert crossed == [], f"{name}: goal line through {crossed}"


@pytest.mark.parametrize(("text", "code"), [("养老服务😀", "U+1F600"), ("养老\u2028服务", "U+2028")])
def test_a_character_the_font_cannot_draw_is_an_error_not_a_warning_on_the_page(text, code):
    """A missing-glyph warning would publish a path of this machine in the page's output."""
    import warnings

    import pandas as pd

    from analysis.charts.chart import Chart, ChartTextError
    from analysis.charts.style import use_house_style

    use_house_style()
    fig, ax = plt.subplots()
    ax.bar([text], [1])
    chart = Chart(fig, pd.DataFrame({"a": [1]}), text, "报告", text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ChartTextError, match=code.replace("+", r"\+")):
            chart.html()
    plt.close(fig)
    assert [str(w.message) for w in caught] == []


def test_no_chart_is_taller_than_a_phone_screen_and_a_half(view):
    """Measured at the image's own size (CSS px), which is taller than a phone shows it."""
    tall = {}
    for name in CHARTS:
        chart = CHARTS[name](view)
        if chart is None:
            continue
        height = chart.fig.get_figheight() * chart.fig.dpi
        if height > 1.5 * PHONE_SCREEN_PX:
            tall[name] = round(height)
        plt.close("all")  # the comparators' other parts too
    assert tall == {}


def test_the_comparators_are_all_drawn_on_one_scale_across_their_parts(all_comparators):
    drawn = charts.comparator_standards(PeriodView.load(all_comparators, PINNED))
    scales = {ax.get_xlim() for c in drawn for ax in c.fig.axes}
    plt.close("all")
    assert len(drawn) > 1, "the comparators fit one chart: nothing to check"
    assert len(scales) == 1
    assert sum(len(c.data) for c in drawn) == len({(r["地区"], r["指标"], r["时点"])
                                                  for c in drawn for _, r in c.data.iterrows()})


@pytest.mark.parametrize("name", CHARTS)
def test_panels_share_a_scale_or_say_they_do_not(view, name):
    """Panels stacked in one chart are drawn on one scale, unless the title says that each
    has its own (figures of different units)."""
    fig = _drawn(view, name)
    panels = [ax for ax in fig.axes if ax.containers]  # bar panels
    scales = {ax.get_xlim() for ax in panels}
    said = "各组刻度不同" in (fig._suptitle.get_text().replace("\n", "") if fig._suptitle else "")
    plt.close(fig)
    assert len(scales) <= 1 or said, f"{name}: panels on scales {sorted(scales)}"


def test_a_stage_has_one_colour_whatever_its_label_says(view):
    """已开工 (urban) and 在建 (township) are one stage, under_construction: one colour; the
    stages of a panel differ."""
    chart = CHARTS["cemeteries"](view)
    by_indicator = {ind: to_hex(bar.get_facecolor()) for ind, bar in zip(
        chart.data["indicator"], [b for ax in chart.fig.axes for c in ax.containers for b in c],
        strict=True)}
    plt.close(chart.fig)
    stage = {ind: ind.split("cemeteries_")[1] for ind in by_indicator}
    for one in set(stage.values()):
        assert len({c for i, c in by_indicator.items() if stage[i] == one}) == 1, one
    assert len(set(by_indicator.values())) == len(set(stage.values()))


CLOSING = "，。、）》」』】；：！？…%"
# words of the charts' labels that a line must not split where it could break between words
WORDS = ["基本", "生活", "标准", "特困", "人员", "供养", "城市", "农村", "低保", "保障", "最低",
         "社会", "组织", "救助", "公益性", "公墓", "社区", "志愿者", "机构", "床位", "儿童",
         "孤儿", "残疾人", "补贴", "覆盖率", "党建", "兜底", "贫困", "人口", "养老", "服务",
         "月底", "上半年"]


def _label_texts(fig) -> list[str]:
    return [t.get_text() for t, _ in _texts(fig) if "\n" in t.get_text()]


@pytest.mark.parametrize("name", CHARTS)
def test_no_line_of_a_chart_starts_with_closing_punctuation(view, name):
    fig = _drawn(view, name)
    starts = [line for text in _label_texts(fig) for line in text.split("\n")[1:]
              if line[:1] in CLOSING]
    plt.close(fig)
    assert starts == []


def _split_words(text: str) -> list[str]:
    """Words of WORDS that a line break of `text` cuts in two."""
    joined, cuts, at = text.replace("\n", ""), set(), 0
    for line in text.split("\n")[:-1]:
        at += len(line)
        cuts.add(at)
    return [w for w in WORDS for start in [m.start() for m in re.finditer(w, joined)]
            if any(start < cut < start + len(w) for cut in cuts)]


@pytest.mark.parametrize("name", CHARTS)
def test_no_line_break_splits_a_word(view, name):
    fig = _drawn(view, name)
    split = {text: words for text in _label_texts(fig) if (words := _split_words(text))}
    plt.close(fig)
    assert split == {}


@pytest.mark.parametrize(("text", "chars", "lines"), [
    ("农村特困人员基本生活标准", 9, ["农村特困人员基本", "生活标准"]),  # not 基本生/活标准
    ("城市特困人员基本生活标准", 11, ["城市特困人员基本生活", "标准"]),  # not 标/准
    ("城市低保对象人数，保障标准", 9, ["城市低保对象人数，", "保障标准"]),
    ("城乡低保（2020年6月调整）", 9, ["城乡低保", "（2020年6月调整）"]),
    ("市民政局登记，2020年6月底（单位：家）", 13, ["市民政局登记，2020年6月底", "（单位：家）"]),
])
def test_wrap_breaks_between_words_and_keeps_punctuation_on_its_side(text, chars, lines):
    from analysis.charts.style import label_lines, wrap

    wrapped = label_lines([text], chars)[0] if "（" in text else wrap(text, chars)
    assert wrapped.split("\n") == lines


def test_a_phrase_longer_than_a_line_breaks_between_characters_but_not_before_a_comma():
    from analysis.charts.style import wrap

    lines = wrap("社会化运营比例，", 4).split("\n")
    assert "".join(lines) == "社会化运营比例，"
    assert all(len(line) <= 5 for line in lines) and not any(line[0] == "，" for line in lines)



def test_the_colour_of_the_periods_figures_means_nothing_else(view):
    """Bars of the period's figures share one colour, which no series, stage or other place
    takes: a colour stands for one thing on every chart."""
    from analysis.charts.style import FIGURES

    elsewhere = {}
    for name in CHARTS:
        chart = CHARTS[name](view)
        if chart is None:
            continue
        own = set(_bar_colours(chart).values()) if name != "cemeteries" else set()
        bars = {to_hex(b.get_facecolor()) for ax in chart.fig.axes for c in ax.containers
                for b in c}
        other = (bars - own) | set(_series_colours(chart).values())
        if FIGURES in other:
            elsewhere[name] = sorted(other)
        plt.close("all")
    assert elsewhere == {}


@pytest.mark.parametrize(("top", "labels"), [
    (2.4e8, {"0", "0.8亿", "1.6亿", "2.4亿"}),  # never 80,000,000160,000,000
    (9e5, {"0", "30万", "60万", "90万"}),
    (12000, {"0", "4000", "8000", "12,000"}),  # four digits ungrouped (GB/T 15835)
    (4.5, {"0", "1.5", "3", "4.5"}),  # a tick at 1.5 is never labelled 2
])
def test_axis_numbers_use_one_chinese_unit_per_axis(top, labels):
    use_house_style()
    fig, ax = plt.subplots()
    ax.set_xlim(0, top)
    ax.set_xticks([top * k / 3 for k in range(4)])
    ax.xaxis.set_major_formatter(AxisNumbers())
    fig.canvas.draw()
    assert {t.get_text() for t in ax.get_xticklabels()} == labels
    plt.close(fig)


def test_panels_of_whole_numbers_have_whole_number_ticks_labelled_where_they_are(project_copy):
    """民政公共服务's stocks (4家, 2家, 1座…): every tick label is the number at its place."""
    view = PeriodView.load(project_copy.root, PINNED)
    for placed in charts.for_area(view, "public_services"):
        placed.chart.fig.canvas.draw()
        for ax in placed.chart.fig.axes:
            ticks = [(t.get_position()[0], t.get_text()) for t in ax.get_xticklabels()]
            for x, text in ticks:
                if text and "万" not in text and "亿" not in text:
                    assert float(text.replace(",", "")) == pytest.approx(x), (text, x)
    plt.close("all")


def test_figures_whose_date_the_book_assumed_are_not_grouped_with_dated_ones():
    view = PeriodView.load(ROOT, PINNED)
    ids = list(view.figures.loc[view.figures["geo"] == view.geo, "indicator"])
    for key, members in charts._comparable_groups(view, ids).items():
        assert len({view.row(i).get("as_of_assumed", "") for i in members}) == 1, key


def test_a_charts_csv_says_dates_and_numbers_as_the_page_does():
    """The Chinese CSV beside a chart: 2017年7月1日, not 2017-07-01; 316.67, not
    316.666666666667; 630, not 630.0 (the exact values are in figures.csv)."""
    from analysis.charts.chart import Chart

    fig = plt.figure()
    data = pd.DataFrame({"时点": ["2017-07-01", "2020-06-01/2020-06-30"],
                         "元/人/月": [3800 / 12, 630.0]})
    text = Chart(fig, data, "合成", "合成", "合成").csv()  # SYNTHETIC
    assert "2017年7月1日" in text and "2020年6月" in text and "-07-" not in text
    assert "316.67" in text and "316.666" not in text and "630.0" not in text
    plt.close(fig)
