"""The book's notebooks record what they read of the data while they run, and a change to
the data executes exactly the notebooks that read it. In a copy of the project holding the
pinned period and a SYNTHETIC later copy of it (analysis.synthetic), never published."""

from __future__ import annotations

import shutil

import pytest
from conftest import PINNED, ROOT, copy_data
from synthetic import copy_period

from analysis.build.execute import run
from analysis.build.hashing import stored_meta
from analysis.build.plan import plan
from analysis.dataset.project import Project

pytestmark = pytest.mark.slow
LATER = "2021H1"


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("reads")
    copy_data(root)
    for folder in ("notebooks", "templates"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "book").mkdir()
    project = Project(root)
    copy_period(project, PINNED, LATER)
    summary = run(project, quiet=True)
    assert summary.executed and not summary.failed
    return project


@pytest.fixture
def project(executed, tmp_path) -> Project:
    shutil.copytree(executed.root, tmp_path / "copy")
    return Project(tmp_path / "copy")


def _records(project: Project) -> dict[str, dict]:
    pages = {f"{p.parent.name}/{p.stem}": p for p in project.book.glob("periods/*/*.ipynb")}
    pages["trends"] = project.book / "trends.ipynb"
    return {key: stored_meta(path)["reads"] for key, path in pages.items()}


def _periods(record: dict) -> set[str]:
    return {f.split("/")[1] for f in record["files"] if f.startswith("periods/")}


def _read(record: dict, path: str) -> bool:
    return path in record["files"]


COMPARATORS = "reference/comparators.csv"


def test_a_period_s_notebooks_read_their_own_period_and_not_later_ones(executed):
    records = _records(executed)
    for key, record in records.items():
        if key.startswith(f"{PINNED}/"):
            assert _periods(record) == {PINNED}, key
        elif key.startswith(f"{LATER}/"):
            assert LATER in _periods(record), key
    assert _periods(records["trends"]) == {PINNED, LATER}
    assert _read(records["trends"], COMPARATORS)
    # the key points set the later period's figures against the earlier one's
    assert _read(records[f"{LATER}/social_assistance"], f"periods/{PINNED}/figures.csv")
    # ... the overview does not (it reads the earlier targets, for the targets it cites)
    assert not _read(records[f"{LATER}/overview"], f"periods/{PINNED}/figures.csv")
    assert _read(records[f"{LATER}/overview"], f"periods/{PINNED}/targets.csv")


def test_a_change_to_the_comparators_executes_only_the_notebooks_that_read_them(project):
    readers = {k for k, r in _records(project).items() if _read(r, COMPARATORS)}
    assert "trends" in readers and f"{PINNED}/social_assistance" in readers
    assert f"{PINNED}/community_governance" not in readers
    path = project.reference / "comparators.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    assert {job.key for job in plan(project).jobs} == readers


@pytest.mark.parametrize("name", ["figures.csv", "targets.csv", "source.yml"])
def test_a_change_to_an_earlier_period_executes_the_notebooks_that_read_the_file(project,
                                                                              name):
    path = f"periods/{PINNED}/{name}"
    records = _records(project)
    readers = {k for k, r in records.items() if _read(r, path)}
    assert f"{PINNED}/overview" in readers
    (project.data / path).write_bytes((project.data / path).read_bytes() + b"\n")
    assert {job.key for job in plan(project).jobs} == readers


def test_a_file_added_where_a_notebook_found_none_executes_it_again(project):
    """The overview looks for audit_exclusions.csv (a check that opens nothing)."""
    path = project.period_dir(LATER) / "audit_exclusions.csv"
    kept = path.read_bytes()
    path.unlink()
    run(project, quiet=True)
    assert _read(_records(project)[f"{LATER}/overview"], f"periods/{LATER}/audit_exclusions.csv")
    path.write_bytes(kept)
    assert f"{LATER}/overview" in {job.key for job in plan(project).jobs}
