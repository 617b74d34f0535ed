"""Reading the project's own files without leaving the project or exploding in memory.

- `load_yaml`: YAML with PyYAML's safe loader, minus anchors and aliases (`&a`, `*a`): an
  alias bomb (a billion laughs) fails at its first alias, naming the file and line.
- `read_source_text`: a period's source.txt, a regular file of at most MAX_SOURCE_BYTES.
- `linked_paths`: symbolic links under data/ and templates/; `Project.check_links` refuses
  them (a link could make the book publish any file of the machine).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import Problem, UserError
from analysis.language import _

MAX_SOURCE_BYTES = 5 * 1024 * 1024  # a report's full text is a few hundred KB at most
ALIAS_FIX = "write the values out in full: anchors and aliases (&name, *name) are not allowed"


class NoAliasLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader that refuses anchors and aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "an anchor or alias (&name, *name)", event.start_mark)
        return super().compose_node(parent, index)


def load_yaml(path: Path, shown: str | None = None) -> Any:
    """The YAML document of `path` (UserError naming `shown`, or the path, if unreadable,
    not YAML or using an anchor or alias)."""
    file = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(Problem(file, _("not UTF-8 text"), _("save the file as UTF-8"))) from None
    except OSError as exc:
        raise UserError(Problem(file, _("cannot read the file ({strerror})").format(
                                          strerror=exc.strerror),
                                _("restore the file"))) from None
    try:
        return yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.composer.ComposerError as exc:
        if exc.problem == "an anchor or alias (&name, *name)":
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise UserError(Problem(file, _("not valid YAML: {problem} at line {line}").format(
                                              problem=exc.problem,
                                              line=line),
                                    ALIAS_FIX)) from None
        raise UserError(Problem(file, _("not valid YAML ({name}: {exc})").format(
                                          name=type(exc).__name__,
                                          exc=exc),
                                _("fix the syntax"))) from None
    except yaml.YAMLError as exc:
        raise UserError(Problem(file, _("not valid YAML ({name}: {exc})").format(
                                          name=type(exc).__name__,
                                          exc=exc),
                                _("fix the syntax"))) from None
    except RecursionError:  # brackets nested thousands deep
        raise UserError(Problem(file, _("not valid YAML: nested too deeply"),
                                _("write the file as plain key: value lines and lists"))) from None
    except ValueError as exc:  # an impossible date such as 2026-13-40
        raise UserError(Problem(file, _("a value cannot be read ({exc})").format(
                                          exc=exc),
                                _("write dates as YYYY-MM-DD with a real month and day"))) from None


def read_source_text(path: Path, shown: str | None = None) -> str | None:
    """A period's source.txt, or None when there is none; UserError if it is a link, not a
    regular file, larger than MAX_SOURCE_BYTES or not UTF-8."""
    file = shown or str(path)
    if not path.is_symlink() and not path.exists():
        return None
    if path.is_symlink() or not path.is_file():
        raise UserError(Problem(file, _("not a regular file (a link, a folder or a device)"),
                                _("save the report's full text there as a plain UTF-8 file")))
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise UserError(
            Problem(
                file,
                _("the file is {size:,} bytes; the limit is {max_source_bytes:,}").format(
                    size=size, max_source_bytes=MAX_SOURCE_BYTES
                ),
                _("save only the report's text (no images or attachments) as plain UTF-8 text"),
            )
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(Problem(file, _("not UTF-8 text"), _("save the file as UTF-8"))) from None
    if "\x00" in text:
        raise UserError(
            Problem(
                file,
                _("holds NUL bytes (not plain text)"),
                _("save the report's text as plain UTF-8 text"),
            )
        )
    return text


def linked_paths(root: Path, folders: tuple[str, ...] = ("data", "templates")) -> list[Path]:
    """Symbolic links under root/<folder> for each folder (the folder itself may be one)."""
    found = []
    for top in (root / name for name in folders):
        for folder, dirs, files in os.walk(top):  # does not descend into linked folders
            found += [
                Path(folder) / name
                for name in sorted(dirs + files)
                if (Path(folder) / name).is_symlink()
            ]
    return found
