"""The 要点 paragraph that opens each work area's page: what the figures show against the
targets a source set, the previous comparable period and comparable peers, and the findings
of the checks. Every comparison goes through the catalogue's semantics (only like with like)
and every number is linked to its provenance.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from analysis.checks.rules import FAILS, NOT_APPLICABLE
from analysis.checks.targets import track
from analysis.meaning.concepts import (
    COMPARABLE,
    comparability_group,
    concept_of,
    not_comparable,
    unified_standards,
)
from analysis.meaning.semantics import day_text, month_zh, section_zh
from analysis.statements.prose import Absent, Prose, derived
from analysis.view import PeriodView

MAX_CHANGES = 3


def name(text: str) -> Markup:
    """A name from the data (may hold digits that are not figures)."""
    return Markup('<span class="name">') + escape(text) + Markup("</span>")


def day(iso: str) -> Markup:
    from datetime import date


    return Markup(f'<time datetime="{escape(iso)}">') + escape(
        day_text(date.fromisoformat(iso))) + Markup("</time>")


def month(as_of: str) -> Markup:
    """The month (or whole year) of a figure, as a <time> element (see semantics.month_zh)."""
    return Markup(f'<time datetime="{escape(as_of)}">') + escape(month_zh(as_of)) + Markup(
        "</time>")


def _targets(view: PeriodView, prose: Prose, area: str) -> list[Markup]:

    status = track(view.project, view.period.id, view.geo)
    if status.empty:
        return []
    areas = view.catalogue.by_id["area"]
    status = status[status["indicator"].map(areas) == area]
    out = []
    for _, row in status.iterrows():
        goal = derived(row["目标值"], f"报告{section_zh(row['章节'])}：{row['原文']}",
                       "plan_tracking.html#targets")
        text = (Markup("计划目标：到") + day(row["期限"]) + Markup("，") + name(row["目标"])
                + Markup("达到") + Markup(goal))
        try:
            text += Markup("；本期为") + prose.fig(row["indicator"]) + escape(f"，{row['状态']}")
        except Absent:
            text += escape(f"，{row['状态']}")
        out.append(text)
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
    ids = set(view.figures.loc[view.figures["area"] == area, "indicator"])
    out = []
    for result in view.checks:
        if result.verdict == FAILS and ids & set(result.indicators):
            out.append(Markup("核验“") + name(result.title_zh) + escape("”不一致（")
                       + Markup(derived(result.detail, "核验的计算过程", "overview.html#checks"))
                       + Markup("）"))
    return out


def keypoints(view: PeriodView, area: str) -> str:
    """The 要点 paragraph of an area (HTML)."""
    prose = Prose(view)
    parts = (_targets(view, prose, area) + _changes(view, prose, area) + _peers(view, area)
             + _findings(view, area))
    if not parts:
        ids = set(view.figures.loc[view.figures["area"] == area, "indicator"])
        checked = any(ids & set(r.indicators) for r in view.checks
                      if r.verdict != NOT_APPLICABLE)
        return ("<p>本期这一领域没有可与计划目标或上一报告期比较的数字；"
                + ("涉及这一领域的核验都相符。" if checked else "本期没有涉及这一领域的核验。")
                + "各项数字见下文。</p>")
    return "<p>" + "；".join(parts) + "。</p>"
