"""Every statement true as read: window and scope words, comparability rules (each with the
refused and the allowed case), targets only where a source sets them, derived numbers marked,
and every number in the generated prose linked to its provenance.

The two-period tests use a project copy with 2020H1 and a SYNTHETIC 2021H2 made from it
(values unchanged, every date moved to 2021, flows widened to 1—12月), never published.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import AVERAGE_PAYMENT, PINNED, ROOT, copy_data

from analysis.charts import builders as charts
from analysis.dataset.periods import parse_period
from analysis.dataset.project import Project
from analysis.meaning.concepts import AVERAGE, COMPARABLE, OTHER_YEAR, PARTIAL
from analysis.meaning.concepts import comparability_group as _group
from analysis.meaning.semantics import NotComparable, require_comparable, window_text
from analysis.pages.trends import change_table
from analysis.statements import narrative
from analysis.statements.keypoints import keypoints
from analysis.statements.prose import Prose, TemplateRefused, check_linked
from analysis.view import PeriodView

H1, H2 = parse_period("2020H1"), parse_period("2021H2")


@pytest.fixture(scope="module")
def view() -> PeriodView:
    return PeriodView.load(ROOT, PINNED)


def _synthetic_h2(root: Path) -> None:
    """data/periods/2021H2: SYNTHETIC copy of 2020H1 with full-year (1—12月) flows."""
    src, dst = root / "data/periods/2020H1", root / "data/periods/2021H2"
    shutil.copytree(src, dst)
    (dst / "targets.csv").unlink()
    with (src / "figures.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        parts = row["as_of"].split("/")
        start = parts[0].replace("2020-", "2021-") if len(parts) == 2 else None
        if start and start.startswith("2010"):
            start = parts[0]  # running totals keep their start
        row["as_of"] = f"{start}/2021-12-31" if start else "2021-12-31"
        row["note"] = "SYNTHETIC: 2020H1 values with 2021 dates, for tests only"
        if row.get("as_of_assumed") == "start":
            row["as_of_assumed"] = ""  # its windows are stated whole, 1—12月
    with (dst / "figures.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def two_periods(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("two") / "project"
    copy_data(root)
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "book").mkdir()
    _synthetic_h2(root)
    return Project(root)


# ------------------------------------------------------------------ windows and scopes

@pytest.mark.parametrize(("measure", "as_of", "period", "words"), [
    ("flow", "2020-01-01/2020-06-30", H1, ""),
    ("flow", "2020-01-01/2020-05-31", H1, "2020年1—5月"),
    ("flow", "2021-01-01/2021-12-31", H2, "2021年1—12月"),
    ("flow", "2020-01-01/2020-06-18", H1, "2020年1月1日—6月18日"),
    ("stock", "2020-06-30", H1, ""),
    ("stock", "2020-05-31", H1, "截至2020年5月底"),
    ("running_total", "2010-01-01/2020-06-30", H1, "2010年以来累计"),
    ("running_total", "2020-06-30", H1, "截至2020年6月底累计"),
    ("standard", "2020-06-01/2020-06-30", H1, "2020年6月调整"),
    ("standard", "2020-01-01/2020-12-31", H1, "2020年调整"),  # the report gives the year only
])
def test_window_words_appear_exactly_when_the_window_is_not_the_period(measure, as_of, period,
                                                                         words):
    assert window_text(measure, as_of, period) == words


@pytest.mark.parametrize(("measure", "as_of", "assumed", "words"), [
    ("flow", "2020-01-01/2020-06-30", "start", "截至2020年6月底"),  # 截至6月：never 1—6月
    ("stock", "2020-06-30", "report", ""),  # 截至目前, in a report of the period's end
    ("stock", "2020-07-15", "report", "截至目前（报告日期2020年7月15日）"),
    ("running_total", "2020-06-30", "report", "截至目前累计"),
    ("stock", "2020-06-30", "yes", "报告未注明时点"),
])
def test_a_date_the_source_does_not_give_is_said_as_the_source_says_it(measure, as_of, assumed,
                                                                       words):
    assert window_text(measure, as_of, H1, assumed) == words


@pytest.mark.parametrize(("indicator", "words"), [
    ("social_orgs_registered", "市民政局登记"),
    ("community_office_space_resolved", "截至目前累计"),
    ("charity_day_funds_raised", "累计，报告未注明截止时点"),
    ("vagrant_assistance_cases", "截至2020年5月底"),
    ("dibao_standard", "2020年6月调整"),
])
def test_the_report_s_scopes_and_windows_reach_the_prose(view, indicator, words):
    fig = str(Prose(view).fig(indicator))
    assert words in re.sub(r"<[^>]+>", "", fig)


# ------------------------------------------------------------------ comparability rules

def _row(indicator: str, as_of: str) -> pd.Series:
    return pd.Series({"indicator": indicator, "as_of": as_of})


@pytest.mark.parametrize(("a", "b", "allowed"), [
    # flows over different windows: refused; the same window: allowed
    (("temp_assistance_cases", "2020-01-01/2020-06-30"),
     ("jijinan_cases", "2021-01-01/2021-12-31"), False),
    (("temp_assistance_cases", "2020-01-01/2020-06-30"),
     ("jijinan_cases", "2020-01-01/2020-06-30"), True),
    # a stock against a flow: refused
    (("dibao_urban_recipients", "2020-06-30"),
     ("temp_assistance_cases", "2020-01-01/2020-06-30"), False),
    # different scopes (the bureau's register against the whole city): refused
    (("social_orgs_registered", "2020-06-30"), ("community_hub_orgs", "2020-06-30"), False),
    (("community_hub_orgs", "2020-06-30"), ("community_social_orgs_filed", "2020-06-30"), True),
    # a standard against a standard of the same date: allowed; against a count: refused
    (("tekun_urban_standard", "2020-06-30"), ("dibao_standard", "2020-06-30"), True),
    (("dibao_standard", "2020-06-30"), ("dibao_urban_recipients", "2020-06-30"), False),
])
def test_comparability_rule(view, a, b, allowed):
    check = lambda: require_comparable(view.catalogue, _row(*a), _row(*b), what="test")  # noqa: E731
    if allowed:
        check()
    else:
        with pytest.raises(NotComparable):
            check()


@pytest.mark.parametrize(("basis", "coverage", "as_of", "group"), [
    ("standard", "whole", "2020-01-01", COMPARABLE),   # same year, one place's standard
    ("average", "whole", "2020-12-31", AVERAGE),       # an average is never compared as one
    ("standard", "whole", "2019-07-01", OTHER_YEAR),   # another year
    ("standard", "partial", "2020-07-01", PARTIAL),    # part of a place
    ("floor", "whole", "2020-07-01", PARTIAL),         # a policy floor, not a standard
])
def test_comparators_are_grouped_by_comparability(basis, coverage, as_of, group):
    assert _group(pd.Series({"basis": basis, "coverage": coverage, "as_of": as_of}),
                  2020) == group


def test_the_comparator_chart_shows_its_groups_on_the_image(all_comparators):
    drawn = charts.comparator_standards(PeriodView.load(all_comparators, "2020H1"))
    titles = [ax.get_title(loc="left").replace("\n", "") for c in drawn for ax in c.fig.axes]
    assert titles[0] == COMPARABLE and AVERAGE in titles
    data = pd.concat([c.data for c in drawn])
    averages = data[data["组别"] == AVERAGE]
    assert set(averages["地区"]) >= {"全国"} and "本期报告" not in set(averages["来源可靠性"])


def test_no_comparator_known_only_from_a_repost_or_mirror_is_drawn(view):
    data = pd.concat([c.data for c in charts.comparator_standards(view)])
    assert "转载或镜像" not in set(data["来源可靠性"]) and len(data)


def test_a_chart_of_stocks_is_not_titled_with_the_period(view):
    stocks = charts.values(view, ["poor_backstop_dibao_rural", "poor_backstop_tekun"], "x", "人")
    up_to = charts.values(view, ["temp_assistance_cases", "jijinan_cases"], "x", "人次")
    flows = charts.values(view, ["price_subsidy_beneficiaries", "temp_assistance_cases"], "x",
                          "人次")
    assert not stocks.title.startswith(view.label) and "x" in stocks.title
    assert not up_to.title.startswith(view.label)  # 截至6月: the report gives no start
    assert flows.title.startswith(view.label)


def test_bars_of_different_scopes_are_drawn_apart(view):
    chart = charts.values(view, ["social_orgs_registered", "community_hub_orgs"], "x", "家")
    assert chart.data["组别"].nunique() == 2 and len(chart.fig.axes) == 2


def test_a_target_line_only_where_a_source_sets_a_target(view):
    with_target = charts.coverage(view, ["rural_community_pilot_coverage"], "x")
    without = charts.coverage(view, ["tekun_facility_legal_person_rate"], "x")
    assert "目标" in with_target.data.columns and "虚线：计划目标" in with_target.fig.axes[0].get_xlabel()
    assert "目标" not in without.data.columns and "虚线" not in without.fig.axes[0].get_xlabel()
    assert "目标" not in "".join(t.get_text() for t in without.fig.findobj(
        lambda o: hasattr(o, "get_text")))


def test_a_target_gap_sentence_needs_a_target(view):
    text = narrative.area_text(view, "community_governance")
    assert "距目标还差" in text  # targets.csv sets 100% for the rural pilot coverage
    assert "距100%" not in narrative.area_text(view, "elderly_care")


def test_a_share_between_figures_of_different_windows_fails_the_build(view):
    prose = Prose(view)
    with pytest.raises(NotComparable, match="different dates or windows"):
        prose.pct("vagrant_assistance_cases", "temp_assistance_cases")


# ------------------------------------------------------------------ derived numbers, rules

def test_derived_numbers_say_they_are_derived(view):
    text = narrative.area_text(view, "social_assistance")
    assert text.count("（计算值）") >= 3 and "估算值" in text
    for title in re.findall(r'class="prov derived"[^>]*title="([^"]+)"', text):
        assert title.startswith(("计算值", "估算")), title


def test_payments_over_a_window_are_not_set_against_a_standard_set_within_it(view):
    # 1—6月 payments; the standard was set in June
    chart = charts.average_payment(view, *AVERAGE_PAYMENT)
    ax = chart.fig.axes[0]
    assert "2020年6月调整" in ax.get_xlabel() and "不作对照" in ax.get_xlabel()
    assert not ax.lines and "估算" in chart.title
    check = next(r for r in view.checks if r.id == "dibao_urban_monthly_average_below_standard")
    assert check.verdict == "not judged" and "开始时执行的标准报告未给出" in check.detail


# ------------------------------------------------------------------ provenance links

def test_a_number_without_a_link_is_refused():
    check_linked('<p>标准为<a class="prov" href="#x" title="q">630元</a>，<time>2020年</time>。</p>')
    with pytest.raises(ValueError, match="without a provenance link"):
        check_linked('<p>标准为630元。</p>')
    with pytest.raises(ValueError):
        check_linked('<p><a href="#x">630元</a></p>')  # a link, but not a provenance link


def test_every_number_in_the_published_prose_is_linked():
    pages = sorted((ROOT / "book" / "periods").glob("*/*.ipynb")) + [ROOT / "book/trends.ipynb"]
    checked = 0
    for page in pages:
        for cell in json.loads(page.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                html = "".join(output.get("data", {}).get("text/html", []))
                if 'class="policy-text"' in html:
                    check_linked(html)
                    checked += 1
    assert checked >= 10


def test_linked_numbers_point_at_rows_of_the_source_tables(view):
    text = narrative.area_text(view, "social_assistance")
    anchors = set(re.findall(r'href="social_assistance\.html#([^"]+)"', text))
    rows = view.figures[view.figures["area"] == "social_assistance"]
    from analysis.statements.prose import anchor

    assert anchors <= {anchor(r) for _, r in rows.iterrows()}


# ------------------------------------------------------------------ two periods

def test_no_change_between_figures_of_different_windows(two_periods):
    table = change_table(two_periods)
    flows = table[table["indicator"] == "temp_assistance_cases"]
    assert list(flows["来源"]) == ["2020年上半年", "2021年下半年"]
    assert flows["与前一已知值相比"].isna().all() and "时段长度不同" in flows["说明"].iloc[-1]
    stocks = table[table["indicator"] == "dibao_urban_recipients"]
    assert stocks["与前一已知值相比"].iloc[-1] == 0 and stocks["说明"].iloc[-1] == ""


def test_the_second_period_says_its_full_year_window(two_periods):
    later = PeriodView.load(two_periods.root, "2021H2")
    text = re.sub(r"<[^>]+>", "", narrative.area_text(later, "social_assistance"))
    assert "5367人次（2021年1—12月）" in text
    assert "9194.32万元（2021年1—12月）" in text
    assert "633人次（截至2021年12月底）" in text  # a flow whose start is not stated


def test_key_points_compare_only_comparable_figures(two_periods):
    later = PeriodView.load(two_periods.root, "2021H2")
    text = re.sub(r"<[^>]+>", "", keypoints(later, "social_assistance"))
    assert "与2020年上半年持平" in text  # stocks compare (the synthetic values are equal)
    for flow in ("临时救助人次", "城市低保资金支出"):  # flows of 1—6月 and 1—12月 do not
        assert flow not in text
    check_linked(keypoints(later, "social_assistance"))


def test_key_points_compare_the_same_place_when_the_previous_period_is_about_another(
        project_copy):
    """A county's period after the city's (as in a province book): the key points set the
    county's figure against the county's figure of the previous period, not the city's.
    The earlier period is a SYNTHETIC copy; the county's period is the pinned one with the
    city's rows moved to 金安区 (341502)."""
    from synthetic import copy_period

    copy_period(project_copy, PINNED, "2019H1")
    path = project_copy.period_dir(PINNED) / "figures.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    taken = {(r["indicator"], r["geo"], r["as_of"]) for r in rows}
    moved = [dict(r, geo="341502") if r["geo"] == "341500"
             and (r["indicator"], "341502", r["as_of"]) not in taken else r for r in rows]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(moved)
    view = PeriodView.load(project_copy.root, PINNED)
    assert view.geo == "341502"
    text = keypoints(view, "elderly_care")  # raised KeyError: the city's row was looked up
    assert "持平" in text and "-341502-" in text


# ---------------------------------------------------------------------------- templates

HOSTILE = {
    "shell": '{% set _ = lipsum.__globals__["os"].system("touch {marker}") %}',
    "attribute": '{{ fig.__globals__["os"].system("touch {marker}") }}',
    "filter": '{{ fig("home_care_orders") | attr("__globals__") }}',
    "other name": '{{ cycler.__init__.__globals__.os.system("touch {marker}") }}',
}


def test_a_template_s_own_markup_is_shown_as_text(view):
    [html] = Prose(view).blocks('<script>alert("x")</script>{{ place }}<b>&amp;</b>')
    assert "<script" not in html and "<b>" not in html
    assert html.startswith("&lt;script&gt;alert(\"x\")&lt;/script&gt;<span class=\"name\">")
    assert html.endswith("</span>&lt;b&gt;&amp;amp;&lt;/b&gt;")


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_template_is_refused_before_it_runs(view, kind, tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(TemplateRefused, match="line 3"):
        Prose(view).blocks("正文{{ place }}。\n\n" + HOSTILE[kind].replace(
            "{marker}", str(marker)), "templates/x.j2")
    assert not marker.exists()


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_hostile_template_fails_validate_and_run_with_its_file_and_line(
        project_copy, command, tmp_path):
    marker = tmp_path / "ran"
    template = project_copy.root / "templates" / "elderly_care.j2"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines.insert(2, HOSTILE["shell"].replace("{marker}", str(marker)))
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "analysis", command, "--root",
                             str(project_copy.root)], capture_output=True, text=True,
                            timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "templates/elderly_care.j2: line 3: `{% set %}` is not allowed" in output
    assert "Traceback" not in output and not marker.exists()
    assert not list((project_copy.book).rglob("*.ipynb"))


@pytest.mark.parametrize("file, old, new, message", [
    ("templates/social_assistance.j2", 'fig("dibao_standard")', 'fig("dibao_standrad")',
     "templates/social_assistance.j2: line 5: fig() names 'dibao_standrad', which is not in "
     "the catalogue"),
    ("templates/social_assistance.j2", 'pct("poor_backstop_total", "poor_unlifted_total")',
     'pct("poor_backstop_total", ["poor_unlifted_totl"])', "poor_unlifted_totl"),
    ("templates/charts.yml", "indicators: [volunteers_registered,",
     "indicators: [volunteers_registred,", "'volunteers_registred' is not in the catalogue"),
    ("templates/charts.yml", "select: {measure: rate}", "select: {mesure: rate}",
     "select by 'mesure', which is not a column"),
    ("templates/measures.yml", "running_total:\n", "running_totals:\n",
     "no sentence for the measure 'running_total'"),
])
def test_validate_names_a_misspelt_id_in_a_template_with_file_and_line(
        project_copy, file, old, new, message):
    """A misspelt id would silently drop its sentence or chart: validate refuses it."""
    path = project_copy.root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "analysis", "validate", "--root",
                             str(project_copy.root)], capture_output=True, text=True,
                            timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 2 and message in output, output
    assert "Traceback" not in output
