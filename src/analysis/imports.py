"""Which code of the package a notebook uses, for its input hash: read from the source.

The modules a notebook runs are the `analysis` modules its code cells import and everything
those import in turn (function-level imports included). Of each such module the hash takes
what runs on import (imports, statements, assignments that call something) and the
definitions the notebook can reach: the functions, classes and constants it names
(`charts.coverage`, `from analysis.view import PeriodView`), then every name those refer to,
in the same module or through an import, until nothing new is reached. A module used other
than through its attributes (passed around whole) counts whole.

So editing one chart re-executes the notebooks that draw it, editing `page.targets` only the
pages that list targets, and editing the command line none. A definition is hashed by its
syntax tree: comments and layout do not count.
"""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PACKAGE = "analysis"
WHOLE = "*"  # a module used whole


# ---------------------------------------------------------------------------- one module

@dataclass
class Module:
    """A module's parts: what runs on import, its named definitions and what each refers to."""

    on_import: list[str] = field(default_factory=list)     # dumps of the statements
    on_import_refs: set[tuple[str, str]] = field(default_factory=set)
    units: dict[str, str] = field(default_factory=dict)     # name -> dump of its definition
    refs: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    imported: set[str] = field(default_factory=set)         # package modules it imports


def _package_import(node: ast.AST, package_dir: Path) -> dict[str, tuple[str, str]]:
    """The names an import binds to the package: alias -> (module, attribute or WHOLE)."""
    bound: dict[str, tuple[str, str]] = {}
    if isinstance(node, ast.Import):  # `import analysis.x as y` (without `as`: see below)
        for a in node.names:
            parts = a.name.split(".")
            if parts[0] == PACKAGE and len(parts) > 1 and a.asname:
                bound[a.asname] = (parts[1], WHOLE)
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        if node.module == PACKAGE:  # from analysis import charts, page
            for a in node.names:
                if (package_dir / f"{a.name}.py").exists():
                    bound[a.asname or a.name] = (a.name, WHOLE)
        elif node.module.startswith(f"{PACKAGE}."):
            module = node.module.split(".")[1]
            for a in node.names:
                bound[a.asname or a.name] = (module, WHOLE if a.name == "*" else a.name)
    return bound


def _references(node: ast.AST, module: str, bindings: dict[str, tuple[str, str]],
                package_dir: Path) -> set[tuple[str, str]]:
    """(module, name) pairs that `node` refers to: names of its own module, attributes of
    package modules (`charts.values`), names imported from the package (also inside it)."""
    names, attributes, imports = [], [], []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            names.append(inner)
        elif isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
            attributes.append(inner)
        elif isinstance(inner, ast.Import | ast.ImportFrom):
            imports.append(inner)
    local = dict(bindings)
    found: set[tuple[str, str]] = set()
    for inner in imports:  # imports inside functions bind names for the function
        bound = _package_import(inner, package_dir)
        local.update(bound)
        found |= {t for t in bound.values() if t[1] != WHOLE}
        if isinstance(inner, ast.Import):  # `import analysis.x`: used whole
            found |= {(a.name.split(".")[1], WHOLE) for a in inner.names
                      if a.name.startswith(f"{PACKAGE}.") and not a.asname}
    bases: set[int] = set()
    for inner in attributes:
        target = local.get(inner.value.id)
        if target and target[1] == WHOLE:
            found.add((target[0], inner.attr))
            bases.add(id(inner.value))
    for inner in names:
        if id(inner) not in bases:
            found.add(local.get(inner.id) or (module, inner.id))
    return found


def _defines(node: ast.stmt) -> list[str]:
    """The names a definition binds (a function, a class, a constant without calls)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign | ast.AnnAssign):
        value = node.value
        if value is not None and any(isinstance(n, ast.Call) for n in ast.walk(value)):
            return []  # it calls something on import: runs like a statement
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        return names if len(names) == len(targets) else []
    return []


@cache
def _parse(path: Path, stamp: tuple[int, int]) -> Module:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_dir, name = path.parent, path.stem
    bindings: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        bindings.update(_package_import(node, package_dir))
        if isinstance(node, ast.Import):
            bindings.update({f"{PACKAGE}.{a.name}": (a.name.split(".")[1], WHOLE)
                             for a in node.names if a.name.startswith(f"{PACKAGE}.")})
    module = Module(imported={m for m, _ in bindings.values()
                              if (package_dir / f"{m}.py").exists()})
    for node in tree.body:
        names = _defines(node)
        dump = ast.dump(node, include_attributes=False)
        if names:
            refs = _references(node, name, bindings, package_dir)
            for n in names:
                module.units[n] = module.units.get(n, "") + dump
                module.refs.setdefault(n, set()).update(refs)
        else:
            module.on_import.append(dump)
            if not isinstance(node, ast.Import | ast.ImportFrom):
                module.on_import_refs |= _references(node, name, bindings, package_dir)
    return module


def _read_module(package_dir: Path, name: str) -> Module | None:
    path = package_dir / f"{name}.py"
    try:
        stat = path.stat()
    except OSError:
        return None
    return _parse(path, (stat.st_mtime_ns, stat.st_size))


# ---------------------------------------------------------------------------- a notebook

def _notebook_references(notebook: Path, package_dir: Path) -> set[tuple[str, str]]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found: set[tuple[str, str]] = set()
    bindings: dict[str, tuple[str, str]] = {}
    trees = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        try:
            trees.append(ast.parse("".join(cell.get("source", []))))
        except SyntaxError:  # IPython magics: no package import to find there
            continue
    for tree in trees:  # a name imported in one cell is used in the next
        for node in ast.walk(tree):
            bindings.update(_package_import(node, package_dir))
    for tree in trees:
        found |= {ref for ref in _references(tree, "", bindings, package_dir) if ref[0]}
    return found


def closure(modules: set[str], package_dir: Path,
            read: Callable[[Path, str], Module | None] = _read_module) -> list[str]:
    """`modules` and every package module they import, directly or not (sorted names)."""
    seen: set[str] = set()
    todo = [m for m in modules if (package_dir / f"{m}.py").exists()]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parsed = read(package_dir, name)
        todo += [m for m in (parsed.imported if parsed else ()) if m not in seen]
    return sorted(seen | {"__init__"} if (package_dir / "__init__.py").exists() else seen)


def used_code(notebook: Path, package_dir: Path) -> dict[str, str]:
    """Module file name -> digest of what the notebook uses of it (its on-import code and
    the definitions it reaches), for every package module the notebook runs."""
    parsed_once: dict[str, Module | None] = {}

    def read(package_dir: Path, name: str) -> Module | None:  # one stat per module
        if name not in parsed_once:
            parsed_once[name] = _read_module(package_dir, name)
        return parsed_once[name]

    roots = _notebook_references(notebook, package_dir)
    modules = closure({m for m, _ in roots}, package_dir, read)
    reached: dict[str, set[str]] = {m: set() for m in modules}
    todo = list(roots)
    for m in modules:
        parsed = read(package_dir, m)
        todo += list(parsed.on_import_refs) if parsed else []
    while todo:
        module, name = todo.pop()
        parsed = read(package_dir, module)
        if parsed is None:
            continue
        names = list(parsed.units) if name == WHOLE else [name]
        for n in names:
            if n in parsed.units and n not in reached.setdefault(module, set()):
                reached[module].add(n)
                todo += list(parsed.refs[n])
    digests = {}
    for module in sorted(reached):
        parsed = read(package_dir, module)
        if parsed is None:
            continue
        text = json.dumps([parsed.on_import, sorted((n, parsed.units[n])
                                                   for n in reached[module])])
        digests[f"{module}.py"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return digests


def notebook_modules(notebook: Path, package_dir: Path) -> list[str]:
    """The package modules a notebook's code cells use (with their own imports)."""
    return [name.removesuffix(".py") for name in used_code(notebook, package_dir)]
