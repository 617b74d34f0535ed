"""Notebooks run in the clients researchers use, not only through `policybook run`, and stock
`jupyter-book build book/` works on a fresh checkout (generated files are written by the
Sphinx build itself). Each runs in a copy of the project holding only the pinned period."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from browser import copy_book_sources
from conftest import PINNED, ROOT, copy_data

from analysis.build.toc import write_toc
from analysis.dataset.project import Project

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent
NOTEBOOK = "social_assistance"


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("clients") / "project"
    copy_data(root)
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    copy_book_sources(ROOT, root)
    for generated in ("appendix.md",):
        (root / "book" / generated).unlink(missing_ok=True)
    for folder in (root / "book" / "periods").iterdir():  # only the pinned period's pages
        if folder.name != PINNED:
            shutil.rmtree(folder)
    write_toc(Project(root))
    return root


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def _no_errors(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
    assert "Traceback" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["root", "notebooks", "cwd-option"])
def test_papermill_cli_runs_a_source_notebook(checkout, tmp_path, where):
    out = tmp_path / "out.ipynb"
    source = checkout / "notebooks" / f"{NOTEBOOK}.ipynb"
    args = [str(BIN / "papermill"), str(source), str(out), "-p", "period", PINNED]
    cwd = {"root": checkout, "notebooks": checkout / "notebooks", "cwd-option": tmp_path}[where]
    if where == "cwd-option":
        args += ["--cwd", str(checkout / "notebooks")]
    _run(args, cwd)
    _no_errors(out)


def test_nbconvert_executes_a_source_notebook_with_its_default_period(checkout, tmp_path):
    out = tmp_path / "nbconvert"
    _run([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
          "--output-dir", str(out), str(checkout / "notebooks" / f"{NOTEBOOK}.ipynb")], checkout)
    _no_errors(out / f"{NOTEBOOK}.ipynb")


def test_nbval_lax_runs_every_source_notebook(checkout):
    _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
          "--rootdir", str(checkout / "notebooks"), str(checkout / "notebooks")],
         checkout / "notebooks")


def test_stock_jupyter_book_build_works_from_any_directory(checkout, tmp_path):
    _run([str(BIN / "jupyter-book"), "build", str(checkout / "book"), "-W", "-n",
          "--keep-going"], tmp_path)
    html = checkout / "book" / "_build" / "html"
    assert (html / "appendix.html").exists()
    assert sorted(p.name for p in (html / "downloads").rglob("*") if p.is_file()) == [
        "changes.xlsx", "changes_zh.csv", "figures.csv", f"figures_{PINNED}.xlsx",
        f"figures_zh_{PINNED}.csv"]


def test_a_notebook_outside_the_project_under_papermill_is_told_what_papermill_can_do(tmp_path):
    """The error names papermill's -p and POLICYBOOK_ROOT, never policybook's --root."""
    source = tmp_path / f"{NOTEBOOK}.ipynb"
    shutil.copyfile(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb", source)
    env = {k: v for k, v in os.environ.items() if k != "POLICYBOOK_ROOT"}
    result = subprocess.run([str(BIN / "papermill"), str(source), str(tmp_path / "out.ipynb")],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    [message] = [line for line in (result.stdout + result.stderr).splitlines()
                 if line.startswith("UserError: ")]
    assert "no project found" in message and "-p root" in message and "POLICYBOOK_ROOT" in message
    assert "--root" not in message
