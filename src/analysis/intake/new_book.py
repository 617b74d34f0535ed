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

import csv
import io
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


def init_project(template: Project, dest: Path, geo: str, name: str,
                 parent: str | None = None) -> Project:
    """Create a project at `dest` (which must not exist or be empty) for place `geo`; a place
    not yet in geo.csv is added to the new book's geo.csv when its `parent` is listed."""
    problem = name_problem(name, f"the name {name!r}", NAME_MAX)
    title = TITLE.format(name=name)
    if problem is None:
        problem = name_problem(title, f"the title {title!r}", TITLE_MAX)
    if problem:
        raise UserError(Problem("--name", problem, _("give the place's Chinese name (e.g. 霍邱县): "
                                                     "one line of at most {name_max} characters, "
                                                     "without < > {{ }} [ ] ` \\ | * $").format(
                                                       name_max=NAME_MAX)))
    new_place = _new_place(template, geo, name, parent)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise UserError(
            Problem(str(dest), _("exists and is not an empty directory"), _("choose a new folder"))
        )
    work = dest.parent / f".{dest.name}.init-{uuid.uuid4().hex[:8]}"
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        _write(template, work, geo, name, title, dest)
        if new_place:
            with (work / "data" / "catalogue" / "geo.csv").open("a", encoding="utf-8") as f:
                f.write(new_place)
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


def level_of(code: str) -> str:
    """The level of a GB/T 2260 code: 330000 a province, 330200 a city, 330282 a county."""
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def _new_place(template: Project, geo: str, name: str, parent: str | None) -> str:
    """The geo.csv row to add for a place the catalogue lacks ('' if it is listed)."""
    path = template.catalogue / "geo.csv"
    places = read_csv(path).set_index("code")
    if geo in places.index:
        return ""
    if not re.fullmatch(r"[1-8]\d{5}", geo):
        raise UserError(Problem("--geo", _("{geo} is not a GB/T 2260 code").format(
            geo=repr(geo)), _("give the six digits of the place's code, e.g. 330282")))
    guess = geo[:4] + "00" if level_of(geo) == "county" else geo[:2] + "0000"
    if parent is None:
        raise UserError(Problem(str(path), _("place {geo} is not in geo.csv").format(geo=geo),
                                _("give --parent with the code of the place it belongs to "
                                  "(probably {guess}) and it is added to the new book, or add "
                                  "the row '{row}' to geo.csv").format(
                                    guess=guess, row=f"{geo},{name},<English name>,"
                                                     f"{level_of(geo)},{guess}")))
    if parent not in places.index:
        raise UserError(Problem(str(path), _("the parent {parent} is not in geo.csv "
                                             "either").format(parent=parent),
                                _("add its row first: '{row}' (and its own parent's, up to a "
                                  "province listed there)").format(
                                    row=f"{parent},<中文名>,<English name>,{level_of(parent)},"
                                        "<its parent's code>")))
    row = io.StringIO()
    csv.writer(row, lineterminator="\n").writerow([geo, name, "", level_of(geo), parent])
    return row.getvalue()


def _write(template: Project, dest: Path, geo: str, name: str, title: str,
           final: Path) -> None:
    """The new project's files into `dest`, the folder that is renamed to `final`."""
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
    (dest / "README.md").write_text(readme.replace("{title}", myst_text(title)).replace(
        "{root}", str(final)), encoding="utf-8")


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
