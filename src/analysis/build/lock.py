"""One run or build of a book at a time, and no process that outlives the run.

`book_lock` is an flock on book/_build/.policybook-run.lock: the kernel releases it when
the last process holding it ends, however it ends (SIGKILL included), so there is no stale
lock to clean up. The holder writes its pid into the file; a second run says at once that
it waits for that pid, and gives up with exit 2 after `POLICYBOOK_LOCK_TIMEOUT` seconds
(120 by default). The lock's descriptor is inherited by the pool workers and by Sphinx, so
it stays held until they are gone too; `die_with_parent` (Linux) makes them go as soon as
policybook dies, even by SIGKILL, and the kernels follow their worker (ipykernel's parent
poller, `JPY_PARENT_PID`).
"""

from __future__ import annotations

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
DEFAULT_TIMEOUT_S = 120.0
POLL_S = 0.2


def _prctl():
    """libc's prctl on Linux (resolved before any fork), else None."""
    if sys.platform != "linux":
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()
PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """In a child of `parent` (a pool worker, or a `preexec_fn` before exec): receive `sig`
    when the parent ends; leave at once if it has already ended. No-op off Linux."""
    if _PRCTL is None:
        return
    _PRCTL(PR_SET_PDEATHSIG, int(sig))
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(137)


def timeout() -> float:
    """Seconds to wait for another run or build (`POLICYBOOK_LOCK_TIMEOUT`, default 120)."""
    try:
        return max(0.0, float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S)))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


@contextmanager
def book_lock(build_dir: Path, quiet: bool = False) -> Iterator[int | None]:
    """Hold the book's run lock; the locked descriptor (None on Windows: no lock). Waits
    for another holder (saying so on stderr, with its pid) at most `timeout()` seconds,
    then raises `UserError`."""
    try:
        import fcntl
    except ImportError:
        yield None
        return
    path = build_dir / LOCK
    with reported(doing=N_("locking the book's build folder")):
        build_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        limit = timeout()
        deadline = time.monotonic() + limit
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pid = _holder(fd) or "unknown"
                if time.monotonic() >= deadline:
                    raise UserError(Problem(
                        str(path), _("another run or build of this book (pid {pid}) has held the "
                                     "lock for {limit:.0f} s").format(
                                       pid=pid,
                                       limit=limit),
                        _("wait for it to finish, or end it (kill {pid}), then run again; "
                          "{timeout_env} sets how long to wait").format(
                            pid=pid,
                            timeout_env=TIMEOUT_ENV))) from None
                if not told and not quiet:
                    print(_("waiting for another run or build of this book (pid {pid}) to "
                            "finish (at most {limit:.0f} s)").format(pid=pid, limit=limit),
                          file=sys.stderr, flush=True)
                told = True
                time.sleep(POLL_S)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield fd
    finally:
        os.close(fd)  # not LOCK_UN, which would release the copies of workers and Sphinx
