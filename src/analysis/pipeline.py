"""Execute the notebooks of each period with papermill and build the book."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from analysis.catalogue import load_catalogue
from analysis.errors import UserError
from analysis.figures import load_figures, load_targets
from analysis.periods import Period, parse_period
from analysis.project import CROSS_PERIOD_NOTEBOOKS, NOTEBOOKS, Project
from analysis.toc import write_toc

KERNEL = "policybook"
TIMEOUT_S = 600


class NotebookFailed(Exception):
    """A notebook raised while executing: names the notebook, the cell and the error."""


def _clean(path: Path) -> None:
    """Drop volatile execution metadata; hide the injected parameters from readers."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell.id = "injected-parameters"  # papermill draws a random id on every run
            if "remove-cell" not in tags:
                cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


def execute(project: Project, period: Period | None, name: str) -> Path:
    """Run notebooks/<name>.ipynb for `period` into book/periods/<P>/<name>.ipynb (or, for a
    cross-period notebook, into book/<name>.ipynb), atomically."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = project.notebooks / f"{name}.ipynb"
    out_dir = project.book_period_dir(period) if period else project.book
    parameters = {"period": period.id, "root": "../../.."} if period else {"root": ".."}
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.ipynb"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".ipynb", dir=out_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        papermill.execute_notebook(
            str(source), str(tmp),
            parameters=parameters,
            kernel_name=KERNEL, cwd=str(out_dir), progress_bar=False, log_output=False,
            execution_timeout=TIMEOUT_S, request_save_on_cell_execute=False,
        )
        _clean(tmp)
        os.replace(tmp, target)
    except PapermillExecutionError as err:
        raise NotebookFailed(
            f"{source.relative_to(project.root)} for {period or 'all periods'} failed in cell "
            f"{err.exec_count}: {err.ename}: {err.evalue}"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def notebooks_for(project: Project, period: Period) -> list[str]:
    """The notebooks a period has data for: an area with no figures gets no page."""
    catalogue = load_catalogue(project)
    figures = load_figures(project, period.id, catalogue)
    areas = set(figures["area"])
    has_targets = any(len(load_targets(project, p.id, catalogue))
                      for p in project.periods() if p <= period)
    wanted = []
    for name, needs in NOTEBOOKS.items():
        if (needs is None and len(figures)) or needs in areas or (
                needs == "targets" and has_targets):
            wanted.append(name)
    return wanted


def run(project: Project, period: str | None = None) -> list[Path]:
    """Execute the notebooks of one period (or of all periods); drop pages left without data."""
    periods = [parse_period(period)] if period else project.periods()
    if period and not project.period_dir(period).is_dir():
        raise UserError(f"no data for period {period}: data/periods/{period}/ does not exist")
    done = []
    for p in periods:
        wanted = notebooks_for(project, p)
        for name in wanted:
            print(f"executing {name} for {p.id}", file=sys.stderr)
            done.append(execute(project, p, name))
        for stale in project.book_period_dir(p).glob("*.ipynb"):
            if stale.stem not in wanted:
                stale.unlink()
    if project.periods():
        for name in CROSS_PERIOD_NOTEBOOKS:
            print(f"executing {name} across periods", file=sys.stderr)
            done.append(execute(project, None, name))
    write_toc(project)
    return done


def build_book(project: Project) -> Path:
    """jupyter-book build (warnings are errors); the path of index.html."""
    from analysis.appendix import write_appendix
    from analysis.search import write_search_dict

    write_toc(project)
    write_appendix(project)
    write_search_dict(project)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else shutil.which("jupyter-book") or "jupyter-book",
           "build", "book", "-W", "-n", "--keep-going", "-q"]
    result = subprocess.run(cmd, cwd=project.root, check=False)
    if result.returncode != 0:
        raise NotebookFailed(f"jupyter-book build failed (exit {result.returncode})")
    return project.book / "_build" / "html" / "index.html"
