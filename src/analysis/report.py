"""Terminal reports for `policybook validate` and `policybook audit`."""

from __future__ import annotations

from rich.console import Console

from analysis.checks import FAILS, HOLDS, NOT_APPLICABLE, WITHIN, evaluate, load_checks
from analysis.figures import load_figures
from analysis.periods import Period
from analysis.project import Project
from analysis.schema import validate_period

STYLE = {HOLDS: "green", WITHIN: "yellow", FAILS: "bold red", NOT_APPLICABLE: "dim"}


def print_validation(project: Project, periods: list[Period], out: Console) -> bool:
    """Print schema problems and check verdicts; False if the data breaks the contract."""
    checks = load_checks(project.catalogue / "checks.yml")
    ok = True
    for period in periods:
        problems = validate_period(project, period.id)
        if problems:
            ok = False
            out.print(f"[bold red]{period.id}: {len(problems)} problem(s) in the data[/]")
            for problem in problems:
                out.print(f"  {problem}", markup=False)
            continue
        figures = load_figures(project, period.id)
        out.print(f"[bold]{period.id}[/]: {len(figures)} figures conform to the contract")
        results = evaluate(checks, figures)
        for result in results:
            out.print(f"  [{STYLE[result.verdict]}]{result.verdict:<21}[/] {result.id}: "
                      f"{result.title_zh}")
            out.print(f"  {'':<21} {result.detail}", markup=False)
        counts = {v: sum(r.verdict == v for r in results) for v in STYLE}
        out.print(", ".join(f"{n} {v}" for v, n in counts.items()))
    return ok


def print_audit(project: Project, period: str, out: Console) -> bool:
    """Print the audit of a period's source text; False if any mention is unexplained."""
    from analysis.audit import audit

    result = audit(project.period_dir(period))
    out.print(f"{period}: {len(result.captured)} mentions captured in figures/targets, "
              f"{len(result.excluded)} excluded with a reason, "
              f"{len(result.unexplained)} unexplained")
    for mention in result.unexplained:
        out.print(f"  unexplained: section {mention.section}, line {mention.line}: "
                  f"{mention.text!r}", markup=False)
    return not result.unexplained
