"""Shared fixtures: the project checkout and a disposable copy of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.project import Project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A copy of data/ (and notebooks/) to modify freely."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    (tmp_path / "book").mkdir()
    return Project(tmp_path)
