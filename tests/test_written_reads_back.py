"""What the project writes can be read back: CSVs written by an import are read back and
compared before they replace the old ones; CRLF in a cell is stored as LF; every workbook
the project writes keeps text starting with = + - @ as text (data_type 's'), never a
formula. SYNTHETIC inputs only."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from openpyxl import load_workbook
from test_bad_inputs import BAD, data_hash, run_in_process

from analysis.intake.workbook import build

SPARSE_CSV = BAD / "excel_utf8_bom.csv"  # SYNTHETIC 2021 notice


def sparse_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SPARSE_CSV.read_text(encoding="utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def test_a_csv_that_does_not_read_back_as_imported_replaces_nothing(project_copy, tmp_path,
                                                                   monkeypatch, capsys):
    """A write that loses a row (a broken disk, a bug) is caught by reading the file back."""
    to_csv = pd.DataFrame.to_csv

    def lossy(self, path=None, *args, **kwargs):
        return to_csv(self.iloc[:-1] if path is not None else self, path, *args, **kwargs)

    before = data_hash(project_copy)
    with monkeypatch.context() as patched:
        patched.setattr(pd.DataFrame, "to_csv", lossy)
        code, output = run_in_process(["import", "2021", str(SPARSE_CSV), "--root",
                                       str(project_copy.root)], patched, capsys)
    assert code == 2, output
    assert "figures.csv: the file written does not read back as the data imported" in output
    assert data_hash(project_copy) == before
    assert not [p for p in (project_copy.data / "periods").iterdir() if p.name.startswith(".")]


def test_a_line_break_written_as_crlf_is_stored_as_lf(project_copy, tmp_path, monkeypatch,
                                                      capsys):
    rows = sparse_rows()
    rows[1][rows[0].index("note")] = "SYNTHETIC 第一行\r\n第二行"
    path = write_rows(tmp_path / "figures.csv", rows)
    code, output = run_in_process(["import", "2021", str(path), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 0, output
    written = (project_copy.period_dir("2021") / "figures.csv").read_bytes()
    assert "SYNTHETIC 第一行\n第二行".encode() in written and b"\r" not in written


@pytest.mark.parametrize("text", ["=1+2", "@cmd"])
def test_the_entry_workbook_keeps_formula_like_catalogue_text_as_text(project_copy, tmp_path,
                                                                       text):
    """A label in indicators.csv, a place name in geo.csv: text cells, never formulas."""
    indicators = pd.read_csv(project_copy.catalogue / "indicators.csv", dtype=str,
                             keep_default_na=False)
    indicators.loc[0, "label_zh"] = text
    indicators.to_csv(project_copy.catalogue / "indicators.csv", index=False)
    geo = pd.read_csv(project_copy.catalogue / "geo.csv", dtype=str, keep_default_na=False)
    geo.loc[0, "name_zh"] = text
    geo.to_csv(project_copy.catalogue / "geo.csv", index=False)
    path = tmp_path / "entry.xlsx"
    build(project_copy, "2020H2").save(path)
    wb = load_workbook(path)
    found = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and text in c.value]
    assert len(found) >= 2  # the catalogue sheet and the geo drop-down list
    assert {c.data_type for c in found} == {"s"}, [(c.coordinate, c.data_type) for c in found]


def test_the_committed_catalogue_has_no_formula_like_labels():
    from analysis.escape import is_formula_like

    indicators = pd.read_csv(ROOT / "data/catalogue/indicators.csv", dtype=str,
                             keep_default_na=False)
    for column in ("label_zh", "label_en", "description"):
        assert not any(is_formula_like(t) for t in indicators[column]), column
