"""Files: their digest, and writing one so that readers see the old or the new whole."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterable
from pathlib import Path


def files_digest(paths: Iterable[Path]) -> str:
    """A hash of the names and bytes of `paths` (files that do not exist are left out)."""
    digest = hashlib.sha256()
    for path in paths:
        if path.is_file():
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def temporary_beside(path: Path) -> Path:
    """A new hidden name beside `path`, with its suffix (`.name.1a2b3c4d.ipynb`)."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}{path.suffix}")


def write_atomic(path: Path, data: str | bytes, tmp: Path | None = None) -> None:
    """Write `data` (text as UTF-8) to `tmp` (by default `temporary_beside(path)`), then
    rename it onto `path` in one step; the temporary file never outlives the call."""
    tmp = tmp or temporary_beside(path)
    try:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def read_stamp(path: Path) -> str | None:
    """The digest a stamp (a text file holding one digest) records; None if unreadable."""
    return (_text(path) or "").strip() or None


def write_if_changed(path: Path, text: str) -> bool:
    """Write `text` atomically unless `path` already holds it (its mtime then stays, and
    Sphinx sees no change); whether it wrote."""
    if _text(path) == text:
        return False
    write_atomic(path, text)
    return True
