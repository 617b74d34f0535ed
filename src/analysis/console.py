"""Terminal reports for `policybook validate` and `policybook audit`."""

from __future__ import annotations

from rich.cells import set_cell_size
from rich.console import Console
from rich.markup import escape

from analysis.charts.builders import spec_problems
from analysis.checks.audit import audit
from analysis.checks.rules import (
    FAILS,
    HOLDS,
    NOT_APPLICABLE,
    NOT_JUDGED,
    UNKNOWN_IN_FORCE,
    WITHIN,
    period_results,
)
from analysis.dataset.loader import load_dataset
from analysis.dataset.periods import Period
from analysis.dataset.project import Project
from analysis.dataset.schema import source_notes
from analysis.errors import Problem, UserError, echo, terminal_text
from analysis.language import _
from analysis.statements.prose import check_templates

STYLE = {HOLDS: "green", WITHIN: "yellow", FAILS: "bold red", NOT_APPLICABLE: "dim",
         UNKNOWN_IN_FORCE: "cyan", NOT_JUDGED: "cyan"}


def shown(text: object) -> str:
    """Data text for a line printed with rich markup: no escape codes, no markup."""
    return escape(terminal_text(text))


def print_validation(project: Project, periods: list[Period], out: Console) -> bool:
    """Print schema problems and check verdicts (for each period's main place, as the book
    shows them); False if the data breaks the contract."""

    try:
        dataset = load_dataset(project)
    except UserError as exc:
        out.print("[bold red]" + _("{count} problem(s) in the data").format(
            count=len(exc.problems)) + "[/]")
        for problem in exc.problems:
            out.print(f"  {terminal_text(problem)}", markup=False)
        return False
    problems = check_templates(project) + spec_problems(project)
    if problems:
        out.print("[bold red]" + _("{count} problem(s) in the templates").format(
            count=len(problems)) + "[/]")
        for problem in problems:
            out.print(f"  {problem}", markup=False)
        return False
    for period in periods:
        dataset.period(period)
        figures = dataset.figures[period.id]
        place = dataset.main_geo(period)
        out.print(_("{period}: {count} figures conform to the contract; checks for "
                    "{place}").format(period=f"[bold]{period.id}[/]", count=len(figures),
                                      place=shown(place)), markup=True)
        for note in source_notes(dataset.source(period)):
            out.print(f"  [yellow]{_('note')}[/] {shown(note)}")
        results = period_results(dataset, period)
        held = set(figures["indicator"])
        # a check none of whose figures the period has is not about this report: counted only
        absent = [r for r in results if r.verdict == NOT_APPLICABLE
                  and not held.intersection(r.indicators)]
        for result in (r for r in results if r not in absent):
            verdict = set_cell_size(_(result.verdict), 24)  # CJK: two cells a char
            out.print(f"  [{STYLE[result.verdict]}]{verdict}[/] {shown(result.id)}: "
                      f"{shown(result.title_zh)}")
            out.print(f"  {'':<24} {terminal_text(result.detail)}", markup=False)
        counts = {v: sum(r.verdict == v for r in results) for v in STYLE}
        out.print(", ".join(f"{n} {_(v)}" for v, n in counts.items()))
        if absent:
            out.print(_("{count} check(s) need figures this period does not have: not "
                        "listed").format(count=len(absent)))
    return True


def print_audit(project: Project, period: str, out: Console) -> bool:
    """Print the audit of a period's source text; False if any mention is unexplained."""

    folder = project.period_dir(period)
    if not (folder / "source.txt").is_file():
        raise UserError(Problem(str(folder / "source.txt"), _("no report text to audit"),
                                _("save the report's full text there (UTF-8); a notice entered "
                                  "without its text cannot be audited")))
    result = audit(folder)
    out.print(_("{period}: {captured} mentions captured in figures/targets, {excluded} "
                "excluded with a reason, {unexplained} unexplained").format(
                    period=period, captured=len(result.captured),
                    excluded=len(result.excluded), unexplained=len(result.unexplained)),
              markup=False)
    for mention in result.unexplained:
        out.print(_("  unexplained: section {section}, line {line}: {text}").format(
            section=mention.section, line=mention.line, text=echo(mention.text)), markup=False)
    return not result.unexplained
