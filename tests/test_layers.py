"""The package's folders by stage: the layers contract of pyproject.toml holds, no module
takes part in an import cycle, and imports sit at the top of modules (function-level ones
only where start-up speed needs them, each saying why)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import grimp
from conftest import ROOT

PACKAGE = ROOT / "src" / "analysis"
# modules whose deferred imports keep a command or Sphinx's start fast (each says why)
DEFERRED = {"cli.py", "site/sphinxext.py"}


def test_the_layers_contract_holds():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def _cycle(graph: grimp.ImportGraph) -> list[str] | None:
    """One import cycle among the package's modules, or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for other in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(other) == 1:
                return path[path.index(other):] + [other]
            if other not in state and (found := visit(other)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph.modules):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_module_takes_part_in_an_import_cycle():
    graph = grimp.build_graph("analysis", exclude_type_checking_imports=True)
    # a package's __init__ is not an import of its modules' code: leave the parents out
    for module in list(graph.modules):
        if module.count(".") == 1 and (PACKAGE / module.split(".")[1]).is_dir():
            graph.remove_module(module)
    assert _cycle(graph) is None


def test_a_cycle_is_found_by_the_cycle_check():
    graph = grimp.ImportGraph()
    for name in ("p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    assert _cycle(graph) is None
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycle(graph) == ["p.a", "p.b", "p.c", "p.a"]


# modules that may be missing for reasons outside Python (WeasyPrint needs Pango)
OPTIONAL = {"weasyprint"}


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported module) of every import inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [(inner.lineno, getattr(inner, "module", None) or inner.names[0].name)
                      for inner in ast.walk(node) if isinstance(inner, ast.Import | ast.ImportFrom)]
    return sorted(set(found))


def test_imports_sit_at_the_top_of_modules_but_where_they_say_why():
    """Inside a function only in the CLI and the Sphinx hooks (start-up speed) or for an
    optional library, and always with a comment saying why."""
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, module in _function_level_imports(path):
            assert name in DEFERRED or module in OPTIONAL, (
                f"{name}:{number}: import of {module} inside a function")
            around = " ".join(lines[max(0, number - 6):number])
            assert "#" in around, f"{name}:{number}: a deferred import says why"
