"""What a notebook read of the data, recorded while it runs, and the input hash built from it.

A record is the list of data files a notebook read (paths relative to data/, under periods/
and reference/). Two things record a read: the dataset, on every access to a period's
figures, targets or source and to the comparators, for it loads every file once per kernel
and serves later notebooks from memory; and, for code that opens files itself, an audit hook
on `open` of any file under the project's data/periods/ or data/reference/. `policybook run`
starts a record before each notebook and reads it back afterwards (in the kernel, without
touching the notebook); the executed notebook keeps it in `metadata.policybook.reads`.

Its input hash then covers the files it read, and the ids of the periods it could see (a
period added before its own changes what "the previous period" is); the catalogue and the
configuration, which every notebook reads, are hashed whole. A notebook that has no record
is hashed as having read every file of the periods it could see and the comparators.

This module depends on nothing else of the package: the kernels and the workers import it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator

RECORDED = ("periods", "reference")  # folders of data/ whose files are recorded when read
_files: set[str] = set()
_data: str | None = None  # the data folder whose opened files are recorded (real path)
_paused = 0
_hooked = False


def start(data_dir: str | os.PathLike | None = None) -> None:
    """Begin a new record (the runner calls this in the kernel before each notebook); with
    `data_dir`, files opened under it are recorded too."""
    global _data, _hooked
    _files.clear()
    _data = os.path.realpath(data_dir) + os.sep if data_dir else None
    if _data and not _hooked:
        sys.addaudithook(_opened)
        _hooked = True


def file(path: str) -> None:
    """Note that a data file was read (its path relative to data/, with / separators)."""
    _files.add(path)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Files opened meanwhile are not recorded (the dataset loading every file once)."""
    global _paused
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1


def looked_at(path: str | os.PathLike) -> None:
    """Note a data file whose presence was checked (`exists()` opens nothing): a file added
    there later changes the hash of the notebooks that looked for it."""
    if _data is not None and not _paused:
        _record(path)


def _opened(event: str, args: tuple) -> None:
    if event != "open" or _data is None or _paused or isinstance(args[0], int):
        return
    _record(args[0])


def _record(given: object) -> None:
    try:
        path = os.path.realpath(os.fsdecode(os.fspath(given)))  # type: ignore[arg-type]
    except (TypeError, ValueError, OSError):
        return
    if _data is not None and path.startswith(_data):
        rel = path[len(_data):].replace(os.sep, "/")
        if rel.split("/", 1)[0] in RECORDED:
            _files.add(rel)


def recorded() -> dict:
    """The record since `start`: {"files": [paths relative to data/]}."""
    return {"files": sorted(_files)}


def dump() -> str:
    """`recorded()` as JSON (what the runner asks the kernel for)."""
    return json.dumps(recorded())


def everything(files: Iterable[str], visible: Iterable[str]) -> dict:
    """The record assumed for a notebook that has none: every file of the periods it could
    see, and the comparators."""
    seen = set(visible)
    return {"files": sorted(f for f in files if f.startswith("reference/")
                            or (f.startswith("periods/") and f.split("/")[1] in seen))}


def input_hash(parts: dict, record: dict | None) -> str:
    """A notebook's input hash from the parts that do not depend on what it read (`base`:
    sources, code, configuration, the ids of the periods it can see), the digest of every
    recorded data file (`files`), and its record (None: it read everything it could)."""
    if not isinstance(record, dict) or not isinstance(record.get("files"), list):
        record = everything(parts["files"], parts["visible"])
    payload = {"base": parts["base"],
               "read": [[f, parts["files"].get(f, "absent")] for f in sorted(set(record["files"]))]}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
