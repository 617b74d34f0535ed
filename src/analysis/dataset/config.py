"""The project configuration (data/project.yml): title, home place, policy factors, work
areas and the notebooks that make the book. Validated when read; nothing of it is in code."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import Problem, UserError
from analysis.escape import NAME_MAX, TITLE_MAX, name_problem

FILE = "project.yml"
NEEDS_ANY, NEEDS_TARGETS = "any", "targets"
PAGE_ROWS = 400  # default of `page_rows`: a page's table lists at most this many rows


@dataclass(frozen=True)
class Notebook:
    """A notebook of the book: its name in notebooks/ and what a period needs to get it."""

    name: str
    needs: str = NEEDS_ANY
    caption: str = ""
    templates: tuple[str, ...] = ()  # prose templates it renders (default: its own name)


@dataclass(frozen=True)
class Config:
    """data/project.yml, validated."""

    title: str
    author: str
    home_geo: str
    home_name: str
    policy_factors: dict[str, float]
    areas: dict[str, tuple[str, str]]  # id -> (Chinese, English)
    period_notebooks: tuple[Notebook, ...]
    cross_period_notebooks: tuple[Notebook, ...]
    page_rows: int = PAGE_ROWS  # longer tables: a summary on the page, all rows downloadable

    def area_zh(self, area: str) -> str:
        return self.areas.get(area, (area, area))[0]


def _fail(path: Path, message: str, fix: str) -> UserError:
    return UserError(Problem(str(path), message, fix))


def _text(data: dict, key: str, path: Path, where: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str | int) or not str(value).strip():
        raise _fail(path, f"{where}{key!r} is missing or not text", f"give {where}{key}")
    return str(value).strip()


def _notebooks(items: Any, key: str, path: Path, areas: dict,
               required: bool = True) -> tuple[Notebook, ...]:
    if items is None and not required:
        return ()
    if not isinstance(items, list) or (required and not items):
        raise _fail(path, f"{key!r} must be a non-empty list", "list {name: ..., needs: ...}")
    found = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _fail(path, f"{key} #{n} is not a mapping", "write {name: ..., needs: ...}")
        name = _text(item, "name", path, f"{key} #{n} ")
        needs = str(item.get("needs", NEEDS_ANY))
        if needs not in (NEEDS_ANY, NEEDS_TARGETS, *areas):
            raise _fail(path, f"{key} {name!r}: unknown needs {needs!r}",
                        f"use any, targets or an area: {', '.join(areas)}")
        if not name.replace("_", "").isalnum() or not name.isascii():
            raise _fail(path, f"{key}: bad notebook name {name!r}", "use letters, digits, _")
        templates = item.get("templates", [name])
        if isinstance(templates, str):
            templates = [templates]
        found.append(Notebook(name, needs, str(item.get("caption", "")),
                              tuple(str(t) for t in templates)))
    return tuple(found)


def read_config(data_dir: Path) -> Config:
    """Read and validate data/project.yml (UserError naming the key and the fix); read once
    while the file is unchanged (a notebook's charts cite the book's title many times)."""
    path = data_dir / FILE
    try:
        stat = path.stat()
    except OSError:
        return _read(data_dir)
    return _read_unchanged(data_dir, (stat.st_mtime_ns, stat.st_size, stat.st_ino))


@lru_cache(maxsize=16)
def _read_unchanged(data_dir: Path, stamp: tuple[int, int, int]) -> Config:
    return _read(data_dir)


def _read(data_dir: Path) -> Config:
    path = data_dir / FILE
    if not path.is_file():
        raise _fail(path, "project configuration not found",
                    "create it (see the README), or start a book with `policybook init`")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _fail(path, f"not valid YAML ({type(exc).__name__})", "fix the syntax") from None
    if not isinstance(data, dict):
        raise _fail(path, "the file must be a mapping of keys", "see the README")
    home = data.get("home")
    if not isinstance(home, dict):
        raise _fail(path, "'home' is missing",
                    "give home: {geo: <a code of geo.csv>, name_zh: <its Chinese name>}")
    factors = data.get("policy_factors") or {}
    if not isinstance(factors, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v > 0
            for v in factors.values()):
        raise _fail(path, "policy_factors must map names to positive numbers",
                    "name: positive number, one per line")
    areas_raw = data.get("areas")
    if not isinstance(areas_raw, dict) or not areas_raw:
        raise _fail(path, "'areas' is missing", "list the work areas with zh and en names")
    areas = {}
    for area, names in areas_raw.items():
        if not isinstance(names, dict):
            raise _fail(path, f"area {area!r} needs zh and en", "write {zh: ..., en: ...}")
        areas[str(area)] = (_text(names, "zh", path, f"areas.{area}."),
                            _text(names, "en", path, f"areas.{area}."))
    page_rows = data.get("page_rows", PAGE_ROWS)
    if isinstance(page_rows, bool) or not isinstance(page_rows, int) or not (
            10 <= page_rows <= 100_000):
        raise _fail(path, f"page_rows must be a whole number from 10 to 100000, not "
                    f"{page_rows!r}", f"write page_rows: {PAGE_ROWS}, or leave it out")
    title, home_name = _text(data, "title", path), _text(home, "name_zh", path, "home.")
    for value, what, limit in ((title, "title", TITLE_MAX),
                               (home_name, "home.name_zh", NAME_MAX)):
        if problem := name_problem(value, what, limit):
            raise _fail(path, problem, f"write a {what} of at most {limit} characters on one "
                        "line, without < > { } [ ] ` \\ | * $")
    return Config(
        title=title,
        author=str(data.get("author", "")),
        home_geo=_text(home, "geo", path, "home."),
        home_name=home_name,
        policy_factors={str(k): float(v) for k, v in factors.items()},
        areas=areas,
        period_notebooks=_notebooks(data.get("period_notebooks"), "period_notebooks", path,
                                    areas),
        cross_period_notebooks=_notebooks(data.get("cross_period_notebooks"),
                                          "cross_period_notebooks", path, areas, required=False),
        page_rows=page_rows,
    )
