"""The 要点 paragraph that opens each work area's page: what the figures show against the
targets a source set, the previous comparable period and comparable peers, and the findings
of the checks. Every comparison goes through the catalogue's semantics (only like with like)
and every number is linked to its provenance.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from analysis.checks.rules import FAILS
from analysis.checks.targets import RATE, track
from analysis.dataset.figures import DATE_ASSUMED
from analysis.dataset.wording import PLAN_TRACKING, labels
from analysis.meaning.concepts import (
    COMPARABLE,
    comparability_group,
    concept_of,
    not_comparable,
    unified_standards,
)
from analysis.meaning.semantics import date_words, deadline_text, month_zh
from analysis.meaning.written import share_text
from analysis.statements.narrative import headline
from analysis.statements.prose import Absent, Prose, derived
from analysis.view import PeriodView

MAX_CHANGES = 3


def name(text: str) -> Markup:
    """A name from the data (may hold digits that are not figures)."""
    return Markup('<span class="name">') + escape(text) + Markup("</span>")


def due(deadline: str) -> Markup:
    """A target's deadline as a <time> element (see semantics.deadline_text)."""
    return Markup(f'<time datetime="{escape(deadline)}">') + escape(
        deadline_text(deadline)) + Markup("</time>")


def month(as_of: str) -> Markup:
    """The month (or whole year) of a figure, as a <time> element (see semantics.month_zh)."""
    return Markup(f'<time datetime="{escape(as_of)}">') + escape(month_zh(as_of)) + Markup(
        "</time>")


def _targets(view: PeriodView, prose: Prose, area: str) -> list[Markup]:
    """Where each target of the area stands: a count's completion share beside the share of
    the time to its deadline elapsed (时间进度); a rate's distance in percentage points."""

    status = track(view.project, view.period.id, view.geo)
    if status.empty:
        return []
    words = labels(PLAN_TRACKING, view.project)["status"]
    areas = view.catalogue.by_id["area"]
    status = status[status["indicator"].map(areas) == area]
    out = []
    for _, row in status.iterrows():
        goal = derived(row["goal"], f"{prose.where_said(row['section'])}：{row['quote']}",
                       "plan_tracking.html#targets")
        text = (Markup("报告提出的目标：") + due(row["deadline"]) + Markup("，")
                + name(row["label_zh"]) + Markup("达到") + Markup(goal))
        said = escape(f"，{words[row['status']]}")
        try:
            latest = prose.fig(row["indicator"])
            undated = row["latest_assumed"] == DATE_ASSUMED  # not "本期为": its date is unknown
            text += Markup("；报告给出的数为" if undated else "；本期为") + latest
        except Absent:
            out.append(text + said)
            continue
        if row["kind"] == RATE and row["gap_points"] == row["gap_points"]:
            gap = derived(f"{row['gap_points']:g}", f"计算值：{row['goal']} − {row['latest']}",
                          "plan_tracking.html#targets")
            text += Markup("，距目标") + Markup(gap) + Markup("个百分点（计算值）")
        elif row["progress"] == row["progress"]:
            done = derived(share_text(row["progress"]), f"计算值：{row['latest']} ÷ {row['goal']}",
                           "plan_tracking.html#targets")
            text += Markup("，完成") + Markup(done) + Markup("（计算值）")
            if row["time_elapsed"] == row["time_elapsed"]:
                at = date_words(row["latest_as_of"], row["latest_assumed"])
                elapsed = derived(share_text(row["time_elapsed"]),
                                  f"计算值：到{at}，"
                                  f"{deadline_text(row['deadline'])}的时间已过的比例（按月计）",
                                  "plan_tracking.html#targets")
                text += Markup("，时间进度") + Markup(elapsed)
        out.append(text + said)
    return out


def _changes(view: PeriodView, prose: Prose, area: str) -> list[Markup]:

    dataset = view.dataset
    earlier = [p for p in dataset.periods if p.end < view.period.start]
    if not earlier:
        return []
    previous = PeriodView.load(view.project.root, earlier[-1].id)
    before = Prose(previous, prefix=f"../{previous.period.id}/")
    rows = view.figures[(view.figures["area"] == area) & (view.figures["geo"] == view.geo)]
    out = []
    for indicator in dict.fromkeys(rows["indicator"]):
        if not previous.has(indicator, view.geo):
            continue
        # the same place in both periods (the previous period may be about another place)
        old, new = previous.row(indicator, view.geo), view.row(indicator)
        if not_comparable(dataset, indicator, old["as_of"], new["as_of"]):
            continue
        when = Markup(f"<time>{escape(previous.label)}</time>")
        if old["base_value"] == new["base_value"]:
            out.append(name(new["label_zh"]) + Markup("与") + when + Markup("持平（")
                       + prose.fig(indicator) + Markup("）"))
        else:
            out.append(name(new["label_zh"]) + Markup("由") + when + Markup("的")
                       + before.fig(indicator, view.geo) + Markup("变为") + prose.fig(indicator))
        if len(out) == MAX_CHANGES:
            break
    return out


def _peers(view: PeriodView, area: str) -> list[Markup]:
    """Comparable peers of the area's standards: the same year's standards of whole places
    (the comparator chart's first group)."""

    standards = unified_standards(view.dataset)
    own = [i for i in standards if view.has(i)
           and view.catalogue.by_id.at[i, "area"] == area]
    if not own:
        return []
    year = int(view.row(own[0])["as_of"].split("/")[-1][:4])
    concept = concept_of(view.dataset)
    comp = view.dataset.comparators
    comp = comp[comp["indicator"].map(concept).isin(standards)
                & comp["value_monthly_yuan"].notna() & (comp["geo"] != view.geo)]
    peers = [r for _, r in comp.iterrows() if comparability_group(r, year) == COMPARABLE]
    if not peers:
        return []
    items = [name(f"{r['geo_label_zh']}{r['label_zh']}") + Markup(derived(
        f"{float(r['value_monthly_yuan']):.0f}元/人/月", f"{r['reliability_zh']}：{r['url']}",
        "#comparators")) + Markup("（") + month(r["as_of"]) + escape(f"，{r['reliability_zh']}")
        + Markup("）") for r in peers]
    prose = Prose(view)
    mine = Markup("、").join(name(view.row(i)["label_zh"]) + prose.fig(i) for i in own)
    return [Markup("本地") + mine + Markup("；同一年份其他地区的标准：") + Markup("、").join(items)
            + Markup("（执行时间不同，仅供参考）")]


def _findings(view: PeriodView, area: str) -> list[Markup]:
    """Checks of the area that fail by more than a slip of rounding (slips are listed with
    the checks, not here)."""
    ids = set(view.figures.loc[view.figures["area"] == area, "indicator"])
    out = []
    for result in view.checks:
        if result.verdict == FAILS and not result.rounding_slip and ids & set(result.indicators):
            out.append(Markup("核验“") + name(result.title_zh) + escape("”不一致（")
                       + Markup(derived(result.detail, "核验的计算过程", "overview.html#checks"))
                       + Markup("）"))
    return out


def _reported(view: PeriodView, area: str) -> Markup:
    """What an area with nothing to compare does report: its first sentence (the one its
    template leads with, as the overview shows it)."""
    first = headline(view, area)
    if first is None:
        return Markup("本期报告没有给出这一领域的数字")
    return (Markup("本期报告：") + Markup(first.strip().removesuffix("。"))
            + Markup("；这一领域没有报告提出的目标，也没有上一报告期的可比数字"))


def keypoints(view: PeriodView, area: str) -> str:
    """The 要点 paragraph of an area (HTML): first what changed against the previous
    comparable period, then where the targets stand against the time elapsed (or, with
    neither, what the report says first), comparable peers, and checks that fail by more
    than rounding."""
    prose = Prose(view)
    own = _changes(view, prose, area) + _targets(view, prose, area)
    parts = (own or [_reported(view, area)]) + _peers(view, area) + _findings(view, area)
    return "<p>" + "；".join(parts) + "。</p>"
