"""`policybook init`: start a book for another city or county with the shared catalogue.

The new project gets this project's catalogue (indicators, units, places, and the checks whose
rules apply to its place), comparators, notebooks, templates (the wording), the book's
configuration, interface (templates and Chinese locale) and hand-written pages, a
data/project.yml for its home place and a README with its commands; it has no period until one
is imported. The name is data: checked first
(`escape.name_problem`), then written through each file's own escaping (YAML by
yaml.safe_dump, Markdown by `escape.myst_text`). All or nothing: the project is made in a
temporary sibling folder and renamed into place, or removed on failure.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

import yaml

from analysis.dataset.csvio import read_csv
from analysis.dataset.project import Project
from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError
from analysis.escape import NAME_MAX, TITLE_MAX, myst_text, name_problem
from analysis.language import _

BOOK_FILES = ("_config.yml", "_static", "_templates", "_locale", "intro.md", "method.md",
              "appendix.md")
README = "book-readme.md"  # templates/book-readme.md: the new book's README
TITLE = "{name}民政工作政策读本"


def init_project(template: Project, dest: Path, geo: str, name: str) -> Project:
    """Create a project at `dest` (which must not exist or be empty) for place `geo`."""
    problem = name_problem(name, f"the name {name!r}", NAME_MAX)
    title = TITLE.format(name=name)
    if problem is None:
        problem = name_problem(title, f"the title {title!r}", TITLE_MAX)
    if problem:
        raise UserError(Problem("--name", problem, _("give the place's Chinese name (e.g. 霍邱县): "
                                                     "one line of at most {name_max} characters, "
                                                     "without < > {{ }} [ ] ` \\ | * $").format(
                                                       name_max=NAME_MAX)))
    places = read_csv(template.catalogue / "geo.csv").set_index("code")
    if geo not in places.index:
        raise UserError(
            Problem(
                str(template.catalogue / "geo.csv"),
                _("place {geo} not found").format(geo=geo),
                _(
                    "add it to geo.csv first (code, name_zh, name_en, level, "
                    "parent), or use a listed code"
                ),
            )
        )
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserError(
            Problem(str(dest), _("exists and is not an empty directory"), _("choose a new folder"))
        )
    work = dest.parent / f".{dest.name}.init-{uuid.uuid4().hex[:8]}"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _write(template, work, geo, name, title)
        os.replace(work, dest)  # onto an absent or empty folder, in one step
    except OSError as exc:
        raise UserError(
            Problem(
                str(dest),
                _("cannot write the new project ({strerror})").format(strerror=exc.strerror),
                _("check the path, its permissions and free space"),
            )
        ) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Project(dest)


def _write(template: Project, dest: Path, geo: str, name: str, title: str) -> None:
    old = template.config
    (dest / "data" / "periods").mkdir(parents=True)
    shutil.copytree(template.catalogue, dest / "data" / "catalogue")
    shutil.copytree(template.reference, dest / "data" / "reference")
    shutil.copytree(
        template.notebooks,
        dest / "notebooks",
        ignore=shutil.ignore_patterns(".*", "*.nbconvert.ipynb"),
    )
    shutil.copytree(
        template.root / "templates", dest / "templates", ignore=shutil.ignore_patterns(".*")
    )
    _keep_rules_of(dest / "data" / "catalogue" / "checks.yml", geo)
    (dest / "book").mkdir()
    for item in BOOK_FILES:
        src = template.book / item
        if src.is_dir():
            shutil.copytree(src, dest / "book" / item)
        elif src.suffix == ".yml" and src.exists():
            _write_config(src, dest / "book" / item, {old.title: title, old.home_name: name})
        elif src.exists():
            text = src.read_text(encoding="utf-8")
            text = text.replace(old.title, myst_text(title)).replace(old.home_name, myst_text(name))
            (dest / "book" / item).write_text(text, encoding="utf-8")
    config = load_yaml(template.data / "project.yml")
    config.update(title=title, home={"geo": geo, "name_zh": name})
    if isinstance(config.get("release"), dict):  # the issuer stays; dates are the new book's
        release = _replaced(config["release"], {old.title: title})
        config["release"] = {
            k: v for k, v in release.items() if k not in ("edition_date", "data_cutoff", "url")
        }
    used = _factors_used(dest / "data" / "catalogue" / "checks.yml")
    config["policy_factors"] = {
        k: v for k, v in (config.get("policy_factors") or {}).items() if k in used
    }
    body = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    (dest / "data" / "project.yml").write_text(
        "# The book's configuration (see the README): written by `policybook init`.\n" + body,
        encoding="utf-8",
    )
    readme = (template.root / "templates" / README).read_text(encoding="utf-8")
    (dest / "README.md").write_text(
        readme.replace("{title}", myst_text(title)).replace("{root}", str(dest)), encoding="utf-8"
    )


def _keep_rules_of(path: Path, geo: str) -> None:
    """Drop from checks.yml the policy rules that apply only to other places (`applies_to`),
    keeping every other line of the file as it is."""
    checks = load_yaml(path) or []
    other = {
        c["id"]
        for c in checks
        if c.get("applies_to") and not any(geo.startswith(str(p)) for p in c["applies_to"])
    }
    if not other:
        return
    blocks = re.split(r"(?m)^(?=- id: )", path.read_text(encoding="utf-8"))
    kept = [b for b in blocks if not (m := re.match(r"- id: (\S+)", b)) or m.group(1) not in other]
    path.write_text("".join(kept), encoding="utf-8")


def _factors_used(path: Path) -> set[str]:
    """The policy factors that the checks of checks.yml name."""
    return {c["factor"] for c in load_yaml(path) or [] if isinstance(c.get("factor"), str)}


def _replaced(value: object, words: dict[str, str]) -> object:
    """`value` (parsed YAML) with each of `words` replaced in its strings."""
    if isinstance(value, str):
        for old, new in words.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _replaced(v, words) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, words) for v in value]
    return value


def _write_config(src: Path, dest: Path, words: dict[str, str]) -> None:
    """book/_config.yml with the old title and name replaced in its values, written by
    yaml.safe_dump (its leading comment kept)."""
    text = src.read_text(encoding="utf-8")
    head = ""
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        head += line + "\n"
    config = _replaced(yaml.safe_load(text), words)
    dest.write_text(
        head + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=1000),
        encoding="utf-8",
    )
