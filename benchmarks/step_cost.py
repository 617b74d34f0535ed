"""What one incremental `policybook build` costs as the book grows, before and after a change
of the package, phase by phase (benchmarks/RESULTS.md, "Where an incremental build's time
goes").

    .venv/bin/python benchmarks/step_cost.py --before 0e73f17 --sizes 8 32 64

For each size (periods; SYNTHETIC province projects of 8 periods per place, made by
benchmarks/province.py in WORK, never in this checkout) the project is built cold once with
the package of commit --before, and kept (WORK/p<N>.cold, reused by later runs). Then, for
the package at --before and the package of this checkout in turn, each step starts from that
cold build brought up to date by the package (WORK/p<N>.<which>, so that neither side pays
for the other's code change) at the same path:

  (c) one figure value of the latest period corrected (province.change_value)
  (d) one period added (run.add_period)

and times the whole `policybook build -q --no-print` command, with the time spent in each
phase: planning (the dataset load and the input hashes), executing the notebooks, the
appendix and downloads, Sphinx's process, publishing. The phases are timed by wrapping
those functions in the measured processes (a `sitecustomize` module on PYTHONPATH), which
adds nothing measurable. Results: a JSON file and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import province
import run as bench

WRAPS = '''"""Phase timers of benchmarks/step_cost.py (only when $STEP_COST_OUT is set)."""
import atexit, os, sys, time
_out = os.environ.get("STEP_COST_OUT")
_prog = os.path.basename(sys.argv[0]) if sys.argv else ""
if _out and _prog in ("policybook", "jupyter-book"):
    _start, _pid, _acc = time.perf_counter(), os.getpid(), {}

    def _wrap(owner, name, label):
        if not hasattr(owner, name):
            return
        real = getattr(owner, name)

        def timed(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                _acc[label] = _acc.get(label, 0.0) + time.perf_counter() - begin
        setattr(owner, name, timed)

    def _dump():
        if os.getpid() == _pid:
            _acc["total"] = time.perf_counter() - _start
            with open(f"{_out}.{_prog}.json", "w") as f:
                f.write(__import__("json").dumps(_acc))
    atexit.register(_dump)
    if _prog == "policybook":
        import analysis.build.pipeline as pipeline, analysis.build.plan as plan
        import analysis.build.publish as publish, analysis.pages.appendix as appendix
        _wrap(plan, "load_dataset", "plan: dataset load and validation")
        _wrap(plan, "job_for", "plan: input hashes")
        _wrap(pipeline, "plan", "plan (all)")
        _wrap(pipeline, "execute_jobs", "notebooks")
        _wrap(publish, "write_appendix", "appendix and downloads")
        _wrap(publish, "run_sphinx", "Sphinx process (with what it writes first)")
        _wrap(publish, "publish", "publishing: copy")
        _wrap(publish, "remove_leftovers", "publishing: remove the previous copy")
    else:
        import analysis.pages.appendix as appendix, sphinx.application as application
        import sphinx.builders as builders
        _wrap(appendix, "write_appendix", "Sphinx: appendix and downloads")
        _wrap(application.Sphinx, "__init__", "Sphinx: start (environment, extensions)")
        _wrap(builders.Builder, "read", "Sphinx: reading")
        _wrap(builders.Builder, "write", "Sphinx: writing")
        _wrap(builders.Builder, "finish", "Sphinx: finishing")
'''


def package(rev: str, dest: Path) -> Path:
    """src/analysis and templates/ of commit `rev` in `dest` (its PYTHONPATH folder)."""
    if not (dest / "src" / "analysis").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev, "src/analysis", "templates"],
                                 cwd=bench.ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def snapshot(dest: Path) -> Path:
    """This checkout's package, copied: edits made while it runs do not count."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(bench.ROOT / "src" / "analysis", dest / "src" / "analysis",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(bench.ROOT / "templates", dest / "templates")
    return dest / "src"


def build(root: Path, pythonpath: str, out: Path | None) -> float:
    """Seconds of one `policybook build -q --no-print`, its phases written next to `out`."""
    env = {**bench.ENV, "PYTHONPATH": pythonpath}
    if out is not None:
        env["STEP_COST_OUT"] = str(out)
    start = time.perf_counter()
    done = subprocess.run([str(bench.BIN / "policybook"), "build", "--root", str(root), "-q",
                           "--no-print"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed in {root}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds


def restore(saved: Path, root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    subprocess.run(["cp", "-a", str(saved), str(root)], check=True)


def phases(out: Path) -> dict[str, float]:
    found = {}
    for name in ("policybook", "jupyter-book"):
        path = Path(f"{out}.{name}.json")
        if path.exists():
            found.update({("Sphinx: total" if name == "jupyter-book" and k == "total" else k): v
                          for k, v in json.loads(path.read_text()).items()})
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="commit of the package to compare with")
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 32],
                        help="periods (multiples of 8)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the projects (kept; default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="policybook-step-cost-"))
    work.mkdir(parents=True, exist_ok=True)
    wraps = work / "wraps"
    wraps.mkdir(exist_ok=True)
    (wraps / "sitecustomize.py").write_text(WRAPS, encoding="utf-8")
    # one folder for the package before, whatever its commit: the downloads' stamps hash the
    # package's files by their paths, so a cold build kept in WORK stays current for it
    sides = {"before": package(args.before, work / "before"),
             "after": snapshot(work / "after")}
    results: dict = {"before": args.before, "sizes": {}}
    for n in args.sizes:
        places = n // 8
        codes, names, _note = province.place_codes(places)
        root, cold = work / f"p{n}", work / f"p{n}.cold"
        if not cold.exists():
            bench.log(f"{n} periods: cold build with {args.before}")
            if root.exists():
                shutil.rmtree(root)
            province.make_province(root, codes, names, 8)
            build(root, str(sides["before"]), None)
            restore(root, cold)
        row: dict = {}
        for which, src in sides.items():
            base = work / f"p{n}.{which}"
            if not base.exists():  # the cold build brought up to date by this package
                restore(cold, root)
                build(root, str(src), None)
                restore(root, base)
        for step in ("c", "d"):  # before and after one right after the other: same load
            for which, src in sides.items():
                path, base = f"{wraps}{os.pathsep}{src}", work / f"p{n}.{which}"
                restore(base, root)
                project = bench.Project(root)
                what = (province.change_value(project, project.periods()[-1].id) if step == "c"
                        else bench.add_period(project))
                out = work / f"{n}{step}.{which}"
                for old in work.glob(f"{out.name}.*.json"):
                    old.unlink()
                seconds = build(root, path, out)
                row[f"{step}.{which}"] = {"seconds": seconds, "what": what,
                                          "phases": phases(out)}
                bench.log(f"{n} periods, ({step}) {which}: {seconds:.1f} s")
        results["sizes"][n] = row
        (work / "step_cost.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table(results))
    bench.log(f"raw numbers: {work / 'step_cost.json'}")


def table(results: dict) -> str:
    """Markdown: seconds per step and size, before and after, and the ratios."""
    sizes = list(results["sizes"])
    lines = ["| step | " + " | ".join(f"{n} periods: before / after" for n in sizes) + " |",
             "| --- |" + " ---: |" * len(sizes)]
    for step, label in (("c", "(c) latest period corrected"), ("d", "(d) one period added")):
        cells = []
        for n in sizes:
            row = results["sizes"][n]
            b, a = row[f"{step}.before"]["seconds"], row[f"{step}.after"]["seconds"]
            cells.append(f"{b:.1f} / {a:.1f} s")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for step in ("c", "d"):
        for which in ("before", "after"):
            first = results["sizes"][sizes[0]][f"{step}.{which}"]["seconds"]
            ratios = ", ".join(
                f"{n}: {results['sizes'][n][f'{step}.{which}']['seconds'] / first:.2f}x"
                for n in sizes[1:])
            lines.append(f"\n({step}) {which}, against {sizes[0]} periods: {ratios}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
