"""`policybook run`: only changed notebooks execute, failures keep the previous output, any
Executor (a local Dask cluster too) runs the jobs.

The notebooks are replaced by tiny ones (parameters cell, one line that reads the data) in a
copy of the project with a SYNTHETIC second period, so each execution takes a fraction of a
second once a worker's kernel is warm.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, copy_data
from synthetic import copy_period

from analysis.build.pipeline import Inputs, book_hash, execute_jobs, plan, run, stored_hash
from analysis.dataset.project import Project

PERIODS = ["2020H1", "2021H1"]  # 2021H1 is a SYNTHETIC copy of 2020H1 (in a copy holding
# only 2020H1 of the real data, so real periods added later never collide)
NOTEBOOKS = [nb.name for nb in Project(ROOT).config.period_notebooks]
CROSS_PERIOD_NOTEBOOKS = [nb.name for nb in Project(ROOT).config.cross_period_notebooks]
PAGES = {f"{p}/{name}" for p in PERIODS for name in NOTEBOOKS}
ALL = PAGES | set(CROSS_PERIOD_NOTEBOOKS)


def tiny_notebook(parameters: str, body: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "policybook", "display_name": "Python (policybook)",
                                 "language": "python"}
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# tiny"), params, nbformat.v4.new_code_cell(body)]
    return nb


PER_PERIOD = tiny_notebook(
    'period = None\nroot = None',
    'from analysis.dataset.project import Project\n'
    'figures = (Project.find(root).period_dir(period) / "figures.csv").read_text(encoding="utf-8")\n'
    'print(period, figures.count("\\n"))')
CROSS = tiny_notebook(
    'root = None',
    'from analysis.dataset.project import Project\n'
    'print(sorted(p.name for p in (Project.find(root).data / "periods").iterdir()))')


def executed_keys(project: Project) -> dict[str, Path]:
    pages = {f"{p.parent.name}/{p.stem}": p for p in project.book.glob("periods/*/[!.]*.ipynb")}
    return pages | {name: project.book / f"{name}.ipynb" for name in CROSS_PERIOD_NOTEBOOKS
                    if (project.book / f"{name}.ipynb").exists()}


@pytest.fixture(scope="module", autouse=True)
def package_snapshot(tmp_path_factory):
    """The package source enters every hash: hash a copy taken once, so that editing src/
    while the tests run (in a working tree) does not make everything stale half-way, and
    tests can edit the copy."""
    folder = tmp_path_factory.mktemp("package") / "analysis"
    shutil.copytree(Inputs.package_dir(), folder,
                    ignore=shutil.ignore_patterns("__pycache__"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Inputs, "package_dir", staticmethod(lambda: folder))
        yield folder


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> Path:
    """A project copy with tiny notebooks and two periods, executed once."""
    root = tmp_path_factory.mktemp("executed")
    copy_data(root)
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "notebooks").mkdir()
    (root / "book").mkdir()
    for name in NOTEBOOKS:
        nbformat.write(PER_PERIOD, root / "notebooks" / f"{name}.ipynb")
    for name in CROSS_PERIOD_NOTEBOOKS:
        nbformat.write(CROSS, root / "notebooks" / f"{name}.ipynb")
    project = Project(root)
    copy_period(project, "2020H1", "2021H1")
    summary = run(project, jobs=2, quiet=True)
    assert set(summary.executed) == ALL and not summary.failed
    return root


@pytest.fixture
def copy(executed, tmp_path) -> Project:
    """The executed project copied to another path (as a fresh clone would be)."""
    shutil.copytree(executed, tmp_path / "clone")
    return Project(tmp_path / "clone")


def test_every_executed_notebook_records_its_input_hash_and_output(executed):
    project = Project(executed)
    pages = executed_keys(project)
    assert set(pages) == ALL
    for path in pages.values():
        assert (stored_hash(path) or "").startswith("sha256:")
        assert path.read_bytes().endswith(b"}\n")  # as the committed notebooks end
    nb = nbformat.read(pages["2021H1/overview"], as_version=4)
    assert nb.cells[-1].outputs[0]["text"].startswith("2021H1 ")
    assert not list(project.book.rglob(".*.ipynb")), "no temporary file is left behind"


def test_unchanged_inputs_at_another_path_execute_nothing(copy):
    before = {k: p.read_bytes() for k, p in executed_keys(copy).items()}
    summary = run(copy, jobs=2, quiet=True)
    assert summary.executed == [] and set(summary.unchanged) == ALL
    assert {k: p.read_bytes() for k, p in executed_keys(copy).items()} == before


def test_force_executes_everything(copy):
    assert {job.key for job in plan(copy, force=True).jobs} == ALL


def test_a_data_change_in_a_later_period_leaves_the_earlier_pages_as_they_are(copy):
    figures = copy.period_dir("2021H1") / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8").replace(
        "SYNTHETIC copy", "SYNTHETIC (edited) copy", 1), encoding="utf-8")
    before = executed_keys(copy)["2020H1/overview"].read_bytes()
    summary = run(copy, jobs=2, quiet=True)
    assert set(summary.executed) == {f"2021H1/{n}" for n in NOTEBOOKS} | set(
        CROSS_PERIOD_NOTEBOOKS)
    assert set(summary.unchanged) == {f"2020H1/{n}" for n in NOTEBOOKS}
    assert executed_keys(copy)["2020H1/overview"].read_bytes() == before
    assert run(copy, jobs=2, quiet=True).executed == []


LATER = {f"2021H1/{n}" for n in NOTEBOOKS} | set(CROSS_PERIOD_NOTEBOOKS)


@pytest.mark.parametrize("change, expected", [
    # a notebook's declared inputs: the periods up to its own (a correction of an earlier
    # period re-executes the later ones), the catalogue, the reference data, the
    # configuration, its templates and the wording every page uses
    ("data/periods/2020H1/figures.csv", ALL),
    ("data/periods/2021H1/targets.csv", LATER),
    ("data/catalogue/units.csv", ALL),
    ("data/reference/comparators.csv", ALL),
    ("data/project.yml", ALL),
    ("notebooks/elderly_care.ipynb", {"2020H1/elderly_care", "2021H1/elderly_care"}),
    ("notebooks/trends.ipynb", {"trends"}),
    ("templates/elderly_care.j2", {f"{p}/{n}" for p in PERIODS  # the overview renders all
                                   for n in ("elderly_care", "overview")}),
    ("templates/charts.yml", ALL),  # the wording every page uses
    ("templates/measures.yml", ALL),
    ("templates/book-readme.md", set()),  # what `init` writes: no notebook renders it
])
def test_what_an_input_change_executes(copy, change, expected):
    path = copy.root / change
    path.write_bytes(path.read_bytes() + b"\n")
    assert {job.key for job in plan(copy).jobs} == expected


@pytest.fixture
def package(package_snapshot, tmp_path, monkeypatch) -> Path:
    """A copy of the package snapshot for one test to edit."""
    folder = tmp_path / "package" / "analysis"
    shutil.copytree(package_snapshot, folder)
    monkeypatch.setattr(Inputs, "package_dir", staticmethod(lambda: folder))
    return folder


@pytest.mark.parametrize("module, expected", [
    # the tiny notebooks import dataset/project.py, which imports dataset/config.py: a
    # module they run counts whole (a comment too); one they do not run, not at all
    ("dataset/project", ALL), ("dataset/config", ALL),
    ("cli", set()), ("charts/builders", set()), ("intake/importer", set()),
    ("site/sphinxext", set()),
])
def test_what_a_code_edit_executes(copy, package, module, expected):
    path = package / f"{module}.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert {job.key for job in plan(copy).jobs} == expected


def test_line_endings_do_not_change_the_hash(copy):
    path = copy.catalogue / "units.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert plan(copy).jobs == []


def test_temporary_notebooks_of_a_killed_run_are_removed_and_are_not_pages(copy):
    leftover = copy.book_period_dir("2020H1") / ".overview.x1y2z3.ipynb"
    leftover.write_text("{", encoding="utf-8")  # half-written
    summary = run(copy, jobs=1, quiet=True)
    assert summary.executed == [] and summary.removed == [] and not leftover.exists()


def test_a_period_whose_data_is_gone_loses_its_pages(copy):
    shutil.rmtree(copy.period_dir("2021H1"))
    work = plan(copy)
    assert {p.parent.name for p in work.stale_pages} == {"2021H1"}
    assert {job.key for job in work.jobs} == set(CROSS_PERIOD_NOTEBOOKS)


def test_failing_notebook_keeps_its_previous_output_and_the_run_exits_1_naming_it(copy):
    broken = tiny_notebook('period = "2020H1"\nroot = "../.."',
                           'x = 1\nraise ValueError("boom")')
    nbformat.write(broken, copy.notebooks / "elderly_care.ipynb")
    units = copy.catalogue / "units.csv"  # every other notebook is stale too
    units.write_bytes(units.read_bytes() + b"\n")
    before = {k: p.read_bytes() for k, p in executed_keys(copy).items()}
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "run", "--root", str(copy.root), "-j", "2", "-q"],
        capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    err = result.stderr
    assert "notebooks/elderly_care.ipynb for 2020H1 failed in cell 3" in err
    assert "notebooks/elderly_care.ipynb for 2021H1 failed in cell 3" in err
    assert "ValueError: boom" in err and "x = 1" in err
    assert "Traceback" not in err + result.stdout
    assert "2 failed" in err and f"{len(ALL) - 2} executed" in err
    after = executed_keys(copy)
    for period in PERIODS:  # the previous executed version stays, the others are updated
        assert after[f"{period}/elderly_care"].read_bytes() == before[f"{period}/elderly_care"]
        assert after[f"{period}/overview"].read_bytes() != before[f"{period}/overview"]
    assert not list(copy.book.rglob(".*.ipynb"))


def test_book_hash_ignores_the_location_and_generated_files_but_not_pages(executed, copy):
    assert book_hash(copy) == book_hash(Project(executed))
    (copy.book / "appendix.md").write_text("generated", encoding="utf-8")
    (copy.book / "_build").mkdir(exist_ok=True)
    (copy.book / "_build" / "x.html").write_text("output", encoding="utf-8")
    assert book_hash(copy) == book_hash(Project(executed))
    (copy.book / "method.md").write_text("# 方法", encoding="utf-8")
    assert book_hash(copy) != book_hash(Project(executed))


def test_jobs_run_on_a_local_dask_cluster(copy):
    distributed = pytest.importorskip("distributed")
    from analysis.build.worker import shutdown_kernels

    work = plan(copy, force=True)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        try:
            results = execute_jobs(work.stages, client.get_executor())
            worker_pids = set(client.run(os.getpid).values())
        finally:
            client.run(shutdown_kernels)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert {r.key for r in results} == ALL
    assert {int(r.worker.rsplit(":", 1)[1]) for r in results} <= worker_pids
    assert os.getpid() not in worker_pids
    pages = executed_keys(copy)
    assert all(stored_hash(pages[job.key]) == job.input_hash for job in work.jobs)
    assert run(copy, quiet=True).executed == []


@pytest.mark.slow
def test_the_command_line_runs_the_notebooks_on_a_dask_cluster(copy):
    """`policybook run --scheduler ADDRESS`: the jobs go to the cluster's workers."""
    distributed = pytest.importorskip("distributed")
    from analysis.build.worker import shutdown_kernels

    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        try:
            result = subprocess.run(
                [sys.executable, "-m", "analysis", "run", "--force", "--scheduler",
                 cluster.scheduler_address, "--root", str(copy.root)],
                capture_output=True, text=True, timeout=600)
            worker_pids = set(client.run(os.getpid).values())
        finally:
            client.run(shutdown_kernels)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{len(ALL)} executed" in result.stderr + result.stdout
    ran_on = {int(pid) for pid in re.findall(r" s on [^:\s]+:(\d+)\)", result.stderr)}
    assert len(ran_on) >= 1 and ran_on <= worker_pids


@pytest.mark.slow
def test_a_scheduler_that_is_not_there_is_a_message(copy):
    result = subprocess.run([sys.executable, "-m", "analysis", "run", "--scheduler",
                             "tcp://127.0.0.1:9", "--root", str(copy.root)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "no Dask scheduler" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("address", ["tls://127.0.0.1:9", "ucx://127.0.0.1:9", "tcp://"])
def test_a_scheduler_address_other_than_tcp_is_a_message(address):
    result = subprocess.run([sys.executable, "-m", "analysis", "run", "--scheduler", address,
                             "--root", str(ROOT)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert f"--scheduler {address}: give the scheduler's address as tcp://HOST:PORT" in (
        result.stderr)
    assert "Traceback" not in result.stderr


def test_run_and_build_accept_jobs_force_and_quiet():
    from typer.testing import CliRunner

    from analysis.cli import app

    for command in ("run", "build"):
        result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0
        for option in ("--jobs", "--force", "--quiet"):
            assert option in result.stdout, (command, option)

