"""What a build does once rather than once per notebook or per period, so that an incremental
build of a book with many periods costs about what one with few does (benchmarks/RESULTS.md,
"Where an incremental build's time goes"): planning works out each notebook source's code
and the library versions once, not for each of its 7 x N jobs, and the appendix and
downloads are written by `policybook build` from the dataset it has loaded, not loaded
again in Sphinx's process."""

from __future__ import annotations

import subprocess
import time
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


def _stage(staged: Path, pages: dict[str, str]) -> None:
    for name, text in pages.items():
        (staged / name).parent.mkdir(parents=True, exist_ok=True)
        (staged / name).write_text(text, encoding="utf-8")


def test_publishing_copies_only_what_sphinx_rewrote(tmp_path):
    folder, staged = tmp_path / "_build", tmp_path / "_build" / ".staging" / "_build" / "html"
    _stage(staged, {"index.html": "index", "a.html": "a", "_static/s.css": "css"})
    publish.publish(folder, staged)
    first = (folder / "html").resolve()
    _stage(staged, {"a.html": "a, rewritten"})
    publish.publish(folder, staged)
    second = (folder / "html").resolve()
    assert second != first
    for name in ("index.html", "_static/s.css"):  # left as they were: the same file
        assert (second / name).stat().st_ino == (first / name).stat().st_ino
    assert (second / "a.html").read_text(encoding="utf-8") == "a, rewritten"
    assert (first / "a.html").read_text(encoding="utf-8") == "a"  # the shown pages kept
    for page in second.rglob("*"):
        if page.is_file():
            staged_page = staged / page.relative_to(second)
            assert page.read_bytes() == staged_page.read_bytes()
            assert page.stat().st_ino != staged_page.stat().st_ino, "no inode shared with Sphinx"


def test_a_page_rewritten_in_place_with_the_same_size_is_copied_again(tmp_path):
    """Sphinx rewrites its files in place: the published copy must not follow them."""
    folder, staged = tmp_path / "_build", tmp_path / "_build" / ".staging" / "_build" / "html"
    _stage(staged, {"index.html": "one"})
    publish.publish(folder, staged)
    time.sleep(0.01)
    _stage(staged, {"index.html": "two"})
    publish.publish(folder, staged)
    assert (folder / "html" / "index.html").read_text(encoding="utf-8") == "two"
