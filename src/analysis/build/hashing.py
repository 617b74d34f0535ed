"""Input hashes: what an executed notebook (or the built book) was made from.

An executed notebook records in `metadata.policybook.input_hash` a hash of its declared
inputs (docs/book-build.md): the source notebook and its parameters, the data it may read,
its prose templates and the wording every page uses, the package modules it imports, whole,
with every module those import in turn (and the runner, build/worker.py), the kernel and the
versions of the libraries that shape its output. Paths enter relative to the project and
line endings are normalized, so the committed notebooks of a fresh clone match.
"""

from __future__ import annotations

import ast
import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from importlib.util import resolve_name
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

import analysis
from analysis.build import KERNEL
from analysis.dataset.periods import Period
from analysis.dataset.project import Project
from analysis.files import read_stamp, write_atomic

HASH_VERSION = 5  # bump when the meaning of the hash changes
PACKAGE = "analysis"
RUNNER = f"{PACKAGE}.build.worker"  # its code shapes every executed notebook
# libraries whose version can change what an executed notebook shows
EXECUTION_PACKAGES = ("ipykernel", "ipython", "jinja2", "markupsafe", "matplotlib", "nbclient",
                      "nbformat", "numpy", "pandas", "pandera", "papermill", "budoux",
                      "pylopdf-fonts-zh-cn", "pyyaml", "seaborn")
# ... and what the built HTML looks like
BOOK_PACKAGES = ("jupyter-book", "myst-nb", "myst-parser", "openpyxl", "sphinx",
                 "sphinx-book-theme")
TEXT_SUFFIXES = frozenset({".py", ".ipynb", ".csv", ".yml", ".yaml", ".txt", ".md", ".json",
                           ".toml", ".css", ".js", ".html", ".svg", ".j2"})
BOOK_STAMP = ".policybook-book.stamp"  # in book/_build/: the inputs of the published pages
SOURCES_STAMP = ".policybook-sources.stamp"  # in book/_build/: what the last good build read


def digest(payload: object) -> str:
    """The hash of a JSON-able payload: every hash and stamp of the build has this form."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _skip(path: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in path.parts)


# ---------------------------------------------------------------------------- imports

def _imports(tree: ast.Module, package: str = "") -> set[str]:
    """Dotted names of what `tree` imports (`from a import b` gives a and a.b); `package`
    resolves relative imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = resolve_name("." * node.level + (node.module or ""), package)
            names.add(base)
            names.update(f"{base}.{a.name}" for a in node.names)
    return names


def _module_file(package_dir: Path, name: str) -> Path | None:
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    folder = package_dir.joinpath(*parts[1:])
    for path in (folder / "__init__.py", folder.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def notebook_imports(path: Path) -> set[str]:
    """What the code cells of a notebook import (IPython syntax turned into Python first)."""
    nb = nbformat.read(path, as_version=4)
    names: set[str] = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            names |= _imports(ast.parse(TransformerManager().transform_cell(cell.source)))
    return names


# ---------------------------------------------------------------------------- inputs

class Inputs:
    """Content digests of a project's inputs; each file is read once per instance, and what
    every notebook's hash repeats (a period's files, the code a notebook source reaches, the
    library versions) is worked out once per instance too: a plan hashes 7 notebooks per
    period, each of them over every earlier period."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._files: dict[Path, str] = {}
        self._imports: dict[Path, set[str]] = {}
        self._trees: dict[tuple[Path, Path, str], list[tuple[str, str]]] = {}
        self._code: dict[frozenset[str], list[tuple[str, str]]] = {}
        self._sources: dict[Path, set[str]] = {}
        self._versions: dict[tuple[str, ...], dict[str, str]] = {}
        self._readable: dict[str | None, list[Period]] = {}
        self._folders: dict[str, list[tuple[str, str]]] = {}

    def file(self, path: Path) -> str:
        """The digest of a file's bytes (line endings normalized in text)."""
        if path not in self._files:
            data = path.read_bytes()
            if path.suffix.lower() in TEXT_SUFFIXES:  # a Windows checkout hashes the same
                data = data.replace(b"\r\n", b"\n")
            self._files[path] = hashlib.sha256(data).hexdigest()
        return self._files[path]

    def tree(self, folder: Path, base: Path | None = None, pattern: str = "*",
             exclude: Callable[[Path], bool] | None = None) -> list[tuple[str, str]]:
        """(path relative to `base`, the project root by default, digest) of the files
        under `folder`, sorted."""
        base = base or self.project.root
        key = (folder, base, pattern)
        if exclude is None and key in self._trees:
            return self._trees[key]
        if not folder.is_dir():
            return []
        found = sorted((path.relative_to(base).as_posix(), self.file(path))
                       for path in folder.rglob(pattern)
                       if path.is_file() and not _skip(path.relative_to(folder))
                       and not (exclude and exclude(path.relative_to(base))))
        if exclude is None:
            self._trees[key] = found
        return found

    @staticmethod
    def package_dir() -> Path:
        """The folder of the analysis package the kernels import."""
        return Path(analysis.__file__).resolve().parent

    def modules(self, names: Iterable[str]) -> set[Path]:
        """The package's module files that importing `names` runs: those modules, the
        packages that hold them, and everything they import in turn (from the source)."""
        folder, todo, found = self.package_dir(), list(names), set()
        while todo:
            parts = todo.pop().split(".")
            for depth in range(1, len(parts) + 1):  # a module runs its packages' __init__
                name = ".".join(parts[:depth])
                path = _module_file(folder, name)
                if path is None or path in found:
                    continue
                found.add(path)
                if path not in self._imports:
                    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                    self._imports[path] = _imports(ast.parse(path.read_bytes()), package)
                todo += self._imports[path]
        return found

    def code(self, names: Iterable[str]) -> list[tuple[str, str]]:
        """(module path, digest) of the package modules importing `names` runs, whole."""
        key = frozenset(names)
        if key not in self._code:
            folder = self.package_dir()
            self._code[key] = sorted((path.relative_to(folder.parent).as_posix(),
                                      self.file(path)) for path in self.modules(key))
        return self._code[key]

    def imports(self, source: Path) -> set[str]:
        """What notebook `source` imports (`notebook_imports`), read once."""
        if source not in self._sources:
            self._sources[source] = notebook_imports(source)
        return self._sources[source]

    def readable(self, period: Period | None) -> list[Period]:
        """The periods a notebook of `period` may read (None: a cross-period notebook, every
        period), listed once per period."""
        key = period.id if period else None
        if key not in self._readable:
            self._readable[key] = (self.project.periods_up_to(period) if period
                                   else self.project.periods())
        return self._readable[key]

    def period(self, period: Period) -> list[tuple[str, str]]:
        """(path, digest) of the files of a period's folder, listed once."""
        if period.id not in self._folders:
            self._folders[period.id] = self.tree(self.project.period_dir(period))
        return self._folders[period.id]

    def environment(self, packages: tuple[str, ...]) -> dict[str, str]:
        """`environment(packages)`, looked up once."""
        if packages not in self._versions:
            self._versions[packages] = environment(packages)
        return self._versions[packages]

    def templates(self, name: str) -> list[tuple[str, str]]:
        """The prose templates notebook `name` renders (data/project.yml's `templates`) and
        the wording every page uses (templates/*.yml)."""
        config = self.project.config
        names = next((nb.templates for nb in (*config.period_notebooks,
                                               *config.cross_period_notebooks)
                      if nb.name == name), (name,))
        folder = self.project.root / "templates"
        return self.tree(folder, pattern="*.j2", exclude=lambda rel: "all" not in names
                         and rel.stem not in names) + self.tree(folder, pattern="*.yml")

    def notebook(self, name: str, parameters: dict, periods: Sequence[Period]) -> str:
        """The input hash of notebooks/<name>.ipynb run with `parameters`, able to read
        `periods`."""
        source = self.project.notebooks / f"{name}.ipynb"
        data = self.project.data
        config = data / "project.yml"
        return digest({
            "version": HASH_VERSION,
            "notebook": [source.relative_to(self.project.root).as_posix(), self.file(source)],
            "parameters": parameters,
            "periods": [self.period(p) for p in periods],
            "catalogue": self.tree(self.project.catalogue),
            "reference": self.tree(self.project.reference),
            "config": self.file(config) if config.exists() else "",
            "templates": self.templates(name),
            "code": self.code([*self.imports(source), RUNNER]),
            "environment": self.environment(EXECUTION_PACKAGES),
            "kernel": KERNEL,
        })


def environment(packages: Iterable[str]) -> dict[str, str]:
    """Python's version and those of `packages`."""
    versions = {"python": "{}.{}".format(*sys.version_info[:2])}
    for name in packages:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    return versions


def stored_hash(path: Path) -> str | None:
    """The input hash an executed notebook was made from (None: absent or unreadable)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]["policybook"]
        return meta.get("input_hash")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


# ---------------------------------------------------------------------------- the book

def _generated(rel: Path) -> bool:
    """Files of book/ that the build writes itself (or Sphinx's output)."""
    return rel.parts[0] in {"_build", "_extra", "_extra_inputs", "downloads",
                            "appendix.md"}


def book_hash(project: Project, inputs: Inputs | None = None) -> str:
    """The inputs of the HTML build: book sources, data (appendix, downloads), package."""
    inputs = inputs or Inputs(project)
    return _with_data_and_code(inputs, book=inputs.tree(project.book, project.book,
                                                        exclude=_generated))


def sources_hash(project: Project, inputs: Inputs | None = None) -> str:
    """What a build reads besides the book: data, notebook sources, prose templates, the
    package and the library versions."""
    inputs = inputs or Inputs(project)
    return _with_data_and_code(inputs, templates=inputs.tree(project.root / "templates"),
                               notebooks=inputs.tree(project.notebooks, pattern="*.ipynb"))


def _with_data_and_code(inputs: Inputs, **parts: object) -> str:
    folder = inputs.package_dir()
    return digest({**parts, "version": HASH_VERSION, "data": inputs.tree(inputs.project.data),
                   "package": inputs.tree(folder, folder.parent, "*.py"),
                   "environment": environment(EXECUTION_PACKAGES + BOOK_PACKAGES)})


def nothing_to_build(project: Project) -> bool:
    """Whether the last good build read these very sources and published this very book
    (then a build would execute nothing and skip Sphinx: it stops before loading the data)."""
    folder, inputs = project.book / "_build", Inputs(project)  # each file hashed once
    return ((folder / "html" / "index.html").exists()
            and read_stamp(folder / SOURCES_STAMP) == sources_hash(project, inputs)
            and read_stamp(folder / BOOK_STAMP) == book_hash(project, inputs))


def record_build(project: Project, sources: str) -> None:
    """After a good build: the sources it started from."""
    write_atomic(project.book / "_build" / SOURCES_STAMP, sources + "\n")
