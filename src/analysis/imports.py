"""Which modules of the package a notebook uses: the `analysis` modules its code cells import,
and everything those import in turn (read from the source, function-level imports included).

A notebook's input hash covers exactly these modules, so editing a chart re-executes the
notebooks that draw charts and editing the command line re-executes none.
"""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path

PACKAGE = "analysis"


def _imported(tree: ast.AST, package_dir: Path) -> set[str]:
    """Names of the package's modules imported anywhere in `tree`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names
                      if a.name.startswith(f"{PACKAGE}.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == PACKAGE:  # from analysis import charts, page
                found |= {a.name for a in node.names
                          if (package_dir / f"{a.name}.py").exists()}
            elif node.module.startswith(f"{PACKAGE}."):
                found.add(node.module.split(".")[1])
    return found


@cache
def _module_imports(path: Path) -> frozenset[str]:
    return frozenset(_imported(ast.parse(path.read_text(encoding="utf-8")), path.parent))


def closure(modules: set[str], package_dir: Path) -> list[str]:
    """`modules` and every package module they import, directly or not (sorted names)."""
    seen: set[str] = set()
    todo = [m for m in modules if (package_dir / f"{m}.py").exists()]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo += [m for m in _module_imports(package_dir / f"{name}.py") if m not in seen]
    return sorted(seen | {"__init__"} if (package_dir / "__init__.py").exists() else seen)


def notebook_modules(notebook: Path, package_dir: Path) -> list[str]:
    """The package modules a notebook's code cells use (with their own imports)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found: set[str] = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = ast.parse("".join(cell.get("source", [])))
        except SyntaxError:  # IPython magics: no package import to find there
            continue
        found |= _imported(tree, package_dir)
    return closure(found, package_dir)
