"""The lock of a project's data/ that import and new-period hold while they write."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from analysis.dataset.project import Project
from analysis.errors import Problem, UserError
from analysis.language import _

NEW_PERIOD_STAGING = ".new."  # `.P.new.XXXX`: the folder new-period fills, then renames


def try_lock(data: Path) -> int | None:
    """An exclusive flock on the data/ folder itself (no lock file: data/ stays as it is, and
    a read-only checkout can be locked), or None if another process holds it."""
    with contextlib.suppress(OSError):
        fd = os.open(data, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except OSError:
            os.close(fd)
    return None


@contextlib.contextmanager
def project_lock(project: Project) -> Iterator[None]:
    """Hold the exclusive lock of data/ (import and new-period), or UserError."""
    fd = try_lock(project.data)
    if fd is None:
        raise UserError(Problem(str(project.data), _("another `policybook import` is writing to "
                                                     "this project (or data/ cannot be opened)"),
                                _("wait for the other import to finish, then import again")))
    try:
        yield
    finally:
        os.close(fd)
