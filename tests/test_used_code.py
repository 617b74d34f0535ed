"""A notebook's hash covers the package modules it imports, whole, and every module those
import in turn, read from the source (analysis.build.hashing): editing any code a notebook
can run re-executes it, a name looked up as a string included; editing code no notebook
imports (the command line, the importer, the Sphinx hooks) re-executes none."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from analysis.build.hashing import RUNNER, Inputs, notebook_imports
from analysis.dataset.project import Project

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def toy(tmp_path, monkeypatch) -> Path:
    """A small package standing in for analysis: notebook -> charts -> .style; cli apart."""
    folder = tmp_path / "analysis"
    _write(folder, {
        "__init__.py": "",
        "notebook.py": "from analysis import charts\n",
        "charts/__init__.py": "from analysis.charts import builders\n",
        "charts/builders.py": ("from .style import COLOUR\n\n\n"
                               "def draw(kind):\n    return globals()[kind]()\n\n\n"
                               "def bars():\n    return COLOUR\n"),
        "charts/style.py": "COLOUR = 'red'\n",
        "cli.py": "from analysis import notebook\n",
    })
    monkeypatch.setattr(Inputs, "package_dir", staticmethod(lambda: folder))
    return folder


def _code(names: list[str]) -> list:
    return Inputs(Project(ROOT)).code(names)


@pytest.mark.parametrize("edited", [
    "charts/builders.py",  # `bars` is only ever reached as globals()["bars"]
    "charts/style.py",     # imported by a relative import, in turn
    "charts/__init__.py",  # runs before any module of its package
    "__init__.py",
])
def test_editing_a_module_a_notebook_runs_changes_its_hash(toy, edited):
    before = _code(["analysis.notebook"])
    _append(toy / edited, "# edited\n")
    assert _code(["analysis.notebook"]) != before


def test_a_function_looked_up_as_a_string_is_covered(toy):
    """A finding kept fixed: `draw("bars")` reaches `bars` through `globals()[kind]`, which a
    hash of the definitions a notebook names did not follow, leaving its pages stale."""
    before = _code(["analysis.notebook"])
    path = toy / "charts" / "builders.py"
    path.write_text(path.read_text(encoding="utf-8").replace("return COLOUR",
                                                             "return COLOUR * 2"),
                    encoding="utf-8")
    assert _code(["analysis.notebook"]) != before


def test_a_module_no_notebook_imports_does_not_count(toy):
    before = _code(["analysis.notebook"])
    _append(toy / "cli.py", "print('edited')\n")
    assert _code(["analysis.notebook"]) == before


def test_what_a_notebook_imports_is_read_through_ipython_syntax(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\n!true\n"
                                          "from analysis.notebook import (\n    page,\n)")]
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert {"analysis.notebook", "analysis.notebook.page"} <= notebook_imports(
        tmp_path / "n.ipynb")


@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    """A copy of the real package for a test to edit."""
    folder = tmp_path / "analysis"
    shutil.copytree(Inputs.package_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(Inputs, "package_dir", staticmethod(lambda: folder))
    return folder


def _hashes() -> dict[str, str]:
    inputs = Inputs(Project(ROOT))
    return {name: inputs.notebook(name, {}, []) for name in NOTEBOOKS}


@pytest.mark.parametrize("module, changes", [
    ("charts/builders", True),
    ("view", True),
    ("build/worker", True),  # the runner shapes every executed notebook
    ("cli", False),
    ("build/publish", False),
    ("intake/importer", False),
    ("site/sphinxext", False),
])
def test_what_a_code_edit_re_executes_in_the_book(package, module, changes):
    before = _hashes()
    _append(package / f"{module}.py", "\n_edited = True\n")
    after = _hashes()
    assert {n for n in NOTEBOOKS if before[n] != after[n]} == (set(NOTEBOOKS) if changes
                                                                else set())


def test_the_runner_is_in_every_notebook_s_code():
    inputs = Inputs(Project(ROOT))
    for name in NOTEBOOKS:
        code = dict(inputs.code([*notebook_imports(ROOT / "notebooks" / f"{name}.ipynb"),
                                 RUNNER]))
        assert "analysis/build/worker.py" in code and "analysis/notebook.py" in code, name
