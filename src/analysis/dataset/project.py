"""Where each kind of file lives in a project checkout."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from analysis.dataset.config import Config, read_config
from analysis.dataset.periods import Period, is_period, parse_period
from analysis.dataset.safe_files import linked_paths
from analysis.errors import Problem, UserError, in_notebook
from analysis.language import _


@dataclass(frozen=True)
class Project:
    """Paths of one project checkout (the directory holding `data/` and `book/`)."""

    root: Path

    @classmethod
    def find(cls, root: str | Path | None = None) -> Project:
        """The project at `root`, $POLICYBOOK_ROOT, or the nearest folder with data/catalogue/
        found upwards from the working directory (so a notebook finds it from notebooks/,
        book/periods/<P>/ or anywhere else in the checkout)."""
        if root is None:
            root = os.environ.get("POLICYBOOK_ROOT")
        if root is None:
            here = Path.cwd().resolve()
            for candidate in (here, *here.parents):
                if (candidate / "data" / "catalogue").is_dir():
                    root = candidate
                    break
        if root is None or not (Path(root) / "data" / "catalogue").is_dir():
            where = root or Path.cwd()
            if in_notebook():  # Jupyter and papermill have no --root: say what they can do
                raise UserError(_(
                    "no project found at {where}: give the notebook's parameter root the "
                    "project's path (root = '/path/to/project' in its parameters cell; "
                    "papermill: -p root /path/to/project), or start Jupyter or papermill inside "
                    "the project checkout (the directory with data/catalogue/), or set the "
                    "environment variable POLICYBOOK_ROOT to its path before starting it"
                ).format(where=where))
            raise UserError(_("no project found at {where}: run from the project checkout (the "
                              "directory with data/catalogue/) or pass --root").format(
                                  where=where))
        return cls(Path(root).resolve())

    def command(self, args: str) -> str:
        """`policybook <args>` as a hint to type: with `--root <path>` unless this project is
        the one found from the working directory (or $POLICYBOOK_ROOT)."""
        try:
            current = Project.find().root
        except UserError:
            current = None
        root = "" if current == self.root else f" --root {shlex.quote(str(self.root))}"
        return f"policybook {args}{root}"

    def check_links(self) -> None:
        """Refuse symbolic links under data/ and templates/ (UserError listing each): the
        project reads, validates and publishes only files that are inside it."""
        links = linked_paths(self.root)
        if links:
            raise UserError([Problem(str(link), _("is a symbolic link (to {link}): the project "
                                                  "reads only files inside it").format(
                                                    link=os.readlink(link)),
                                     _("replace the link with a copy of what it points to"))
                             for link in links])

    @property
    def config(self) -> Config:
        """data/project.yml: title, home place, policy factors, work areas, notebooks (read
        again only when the file changed)."""
        return read_config(self.data)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def catalogue(self) -> Path:
        return self.data / "catalogue"

    @property
    def reference(self) -> Path:
        return self.data / "reference"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def book(self) -> Path:
        return self.root / "book"

    def period_dir(self, period: str | Period) -> Path:
        """data/periods/<P>; the id is validated, so the path cannot escape data/."""
        pid = parse_period(str(period)).id
        return self.data / "periods" / pid

    def book_period_dir(self, period: str | Period) -> Path:
        return self.book / "periods" / parse_period(str(period)).id

    def periods(self) -> list[Period]:
        """Every period with figures under data/periods/, in time order (a period created by
        `new-period` joins once its workbook is imported)."""
        base = self.data / "periods"
        if not base.is_dir():
            return []
        return sorted(
            parse_period(p.name) for p in base.iterdir()
            if p.is_dir() and is_period(p.name) and (p / "figures.csv").exists()
        )

    def periods_up_to(self, period: str | Period) -> list[Period]:
        """Periods whose reports were complete by the end of `period` (itself included): what
        plan tracking and progress pages of `period` may read."""
        end = parse_period(str(period)).end
        return [p for p in self.periods() if p.end <= end]
