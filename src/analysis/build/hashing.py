"""Input hashes: what an executed notebook (or the built book) was made from.

Every executed notebook records a hash of its inputs in `metadata.policybook.input_hash`:
the source notebook, its prose templates, its parameters, the kernel, the project
configuration, the catalogue, the package modules it imports (and theirs), the versions of
the libraries that shape its output, the ids of the periods it can see, and the data it
read while it ran: the periods' folders and the comparators it used (`analysis.dataset.reads`).
Paths enter the hash relative to the project, line endings normalized, so the committed
notebooks of a fresh clone match and nothing is executed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import analysis
from analysis.build.code_hash import reached_code, used_code
from analysis.build.worker import KERNEL
from analysis.dataset import reads
from analysis.dataset.periods import Period
from analysis.dataset.project import Project

HASH_VERSION = 4  # bump when the meaning of the hash changes
# the code of the runner that shapes an executed notebook (injected parameters, cleaned
# metadata, the kernel's preparation): in every notebook's hash
RUNNER_CODE = {("build.worker", name) for name in ("_run_cells", "clean_notebook", "_PREPARE",
                                             "_RESET", "_RECORD", "WarmKernel")}
# libraries whose version can change what an executed notebook shows
EXECUTION_PACKAGES = ("ipykernel", "ipython", "jinja2", "markupsafe", "matplotlib", "nbclient",
                      "nbformat", "numpy", "pandas", "pandera", "papermill",
                      "pylopdf-fonts-zh-cn", "pyyaml", "seaborn")
# ... and what the built HTML looks like
BOOK_PACKAGES = ("jupyter-book", "myst-nb", "myst-parser", "openpyxl", "sphinx",
                 "sphinx-book-theme")
TEXT_SUFFIXES = frozenset({".py", ".ipynb", ".csv", ".yml", ".yaml", ".txt", ".md", ".json",
                           ".toml", ".css", ".js", ".html", ".svg"})
BUILD_STAMP = ".policybook-build.json"  # in book/_build/: the inputs of the last good build
SOURCES_STAMP = ".policybook-sources.json"  # in book/_build/: what the last good build read


def _skip(path: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in path.parts)


class Inputs:
    """Content digests of a project's inputs; each file is read once per instance."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._files: dict[Path, str] = {}
        self._recorded: dict[str, str] | None = None
        self._modules: dict[str, list[tuple[str, str]]] = {}
        self._runner: dict[str, str] | None = None
        self._shared: str | None = None

    def file(self, path: Path) -> str:
        if path not in self._files:
            data = path.read_bytes()
            if path.suffix.lower() in TEXT_SUFFIXES:  # a Windows checkout hashes the same
                data = data.replace(b"\r\n", b"\n")
            self._files[path] = hashlib.sha256(data).hexdigest()
        return self._files[path]

    def tree(self, folder: Path, base: Path, pattern: str = "*",
             exclude: Callable[[Path], bool] | None = None) -> list[tuple[str, str]]:
        """(path relative to `base`, digest) of the files under `folder`, sorted."""
        if not folder.is_dir():
            return []
        files = []
        for path in folder.rglob(pattern):
            rel = path.relative_to(base)
            if path.is_file() and not _skip(path.relative_to(folder)) and not (
                    exclude and exclude(rel)):
                files.append((rel.as_posix(), self.file(path)))
        return sorted(files)

    def data(self, folder: Path) -> list[tuple[str, str]]:
        return self.tree(folder, self.project.root)

    def package(self) -> list[tuple[str, str]]:
        """The analysis package's own source (what the kernels import)."""
        folder = self.package_dir()
        return self.tree(folder, folder.parent, "*.py")

    @staticmethod
    def environment(packages: Iterable[str]) -> dict[str, str]:
        from importlib.metadata import PackageNotFoundError, version

        versions = {"python": "{}.{}".format(*sys.version_info[:2])}
        for name in packages:
            try:
                versions[name] = version(name)
            except PackageNotFoundError:
                versions[name] = "absent"
        return versions

    def modules(self, name: str) -> list[tuple[str, str]]:
        """(module path, digest) of the package code notebooks/<name>.ipynb uses: the modules
        it runs, each with what runs on import and the definitions the notebook reaches
        (`analysis.build.code_hash`). Editing a chart re-executes the notebooks that draw it;
        editing the command line, none."""

        if name not in self._modules:
            folder = self.package_dir()
            used = used_code(self.project.notebooks / f"{name}.ipynb", folder)
            self._modules[name] = [(f"{folder.name}/{m}", d) for m, d in used.items()]
        return self._modules[name]

    @property
    def runner(self) -> dict[str, str]:
        """The runner's code that shapes every executed notebook (RUNNER_CODE)."""

        if self._runner is None:
            self._runner = reached_code(RUNNER_CODE, self.package_dir())
        return self._runner

    @staticmethod
    def package_dir() -> Path:
        """The folder of the analysis package the kernels import."""

        return Path(analysis.__file__).resolve().parent

    @property
    def shared(self) -> str:
        """Configuration, catalogue, library versions, kernel."""
        if self._shared is None:
            config = self.project.data / "project.yml"
            self._shared = _digest({
                "config": self.file(config) if config.exists() else "",
                "catalogue": self.data(self.project.catalogue),
                "environment": self.environment(EXECUTION_PACKAGES),
                "kernel": KERNEL,
            })
        return self._shared

    @property
    def recorded_files(self) -> dict[str, str]:
        """Path relative to data/ -> digest, of every file whose reading a notebook records
        (under data/periods/ and data/reference/)."""
        if self._recorded is None:
            self._recorded = {
                path: digest for folder in reads.RECORDED
                for path, digest in self.tree(self.project.data / folder, self.project.data)}
        return self._recorded

    def templates(self, name: str) -> list[tuple[str, str]]:
        """The prose templates a notebook renders (data/project.yml's `templates`, by default
        templates/<name>.j2), plus the wording every page uses (templates/*.yml: sentences
        by measure, chart specifications): editing an area's template re-executes only the
        notebooks that use it."""
        notebook = next((nb for nb in (*self.project.config.period_notebooks,
                                       *self.project.config.cross_period_notebooks)
                         if nb.name == name), None)
        names = notebook.templates if notebook is not None else (name,)
        folder = self.project.root / "templates"
        shared = self.tree(folder, self.project.root, "*.yml")
        if "all" in names:
            return self.tree(folder, self.project.root, "*.j2") + shared
        paths = [folder / f"{n}.j2" for n in names]
        return [(p.relative_to(self.project.root).as_posix(), self.file(p))
                for p in paths if p.exists()] + shared

    def notebook(self, name: str, parameters: dict, periods: Sequence[Period]) -> dict:
        """The parts of the hash of notebooks/<name>.ipynb run with `parameters`, able to
        read `periods`: `base` (all but the recorded data files) and the digest of every
        recorded data file. `reads.input_hash(parts, record)` makes the hash from them and
        the notebook's record of what it read."""
        source = self.project.notebooks / f"{name}.ipynb"
        visible = [p.id for p in periods]
        return {
            "base": _digest({
                "version": HASH_VERSION,
                "notebook": [source.relative_to(self.project.root).as_posix(),
                             self.file(source)],
                "templates": self.templates(name),
                "package": self.modules(name),
                "runner": self.runner,
                "parameters": parameters,
                "shared": self.shared,
                "visible": visible,
            }),
            "files": self.recorded_files,
            "visible": visible,
        }

def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def up_to_date(parts: dict, meta: dict) -> bool:
    """Whether an executed notebook (its `metadata.policybook`) was made from these inputs:
    the parts of `Inputs.notebook` and its record of what it read (one without a record is
    taken to have read every file of the periods it could see and the comparators)."""
    return meta.get("input_hash") == reads.input_hash(parts, meta.get("reads"))


def stored_meta(path: Path) -> dict:
    """An executed notebook's `metadata.policybook` ({} if absent or unreadable)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    meta = nb.get("metadata", {}).get("policybook", {})
    return meta if isinstance(meta, dict) else {}


def stored_hash(path: Path) -> str | None:
    """The input hash an executed notebook was made from (None: absent or unreadable)."""
    return stored_meta(path).get("input_hash")


def _generated(rel: Path) -> bool:
    """Files of book/ that the build writes itself (or Sphinx's output)."""
    return rel.parts[0] in {"_build", "_extra", "_extra_inputs", "downloads",
                            "appendix.md"}


def book_hash(project: Project, inputs: Inputs | None = None) -> str:
    """The inputs of the HTML build: book sources, data (appendix, downloads), package."""
    inputs = inputs or Inputs(project)
    return _digest({
        "version": HASH_VERSION,
        "book": inputs.tree(project.book, project.book, exclude=_generated),
        "data": inputs.data(project.data),
        "package": inputs.package(),
        "environment": inputs.environment(EXECUTION_PACKAGES + BOOK_PACKAGES),
    })


def sources_hash(project: Project, inputs: Inputs | None = None) -> str:
    """What a build reads besides the book: data, notebook sources, prose templates, the
    package and the library versions."""
    inputs = inputs or Inputs(project)
    return _digest({
        "version": HASH_VERSION,
        "data": inputs.data(project.data),
        "notebooks": inputs.tree(project.notebooks, project.root, "*.ipynb"),
        "templates": inputs.tree(project.root / "templates", project.root),
        "package": inputs.package(),
        "environment": inputs.environment(EXECUTION_PACKAGES + BOOK_PACKAGES),
    })


def nothing_to_build(project: Project) -> bool:
    """Whether the last good build read these very sources and left this very book (then a
    build would execute nothing and skip Sphinx: it is skipped before the data is loaded)."""
    stamp = project.book / "_build" / SOURCES_STAMP
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    inputs = Inputs(project)  # each file read and hashed once for both
    return ((project.book / "_build" / "html" / "index.html").exists()
            and recorded == {"sources": sources_hash(project, inputs),
                             "book": book_hash(project, inputs)})


def record_build(project: Project, sources: str) -> None:
    """After a good build: the sources it started from and the book it left."""
    stamp = project.book / "_build" / SOURCES_STAMP
    tmp = stamp.with_name(f"{stamp.name}.tmp")
    tmp.write_text(json.dumps({"sources": sources, "book": book_hash(project)}),
                   encoding="utf-8")
    tmp.replace(stamp)
