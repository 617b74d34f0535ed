"""One notebook job, executed in a warm kernel and written atomically.

A `Job` is a plain picklable record, so any `concurrent.futures.Executor` runs `execute_job`.
Each worker thread keeps one kernel and resets it before each job to the state of a new one
(empty namespace, new history session, execution count 1, the job's folder, no open figures);
papermill injects the parameters and nbclient runs the cells. A failing notebook never
raises: the result names the cell and the error, and the previous executed notebook stays.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing import util
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from analysis.build import KERNEL
from analysis.files import temporary_beside, write_atomic

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


@dataclass(frozen=True)
class Result:
    key: str
    ok: bool
    seconds: float
    error: str = ""          # "cell 4 (`page.text(...)`): KeyError: 'x'"
    worker: str = ""         # host:pid that ran it


class KernelStartFailed(Exception):
    pass


def clean_notebook(nb: nbformat.NotebookNode, input_hash: str) -> str:
    """The executed notebook as written: without volatile execution metadata, the injected
    parameters hidden from readers, the hash of its inputs in metadata.policybook."""
    nb.metadata.pop("papermill", None)
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

_RESET = """\
get_ipython().reset(new_session=True)
import os as _pb_os, sys as _pb_sys
_pb_os.chdir({cwd!r})
if "matplotlib.pyplot" in _pb_sys.modules:
    _pb_sys.modules["matplotlib.pyplot"].close("all")
del _pb_os, _pb_sys
"""


class WarmKernel:
    """A started kernel and its client; `prepare(cwd)` makes it look newly started."""

    def __init__(self) -> None:
        try:  # the kernel's own log would garble the progress display (outputs go over ZMQ)
            self.km, self.kc = start_new_kernel(START_TIMEOUT_S, KERNEL, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL)
        except NoSuchKernel:
            raise KernelStartFailed(
                f"Jupyter kernel '{KERNEL}' is not installed: run `make setup` (the "
                "project's .venv) or, in a conda/mamba environment made from environment.yml, "
                "`policybook kernel`") from None
        except RuntimeError as exc:
            raise KernelStartFailed(f"kernel '{KERNEL}' did not start: {exc}") from None

    def prepare(self, cwd: str) -> None:
        reply = self.kc.execute_interactive(_RESET.format(cwd=cwd), silent=True,
                                            store_history=False, timeout=START_TIMEOUT_S)
        if reply["content"]["status"] != "ok":
            raise KernelStartFailed(f"kernel reset failed: {reply['content'].get('evalue')}")

    def shutdown(self) -> None:
        with suppress(Exception):
            self.kc.stop_channels()
        with suppress(Exception):
            self.km.shutdown_kernel(now=False)


_local = threading.local()          # one kernel per worker thread
_kernels: list[WarmKernel] = []     # every warm kernel of this process
_writing: set[Path] = set()         # the temporary notebooks being written


def _kernel() -> WarmKernel:
    kernel = getattr(_local, "kernel", None)
    if kernel is not None:
        with suppress(Exception):  # a broken manager is a dead kernel
            if kernel.km.is_alive():
                return kernel
        _discard(kernel)
    if not _kernels:  # pool workers leave through os._exit: multiprocessing's finalizers
        atexit.register(shutdown_kernels)
        util.Finalize(None, shutdown_kernels, exitpriority=10)
    _local.kernel = kernel = WarmKernel()
    _kernels.append(kernel)
    return kernel


def _discard(kernel: WarmKernel) -> None:
    kernel.shutdown()
    if kernel in _kernels:
        _kernels.remove(kernel)
    if getattr(_local, "kernel", None) is kernel:
        _local.kernel = None


def shutdown_kernels() -> None:
    """Shut down this process's warm kernels (e.g. `dask_client.run(shutdown_kernels)`)."""
    for kernel in list(_kernels):
        _discard(kernel)


def _terminated(*_: object) -> None:
    """SIGTERM (the parent ending an interrupted run): remove the temporary notebooks, kill
    the kernels, leave at once (unwinding through nbclient's event loop only adds noise)."""
    for tmp in list(_writing):
        tmp.unlink(missing_ok=True)
    for kernel in _kernels:
        with suppress(Exception):
            kernel.km.provisioner.process.kill()
        with suppress(Exception):
            kernel.km.cleanup_connection_file()
    os._exit(143)


def worker_init() -> None:
    """For pool workers: Ctrl-C is the parent's to handle (it ends the workers with SIGTERM)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)


# ---------------------------------------------------------------------------- execution

def _describe(cell, index: int, exc: BaseException) -> str:
    where = f"cell {cell.get('execution_count') or index + 1}"
    line = next((s.strip() for s in cell.get("source", "").splitlines() if s.strip()), "")
    if line:
        where += f" (`{line if len(line) <= 60 else line[:57] + '...'}`)"
    evalue = getattr(exc, "evalue", None)
    if evalue is None:
        evalue = str(exc).strip().splitlines()[-1] if str(exc).strip() else ""
    return f"{where}: {getattr(exc, 'ename', None) or type(exc).__name__}: {evalue}"


def _run_cells(job: Job, kernel: WarmKernel, cwd: str) -> tuple[nbformat.NotebookNode, str]:
    """Parameterize like papermill and execute every cell; (notebook, error or '')."""
    nb = parameterize_notebook(load_notebook_node(job.source), job.parameters,
                               kernel_name=KERNEL, language="python")
    for cell in nb.cells:  # as papermill's notebook_start
        if cell.cell_type == "code":
            cell.execution_count, cell.outputs = None, []
    kernel.prepare(cwd)
    client = NotebookClient(nb, km=kernel.km, kernel_name=KERNEL, timeout=TIMEOUT_S,
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
    start, kernel, error = time.perf_counter(), None, ""
    target = Path(job.target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_beside(target)  # there while the notebook runs: a run in progress
    tmp.touch()
    _writing.add(tmp)
    try:
        kernel = WarmKernel() if job.fresh_kernel else _kernel()
        nb, error = _run_cells(job, kernel, str(target.parent))
        if not error:
            write_atomic(target, clean_notebook(nb, job.input_hash), tmp)
    except Exception as exc:  # reported per notebook, the run goes on
        error = str(exc) if isinstance(exc, KernelStartFailed) else f"{type(exc).__name__}: {exc}"
    finally:
        if kernel is not None and (error or job.fresh_kernel):  # no longer a new kernel
            _discard(kernel)
        tmp.unlink(missing_ok=True)
        _writing.discard(tmp)
    return Result(job.key, not error, time.perf_counter() - start, error,
                  f"{socket.gethostname()}:{os.getpid()}")
