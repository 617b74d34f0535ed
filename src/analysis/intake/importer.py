"""`policybook import`: a filled entry workbook or a figures CSV, validated, written atomically.

Nothing is written unless every check passes; every problem is reported with its file,
sheet, row and column and how to fix it (UserError: exit code 2, never a traceback).

Limits (input beyond them is refused with a message):

- file: at most MAX_BYTES (20 MB); a workbook at most 200 MB unpacked, and before openpyxl
  opens it, its parts are looked at (`xlsx_scan`): cell styles, shared strings (each at most
  32,767 characters, and at most 100 million characters referred to by a sheet's cells),
  cells per row (1,000, empty or not) and cells with a value per sheet.
- rows: at most MAX_FIGURE_ROWS (50,000) data rows per sheet or CSV; the readers stop there.
  Only the sheets figures, targets, catalogue and source are read (`说明` and the hidden
  `lists` are never opened), and only the cells present in the file: a stray cell at
  XFD1048576 costs one cell, not the rectangle up to it.
- columns: exactly the contract's; an unknown column is refused, naming it.
- texts: the lengths in `schema.MAX_LENGTHS` (quote 500, note 1000, label_zh 60,
  label_en 100, description 500, source title 200 characters, ...); values at most 20
  significant digits, 6 decimals and 15 digits before the point (`schema`).
- time and memory (benchmarks/IMPORT.md; 2 cores shared with other work): the largest
  allowed workbook (50,000 figure rows) imports in 18-27 s with a peak of 136 MB (refused
  at 50,001 rows after 9-15 s, 120 MB); a 50,000-row CSV in 4-7 s, 165 MB; the new-period
  workbook with a stray cell at XFD1048576 in every sheet in 2-4 s and 112 MB, the same as
  without it (the previous reader was killed after 90 s at 3.5 GB).

Writing is all or nothing, also when killed: the new period folder and any new indicators are
staged beside their targets, then a journal (data/periods/.import-journal.json) records the
swap before the first rename; `recover_interrupted`, which a command runs first when data/
holds such dot-files, completes a journalled swap or removes the staged files of one that
never reached its journal. The whole
import holds an exclusive flock on the data/ directory, and recovery leaves everything alone
while another process holds it. A full disk or a read-only folder is a UserError.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shlex
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import yaml

from analysis.dataset.catalogue import KINDS, Catalogue, load_catalogue, relation_problems
from analysis.dataset.csvio import read_csv, read_figures_csv
from analysis.dataset.figures import ASSUMED, DATE_ASSUMED, FIGURE_COLUMNS, TARGET_COLUMNS
from analysis.dataset.periods import Period, is_period, parse_period
from analysis.dataset.project import Project
from analysis.dataset.safe_files import load_yaml, read_source_text
from analysis.dataset.schema import (
    INDICATOR_ID,
    MAX_FIGURE_ROWS,
    column_problems,
    definition_problem,
    length_problem,
    validate_source,
    validate_table,
)
from analysis.errors import Problem, UserError, echo
from analysis.escape import is_formula_like
from analysis.intake.lock import NEW_PERIOD_STAGING, project_lock, try_lock
from analysis.intake.workbook import (
    CATALOGUE,
    FIGURES,
    INDICATOR_COLUMNS,
    OPTIONAL_INDICATOR_COLUMNS,
    RELATION_COLUMNS,
    SOURCE,
    SOURCE_COLUMNS,
    TARGETS,
    read_filled,
    vocabularies,
)
from analysis.language import _
from analysis.meaning.semantics import MEASURES

__all__ = ["MAX_BYTES", "MAX_FIGURE_ROWS", "import_period", "load_entry", "read_csv_any",
           "recover_interrupted"]

MAX_BYTES = 20 * 1024 * 1024
JOURNAL = ".import-journal.json"
STAGED_INDICATORS = ".indicators.csv.import"
WRITE_ERRORS = {
    errno.ENOSPC: ("the disk is full", "free space on the disk, then import again"),
    errno.EDQUOT: ("the disk quota is used up", "free space on the disk, then import again"),
    errno.EROFS: ("the file system is read-only", "import into a writable copy of the project"),
    errno.EACCES: ("permission denied", "make data/ writable for your user, then import again"),
    errno.EPERM: ("operation not permitted", "make data/ writable for your user, then import "
                  "again"),
}


@dataclass
class Entry:
    """What an import brings: figures, targets, new indicators, source metadata."""

    figures: pd.DataFrame
    targets: pd.DataFrame | None
    new_indicators: pd.DataFrame
    source: dict[str, str]
    problems: list[Problem]


# ---------------------------------------------------------------------------- reading


def read_csv_any(path: Path) -> pd.DataFrame:
    """A figures CSV (UTF-8, UTF-8 with BOM, GBK) as text, at most MAX_FIGURE_ROWS rows."""
    return read_figures_csv(path, MAX_FIGURE_ROWS)


def read_workbook(path: Path) -> Entry:
    """Read a filled entry workbook; raise UserError listing every structural problem."""
    file = str(path)
    filled = read_filled(path, MAX_FIGURE_ROWS)
    problems = filled.problems
    figures = filled.sheets.get(FIGURES)
    if figures is None:
        raise UserError(problems)
    if figures.empty:
        raise UserError([*problems, Problem(file, _("the figures sheet has no rows"),
                                            _("enter at least one figure"), sheet=FIGURES)])
    targets = filled.sheets.get(TARGETS)
    source, found = _source(filled.sheets.get(SOURCE), file)
    return Entry(figures, targets if targets is not None and len(targets) else None,
                 filled.sheets.get(CATALOGUE, pd.DataFrame()), source, problems + found)


def _source(frame: pd.DataFrame | None, file: str) -> tuple[dict[str, str], list[Problem]]:
    """The source sheet's fields and their problems."""
    if frame is None or frame.empty:
        return {}, []
    problems = [replace(p, sheet=SOURCE) for p in
                column_problems(list(frame.columns), SOURCE_COLUMNS, file)]
    if any(c not in frame.columns for c in SOURCE_COLUMNS):
        return {}, problems
    fields: dict[str, str] = {}
    rows: dict[str, int] = {}
    for index, name, value in zip(frame.index, frame["field"], frame["value"], strict=True):
        if name in fields:
            problems.append(
                Problem(
                    file,
                    _("field {name} is given twice (rows {rows} and {value})").format(
                        name=echo(name), rows=rows[name], value=int(index) + 2
                    ),
                    _("keep one row per field"),
                    int(index) + 2,
                    "field",
                    SOURCE,
                )
            )
        elif name or value:
            fields[name], rows[name] = value, int(index) + 2
    problems += [replace(p, sheet=SOURCE) for p in validate_source(fields, file, rows)]
    return fields, problems


def load_entry(path: Path) -> Entry:
    """Read a workbook (.xlsx) or a figures CSV (.csv)."""
    if not path.exists():
        raise UserError(Problem(str(path), _("file not found"), _("check the path")))
    if not path.is_file():
        raise UserError(
            Problem(
                str(path),
                _("is a directory (or not a regular file), not a file"),
                _("give the path of the .xlsx workbook or the .csv file"),
            )
        )
    if path.stat().st_size > MAX_BYTES:
        raise UserError(
            Problem(
                str(path),
                _("file too large ({st_size:,} bytes; the limit is {max_bytes:,})").format(
                    st_size=path.stat().st_size, max_bytes=MAX_BYTES
                ),
                _("import one period's figures only"),
            )
        )
    suffix = path.suffix.lower()
    _refuse_open_in_excel(path)
    if suffix == ".xlsx":
        return read_workbook(path)
    if suffix == ".csv":
        frame = read_figures_csv(path, MAX_FIGURE_ROWS)
        if frame.empty:
            raise UserError(
                Problem(
                    str(path),
                    _("the file has no figures (a header, no rows)"),
                    _("enter at least one figure"),
                )
            )
        return Entry(frame, None, pd.DataFrame(), {}, [])
    raise UserError(
        Problem(
            str(path),
            _("unsupported file type {suffix!r}").format(suffix=suffix),
            _("open it in Excel and save it as .xlsx (Excel 工作簿)")
            if suffix in (".xls", ".xlsm", ".xlsb", ".ods", ".et")
            else _("import the .xlsx entry workbook or a figures .csv"),
        )
    )


def _refuse_open_in_excel(path: Path) -> None:
    """UserError if Excel's lock file (`~$<name>`, or `~$` and the name without its first two
    characters) lies beside the file: it is open, and what Excel shows may not be saved."""
    names = {f"~${path.name}"} | ({f"~${path.name[2:]}"} if len(path.stem) > 2 else set())
    for lock in (path.parent / name for name in sorted(names)):
        if lock.exists():
            raise UserError(
                Problem(
                    str(path),
                    _(
                        "the file is open in Excel ({name} lies beside "
                        "it): what is not saved yet would not be imported"
                    ).format(name=lock.name),
                    _(
                        "请先在 Excel 中关闭该文件 (close it in Excel first), then import "
                        "again; if Excel is closed, delete {name}"
                    ).format(name=lock.name),
                )
            )


# ---------------------------------------------------------------------------- checking


def split_codes(
    frame: pd.DataFrame, vocab: dict[str, dict[str, str]], file: str, sheet: str | None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Drop-down entries (`<code> <name>`), and names alone as the list shows them (元/人/月,
    余, 万), as their codes (`<code>`); a Problem where the name after the code is not the
    catalogue's name of that code, or where a name alone belongs to several codes."""
    frame = frame.copy()
    problems = []
    for column in (c for c in frame.columns if c in vocab):
        named = codes_by_name(vocab[column], alternatives=column in ALTERNATIVE_NAMES)
        split = {text: _split(text, vocab[column], named) for text in frame[column].unique()}
        for index, text in frame[column].items():
            if wrong := split[text][1]:
                problems.append(
                    Problem(
                        file,
                        _("{column} {text}: {wrong}").format(
                            column=column, text=echo(text), wrong=wrong
                        ),
                        _("choose the entry from the drop-down list, or type the code alone"),
                        int(index) + 2,
                        column,
                        sheet,
                    )
                )
        frame[column] = frame[column].map({text: code for text, (code, _) in split.items()})
    return frame, problems


# columns whose names list alternatives (余/超: either word as written in the report)
ALTERNATIVE_NAMES = frozenset({"qualifier"})


def codes_by_name(names: dict[str, str], alternatives: bool = False) -> dict[str, list[str]]:
    """{name: the codes with that name}; with `alternatives`, each word of a name written
    `a/b` counts too."""
    found: dict[str, list[str]] = {}
    for code, name in names.items():
        name = " ".join(str(name).split())
        words = {name, *name.split("/")} if alternatives else {name}
        for word in (w.strip() for w in words if w.strip()):
            found.setdefault(word, []).append(code)
    return found


def _split(text: str, names: dict[str, str], named: dict[str, list[str]]) -> tuple[str, str]:
    """(code, what is wrong with the name after it, or '')."""
    parts = text.split(maxsplit=1)
    if len(parts) < 2:
        codes = named.get(text, []) if text not in names else []
        if len(codes) > 1:
            return text, _("{text} is the name of {codes}").format(text=echo(text),
                                                                   codes=", ".join(codes))
        return (codes[0] if codes else text), ""  # an unknown code is reported by the schema
    code, name = parts[0], " ".join(parts[1].split())
    expected = names.get(code)
    if expected is None or name == " ".join(str(expected).split()):
        return code, ""  # an unknown code is reported by the schema
    return code, (_("{code} is {expected!r}, not {name}") if expected else _(
        "{code} has no name; {name} is not one")).format(code=code, expected=expected,
                                                          name=echo(name))


# a new indicator's labels go into the narrative's markdown, which passes HTML tags through
_MARKUP = re.compile(r"<[A-Za-z/!?]")
TEXT_COLUMNS = ("label_zh", "label_en", "description", "definition_zh")  # shown as text


def _new_indicators(
    entry: Entry, catalogue: Catalogue, file: str
) -> tuple[Catalogue, list[Problem], bool]:
    """The catalogue with the workbook's new indicators, their problems, whether any is new."""
    rows = entry.new_indicators
    if rows.empty:
        return catalogue, [], False
    rows = rows.assign(**{c: "" for c in (*RELATION_COLUMNS, *OPTIONAL_INDICATOR_COLUMNS)
                          if c not in rows.columns})
    problems = [replace(p, sheet=CATALOGUE) for p in
                column_problems(list(rows.columns), INDICATOR_COLUMNS, file)]
    if any(c not in rows.columns for c in INDICATOR_COLUMNS):
        return catalogue, problems, False
    names = {**vocabularies(catalogue)["indicator"], **dict(zip(rows["id"], rows["label_zh"],
                                                                strict=True))}
    named = codes_by_name(names)
    rows, found = split_codes(rows, vocabularies(catalogue), file, CATALOGUE)
    for column in RELATION_COLUMNS:  # ids typed with spaces, or "id 名称" from the drop-down
        for index, text in rows[column].items():
            if all(t in names for t in text.split()):
                rows.at[index, column] = " ".join(text.split())
                continue
            rows.at[index, column], wrong = _split(text, names, named)
            if wrong:
                found.append(Problem(file, f"{column} {echo(text)}: {wrong}", _(
                    "choose the indicator from the drop-down list, or type ids separated by "
                    "spaces"), int(index) + 2, column, CATALOGUE))
    known = set(catalogue.indicators["id"])
    new = rows[~rows["id"].isin(known)]
    problems += found + [
        Problem(
            file,
            _("indicator {id} is added twice").format(id=echo(row["id"])),
            _("keep one row per new indicator"),
            sheet=CATALOGUE,
            row=int(index) + 2,
            column="id",
        )
        for index, row in new[new["id"].duplicated()].iterrows()
    ]
    new = new[~new["id"].duplicated()]
    for index, row in new.iterrows():
        problems += _indicator_problems(row, catalogue, file, int(index) + 2)
    merged = pd.concat([catalogue.indicators, new[list(INDICATOR_COLUMNS)]],
                       ignore_index=True).fillna("")
    line = {ident: int(index) + 2 for index, ident in new["id"].items()}
    if not problems:  # relations of the new indicators, once their own columns are right
        problems += [Problem(file, _("indicator {ident}: {column} {what}").format(
                             ident=echo(ident), column=column, what=what), fix,
                             line[ident], column, CATALOGUE)
                     for ident, column, what, fix in relation_problems(merged)
                     if ident in line]
    columns = list(dict.fromkeys([*catalogue.indicators.columns, *RELATION_COLUMNS]))
    return replace(catalogue, indicators=merged[columns]), problems, not new.empty


def _indicator_problems(row: pd.Series, catalogue: Catalogue, file: str,
                        line: int) -> list[Problem]:
    """What is wrong with one new indicator's row of the catalogue sheet."""
    units, areas = set(catalogue.units["id"]), catalogue.areas
    scopes = set(catalogue.scopes["id"]) if catalogue.scopes is not None else set()
    checks = [
        ("id", re.fullmatch(INDICATOR_ID, row["id"]) is not None,
         _("use lower-case letters, digits and _ (ASCII, starting with a letter, 2 to 64 "
           "characters), like the ids of indicators.csv")),
        ("area", row["area"] in areas, _("use one of {value}").format(value=", ".join(areas))),
        ("unit", row["unit"] in units, _("use a unit id from the lists")),
        ("kind", row["kind"] in KINDS, _("use one of {value}").format(value=", ".join(KINDS))),
        ("measure", row["measure"] in MEASURES, _(
            "say what the figure is: {measures} (时点数、期间发生数、累计数、标准、比率)").format(
            measures=", ".join(MEASURES))),
        ("scope", row["scope"] == "" or row["scope"] in scopes,
         _("leave empty for the whole place, or use a scope of data/catalogue/scopes.csv")),
        ("label_zh", bool(row["label_zh"]), _("give the Chinese label")),
        ("label_zh", row["label_zh"] not in set(catalogue.indicators["label_zh"])
         or row["id"] in set(catalogue.indicators["id"]),
         _("another indicator has this Chinese label: name what differs (scope, window, "
           "place) or use that indicator")),
        ("label_en", bool(row["label_en"]), _("give the English label")),
    ] + [(col, not _MARKUP.search(row[col]), _("labels are shown as text in the book: "
          "remove the HTML tag")) for col in TEXT_COLUMNS] + [
        (col, not is_formula_like(row[col]), _("a spreadsheet would run text starting with "
         "=, +, - or @ as a formula: start the text with a letter or a character"))
        for col in TEXT_COLUMNS]
    where = {"file": file, "sheet": CATALOGUE, "row": line}
    problems = [Problem(message=_("invalid {col} {row} for new indicator").format(
                            col=col, row=echo(row[col])), fix=fix, column=col, **where)
                for col, ok, fix in checks if not ok]
    for col in ("label_zh", "label_en", "description"):
        if found := length_problem(col, row[col]):
            problems.append(Problem(message=found[0], fix=found[1], column=col, **where))
    if found := definition_problem(row):
        problems.append(Problem(message=f"new indicator {echo(row['id'])}: {found[0]}",
                                fix=found[1], column="definition_zh", **where))
    return problems


def _check(
    project: Project, entry: Entry, path: Path, period: Period
) -> tuple[Entry, Catalogue, bool]:
    """The entry with codes in place of drop-down entries, the catalogue with its new
    indicators and whether there are any; UserError listing every problem."""
    file = str(path)
    catalogue, problems, added = _new_indicators(entry, load_catalogue(project), file)
    sheet = FIGURES if path.suffix.lower() == ".xlsx" else None
    vocab = vocabularies(catalogue)
    figures, found = split_codes(entry.figures, vocab, file, sheet)
    targets = None
    if entry.targets is not None:
        targets, more = split_codes(entry.targets, vocab, file, TARGETS)
        found += more
    figures = assume_dates(figures, catalogue, period)
    source = read_source_text(project.period_dir(period) / "source.txt")
    found += [
        replace(p, sheet=p.sheet or sheet)
        for p in validate_table(figures, catalogue, file, period, source)
    ]
    if targets is not None:
        found += [
            replace(p, sheet=TARGETS)
            for p in validate_table(targets, catalogue, file, period, source, TARGET_COLUMNS)
        ]
    problems = entry.problems + problems + found
    if problems:
        raise UserError(sorted(dict.fromkeys(problems), key=lambda p: (p.sheet or "", p.row or 0)))
    return replace(entry, figures=figures, targets=targets), catalogue, added


def assume_dates(figures: pd.DataFrame, catalogue: Catalogue, period: Period) -> pd.DataFrame:
    """Rows whose `as_of` is left empty (the source gives no date) get the period's end (a
    stock, standard or rate) or the period (a flow or running total), marked as assumed in
    `as_of_assumed`; the pages then say the source gives no date."""
    if "as_of" not in figures or "indicator" not in figures:
        return figures  # a missing column is reported by the table's validation
    figures = figures.copy()
    if ASSUMED not in figures:
        figures[ASSUMED] = ""
    measures = catalogue.by_id.get("measure", {})
    for i in figures.index[figures["as_of"].astype(str).str.strip() == ""]:
        measure = measures.get(figures.at[i, "indicator"], "")
        if not measure:
            continue  # an unknown indicator: its own problem is reported
        end = period.end.isoformat()
        figures.at[i, "as_of"] = (
            f"{period.start.isoformat()}/{end}" if measure in ("flow", "running_total") else end
        )
        figures.at[i, ASSUMED] = DATE_ASSUMED
    return figures


def import_period(project: Project, period: str, path: Path, replace: bool = False) -> Path:
    """Validate `path` against the contract and write data/periods/<P>/ atomically. Over a
    period that has figures, refuse (UserError listing what would change) unless `replace`
    or nothing changes."""
    parsed = parse_period(period)
    with project_lock(project):
        _recover(project)
        entry, catalogue, added = _check(project, load_entry(path), path, parsed)
        folder = project.period_dir(parsed)
        changes = _changes(folder, entry)
        if changes and not replace:
            raise UserError(
                Problem(
                    str(folder),
                    _(
                        "period {id} already has data; this import would change it: "
                        "{changes}. Nothing was written"
                    ).format(id=parsed.id, changes="; ".join(changes)),
                    _("check these changes, then import again with --replace: {command}").format(
                        command=project.command(
                            f"import {parsed.id} {shlex.quote(str(path))} --replace")),
                )
            )
        _write(project, parsed.id, folder, entry, catalogue.indicators if added else None)
    return folder


KEYS = {
    "figures.csv": ("indicator", "geo", "as_of"),
    "targets.csv": ("indicator", "geo", "deadline"),
}
SHOWN_KEYS = 3  # rows named in each kind of change


def _changes(folder: Path, entry: Entry) -> list[str]:
    """What importing `entry` would change in the existing period `folder`: rows added,
    removed and changed (by key) in figures.csv and targets.csv, and source.yml."""
    found = []
    for name, frame, columns in (("figures.csv", entry.figures, FIGURE_COLUMNS),
                                 ("targets.csv", entry.targets, TARGET_COLUMNS)):
        if frame is None or not (folder / name).is_file():
            continue
        old, new = (_keyed(table[list(columns)], KEYS[name]) for table in
                    (read_csv(folder / name), frame))
        kinds = {_("{count:,} added ({keys})"): [k for k in new if k not in old],
                 _("{count:,} removed ({keys})"): [k for k in old if k not in new],
                 _("{count:,} changed ({keys})"): [k for k in new if k in old
                                                   and new[k] != old[k]]}
        parts = [kind.format(count=len(keys), keys=", ".join(
                     " ".join(k) for k in keys[:SHOWN_KEYS]) + (", …" if len(keys) > SHOWN_KEYS
                                                                else ""))
                 for kind, keys in kinds.items() if keys]
        if parts:
            found.append(_("{name}: rows {parts}").format(name=name, parts=", ".join(parts)))
    meta = {k: v for k, v in entry.source.items() if v}
    if meta and (folder / "source.yml").is_file():
        old_meta = load_yaml(folder / "source.yml") or {}
        if not isinstance(old_meta, dict) or any(str(old_meta.get(k, "")) != v
                                                 for k, v in meta.items()):
            found.append(_("source.yml: the document's title, issuer, date or url change"))
    return found


def _keyed(frame: pd.DataFrame, key: tuple[str, ...]) -> dict[tuple[str, ...], tuple]:
    """{key of a row: the row's cells}."""
    return {
        tuple(row[c] for c in key): tuple(row.values())
        for row in frame.astype(str).to_dict("records")
    }


# ---------------------------------------------------------------------------- writing


def _write_csv(frame: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    """Write the table as UTF-8 CSV, then read it back and compare it cell by cell: a file
    that would not read back as imported never replaces the old one (UserError)."""
    expected = frame[list(columns)].astype(str)
    expected.to_csv(path, index=False, encoding="utf-8")
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    if list(back.columns) != list(columns) or (
        back.to_numpy().tolist() != expected.to_numpy().tolist()
    ):
        raise UserError(
            Problem(
                str(path),
                _("the file written does not read back as the data imported; nothing was changed"),
                _("check the disk and the cells with unusual characters, then import again"),
            )
        )


def _fsync(path: Path) -> None:
    """Flush a file or directory to disk (the journal must not outrun what it lists)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage_period(folder: Path, pid: str, entry: Entry) -> Path:
    """The new period folder, complete, beside the old one (`.P.import.XXXX`)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{pid}.import.", dir=folder.parent))
    if folder.exists():
        shutil.copytree(folder, staging, dirs_exist_ok=True)  # its mode too
    else:  # mkdtemp makes it 0700: a new period gets the mode of any new directory
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)
    columns = FIGURE_COLUMNS + (
        (ASSUMED,) if (entry.figures.get(ASSUMED, "") != "").any() else ()
    )  # the optional column only where it says something
    _write_csv(entry.figures, columns, staging / "figures.csv")
    if entry.targets is not None:
        _write_csv(entry.targets, TARGET_COLUMNS, staging / "targets.csv")
    if any(entry.source.values()):
        meta = {k: v for k, v in entry.source.items() if v} | {"period": pid}
        (staging / "source.yml").write_text(
            yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    for path in [*staging.rglob("*"), staging]:
        _fsync(path)
    return staging


def _write(
    project: Project, pid: str, folder: Path, entry: Entry, indicators: pd.DataFrame | None
) -> None:
    """Stage the period (and the catalogue with new indicators), journal the swap, swap."""
    base = folder.parent
    try:
        base.mkdir(parents=True, exist_ok=True)
        staging = _stage_period(folder, pid, entry)
        if indicators is not None:
            staged = project.catalogue / STAGED_INDICATORS
            _write_csv(indicators, tuple(indicators.columns), staged)
            _fsync(staged)
        _write_journal(
            base, {"period": pid, "staging": staging.name, "indicators": indicators is not None}
        )
    except BaseException as exc:
        _undo(project)
        if isinstance(exc, OSError):
            raise _write_error(exc, folder) from None
        raise
    try:
        _complete(project, _read_journal(base) or {})
    except OSError as exc:
        raise _write_error(exc, folder, committed=True) from None


def _write_journal(base: Path, record: dict) -> None:
    """Write the journal atomically: from here on, recovery completes the swap."""
    tmp = base / f"{JOURNAL}.tmp"
    tmp.write_text(json.dumps(record), encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, base / JOURNAL)
    _fsync(base)


def _read_journal(base: Path) -> dict | None:
    """The journal if it is one we wrote (a valid period, its own staging name), else None."""
    try:
        record = json.loads((base / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict):
        return None
    pid, staging = record.get("period"), record.get("staging")
    if not (
        isinstance(pid, str)
        and is_period(pid)
        and isinstance(staging, str)
        and staging.startswith(f".{pid}.import.")
        and "/" not in staging
        and isinstance(record.get("indicators"), bool)
    ):
        return None
    return record


def _complete(project: Project, record: dict) -> None:
    """Carry out a journalled swap from wherever it stopped; idempotent."""
    base = project.data / "periods"
    pid = record["period"]
    folder, staging = base / pid, base / record["staging"]
    backup = base / f".{pid}.previous"
    if staging.exists():
        if folder.exists():
            if backup.exists():
                shutil.rmtree(backup)
            os.rename(folder, backup)
        os.rename(staging, folder)
    staged = project.catalogue / STAGED_INDICATORS
    if record["indicators"] and staged.exists():
        os.replace(staged, project.catalogue / "indicators.csv")
    if backup.exists() and not folder.exists():  # never lose the only copy
        os.rename(backup, folder)
    elif backup.exists():
        shutil.rmtree(backup)
    (base / f"{JOURNAL}.tmp").unlink(missing_ok=True)
    (base / JOURNAL).unlink(missing_ok=True)
    _fsync(base)


def _undo(project: Project) -> None:
    """Remove what an import staged before its journal and the staging folder of a killed
    `new-period`; restore `.P.previous` folders left by a version without the journal. Best
    effort: runs also after a failed write."""
    base = project.data / "periods"
    for staging in [*base.glob(".*.import.*"), *base.glob(f".*{NEW_PERIOD_STAGING}*")]:
        shutil.rmtree(staging, ignore_errors=True)
    for path in (base / f"{JOURNAL}.tmp", base / JOURNAL, project.catalogue / STAGED_INDICATORS):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    for backup in base.glob(".*.previous"):
        folder = base / backup.name[1 : -len(".previous")]
        if folder.exists():
            shutil.rmtree(backup)
        else:
            os.rename(backup, folder)


def _recover(project: Project) -> None:
    """Complete a journalled import, or undo one that never reached its journal."""
    base = project.data / "periods"
    if not base.is_dir():
        return
    try:
        record = _read_journal(base) if (base / JOURNAL).exists() else None
        if record:
            _complete(project, record)
        else:
            _undo(project)
    except OSError as exc:
        raise UserError(
            Problem(
                str(base),
                _("cannot finish or undo an interrupted import ({strerror}: {filename})").format(
                    strerror=exc.strerror, filename=exc.filename
                ),
                _("make data/ writable, then run the command again"),
            )
        ) from None


def recover_interrupted(project: Project) -> None:
    """Finish or undo an import that was killed midway (see the module docstring); leave
    everything alone while another process is importing."""
    if not (project.data / "periods").is_dir():
        return
    fd = try_lock(project.data)
    if fd is None:
        return
    try:
        _recover(project)
    finally:
        os.close(fd)


def _write_error(exc: OSError, folder: Path, committed: bool = False) -> UserError:
    what, fix = WRITE_ERRORS.get(
        exc.errno or 0, (exc.strerror or type(exc).__name__, "fix the cause, then import again")
    )
    where = f": {exc.filename}" if exc.filename else ""
    if committed:
        return UserError(
            Problem(
                str(folder),
                _(
                    "the import was interrupted ({what}{where}); it "
                    "is journalled and the next policybook command "
                    "completes it"
                ).format(what=what, where=where),
                fix.replace("import again", "run any policybook command"),
            )
        )
    return UserError(
        Problem(
            str(folder),
            _("cannot write the period ({what}{where}); nothing was changed").format(
                what=what, where=where
            ),
            fix,
        )
    )
