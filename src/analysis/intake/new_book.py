"""`policybook init`: start a book for another city or county with the shared catalogue.

The new project gets this project's catalogue (indicators, units, places, checks), comparators
and notebooks, the book's configuration and hand-written pages, and a data/project.yml for
its home place; it has no period until one is imported.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from analysis.dataset.csvio import read_csv
from analysis.dataset.project import Project
from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError

BOOK_FILES = ("_config.yml", "_static", "intro.md", "method.md")


def init_project(template: Project, dest: Path, geo: str, name: str) -> Project:
    """Create a project at `dest` (which must not exist or be empty) for place `geo`."""
    places = read_csv(template.catalogue / "geo.csv").set_index("code")
    if geo not in places.index:
        raise UserError(Problem(str(template.catalogue / "geo.csv"), f"place {geo} not found",
                                "add it to geo.csv first (code, name_zh, name_en, level, "
                                "parent), or use a listed code"))
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserError(Problem(str(dest), "exists and is not an empty directory",
                                "choose a new folder"))
    old = template.config
    title = f"{name}民政工作政策读本"
    try:
        (dest / "data" / "periods").mkdir(parents=True, exist_ok=True)
        shutil.copytree(template.catalogue, dest / "data" / "catalogue")
        shutil.copytree(template.reference, dest / "data" / "reference")
        shutil.copytree(template.notebooks, dest / "notebooks",
                        ignore=shutil.ignore_patterns(".*"))
        (dest / "book").mkdir()
        for item in BOOK_FILES:
            src = template.book / item
            if src.is_dir():
                shutil.copytree(src, dest / "book" / item)
            elif src.exists():
                text = src.read_text(encoding="utf-8").replace(old.home_name, name)
                text = text.replace(old.title, title)
                (dest / "book" / item).write_text(text, encoding="utf-8")
        config = load_yaml(template.data / "project.yml")
        config.update(title=title, home={"geo": geo, "name_zh": name})
        body = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
        (dest / "data" / "project.yml").write_text(
            "# The book's configuration (see the README): written by `policybook init`.\n"
            + body, encoding="utf-8")
        _set_title(dest / "book" / "_config.yml", title)
    except OSError as exc:
        raise UserError(Problem(str(dest), f"cannot write the new project ({exc.strerror})",
                                "check the path, its permissions and free space")) from None
    return Project(dest)


def _set_title(path: Path, title: str) -> None:
    if path.exists():
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text), encoding="utf-8")
