"""A notebook's hash covers the package code it uses, definition by definition: editing one
chart changes the hash of the notebooks that draw it and of no other (analysis.build.code_hash)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from code_edits import edit_function
from conftest import ROOT

from analysis.build.code_hash import used_code
from analysis.build.hashing import Inputs
from analysis.dataset.project import Project

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
PAGES_WITH_CHARTS = set(NOTEBOOKS) - {"trends"}


@pytest.fixture
def package(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "analysis"
    shutil.copytree(Inputs.package_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(Inputs, "package_dir", staticmethod(lambda: folder))
    return folder


def _hashes() -> dict[str, str]:
    """Each notebook's hash but for the data it read."""
    inputs = Inputs(Project(ROOT))
    return {name: inputs.notebook(name, {}, [])["base"] for name in NOTEBOOKS}


def _changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


@pytest.mark.parametrize("module, name, method, expected", [
    # every page's charts come from templates/charts.yml through charts.for_area, which can
    # reach each chart kind: editing one re-executes the pages that draw charts
    ("charts/builders", "stages", "", PAGES_WITH_CHARTS),
    ("charts/builders", "standards_over_time", "", PAGES_WITH_CHARTS),
    ("charts/builders", "progress", "", PAGES_WITH_CHARTS),
    ("pages/trends", "standards_chart", "", {"trends"}),
    ("pages/page", "targets", "", {"plan_tracking", "trends"}),
    ("pages/page", "trace", "", {"social_assistance", "elderly_care", "social_organizations",
                           "community_governance", "public_services"}),
    ("statements/keypoints", "keypoints", "", {"social_assistance", "elderly_care",
                                    "social_organizations", "community_governance",
                                    "public_services"}),
    ("view", "PeriodView", "load", set(NOTEBOOKS) - {"trends"}),
    ("cli", "main", "", set()),
    ("build/publish", "build", "", set()),
])
def test_editing_a_definition_changes_the_hash_of_the_notebooks_that_use_it(
        package, module, name, method, expected):
    before = _hashes()
    edit_function(package / f"{module}.py", name, method)
    assert _changed(before, _hashes()) == expected


def test_comments_and_layout_do_not_count(package):
    before = _hashes()
    path = package / "charts" / "builders.py"
    path.write_text("# a comment\n\n" + path.read_text(encoding="utf-8").replace(
        "def stages(", "def   stages("), encoding="utf-8")
    assert _changed(before, _hashes()) == set()


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _notebook(path: Path, *cells: str) -> Path:
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": c} for c in cells]}),
                    encoding="utf-8")
    return path


def _edit_changes(nb: Path, folder: Path, name: str, old: str, new: str) -> bool:
    """Whether replacing `old` by `new` in module `name` changes what the notebook uses."""
    before = used_code(nb, folder)
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return used_code(nb, folder) != before


SYNTHETIC = {  # a made-up package: what reaches what
    "a.py": ("from analysis.b import helper\nLIMIT = 3\n\n"
             "def used():\n    return helper(LIMIT)\n\n"
             "def lazy():\n    from analysis import c\n    return c.deep()\n\n"
             "def unused():\n    return 0\n"),
    "b.py": "def helper(n):\n    return n\n\ndef other():\n    return 1\n",
    "c.py": "import os\nSIDE = os.getcwd()\n\ndef deep():\n    return 2\n\ndef spare():\n    return 3\n",
}


@pytest.mark.parametrize("edit, changes", [
    (("a.py", "return 0", "return 9"), False),           # unused(): not reached
    (("a.py", "LIMIT = 3", "LIMIT = 4"), True),          # a constant used() refers to
    (("b.py", "return n", "return n + 1"), True),        # imported by name into a.py
    (("b.py", "return 1", "return 5"), False),           # b.other: not reached
    (("c.py", "return 2", "return 7"), True),            # reached through lazy()'s import
    (("c.py", "return 3", "return 8"), False),           # c.spare: not reached
    (("c.py", "SIDE = os.getcwd()", "SIDE = os.getpid()"), True),  # runs on import
])
def test_what_a_notebook_reaches_in_a_package(tmp_path, edit, changes):
    folder = tmp_path / "analysis"
    _write(folder, SYNTHETIC)
    nb = _notebook(tmp_path / "n.ipynb", "from analysis import a\n", "a.used()\na.lazy()\n")
    assert _edit_changes(nb, folder, *edit) is changes


def test_a_module_passed_around_whole_counts_whole(tmp_path):
    folder = tmp_path / "analysis"
    _write(folder, SYNTHETIC)
    nb = _notebook(tmp_path / "n.ipynb", "from analysis import b\nprint(b)\n")
    assert _edit_changes(nb, folder, "b.py", "return 1", "return 5")


@pytest.mark.parametrize("cells", [
    ("from analysis.b import *\n", "helper(1)\n"),          # a star import: all of b
    ("import analysis.b\n", "analysis.b.helper(1)\n"),       # used through the package
    ("from analysis import helper\n", "helper(1)\n"),       # re-exported by __init__
    ("%time from analysis import b\n", "b.helper(1)\n"),    # behind an IPython magic
])
def test_other_ways_to_reach_code_count(tmp_path, cells):
    folder = tmp_path / "analysis"
    _write(folder, SYNTHETIC)
    (folder / "__init__.py").write_text("from analysis.b import helper\n", encoding="utf-8")
    nb = _notebook(tmp_path / "n.ipynb", *cells)
    assert _edit_changes(nb, folder, "b.py", "return n", "return n + 1")


def test_a_function_s_own_import_does_not_redirect_the_module_s_names(tmp_path):
    """c.deep is imported inside a function of d; d's own deep() is what `run` calls."""
    folder = tmp_path / "analysis"
    _write(folder, {**SYNTHETIC, "d.py": (
        "def deep():\n    return 4\n\ndef lazy():\n    from analysis.c import deep\n"
        "    return deep()\n\ndef run():\n    return deep()\n")})
    nb = _notebook(tmp_path / "n.ipynb", "from analysis import d\n", "d.run()\n")
    assert _edit_changes(nb, folder, "d.py", "return 4", "return 5")


def test_the_runner_code_that_shapes_executed_notebooks_is_in_every_hash(package):
    before = _hashes()
    edit_function(package / "build" / "worker.py", "clean_notebook")
    assert _changed(before, _hashes()) == set(NOTEBOOKS)


def test_the_runner_s_kernel_start_up_is_not(package):
    before = _hashes()
    edit_function(package / "build" / "worker.py", "shutdown_kernels")
    assert _changed(before, _hashes()) == set()
