"""No link leaves the project, no YAML alias expands, no source text is unbounded: symbolic
links under data/ and templates/ are refused naming the path; YAML anchors and aliases are
refused naming the file and line (an alias bomb fails at once); a source.txt that is not a
regular file or is larger than 5 MB is refused. SYNTHETIC data only."""

from __future__ import annotations

import os
import time

import pytest
from test_bad_inputs import BAD, data_hash, run_in_process

from analysis.dataset.checks_file import load_checks
from analysis.dataset.safe_files import MAX_SOURCE_BYTES
from analysis.errors import UserError

BOMB = """
bomb_a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
bomb_b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
bomb_c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
bomb_d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
bomb_e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
bomb_f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
bomb_g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
bomb_h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
bomb_i: [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def validate(project, monkeypatch, capsys) -> tuple[int, str]:
    return run_in_process(["validate", "--root", str(project.root)], monkeypatch, capsys)


@pytest.mark.parametrize("where", ["data/periods/2020H1/source.txt",
                                   "data/catalogue/units.csv", "templates/overview.j2"])
def test_a_symbolic_link_in_the_project_is_refused_naming_it(where, project_copy, tmp_path,
                                                             monkeypatch, capsys):
    path = project_copy.root / where
    outside = tmp_path / "outside.txt"
    outside.write_bytes(path.read_bytes() if path.exists() else b"SYNTHETIC")
    path.unlink(missing_ok=True)
    path.symlink_to(outside)
    code, output = validate(project_copy, monkeypatch, capsys)
    assert code == 2, output
    assert f"error: {path}: is a symbolic link (to {outside})" in output
    assert "replace the link with a copy" in output
    before = data_hash(project_copy)
    code, output = run_in_process(["import", "2021", str(BAD / "excel_gbk.csv"), "--root",
                                   str(project_copy.root)], monkeypatch, capsys)
    assert code == 2 and "is a symbolic link" in output, output
    assert data_hash(project_copy) == before


def test_the_loader_refuses_a_linked_folder(project_copy, tmp_path):
    from analysis.dataset.loader import load_dataset

    folder = project_copy.data / "periods" / "2020H1"
    os.rename(folder, tmp_path / "2020H1")
    folder.symlink_to(tmp_path / "2020H1")
    with pytest.raises(UserError, match="is a symbolic link"):
        load_dataset(project_copy)


def test_an_alias_bomb_in_project_yml_fails_at_once(project_copy, monkeypatch, capsys):
    config = project_copy.data / "project.yml"
    config.write_text(config.read_text(encoding="utf-8") + BOMB, encoding="utf-8")
    start = time.perf_counter()
    code, output = validate(project_copy, monkeypatch, capsys)
    assert time.perf_counter() - start < 10
    assert code == 2, output
    assert f"{config}: not valid YAML: an anchor or alias (&name, *name) at line" in output
    assert "write the values out in full" in output


def test_an_alias_in_checks_yml_is_refused(project_copy):
    checks = project_copy.catalogue / "checks.yml"
    text = checks.read_text(encoding="utf-8")
    checks.write_text(text + "\n- &again\n  id: synthetic_alias\n- *again\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"checks.yml: not valid YAML: an anchor or alias"):
        load_checks(checks)


def test_an_alias_in_source_yml_is_refused(project_copy, monkeypatch, capsys):
    source = project_copy.period_dir("2020H1") / "source.yml"
    source.write_text("title: &t SYNTHETIC\nissuer: *t\n", encoding="utf-8")
    code, output = validate(project_copy, monkeypatch, capsys)
    assert code == 1 or code == 2, output
    assert "source.yml: not valid YAML: an anchor or alias" in output


def test_a_source_txt_beyond_the_limit_is_refused(project_copy, monkeypatch, capsys):
    source = project_copy.period_dir("2020H1") / "source.txt"
    with source.open("ab") as f:
        f.write(b"\n" + "低保".encode() * (MAX_SOURCE_BYTES // 6 + 1))
    before = data_hash(project_copy)
    code, output = run_in_process(["import", "2020H1", str(project_copy.period_dir("2020H1") /
                                                          "figures.csv"),
                                   "--root", str(project_copy.root)], monkeypatch, capsys)
    assert code == 2, output
    assert f"{source}: the file is" in output and "the limit is 5,242,880" in output
    assert data_hash(project_copy) == before


def test_a_source_txt_that_is_not_a_file_is_refused(project_copy, monkeypatch, capsys):
    source = project_copy.period_dir("2020H1") / "source.txt"
    source.unlink()
    source.mkdir()
    code, output = validate(project_copy, monkeypatch, capsys)
    assert code == 2, output
    assert "source.txt: not a regular file" in output
