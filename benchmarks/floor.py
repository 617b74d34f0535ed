"""The floor for benchmarks/run.py: one Python process imports the libraries once, then
computes every table and saves every figure that the notebooks show, for every period.

It runs the notebooks' own code cells (the same calls into `analysis`) with `display`
replaced by a writer: no kernel, no nbformat, no Sphinx. Usage:

    python benchmarks/floor.py PROJECT_ROOT OUT_DIR

Prints a JSON line: total, import and chart-rendering seconds, notebooks and figures.
"""

from __future__ import annotations

import json
import sys
import time

START = time.perf_counter()

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from pathlib import Path  # noqa: E402

import nbformat  # noqa: E402

import analysis.pages.page as page  # noqa: E402
from analysis.build.plan import notebooks_for  # noqa: E402
from analysis.charts import builders as charts  # noqa: E402,F401 - the notebooks' imports
from analysis.charts.chart import Chart  # noqa: E402
from analysis.checks import targets as plans  # noqa: E402,F401 - the notebooks' imports
from analysis.dataset.project import Project  # noqa: E402
from analysis.pages import trends  # noqa: E402,F401 - the notebooks' imports
from analysis.statements import narrative  # noqa: E402,F401 - the notebooks' imports
from analysis.view import PeriodView  # noqa: E402,F401

IMPORTED = time.perf_counter()
RENDER = [0.0, 0]
_png = Chart.png


def _timed_png(self: Chart) -> bytes:
    t = time.perf_counter()
    data = _png(self)
    RENDER[0] += time.perf_counter() - t
    RENDER[1] += 1
    return data


Chart.png = _timed_png


def main(root: Path, out: Path) -> dict:
    project = Project(root)
    shown: list[str] = []

    def display(obj: object) -> None:
        if hasattr(obj, "_repr_html_"):
            shown.append(obj._repr_html_())  # a Chart: renders its PNG
        else:
            shown.append(str(getattr(obj, "data", obj)))

    page.display = display
    runs = [(p.id, name) for p in project.periods() for name in notebooks_for(project, p)]
    runs += [(None, nb.name) for nb in project.config.cross_period_notebooks]
    for period, name in runs:
        nb = nbformat.read(project.notebooks / f"{name}.ipynb", as_version=4)
        namespace: dict = {}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, f"{name}.ipynb", "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):  # papermill's injected values
                namespace["root"] = str(root)
                if period:
                    namespace["period"] = period
        folder = out / (period or "cross")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.html").write_text("\n".join(shown), encoding="utf-8")
        shown.clear()
    return {"notebooks": len(runs)}


if __name__ == "__main__":
    result = main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
    end = time.perf_counter()
    result.update(total=end - START, imports=IMPORTED - START, render=RENDER[0],
                  figures=RENDER[1])
    print(json.dumps(result))
