"""SYNTHETIC fixture periods for tests and benchmarks: a real period copied to a later one.

`copy_period(project, "2020H1", "2023H1")` copies data/periods/2020H1/ (so every quote is
still in its source.txt) and shifts every date of figures.csv and targets.csv by whole years,
so each as_of lies in the new period. Every row, source.yml and a SYNTHETIC.md file say that
the data is invented. Use it only on disposable copies of a project, never on data/.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from pathlib import Path

import yaml

from analysis.dataset.periods import parse_period
from analysis.dataset.project import Project

_DATE = re.compile(r"\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b")


def shift_dates(text: str, years: int) -> str:
    """Every ISO date in `text` moved by `years` (29 February becomes the 28th)."""
    def move(match: re.Match) -> str:
        year, month, day = (int(g) for g in match.groups())
        try:
            moved = date(year + years, month, day)
        except ValueError:
            moved = date(year + years, month, 28)
        return moved.isoformat()
    return _DATE.sub(move, text)


def _rewrite_csv(path: Path, change) -> None:
    if not path.exists():
        return
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys()) if rows else None
    if not rows:
        return
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(change(row))
    path.write_text(out.getvalue(), encoding="utf-8")


def copy_period(project: Project, source: str, target: str) -> Path:
    """data/periods/<target>/: SYNTHETIC copy of <source>, dates shifted by whole years."""
    src, dst = parse_period(source), parse_period(target)
    years = dst.start.year - src.start.year
    if src.id[4:] != dst.id[4:] or years == 0:
        raise ValueError(f"{target} is not {source} shifted by whole years")
    folder = project.period_dir(dst)
    shutil.copytree(project.period_dir(src), folder)
    mark = f"SYNTHETIC copy of {src.id}, dates shifted by {years} years"

    def figure(row: dict) -> dict:
        row["as_of"] = shift_dates(row["as_of"], years)
        row["note"] = f"{mark}; {row.get('note', '')}".rstrip("; ")
        return row

    def target_row(row: dict) -> dict:
        row["deadline"] = shift_dates(row["deadline"], years)
        if row.get("set_in") == src.id:
            row["set_in"] = dst.id
        if "note" in row:
            row["note"] = f"{mark}; {row['note']}".rstrip("; ")
        return row

    _rewrite_csv(folder / "figures.csv", figure)
    _rewrite_csv(folder / "targets.csv", target_row)
    meta_path = folder / "source.yml"
    if meta_path.exists():
        meta = yaml.safe_load(meta_path.read_text(encoding="utf-8")) or {}
        meta["title"] = f"SYNTHETIC {meta.get('title', '')}".strip()
        meta["period"] = dst.id
        if meta.get("date"):
            meta["date"] = shift_dates(str(meta["date"]), years)
        meta["note"] = f"{mark}: invented for tests and benchmarks, not a real report."
        meta_path.write_text(yaml.safe_dump(meta, allow_unicode=True, sort_keys=False),
                             encoding="utf-8")
    (folder / "SYNTHETIC.md").write_text(
        f"# SYNTHETIC\n\n{mark}. Not a real report: made by analysis.synthetic for tests "
        "and benchmarks in a temporary copy of the project.\n", encoding="utf-8")
    return folder
