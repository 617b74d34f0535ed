"""Executing the planned notebooks: independent jobs (`analysis.build.worker.Job`) on any
`concurrent.futures.Executor` (a local process pool of warm kernels by default, or a Dask
cluster's), the per-period ones first, then the cross-period ones. A failing notebook keeps
its previous executed version; the others still run, then the run raises `NotebookFailed`
naming each notebook, cell and error."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import suppress
from pathlib import Path

from analysis.build.hashing import Inputs
from analysis.build.lock import book_lock, die_with_parent
from analysis.build.plan import Plan, _check_period, job_for, plan
from analysis.build.progress import Summary, _Display
from analysis.build.toc import write_toc
from analysis.build.worker import Job, Result, execute_job, preload, worker_init
from analysis.dataset.periods import Period
from analysis.dataset.project import Project
from analysis.errors import NotebookFailed
from analysis.language import _


def execute_jobs(stages: Sequence[Sequence[Job]], executor: Executor,
                 on_result: Callable[[Job, Result], None] | None = None) -> list[Result]:
    """Run the jobs on `executor`, stage after stage (the jobs within a stage in parallel).

    Any `concurrent.futures.Executor` will do: a process pool, a thread pool, a Dask
    cluster's `Client.get_executor()`. A job that fails, or that the executor loses (a dead
    worker), gives a failed result; the other jobs still run.
    """
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


def local_executor(workers: int) -> ProcessPoolExecutor:
    """The default executor: a pool of `workers` local processes (forked on Linux)."""
    import multiprocessing

    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_start_worker, initargs=(os.getpid(),))


def _start_worker(parent: int) -> None:
    """A pool worker leaves Ctrl-C to `parent` (which ends it with SIGTERM) and, on Linux,
    gets SIGTERM when `parent` dies, even by SIGKILL: it then removes its temporary notebook
    and kills its kernels (`worker_init`), so nothing outlives the run."""
    import signal

    worker_init()
    die_with_parent(parent, signal.SIGTERM)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """End the workers now (Ctrl-C): each removes its temporary file and its kernel."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with suppress(Exception):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _remove_leftovers(project: Project) -> None:
    """Temporary notebooks of a run that was killed (runner.execute_job writes .<name>.*)."""
    for folder in [project.book, *project.book.glob("periods/*")]:
        for leftover in folder.glob(".*.ipynb"):
            leftover.unlink(missing_ok=True)


def run(project: Project, period: str | None = None, *, jobs: int | None = None,
        force: bool = False, executor: Executor | None = None, quiet: bool = False,
        fresh_kernels: bool = False, console=None) -> Summary:
    """Execute the notebooks of one period (or all) whose inputs changed, then the
    cross-period ones; drop pages left without data; write the table of contents.

    `executor`: any `concurrent.futures.Executor` (default: a local process pool of `jobs`
    workers, by default one per core). Raises `NotebookFailed` (after running the others)
    when a notebook failed; its previous executed version is left in place.
    """
    start = time.perf_counter()
    _check_period(project, period)
    with book_lock(project.book / "_build", quiet):
        work = plan(project, period, force=force, fresh_kernels=fresh_kernels)
        _remove_leftovers(project)
        return _run(project, work, start, jobs, executor, quiet, console)


def _run(project: Project, work: Plan, start: float, jobs: int | None,
         executor: Executor | None, quiet: bool, console) -> Summary:
    summary = Summary(unchanged=list(work.unchanged))
    for page in work.stale_pages:
        page.unlink(missing_ok=True)
        summary.removed.append(page.relative_to(project.root).as_posix())
        with suppress(OSError):  # the folder of a period whose pages are all gone
            page.parent.rmdir()
    todo = work.jobs
    display = _Display(len(todo), quiet, console, where=executor is not None)
    if todo:
        workers = max(1, min(jobs or default_jobs(), max(len(s) for s in work.stages)))
        summary.workers = 0 if executor is not None else workers
        own = None
        if executor is None:
            preload()  # imported once here rather than in every worker
            own = executor = local_executor(workers)
            executor.submit(int).result()  # fork the workers before the display's thread
        labels = {job.key: job.label for job in todo}

        def on_result(job: Job, result: Result) -> None:
            (summary.executed if result.ok else summary.failed).append(
                job.key if result.ok else (labels[job.key], result.error))
            display.done(job, result)

        try:
            with display:
                execute_jobs(work.stages, executor, on_result)
        except KeyboardInterrupt:
            if own is not None:
                _terminate(own)
            raise
        finally:
            if own is not None:
                own.shutdown(wait=True)
    write_toc(project)
    summary.seconds = time.perf_counter() - start
    display.say(summary.line())
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
    """Execute one notebook now, in a new kernel, into book/periods/<P>/<name>.ipynb (or,
    for a cross-period notebook, book/<name>.ipynb), atomically."""
    job = job_for(project, Inputs(project), name, period, fresh_kernel=True)
    result = execute_job(job)
    if not result.ok:
        raise NotebookFailed(_("{label} failed in {error}").format(label=job.label,
                                                                   error=result.error))
    return Path(job.target)
