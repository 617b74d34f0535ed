"""Province-scale benchmark of `policybook build`: SYNTHETIC places x periods.

    .venv/bin/python benchmarks/run.py --province                  # 8 places x 8 periods
    .venv/bin/python benchmarks/run.py --province --places 2 --periods-per-place 2

The data model has one main place per period id (analysis.dataset.loader `main_geo`), so a province
of P places reporting N periods each is modelled as P x N period folders, each a copy of
2020H1 shifted by whole years (tests/synthetic.py, copy_period) to a year of its own: place k,
period j is <2020 - (k * N + j)>H1, so place 0 (the home place) holds the latest N years and
2020H1 itself, the real report, unchanged. For places k > 0 the `geo` of every figure and
target row of the home place is rewritten to a county of the home city (data/catalogue/geo.csv),
so that county becomes the period's main place. Every copied folder keeps copy_period's
SYNTHETIC marks (rows, source.yml, SYNTHETIC.md) and names its rewritten place; the temporary
project has a README saying that it is synthetic and never published.

At growing sizes (1, 2, 4, ... places with all their periods) it measures, as wall-clock time
of whole `policybook build -q` commands in a temporary copy (never in this checkout):

  (a) cold build (no executed notebook, no HTML)
  (b) rebuild with nothing changed
  (c) one figure value changed in the latest period (2020H1: value, quote and source.txt)
  (c') the same correction in the earliest period: the notebooks that read its figures run
      again (the later plan tracking pages, the next period's key points, trends), not
      every later period's
  (d) one period added (2021H1, a SYNTHETIC copy of 2020H1 for the home place)

and, for each step, the notebooks executed, the HTML pages Sphinx wrote (mtimes in its
staging folder), the published pages whose content changed (hashes under the resolved
book/_build/html), the number of pages and the largest one, and the print editions
(book/_build/print) written. The stock way (as benchmarks/run.py's
(e)) runs at the smallest size only. The results go into their own marked block of
benchmarks/RESULTS.md, which `benchmarks/run.py` keeps when it rewrites the file.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

# benchmarks/run.py, imported as a module (this folder is sys.path[0] when run.py runs); all
# its helpers and its ENV are used through `bench`, so they share one PYTHONPATH setting
import run as bench
import yaml

BEGIN = "<!-- province: begin (written by benchmarks/run.py --province, kept by run.py) -->"
END = "<!-- province: end -->"
LATEST_YEAR = 2020  # the real period, 2020H1, is the latest one of place 0
FIRST_YEAR = 1949  # analysis.dataset.periods accepts years from 1949
SOURCE = "2020H1"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The province benchmark's options, on benchmarks/run.py's parser."""
    parser.add_argument("--places", type=int, default=8,
                        help="with --province: places of the province (default 8)")
    parser.add_argument("--periods-per-place", type=int, default=8,
                        help="with --province: periods of each place (default 8)")


# ---------------------------------------------------------------------------- set-up

def place_codes(places: int) -> tuple[list[str], dict[str, str], str]:
    """The home place then the counties under it in data/catalogue/geo.csv (at most
    `places` codes), their Chinese names, and a note when geo.csv has fewer."""
    home = bench.Project(bench.ROOT).config.home_geo
    with (bench.ROOT / "data" / "catalogue" / "geo.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {r["code"]: r["name_zh"] for r in rows}
    counties = sorted(r["code"] for r in rows if r["parent"] == home and r["level"] == "county")
    codes = [home, *counties][:places]
    note = ""
    if len(codes) < places:
        note = (f"data/catalogue/geo.csv has only {len(counties)} counties under {home}: "
                f"{len(codes)} places instead of {places}")
    return codes, names, note


def year_of(place: int, period: int, per_place: int) -> int:
    """The year of place `place`'s period `period` (both from 0): distinct for every pair."""
    return LATEST_YEAR - (place * per_place + period)


def _rewrite_csv(path: Path, change) -> None:
    """Apply `change` to every row of a CSV file (same columns, "\\n" line ends)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    if not rows or not fields:
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(change(row) for row in rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_place(folder: Path, home: str, code: str, name: str) -> int:
    """Rows of the home place in a SYNTHETIC period folder moved to place `code`; every
    SYNTHETIC mark is kept and names the new place. The number of rows moved."""
    mark = f"SYNTHETIC place {code} {name} (rows of {home} moved there)"
    moved = 0

    def change(row: dict) -> dict:
        nonlocal moved
        if row["geo"] == home:
            row["geo"] = code
            moved += 1
            if "note" in row:
                assert row["note"].startswith("SYNTHETIC"), row  # copy_period's mark
                row["note"] = f"{mark}; {row['note']}"
        return row

    _rewrite_csv(folder / "figures.csv", change)
    _rewrite_csv(folder / "targets.csv", change)
    meta_path = folder / "source.yml"
    if meta_path.exists():
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
        meta["title"] = str(meta.get("title", "")).replace("SYNTHETIC", f"SYNTHETIC {name}", 1)
        meta["note"] = f"{mark}; {meta.get('note', '')}"
        meta_path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                             encoding="utf-8")
    with (folder / "SYNTHETIC.md").open("a", encoding="utf-8") as f:
        f.write(f"\n{mark}: a stand-in for a county's report in a province-scale benchmark.\n")
    return moved


README = """\
# SYNTHETIC project: province-scale benchmark, never published

Made by benchmarks/province.py in a temporary folder, removed when the benchmark ends.
{places} places x {per_place} periods: every period folder except data/periods/2020H1 (the
real report of the home place) is a SYNTHETIC copy of 2020H1 with its dates shifted by whole
years; for places other than the home place the rows of {home} were moved to the place's code.
The figures are invented: do not publish, cite or copy this book or its data.

{layout}
"""


def make_province(dest: Path, codes: list[str], names: dict[str, str],
                  per_place: int) -> bench.Project:
    """A project copy (as benchmarks/run.py makes one) with len(codes) x per_place periods;
    every period but 2020H1 is SYNTHETIC."""
    project = bench.make_project(dest, 1)
    home = project.config.home_geo
    layout = []
    for k, code in enumerate(codes):
        years = [year_of(k, j, per_place) for j in range(per_place)]
        layout.append(f"- place {k}: {code} {names.get(code, '')}: "
                      f"{min(years)}H1..{max(years)}H1")
        for year in years:
            if year == LATEST_YEAR:
                continue  # the real 2020H1, place 0
            folder = bench.copy_period(project, SOURCE, f"{year}H1")
            if code != home:
                set_place(folder, home, code, names.get(code, ""))
    (dest / "README.md").write_text(README.format(
        places=len(codes), per_place=per_place, home=home, layout="\n".join(layout)),
        encoding="utf-8")
    return project


def check_layout(project: bench.Project, codes: list[str], per_place: int) -> None:
    """The data validates and every period's main place is the intended one (not timed)."""
    from analysis.dataset.loader import load_dataset

    dataset = load_dataset(project)
    want = {f"{year_of(k, j, per_place)}H1": code for k, code in enumerate(codes)
            for j in range(per_place)}
    got = {p.id: dataset.main_geo(p) for p in dataset.periods}
    if got != want:
        raise SystemExit(f"unexpected period layout: {got} instead of {want}")


def change_value(project: bench.Project, period: str) -> str:
    """A correction: the first figure's value + 1, in figures.csv and, so that the data still
    validates, in its quote and in source.txt; its note says so. A description of it."""
    folder = project.period_dir(period)
    path = folder / "figures.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    row = rows[0]
    old, new = row["value"], str(int(row["value"]) + 1)
    quote = row["quote"]
    source = (folder / "source.txt").read_text(encoding="utf-8")
    if quote.count(old) != 1 or quote not in source or any(
            r["quote"] == quote for r in rows[1:]):
        raise SystemExit(f"cannot change {row['indicator']} in {path}: pick another row")
    row["value"], row["quote"] = new, quote.replace(old, new)
    row["note"] = f"SYNTHETIC edit by benchmarks/province.py: {old} -> {new}; {row['note']}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    (folder / "source.txt").write_text(source.replace(quote, row["quote"]), encoding="utf-8")
    return f"{period} {row['indicator']} {row['geo']}: {old} -> {new}"


# ---------------------------------------------------------------------------- measurements

def _pages(folder: Path) -> list[tuple[str, Path]]:
    """The .html files under `folder` but the theme's templates in _static/."""
    if not folder.is_dir():
        return []
    return [(name, p) for p in folder.rglob("*.html")
            if not (name := str(p.relative_to(folder))).startswith("_static/")]


def html_state(project: bench.Project) -> dict:
    """Every HTML page: in the published book (book/_build/html, a symlink resolved) its
    size and content hash; in Sphinx's staging folder its mtime; the print editions'
    mtimes."""
    build = project.book / "_build"
    published = (build / "html").resolve()
    staged = build / ".staging" / "_build" / "html"  # analysis.build.publish's layout
    pages = {name: (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
             for name, p in _pages(published)}
    mtimes = {name: p.stat().st_mtime_ns for name, p in _pages(staged)}
    printed = build / "print"  # the print editions `policybook build` writes (PDF, Word)
    editions = {p.name: p.stat().st_mtime_ns for p in printed.glob("*")
                if p.suffix in (".pdf", ".docx")} if printed.is_dir() else {}
    return {"pages": pages, "mtimes": mtimes, "editions": editions}


def step(project: bench.Project, what: str) -> dict:
    """One `policybook build -q`, timed, with what it executed and which pages it rewrote."""
    bench.log(f"  {what}")
    before = html_state(project)
    seconds, counts = bench.policybook(project, "build")
    after = html_state(project)
    pages = after["pages"]
    largest = max(pages.items(), key=lambda item: item[1][0]) if pages else ("-", (0, ""))
    return {
        "seconds": seconds,
        "executed": int(counts.get("executed", 0)),
        "unchanged": int(counts.get("unchanged", 0)),
        "run_s": counts.get("run_s"),
        "sphinx_wrote": sum(after["mtimes"][p] != before["mtimes"].get(p)
                            for p in after["mtimes"]),
        "content_changed": sum(pages[p][1] != before["pages"].get(p, (0, ""))[1]
                               for p in pages),
        "removed": len(set(before["pages"]) - set(pages)),
        "editions_written": sum(after["editions"][e] != before["editions"].get(e)
                                for e in after["editions"]),
        "editions": len(after["editions"]),
        "pages": len(pages),
        "largest_bytes": largest[1][0],
        "largest_page": largest[0],
    }


def measure(project: bench.Project) -> dict:
    """(a)-(d) on one project, in that order."""
    row = {"periods": len(project.periods())}
    row["cold"] = step(project, f"(a) cold build, {row['periods']} periods")
    row["nochange"] = step(project, "(b) nothing changed")
    row["changed"] = change_value(project, project.periods()[-1].id)
    row["latest_changed"] = step(project, f"(c) latest period changed: {row['changed']}")
    row["early_changed_what"] = change_value(project, project.periods()[0].id)
    row["early_changed"] = step(project,
                                f"(c') earliest period changed: {row['early_changed_what']}")
    row["added_period"] = bench.add_period(project)
    row["added"] = step(project, f"(d) one period added: {row['added_period']}")
    return row


def stock(dest: Path, codes: list[str], names: dict[str, str], per_place: int) -> float:
    """The stock way, as benchmarks/run.py's (e): the notebooks with their parameters filled
    in by papermill (prepare-only) in a book tree, then the table of contents, then
    `jupyter-book build` with execute_notebooks: force (the book's Sphinx extension writes
    the appendix, downloads and search dictionary). Written against the current package
    (run.py's stock() still imports analysis.dataset.project.CROSS_PERIOD_NOTEBOOKS, now gone)."""
    project = make_province(dest, codes, names, per_place)
    prepare = (
        "import sys; from pathlib import Path; from papermill import execute_notebook; "
        "from analysis.build.plan import notebooks_for; "
        "from analysis.dataset.project import Project; "
        "from analysis.build import KERNEL; from analysis.build.toc import write_toc; "
        "p = Project(Path(sys.argv[1]))\n"
        "def fill(name, out, parameters):\n"
        "    out.parent.mkdir(parents=True, exist_ok=True)\n"
        "    execute_notebook(str(p.notebooks / f'{name}.ipynb'), str(out), "
        "parameters=parameters, prepare_only=True, progress_bar=False, kernel_name=KERNEL)\n"
        "for period in p.periods():\n"
        "    for name in notebooks_for(p, period):\n"
        "        fill(name, p.book_period_dir(period) / f'{name}.ipynb', {'period': period.id})\n"
        "for nb in p.config.cross_period_notebooks:\n"
        "    fill(nb.name, p.book / f'{nb.name}.ipynb', {})\n"
        "write_toc(p)\n")  # after the notebooks: the toc lists the pages that exist
    seconds = bench.timed([sys.executable, "-c", prepare, str(project.root)])[0]
    config = project.book / "_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('execute_notebooks: "off"', 'execute_notebooks: "force"'),
                      encoding="utf-8")
    if 'execute_notebooks: "force"' not in config.read_text(encoding="utf-8"):
        raise SystemExit(f"no execute_notebooks: \"off\" in {config}")
    return seconds + bench.jupyter_book(project.root)


def sizes(places: int) -> list[int]:
    """1, 2, 4, ... places, and all of them."""
    out, n = [], 1
    while n < places:
        out.append(n)
        n *= 2
    return [*out, places]


def main(args: argparse.Namespace) -> None:
    """Run the province benchmark and write its block of RESULTS.md (args.out)."""
    per_place = args.periods_per_place
    if args.places < 1 or per_place < 1:
        raise SystemExit("--places and --periods-per-place must be at least 1")
    codes, names, note = place_codes(args.places)
    if note:
        bench.log(f"note: {note}")
    if year_of(len(codes) - 1, per_place - 1, per_place) < FIRST_YEAR:
        raise SystemExit(f"{len(codes)} x {per_place} periods go back before {FIRST_YEAR}")
    r: dict = {"places": len(codes), "periods_per_place": per_place, "codes": codes,
               "note": note, "sizes": {}, "load_before": os.getloadavg()}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="policybook-province-") as tmp:
        tmp = Path(tmp)
        # a snapshot of the package, as in run.py: edits to src/ cannot disturb the run
        shutil.copytree(bench.ROOT / "src" / "analysis", tmp / "src" / "analysis",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(bench.ROOT / "templates", tmp / "templates")  # the package's wording
        bench.ENV["PYTHONPATH"] = str(tmp / "src")
        for n in sizes(len(codes)):
            bench.log(f"{n} place(s) x {per_place} periods")
            project = make_province(tmp / f"p{n}", codes[:n], names, per_place)
            check_layout(project, codes[:n], per_place)
            r["sizes"][n] = measure(project)
            shutil.rmtree(project.root)  # the disk: 64 periods of pages and notebooks
            if n == 1:
                bench.log(f"(e) stock jupyter-book build, {per_place} periods")
                r["stock"] = stock(tmp / "stock", codes[:1], names, per_place)
                r["stock_periods"] = per_place
                shutil.rmtree(tmp / "stock")
    r["total_minutes"] = (time.perf_counter() - started) / 60
    r["load_after"] = os.getloadavg()
    command = " ".join(["python", "benchmarks/run.py", *sys.argv[1:]])
    write_section(Path(args.out), r, command)
    bench.log(f"written: {args.out}")


# ---------------------------------------------------------------------------- report

def province_block(text: str) -> list[str]:
    """The province block of a RESULTS.md text (markers included) and a blank line, or
    nothing: what benchmarks/run.py keeps when it rewrites the file."""
    if BEGIN not in text or END not in text:
        return []
    start = text.index(BEGIN)
    return [text[start:text.index(END, start) + len(END)], ""]


def splice(text: str, block: str) -> str:
    """`text` with its province block replaced by `block` (else put before the hand-written
    notes, else at the end)."""
    if BEGIN in text and END in text:
        start = text.index(BEGIN)
        return text[:start] + block + text[text.index(END, start) + len(END):]
    if bench.NOTES_MARK in text:
        head, notes = text.split(bench.NOTES_MARK, 1)
        return f"{head}{block}\n\n{bench.NOTES_MARK}{notes}"
    return f"{text.rstrip()}\n\n{block}\n" if text.strip() else f"{block}\n"


def _cell(s: dict) -> list[str]:
    return [f"{s['seconds']:.1f}" if s["seconds"] >= 10 else f"{s['seconds']:.2f}",
            str(s["executed"]), f"{s['sphinx_wrote']} / {s['pages']}",
            f"{s['content_changed']}" + (f" (+{s['removed']} removed)" if s["removed"] else ""),
            f"{s['largest_bytes']:,} ({s['largest_page']})"]


def write_section(path: Path, r: dict, command: str) -> None:
    """The province block of RESULTS.md, written or replaced; the rest of the file kept."""
    cpus = os.cpu_count() or 1
    places, per_place = r["places"], r["periods_per_place"]
    lines = [
        BEGIN,
        "",
        f"## Province scale (SYNTHETIC: {places} places x {per_place} periods)",
        "",
        f"Produced by `{command}` (from the project root, with `.venv/bin/python`) on "
        f"{date.today().isoformat()}: {cpus} cores, Python {platform.python_version()}, "
        f"{platform.system()}; {bench.versions()}. The whole run took "
        f"{r['total_minutes']:.1f} minutes. Load average (1, 5, 15 min) before the run "
        f"{', '.join(f'{x:.1f}' for x in r['load_before'])}, after it "
        f"{', '.join(f'{x:.1f}' for x in r['load_after'])}.",
        "",
        f"The data is SYNTHETIC: one main place per period id, so the province is "
        f"{places} x {per_place} period folders, each a copy of 2020H1 shifted by whole years "
        f"(place k, period j is {LATEST_YEAR} - (k x {per_place} + j), H1), the home "
        "place's rows moved to the place's code for the other places: "
        f"{', '.join(r['codes'])}" + (f" ({r['note']})" if r["note"] else "") + ". Only "
        "2020H1, the latest period of the home place, is a real report. Steps are whole "
        "`policybook build -q --no-print` commands in a temporary copy, in this order: "
        "(a) cold, (b) nothing changed, (c) one figure value of the latest period (2020H1) "
        "corrected (value, quote and source.txt), (c') the same in the earliest period (the "
        "notebooks that read its figures run again: later plan tracking pages, the next "
        "period's key points, trends), (d) one period added (2021H1, the home "
        "place). *Sphinx wrote*: "
        "pages whose mtime changed in Sphinx's staging folder; *content changed*: published "
        "pages (book/_build/html resolved) whose bytes changed; every .html file counts but "
        "the theme's templates in _static/. The print editions are left out (a period's "
        "edition is reprinted only when its own pages change).",
        "",
    ]
    lines += ["| places | periods | pages | (a) cold | (b) nothing changed | (c) latest "
              "period changed | (c') earliest period changed | (d) one period added |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n, row in r["sizes"].items():
        lines.append(f"| {n} | {row['periods']} | {row['cold']['pages']} | " + " | ".join(
            f"{row[k]['seconds']:.1f} s ({row[k]['executed']} run, {row[k]['sphinx_wrote']} "
            "written)" for k in ("cold", "nochange", "latest_changed", "early_changed", "added"))
            + " |")
    lines.append("")
    for n, row in r["sizes"].items():
        lines += [
            f"### {n} place{'s' if n > 1 else ''}: {row['periods']} periods",
            "",
            "| step | seconds | notebooks executed | pages Sphinx wrote / total | pages with "
            "changed content | largest page (bytes) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for key, label in (("cold", "(a) cold build"), ("nochange", "(b) nothing changed"),
                           ("latest_changed", f"(c) latest period changed ({row['changed']})"),
                           ("early_changed",
                            f"(c') earliest period changed ({row['early_changed_what']})"),
                           ("added", f"(d) one period added ({row['added_period']})")):
            lines.append(f"| {label} | " + " | ".join(_cell(row[key])) + " |")
        if n == 1 and "stock" in r:
            lines.append(
                f"| (e) stock: `jupyter-book build`, `execute_notebooks: force` (as in "
                f"run.py) | {r['stock']:.1f} | {row['cold']['executed']} (all) | - | - | - |")
        lines.append("")
    if "stock" in r:
        one = r["sizes"][1]["cold"]["seconds"]
        lines += [
            f"The stock way ran only at the smallest size ({r['stock_periods']} periods): "
            f"{r['stock']:.1f} s against {one:.1f} s for (a), {r['stock'] / one:.2f}x. It "
            "executes every notebook in a new kernel, one after another, so its time grows "
            "with the number of notebooks; it is not run at the larger sizes, where it would "
            f"take far too long (at {places * per_place} periods about "
            f"{r['stock'] * places / 60:.0f} minutes by linear extrapolation).",
            "",
        ]
    lines += ["Raw numbers:", "", "```json", json.dumps(r, indent=1, default=str), "```", "",
              END]
    block = "\n".join(lines)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(splice(old, block), encoding="utf-8")
