"""Property tests (hypothesis): parsers either work or give their documented error.

- `parse_period`: any string parses to a Period whose id round-trips, or raises UserError.
- `written_bounds` / `base_value` / `written_forms`: any decimal string, unit_mult and
  qualifier give low <= point <= high; anything else gives ValueError (written_bounds) or
  NaN (base_value); written_forms never raises.
- the import path: arbitrary bytes or CSV-like text in a file give a frame of text or a
  UserError from `read_csv_any`; `import_period` succeeds or raises UserError, and leaves
  data/ byte-identical when it raises.
"""

from __future__ import annotations

import hashlib
import math
import re
import shutil
from decimal import Decimal, localcontext
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, copy_data
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from analysis.dataset.figures import FIGURE_COLUMNS, QUALIFIERS, base_value, written_bounds
from analysis.dataset.periods import parse_period
from analysis.dataset.project import Project
from analysis.dataset.schema import DECIMAL, written_forms
from analysis.errors import UserError
from analysis.intake.importer import import_period, read_csv_any

FAST = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
ID = re.compile(r"[0-9]{4}([HQ][0-9])?")

# ------------------------------------------------------------------- periods

period_like = st.one_of(
    st.text(),
    st.from_regex(r"\s*[0-9]{4}([HQhq][0-9])?\s*", fullmatch=True),
    st.builds(lambda y, k, n: f"{y}{k}{n}", st.integers(0, 9999), st.sampled_from("HQhqYM"),
              st.integers(-1, 10)),
    st.sampled_from(["../x", "/etc", "2020/H1", "2020H1/..", "２０２０H1", "٢٠٢٠", "2020H1\x00",
                     "", " ", "2020H1\n", "2020Q0", "2020H3", "20201"]),
)


@FAST
@given(period_like)
def test_period_parses_and_round_trips_or_is_a_user_error(text):
    try:
        period = parse_period(text)
    except UserError as err:
        assert "YYYYH1" in str(err)
        return
    assert ID.fullmatch(period.id), period.id   # ASCII only: a safe directory name
    assert parse_period(period.id) == period
    assert period.start <= period.end and period.start.year == period.end.year
    assert period.id == text.strip()


@FAST
@given(st.integers(1949, 2100), st.sampled_from(["", "H1", "H2", "Q1", "Q2", "Q3", "Q4"]))
def test_every_valid_period_covers_whole_months_of_its_year(year, part):
    period = parse_period(f"{year}{part}")
    assert period.id == f"{year}{part}"
    assert period.start.day == 1 and (period.end + pd.Timedelta(days=1)).day == 1
    months = period.end.month - period.start.month + 1
    assert months == {"": 12, "H": 6, "Q": 3}[part[:1]]


# ------------------------------------------------------------------- values and units

decimal_strings = st.from_regex(rf"\A{DECIMAL}\Z").filter(lambda s: len(s) < 40)
unit_mults = st.sampled_from([0, 4, 8])
qualifiers = st.sampled_from(QUALIFIERS)


@FAST
@given(decimal_strings, unit_mults, qualifiers)
def test_written_bounds_contain_the_point(value, unit_mult, qualifier):
    bounds = written_bounds(value, unit_mult, qualifier)
    assert bounds.low <= bounds.point <= bounds.high
    with localcontext(prec=100):  # exact, whatever the number of digits
        assert bounds.point == Decimal(value) * Decimal(10) ** unit_mult
    if qualifier in ("more_than", "at_least"):
        assert bounds.low == bounds.point < bounds.high
    else:
        assert bounds.low < bounds.point < bounds.high
        assert bounds.point - bounds.low == bounds.high - bounds.point
    assert math.isclose(base_value(value, unit_mult), float(bounds.point), rel_tol=1e-12)
    assert value in written_forms(value, unit_mult)


@FAST
@given(st.one_of(st.text(max_size=30), decimal_strings,
                 st.sampled_from(["NaN", "sNaN", "-Infinity", "1e999999", "9E+999999", " 3 ",
                                  "1_000", "３", "0x10", "1e-999999", ""])),
       st.one_of(st.integers(-50, 50), st.integers(), st.sampled_from(["4", "x", None, 4.5])),
       st.one_of(qualifiers, st.text(max_size=10)))
def test_any_value_and_unit_mult_give_bounds_or_a_value_error(value, unit_mult, qualifier):
    try:
        bounds = written_bounds(value, unit_mult, qualifier)
    except ValueError:
        pass
    else:
        assert bounds.low <= bounds.point <= bounds.high
    result = base_value(value, unit_mult)  # never raises: NaN for what is not a number
    assert isinstance(result, float)
    forms = written_forms(value, unit_mult)
    assert forms[0] == value and all(isinstance(f, str) for f in forms)


# ------------------------------------------------------------------- the import path


def data_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted((root / "data").rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    copy_data(root)
    return root


@pytest.fixture(scope="module")
def workdir(pristine, tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("work")
    shutil.copytree(pristine / "data", root / "data")
    return Project(root)


def _restore(project: Project, pristine: Path) -> None:
    shutil.rmtree(project.data)
    shutil.copytree(pristine / "data", project.data)


REAL_ROWS = pd.read_csv(ROOT / "data/periods/2020H1/figures.csv", dtype=str,
                        keep_default_na=False)
INDICATORS = list(pd.read_csv(ROOT / "data/catalogue/indicators.csv")["id"])
GEOS = list(pd.read_csv(ROOT / "data/catalogue/geo.csv", dtype=str)["code"])
UNITS = list(pd.read_csv(ROOT / "data/catalogue/units.csv")["id"])
noise = st.one_of(st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")),
                          max_size=12),
                  st.text(st.characters(codec="utf-8"), max_size=4))  # with controls
CELLS = {
    "indicator": st.one_of(st.sampled_from(INDICATORS), noise),
    "geo": st.one_of(st.sampled_from(GEOS), noise),
    "value": st.one_of(decimal_strings, st.sampled_from(["3.46万", "-5", "1e5", "NaN", "181"]),
                       noise),
    "unit_mult": st.one_of(st.sampled_from(["0", "4", "8"]), noise),
    "unit": st.one_of(st.sampled_from(UNITS), noise),
    "qualifier": st.one_of(st.sampled_from(QUALIFIERS), noise),
    "as_of": st.one_of(st.sampled_from(["2020-06-30", "2021-01-01", "2020-01-01/2020-03-31",
                                        "2020-02-30", "2021-12-31/2021-01-01", "2020/06/30"]),
                       st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"), noise),
    "section": st.one_of(st.sampled_from(["1", "1.1.3", "一"]), noise),
    "quote": st.one_of(st.sampled_from(list(REAL_ROWS["quote"][:5]) + ["", "<b>x</b>"]), noise),
    "note": noise,
}


@st.composite
def csv_texts(draw) -> str:
    """CSV-ish text: the contract's header (sometimes damaged), rows of plausible or noisy
    cells, sometimes a real row, with random quoting, separators and line endings."""
    header = list(FIGURE_COLUMNS)
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    if draw(st.integers(0, 3)) == 0:
        header = draw(st.lists(st.one_of(st.sampled_from(FIGURE_COLUMNS), noise), max_size=12))
    rows = []
    if draw(st.integers(0, 2)) == 0:  # real 2020H1 rows: often a valid file
        for i in draw(st.lists(st.integers(0, len(REAL_ROWS) - 1), min_size=1, max_size=5,
                               unique=True)):
            rows.append([str(REAL_ROWS.iloc[i].get(c, "")) for c in header])
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.integers(0, 3)) == 0:
            real = REAL_ROWS.iloc[draw(st.integers(0, len(REAL_ROWS) - 1))]
            rows.append([str(real.get(c, "")) for c in header])
        else:
            rows.append([draw(CELLS.get(c, noise)) for c in header])
        if draw(st.integers(0, 5)) == 0:  # ragged
            rows[-1] = rows[-1][: draw(st.integers(0, len(rows[-1])))] + draw(
                st.lists(noise, max_size=2))
    sep = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))

    def cell(text: str) -> str:
        if draw(st.integers(0, 9)) == 0:
            return text  # never quoted, whatever it holds
        if any(ch in text for ch in ',;\t"\r\n') or draw(st.booleans()):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [sep.join(cell(c) for c in row) for row in [header, *rows]]
    return end.join(lines) + draw(st.sampled_from(["", end, end * 3]))


encodings = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16-le", "utf-16"])


@FAST
@given(st.one_of(st.binary(max_size=400),
                 st.builds(lambda t, e: t.encode(e, errors="replace"), csv_texts(), encodings)))
def test_read_csv_any_gives_a_text_frame_or_a_user_error(tmp_path, raw):
    path = tmp_path / "figures.csv"
    path.write_bytes(raw)
    try:
        frame = read_csv_any(path)
    except UserError as err:
        assert err.problems and all(p.file == str(path) and p.fix for p in err.problems)
        return
    assert all(isinstance(c, str) and c for c in frame.columns)
    assert frame.columns.is_unique
    assert all(isinstance(v, str) for v in frame.to_numpy().ravel())
    assert all(int(i) >= 0 for i in frame.index)  # index + 2 is the spreadsheet row


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(csv_texts(), st.sampled_from(["2020H1", "2020H1", "2021", "2020H2"]),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_import_succeeds_or_raises_a_user_error_and_leaves_data_unchanged(
        workdir, pristine, tmp_path, text, period, encoding):
    path = tmp_path / "figures.csv"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        assume(False)
    before = data_hash(workdir.root)
    try:
        import_period(workdir, period, path)
    except UserError as err:
        assert err.problems and all(p.fix for p in err.problems), [str(p) for p in err.problems]
        assert data_hash(workdir.root) == before
        event(f"rejected: {re.sub(r'[^a-z ]', '', err.problems[0].message)[:30]}")
        return
    event("accepted")
    # accepted: the period is whole and valid, and nothing is left half-way
    from analysis.dataset.schema import validate_period

    assert validate_period(workdir, period) == []
    assert not [p for p in (workdir.data / "periods").iterdir() if p.name.startswith(".")]
    _restore(workdir, pristine)
