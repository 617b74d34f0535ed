"""What a build does once rather than once per notebook or per period, so that an incremental
build of a book with many periods costs about what one with few does (benchmarks/RESULTS.md,
"Where an incremental build's time goes"): planning works out each notebook source's code
and the library versions once, not for each of its 7 x N jobs, and the appendix and
downloads are written by `policybook build` from the dataset it has loaded, not loaded
again in Sphinx's process."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from synthetic import copy_period

from analysis.build import hashing, publish
from analysis.build import plan as planning
from analysis.build.hashing import Inputs
from analysis.dataset.project import Project
from analysis.site import sphinxext
from analysis.site.sphinxext import GENERATED_ENV

PERIODS = ("2021H1", "2022H1", "2023H1")


@pytest.fixture
def periods(project_copy) -> Project:
    """The pinned period and three SYNTHETIC later ones."""
    for period in PERIODS:
        copy_period(project_copy, "2020H1", period)
    return project_copy


def _counted(monkeypatch, module, name: str) -> list:
    calls: list = []
    real = getattr(module, name)

    def count(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, count)
    return calls


def test_a_plan_works_out_each_notebook_source_s_code_and_the_versions_once(
        periods, monkeypatch):
    sources = _counted(monkeypatch, hashing, "notebook_imports")
    walks = _counted(monkeypatch, Inputs, "modules")
    versions = _counted(monkeypatch, hashing, "environment")
    work = planning.plan(periods, force=True)
    notebooks = {Path(job.source) for job in work.jobs}
    assert len(work.jobs) > 3 * len(notebooks)  # several periods: many jobs per source
    assert sorted(map(str, {args[0] for args in sources})) == sorted(map(str, notebooks))
    assert len(sources) == len(notebooks)
    assert len(walks) <= len(notebooks)  # sources that import the same share one
    assert len(versions) == 1


def test_the_hashes_of_one_plan_are_those_each_notebook_has_alone(periods):
    """What one `Inputs` keeps between notebooks changes no hash."""
    work = planning.plan(periods, force=True)
    for job in work.jobs:
        period = next((p for p in periods.periods() if p.id == job.parameters.get("period")),
                      None)
        alone = planning.job_for(periods, Inputs(periods), Path(job.source).stem, period)
        assert alone.input_hash == job.input_hash, job.key


def test_a_file_edited_after_a_plan_counts_in_the_next_one(periods):
    before = planning.plan(periods, force=True)
    figures = periods.period_dir(PERIODS[-1]) / "figures.csv"
    figures.write_text(figures.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after = {job.key: job.input_hash for job in planning.plan(periods, force=True).jobs}
    changed = {job.key for job in before.jobs if after[job.key] != job.input_hash}
    assert f"{PERIODS[-1]}/overview" in changed and "trends" in changed
    assert not any(key.startswith("2020H1/") for key in changed)


def _app(book: Path) -> SimpleNamespace:
    return SimpleNamespace(srcdir=str(book))


def test_sphinx_writes_the_appendix_itself_when_started_by_hand(project_copy, monkeypatch):
    monkeypatch.delenv(GENERATED_ENV, raising=False)
    sphinxext._write_generated(_app(project_copy.book), None)
    assert (project_copy.book / "appendix.md").is_file()


def test_sphinx_leaves_the_appendix_to_the_build_that_wrote_it(project_copy, monkeypatch):
    monkeypatch.setenv(GENERATED_ENV, str(project_copy.book.resolve()))
    sphinxext._write_generated(_app(project_copy.book), None)
    assert not (project_copy.book / "appendix.md").exists()
    monkeypatch.setenv(GENERATED_ENV, str(project_copy.root.resolve() / "another" / "book"))
    sphinxext._write_generated(_app(project_copy.book), None)  # another book's: written
    assert (project_copy.book / "appendix.md").is_file()


def test_the_build_writes_the_appendix_before_it_starts_sphinx_and_says_so(
        project_copy, monkeypatch, tmp_path):
    seen: dict = {}

    def sphinx(command, **kwargs):
        seen["appendix"] = (project_copy.book / "appendix.md").is_file()
        seen["downloads"] = sorted(p.name for p in (project_copy.book / "_extra" /
                                                    "downloads" / "2020H1").iterdir())
        seen["env"] = kwargs["env"].get(GENERATED_ENV)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(publish.subprocess, "run", sphinx)
    publish.run_sphinx(project_copy, tmp_path / "staging", True, 0)
    assert seen == {"appendix": True, "env": str(project_copy.book.resolve()),
                    "downloads": ["figures.csv", "figures_2020H1.xlsx",
                                  "figures_zh_2020H1.csv"]}
