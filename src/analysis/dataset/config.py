"""The project configuration (data/project.yml): title, home place, policy factors, work
areas and the notebooks that make the book. Validated when read; nothing of it is in code."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError, echo

FILE = "project.yml"
NEEDS_ANY, NEEDS_TARGETS = "any", "targets"
PAGE_ROWS = 400  # default of `page_rows`: a page's table lists at most this many rows
MAX_FACTOR = 1000  # a policy factor is a ratio between two amounts (1.3 times the dibao)


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


def is_factor(value: Any) -> bool:
    """A policy factor: a finite number greater than 0 and at most MAX_FACTOR (not a bool,
    not .inf or .nan)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and 0 < value <= MAX_FACTOR)


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
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise _fail(path, "the file must be a mapping of keys", "see the README")
    home = data.get("home")
    if not isinstance(home, dict):
        raise _fail(path, "'home' is missing",
                    "give home: {geo: <a code of geo.csv>, name_zh: <its Chinese name>}")
    factors = data.get("policy_factors") or {}
    if not isinstance(factors, dict):
        raise _fail(path, "policy_factors must map names to positive numbers",
                    "name: positive number, one per line")
    for name, value in factors.items():
        if not is_factor(value):
            raise _fail(path, f"policy_factors.{name} is {echo(value)}: a factor must be a "
                        f"number greater than 0 and at most {MAX_FACTOR:,} (not .inf or .nan)",
                        "write the factor as its source states it, e.g. 1.3 for 1.3倍")
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
    return Config(
        title=_text(data, "title", path),
        author=str(data.get("author", "")),
        home_geo=_text(home, "geo", path, "home."),
        home_name=_text(home, "name_zh", path, "home."),
        policy_factors={str(k): float(v) for k, v in factors.items()},
        areas=areas,
        period_notebooks=_notebooks(data.get("period_notebooks"), "period_notebooks", path,
                                    areas),
        cross_period_notebooks=_notebooks(data.get("cross_period_notebooks"),
                                          "cross_period_notebooks", path, areas, required=False),
        page_rows=page_rows,
    )
