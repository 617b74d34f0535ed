"""Labels a reader sees in place of the codes that pass between modules (templates/*.yml:
the project's copy, or the package's)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from analysis.dataset.project import Project
from analysis.dataset.safe_files import load_yaml
from analysis.errors import Problem, UserError

PACKAGE_TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
PLAN_TRACKING = "plan_tracking.yml"
AUDIT = "audit.yml"


def labels(name: str, project: Project | None = None) -> dict[str, dict[str, str]]:
    """templates/<name>: groups of code -> label (the project's file, else the package's)."""
    own = project.root / "templates" / name if project is not None else None
    return _labels(own if own is not None and own.is_file() else PACKAGE_TEMPLATES / name)


@lru_cache(maxsize=8)
def _labels(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = load_yaml(path)
        return {str(group): {str(k): str(v) for k, v in codes.items()}
                for group, codes in data.items()}
    except (OSError, yaml.YAMLError, TypeError, AttributeError) as exc:
        raise UserError(Problem(str(path), f"the labels cannot be read ({exc})",
                                "give groups of `code: label` lines")) from None
