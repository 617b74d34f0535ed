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
from functools import cache, partial
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
    bindings: dict[str, tuple[str, str]] = field(default_factory=dict)  # its top-level imports


def _package_import(node: ast.AST, package_dir: Path) -> dict[str, tuple[str, str]]:
    """The names an import binds to the package: alias -> (module, attribute or WHOLE)."""
    bound: dict[str, tuple[str, str]] = {}
    if isinstance(node, ast.Import):  # `import analysis.x as y` (without `as`: see below)
        for a in node.names:
            parts = a.name.split(".")
            if parts[0] == PACKAGE and len(parts) > 1 and a.asname:
                bound[a.asname] = (".".join(parts[1:]), WHOLE)
    elif isinstance(node, ast.ImportFrom) and node.level <= 1:
        # `from .x import y` inside the package is `from analysis.x import y`
        full = (f"{PACKAGE}.{node.module}" if node.module else PACKAGE) if node.level else (
            node.module or "")
        if full == PACKAGE or full.startswith(f"{PACKAGE}."):
            # `from analysis.charts import builders` binds a module; `from analysis.view
            # import PeriodView` a name of a module (of `__init__` for a package)
            base = full[len(PACKAGE) + 1:]
            init = f"{base}.__init__" if base else "__init__"
            if base and not _exists(package_dir, base):
                return bound
            for a in node.names:
                sub = f"{base}.{a.name}" if base else a.name
                if a.name != "*" and _exists(package_dir, sub):
                    bound[a.asname or a.name] = (sub, WHOLE)
                elif _is_package(package_dir, base):
                    bound[a.asname or a.name] = (init, WHOLE if a.name == "*" else a.name)
                else:  # `import *`: the whole module
                    bound[a.asname or a.name] = (base, WHOLE if a.name == "*" else a.name)
    return bound


def _references(node: ast.AST, module: str, bindings: dict[str, tuple[str, str]],
                package_dir: Path, resolve: Callable[[tuple[str, str]], tuple[str, str]]
                = lambda target: target) -> set[tuple[str, str]]:
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
        bound = {a: resolve(t) for a, t in _package_import(inner, package_dir).items()}
        local.update(bound)
        found |= {t for t in bound.values() if t[1] != WHOLE}
        found |= {bound[a.name] for a in getattr(inner, "names", []) if a.name == "*"}
        if isinstance(inner, ast.Import):  # `import analysis.x`: used whole
            found |= {(".".join(a.name.split(".")[1:]), WHOLE) for a in inner.names
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


def _top_level(tree: ast.Module) -> list[ast.AST]:
    """The nodes that run on import: not those inside functions, lambdas or classes."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        found.append(node)
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                          | ast.ClassDef):
            todo += list(ast.iter_child_nodes(node))
    return found


def _path(package_dir: Path, module: str) -> Path:
    """The file of a package module (`charts.builders`, `charts.__init__`, `cli`)."""
    return package_dir.joinpath(*module.split(".")).with_suffix(".py")


def _is_package(package_dir: Path, module: str) -> bool:
    return (package_dir.joinpath(*module.split(".")) / "__init__.py").is_file() if module \
        else True


def _exists(package_dir: Path, module: str) -> bool:
    return _path(package_dir, module).is_file() or _is_package(package_dir, module)


def _file_module(package_dir: Path, module: str) -> str:
    """A module's name as a file: a subpackage is its `__init__`."""
    return f"{module}.__init__" if not _path(package_dir, module).is_file() and _is_package(
        package_dir, module) else module


@cache
def _parse(package_dir: Path, name: str, text: str) -> Module:
    tree = ast.parse(text)
    bindings: dict[str, tuple[str, str]] = {}  # names bound on import, for the whole module
    for node in _top_level(tree):
        bindings.update(_package_import(node, package_dir))
    imported: set[str] = set()  # every package module it imports, in functions too
    for node in ast.walk(tree):
        imported |= {m for m, _ in _package_import(node, package_dir).values()}
        if isinstance(node, ast.Import):
            imported |= {".".join(a.name.split(".")[1:]) for a in node.names
                         if a.name.startswith(f"{PACKAGE}.")}
    module = Module(imported={_file_module(package_dir, m) for m in imported
                              if _exists(package_dir, m)}, bindings=bindings)
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
    try:
        text = _path(package_dir, _file_module(package_dir, name)).read_text(encoding="utf-8")
    except OSError:
        return None
    return _parse(package_dir, name, text)  # parsed again only when the text changed


# ---------------------------------------------------------------------------- a notebook

def _notebook_references(notebook: Path, package_dir: Path) -> set[tuple[str, str]]:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    found: set[tuple[str, str]] = set()
    bindings: dict[str, tuple[str, str]] = {}
    trees = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", []))
        try:
            trees += _code_trees(_python(source))
        except SyntaxError:  # what it runs is unknown: it may use any of the package
            found |= {(".".join(p.relative_to(package_dir).with_suffix("").parts), WHOLE)
                      for p in package_dir.rglob("*.py")}
    for tree in trees:  # a name imported in one cell is used in the next
        for node in ast.walk(tree):
            bindings.update(_package_import(node, package_dir))
    resolve = partial(_through_reexports, package_dir)
    bindings = {alias: resolve(target) for alias, target in bindings.items()}
    for tree in trees:
        found |= {ref for ref in _references(tree, "", bindings, package_dir, resolve)
                  if ref[0]}
    return found


def _through_reexports(package_dir: Path, target: tuple[str, str]) -> tuple[str, str]:
    """A name imported from a module that only re-exports it (`analysis.notebook`): what
    it is bound to there."""
    seen = set()
    while target[1] != WHOLE and target not in seen:
        seen.add(target)
        parsed = _read_module(package_dir, target[0])
        if parsed is None or target[1] in parsed.units or target[1] not in parsed.bindings:
            break
        target = parsed.bindings[target[1]]
    return target


def _code_trees(code: str) -> list[ast.Module]:
    """The syntax tree of a cell, and of the code its magics run (%time f(), %%capture)."""
    trees = [ast.parse(code)]
    for node in ast.walk(trees[0]):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("run_line_magic", "run_cell_magic") and node.args
                and isinstance(node.args[-1], ast.Constant)
                and isinstance(node.args[-1].value, str)):
            try:
                trees += _code_trees(_python(node.args[-1].value))
            except SyntaxError:  # not Python (%matplotlib inline, a shell line)
                continue
    return trees


def _python(cell: str) -> str:
    """A cell as the kernel runs it: IPython's magics (%time, !ls) made Python."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # without IPython: the cell as written
        return cell
    return TransformerManager().transform_cell(cell)


def closure(modules: set[str], package_dir: Path,
            read: Callable[[Path, str], Module | None] = _read_module) -> list[str]:
    """`modules` and every package module they import, directly or not (sorted names)."""
    seen: set[str] = set()
    todo = [_file_module(package_dir, m) for m in modules if _exists(package_dir, m)]
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
    return reached_code(_notebook_references(notebook, package_dir), package_dir)


def reached_code(roots: set[tuple[str, str]], package_dir: Path) -> dict[str, str]:
    """Module file name -> digest of its on-import code and of the definitions reached from
    `roots` ((module, name) pairs), for every module they import."""
    parsed_once: dict[str, Module | None] = {}

    def read(package_dir: Path, name: str) -> Module | None:  # each module read once
        if name not in parsed_once:
            parsed_once[name] = _read_module(package_dir, name)
        return parsed_once[name]

    modules = closure({m for m, _ in roots}, package_dir, read)
    reached: dict[str, set[str]] = {m: set() for m in modules}
    todo = list(roots)
    for m in modules:
        parsed = read(package_dir, m)
        todo += list(parsed.on_import_refs) if parsed else []
    seen: set[tuple[str, str]] = set()
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        module, name = ref
        parsed = read(package_dir, module)
        if parsed is None:
            continue
        reached.setdefault(module, set())
        names = [*parsed.units, *parsed.bindings] if name == WHOLE else [name]
        for n in names:
            if n in parsed.units and n not in reached[module]:
                reached[module].add(n)
                todo += list(parsed.refs[n])
            elif n not in parsed.units and n in parsed.bindings:  # imported there: follow
                todo.append(parsed.bindings[n])
    digests = {}
    for module in sorted(reached):
        parsed = read(package_dir, module)
        if parsed is None:
            continue
        text = json.dumps([parsed.on_import, sorted((n, parsed.units[n])
                                                   for n in reached[module])])
        digests[f"{module}.py"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return digests
