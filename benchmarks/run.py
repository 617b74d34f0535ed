"""Benchmarks of `policybook build`, side by side with the stock way and the floor.

    .venv/bin/python benchmarks/run.py            # about 10 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # scaling up to 4 periods, stock once

Everything runs in temporary copies of the project (data/, notebooks/, the hand-written
book sources; no executed notebook), never in this checkout. Extra periods are SYNTHETIC
copies of 2020H1 (tests/synthetic.py: dates shifted by whole years, marked in every row).
Measured, as wall-clock time of whole commands:

  (a) cold build: `policybook build` with no executed notebook and no HTML
  (b) rebuild with nothing changed
  (c) rebuild after one period's data changed (the latest period; and the earliest)
  (d) scaling with 1, 4 and 16 periods, and the cost of adding one period
  (e) the stock way: the same notebooks with their parameters filled in (papermill
      prepare-only) in a book tree, `jupyter-book build` with `execute_notebooks: force`
  (f) the floor: one Python process that imports the libraries once and computes the same
      tables and figures (benchmarks/floor.py)

The results are written to benchmarks/RESULTS.md (the hand-written notes at its end are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# English output: SUMMARY reads the run's English summary (the CLI speaks Chinese by default)
ENV = {**os.environ, "MPLBACKEND": "Agg", "POLICYBOOK_LANG": "en"}
NOTES_MARK = "<!-- notes: hand-written below this line, kept by benchmarks/run.py -->"
SUMMARY = re.compile(r"(\d+) executed, (\d+) unchanged \(skipped\), (\d+) failed in ([\d.]+) s")

sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the SYNTHETIC fixture generator lives with the tests
from synthetic import copy_period  # noqa: E402

from analysis.dataset.project import Project  # noqa: E402


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------- set-up

def make_project(dest: Path, periods: int) -> Project:
    """A project copy without executed notebooks; periods beyond the first are SYNTHETIC."""
    shutil.copytree(ROOT / "data", dest / "data")
    shutil.copytree(ROOT / "notebooks", dest / "notebooks")
    shutil.copytree(ROOT / "templates", dest / "templates")
    shutil.copytree(ROOT / "book", dest / "book", ignore=shutil.ignore_patterns(
        "_build", "periods", "downloads", "*.ipynb", "_toc.yml", "appendix.md", ".*"))
    project = Project(dest)
    for n in range(1, periods):
        copy_period(project, "2020H1", f"{2020 + n}H1")
    return project


def add_period(project: Project) -> str:
    last = project.periods()[-1]
    new = f"{int(last.id[:4]) + 1}H1"
    copy_period(project, "2020H1", new)
    return new


def touch_data(project: Project, period: str) -> None:
    """A real data change: one figure's note edited."""
    path = project.period_dir(period) / "figures.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1] + " (edited)" if not lines[1].endswith('"') else (
        lines[1][:-1] + ' (edited)"')
    path.write_text("\n".join(lines), encoding="utf-8")


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, str, str]:
    """Wall-clock seconds of a command; its stdout and stderr."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result.stdout[-3000:]}\n"
                         f"{result.stderr[-3000:]}")
    return seconds, result.stdout, result.stderr


def policybook(project: Project, *args: str) -> tuple[float, dict]:
    if args[:1] == ("build",):  # the print editions are not part of the comparison
        args = (*args, "--no-print")
    seconds, _, output = timed([str(BIN / "policybook"), *args, "--root",
                                str(project.root), "-q"])
    found = SUMMARY.search(output)
    counts = dict(zip(("executed", "unchanged", "failed", "run_s"),
                      (float(g) for g in found.groups()), strict=True)) if found else {}
    return seconds, counts


def jupyter_book(root: Path) -> float:
    return timed([str(BIN / "jupyter-book"), "build", "book", "-W", "-n", "--keep-going",
                  "-q"], cwd=root)[0]


# ---------------------------------------------------------------------------- measurements

def stock(dest: Path, periods: int) -> float:
    """(e): parameters filled in by papermill (prepare-only) into a book tree, then
    `jupyter-book build` with execute_notebooks: force (it executes them, one by one)."""
    from papermill import execute_notebook

    from analysis.build.plan import notebooks_for

    project = make_project(dest, periods)
    for p in project.periods():
        for name in notebooks_for(project, p):
            out = project.book_period_dir(p) / f"{name}.ipynb"
            out.parent.mkdir(parents=True, exist_ok=True)
            execute_notebook(str(project.notebooks / f"{name}.ipynb"), str(out),
                             parameters={"period": p.id, "root": "../../.."},
                             prepare_only=True, progress_bar=False, kernel_name="policybook")
    for name in (nb.name for nb in project.config.cross_period_notebooks):
        execute_notebook(str(project.notebooks / f"{name}.ipynb"),
                         str(project.book / f"{name}.ipynb"), parameters={"root": ".."},
                         prepare_only=True, progress_bar=False, kernel_name="policybook")
    config = project.book / "_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('execute_notebooks: "off"', 'execute_notebooks: "force"'),
                      encoding="utf-8")
    assert 'execute_notebooks: "force"' in config.read_text(encoding="utf-8")
    # the same generated pages as `policybook build` (toc, appendix, downloads)
    generate = ("from pathlib import Path; from analysis.dataset.project import Project; "
                "from analysis.build.toc import write_toc; "
                "from analysis.pages.appendix import write_appendix; "
                f"p = Project(Path({str(project.root)!r})); write_toc(p); write_appendix(p)")
    seconds = timed([sys.executable, "-c", generate])[0]
    return seconds + jupyter_book(project.root)


def floor(project: Project, out: Path) -> dict:
    seconds, output, _ = timed([sys.executable, str(ROOT / "benchmarks" / "floor.py"),
                                str(project.root), str(out)])
    result = json.loads(output.strip().splitlines()[-1])
    result["wall"] = seconds
    return result


def kernel_start() -> float:
    """A bare kernel: start, ready, shut down (what every papermill run pays)."""
    code = ("import time; t = time.perf_counter(); from jupyter_client.manager import "
            "start_new_kernel; km, kc = start_new_kernel(kernel_name='policybook'); "
            "r = time.perf_counter() - t; kc.stop_channels(); km.shutdown_kernel(now=True); "
            "print(r)")
    return float(timed([sys.executable, "-c", code])[1].strip().splitlines()[-1])


def imports() -> float:
    code = ("import time; t = time.perf_counter(); "
            "from analysis import charts, narrative, page, plans, trends; "
            "from analysis.view import PeriodView; print(time.perf_counter() - t)")
    return float(timed([sys.executable, "-c", code])[1].strip().splitlines()[-1])


def med(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="scaling up to 4 periods only, each comparison once")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "RESULTS.md"))
    parser.add_argument("--province", action="store_true",
                        help="the province-scale benchmark instead (benchmarks/province.py)")
    import province  # benchmarks/province.py (imports this file as the module `run`)

    province.add_arguments(parser)
    args = parser.parse_args()
    if args.province:
        province.main(args)
        return
    reps = 1 if args.quick else 2
    scales = (1, 4) if args.quick else (1, 4, 16)
    r: dict = {"scaling": {}, "load_before": os.getloadavg()}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="policybook-bench-") as tmp:
        tmp = Path(tmp)
        # a snapshot of the package, so that edits to src/ during the run (the notebooks'
        # input hashes include the package source) cannot disturb it; kernels inherit it
        shutil.copytree(ROOT / "src" / "analysis", tmp / "src" / "analysis",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "templates", tmp / "templates")  # the package's own wording
        ENV["PYTHONPATH"] = str(tmp / "src")
        n = iter(range(1000))

        def fresh(periods: int) -> Project:
            return make_project(tmp / f"p{next(n)}", periods)

        # (a), (e), (f) side by side on the real period, alternating
        cold, stock_s, floor_r, sphinx_alone = [], [], [], []
        for _ in range(reps):
            log("(a) cold build, 1 period")
            project = fresh(1)
            seconds, counts = policybook(project, "build")
            cold.append((seconds, counts))
            log("(e) stock jupyter-book build, execute_notebooks: force")
            stock_s.append(stock(tmp / f"s{next(n)}", 1))
            log("(f) floor")
            floor_r.append(floor(project, tmp / f"f{next(n)}"))
            log("(g) Sphinx alone on the executed notebooks")
            shutil.rmtree(project.book / "_build")
            sphinx_alone.append(jupyter_book(project.root))
        r["cold"] = med([s for s, _ in cold])
        r["cold_run"] = med([c["run_s"] for _, c in cold])
        r["cold_executed"] = cold[0][1]["executed"]
        r["stock"] = med(stock_s)
        r["floor"] = med([f["wall"] for f in floor_r])
        r["floor_detail"] = floor_r[0]
        r["sphinx_alone"] = med(sphinx_alone)
        project = fresh(1)  # the steps below start from a cold build of their own
        policybook(project, "build")

        log("(b) rebuild with nothing changed")
        r["nochange_build"] = med([policybook(project, "build")[0] for _ in range(3)])
        r["nochange_run"] = med([policybook(project, "run")[0] for _ in range(3)])

        log("where the time goes")
        shutil.rmtree(project.book / "_build")
        r["sphinx_cold"] = jupyter_book(project.root)
        r["sphinx_nochange"] = jupyter_book(project.root)
        r["kernel_start"] = med([kernel_start() for _ in range(3)])
        r["imports"] = med([imports() for _ in range(3)])
        cpus = os.cpu_count() or 1
        for jobs, fresh_kernels in ((1, True), (1, False), (cpus, True), (cpus, False)):
            extra = ["--fresh-kernels"] if fresh_kernels else []
            seconds, counts = policybook(project, "run", "--force", "-j", str(jobs), *extra)
            r[f"run_j{jobs}_{'fresh' if fresh_kernels else 'warm'}"] = seconds

        # (c), (d): scaling, one period changed, one period added
        for periods in scales:
            log(f"(d) {periods} period(s): cold, nothing changed, one period added")
            project = fresh(periods)
            row: dict = {}
            row["cold"], counts = policybook(project, "build")
            row["notebooks"] = counts["executed"]
            row["nochange"] = policybook(project, "build")[0]
            if periods > 1:
                log(f"(c) {periods} periods: latest period's data changed")
                touch_data(project, project.periods()[-1].id)
                row["latest_changed"], counts = policybook(project, "build")
                row["latest_changed_executed"] = counts["executed"]
                log(f"(c) {periods} periods: earliest period's data changed")
                touch_data(project, project.periods()[0].id)
                row["earliest_changed"], counts = policybook(project, "build")
                row["earliest_changed_executed"] = counts["executed"]
            add_period(project)
            row["added"], counts = policybook(project, "build")
            row["added_executed"] = counts["executed"]
            r["scaling"][periods] = row
        if not args.quick:
            log("(e) stock, 4 periods")
            r["stock_4"] = stock(tmp / f"s{next(n)}", 4)
    r["total_minutes"] = (time.perf_counter() - started) / 60
    r["load_after"] = os.getloadavg()
    write_results(Path(args.out), r, " ".join(["python", "benchmarks/run.py", *sys.argv[1:]]))
    log(f"written: {args.out}")


# ---------------------------------------------------------------------------- report

def versions() -> str:
    from importlib.metadata import version

    names = ("jupyter-book", "sphinx", "myst-nb", "papermill", "nbclient", "ipykernel",
             "pandas", "matplotlib")
    return ", ".join(f"{n} {version(n)}" for n in names)


def verdict(ok: bool, text: str) -> str:
    return f"**met**: {text}" if ok else f"**missed**: {text}"


def write_results(path: Path, r: dict, command: str) -> None:
    cpus = os.cpu_count() or 1
    s = r["scaling"]
    one = s[1]
    f = r["floor_detail"]
    lines = [
        "# Benchmark results: `policybook build`",
        "",
        f"Produced by `{command}` (from the project root, with `.venv/bin/python`) on "
        f"{date.today().isoformat()}: {cpus} cores, Python {platform.python_version()}, "
        f"{platform.system()}; {versions()}. The whole run took {r['total_minutes']:.1f} "
        "minutes. Times are wall-clock seconds of whole commands (process start included), "
        "the median where a step was repeated; every step ran in a temporary copy of the "
        "project; periods other than 2020H1 are SYNTHETIC copies of it (dates shifted by "
        "whole years). `policybook` ran with its defaults (`-j` = number of cores, warm "
        "kernels) and `-q`. Load average (1, 5, 15 min) before the run "
        f"{', '.join(f'{x:.1f}' for x in r['load_before'])}, after it "
        f"{', '.join(f'{x:.1f}' for x in r['load_after'])}: anything else running on the "
        "machine shows up in these numbers.",
        "",
        "## Side by side: one period (2020H1, 7 notebooks + the cross-period one)",
        "",
        "| what | seconds | ratio |",
        "| --- | ---: | --- |",
        f"| (a) cold build: `policybook build` (notebooks {r['cold_run']:.1f} s, then "
        f"appendix and Sphinx) | {r['cold']:.1f} | 1 |",
        f"| (b) rebuild, nothing changed: `policybook build` | {r['nochange_build']:.2f} | "
        f"{r['nochange_build'] / r['cold']:.1%} of (a) |",
        f"| (b') `policybook run`, nothing changed | {r['nochange_run']:.2f} | "
        f"{r['nochange_run'] / r['cold']:.1%} of (a) |",
        f"| (e) stock: `jupyter-book build`, `execute_notebooks: force` (+ the same generated "
        f"pages) | {r['stock']:.1f} | (a) is {r['stock'] / r['cold']:.2f}x faster |",
        f"| (f) floor: one process, same tables and figures (imports {f['imports']:.1f} s, "
        f"{f['figures']} figures rendered in {f['render']:.1f} s) | {r['floor']:.1f} | "
        f"(a) takes {r['cold'] / r['floor']:.2f}x this |",
        f"| (g) Sphinx alone: `jupyter-book build` of the executed notebooks | "
        f"{r['sphinx_alone']:.1f} | |",
        f"| (f) + (g): the floor of a cold build | {r['floor'] + r['sphinx_alone']:.1f} | "
        f"(a) takes {r['cold'] / (r['floor'] + r['sphinx_alone']):.2f}x the floor |",
        "",
        "## Goals",
        "",
        "- Cold build at least 1.6x faster than the stock way on 2 cores: "
        + verdict(r["stock"] / r["cold"] >= 1.6,
                  f"{r['stock'] / r['cold']:.2f}x with 1 period"
                  + (f", {r['stock_4'] / s[4]['cold']:.2f}x with 4 periods "
                     f"({s[4]['cold']:.1f} s against {r['stock_4']:.1f} s)"
                     if "stock_4" in r else "") + f" ({cpus} cores)."),
        "- Cold build within 1.5x of the floor (the tables and figures computed in one "
        "process, plus Sphinx alone): "
        + verdict(r["cold"] <= 1.5 * (r["floor"] + r["sphinx_alone"]),
                  f"{r['cold'] / (r['floor'] + r['sphinx_alone']):.2f}x "
                  f"({r['cold']:.1f} s against {r['floor']:.1f} + {r['sphinx_alone']:.1f} s); "
                  f"against the computation alone {r['cold'] / r['floor']:.2f}x."),
        "- No-change rebuild at most 10% of a cold build: "
        + verdict(r["nochange_build"] / r["cold"] <= 0.10,
                  f"{r['nochange_build'] / r['cold']:.1%} with 1 period"
                  + "".join(f", {row['nochange'] / row['cold']:.1%} with {n} periods"
                            for n, row in s.items() if n > 1) + "."),
        "- Adding a period costs that period's notebooks plus the cross-period ones: "
        + verdict(all(row["added_executed"] == one["notebooks"] for row in s.values()),
                  "executed " + ", ".join(
                      f"{int(row['added_executed'])} notebooks in {row['added']:.1f} s "
                      f"(with {n} periods before)" for n, row in s.items())
                  + f"; a cold build of one period executes {int(one['notebooks'])}."),
        "",
        "## Where the time goes (one period)",
        "",
        "| step | seconds |",
        "| --- | ---: |",
        f"| bare kernel start until ready (each fresh papermill run pays it) | "
        f"{r['kernel_start']:.2f} |",
        f"| imports of the analysis package (pandas, matplotlib, seaborn, pandera) | "
        f"{r['imports']:.2f} |",
        f"| rendering the {f['figures']} figures (savefig only), in the floor | "
        f"{f['render']:.2f} |",
        f"| Sphinx alone (`jupyter-book build`), cold / nothing changed | "
        f"{r['sphinx_cold']:.1f} / {r['sphinx_nochange']:.1f} |",
        f"| `policybook run --force -j 1 --fresh-kernels` (a new kernel per notebook, "
        f"sequential: the old pipeline) | {r['run_j1_fresh']:.1f} |",
        f"| `policybook run --force -j 1` (one warm kernel) | {r['run_j1_warm']:.1f} |",
        f"| `policybook run --force -j {cpus} --fresh-kernels` | "
        f"{r[f'run_j{cpus}_fresh']:.1f} |",
        f"| `policybook run --force -j {cpus}` (the default) | {r[f'run_j{cpus}_warm']:.1f} |",
        "",
        "## Scaling and incremental rebuilds",
        "",
        "| periods | notebooks | (a) cold build | (b) nothing changed | (c) latest period "
        "changed | (c) earliest period changed | one period added |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for n, row in s.items():
        latest = (f"{row['latest_changed']:.1f} s ({int(row['latest_changed_executed'])} "
                  "executed)" if "latest_changed" in row else "-")
        earliest = (f"{row['earliest_changed']:.1f} s "
                    f"({int(row['earliest_changed_executed'])} executed)"
                    if "earliest_changed" in row else "-")
        lines.append(
            f"| {n} | {int(row['notebooks'])} | {row['cold']:.1f} s | {row['nochange']:.2f} s | "
            f"{latest} | {earliest} | {row['added']:.1f} s ({int(row['added_executed'])} "
            "executed) |")
    if "stock_4" in r:
        lines += ["", f"The stock way with 4 periods took {r['stock_4']:.1f} s."]
    from province import province_block  # its block of this file is kept

    old = path.read_text(encoding="utf-8") if path.exists() else ""
    lines += ["", "Raw numbers:", "", "```json", json.dumps(r, indent=1, default=str), "```",
              "", *province_block(old), NOTES_MARK]
    notes = old.split(NOTES_MARK, 1)[1] if NOTES_MARK in old else ""
    path.write_text("\n".join(lines) + (notes or "\n"), encoding="utf-8")


if __name__ == "__main__":
    main()
