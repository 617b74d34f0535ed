"""The pipeline's public face: plan and execute the notebooks whose inputs changed, then
build the book. Each part lives in its own module: `hashing` (what a notebook was made from),
`planning` (what to run), `executing` (running jobs on an executor), `display` (progress and
summary) and `book_build` (the atomic Sphinx build).
"""

from __future__ import annotations

from pathlib import Path

from analysis.build.execute import execute, execute_jobs, local_executor, run
from analysis.build.hashing import BUILD_STAMP, HASH_VERSION, Inputs, book_hash, stored_hash
from analysis.build.plan import Plan, notebooks_for, plan
from analysis.build.progress import Summary
from analysis.build.worker import KERNEL, TIMEOUT_S
from analysis.dataset.project import Project
from analysis.errors import NotebookFailed

__all__ = ["BUILD_STAMP", "HASH_VERSION", "KERNEL", "TIMEOUT_S", "Inputs", "NotebookFailed",
           "Plan", "Summary", "book_hash", "build_book", "execute", "execute_jobs",
           "local_executor", "notebooks_for", "plan", "run", "stored_hash"]


def build_book(project: Project, *, force: bool = False, quiet: bool = False) -> Path:
    """jupyter-book build (warnings are errors) into a staging folder; the new pages replace
    the published ones in one step, only when the build succeeded (`analysis.build.publish`).
    The path of book/_build/html/index.html. Skipped when the published pages are from the
    book's current inputs (unless `force`)."""
    from analysis.build.publish import build

    return build(project, force=force, quiet=quiet)
