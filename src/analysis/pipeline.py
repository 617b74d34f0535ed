"""Execute the notebooks of each period with papermill and build the book."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from analysis.errors import UserError
from analysis.periods import Period, parse_period
from analysis.project import NOTEBOOKS, Project
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
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, path)


def execute(project: Project, period: Period, name: str) -> Path:
    """Run notebooks/<name>.ipynb for `period` into book/periods/<P>/<name>.ipynb, atomically."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = project.notebooks / f"{name}.ipynb"
    out_dir = project.book_period_dir(period)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.ipynb"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".ipynb", dir=out_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        papermill.execute_notebook(
            str(source), str(tmp),
            parameters={"period": period.id, "root": "../../.."},
            kernel_name=KERNEL, cwd=str(out_dir), progress_bar=False, log_output=False,
            execution_timeout=TIMEOUT_S, request_save_on_cell_execute=False,
        )
        _clean(tmp)
        os.replace(tmp, target)
    except PapermillExecutionError as err:
        raise NotebookFailed(
            f"{source.relative_to(project.root)} for {period.id} failed in cell "
            f"{err.exec_count}: {err.ename}: {err.evalue}"
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def run(project: Project, period: str | None = None) -> list[Path]:
    """Execute every notebook of one period (or of all periods)."""
    periods = [parse_period(period)] if period else project.periods()
    if period and not project.period_dir(period).is_dir():
        raise UserError(f"no data for period {period}: data/periods/{period}/ does not exist")
    done = []
    for p in periods:
        for name in NOTEBOOKS:
            print(f"executing {name} for {p.id}", file=sys.stderr)
            done.append(execute(project, p, name))
    write_toc(project)
    return done


def build_book(project: Project) -> Path:
    """jupyter-book build (warnings are errors); the path of index.html."""
    write_toc(project)
    jb = Path(sys.executable).with_name("jupyter-book")
    cmd = [str(jb) if jb.exists() else shutil.which("jupyter-book") or "jupyter-book",
           "build", "book", "-W", "-n", "--keep-going", "-q"]
    result = subprocess.run(cmd, cwd=project.root, check=False)
    if result.returncode != 0:
        raise NotebookFailed(f"jupyter-book build failed (exit {result.returncode})")
    return project.book / "_build" / "html" / "index.html"
