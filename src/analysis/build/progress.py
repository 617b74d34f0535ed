"""What a run shows: a line per finished notebook and a progress bar on a terminal, and the
summary line."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.build.worker import Job, Result
from analysis.language import _


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
                SpinnerColumn(), TextColumn(_("executing notebooks")), BarColumn(),
                MofNCompleteColumn(), TextColumn(_("{task.fields[left]} left")),
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
            mark = "✓" if result.ok else _("✗ failed:")
            text = _("  {mark} {key} ({seconds:.1f} s)")
            if self.where and result.worker:
                text = _("  {mark} {key} ({seconds:.1f} s on {worker})")
            if not result.ok:
                text = _("  {mark} {key}: {error}")
            text = text.format(mark=mark, key=job.key, seconds=result.seconds,
                               worker=result.worker, error=result.error)
            self.console.print(text, markup=False)
        if self.progress is not None:
            task = self.progress.tasks[0]
            left = self.total - int(task.completed) - 1
            self.progress.update(self.task, advance=1, left=left, last=_("last: {key}").format(
                key=job.key))

    def say(self, text: str) -> None:
        self.console.print(text, markup=False)
