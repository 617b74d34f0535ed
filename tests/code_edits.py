"""Edits of the package's source for the tests of what a code change re-executes."""

from __future__ import annotations

import ast
from pathlib import Path


def edit_function(path: Path, name: str, method: str = "") -> None:
    """Insert a statement at the start of the top-level function (or class's method) `name`
    of the module at `path`: its syntax tree changes, the rest of the module does not."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    node = next(n for n in tree.body if getattr(n, "name", None) == name)
    if method:
        node = next(n for n in node.body if getattr(n, "name", None) == method)
    first = node.body[0]
    lines = text.splitlines(keepends=True)
    lines.insert(first.lineno - 1, " " * first.col_offset + "_edited = True\n")
    path.write_text("".join(lines), encoding="utf-8")
