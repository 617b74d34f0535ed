"""The worker side of `policybook run`: execute one notebook job, atomically, in a warm kernel.

A job is a plain picklable record, so any `concurrent.futures.Executor` can run
`execute_job` (a local process pool by default, a Dask cluster's `get_executor()`, a thread
pool). Each worker keeps one Jupyter kernel per thread and reuses it for the next job after
resetting it to the state of a new kernel (empty namespace, new history session, execution
count 1, the job's working directory, no open figures): kernel start and the imports of
pandas/matplotlib/seaborn are paid once per worker instead of once per notebook. The
parameters are injected with papermill and the cells run with nbclient, as papermill does with
a new kernel; `fresh_kernel=True` starts a new kernel for the job.

A failing notebook never raises here: the result names the cell and the error (no traceback),
and the previous executed notebook stays in place.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from analysis.files import temporary_beside, write_atomic

KERNEL = "policybook"
TIMEOUT_S = 600        # per cell
START_TIMEOUT_S = 120  # kernel start-up


@dataclass(frozen=True)
class Job:
    """One notebook to execute: `source` with `parameters` into `target` (absolute paths)."""

    key: str                 # "2020H1/overview", "trends": what the user reads
    label: str               # "notebooks/overview.ipynb for 2020H1": names it in errors
    source: str
    target: str
    parameters: dict = field(hash=False)
    input_hash: str = ""     # recorded in the executed notebook (hashing.Inputs.notebook)
    run_id: str = ""         # distinct per run (Dask would otherwise reuse a cached result)
    fresh_kernel: bool = False
    timeout: int = TIMEOUT_S


@dataclass(frozen=True)
class Result:
    key: str
    ok: bool
    seconds: float
    error: str = ""          # "cell 4 (`page.text(...)`): KeyError: 'x'"
    worker: str = ""         # host:pid that ran it
    input_hash: str = ""     # what the executed notebook records


class KernelStartFailed(Exception):
    pass


def clean_notebook(nb: nbformat.NotebookNode, input_hash: str = "") -> str:
    """The executed notebook as written: without volatile execution metadata, the injected
    parameters hidden from readers, the hash of its inputs in metadata.policybook."""
    nb.metadata.pop("papermill", None)
    if input_hash:
        nb.metadata["policybook"] = {"input_hash": input_hash}
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell.id = "injected-parameters"  # papermill draws a random id on every run
            if "remove-cell" not in tags:
                cell.metadata["tags"] = [*tags, "remove-cell"]
    return nbformat.writes(nb) + "\n"  # as nbformat.write ends the file


# ---------------------------------------------------------------------------- warm kernels

_RESET = "get_ipython().reset(new_session=True)"  # namespace, history session, count = 1
_PREPARE = """\
import os as _pb_os, sys as _pb_sys
_pb_os.chdir({cwd!r})
if "matplotlib.pyplot" in _pb_sys.modules:
    _pb_sys.modules["matplotlib.pyplot"].close("all")
del _pb_os, _pb_sys
"""


class WarmKernel:
    """A started kernel and its client; `prepare(cwd)` makes it look newly started."""

    def __init__(self) -> None:
        from jupyter_client.kernelspec import NoSuchKernel
        from jupyter_client.manager import KernelManager

        self.km = KernelManager(kernel_name=KERNEL)
        try:
            # the kernel's own log (e.g. ipykernel's "TCP without encryption" warning) would
            # garble the progress display; cell output reaches the notebook over ZMQ anyway
            self.km.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except NoSuchKernel:
            raise KernelStartFailed(
                f"Jupyter kernel '{KERNEL}' is not installed: run `make setup` (the "
                "project's .venv) or, in a conda/mamba environment made from environment.yml, "
                "`policybook kernel`") from None
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=START_TIMEOUT_S)
        except RuntimeError as exc:
            self.shutdown()
            raise KernelStartFailed(f"kernel '{KERNEL}' did not start: {exc}") from None
        self.used = False

    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:  # a broken manager is a dead kernel
            return False

    def _silent(self, code: str) -> None:
        reply = self.kc.execute_interactive(code, silent=True, store_history=False,
                                            timeout=START_TIMEOUT_S)
        if reply["content"]["status"] != "ok":
            raise KernelStartFailed(f"kernel reset failed: {reply['content'].get('evalue')}")

    def prepare(self, cwd: str) -> None:
        if self.used:
            self._silent(_RESET)
        self._silent(_PREPARE.format(cwd=cwd))
        self.used = True

    def shutdown(self) -> None:
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            self.km.shutdown_kernel(now=False)


_local = threading.local()      # one kernel per worker thread
_current_tmp: Path | None = None  # the temporary notebook being written (pool workers)
_all: list[WarmKernel] = []     # every kernel of this process, for shutdown at exit
_lock = threading.Lock()


def _kernel() -> WarmKernel:
    kernel = getattr(_local, "kernel", None)
    if kernel is not None and kernel.alive():
        return kernel
    if kernel is not None:
        _discard(kernel)
    kernel = WarmKernel()
    with _lock:
        if not _all:  # first kernel of this process: shut them down when it exits
            atexit.register(shutdown_kernels)
            with contextlib.suppress(Exception):  # pool workers leave through os._exit
                from multiprocessing import util
                util.Finalize(None, shutdown_kernels, exitpriority=10)
        _all.append(kernel)
    _local.kernel = kernel
    return kernel


def _discard(kernel: WarmKernel) -> None:
    kernel.shutdown()
    with _lock:
        if kernel in _all:
            _all.remove(kernel)
    if getattr(_local, "kernel", None) is kernel:
        _local.kernel = None


def shutdown_kernels() -> int:
    """Shut down this process's warm kernels (e.g. `dask_client.run(shutdown_kernels)`)."""
    with _lock:
        kernels, _all[:] = list(_all), []
    for kernel in kernels:
        kernel.shutdown()
    _local.kernel = None
    return len(kernels)


# ---------------------------------------------------------------------------- execution

def _terminated(*_: object) -> None:
    """SIGTERM (the parent ending an interrupted run): remove the temporary notebook, kill
    the kernels, leave at once (unwinding through nbclient's event loop only adds noise)."""
    if _current_tmp is not None:
        _current_tmp.unlink(missing_ok=True)
    for kernel in list(_all):
        with contextlib.suppress(Exception):
            kernel.km.provisioner.process.kill()
        with contextlib.suppress(Exception):
            kernel.km.cleanup_connection_file()
    os._exit(143)


def worker_init() -> None:
    """For pool workers: Ctrl-C is the parent's to handle (it ends the workers with SIGTERM)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)


def preload() -> None:
    """Import the execution machinery (so forked workers inherit it instead of each paying)."""
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import papermill.iorw  # noqa: F401
    import papermill.parameterize  # noqa: F401


def _first_line(source: str) -> str:
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _describe(cell, index: int, exc: BaseException) -> str:
    where = f"cell {cell.get('execution_count') or index + 1}"
    if first := _first_line(cell.get("source", "")):
        where += f" (`{first}`)"
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None)
    if evalue is None:
        evalue = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
    return f"{where}: {ename}: {evalue}"


def _run_cells(job: Job, kernel: WarmKernel, cwd: str):
    """Parameterize like papermill and execute every cell; (notebook, error or '')."""
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(job.source)
    nb = parameterize_notebook(nb, job.parameters, kernel_name=KERNEL, language="python")
    for cell in nb.cells:  # as papermill's notebook_start
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = []
    kernel.prepare(cwd)
    client = NotebookClient(nb, km=kernel.km, kernel_name=KERNEL, timeout=job.timeout,
                            startup_timeout=START_TIMEOUT_S, record_timing=False)
    client.kc = kernel.kc
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, index)
            except Exception as exc:  # an error, a timeout, a dead kernel
                return nb, _describe(cell, index, exc)
        info = client.wait_for_reply(kernel.kc.kernel_info())
        nb.metadata["language_info"] = info["content"]["language_info"]
        client.set_widgets_metadata()
    return nb, ""


def execute_job(job: Job) -> Result:
    """Execute `job.source` into `job.target` atomically; never raises for a notebook error."""
    import socket

    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    target = Path(job.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_beside(target)  # there while the notebook runs: a run in progress
    tmp.touch()
    global _current_tmp
    _current_tmp = tmp
    kernel = None
    try:
        kernel = WarmKernel() if job.fresh_kernel else _kernel()
        nb, error = _run_cells(job, kernel, str(target.parent))
        if error:
            if not job.fresh_kernel:  # its state is no longer a new kernel's
                _discard(kernel)
            return Result(job.key, False, time.perf_counter() - start, error, worker)
        write_atomic(target, clean_notebook(nb, job.input_hash), tmp)
        return Result(job.key, True, time.perf_counter() - start, "", worker, job.input_hash)
    except KernelStartFailed as exc:
        return Result(job.key, False, time.perf_counter() - start, str(exc), worker)
    except Exception as exc:  # reported per notebook, the run goes on
        if kernel is not None and not job.fresh_kernel:
            _discard(kernel)
        return Result(job.key, False, time.perf_counter() - start,
                      f"{type(exc).__name__}: {exc}", worker)
    finally:
        if job.fresh_kernel and kernel is not None:
            kernel.shutdown()
        tmp.unlink(missing_ok=True)
        _current_tmp = None
