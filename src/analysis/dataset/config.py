"""The project configuration (data/project.yml): title, home place, policy factors, work
areas and the notebooks that make the book. Validated when read; nothing of it is in code."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError, echo
from analysis.escape import NAME_MAX, TITLE_MAX, name_problem

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
class Release:
    """The print editions' release block (data/project.yml `release`): who issues them, when,
    the data they hold, and how to reach the issuer and reuse the text."""

    issuer: str = ""
    edition_date: dt.date | None = None  # the date the edition is released
    data_cutoff: dt.date | None = None  # the last date of the data it holds
    contact: str = ""
    reuse: str = ""  # terms of reuse, printed on the cover's back
    internal: bool = False  # 内部资料 on the cover
    url: str = ""  # the published book: print links point there (none: links are dropped)
    edition: str = ""  # 版次, as the issuer names it (第1版); empty: not said


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
    release: Release = field(default_factory=Release)

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


def _date(block: dict, key: str, path: Path) -> dt.date | None:
    value = block.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _fail(path, f"release.{key} {value!r} is not a date",
                    f"write release.{key}: YYYY-MM-DD, e.g. 2026-12-03") from None


RELEASE_TEXT = ("issuer", "contact", "reuse", "url", "edition")
RELEASE_KEYS = (*RELEASE_TEXT, "edition_date", "data_cutoff", "internal")


def _release(block: Any, path: Path, author: str) -> Release:
    """The `release` block, validated (absent: the issuer is the author, nothing else)."""
    if block is None:
        return Release(issuer=author)
    if not isinstance(block, dict):
        raise _fail(path, "'release' must be a mapping",
                    "write release: {issuer: ..., edition_date: YYYY-MM-DD, ...}")
    unknown = sorted(set(map(str, block)) - set(RELEASE_KEYS))
    if unknown:
        raise _fail(path, f"release: unknown keys {', '.join(unknown)}",
                    f"use only {', '.join(RELEASE_KEYS)}")
    for key in RELEASE_TEXT:
        if block.get(key) is not None and not isinstance(block[key], str):
            raise _fail(path, f"release.{key} must be text", f"write release.{key}: ... as text")
    internal = block.get("internal", False)
    if not isinstance(internal, bool):
        raise _fail(path, f"release.internal must be true or false, not {internal!r}",
                    "write release.internal: true (内部资料 on the cover) or false")
    url = (block.get("url") or "").strip()
    if url and not url.startswith(("https://", "http://")):
        raise _fail(path, f"release.url {url!r} is not a web address",
                    "give the published book's address (https://...), or leave it empty")
    edition, cutoff = _date(block, "edition_date", path), _date(block, "data_cutoff", path)
    if edition and cutoff and cutoff > edition:
        raise _fail(path, f"release.data_cutoff {cutoff} is after edition_date {edition}",
                    "the data must end on or before the edition's date")
    return Release(issuer=(block.get("issuer") or author).strip(), edition_date=edition,
                   data_cutoff=cutoff, contact=(block.get("contact") or "").strip(),
                   reuse=(block.get("reuse") or "").strip(), internal=internal,
                   url=url.rstrip("/"), edition=(block.get("edition") or "").strip())


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
    title, home_name = _text(data, "title", path), _text(home, "name_zh", path, "home.")
    for value, what, limit in ((title, "title", TITLE_MAX),
                               (home_name, "home.name_zh", NAME_MAX)):
        if problem := name_problem(value, what, limit):
            raise _fail(path, problem, f"write a {what} of at most {limit} characters on one "
                        "line, without < > { } [ ] ` \\ | * $")
    author = str(data.get("author", ""))
    return Config(
        title=title,
        author=author,
        home_geo=_text(home, "geo", path, "home."),
        home_name=home_name,
        policy_factors={str(k): float(v) for k, v in factors.items()},
        areas=areas,
        period_notebooks=_notebooks(data.get("period_notebooks"), "period_notebooks", path,
                                    areas),
        cross_period_notebooks=_notebooks(data.get("cross_period_notebooks"),
                                          "cross_period_notebooks", path, areas, required=False),
        page_rows=page_rows,
        release=_release(data.get("release"), path, author),
    )
