"""The `policybook` command line (also `python -m analysis`)."""

from __future__ import annotations

import shlex
import sys
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console

from analysis.dataset.periods import parse_period
from analysis.dataset.project import Project
from analysis.errors import NotebookFailed, UserError, reported, terminal_text
from analysis.errors import problem as os_problem

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
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS",
    help="Run the notebooks on a Dask cluster (tcp://host:8786); needs the dask extra.")]
FreshKernelsOption = Annotated[bool, typer.Option(
    "--fresh-kernels", help="A new kernel for every notebook instead of warm ones (slower).")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        console.print(f"policybook {version('civil-affairs-policybook')}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
          = False) -> None:
    """Civil-affairs policy book: validate data, execute notebooks, build the book."""


def _project(root: str | None) -> Project:
    """The project, after finishing or undoing an import that was killed midway (an import
    leaves only dot-files behind: without any, the importer is not even loaded)."""
    project = Project.find(root)
    project.check_links()
    periods = project.data / "periods"
    if (periods.is_dir() and any(p.name.startswith(".") for p in periods.iterdir())) or any(
            p.name.startswith(".") for p in project.catalogue.iterdir()):
        # deferred: loaded only by the command that needs it (start-up speed)
        from analysis.intake.importer import recover_interrupted

        recover_interrupted(project)
    return project


@app.command()
def validate(period: OptionalPeriod = None, root: RootOption = None) -> None:
    """Check the data against the contract, then print every check's verdict."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.console import print_validation

    project = _project(root)
    periods = [parse_period(period)] if period else project.periods()
    if not print_validation(project, periods, console):
        raise typer.Exit(2)


@app.command()
def audit(period: PeriodArg, root: RootOption = None) -> None:
    """List every numeric mention in source.txt and whether it is captured or excluded."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.console import print_audit

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
    scheduler: SchedulerOption = None,
) -> None:
    """Execute the notebooks of one period (or all) whose inputs changed, into book/periods/<P>/."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.build.pipeline import run as run_notebooks

    with _executor(scheduler) as executor:
        run_notebooks(_project(root), parse_period(period).id if period else None, jobs=jobs,
                      force=force, quiet=quiet, fresh_kernels=fresh_kernels, executor=executor)


@contextmanager
def _executor(scheduler: str | None):
    """None (a local process pool), or the executor of the Dask cluster at `scheduler`."""
    if scheduler is None:
        yield None
        return
    scheme, _, address = scheduler.rpartition("://")
    if scheme not in ("", "tcp") or not address.strip():
        raise UserError(f"--scheduler {scheduler}: give the scheduler's address as "
                        "tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786): policybook connects over "
                        "plain TCP only (tls://, ucx://, ws:// are not supported)")
    try:
        from distributed import Client
    except ImportError:
        raise UserError("--scheduler needs Dask's distributed: install the dask extra "
                        "(uv sync --extra dask, or pip install distributed)") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise UserError(f"no Dask scheduler at {scheduler} ({exc}): start one with "
                        "`dask scheduler` and workers with `dask worker ADDRESS`, in the "
                        "checkout (shared or copied) with the policybook kernel") from None
    try:
        yield client.get_executor()
    finally:
        client.close()


@app.command()
def build(
    root: RootOption = None,
    jobs: JobsOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
    fresh_kernels: FreshKernelsOption = False,
    scheduler: SchedulerOption = None,
    editions: Annotated[bool, typer.Option(
        "--print/--no-print", help="Also write each period's print edition (PDF, Word).")]
    = True,
) -> None:
    """Execute the notebooks whose inputs changed, then build the HTML book (if it changed)
    and the print editions."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.build.hashing import nothing_to_build, record_build, sources_hash

    project = _project(root)
    if not force and nothing_to_build(project):
        if not quiet:
            err.print("nothing changed since the last build: no notebook run, Sphinx skipped")
        console.print(f"book built: {project.book / '_build' / 'html' / 'index.html'}")
    else:
        # deferred: loaded only by the command that needs it (start-up speed)
        from analysis.build.pipeline import build_book
        from analysis.build.pipeline import run as run_notebooks

        sources = sources_hash(project)  # before the run: an edit made meanwhile counts
        with _executor(scheduler) as executor:
            run_notebooks(project, jobs=jobs, force=force, quiet=quiet,
                          fresh_kernels=fresh_kernels, executor=executor)
        index = build_book(project, force=force, quiet=quiet)
        with reported(project.book / "_build", "recording the build"):
            record_build(project, sources)
        console.print(f"book built: {index}")
    if editions:
        _print_all(project, quiet)


def _print_all(project: Project, quiet: bool) -> None:
    """The print editions of every period (the PDF only where WeasyPrint can run)."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.pages.print_editions import print_editions, weasyprint_missing

    if (missing := weasyprint_missing()) is not None:
        console.print(f"print editions: Word only (WeasyPrint cannot run: {missing}; "
                      "apt-get install libpango-1.0-0 libpangoft2-1.0-0)")
    for period in project.periods():
        written = print_editions(project, period.id, only_if_stale=True)
        if not quiet:
            console.print("print edition: " + ", ".join(str(p) for p in written))


@app.command()
def export(
    period: PeriodArg,
    out: Annotated[str, typer.Argument(help="Path of the .xlsx file to write.")],
    root: RootOption = None,
) -> None:
    """Write the period's figures, checks and catalogue to a formatted Excel workbook."""
    from pathlib import Path

    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.pages.export import check_target
    from analysis.pages.export import export as export_xlsx
    from analysis.view import PeriodView

    target = Path(out)
    check_target(target)  # before the data is loaded: a wrong path fails at once
    project = _project(root)
    view = PeriodView.load(project.root, parse_period(period).id)
    console.print(f"written: {export_xlsx(view, target)}")


@app.command("print")
def print_(
    period: PeriodArg,
    out: Annotated[str | None, typer.Option(
        "--out", help="Folder for the PDF and .docx (default: book/_build/print/).")] = None,
    root: RootOption = None,
) -> None:
    """Write a period's print edition: a PDF (WeasyPrint) and a Word document."""
    from pathlib import Path

    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.pages.print_editions import print_editions

    project = _project(root)
    for path in print_editions(project, parse_period(period).id, Path(out) if out else None):
        console.print(f"written: {path}")


@app.command()
def kernel() -> None:
    """Register the Jupyter kernel `policybook` for this Python (venv or conda environment)."""
    import sys

    from ipykernel.kernelspec import install

    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.build.worker import KERNEL

    path = install(kernel_name=KERNEL, display_name="Python (policybook)", prefix=sys.prefix)
    console.print(f"kernel '{KERNEL}' installed in {path}")


@app.command()
def init(
    folder: Annotated[str, typer.Argument(help="New project folder (absent or empty).")],
    geo: Annotated[str, typer.Option(help="GB/T 2260 code of the home place.")],
    name: Annotated[str, typer.Option(help="Chinese name of the home place (霍邱县).")],
    parent: Annotated[str | None, typer.Option(
        help="GB/T 2260 code of the place it belongs to, for a place not yet in geo.csv "
             "(it is added to the new book's geo.csv).")] = None,
    root: RootOption = None,
) -> None:
    """Start a book for another city or county: shared catalogue, notebooks, no periods."""
    from pathlib import Path

    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.intake.new_book import init_project

    created = init_project(Project.find(root), Path(folder), geo, name, parent)
    console.print(f"created {created.root}; next: policybook new-period P --root {folder}")


@app.command("new-period")
def new_period(period: PeriodArg, root: RootOption = None) -> None:
    """Create data/periods/<P>/ with an Excel entry workbook (refuses an existing period)."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.intake.workbook import new_period as create

    project = _project(root)
    path = create(project, period)
    hint = project.command(f"import {parse_period(period).id} {shlex.quote(str(path))}")
    console.print(f"created {path}\nfill it in, then: {hint}")


@app.command("import")
def import_(
    period: PeriodArg,
    file: Annotated[str, typer.Argument(help="Filled entry workbook (.xlsx) or figures .csv.")],
    root: RootOption = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace a period that already has figures (the changes are "
        "listed without it).")] = False,
) -> None:
    """Validate a filled workbook or CSV and write the period's files (all or nothing)."""
    from pathlib import Path

    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.intake.importer import import_period

    project = _project(root)
    folder = import_period(project, period, Path(file), replace=replace)
    console.print(f"imported into {folder}; next: {project.command('build')}")


def main() -> None:
    """Entry point: every failure is a message, never a traceback. Exit 2: bad input, or a
    file that cannot be written (read-only, disk full); 1: a notebook or the book build
    failed; 130: interrupted (Ctrl-C)."""

    interrupted = "interrupted: what was being written keeps its previous version"
    try:
        app()
    except UserError as exc:
        for problem in exc.problems:
            err.print(f"error: {terminal_text(problem)}", markup=False)
        sys.exit(2)
    except NotebookFailed as exc:
        err.print(f"error: {exc}", markup=False)
        sys.exit(1)
    except OSError as exc:  # last resort: where the path was known, it was reported there
        err.print(f"error: {os_problem(exc)}", markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print(interrupted, markup=False)
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 130:  # typer turns Ctrl-C in a command into a silent exit 130
            err.print(interrupted, markup=False)
        raise


if __name__ == "__main__":
    main()
