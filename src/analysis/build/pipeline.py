"""Executing the notebooks whose inputs changed (`run`) on any `concurrent.futures.Executor`
(a local pool of warm kernels by default, a Dask cluster's), per-period ones first, then the
cross-period ones, with their progress; and the build's public names. A failing notebook
keeps its previous executed version; the others still run, then `NotebookFailed` names each
notebook, cell and error."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from analysis.build.hashing import Inputs, book_hash, stored_hash
from analysis.build.lock import book_lock, die_with_parent
from analysis.build.plan import check_period, job_for, plan
from analysis.build.publish import build as build_book
from analysis.build.toc import write_toc
from analysis.build.worker import Job, Result, execute_job, worker_init
from analysis.dataset.periods import Period
from analysis.dataset.project import Project
from analysis.errors import NotebookFailed
from analysis.language import _

__all__ = ["Inputs", "Summary", "book_hash", "build_book", "execute", "execute_jobs", "plan",
           "run", "stored_hash"]


@dataclass
class Summary:
    executed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (label, error)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0

    def line(self) -> str:
        text = _("{executed} executed, {unchanged} unchanged (skipped), {failed} failed in "
                 "{seconds:.1f} s").format(executed=len(self.executed),
                                           unchanged=len(self.unchanged),
                                           failed=len(self.failed), seconds=self.seconds)
        if self.workers:
            text += (_(" ({workers} workers)") if self.workers > 1 else _(" (1 worker)")).format(
                workers=self.workers)
        if self.removed:
            text += _("; removed {removed} page(s) without data").format(removed=len(self.removed))
        return text


def execute_jobs(stages: Sequence[Sequence[Job]], executor: Executor,
                 on_result: Callable[[Job, Result], None] | None = None) -> list[Result]:
    """Run the jobs on `executor` (a process pool, a thread pool, a Dask cluster's
    `Client.get_executor()`), stage after stage, the jobs of a stage in parallel. A job that
    the executor loses (a dead worker) gives a failed result; the others still run."""
    results = []
    for stage in stages:
        futures = {executor.submit(execute_job, job): job for job in stage}
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the executor failed, not the notebook
                result = Result(job.key, False, 0.0, f"{type(exc).__name__}: {exc}")
            results.append(result)
            if on_result is not None:
                on_result(job, result)
    return results


def _start_worker(parent: int) -> None:
    """A pool worker: Ctrl-C is the parent's, and (Linux) SIGTERM when the parent dies."""
    worker_init()
    die_with_parent(parent, signal.SIGTERM)


def _progress(console: Console, total: int) -> Progress:
    """The bar on a terminal: which notebook finished last, how many are left, the time."""
    progress = Progress(
        SpinnerColumn(), TextColumn(_("executing notebooks")), BarColumn(),
        MofNCompleteColumn(), TextColumn(_("{task.fields[left]} left")),
        TimeElapsedColumn(), TextColumn("{task.fields[last]}"), console=console,
        transient=True)
    progress.add_task("run", total=total, left=total, last="")
    return progress


def run(project: Project, period: str | None = None, *, jobs: int | None = None,
        force: bool = False, executor: Executor | None = None, quiet: bool = False,
        fresh_kernels: bool = False) -> Summary:
    """Execute the notebooks of one period (or all) whose inputs changed, then the
    cross-period ones; drop pages left without data; write the table of contents.

    `executor`: default, a local process pool of `jobs` workers (one per core). Raises
    `NotebookFailed` (after running the others) when a notebook failed."""
    start = time.perf_counter()
    check_period(project, period)
    with book_lock(project.book / "_build", quiet):
        work = plan(project, period, force=force, fresh_kernels=fresh_kernels)
        for pattern in (".*.ipynb", "periods/*/.*.ipynb"):  # what a killed run was writing
            for leftover in project.book.glob(pattern):
                leftover.unlink()
        summary = Summary(unchanged=list(work.unchanged))
        for page in work.stale_pages:
            page.unlink(missing_ok=True)
            summary.removed.append(page.relative_to(project.root).as_posix())
            with suppress(OSError):  # the folder of a period whose pages are all gone
                page.parent.rmdir()
        console = Console(stderr=True, highlight=False, soft_wrap=True)
        if work.jobs:
            own = None
            if executor is None:
                cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
                    os.cpu_count() or 1)
                summary.workers = max(1, min(jobs or cores, max(map(len, work.stages))))
                own = executor = ProcessPoolExecutor(
                    summary.workers, mp_context=multiprocessing.get_context("fork"),
                    initializer=_start_worker, initargs=(os.getpid(),))
                own.submit(int).result()  # fork the workers before the display's thread
            show = not quiet and len(work.jobs) > 1 and console.is_terminal
            progress = _progress(console, len(work.jobs)) if show else None

            def done(job: Job, result: Result) -> None:
                if result.ok:
                    summary.executed.append(job.key)
                else:
                    summary.failed.append((job.label, result.error))
                if not quiet:
                    text = _("  {mark} {key} ({seconds:.1f} s)")
                    if own is None and result.worker:
                        text = _("  {mark} {key} ({seconds:.1f} s on {worker})")
                    if not result.ok:
                        text = _("  {mark} {key}: {error}")
                    console.print(text.format(
                        mark="✓" if result.ok else _("✗ failed:"), key=job.key,
                        seconds=result.seconds, worker=result.worker, error=result.error),
                        markup=False)
                if progress is not None:
                    left = len(work.jobs) - len(summary.executed) - len(summary.failed)
                    progress.update(progress.task_ids[0], advance=1, left=left,
                                    last=_("last: {key}").format(key=job.key))

            try:
                with progress or nullcontext():
                    execute_jobs(work.stages, executor, done)
            except KeyboardInterrupt:
                if own is not None:  # end the workers now: each removes its temporary
                    for process in own._processes.values():  # notebook and its kernels
                        process.terminate()
                    own.shutdown(wait=True, cancel_futures=True)
                raise
            finally:
                if own is not None:
                    own.shutdown(wait=True)
        write_toc(project)
    summary.seconds = time.perf_counter() - start
    console.print(summary.line(), markup=False)
    if summary.failed:
        lines = [(_("{label} failed in {error}") if error.startswith("cell ")
                  else _("{label} failed: {error}")).format(label=label, error=error)
                 for label, error in summary.failed]
        head = _("a notebook failed") if len(lines) == 1 else _(
            "{count} notebooks failed").format(count=len(lines))
        raise NotebookFailed(head + _(" (its previous executed version is kept):") + "\n  "
                             + "\n  ".join(lines))
    return summary


def execute(project: Project, period: Period | None, name: str) -> Path:
    """Execute one notebook now, in a new kernel, into its page, atomically."""
    job = job_for(project, Inputs(project), name, period, fresh_kernel=True)
    result = execute_job(job)
    if not result.ok:
        raise NotebookFailed(_("{label} failed in {error}").format(label=job.label,
                                                                   error=result.error))
    return Path(job.target)
