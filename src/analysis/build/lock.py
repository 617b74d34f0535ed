"""One run or build of a book at a time, and no process that outlives it.

`book_lock` is an flock on book/_build/.policybook-run.lock, whose holder writes its pid
there: the kernel releases it when the last process holding the descriptor ends (SIGKILL
included), so there is no stale lock. Pool workers and Sphinx inherit the descriptor, and
`die_with_parent` (Linux) ends them with policybook; the kernels follow their worker
(ipykernel's parent poller).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from analysis.errors import Problem, UserError, reported
from analysis.language import N_, _

LOCK = ".policybook-run.lock"  # in book/_build/ (never committed)
TIMEOUT_ENV = "POLICYBOOK_LOCK_TIMEOUT"
PR_SET_PDEATHSIG = 1
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """In a child of `parent`: receive `sig` when the parent ends, or leave at once if it
    already has. No-op off Linux."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, int(sig))
        if os.getppid() != parent:  # the parent died before prctl
            os._exit(137)


def timeout() -> float:
    """Seconds to wait for another run or build (`POLICYBOOK_LOCK_TIMEOUT`, default 120)."""
    try:
        return max(0.0, float(os.environ.get(TIMEOUT_ENV, "")))
    except ValueError:
        return 120.0


@contextmanager
def book_lock(build_dir: Path, quiet: bool = False) -> Iterator[int]:
    """Hold the book's run lock (the locked descriptor). Waits for another holder, saying
    so with its pid, at most `timeout()` seconds, then raises `UserError`."""
    path = build_dir / LOCK
    with reported(doing=N_("locking the book's build folder")):
        build_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        limit, told = timeout(), quiet
        deadline = time.monotonic() + limit
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                if time.monotonic() >= deadline:
                    raise UserError(Problem(
                        str(path), _("another run or build of this book (pid {pid}) has held the "
                                     "lock for {limit:.0f} s").format(pid=pid, limit=limit),
                        _("wait for it to finish, or end it (kill {pid}), then run again; "
                          "{timeout_env} sets how long to wait").format(
                            pid=pid, timeout_env=TIMEOUT_ENV))) from None
                if not told:
                    print(_("waiting for another run or build of this book (pid {pid}) to "
                            "finish (at most {limit:.0f} s)").format(pid=pid, limit=limit),
                          file=sys.stderr, flush=True)
                    told = True
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield fd
    finally:
        os.close(fd)  # not LOCK_UN, which would release the copies of workers and Sphinx
