"""Terminal reports for `policybook validate` and `policybook audit`."""

from __future__ import annotations

from rich.console import Console

from analysis.checks.rules import FAILS, HOLDS, NOT_APPLICABLE, WITHIN
from analysis.dataset.periods import Period
from analysis.dataset.project import Project
from analysis.errors import Problem, UserError

STYLE = {HOLDS: "green", WITHIN: "yellow", FAILS: "bold red", NOT_APPLICABLE: "dim"}


def print_validation(project: Project, periods: list[Period], out: Console) -> bool:
    """Print schema problems and check verdicts (for each period's main place, as the book
    shows them); False if the data breaks the contract."""
    from analysis.dataset.loader import load_dataset
    from analysis.statements.prose import check_templates

    try:
        dataset = load_dataset(project)
    except UserError as exc:
        out.print(f"[bold red]{len(exc.problems)} problem(s) in the data[/]")
        for problem in exc.problems:
            out.print(f"  {problem}", markup=False)
        return False
    problems = check_templates(project)
    if problems:
        out.print(f"[bold red]{len(problems)} problem(s) in the prose templates[/]")
        for problem in problems:
            out.print(f"  {problem}", markup=False)
        return False
    for period in periods:
        dataset.period(period)
        figures = dataset.figures[period.id]
        place = dataset.main_geo(period)
        out.print(f"[bold]{period.id}[/]: {len(figures)} figures conform to the contract; "
                  f"checks for {place}", markup=True)
        results = dataset.check_results(period)
        for result in results:
            out.print(f"  [{STYLE[result.verdict]}]{result.verdict:<21}[/] {result.id}: "
                      f"{result.title_zh}")
            out.print(f"  {'':<21} {result.detail}", markup=False)
        counts = {v: sum(r.verdict == v for r in results) for v in STYLE}
        out.print(", ".join(f"{n} {v}" for v, n in counts.items()))
    return True


def print_audit(project: Project, period: str, out: Console) -> bool:
    """Print the audit of a period's source text; False if any mention is unexplained."""
    from analysis.checks.audit import audit

    folder = project.period_dir(period)
    if not (folder / "source.txt").is_file():
        raise UserError(Problem(str(folder / "source.txt"), "no report text to audit",
                                "save the report's full text there (UTF-8); a notice entered "
                                "without its text cannot be audited"))
    result = audit(folder)
    out.print(f"{period}: {len(result.captured)} mentions captured in figures/targets, "
              f"{len(result.excluded)} excluded with a reason, "
              f"{len(result.unexplained)} unexplained")
    for mention in result.unexplained:
        out.print(f"  unexplained: section {mention.section}, line {mention.line}: "
                  f"{mention.text!r}", markup=False)
    return not result.unexplained
