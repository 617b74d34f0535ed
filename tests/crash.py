"""A forked child that imports and is SIGKILLed at a chosen file-system step (for the kill
tests of tests/test_kill.py and tests/test_import_limits.py)."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pandas as pd

from analysis.dataset.project import Project
from analysis.intake.importer import import_period

STEPS = [(os, "rename"), (os, "replace"), (os, "unlink"), (os, "rmdir"), (os, "mkdir"),
         (os, "chmod"), (shutil, "copyfile"), (shutil, "copystat")]


def crash_at(step: int, root: str, source: str, period: str) -> None:
    """In a forked child: import, SIGKILLing this process at the `step`-th file-system call;
    a file being written at that step is left half-written, as a kill mid-write would."""
    count = [0]

    def due() -> bool:
        count[0] += 1
        return count[0] == step

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def wrap(original):
        def call(*args, **kwargs):
            if due():
                die()
            return original(*args, **kwargs)
        return call

    for owner, name in STEPS:
        setattr(owner, name, wrap(getattr(owner, name)))
    to_csv, write_text = pd.DataFrame.to_csv, Path.write_text

    def torn_to_csv(self, path=None, *args, **kwargs):
        if path is not None and due():
            text = to_csv(self, None, *args, **{k: v for k, v in kwargs.items()
                                                 if k != "encoding"})
            Path(path).write_bytes(text.encode("utf-8")[: len(text) // 2])
            die()
        return to_csv(self, path, *args, **kwargs)

    def torn_write_text(self, data, *args, **kwargs):
        if due():
            write_text(self, data[: len(data) // 2], *args, **kwargs)
            die()
        return write_text(self, data, *args, **kwargs)

    pd.DataFrame.to_csv, Path.write_text = torn_to_csv, torn_write_text
    import_period(Project(Path(root)), period, Path(source), replace=True)
    os._exit(0)
