"""Reading the project's CSV files: every column as text, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import Problem, UserError


def read_csv(path: Path) -> pd.DataFrame:
    """Read a UTF-8 CSV as strings (empty cells become ''), or raise UserError."""
    if not path.exists():
        raise UserError(Problem(str(path), "file not found", "create it or check the period id"))
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(
            Problem(str(path), "not UTF-8 text", "save the file as CSV UTF-8")
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(Problem(str(path), f"not a readable CSV: {exc}", "check quoting")) from None
    return frame
