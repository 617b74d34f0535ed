"""The small, stable API the notebooks import (`from analysis.notebook import ...`), so that
moving the package's internals never touches a notebook."""

from analysis.charts import builders as charts
from analysis.checks import targets
from analysis.dataset.project import Project
from analysis.pages import page, trends
from analysis.statements import keypoints, narrative
from analysis.view import PeriodView

__all__ = ["PeriodView", "Project", "charts", "keypoints", "narrative", "page", "targets",
           "trends"]
