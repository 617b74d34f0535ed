"""Execute the notebooks of each period (only those whose inputs changed) and build the book.

Every executed notebook records a hash of its inputs in `metadata.policybook.input_hash`:
the source notebook, its parameters, the kernel, the data it can read, the catalogue, the
comparators, the package's source and the versions of the libraries that shape its output.
A per-period notebook reads its own period and, for plan tracking and progress charts, the
periods before it (targets set earlier); a cross-period notebook reads every period. Paths
enter the hash relative to the project, line endings normalized, so the committed notebooks
of a fresh clone match and nothing is executed. `force` re-executes everything.

The notebooks to execute are independent jobs (`analysis.runner.Job`), run on any
`concurrent.futures.Executor` (a local process pool by default): the per-period ones first,
then the cross-period ones. A failing notebook keeps its previous executed version; the
others still run, then the run raises `NotebookFailed` naming each notebook, cell and error.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from analysis.config import NEEDS_ANY, NEEDS_TARGETS
from analysis.dataset import load_dataset
from analysis.errors import UserError
from analysis.periods import Period, is_period, parse_period
from analysis.project import Project
from analysis.runner import KERNEL, TIMEOUT_S, Job, Result, execute_job
from analysis.toc import write_toc

__all__ = ["KERNEL", "TIMEOUT_S", "Inputs", "NotebookFailed", "Plan", "Summary", "book_hash",
           "build_book", "execute", "execute_jobs", "local_executor", "notebooks_for", "plan",
           "run", "stored_hash"]

HASH_VERSION = 2  # bump when the meaning of the hash changes
# libraries whose version can change what an executed notebook shows
EXECUTION_PACKAGES = ("ipykernel", "ipython", "matplotlib", "nbclient", "nbformat", "numpy",
                      "pandas", "pandera", "papermill", "pylopdf-fonts-zh-cn", "pyyaml",
                      "seaborn")
# ... and what the built HTML looks like
BOOK_PACKAGES = ("jieba", "jupyter-book", "myst-nb", "myst-parser", "openpyxl", "sphinx",
                 "sphinx-book-theme")
TEXT_SUFFIXES = frozenset({".py", ".ipynb", ".csv", ".yml", ".yaml", ".txt", ".md", ".json",
                           ".toml", ".css", ".js", ".html", ".svg"})
BUILD_STAMP = ".policybook-build.json"  # in book/_build/: the inputs of the last good build



class NotebookFailed(Exception):
    """A notebook raised while executing: names the notebook, the cell and the error."""


# ---------------------------------------------------------------------------- input hashes

def _skip(path: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in path.parts)


class Inputs:
    """Content digests of a project's inputs; each file is read once per instance."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._files: dict[Path, str] = {}
        self._periods: dict[str, str] = {}
        self._shared: str | None = None

    def file(self, path: Path) -> str:
        if path not in self._files:
            data = path.read_bytes()
            if path.suffix.lower() in TEXT_SUFFIXES:  # a Windows checkout hashes the same
                data = data.replace(b"\r\n", b"\n")
            self._files[path] = hashlib.sha256(data).hexdigest()
        return self._files[path]

    def tree(self, folder: Path, base: Path, pattern: str = "*",
             exclude: Callable[[Path], bool] | None = None) -> list[tuple[str, str]]:
        """(path relative to `base`, digest) of the files under `folder`, sorted."""
        if not folder.is_dir():
            return []
        files = []
        for path in folder.rglob(pattern):
            rel = path.relative_to(base)
            if path.is_file() and not _skip(path.relative_to(folder)) and not (
                    exclude and exclude(rel)):
                files.append((rel.as_posix(), self.file(path)))
        return sorted(files)

    def data(self, folder: Path) -> list[tuple[str, str]]:
        return self.tree(folder, self.project.root)

    @staticmethod
    def package() -> list[tuple[str, str]]:
        """The analysis package's own source (what the kernels import)."""
        import analysis

        folder = Path(analysis.__file__).resolve().parent
        return Inputs(Project(folder.parent)).tree(folder, folder.parent, "*.py")

    @staticmethod
    def environment(packages: Iterable[str]) -> dict[str, str]:
        from importlib.metadata import PackageNotFoundError, version

        versions = {"python": "{}.{}".format(*sys.version_info[:2])}
        for name in packages:
            try:
                versions[name] = version(name)
            except PackageNotFoundError:
                versions[name] = "absent"
        return versions

    @property
    def shared(self) -> str:
        """Catalogue, comparators, package source, library versions, kernel."""
        if self._shared is None:
            self._shared = _digest({
                "catalogue": self.data(self.project.catalogue),
                "reference": self.data(self.project.reference),
                "package": self.package(),
                "environment": self.environment(EXECUTION_PACKAGES),
                "kernel": KERNEL,
            })
        return self._shared

    def period(self, period: Period) -> str:
        if period.id not in self._periods:
            self._periods[period.id] = _digest(self.data(self.project.period_dir(period)))
        return self._periods[period.id]

    def templates(self, name: str) -> list[tuple[str, str]]:
        """The prose templates a notebook renders (data/project.yml's `templates`, by default
        templates/<name>.j2): editing one re-executes only the notebooks that use it."""
        notebook = next((nb for nb in (*self.project.config.period_notebooks,
                                       *self.project.config.cross_period_notebooks)
                         if nb.name == name), None)
        names = notebook.templates if notebook is not None else (name,)
        folder = self.project.root / "templates"
        if "all" in names:
            return self.tree(folder, self.project.root, "*.j2")
        paths = [folder / f"{n}.j2" for n in names]
        return [(p.relative_to(self.project.root).as_posix(), self.file(p))
                for p in paths if p.exists()]

    def notebook(self, name: str, parameters: dict, periods: Sequence[Period]) -> str:
        """The hash of notebooks/<name>.ipynb run with `parameters` over `periods`' data."""
        source = self.project.notebooks / f"{name}.ipynb"
        return "sha256:" + _digest({
            "version": HASH_VERSION,
            "notebook": [source.relative_to(self.project.root).as_posix(), self.file(source)],
            "templates": self.templates(name),
            "parameters": parameters,
            "shared": self.shared,
            "periods": [[p.id, self.period(p)] for p in periods],
        })


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_hash(path: Path) -> str | None:
    """The input hash an executed notebook was made from (None: absent or unreadable)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    meta = nb.get("metadata", {}).get("policybook", {})
    return meta.get("input_hash") if isinstance(meta, dict) else None


# ---------------------------------------------------------------------------- what to run

def notebooks_for(project: Project, period: Period) -> list[str]:
    """The notebooks a period has data for (data/project.yml's `needs`): an area with no
    figures gets no page; plan tracking needs a target set by then."""
    dataset = load_dataset(project)
    figures = dataset.figures[period.id]
    areas = set(figures["area"])
    has_targets = any(len(dataset.targets[p.id]) for p in dataset.periods_up_to(period))
    return [nb.name for nb in project.config.period_notebooks
            if (nb.needs == NEEDS_ANY and len(figures)) or nb.needs in areas
            or (nb.needs == NEEDS_TARGETS and has_targets)]


def _period_parameters(period: Period) -> dict:
    """Only the period: a notebook finds the project upwards from its working directory."""
    return {"period": period.id}


CROSS_PARAMETERS: dict = {}


def _check_period(project: Project, period: str | None) -> None:
    if period and not project.period_dir(period).is_dir():
        raise UserError(f"no data for period {period}: data/periods/{period}/ does not exist")


@dataclass
class Plan:
    """What a run does: the stages of jobs (per-period, then cross-period) to execute, the
    notebooks left as they are, and the executed pages whose period lost their data."""

    stages: list[list[Job]]
    unchanged: list[str] = field(default_factory=list)
    stale_pages: list[Path] = field(default_factory=list)

    @property
    def jobs(self) -> list[Job]:
        return [job for stage in self.stages for job in stage]


def plan(project: Project, period: str | None = None, *, force: bool = False,
         fresh_kernels: bool = False) -> Plan:
    """Decide which notebooks to execute (inputs changed, output missing, or `force`)."""
    _check_period(project, period)
    load_dataset(project)  # refuses data that does not validate, with located problems
    all_periods = project.periods()
    selected = [parse_period(period)] if period else all_periods
    inputs = Inputs(project)
    run_id = uuid.uuid4().hex

    result = Plan(stages=[[], []])

    def consider(stage: int, key: str, name: str, target: Path, parameters: dict,
                 periods: Sequence[Period], label: str) -> None:
        digest = inputs.notebook(name, parameters, periods)
        if not force and target.exists() and stored_hash(target) == digest:
            result.unchanged.append(key)
            return
        result.stages[stage].append(Job(
            key=key, label=label, source=str(project.notebooks / f"{name}.ipynb"),
            target=str(target), parameters=parameters, input_hash=digest, run_id=run_id,
            fresh_kernel=fresh_kernels))

    for p in selected:
        # plan tracking and progress charts read the figures and targets of earlier periods
        upto = project.periods_up_to(p)
        wanted = notebooks_for(project, p)
        out = project.book_period_dir(p)
        for name in wanted:
            consider(0, f"{p.id}/{name}", name, out / f"{name}.ipynb", _period_parameters(p),
                     upto, f"notebooks/{name}.ipynb for {p.id}")
        result.stale_pages += [page for page in sorted(out.glob("[!.]*.ipynb"))
                               if page.stem not in wanted]
    if not period:  # pages of periods whose data is gone
        present = {p.id for p in all_periods}
        base = project.book / "periods"
        if base.is_dir():
            result.stale_pages += sorted(
                page for folder in base.iterdir()
                if folder.is_dir() and is_period(folder.name) and folder.name not in present
                for page in folder.glob("[!.]*.ipynb"))
    if all_periods:
        for name in (nb.name for nb in project.config.cross_period_notebooks):
            consider(1, name, name, project.book / f"{name}.ipynb", CROSS_PARAMETERS,
                     all_periods, f"notebooks/{name}.ipynb for all periods")
    result.stages = [stage for stage in result.stages if stage]
    return result


# ---------------------------------------------------------------------------- execution

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

    from analysis.runner import worker_init

    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_init)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """End the workers now (Ctrl-C): each removes its temporary file and its kernel."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with suppress(Exception):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


@dataclass
class Summary:
    executed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (label, error)
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0

    def line(self) -> str:
        text = (f"{len(self.executed)} executed, {len(self.unchanged)} unchanged (skipped), "
                f"{len(self.failed)} failed in {self.seconds:.1f} s")
        if self.workers:
            text += f" ({self.workers} worker{'s' if self.workers > 1 else ''})"
        if self.removed:
            text += f"; removed {len(self.removed)} page(s) without data"
        return text


class _Display:
    """Progress of a multi-notebook run on stderr: a line per finished notebook and a bar
    (which notebook finished last, how many are left, elapsed time) on a terminal."""

    def __init__(self, total: int, quiet: bool, console=None, where: bool = False) -> None:
        self.where = where  # name the worker of each notebook (jobs on another executor)
        from rich.console import Console

        self.quiet, self.total = quiet, total
        self.console = console or Console(stderr=True, highlight=False, soft_wrap=True)
        self.progress = self.task = None
        if not quiet and total > 1 and self.console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(
                SpinnerColumn(), TextColumn("executing notebooks"), BarColumn(),
                MofNCompleteColumn(), TextColumn("{task.fields[left]} left"),
                TimeElapsedColumn(), TextColumn("{task.fields[last]}"),
                console=self.console, transient=True)
            self.task = self.progress.add_task("run", total=total, left=total, last="")

    def __enter__(self) -> _Display:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def done(self, job: Job, result: Result) -> None:
        if not self.quiet:
            mark = "✓" if result.ok else "✗ failed:"
            text = f"  {mark} {job.key} ({result.seconds:.1f} s)"
            if self.where and result.worker:
                text = f"  {mark} {job.key} ({result.seconds:.1f} s on {result.worker})"
            if not result.ok:
                text = f"  {mark} {job.key}: {result.error}"
            self.console.print(text, markup=False)
        if self.progress is not None:
            task = self.progress.tasks[0]
            left = self.total - int(task.completed) - 1
            self.progress.update(self.task, advance=1, left=left, last=f"last: {job.key}")

    def say(self, text: str) -> None:
        self.console.print(text, markup=False)


@contextmanager
def _run_lock(project: Project):
    """One run at a time per book (a second one waits): the temporary notebooks that a
    killed run left behind can then be removed safely."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        yield
        return
    folder = project.book / "_build"  # not committed
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".policybook-run.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    with _run_lock(project):
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
            from analysis.runner import preload

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
        lines = [f"{label} failed in {error}" if error.startswith("cell ")
                 else f"{label} failed: {error}" for label, error in summary.failed]
        head = "a notebook failed" if len(lines) == 1 else f"{len(lines)} notebooks failed"
        raise NotebookFailed(head + " (its previous executed version is kept):\n  "
                             + "\n  ".join(lines))
    return summary


def execute(project: Project, period: Period | None, name: str) -> Path:
    """Execute one notebook now, in a new kernel, into book/periods/<P>/<name>.ipynb (or,
    for a cross-period notebook, book/<name>.ipynb), atomically."""
    inputs = Inputs(project)
    if period:
        target = project.book_period_dir(period) / f"{name}.ipynb"
        parameters = _period_parameters(period)
        periods = project.periods_up_to(period)
        label = f"notebooks/{name}.ipynb for {period.id}"
    else:
        target, parameters = project.book / f"{name}.ipynb", CROSS_PARAMETERS
        periods, label = project.periods(), f"notebooks/{name}.ipynb for all periods"
    job = Job(key=name, label=label, source=str(project.notebooks / f"{name}.ipynb"),
              target=str(target), parameters=parameters,
              input_hash=inputs.notebook(name, parameters, periods), fresh_kernel=True)
    result = execute_job(job)
    if not result.ok:
        raise NotebookFailed(f"{label} failed in {result.error}")
    return target


# ---------------------------------------------------------------------------- the book

def _generated(rel: Path) -> bool:
    """Files of book/ that the build writes itself (or Sphinx's output)."""
    return rel.parts[0] in {"_build", "_extra", "downloads", "_search_dict.txt", "appendix.md"}


def book_hash(project: Project) -> str:
    """The inputs of the HTML build: book sources, data (appendix, downloads), package."""
    inputs = Inputs(project)
    return _digest({
        "version": HASH_VERSION,
        "book": inputs.tree(project.book, project.book, exclude=_generated),
        "data": inputs.data(project.data),
        "package": inputs.package(),
        "environment": inputs.environment(EXECUTION_PACKAGES + BOOK_PACKAGES),
    })


def build_book(project: Project, *, force: bool = False, quiet: bool = False) -> Path:
    """jupyter-book build (warnings are errors) into a staging folder; the new pages replace
    the published ones in one step, only when the build succeeded (`analysis.book_build`).
    The path of book/_build/html/index.html. Skipped when the published pages are from the
    book's current inputs (unless `force`)."""
    from analysis.book_build import build

    return build(project, force=force, quiet=quiet)
