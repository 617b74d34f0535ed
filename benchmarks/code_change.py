"""What an edit to the package's code costs a build: the notebooks executed and the seconds.

    .venv/bin/python benchmarks/code_change.py

In a temporary copy of the project with a snapshot of the package (never this checkout), it
builds once, then, one edit at a time (each undone before the next), inserts a statement at
the start of a definition and runs `policybook build -q --no-print` again: a chart one page
draws, a function two pages use, a helper every area page uses, the command line, and a
function added to a module every notebook imports. It prints a Markdown table to paste into
benchmarks/RESULTS.md's notes, with the command.
"""

from __future__ import annotations

import ast
import shutil
import sys
import tempfile
from pathlib import Path

import run as bench

EDITS = [  # (module, definition, what it is)
    ("charts/builders", "stages", "the construction-stages chart (public services pages)"),
    ("pages/page", "targets", "the target table (plan tracking and trends)"),
    ("statements/keypoints", "keypoints", "the key points of every work-area page"),
    ("cli", "main", "the command line"),
    ("dataset/project", None, "a new function in a module every notebook imports"),
]


def edit(path: Path, name: str | None) -> None:
    """A statement at the start of definition `name`, or (None) a new function at the end."""
    text = path.read_text(encoding="utf-8")
    if name is None:
        path.write_text(text + "\n\ndef _benchmark_helper():\n    return 1\n", encoding="utf-8")
        return
    node = next(n for n in ast.parse(text).body if getattr(n, "name", None) == name)
    first = node.body[0]
    lines = text.splitlines(keepends=True)
    lines.insert(first.lineno - 1, " " * first.col_offset + "_benchmark_edit = True\n")
    path.write_text("".join(lines), encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="policybook-code-") as tmp:
        tmp = Path(tmp)
        package = tmp / "src" / "analysis"
        shutil.copytree(bench.ROOT / "src" / "analysis", package,
                        ignore=shutil.ignore_patterns("__pycache__"))
        bench.ENV["PYTHONPATH"] = str(tmp / "src")
        project = bench.make_project(tmp / "p", 1)
        bench.log("cold build")
        cold, counts = bench.policybook(project, "build")
        rows = [("cold build (for scale)", cold, counts)]
        for module, name, what in EDITS:
            path = package / f"{module}.py"
            original = path.read_text(encoding="utf-8")
            edit(path, name)
            bench.log(f"edited {module}.{name or '(new function)'}")
            seconds, counts = bench.policybook(project, "build")
            rows.append((f"`{module}.{name}`: {what}" if name else f"`{module}`: {what}",
                         seconds, counts))
            path.write_text(original, encoding="utf-8")
            bench.policybook(project, "build")  # back to the unedited state
    print("| edit | notebooks executed (of 8) | seconds |")
    print("| --- | ---: | ---: |")
    for label, seconds, counts in rows:
        print(f"| {label} | {int(counts.get('executed', 0))} | {seconds:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
