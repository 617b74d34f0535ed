"""What a run executes: the notebooks each period has data for, and those whose inputs
changed since they were last executed (or all of them, with `force`). A per-period notebook
can read its own period and the periods before it; a cross-period notebook every period."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from analysis.build.hashing import Inputs, stored_hash
from analysis.build.worker import Job
from analysis.charts.builders import spec_problems
from analysis.dataset.loader import Dataset, load_dataset
from analysis.dataset.periods import Period, is_period, parse_period
from analysis.dataset.project import Project
from analysis.errors import UserError
from analysis.language import _
from analysis.statements.prose import check_templates


def notebooks_for(project: Project, period: Period, dataset: Dataset | None = None) -> list[str]:
    """The notebooks a period has data for (see `Dataset.pages`). `dataset`: the project's,
    when the caller has it (load_dataset looks at every data file to know it is current)."""
    return (dataset or load_dataset(project)).pages(period)


def job_for(project: Project, inputs: Inputs, name: str, period: Period | None, *,
            run_id: str = "", fresh_kernel: bool = False) -> Job:
    """The job that executes notebooks/<name>.ipynb for `period` (None: across every
    period) into its page, with the hash of its inputs. The only parameter is the period:
    a notebook finds the project upwards from its working directory."""
    if period:
        target = project.book_period_dir(period) / f"{name}.ipynb"
        parameters, periods = {"period": period.id}, inputs.readable(period)
        key, label = f"{period.id}/{name}", f"notebooks/{name}.ipynb for {period.id}"
    else:
        target, parameters, periods = project.book / f"{name}.ipynb", {}, inputs.readable(None)
        key, label = name, f"notebooks/{name}.ipynb for all periods"
    return Job(key=key, label=label, source=str(project.notebooks / f"{name}.ipynb"),
               target=str(target), parameters=parameters,
               input_hash=inputs.notebook(name, parameters, periods), run_id=run_id,
               fresh_kernel=fresh_kernel)


def check_period(project: Project, period: str | None) -> None:
    if period and not project.period_dir(period).is_dir():
        raise UserError(_("no data for period {period}: data/periods/{period}/ does not "
                          "exist").format(period=period))


@dataclass
class Plan:
    """What a run does: the stages of jobs (per-period, then cross-period) to execute, the
    notebooks left as they are, and the executed pages whose period lost their data."""

    stages: list[list[Job]]
    unchanged: list[str] = field(default_factory=list)
    stale_pages: list[Path] = field(default_factory=list)

    @property
    def jobs(self) -> list[Job]:
        return [job for stage in self.stages for job in stage]


def plan(project: Project, period: str | None = None, *, force: bool = False,
         fresh_kernels: bool = False) -> Plan:
    """Decide which notebooks to execute (inputs changed, output missing, or `force`)."""
    check_period(project, period)
    dataset = load_dataset(project)  # refuses data that does not validate, with located problems
    # and templates that are not just text, or name ids the catalogue lacks
    if problems := check_templates(project) + spec_problems(project):
        raise UserError(problems)
    inputs, run_id, result = Inputs(project), uuid.uuid4().hex, Plan(stages=[[], []])

    def consider(stage: int, name: str, of: Period | None) -> None:
        job = job_for(project, inputs, name, of, run_id=run_id, fresh_kernel=fresh_kernels)
        if not force and stored_hash(Path(job.target)) == job.input_hash:
            result.unchanged.append(job.key)
        else:
            result.stages[stage].append(job)

    present = project.periods()
    for p in [parse_period(period)] if period else present:
        wanted = notebooks_for(project, p, dataset)
        for name in wanted:
            consider(0, name, p)
        result.stale_pages += [page for page in sorted(project.book_period_dir(p).glob(
            "[!.]*.ipynb")) if page.stem not in wanted]
    if not period:  # pages of periods whose data is gone
        ids = {p.id for p in present}
        result.stale_pages += sorted(page for page in project.book.glob("periods/*/[!.]*.ipynb")
                                     if is_period(page.parent.name) and page.parent.name not in ids)
    if present:
        for nb in project.config.cross_period_notebooks:
            consider(1, nb.name, None)
    result.stages = [stage for stage in result.stages if stage]
    return result
