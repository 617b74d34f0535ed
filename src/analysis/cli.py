"""The `policybook` command line (also `python -m analysis`)."""

from __future__ import annotations

import gettext
import os
import shlex
import sys
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from analysis.dataset.periods import parse_period
from analysis.dataset.project import Project
from analysis.errors import NotebookFailed, UserError, reported, terminal_text
from analysis.errors import problem as os_problem
from analysis.language import DOMAIN, LOCALE, N_, _, current, use, wanted


def asked_language(argv: list[str]) -> str | None:
    """The value of `--lang X` or `--lang=X` before the command's name, or None."""
    for i, arg in enumerate(argv[1:], start=1):
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if not arg.startswith("-"):
            return None
    return None


# typer's own words in the help and error panels, read through the process's gettext domain
# when typer first formats a help or an error (its usage line and click's messages stay
# English: typer writes them without gettext)
TYPER_WORDS = {
    "DEPRECATED_STRING": N_("(deprecated) "), "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"), "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"), "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"), "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}


def speak(language: str) -> None:
    """Speak `language` in messages and in typer's panels."""
    use(language)
    os.environ["LANGUAGE"] = language
    gettext.bindtextdomain(DOMAIN, LOCALE)
    gettext.textdomain(DOMAIN)
    if (panels := sys.modules.get("typer.rich_utils")) is not None:  # already read: set them
        for name, english in TYPER_WORDS.items():
            setattr(panels, name, _(english))


# the help texts below are read once, when this module is imported: choose the language first
speak(wanted(asked_language(sys.argv)))

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help=_("Civil-affairs policy book: validate data, execute notebooks, build the book."),
)
console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

RootOption = Annotated[
    str | None, typer.Option("--root", help=_("Project directory (default: found from cwd)."))
]
PeriodArg = Annotated[str, typer.Argument(help=_("Period id: 2020, 2020H1, 2020Q3."))]
OptionalPeriod = Annotated[
    str | None, typer.Argument(help=_("Period id (default: every period in data/periods/)."))
]


JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1, help=_("Notebooks executed in parallel (default: one per core)."))]
ForceOption = Annotated[bool, typer.Option(
    "--force", help=_("Re-execute every notebook (and rebuild the HTML), changed or not."))]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", help=_("No progress (for CI): only the summary and errors."))]
SchedulerOption = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS",
    help=_("Run the notebooks on a Dask cluster (tcp://host:8786); needs the dask extra."))]
FreshKernelsOption = Annotated[bool, typer.Option(
    "--fresh-kernels", help=_("A new kernel for every notebook instead of warm ones (slower)."))]


def _version(value: bool) -> None:
    if value:

        console.print(f"policybook {version('civil-affairs-policybook')}")
        raise typer.Exit()


@app.callback(help=_(
      "Civil-affairs policy book: validate data, execute notebooks, build the book."))
def _main(version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help=_("Print the version and exit."))]
          = False,
          lang: Annotated[str | None, typer.Option(
              "--lang", metavar="zh|en", help=_("Language of help and messages: zh (the "
                                                "default) or en; also from LANG=en_US.UTF-8."))]
          = None) -> None:
    """Civil-affairs policy book: validate data, execute notebooks, build the book. (`--lang`
    is read from the command line before typer parses it: see `asked_language`.)"""


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


@app.command(help=_(
      "Check the data against the contract, then print every check's verdict."))
def validate(period: OptionalPeriod = None, root: RootOption = None) -> None:
    """Check the data against the contract, then print every check's verdict."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.console import print_validation

    project = _project(root)
    periods = [parse_period(period)] if period else project.periods()
    if not print_validation(project, periods, console):
        raise typer.Exit(2)


@app.command(help=_(
      "List every numeric mention in source.txt and whether it is captured or excluded."))
def audit(period: PeriodArg, root: RootOption = None) -> None:
    """List every numeric mention in source.txt and whether it is captured or excluded."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.console import print_audit

    project = _project(root)
    if not print_audit(project, parse_period(period).id, console):
        raise typer.Exit(1)


@app.command(help=_(
      "Execute the notebooks of one period (or all) whose inputs changed, into "
      "book/periods/<P>/."))
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
    scheme, _sep, address = scheduler.rpartition("://")
    if scheme not in ("", "tcp") or not address.strip():
        raise UserError(_("--scheduler {scheduler}: give the scheduler's address as "
                          "tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786): policybook connects over "
                          "plain TCP only (tls://, ucx://, ws:// are not supported)").format(
                            scheduler=scheduler))
    try:
        from distributed import Client  # deferred: Dask only when --scheduler asks for it
    except ImportError:
        raise UserError(_("--scheduler needs Dask's distributed: install the dask extra (uv sync "
                          "--extra dask, or pip install distributed)")) from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise UserError(_("no Dask scheduler at {scheduler} ({exc}): start one with `dask "
                          "scheduler` and workers with `dask worker ADDRESS`, in the checkout "
                          "(shared or copied) with the policybook kernel").format(
                            scheduler=scheduler,
                            exc=exc)) from None
    try:
        yield client.get_executor()
    finally:
        client.close()


@app.command(help=_(
      "Execute the notebooks whose inputs changed, then build the HTML book (if it "
      "changed) and the print editions."))
def build(
    root: RootOption = None,
    jobs: JobsOption = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
    fresh_kernels: FreshKernelsOption = False,
    scheduler: SchedulerOption = None,
    editions: Annotated[bool, typer.Option(
        "--print/--no-print", help=_("Also write each period's print edition (PDF, Word)."))]
    = True,
) -> None:
    """Execute the notebooks whose inputs changed, then build the HTML book (if it changed)
    and the print editions."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.build.hashing import nothing_to_build, record_build, sources_hash

    project = _project(root)
    if not force and nothing_to_build(project):
        if not quiet:
            err.print(_("nothing changed since the last build: no notebook run, Sphinx "
                        "skipped"))
        console.print(_("book built: {index}").format(
            index=project.book / "_build" / "html" / "index.html"))
    else:
        # deferred: loaded only by the command that needs it (start-up speed)
        from analysis.build.pipeline import build_book
        from analysis.build.pipeline import run as run_notebooks

        sources = sources_hash(project)  # before the run: an edit made meanwhile counts
        with _executor(scheduler) as executor:
            run_notebooks(project, jobs=jobs, force=force, quiet=quiet,
                          fresh_kernels=fresh_kernels, executor=executor)
        index = build_book(project, force=force, quiet=quiet)
        with reported(project.book / "_build", N_("recording the build")):
            record_build(project, sources)
        console.print(_("book built: {index}").format(index=index))
    if editions:
        _print_all(project, quiet)


def _print_all(project: Project, quiet: bool) -> None:
    """The print editions of every period (the PDF only where WeasyPrint can run)."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.pages.print_editions import print_editions, weasyprint_missing

    if (missing := weasyprint_missing()) is not None:
        console.print(_("print editions: Word only (WeasyPrint cannot run: {missing}; "
                        "apt-get install libpango-1.0-0 libpangoft2-1.0-0)").format(
                            missing=missing))
    for period in project.periods():
        written = print_editions(project, period.id, only_if_stale=True)
        if not quiet:
            console.print(_("print edition: {files}").format(
                files=", ".join(str(p) for p in written)))


@app.command(help=_(
      "Write the period's figures, checks and catalogue to a formatted Excel workbook."))
def export(
    period: PeriodArg,
    out: Annotated[str, typer.Argument(help=_("Path of the .xlsx file to write."))],
    root: RootOption = None,
) -> None:
    """Write the period's figures, checks and catalogue to a formatted Excel workbook."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.pages.export import check_target
    from analysis.pages.export import export as export_xlsx
    from analysis.view import PeriodView

    target = Path(out)
    check_target(target)  # before the data is loaded: a wrong path fails at once
    project = _project(root)
    view = PeriodView.load(project.root, parse_period(period).id)
    console.print(_("written: {path}").format(path=export_xlsx(view, target)))


@app.command("print", help=_(
      "Write a period's print edition: a PDF (WeasyPrint) and a Word document."))
def print_(
    period: PeriodArg,
    out: Annotated[str | None, typer.Option(
        "--out", help=_("Folder for the PDF and .docx (default: book/_build/print/)."))] = None,
    root: RootOption = None,
) -> None:
    """Write a period's print edition: a PDF (WeasyPrint) and a Word document."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.pages.print_editions import print_editions

    project = _project(root)
    for path in print_editions(project, parse_period(period).id, Path(out) if out else None):
        console.print(_("written: {path}").format(path=path))


@app.command(help=_(
      "Register the Jupyter kernel `policybook` for this Python (venv or conda "
      "environment)."))
def kernel() -> None:
    """Register the Jupyter kernel `policybook` for this Python (venv or conda environment)."""
    from ipykernel.kernelspec import install  # deferred: the other commands need no kernel

    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.build import KERNEL

    path = install(kernel_name=KERNEL, display_name="Python (policybook)", prefix=sys.prefix)
    console.print(_("kernel '{kernel}' installed in {path}").format(kernel=KERNEL, path=path))


@app.command(help=_(
      "Start a book for another city or county: shared catalogue, notebooks, no "
      "periods."))
def init(
    folder: Annotated[str, typer.Argument(help=_("New project folder (absent or empty)."))],
    geo: Annotated[str, typer.Option(help=_("GB/T 2260 code of the home place."))],
    name: Annotated[str, typer.Option(help=_("Chinese name of the home place (霍邱县)."))],
    parent: Annotated[str | None, typer.Option(
        help=_("GB/T 2260 code of the place it belongs to, for a place not yet in geo.csv "
               "(it is added to the new book's geo.csv)."))] = None,
    root: RootOption = None,
) -> None:
    """Start a book for another city or county: shared catalogue, notebooks, no periods."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.intake.new_book import init_project

    created = init_project(Project.find(root), Path(folder), geo, name, parent)
    console.print(_("created {root}; next: {command}").format(
        root=created.root, command=f"policybook new-period P --root {shlex.quote(folder)}"))


@app.command("new-period", help=_(
      "Create data/periods/<P>/ with an Excel entry workbook (refuses an existing "
      "period)."))
def new_period(period: PeriodArg, root: RootOption = None) -> None:
    """Create data/periods/<P>/ with an Excel entry workbook (refuses an existing period)."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.intake.workbook import new_period as create

    project = _project(root)
    path = create(project, period)
    hint = project.command(f"import {parse_period(period).id} {shlex.quote(str(path))}")
    console.print(_("created {path}\nfill it in, then: {command}").format(path=path,
                                                                          command=hint))


@app.command("import", help=_(
      "Validate a filled workbook or CSV and write the period's files (all or nothing)."))
def import_(
    period: PeriodArg,
    file: Annotated[str, typer.Argument(help=_("Filled entry workbook (.xlsx) or figures .csv."))],
    root: RootOption = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help=_("Replace a period that already has figures (the changes are "
          "listed without it)."))] = False,
) -> None:
    """Validate a filled workbook or CSV and write the period's files (all or nothing)."""
    # deferred: loaded only by the command that needs it (start-up speed)
    from analysis.intake.importer import import_period

    project = _project(root)
    folder = import_period(project, period, Path(file), replace=replace)
    console.print(_("imported into {folder}; next: {command}").format(
        folder=folder, command=project.command("build")))


def main() -> None:
    """Entry point: every failure is a message, never a traceback. Exit 2: bad input, or a
    file that cannot be written (read-only, disk full); 1: a notebook or the book build
    failed; 130: interrupted (Ctrl-C)."""

    speak(wanted(asked_language(sys.argv)))  # the help texts took it when this was imported
    os.environ["POLICYBOOK_LANG"] = current()  # the kernels started from here speak it too
    interrupted = _("interrupted: what was being written keeps its previous version")
    error = _("error: {problem}")
    try:
        app()
    except UserError as exc:
        for problem in exc.problems:
            err.print(error.format(problem=terminal_text(problem)), markup=False)
        sys.exit(2)
    except NotebookFailed as exc:
        err.print(error.format(problem=exc), markup=False)
        sys.exit(1)
    except OSError as exc:  # last resort: where the path was known, it was reported there
        err.print(error.format(problem=os_problem(exc)), markup=False)
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
