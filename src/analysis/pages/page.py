"""What a notebook cell shows: narrative, charts with their tables, provenance, checks."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis.charts.builders import Placed
from analysis.charts.chart import Chart
from analysis.checks.rules import NOT_APPLICABLE, NOT_JUDGED, results_frame
from analysis.checks.targets import COUNT, RATE
from analysis.dataset.project import Project
from analysis.dataset.wording import PLAN_TRACKING, labels
from analysis.errors import UserError
from analysis.escape import html_text
from analysis.meaning.semantics import (
    date_words,
    deadline_text,
    section_cell,
    section_zh,
    when_text,
)
from analysis.meaning.written import number_text, reader_cell, reader_note, share_text
from analysis.pages.appendix import TRENDS_FOLDER, download_names, trends_download_names
from analysis.statements.prose import anchor, check_linked
from analysis.view import PeriodView

if TYPE_CHECKING:
    from analysis.pages.trends import Changes


def text(fragment: str) -> None:
    """Show generated narrative: an HTML fragment in which every text from the data was
    escaped where it was inserted (see `analysis.escape`); the MyST parser never reads it.
    Raises ValueError (failing the cell, and so the build) when a number in it has no
    provenance link."""
    check_linked(fragment)
    display(HTML(f'<div class="policy-text">{fragment}</div>'))


def chart(item: Chart | None, anchor: str = "", number: str = "") -> None:
    """Show a chart (image with alt text and source), or say that the period lacks its data;
    `anchor` gives the chart an id that prose can link to, `number` its exhibit number."""
    if anchor:
        display(HTML(f'<div id="{html_text(anchor)}"></div>'))
    if item is None:
        display(Markdown("*本期没有绘制此图所需的数字。*"))
    else:  # rendered here, so that a drawing error fails the cell (a display hook would
        display(HTML(item.html(citation(item, number), number)))  # only print it)


CODE_COLUMNS = {"indicator", "地区代码", "代码", "indicator_id"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$")


def scroll(table_html: str, label: str) -> str:
    """A table in a region that scrolls sideways on a phone and is reachable by keyboard."""
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{html_text(label)}">'
            f"{table_html}</div>")


def citation(item: Chart, number: str = "", edition: str = "") -> str:
    """How to cite a chart: the book, the edition (a period's) and the exhibit's number (the
    caption says the title and the source once); a chart without a number by its title."""

    try:
        title = Project.find().config.title
    except UserError:  # a chart drawn outside a project: cite the chart alone
        title = ""
    return "".join(x for x in (title and f"《{title}》", edition and f"（{edition}）",
                               number or f"“{item.title}”") if x)


def downloads(view: PeriodView) -> None:
    """Links to the period's figures (the files the book build writes under downloads/)."""

    pid = view.period.id
    links = "".join(f'<li><a href="../../downloads/{pid}/{html_text(name)}" download>'
                    f"{html_text(what)}</a></li>" for name, what in download_names(pid).items())
    display(HTML(f'<ul class="period-downloads">{links}</ul>'))


def frame(data: pd.DataFrame, label: str = "数据表") -> None:
    """Show a table for readers: no code columns, values formatted, no row index (plain
    HTML: stable under nbval)."""
    display(HTML(frame_html(data, label)))


def frame_html(data: pd.DataFrame, label: str = "数据表") -> str:
    """The reader table of `frame` as HTML."""
    shown = data.drop(columns=[c for c in data.columns if c in CODE_COLUMNS])
    if "章节" in shown:
        shown = shown.assign(章节=shown["章节"].map(section_cell))
    rows = [[_cell_html(reader_cell(v)) for v in row] for row in shown.itertuples(index=False)]
    return scroll(table_html([html_text(str(c)) for c in shown.columns], rows), label)


def table_html(headers: list[str], rows: list[list[str]],
               row_ids: list[str] | None = None) -> str:
    """A reader table from cells that are already HTML. Each cell names its column
    (data-label), so that on a phone a table of more than three columns shows each row as a
    block of 列名：值 lines instead of a strip to scroll (book/_static/policybook.css)."""
    stack = " stackable" if len(headers) > 3 else ""
    ids = [f' id="{i}"' for i in row_ids] if row_ids else [""] * len(rows)
    body = "".join(
        f"<tr{rid}>" + "".join(f'<td data-label="{h}">{c}</td>'
                               for h, c in zip(headers, row, strict=True)) + "</tr>"
        for rid, row in zip(ids, rows, strict=True))
    return (f'<table class="dataframe policy-table{stack}"><thead><tr>'
            + "".join(f"<th>{h}</th>" for h in headers) + f"</tr></thead><tbody>{body}"
            "</tbody></table>")


_URL = re.compile(r"^(?P<before>[^<>\s]*?)(?P<url>https?://(?P<host>[A-Za-z0-9.-]+)[^\s<>\"']*)$")


def _cell_html(text: str) -> str:
    """A table cell's HTML: escaped text; a source address as a short link (its site)."""
    match = _URL.match(text)
    if match is None:
        return html_text(text)
    return (f'{html_text(match["before"])}<a href="{html_text(match["url"])}" rel="noopener">'
            f'{html_text(match["host"])}</a>')


def reader_data(data: pd.DataFrame) -> pd.DataFrame:
    """A chart's numbers for readers: where the report's writing is given (报告数值: 9万余人,
    2.13亿元), the plotted value (90,000, 213,000,000) is left to the CSV download, so that no
    approximate figure reads as an exact one."""
    if "报告数值" not in data:
        return data
    return data.drop(columns=[c for c in data.columns
                              if c != "报告数值" and pd.api.types.is_numeric_dtype(data[c])])


def charts(items: list[Placed]) -> None:
    """An area's charts, each under its heading and introduction (templates/charts.yml),
    with its numbers in a table that opens below it; one line when there is none."""
    if not items:
        display(HTML("<p>本期没有可以绘图的数字。</p>"))
    for n, item in enumerate(items, start=1):  # 图2-1: chapter 2's first chart (one
        number = f"图{item.chapter}-{n}" if item.chapter else f"图{n}"  # edition per period)
        words = (f"<h3>{html_text(item.heading)}</h3>" if item.heading else "") + (
            f"<p>{html_text(item.intro)}</p>" if item.intro else "")
        if item.anchor:
            words += f'<div id="{html_text(item.anchor)}"></div>'
        display(HTML(words + item.chart.html(citation(item.chart, number, item.edition),
                                             number)))
        name = f"{number}的数据"
        display(HTML(f'<details class="chart-data"><summary>{html_text(name)}</summary>'
                     f"{frame_html(reader_data(item.chart.data), name)}</details>"))


def table(item: Chart | None) -> None:
    """Show a chart's numbers as a table (nbval checks these)."""
    if item is not None:
        frame(item.data, f"{item.title}的数据")


def verbatim(quote: str) -> str:
    """The report's own words, marked as a verbatim quote (the book's style rules do not
    apply to them: analysis.statements.zh_style)."""
    return f'<span class="verbatim">{html_text(quote)}</span>'


def _named(row: pd.Series) -> str:
    """An indicator's label with its Chinese definition (指标解释) as its tooltip."""
    definition = row.get("definition_zh", "")
    if not isinstance(definition, str) or not definition:
        return html_text(row["label_zh"])
    return (f'<span class="name" title="指标解释：{html_text(definition)}">'
            f'{html_text(row["label_zh"])}</span>')


def trace(view: PeriodView, area: str) -> None:
    """Every figure of the area with its scope, window, section and verbatim quote; each row
    carries the anchor that the numbers in the prose link to. An area with more figures than
    data/project.yml's `page_rows` lists the figures the prose can cite (the latest of each
    indicator for the period's place), then others up to the limit, and says where all are."""
    rows = view.figures[view.figures["area"] == area]
    total, note, limit = len(rows), "", view.project.config.page_rows
    if total > limit:
        main = rows[rows["geo"] == view.geo]
        cited = [view.row(i) for i in dict.fromkeys(main["indicator"])]
        cited_ids = {anchor(r) for r in cited}
        others = [r for _, r in rows.head(2 * limit).iterrows()
                  if anchor(r) not in cited_ids][:max(0, limit - len(cited))]
        rows = pd.DataFrame([*cited, *others])

        pid = view.period.id
        links = "、".join(f'<a href="../../downloads/{pid}/{name}" download>{what}</a>'
                         for name, what in zip(download_names(pid), ("CSV", "Excel"), strict=False))
        note = (f'<p class="trace-note">本领域共有{number_text(total)}条数字，'
                f"下表列出{html_text(view.place)}各指标的最新数字{number_text(len(cited))}条"
                f"和其他{number_text(len(others))}条；全部数字及其原文见本期"
                f"下载文件（{links}）。</p>")
    notes = [reader_note(r) for _, r in rows.iterrows()]
    said = any(notes)  # the entry's caveats (原文未说明…), where it has any
    cells = [[_named(r)] + [html_text(c) for c in (
        r["geo_zh"], view.written(r["indicator"], r["geo"]),
        when_text(view.catalogue, r), section_zh(r["section"]))] + [verbatim(r["quote"])]
        + ([html_text(n)] if said else []) for (_, r), n in zip(rows.iterrows(), notes,
                                                                 strict=True)]
    head = ["指标", "地区", "数值", "范围与时段", "章节", "原文"] + (["说明"] if said else [])
    ids = [anchor(r) for _, r in rows.iterrows()]
    display(HTML(note + scroll(table_html(head, cells, ids), "本页数字的出处")))


def changes(item: Changes) -> None:
    """Show the changes across periods: the full table, or (past the page's limit) one row
    per indicator and place, saying so and linking the download that holds every row; one
    line when no indicator appears in two periods."""
    if item.shown.empty:
        display(HTML("<p>还没有在两期或更多期出现的指标，暂无逐期变化。</p>"))
        return
    if item.summary:

        links = "、".join(f'<a href="downloads/{TRENDS_FOLDER}/{name}" download>{what}</a>'
                         for name, what in zip(trends_download_names(), ("CSV", "Excel"),
                                               strict=True))
        cut = (f"；本页只列出其中{number_text(len(item.shown))}组（先列本地），"
               f"其余{number_text(item.left_out)}组从略"
               if item.left_out else "")
        display(HTML(f'<p class="trace-note">逐期数字共{number_text(item.rows)}行，'
                     f"超过本页可列的{number_text(item.limit)}行。"
                     f"下表每个指标和地区（共{number_text(item.groups)}组）"
                     f"只列一行：已知值个数，最早、前一和最新的已知值，以及最近一次的变化"
                     f"{cut}。全部逐期数字见下载文件（{links}）。</p>"))
    frame(item.shown, "各指标的逐期变化")


def checks(view: PeriodView) -> None:
    """Show the check verdicts as a Chinese table."""
    results = results_frame(view.checks)
    display(HTML('<div id="checks"></div>'))
    if results.empty:
        return
    shown = results[~results["verdict"].isin([NOT_APPLICABLE, NOT_JUDGED])]
    if len(shown):
        frame(pd.DataFrame({
            "核验": shown["title_zh"], "结果": shown["verdict_zh"],
            "数字": shown["detail"], "依据": shown["basis"],
        }))
    rules, reasons, lacking = [], [], []
    for _, r in results.iterrows():
        title, why = html_text(r["title_zh"]), html_text(r["detail"].split("；")[0])
        if r["verdict"] == NOT_JUDGED:  # its figures are there, but they cannot settle it
            reasons.append(f"{title}：{why}")
        elif r["verdict"] != NOT_APPLICABLE:
            continue
        elif r["detail"].startswith("规则"):  # a rule of other places or times
            rules.append(f"{title}（{why}）")
        elif any(view.has(i) for i in r["indicators"]):  # some of its figures, not all
            lacking.append(title)
    parts = ([f"本期不适用的规则：{'；'.join(rules)}。"] if rules else []) + (
        [f"不作判断的核验：{'；'.join(reasons)}。"] if reasons else []) + (
        [f"另有{len(lacking)}项核验（{'；'.join(lacking)}）所需的部分数字本期报告没有给出，"
         "未作核验。"] if lacking else [])
    if parts:  # one line: checks whose figures are all absent are not about this report
        display(HTML("<p>" + "".join(parts) + "</p>"))


def _share(value: float) -> str:
    return "" if pd.isna(value) else share_text(value)


def _points(value: float) -> str:
    return "" if pd.isna(value) else f"{value:g}"


def target_tables(status: pd.DataFrame, project: Project | None = None) -> dict[str, pd.DataFrame]:
    """The plan-tracking tables for readers, by kind of target (count targets with their
    completion share beside the time elapsed; rate targets with their distance in
    percentage points), headed with the labels of templates/plan_tracking.yml."""
    words = labels(PLAN_TRACKING, project)
    heads, statuses = words["columns"], words["status"]
    common = ["label_zh", "geo_zh", "goal", "deadline", "latest", "latest_as_of"]
    out = {}
    for kind, extra in ((COUNT, ["completion", "time_elapsed"]), (RATE, ["gap_points"])):
        rows = status[status["kind"] == kind]
        if rows.empty:
            continue
        table = rows[common].assign(
            deadline=rows["deadline"].map(deadline_text),
            latest_as_of=[date_words(when, how) if when else "" for when, how
                          in zip(rows["latest_as_of"], rows["latest_assumed"], strict=True)],
            completion=rows["progress"].map(_share), time_elapsed=rows["time_elapsed"].map(_share),
            gap_points=rows["gap_points"].map(_points), status=rows["status"].map(statuses),
            section=rows["section"], note=[reader_note(r) for _, r in rows.iterrows()])
        notes = ["note"] if table["note"].astype(bool).any() else []  # Chinese notes only
        extra = [c for c in extra if table[c].astype(bool).any()]  # no column left empty
        out[words["kind"][kind]] = table[common + extra + ["status", "section"] + notes].rename(
            columns=heads)
    return out


def targets(status: pd.DataFrame, project: Project | None = None) -> None:
    """Show the plan-tracking tables, numbered 表1, 表2: count targets and rate targets apart."""
    display(HTML('<div id="targets"></div>'))
    for n, (kind, table) in enumerate(target_tables(status, project).items(), start=1):
        display(HTML(f'<p class="table-title"><span class="exhibit-number">表{n}</span>'
                     f"　{html_text(kind)}</p>"))
        frame(table, f"表{n} {kind}")
