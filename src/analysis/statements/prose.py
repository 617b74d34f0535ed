"""Generated prose from editable templates, every number linked to its provenance.

Each work area's sentences live in templates/<area>.j2 (Jinja2, HTML autoescaped), one
sentence or paragraph per block, blocks separated by a blank line. A block whose figures are
absent from the period is left out. Inside a block:

- `fig(id[, geo])`: the figure as written (3.46万人), followed by its scope and window in
  full-width brackets when they are not simply the period and the place (427家（市民政局登记）).
- `pct(num, den)`, `ratio(a, b)`, `monthly(amount, count)`: derived numbers, computed only
  between comparable figures (same kind of measure, window, scope and unit; a NotComparable
  error names the figures otherwise), printed no more precisely than their inputs and marked
  as computed; `den` may be a list (a sum).
- `target_gap(id)`: percentage points to a target that targets.csv sets (absent otherwise).
- `label(id)`, `place`, `period`, `geo_list(id)`, `date(id)`.

Every number is a link: hovering shows the clause and section it came from (for a derived
number, its formula and inputs), clicking jumps to the row of the page's source table.
`check_linked` refuses prose with a number outside such a link (dates are <time> elements).

A template is data, not code: it holds text and `{{ ... }}` calls of the functions above
with literal arguments, nothing else (no attributes, filters, tags or other names;
`template_problems` says where), rendered in Jinja's immutable sandbox. The markup of a
page comes only from those functions: `<`, `>` and `&` in a template's text are shown as
written, never taken as HTML.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import jinja2
import pandas as pd
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from analysis.dataset.catalogue import load_catalogue
from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError, echo
from analysis.language import _
from analysis.meaning.concepts import parts_of
from analysis.meaning.semantics import (
    FLOW,
    MEASURES,
    RUNNING,
    STOCK,
    NotComparable,
    Window,
    day_text,
    meaning,
    qualifier_parts,
    require_comparable,
    section_zh,
    start_assumed,
    start_note,
)

_BLANK = re.compile(r"\n\s*\n")
MEASURE_SENTENCES = "measures.yml"  # templates/measures.yml: sentences by measure


def derived(value: object, title: str, href: str) -> str:
    """A number computed by the book (a count of checks, of targets): linked to what it
    counts, with its explanation on hover."""
    return (f'<a class="prov derived" href="{escape(href)}" title="{escape(title)}">'
            f"{escape(value)}</a>")


class Absent(LookupError):
    """A figure the block needs is not in the period: the block is left out."""


def anchor(row: pd.Series) -> str:
    """The id of a figure's row in its page's source table."""
    key = f"{row['indicator']}-{row['geo']}-{row['as_of']}"
    return "src-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


MAX_DECIMALS = 2


def precision_digits(values: list[str]) -> int:
    """Significant digits of the least precise written input (3.46 -> 3; 630 -> 3; 9 -> 1),
    at least 2 so that a share of small counts stays readable."""
    digits = [len(Decimal(v).as_tuple().digits) for v in values]
    return max(2, min(digits)) if digits else 3


def round_sig(x: float, digits: int) -> str:
    """x with `digits` significant digits (trailing zeros kept: 1.30) and at most two
    decimals, never in exponent notation."""
    if x == 0:
        return "0"
    value = Decimal(repr(x))
    exponent = value.adjusted() - digits + 1
    decimals = min(MAX_DECIMALS, max(0, -exponent))
    return f"{round(value, decimals if decimals else min(0, -exponent)):f}"


class Prose:
    """Renders one area's template for a period's view."""

    def __init__(self, view, prefix: str = "") -> None:
        self.view = view
        self.catalogue = view.catalogue
        self.prefix = prefix  # where the period's pages are, seen from the page being written
        self.cited: set[tuple[str, str]] = set()  # (indicator, geo) of the rendered blocks
        self._block_cites: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------ links
    def page_of(self, indicator: str) -> str:
        """The page whose source table holds the indicator's row (its work area's page)."""
        if not hasattr(self, "_pages"):
            areas = self.catalogue.by_id["area"].to_dict()
            by_area = {nb.needs: nb.name for nb in self.view.dataset.config.period_notebooks}
            self._pages = {i: f"{by_area[a]}.html" if a in by_area else ""
                           for i, a in areas.items()}
        return self._pages.get(indicator, "")

    def where_said(self, section: str) -> str:
        """Where a figure is said, as a tooltip names it: 《the source's title》 and the
        clause (报告 and the clause when source.yml gives no title)."""
        title = str(self.view.dataset.source(self.view.period).get("title") or "").strip()
        return f"{f'《{title}》' if title else '报告'}{section_zh(section)}"

    def link(self, text: str, row: pd.Series, title: str, derived: bool = False) -> Markup:
        href = f"{self.prefix}{self.page_of(row['indicator'])}#{anchor(row)}"
        cls = "prov derived" if derived else "prov"
        return Markup(f'<a class="{cls}" href="{escape(href)}" title="{escape(title)}">'
                      f"{escape(text)}</a>")

    def row(self, indicator: str, geo: str | None = None) -> pd.Series:
        try:
            row = self.view.row(indicator, geo)
        except KeyError:  # the period has no such figure: the block is left out
            raise Absent(indicator) from None
        self._block_cites.add((row["indicator"], row["geo"]))
        return row

    # ------------------------------------------------------------------ fields
    def fig(self, indicator: str, geo: str | None = None) -> Markup:
        row = self.row(indicator, geo)
        link = self.link(self.view.written(indicator, geo), row,
                         f"{self.where_said(row['section'])}：{row['quote']}")
        scope, window = qualifier_parts(self.catalogue, row, self.view.period)
        words = [escape(scope)] if scope else []
        if window:
            machine = row["as_of"].split("/")[-1] if start_assumed(row) else row["as_of"]
            words.append(Markup(f'<time datetime="{escape(machine)}">') + escape(window)
                         + Markup("</time>"))
        return link + (Markup("（") + Markup("，").join(words) + Markup("）") if words
                       else Markup(""))

    def label(self, indicator: str) -> Markup:
        """The indicator's label; its Chinese definition (指标解释) is the tooltip."""
        row = self.row(indicator)
        definition = row.get("definition_zh", "")
        title = (Markup(' title="指标解释：') + escape(definition) + Markup('"')
                 if isinstance(definition, str) and definition else Markup(""))
        return Markup('<span class="name"') + title + Markup(">") + escape(
            row["label_zh"]) + Markup("</span>")

    def date(self, indicator: str) -> Markup:
        end = Window.of(self.row(indicator)["as_of"]).end
        return Markup(f'<time datetime="{end.isoformat()}">{escape(day_text(end))}</time>')

    def _sum(self, ids) -> tuple[list[pd.Series], float]:
        ids = [ids] if isinstance(ids, str) else list(ids)
        rows = [self.row(i) for i in ids]
        return rows, sum(float(r["base_value"]) for r in rows)

    def _inputs_text(self, rows: list[pd.Series]) -> str:
        return " + ".join(self.view.written(r["indicator"], r["geo"]) for r in rows)

    def pct(self, num, den) -> Markup:
        """num / den in percent, between figures of one kind, window and scope."""
        nums, n = self._sum(num)
        dens, d = self._sum(den)
        for other in nums[1:] + dens:
            require_comparable(self.catalogue, nums[0], other, what="a share")
        if d == 0:
            raise Absent("zero denominator")
        digits = precision_digits([r["value"] for r in nums + dens])
        value = round_sig(100 * n / d, digits)
        title = f"计算值：（{self._inputs_text(nums)}）÷（{self._inputs_text(dens)}）×100%"
        return self.link(f"{value}%", nums[0], title, derived=True) + Markup("（计算值）")

    def ratio(self, a: str, b: str) -> Markup:
        """a / b (e.g. one standard over another): same kind of measure, date and unit."""
        ra, rb = self.row(a), self.row(b)
        require_comparable(self.catalogue, ra, rb, what="a ratio")
        if float(rb["base_value"]) == 0:
            raise Absent("zero denominator")
        digits = precision_digits([ra["value"], rb["value"]])
        value = round_sig(float(ra["base_value"]) / float(rb["base_value"]), digits)
        title = f"计算值：{self.view.written(a)} ÷ {self.view.written(b)}"
        return self.link(f"{value}倍", ra, title, derived=True) + Markup("（计算值）")

    def monthly(self, amount: str, count: str) -> Markup:
        """An amount paid over a window ÷ recipients at its end ÷ its months (an estimate)."""
        ra, rc = self.row(amount), self.row(count)
        ma, mc = meaning(self.catalogue, amount), meaning(self.catalogue, count)
        wa, wc = Window.of(ra["as_of"]), Window.of(rc["as_of"])
        if ma.measure != FLOW or mc.measure != STOCK:
            raise NotComparable(f"a monthly average needs a flow and a stock: {amount} is "
                                f"{ma.measure}, {count} is {mc.measure}")
        if wa.months is None:  # a spending given at a date has no months to average over
            raise Absent(f"{amount} has no window")
        if wc.start is not None or wc.end != wa.end:
            raise NotComparable(f"a monthly average needs the count at the end of the "
                                f"amount's window: {ra['as_of']} vs {rc['as_of']}")
        digits = precision_digits([ra["value"], rc["value"]])
        value = round_sig(float(ra["base_value"]) / float(rc["base_value"]) / wa.months, digits)
        title = (f"估算：{self.view.written(amount)}（{self.view.when(amount)}）"
                 f" ÷ {self.view.written(count)}（{day_text(wc.end)}） ÷ {wa.months}个月"
                 + start_note(ra))
        return self.link(f"{value}元", ra, title, derived=True) + Markup(
            "（估算值，按期内资金与期末人数折算）")

    def target_gap(self, indicator: str) -> Markup:
        """Percentage points from a rate to the target targets.csv sets for it."""
        row = self.row(indicator)
        targets = self.view.dataset.all_targets(self.view.period)
        targets = targets[(targets["indicator"] == indicator) & (targets["geo"] == row["geo"])]
        if targets.empty:
            raise Absent(f"no target for {indicator}")
        target = targets.iloc[-1]
        gap = Decimal(target["value"]) - Decimal(row["value"])  # both in percent
        decimals = max(-Decimal(v).as_tuple().exponent for v in (row["value"], target["value"]))
        title = (f"计算值：目标{target['value']}%（{self.where_said(target['section'])}："
                 f"{target['quote']}）"
                 f" − {row['value']}%")
        return self.link(f"{round(gap, decimals):f}个百分点", row, title, derived=True) + Markup(
            "（计算值）")

    def geo_list(self, indicator: str) -> Markup:
        rows = self.view.figures[(self.view.figures["indicator"] == indicator)
                                 & (self.view.figures["geo"] != self.view.home)]
        if rows.empty:
            raise Absent(indicator)
        return Markup("、").join(escape(r["geo_zh"]) + self.fig(indicator, r["geo"])
                                for _, r in rows.iterrows())

    # ------------------------------------------------------------------ rendering
    def context(self) -> dict:
        view = self.view
        return {"fig": self.fig, "label": self.label, "pct": self.pct, "ratio": self.ratio,
                "monthly": self.monthly, "target_gap": self.target_gap, "date": self.date,
                "geo_list": self.geo_list,
                "place": Markup('<span class="name">') + escape(view.place) + Markup("</span>"),
                "period": Markup(f"<time>{escape(view.label)}</time>")}

    def render(self, block: str, **extra) -> str | None:
        """One block rendered in the sandbox (None when a figure it needs is absent); the
        figures it cites join `cited`."""
        self._block_cites = set()
        try:
            text = _environment().from_string(block).render({**self.context(), **extra})
        except Absent:
            return None
        self.cited |= self._block_cites
        return " ".join(text.split()) or None

    def blocks(self, template_text: str, name: str = "template") -> list[str]:
        """Each block of a template rendered; blocks with absent figures left out. Raises
        `TemplateRefused` for what a template may not hold (`template_problems`)."""
        problems = template_problems(template_text, name)
        if problems:
            raise TemplateRefused("; ".join(str(p) for p in problems))
        out = []
        for block in _BLANK.split(template_text.strip()):
            if not block.strip() or block.lstrip().startswith("{#") and block.rstrip().endswith(
                    "#}"):
                continue
            if text := self.render(block):
                out.append(text)
        return out

    def uncited(self, figures: pd.DataFrame, sentences: dict) -> list[str]:
        """Sentences for the figures no block cited: a total with its parts in one sentence
        (the catalogue's `part_of`, wording `parts`), the rest in the report's order, one
        sentence for each run of figures of one measure in one section, up to `per_sentence`
        figures in each (templates/measures.yml)."""
        if problems := measure_problems(sentences):  # only text and the names it is given
            raise TemplateRefused("; ".join(str(p) for p in problems))
        rest = figures[[(i, g) not in self.cited
                        for i, g in zip(figures["indicator"], figures["geo"], strict=True)]]
        rest = rest.drop_duplicates(["indicator", "geo"])
        out = []
        if isinstance(sentences.get("parts"), dict) and not rest.empty:
            out, rest = self._totals_with_parts(rest, sentences)
        runs: list[tuple[tuple[str, str], list[pd.Series]]] = []
        for _index, r in rest.iterrows():
            key = (r["section"], meaning(self.catalogue, r["indicator"]).measure)
            if runs and runs[-1][0] == key:
                runs[-1][1].append(r)
            else:
                runs.append((key, [r]))
        size = int(sentences.get("per_sentence", 4))
        for (_section, measure), rows in runs:
            wording = sentences.get(measure)
            if not rows or not isinstance(wording, dict) or measure == "parts":
                continue
            for start in range(0, len(rows), size):
                items = [i for r in rows[start:start + size] if (i := self._item(wording, r))]
                if items:
                    text = self.render(wording["sentence"], items=Markup("，").join(items))
                    out += [text] if text else []
        return out

    def _item(self, wording: dict, r: pd.Series) -> Markup | None:
        """One figure said by `wording['item']` (its label, the figure linked, its place
        when it is not the page's)."""
        geo = "" if r["geo"] == self.view.geo else r["geo_zh"]
        name = Markup('<span class="name">')
        item = self.render(wording["item"], label=name + escape(r["label_zh"]) + Markup(
            "</span>"), fig=self.fig(r["indicator"], r["geo"]),
            geo=name + escape(geo) + Markup("</span>") if geo else "")
        return Markup(item) if item else None

    def _totals_with_parts(self, rest: pd.DataFrame,
                           sentences: dict) -> tuple[list[str], pd.DataFrame]:
        """A sentence for each uncited total with uncited parts of the same place (the
        total said as its measure says it, then `parts.item` for each part); the figures
        left over."""
        out, used, declared = [], set(), parts_of(self.catalogue)
        keys = set(zip(rest["indicator"], rest["geo"], strict=True))
        for _index, r in rest.iterrows():
            total = (r["indicator"], r["geo"])
            parts = [p for p in declared.get(r["indicator"], [])
                     if (p, r["geo"]) in keys and (p, r["geo"]) not in used]
            wording = sentences.get(meaning(self.catalogue, r["indicator"]).measure)
            if not parts or total in used or not isinstance(wording, dict):
                continue
            head = self._item(wording, r)
            rows = rest[(rest["indicator"].isin(parts)) & (rest["geo"] == r["geo"])]
            items = [i for _, p in rows.iterrows() if (i := self._item(sentences["parts"], p))]
            if head and items:
                text = self.render(sentences["parts"]["sentence"], total=head,
                                   items=Markup("、").join(items))
                out += [text] if text else []
                used |= {total, *((p, r["geo"]) for p in parts)}
        left = [(i, g) not in used for i, g in zip(rest["indicator"], rest["geo"], strict=True)]
        return out, rest[left]


# ---------------------------------------------------------------------------- templates

FUNCTIONS = frozenset({"fig", "label", "pct", "ratio", "monthly", "target_gap", "date",
                       "geo_list"})
VALUES = frozenset({"place", "period"})
_ALLOWED = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.List,
            nodes.Tuple, nodes.Name, nodes.Call)
_TEMPLATE_FIX = ("a template holds text and {{ fig(\"indicator\") }}-style calls of "
                 + ", ".join(sorted(FUNCTIONS | VALUES)) + " with literal arguments only")


class TemplateRefused(ValueError):
    """A prose template holds something other than text and calls of the prose functions."""


class _TextIsText(Extension):
    """A template's own text is text: `<`, `>` and `&` in it are escaped (the markup of a
    page comes only from the prose functions, which return `Markup`)."""

    def filter_stream(self, stream: TokenStream) -> TokenStream:
        def tokens():
            for token in stream:
                if token.type == "data":
                    token = Token(token.lineno, "data", token.value.replace(
                        "&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                yield token
        return TokenStream(tokens(), stream.name, stream.filename)


_ENV: ImmutableSandboxedEnvironment | None = None


def _environment() -> ImmutableSandboxedEnvironment:
    """The sandboxed environment templates render in: no globals, HTML autoescaped."""
    global _ENV
    if _ENV is None:
        _ENV = ImmutableSandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined,
                                             keep_trailing_newline=False,
                                             extensions=[_TextIsText])
        _ENV.globals.clear()
    return _ENV


def _refused(node: nodes.Node) -> str:
    if isinstance(node, nodes.Call):
        callee = node.node
        if not isinstance(callee, nodes.Name):
            return "only the prose functions can be called"
        if callee.name not in FUNCTIONS:
            return f"`{callee.name}` is not one of the prose functions"
        return f"`{callee.name}(...)` takes literal arguments only (no keywords, no *args)"
    if isinstance(node, nodes.Name):
        return f"the name `{node.name}` is not one of the prose functions and values"
    kind = type(node).__name__
    return f"{_KINDS.get(kind, f'`{kind}`')} is not allowed"


_KINDS = {"Assign": "`{% set %}`", "AssignBlock": "`{% set %}`", "Getattr": "attribute access",
          "Getitem": "subscription (`[...]`)", "Filter": "a filter (`|`)", "If": "`{% if %}`",
          "For": "`{% for %}`", "Macro": "`{% macro %}`", "Import": "`{% import %}`",
          "FromImport": "`{% from %}`", "Include": "`{% include %}`",
          "Extends": "`{% extends %}`"}


MEASURE_NAMES = frozenset({"geo", "label", "fig", "items", "place", "period", "total"})


def template_problems(text: str, name: str, indicators: set[str] | None = None,
                      names: frozenset[str] | None = None) -> list[Problem]:
    """What in a prose template is not text or a call of the prose functions with literal
    arguments, and (given the catalogue's `indicators`) every indicator id it names that the
    catalogue lacks, each with its line (`name` is the file shown)."""
    try:
        tree = _environment().parse(text)
    except jinja2.TemplateSyntaxError as exc:
        return [Problem(name, _("line {lineno}: {message}").format(
                                  lineno=exc.lineno,
                                  message=exc.message), _TEMPLATE_FIX)]
    problems = []

    def visit(node: nodes.Node) -> None:
        bad = not isinstance(node, _ALLOWED)
        if isinstance(node, nodes.Name):
            bad = node.ctx != "load" or node.name not in (names or FUNCTIONS | VALUES)
        elif isinstance(node, nodes.Call):
            bad = names is not None or (  # the sentences by measure call nothing
                not isinstance(node.node, nodes.Name) or node.node.name not in FUNCTIONS
                or bool(node.kwargs or node.dyn_args or node.dyn_kwargs))
        if bad:
            problems.append(Problem(name, _("line {lineno}: {node}").format(
                                              lineno=node.lineno,
                                              node=_refused(node)),
                                    _TEMPLATE_FIX))
            return
        if isinstance(node, nodes.Call) and indicators is not None:
            args = node.args[:1] if node.node.name == "fig" else node.args  # fig(id, geo)
            ids = [c.value for a in args for c in ([a] if isinstance(a, nodes.Const)
                                                   else getattr(a, "items", []))
                   if isinstance(c, nodes.Const) and isinstance(c.value, str)]
            problems.extend(Problem(name, _("line {lineno}: {name}() names {i}, which is not in "
                                            "the catalogue").format(
                                              lineno=node.lineno, name=node.node.name,
                                              i=echo(i)),
                                    _("use an id of data/catalogue/indicators.csv (a misspelt id "
                                      "would drop its sentence)"))
                            for i in ids if i not in indicators)
        for child in node.iter_child_nodes():
            visit(child)

    visit(tree)
    return problems


def template_path(project, area: str) -> Path:
    return project.root / "templates" / f"{area}.j2"


def measure_sentences(project) -> dict:
    """templates/measures.yml: the wording for figures no area template cites."""
    path = project.root / "templates" / MEASURE_SENTENCES
    if not path.is_file():
        raise UserError(
            Problem(
                str(path),
                _("missing: the sentences for figures that no template of a work area cites"),
                _("copy templates/measures.yml from the project this book was started from"),
            )
        )
    wording = load_yaml(path)
    if not isinstance(wording, dict):
        raise UserError(
            Problem(str(path), _("not a mapping"), _("write measure: {item:, sentence:}"))
        )
    return wording


def check_templates(project) -> list[Problem]:
    """The problems of every prose template of the project (templates/*.j2: what a template
    may hold, indicator ids the catalogue lacks) and of templates/measures.yml (a sentence
    for every measure)."""
    indicators = set(load_catalogue(project).indicators["id"])
    folder = project.root / "templates"
    problems = []
    for path in sorted(folder.glob("*.j2")) if folder.is_dir() else []:
        rel = path.relative_to(project.root).as_posix()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(
                Problem(
                    rel, _("cannot be read ({exc})").format(exc=exc), _("save it as UTF-8 text")
                )
            )
            continue
        problems += template_problems(text, rel, indicators)
    if not folder.is_dir():  # a project without wording renders no prose (nothing to check)
        return problems
    try:
        wording = measure_sentences(project)
    except UserError as exc:
        return problems + exc.problems
    return problems + measure_problems(wording)


def measure_problems(wording: dict) -> list[Problem]:
    """What templates/measures.yml cannot say: a measure without its item and sentence, a
    sentence that is more than text and the names it is given ({{ label }}, {{ fig }}...),
    a `per_sentence` that is not a small whole number."""
    file, problems = f"templates/{MEASURE_SENTENCES}", []
    size = wording.get("per_sentence", 4)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 20:
        problems.append(
            Problem(
                file,
                _("per_sentence must be a whole number from 1 to 20, not {size}").format(
                    size=echo(size)
                ),
                _("write per_sentence: 4"),
            )
        )
    for measure in (*MEASURES, *(["parts"] if "parts" in wording else [])):
        entry = wording.get(measure)
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("item"), str)
            and isinstance(entry.get("sentence"), str)
        ):
            problems.append(
                Problem(
                    file,
                    _("no sentence for the measure {measure!r}").format(measure=measure),
                    _(
                        "write {measure}: {{item: ..., sentence: ...}} (see the other measures)"
                    ).format(measure=measure),
                )
            )
            continue
        for key in ("item", "sentence"):
            problems += template_problems(
                entry[key], f"{file} ({measure}.{key})", names=MEASURE_NAMES
            )
    return problems


def area_sentences(view, area: str) -> list[str]:
    """The area's sentences for the period (HTML): its template's blocks, then a sentence
    for the figures no block cites (by measure), so that every figure is spoken."""
    path = template_path(view.project, area)
    prose = Prose(view)
    out = (
        prose.blocks(path.read_text(encoding="utf-8"), f"templates/{area}.j2")
        if path.exists()
        else []
    )
    figures = view.figures[view.figures["area"] == area]
    return out + prose.uncited(figures, measure_sentences(view.project))


_LINKED = re.compile(
    r'<a class="prov[^"]*"[^>]*>.*?</a>|<time[^>]*>.*?</time>|'
    r'<span class="name">.*?</span>|<[^>]+>',
    re.S,
)


def check_linked(html: str) -> None:
    """Raise ValueError when generated prose holds a number outside a provenance link."""
    bare = _LINKED.sub("", html)
    found = re.search(r"[0-9０-９]+", bare)
    if found:
        start = max(0, found.start() - 30)
        raise ValueError(
            "generated prose has a number without a provenance link: "
            f"…{bare[start : found.end() + 30]}…"
        )


__all__ = [
    "Absent",
    "NotComparable",
    "Prose",
    "TemplateRefused",
    "anchor",
    "area_sentences",
    "check_linked",
    "check_templates",
    "template_problems",
    "RUNNING",
]
