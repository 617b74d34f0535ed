"""`policybook init`: start a book for another city or county with the shared catalogue.

The new project gets this project's catalogue (indicators, units, places, and the checks whose
rules apply to its place), comparators, notebooks, templates (the wording), the book's
configuration, interface (templates and Chinese locale) and hand-written pages, a
data/project.yml for its home place and a README with its commands; it has no period until one
is imported.
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

BOOK_FILES = ("_config.yml", "_static", "_templates", "_locale", "intro.md", "method.md",
              "appendix.md")
README = "book-readme.md"  # templates/book-readme.md: the new book's README


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
                        ignore=shutil.ignore_patterns(".*", "*.nbconvert.ipynb"))
        shutil.copytree(template.root / "templates", dest / "templates",
                        ignore=shutil.ignore_patterns(".*"))
        _keep_rules_of(dest / "data" / "catalogue" / "checks.yml", geo)
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
        used = _factors_used(dest / "data" / "catalogue" / "checks.yml")
        config["policy_factors"] = {k: v for k, v in (config.get("policy_factors") or {}).items()
                                    if k in used}
        body = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
        (dest / "data" / "project.yml").write_text(
            "# The book's configuration (see the README): written by `policybook init`.\n"
            + body, encoding="utf-8")
        _set_title(dest / "book" / "_config.yml", title)
        readme = (template.root / "templates" / README).read_text(encoding="utf-8")
        (dest / "README.md").write_text(readme.replace("{title}", title).replace(
            "{root}", str(dest)), encoding="utf-8")
    except OSError as exc:
        raise UserError(Problem(str(dest), f"cannot write the new project ({exc.strerror})",
                                "check the path, its permissions and free space")) from None
    return Project(dest)


def _set_title(path: Path, title: str) -> None:
    if path.exists():
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^title: .*$", f"title: {title}", text), encoding="utf-8")


def _keep_rules_of(path: Path, geo: str) -> None:
    """Drop from checks.yml the policy rules that apply only to other places (`applies_to`),
    keeping every other line of the file as it is."""
    checks = load_yaml(path) or []
    other = {c["id"] for c in checks if c.get("applies_to")
             and not any(geo.startswith(str(p)) for p in c["applies_to"])}
    if not other:
        return
    blocks = re.split(r"(?m)^(?=- id: )", path.read_text(encoding="utf-8"))
    kept = [b for b in blocks if not (m := re.match(r"- id: (\S+)", b)) or m.group(1) not in other]
    path.write_text("".join(kept), encoding="utf-8")


def _factors_used(path: Path) -> set[str]:
    """The policy factors that the checks of checks.yml name."""
    return {c["factor"] for c in load_yaml(path) or [] if isinstance(c.get("factor"), str)}
