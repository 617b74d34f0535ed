"""Time and peak memory of `policybook import` at its limits.

    .venv/bin/python benchmarks/import_limits.py     # about 3 minutes on 2 cores

Everything runs in a temporary copy of the project's data/ (never in this checkout). The
inputs are SYNTHETIC (every row's note says so), for the new period 2020H2:

  (a) the largest allowed workbook: 50,000 figure rows (MAX_FIGURE_ROWS), all valid, so the
      import reads, validates and writes them all; text in a shared-string table, as Excel
      and WPS save it; (a') the same with every text cell inline, as openpyxl saves it;
  (b) the same with one row more: refused at the limit;
  (c) the same 50,000 rows as a CSV (UTF-8);
  (d) the entry workbook of `policybook new-period` (2,000 pre-formatted rows per sheet),
      filled with 3 rows, as it is; and (e) with a stray cell at XFD1048576 in every sheet
      (a value in 说明 and the hidden lists sheet, a format only in figures, targets,
      catalogue and source, as a stray click leaves it).

Each is a real `policybook import 2020H2 FILE --root COPY` subprocess: wall-clock seconds and
its peak resident memory (ru_maxrss from wait4, in a small launcher process: see LAUNCHER).
Results go to benchmarks/IMPORT.md (the hand-written notes at its end are kept).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))

import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.dataset.figures import FIGURE_COLUMNS  # noqa: E402
from analysis.dataset.project import Project  # noqa: E402
from analysis.dataset.schema import MAX_FIGURE_ROWS  # noqa: E402
from analysis.intake.workbook import build  # noqa: E402

PERIOD = "2020H2"
NOTES_MARK = "<!-- notes: hand-written below this line, kept by benchmarks/import_limits.py -->"
VALUES = {"count": "120", "money": "35.6", "standard": "650", "rate": "50", "area": "1200"}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def synthetic_rows(n: int) -> list[list[str]]:
    """`n` valid figure rows for 2020H2: every indicator at every place on successive days."""
    catalogue = ROOT / "data/catalogue"
    indicators = pd.read_csv(catalogue / "indicators.csv", dtype=str)
    dimension = pd.read_csv(catalogue / "units.csv", dtype=str).set_index("id")["dimension"]
    geos = list(pd.read_csv(catalogue / "geo.csv", dtype=str)["code"])
    rows: list[list[str]] = []
    for day in range(184):
        as_of = (dt.date(2020, 7, 1) + dt.timedelta(days=day)).isoformat()
        for geo in geos:
            for ind in indicators.itertuples():
                value = VALUES.get(dimension[ind.unit], "120")
                rows.append([ind.id, geo, value, "0", ind.unit, "", as_of, "1.1", "",
                             "SYNTHETIC benchmark row"])
                if len(rows) == n:
                    return rows
    raise ValueError(f"only {len(rows)} unique rows")


def write_workbook(path: Path, rows: list[list[str]]) -> Path:
    """A workbook with the entry workbook's sheets, written in openpyxl's write-only mode."""
    wb = openpyxl.Workbook(write_only=True)
    wb.create_sheet("说明").append(["SYNTHETIC benchmark workbook"])
    figures = wb.create_sheet("figures")
    figures.append(list(FIGURE_COLUMNS))
    for row in rows:
        figures.append(row)
    source = wb.create_sheet("source")
    source.append(["field", "value"])
    source.append(["title", "SYNTHETIC benchmark"])
    wb.save(path)
    return path


INLINE = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"'
                    rb"(?: />|><is><t(?: [^>]*)?>(.*?)</t></is></c>)")


def as_excel_saves_it(path: Path) -> Path:
    """Rewrite openpyxl's inline strings as a shared-string table, as Excel and WPS save
    text (openpyxl writes every text cell inline, which is slower to read)."""
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    table: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        if match[2] is None:
            return b""  # an empty text cell
        index = table.setdefault(match[2], len(table))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match[1], index)

    for name in [n for n in parts if n.startswith("xl/worksheets/")]:
        parts[name] = INLINE.sub(shared, parts[name])
    items = b"".join(b"<si><t xml:space=\"preserve\">%s</t></si>" % t for t in table)
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="%d" uniqueCount="%d">%s</sst>' % (len(table), len(table), items))
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", (
        b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    return path


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(FIGURE_COLUMNS)
        writer.writerows(rows)
    return path


def entry_workbook(project: Project, path: Path, stray: bool) -> Path:
    """The new-period workbook as it is (pre-formatted rows, lists), filled with 3 rows."""
    wb = build(project, PERIOD)
    for r, row in enumerate(synthetic_rows(3), start=2):
        for c, value in enumerate(row, start=1):
            wb["figures"].cell(row=r, column=c, value=value)
    if stray:
        for ws in wb.worksheets:
            if ws.title in ("说明", "lists"):
                ws["XFD1048576"] = "stray"
            else:
                ws["XFD1048576"].number_format = "@"
    wb.save(path)
    return path


# A small process that forks and execs the command, then prints its child's peak RSS: the
# child's ru_maxrss then starts from this launcher's few MB, not from the benchmark's own
# memory (ru_maxrss survives exec, so a child forked from this big process would report it).
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(f"peak-kb {usage.ru_maxrss}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(command: list[str]) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit code, last line of output) of one command."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True,
                            text=True)
    seconds = time.perf_counter() - start
    peak = int(re.findall(r"peak-kb (\d+)", result.stderr)[-1]) / 1024
    lines = [line for line in (result.stdout + result.stderr).splitlines()
             if line.strip() and not line.startswith("peak-kb")]
    return seconds, peak, result.returncode, (lines or [""])[-1][:160]


def run(case: str, file: Path, tmp: Path) -> dict:
    """Import `file` into a fresh copy of data/ and measure it."""
    root = tmp / f"project-{re.sub(r'[^a-z]', '', case.split(')')[0])}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(ROOT / "data", root / "data")
    command = [str(BIN / "policybook"), "import", PERIOD, str(file), "--root", str(root)]
    seconds, peak, code, last = measure(command)
    log(f"{case}: {seconds:.1f} s, {peak:.0f} MB, exit {code}")
    return {"case": case, "file": file, "size": file.stat().st_size, "seconds": seconds,
            "peak": peak, "code": code, "last": last, "command": command}


def report(results: list[dict], total: float, load: tuple[float, ...]) -> str:
    lines = [
        "# Benchmark results: `policybook import` at its limits",
        "",
        f"Produced by `.venv/bin/python benchmarks/import_limits.py` on {dt.date.today()}: "
        f"{os.cpu_count()} cores (shared with other work), Python {platform.python_version()}, "
        f"{platform.system()}; openpyxl {openpyxl.__version__}, pandas {pd.__version__}. "
        f"The whole run took {total / 60:.1f} minutes. Each row is one `policybook import` "
        "subprocess in a fresh temporary copy of data/: wall-clock seconds (process start and "
        "imports included) and its peak resident memory (ru_maxrss, measured from a small "
        "launcher process). All inputs are SYNTHETIC. Load average (1, 5, 15 min) before the run "
        f"{load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}, after it "
        f"{os.getloadavg()[0]:.1f}, {os.getloadavg()[1]:.1f}, {os.getloadavg()[2]:.1f}: "
        "other work on the machine shows up in these numbers.",
        "",
        "| input | file size | exit | seconds | peak MB | last line of output |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        last = r["last"].replace("|", "\\|").replace(str(r["file"].parent), "…")
        lines.append(f"| {r['case']} | {r['size'] / 1024:,.0f} KB | {r['code']} | "
                     f"{r['seconds']:.1f} | {r['peak']:.0f} | {last} |")
    lines += ["", "Commands (TMP is the run's temporary directory):", "", "```"]
    for r in results:
        lines.append(" ".join(str(c).replace(str(r["file"].parent), "TMP")
                              .replace(str(ROOT), ".") for c in r["command"]))
    lines += ["```", ""]
    return "\n".join(lines)


def main() -> None:
    start, load = time.perf_counter(), os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="import-limits-") as name:
        tmp = Path(name)
        log(f"building the inputs ({MAX_FIGURE_ROWS:,} rows) ...")
        rows = synthetic_rows(MAX_FIGURE_ROWS + 1)
        inline = write_workbook(tmp / "largest_inline.xlsx", rows[:MAX_FIGURE_ROWS])
        largest = as_excel_saves_it(write_workbook(tmp / "largest.xlsx", rows[:MAX_FIGURE_ROWS]))
        beyond = as_excel_saves_it(write_workbook(tmp / "beyond.xlsx", rows))
        as_csv = write_csv(tmp / "largest.csv", rows[:MAX_FIGURE_ROWS])
        project = Project(ROOT)
        plain = entry_workbook(project, tmp / "entry.xlsx", stray=False)
        stray = entry_workbook(project, tmp / "stray.xlsx", stray=True)
        results = [
            run(f"(a) workbook, {MAX_FIGURE_ROWS:,} figure rows (the limit)", largest, tmp),
            run("(a') the same, text cells inline (as openpyxl saves)", inline, tmp),
            run(f"(b) workbook, {MAX_FIGURE_ROWS + 1:,} figure rows (one beyond)", beyond, tmp),
            run(f"(c) CSV, {MAX_FIGURE_ROWS:,} rows", as_csv, tmp),
            run("(d) entry workbook of new-period, 3 rows", plain, tmp),
            run("(e) the same with a stray cell at XFD1048576 in every sheet", stray, tmp),
        ]
    text = report(results, time.perf_counter() - start, load)
    out = ROOT / "benchmarks/IMPORT.md"
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    notes = old[old.index(NOTES_MARK):] if NOTES_MARK in old else NOTES_MARK + "\n"
    out.write_text(text + "\n" + notes, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
