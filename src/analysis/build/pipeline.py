"""The pipeline's public face: plan and execute the notebooks whose inputs changed, then
build the book. Each part lives in its own module: `hashing` (what a notebook was made from),
`plan` (what to run), `execute` (running jobs on an executor), `progress` (progress and
summary) and `publish` (the atomic Sphinx build)."""

from __future__ import annotations

from analysis.build.execute import execute, execute_jobs, local_executor, run
from analysis.build.hashing import HASH_VERSION, Inputs, book_hash, stored_hash
from analysis.build.plan import Plan, notebooks_for, plan
from analysis.build.progress import Summary
from analysis.build.publish import build as build_book
from analysis.build.worker import KERNEL, TIMEOUT_S
from analysis.errors import NotebookFailed

__all__ = ["HASH_VERSION", "KERNEL", "TIMEOUT_S", "Inputs", "NotebookFailed",
           "Plan", "Summary", "book_hash", "build_book", "execute", "execute_jobs",
           "local_executor", "notebooks_for", "plan", "run", "stored_hash"]
