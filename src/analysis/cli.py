"""The `policybook` command line (also `python -m analysis`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from analysis.errors import UserError
from analysis.periods import parse_period
from analysis.project import Project

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Civil-affairs policy book: validate data, execute notebooks, build the book.",
)
console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

RootOption = Annotated[
    str | None, typer.Option("--root", help="Project directory (default: found from cwd).")
]
PeriodArg = Annotated[str, typer.Argument(help="Period id: 2020, 2020H1, 2020Q3.")]
OptionalPeriod = Annotated[
    str | None, typer.Argument(help="Period id (default: every period in data/periods/).")
]


JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, help="Notebooks executed in parallel (default: one per core).")]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="Re-execute every notebook (and rebuild the HTML), changed or not.")]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress (for CI): only the summary and errors.")]
FreshKernelsOption = Annotated[bool, typer.Option(
    "--fresh-kernels", help="A new kernel for every notebook instead of warm ones (slower).")]


def _project(root: str | None) -> Project:
    """The project, after finishing or undoing an import that was killed midway."""
    from analysis.importer import recover_interrupted

    project = Project.find(root)
    recover_interrupted(project)
    return project


@app.command()
def validate(period: OptionalPeriod = None, root: RootOption = None) -> None:
    """Check the data against the contract, then print every check's verdict."""
    from analysis.report import print_validation

    project = _project(root)
    periods = [parse_period(period)] if period else project.periods()
    if not print_validation(project, periods, console):
        raise typer.Exit(2)


@app.command()
def audit(period: PeriodArg, root: RootOption = None) -> None:
    """List every numeric mention in source.txt and whether it is captured or excluded."""
    from analysis.report import print_audit

    project = _project(root)
    if not print_audit(project, parse_period(period).id, console):
        raise typer.Exit(1)


@app.command()
def run(
    period: OptionalPeriod = None,
    root: RootOption = None,
    jobs: JobsOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
    fresh_kernels: FreshKernelsOption = False,
) -> None:
    """Execute the notebooks of one period (or all) whose inputs changed, into book/periods/<P>/."""
    from analysis.pipeline import run as run_notebooks

    run_notebooks(_project(root), parse_period(period).id if period else None, jobs=jobs,
                  force=force, quiet=quiet, fresh_kernels=fresh_kernels)


@app.command()
def build(
    root: RootOption = None,
    jobs: JobsOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
    fresh_kernels: FreshKernelsOption = False,
) -> None:
    """Execute the notebooks whose inputs changed, then build the HTML book (if it changed)."""
    from analysis.pipeline import build_book
    from analysis.pipeline import run as run_notebooks

    project = _project(root)
    run_notebooks(project, jobs=jobs, force=force, quiet=quiet, fresh_kernels=fresh_kernels)
    index = build_book(project, force=force, quiet=quiet)
    console.print(f"book built: {index}")


@app.command()
def export(
    period: PeriodArg,
    out: Annotated[str, typer.Argument(help="Path of the .xlsx file to write.")],
    root: RootOption = None,
) -> None:
    """Write the period's figures, checks and catalogue to a formatted Excel workbook."""
    from pathlib import Path

    from analysis.export import export as export_xlsx
    from analysis.view import PeriodView

    if not out.endswith(".xlsx"):
        raise UserError(f"{out}: the export must be an .xlsx file")
    project = _project(root)
    view = PeriodView.load(project.root, parse_period(period).id)
    console.print(f"written: {export_xlsx(view, Path(out))}")


@app.command("new-period")
def new_period(period: PeriodArg, root: RootOption = None) -> None:
    """Create data/periods/<P>/ with an Excel entry workbook (refuses an existing period)."""
    from analysis.workbook import new_period as create

    path = create(Project.find(root), period)
    console.print(f"created {path}\nfill it in, then: policybook import {period} {path}")


@app.command("import")
def import_(
    period: PeriodArg,
    file: Annotated[str, typer.Argument(help="Filled entry workbook (.xlsx) or figures .csv.")],
    root: RootOption = None,
) -> None:
    """Validate a filled workbook or CSV and write the period's files (all or nothing)."""
    from pathlib import Path

    from analysis.importer import import_period

    project = _project(root)
    folder = import_period(project, period, Path(file))
    console.print(f"imported into {folder}; next: policybook build")


def main() -> None:
    """Entry point: user errors exit 2 with their message, never a traceback."""
    from analysis.pipeline import NotebookFailed

    try:
        app()
    except UserError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False)
        sys.exit(2)
    except NotebookFailed as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
