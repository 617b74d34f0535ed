"""Messages: a policy factor of .inf, .nan or 1e30 is a clear error, not a traceback;
`validate` strips terminal escape codes and other control characters from data text; a
message quoting data cuts it with an ellipsis. SYNTHETIC data only."""

from __future__ import annotations

import re

import pytest
from test_bad_inputs import _rows_2020h1, _write_rows, run_in_process

from analysis.errors import MAX_ECHO, MAX_SHOWN, Problem, UserError, echo


@pytest.mark.parametrize("factor", [".inf", "-.inf", ".nan", "1e30", "0", "true"])
def test_a_policy_factor_that_is_not_a_finite_positive_number_is_a_clear_error(
        factor, project_copy, monkeypatch, capsys):
    config = project_copy.data / "project.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(anhui_tekun_over_dibao: )1\.3", rf"\g<1>{factor}", text),
                      encoding="utf-8")
    code, output = run_in_process(["validate", "--root", str(project_copy.root)], monkeypatch,
                                  capsys)
    assert code == 2 and "Traceback" not in output, output
    assert f"{config}: policy_factors.anhui_tekun_over_dibao is " in output
    assert "a factor must be a number greater than 0 and at most 1,000" in output


def test_validate_strips_escape_codes_from_data_text(project_copy, monkeypatch, capsys):
    checks = project_copy.catalogue / "checks.yml"
    text = checks.read_text(encoding="utf-8")
    title = re.search(r"title_zh: (.+)", text)[1]
    checks.write_text(text.replace(f"title_zh: {title}", 'title_zh: "\\e[2J\\e[31m'
                                   f'{title}\\x9b0m\\u202e\\a[bold]SYNTHETIC[/bold]"', 1),
                      encoding="utf-8")
    code, output = run_in_process(["validate", "2020H1", "--root", str(project_copy.root)],
                                  monkeypatch, capsys)
    assert code == 0, output
    assert f"[2J[31m{title}0m[bold]SYNTHETIC[/bold]" in output
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", output)


def test_an_error_quoting_a_long_value_cuts_it(project_copy, tmp_path, monkeypatch, capsys):
    rows = _rows_2020h1()
    rows[1][rows[0].index("value")] = "1" * 5_000 + "x"
    path = _write_rows(tmp_path / "figures.csv", rows)
    code, output = run_in_process(["import", "2020H1", str(path), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 2, output
    [line] = [line for line in output.splitlines() if "invalid value" in line]
    assert f"invalid value '{'1' * MAX_ECHO}'… (5,001 characters)" in line
    assert len(line) < 2 * MAX_ECHO + 400


def test_an_error_lists_the_first_problems_then_counts_the_rest():
    error = UserError([Problem("f.csv", f"problem {n}") for n in range(MAX_SHOWN + 50)])
    assert len(error.problems) == MAX_SHOWN + 1
    assert str(error.problems[-1]) == "…and 50 more problems (fix: fix the ones above, then " \
                                      "try again)"
    assert echo("a" * 10) == "'aaaaaaaaaa'"
    assert len(Problem("f", "m" * 10_000).message) < 2_100
