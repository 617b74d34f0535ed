"""The narrative of each page: the area's template sentences (templates/<area>.j2, rendered
by `analysis.statements.prose` with every number linked to its provenance), the overview's
headlines, the summary of the checks and of the audit. Everything returned is an HTML
fragment in which text from the data is escaped.
"""

from __future__ import annotations

import re
from datetime import date

from pandas import DataFrame

from analysis.checks import targets
from analysis.checks.audit import audit as run_audit
from analysis.checks.rules import (
    FAILS,
    HOLDS,
    NOT_JUDGED,
    UNKNOWN_IN_FORCE,
    VERDICT_ZH,
    WITHIN,
)
from analysis.dataset.project import Project
from analysis.dataset.wording import PLAN_TRACKING, labels
from analysis.escape import html_text
from analysis.statements.prose import area_sentences, derived
from analysis.view import PeriodView

sentences = area_sentences  # every figure of the area, in its template's sentences or others


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def _items(texts: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{t}</li>" for t in texts) + "</ul>"


def area_text(view: PeriodView, area: str) -> str:
    """Narrative paragraph(s) of one work area for the period (HTML): every figure of the
    area in a sentence."""
    found = sentences(view, area)
    if not found:
        return _paragraphs([f"<time>{html_text(view.label)}</time>的报告没有这一领域的数字。"])
    return _paragraphs(found)


def headline(view: PeriodView, area: str) -> str | None:
    """The first sentence of an area (for the overview)."""
    found = sentences(view, area)
    return found[0] if found else None


def quality(view: PeriodView) -> str:
    """Summary of the check verdicts, naming each check that does not hold."""
    results = [r for r in view.checks if r.verdict in (HOLDS, WITHIN, FAILS)]
    unknown = sum(r.verdict == UNKNOWN_IN_FORCE for r in view.checks)
    unjudged = sum(r.verdict == NOT_JUDGED for r in view.checks)
    counts = {v: sum(r.verdict == v for r in results) for v in (HOLDS, WITHIN, FAILS)}

    def n(value: int, what: str) -> str:
        return derived(value, f"下表中{what}的核验项数", "#checks")

    if not results and not unknown and not unjudged:
        return _paragraphs(["本期报告的数字之间没有本书可以核验的算术关系或适用的政策规则。"])
    text = (f"本期数据共核验{n(len(results), '适用')}项：{n(counts[HOLDS], VERDICT_ZH[HOLDS])}项"
            f"{VERDICT_ZH[HOLDS]}，{n(counts[WITHIN], VERDICT_ZH[WITHIN])}项{VERDICT_ZH[WITHIN]}，"
            f"{n(counts[FAILS], VERDICT_ZH[FAILS])}项{VERDICT_ZH[FAILS]}。")
    if unknown:
        text += (f"另有{derived(unknown, '下表中适用时间或地区未查明的规则数', '#checks')}项"
                 "外部规则的适用时间或地区未查明，只列出按规则计算的结果，不作判断。")
    if unjudged:
        text += (f"{'还有' if unknown else '另有'}"
                 f"{derived(unjudged, '表后所列不作判断的核验数', '#checks')}项核验不作判断"
                 "（如数字的时点不同、口径报告未说明），原因列在核验表后。")
    failing = [r for r in results if r.verdict == FAILS]
    if not failing:
        return _paragraphs([text])
    return _paragraphs([text + "不一致的项目是报告自身数字之间的差异，如实列出："]) + _items(
        [f"<strong>{html_text(r.title_zh)}</strong>："
         f"{derived(r.detail, '核验的计算过程', '#checks')}" for r in failing])


def overview(view: PeriodView) -> str:
    """One headline sentence per work area present in the period (an HTML list)."""
    areas = view.dataset.config.areas
    lines = [f"<strong>{html_text(names[0])}</strong>：{line}" for area, names in areas.items()
             if (line := headline(view, area)) is not None]
    if not lines:
        return _paragraphs([f"<time>{html_text(view.label)}</time>的报告没有可展示的数字。"])
    return _items(lines)


def source(view: PeriodView) -> str:
    """Where the period's figures come from (source.yml): title and 文号, issuer, date, web
    address (a link only when it is one), and whether only part of the report was read.
    Names and addresses are marked as names, the date as a date: they are not figures."""
    meta = view.dataset.source(view.period)
    title = str(meta.get("title") or "").strip()
    if not title:
        return _paragraphs(["本期数据没有登记出处文件（本期文件夹中的 source.yml）。"])

    def name(text: str) -> str:
        return f'<span class="name">{html_text(text)}</span>'

    parts = [f"本期数字出自《{name(title)}》"]
    if number := str(meta.get("doc_number") or "").strip():
        parts[0] += f"（{name(number)}）"
    if issuer := str(meta.get("issuer") or "").strip():
        parts.append(f"发文单位：{name(issuer)}")
    try:
        day = date.fromisoformat(str(meta.get("date") or ""))
        parts.append(f'日期：<time datetime="{day.isoformat()}">'
                     f"{day.year}年{day.month}月{day.day}日</time>")
    except ValueError:
        parts.append("文件未写明日期")
    url = str(meta.get("url") or "").strip()
    if re.fullmatch(r"https?://[^\s\"'<>]+", url):
        parts.append(f'网址：<a href="{html_text(url)}">{name(url)}</a>')
    text = "；".join(parts) + "。"
    if view.source_partial:
        text += "出处仅为报告的部分文字：只录入了能读到的部分。"
    return _paragraphs([text])


def audit(view: PeriodView) -> str:
    """Result of the audit of the report text (when the period has source.txt)."""

    folder = view.project.period_dir(view.period)
    partial = "出处仅为报告的部分文字：本期数字只录自能读到的部分，报告其余部分的数字未录入。"
    if not (folder / "source.txt").exists():
        return _paragraphs([partial] if view.source_partial else [
            "本期没有报告全文，不做录入完整性核查。"])
    result = run_audit(folder)
    total = len(result.captured) + len(result.excluded) + len(result.unexplained)
    text_name = "所存的报告文字" if view.source_partial else "报告全文"
    def n(value: int, what: str) -> str:
        return derived(value, f"逐处识别{text_name}中的数字后{what}的处数", "#audit")

    lead = partial if view.source_partial else ""
    text = (f"{lead}{text_name}中共识别出{n(total, '得到')}处数字："
            f"{n(len(result.captured), '已录入')}处已录入（对应本期录入的"
            f"{derived(len(view.figures), '本期录入的数字个数', '#audit')}个数字，"
            "同一数字在原文中可出现不止一处），"
            f"{n(len(result.excluded), '注明不录入理由')}处为日期、序号或名称等，"
            "并注明了不录入的理由，"
            f"{n(len(result.unexplained), '未解释')}处未解释。"
            "逐处的清单在本期 Excel 工作簿的“录入完整性”表中。")
    if result.unexplained:
        text += "未解释的数字：" + "、".join(derived(m.text, "报告原文", "#audit")
                                     for m in result.unexplained) + "。"
    return f'<div id="audit">{_paragraphs([text])}</div>'


def targets_summary(status: DataFrame, project: Project | None = None) -> str:
    """One sentence counting targets by kind and by status (an HTML paragraph); status codes
    are shown with the labels of templates/plan_tracking.yml."""
    if status.empty:
        return "<p>本期报告没有提出可跟踪的目标。</p>"
    words = labels(PLAN_TRACKING, project)
    counts, kinds = status["status"].value_counts(), status["kind"].value_counts()
    parts = [derived(counts[s], f"下表中状态为“{words['status'][s]}”的目标数", "#targets")
             + f"项{words['status'][s]}" for s in targets.STATUSES if s in counts]
    split = "，".join(words["kind"][k] + derived(kinds[k], f"下表中{words['kind'][k]}的个数",
                                                 "#targets") + "项"
                     for k in (targets.COUNT, targets.RATE) if k in kinds)
    total = derived(len(status), "下表所列目标数", "#targets")
    return f"<p>共{total}项目标（{split}）：" + "，".join(parts) + "。</p>"
