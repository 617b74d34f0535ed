"""User-facing errors: every problem names its place and how to fix it."""

from __future__ import annotations

import errno
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from analysis.language import N_, _

MAX_SHOWN = 100  # problems listed in one error; the rest are counted ("…and K more")
MAX_ECHO = 200  # characters of data text quoted in a message
MAX_MESSAGE = 2_000  # characters of a message (a safety net; `echo` cuts data text first)
# what a terminal may take for a command: C0 and C1 controls (ESC, CSI), bidi overrides and
# marks, invisible characters (zero-width spaces and joiners, word joiners, byte-order mark,
# line and paragraph separators), noncharacters; tab and newline are kept
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u061c\u2028\u2029"
                     "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufffe\uffff]")


def echo(text: object, limit: int = MAX_ECHO) -> str:
    """Data text quoted for a message (repr), cut to `limit` characters with an ellipsis."""
    text = "" if text is None else str(text)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text):,} characters)"


def terminal_text(text: object) -> str:
    """Text safe to print on a terminal: control characters (escape codes) removed."""
    return CONTROL.sub("", str(text))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    file: str
    message: str
    fix: str = ""
    row: int | None = None
    column: str | None = None
    sheet: str | None = None

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", self.message[:MAX_MESSAGE] + "…")

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += _(", sheet {sheet}").format(sheet=self.sheet)
        if self.row is not None:
            where += _(", row {row}").format(row=self.row)
        if self.column:
            where += _(", column {column}").format(column=self.column)
        text = _("{where}: {message}").format(where=where, message=self.message) if where \
            else self.message
        if self.fix:
            text += _(" (fix: {fix})").format(fix=self.fix)
        return text


def in_notebook() -> bool:
    """True inside a Jupyter kernel (Jupyter, papermill, nbconvert, policybook's workers):
    a message there advises what that client can do, never a command-line flag."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


class UserError(Exception):
    """Bad input: reported as a list of problems, exit code 2, no traceback."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        if len(problems) > MAX_SHOWN:
            more = len(problems) - MAX_SHOWN
            problems = [*problems[:MAX_SHOWN], Problem(
                "", _("…and {more:,} more problems").format(more=more),
                _("fix the ones above, then try again"))]
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NotebookFailed(Exception):
    """A notebook raised while executing (or the book build failed): names the notebook, the
    cell and the error. Exit code 1."""


# Operating-system errors (disk full, read-only folder, missing folder...) as user messages:
# the path, what is wrong and how to fix it, never a traceback (exit code 2).

FIXES = {
    errno.ENOSPC: N_("free space on that disk, then run the command again"),
    errno.EDQUOT: N_("free space within your disk quota, then run the command again"),
    errno.EROFS: N_("that file system is read-only: use a writable location"),
    errno.EACCES: N_("make it writable for your user, or use another location"),
    errno.EPERM: N_("make it writable for your user, or use another location"),
    errno.ENOENT: N_("check that the folder exists and that files can be created in it"),
    errno.ENOTDIR: N_("a part of the path is a file, not a folder: check the path"),
    errno.EISDIR: N_("it is a folder: give the path of a file"),
}
DEFAULT_FIX = N_("check the path, then run the command again")
# what a full or unwritable target looks like (not a bug: the user can fix it)
TARGET_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})


def problem(exc: OSError, path: str | Path | None = None, doing: str = "",
            fix: str = "") -> Problem:
    """The error as a `Problem`: `path` (default: the file the error names), its strerror,
    what was being done, and a fix that fits its errno unless `fix` is given."""
    where = path if path is not None else exc.filename
    message = exc.strerror or str(exc) or type(exc).__name__
    if exc.filename2 is not None and path is None:
        message += _(" (with {other})").format(other=exc.filename2)
    if doing:
        message += _(" while {doing}").format(doing=_(doing))
    return Problem(file=str(where) if where is not None else "", message=message,
                   fix=fix or _(FIXES.get(exc.errno, DEFAULT_FIX)))


@contextmanager
def reported(path: str | Path | None = None, doing: str = "", fix: str = "") -> Iterator[None]:
    """Turn an OSError raised inside the block into a `UserError` (see `problem`)."""
    try:
        yield
    except OSError as exc:
        raise UserError(problem(exc, path, doing, fix)) from None
