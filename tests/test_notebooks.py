"""Executed notebooks under book/periods/: no missing glyphs, and nbval guards their figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

EXECUTED = sorted((ROOT / "book" / "periods").glob("*/*.ipynb"))


def _outputs_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return json.dumps([cell.get("outputs", []) for cell in nb.cells], ensure_ascii=False)


def test_there_are_executed_notebooks():
    assert EXECUTED, "run `make book` first: book/periods/ has no executed notebooks"


@pytest.mark.parametrize("path", EXECUTED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_executed_notebook_has_no_missing_glyph_warning_or_error(path):
    text = _outputs_text(path)
    assert "missing from font" not in text
    assert '"output_type": "error"' not in text
    assert "Traceback" not in text


def _nbval(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         str(path), "--rootdir", str(path.parent)],
        capture_output=True, text=True, cwd=path.parent,
        env={**os.environ, "POLICYBOOK_ROOT": str(ROOT)},  # the copy lives outside the project
    )


@pytest.mark.slow
def test_nbval_fails_when_a_printed_figure_changes(tmp_path):
    """Edit a printed number in a copy of the baseline: nbval must report the mismatch."""
    source = ROOT / "book" / "periods" / "2020H1" / "social_assistance.ipynb"
    nb = nbformat.read(source, as_version=4)
    copy = tmp_path / "copy.ipynb"
    nbformat.write(nb, copy)
    assert _nbval(copy).returncode == 0, "the unmodified baseline should pass"

    data = next(o["data"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if '">630</td>' in o.get("data", {}).get("text/html", ""))
    data["text/html"] = data["text/html"].replace('">630</td>', '">631</td>', 1)
    nbformat.write(nb, copy)
    result = _nbval(copy)
    assert result.returncode != 0
    assert "631" in result.stdout or "630" in result.stdout
