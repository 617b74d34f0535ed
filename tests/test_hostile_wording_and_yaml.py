"""Cases an attack found after the first hardening: the wording files are checked like the
templates, YAML nested thousands deep is a message, and a figures table without `as_of` is
a located problem, each with exit 2 and no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


def policybook(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("old, new, message", [
    ('item: "{{ geo }}{{ label }}{{ fig }}"',
     'item: "{{ geo }}{{ label }}{{ fig }}{{ \'<img src=x onerror=alert(1)>\'|safe }}"',
     "measures.yml (stock.item)"),
    ('item: "{{ geo }}{{ label }}{{ fig }}"',
     'item: "{{ geo }}{{ label }}{{ fig }}{{ \'x\' * 100000000 }}"', "measures.yml (stock.item)"),
    ("per_sentence: 4", "per_sentence: 0", "per_sentence must be a whole number"),
])
def test_a_hostile_sentence_by_measure_is_refused(project_copy, old, new, message):
    path = project_copy.root / "templates" / "measures.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = policybook("validate", "--root", str(project_copy.root))
    output = result.stdout + result.stderr
    assert result.returncode == 2 and message in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize("old, new", [
    ("{chart: rest, per_chart: 8,", "{chart: rest, per_chart: 0,"),
    ("{chart: coverage, select: {measure: rate},", "{chart: coverage, select: [measure],"),
])
def test_a_chart_specification_of_the_wrong_shape_is_refused(project_copy, old, new):
    path = project_copy.root / "templates" / "charts.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = policybook("validate", "--root", str(project_copy.root))
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "of the wrong kind" in output, output


@pytest.mark.parametrize("file", ["templates/charts.yml", "data/project.yml",
                                  "data/periods/2020H1/source.yml"])
def test_yaml_nested_thousands_deep_is_a_message(project_copy, file):
    path = project_copy.root / file
    path.write_text(path.read_text(encoding="utf-8") + "deep: " + "[" * 20000 + "]" * 20000
                    + "\n", encoding="utf-8")
    result = policybook("validate", "2020H1", "--root", str(project_copy.root))
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "nested too deeply" in output, output
    assert "Traceback" not in output


@pytest.mark.parametrize("header", ["asof", "as_of;"])
def test_a_figures_table_without_as_of_is_a_located_problem(project_copy, tmp_path, header):
    source = project_copy.period_dir("2020H1") / "figures.csv"
    text = source.read_text(encoding="utf-8").replace("2020-", "2021-")
    first, rest = text.split("\n", 1)
    bad = tmp_path / "figures.csv"
    bad.write_text(first.replace("as_of", header) + "\n" + rest, encoding="utf-8")
    result = policybook("import", "2021H1", str(bad), "--root", str(project_copy.root))
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "as_of" in output, output
    assert "Traceback" not in output
    assert not project_copy.period_dir("2021H1").exists()


@pytest.mark.parametrize("text", ["六安\u200f市", "abc\u061c", "零宽\u200b字", "词\ufeff", "行\u2028分"])
def test_invisible_and_direction_marks_in_an_imported_cell_are_refused(project_copy, tmp_path,
                                                                       text):
    source = project_copy.period_dir("2020H1") / "figures.csv"
    lines = source.read_text(encoding="utf-8").replace("2020-", "2021-").splitlines()
    bad = tmp_path / "figures.csv"
    bad.write_text("\n".join([lines[0], lines[1].rstrip() + text, *lines[2:]]) + "\n",
                   encoding="utf-8")
    result = policybook("import", "2021H1", str(bad), "--root", str(project_copy.root))
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "character U+" in output, output


def test_nul_bytes_in_the_report_text_are_refused(project_copy):
    path = project_copy.period_dir("2020H1") / "source.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("。", "\x00", 5), encoding="utf-8")
    result = policybook("audit", "2020H1", "--root", str(project_copy.root))
    output = result.stdout + result.stderr
    assert result.returncode == 2 and "NUL" in output, output
