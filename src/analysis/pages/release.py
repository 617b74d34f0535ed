"""The release block (data/project.yml `release`) where a reader meets the book: the intro
page, the downloads (the print editions' cover has it too). Empty fields are left out."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from analysis.dataset.project import Project
from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError
from analysis.escape import myst_text
from analysis.language import _

WORDING = Path(__file__).resolve().parents[3] / "templates" / "print.yml"

RELEASE_INCLUDE = "_release.txt"  # under book/: the intro page includes it


@dataclass(frozen=True)
class Wording:
    """templates/print.yml: the cover's labels, the print note, the web-only replacements."""

    cover: dict[str, str]
    note: str
    replace: dict[str, str]
    web_only: tuple[str, ...]
    same_column: str  # the note for a table column left out because it is the same on each row


def wording(project: Project) -> Wording:
    """The print wording of the project (templates/print.yml), or the package's copy."""
    own = project.root / "templates" / "print.yml"
    return _wording(own if own.is_file() else WORDING)


@lru_cache(maxsize=4)
def _wording(path: Path) -> Wording:
    try:
        data = load_yaml(path)
        return Wording({str(k): str(v) for k, v in data["cover"].items()}, str(data["note"]),
                       {str(k): str(v or "") for k, v in data["replace"].items()},
                       tuple(str(w) for w in data["web_only"]),
                       str(data["tables"]["same_column"]))
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise UserError(Problem(str(path), _("the print wording cannot be read ({exc})").format(
                                               exc=exc),
                                _("give cover, note, replace, web_only and tables"))) from None


def cover_lines(project: Project, period: str) -> list[tuple[str, str]]:
    """The release block as (label, value) lines for a cover, in print order (empty values
    left out): issuer, edition, edition date, data cut-off, contact, web address."""
    release, labels = project.config.release, wording(project).cover
    values = [("issuer", release.issuer), ("edition", release.edition),
              ("edition_date", _date_zh(release.edition_date)),
              ("data_cutoff", release.data_cutoff
               and _date_zh(release.data_cutoff) + labels.get("data_cutoff_note", "")),
              ("contact", release.contact), ("web", release.url)]
    return [(labels[key], value) for key, value in values if value]


def _date_zh(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""




def release_lines(project: Project) -> list[tuple[str, str]]:
    """(label, value) of every given field of the release block, reuse terms last."""
    words, release = wording(project).cover, project.config.release
    reuse = [(words["reuse"], release.reuse)] if release.reuse else []
    return cover_lines(project, "") + reuse


def release_markdown(project: Project) -> str:
    """The release block as a MyST list for the intro page (data text escaped)."""
    lines = release_lines(project)
    return "".join(f"- {myst_text(label)}：{myst_text(value)}\n" for label, value in lines)


def write_release(project: Project) -> None:
    """Write book/_release.txt (the intro page's release block) when it changed."""
    path = project.book / RELEASE_INCLUDE
    text = release_markdown(project)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
