"""policybook speaks Chinese, as the book does (help, progress, messages), and English with
`--lang en` or an English locale; the catalogue translates every message and its compiled
.mo is the .po's; in a notebook a message never advises a command-line flag."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from conftest import ROOT

from analysis.dataset.project import Project
from analysis.errors import UserError
from analysis.language import CHINESE, ENGLISH, LOCALE, wanted

CATALOGUE = LOCALE / "zh_CN" / "LC_MESSAGES" / "policybook"
POLICYBOOK = Path(sys.executable).parent / "policybook"
LANGUAGE_VARIABLES = ("POLICYBOOK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def policybook(*args: str, cwd: Path = ROOT, **variables: str) -> subprocess.CompletedProcess:
    """The command in a fresh environment: no language variable but those given."""
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    env.update({"LANG": "C.UTF-8", "COLUMNS": "200", **variables})
    return subprocess.run([str(POLICYBOOK), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_help_is_chinese_by_default():
    result = policybook("--help")
    assert result.returncode == 0
    assert "民政政策手册：校验数据、执行笔记本、生成手册。" in result.stdout
    assert "选项" in result.stdout and "命令" in result.stdout
    assert "校验填好的工作簿或 CSV" in result.stdout  # a command's help
    assert "Validate a filled workbook" not in result.stdout


@pytest.mark.parametrize("how", [("--lang", "en"), ("--lang=en",), "LANG", "LC_ALL",
                                 "LC_MESSAGES"])
def test_help_is_english_with_the_flag_or_an_english_locale(how):
    if isinstance(how, tuple):
        result = policybook(*how, "import", "--help")
    else:
        result = policybook("import", "--help", **{how: "en_US.UTF-8"})
    assert result.returncode == 0
    assert "Validate a filled workbook or CSV" in result.stdout
    assert "Replace a period that already has figures" in result.stdout
    assert "校验" not in result.stdout


def test_the_flag_wins_over_the_locale():
    assert "民政政策手册" in policybook("--lang", "zh", "--help", LANG="en_US.UTF-8").stdout
    assert wanted("en", {"LANG": "zh_CN.UTF-8"}) == ENGLISH
    assert wanted(None, {"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == ENGLISH
    assert wanted(None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}) == CHINESE
    assert wanted(None, {"LANG": "C.UTF-8"}) == CHINESE
    assert wanted(None, {}) == CHINESE


def test_a_missing_file_is_reported_in_chinese_with_the_file_and_the_fix(project_copy):
    before = sorted(str(p) for p in project_copy.data.rglob("*"))
    missing = project_copy.root / "不存在.xlsx"
    result = policybook("import", "2020H2", str(missing), "--root", str(project_copy.root))
    assert result.returncode == 2
    assert result.stderr.strip() == f"错误：{missing}：找不到文件（改正：请检查路径）"
    assert sorted(str(p) for p in project_copy.data.rglob("*")) == before  # nothing written
    english = policybook("--lang", "en", "import", "2020H2", str(missing), "--root",
                         str(project_copy.root))
    assert english.returncode == 2
    assert english.stderr.strip() == f"error: {missing}: file not found (fix: check the path)"


def test_a_workbook_problem_names_sheet_row_and_column_in_chinese(project_copy, tmp_path):
    path = tmp_path / "entry.xlsx"
    path.write_bytes(b"not a workbook")
    result = policybook("import", "2020H2", str(path), "--root", str(project_copy.root))
    assert result.returncode == 2
    assert "不是可读取的 .xlsx 工作簿" in result.stderr and "改正：" in result.stderr


def _extracted() -> dict[str, tuple]:
    return {message: comments for _file, _line, message, comments, _context in
            extract_from_dir(str(ROOT / "src" / "analysis"))}


def test_every_message_of_the_code_has_a_chinese_translation_with_the_same_placeholders():
    with open(f"{CATALOGUE}.po", "rb") as file:
        catalogue = read_po(file)
    translated = {m.id: m.string for m in catalogue if m.id and not m.fuzzy}
    placeholders = re.compile(r"(?<!\{)\{([^{}]*)\}(?!\})")
    missing, wrong = [], []
    for message in _extracted():
        text = translated.get(message)
        if not text:
            missing.append(message)
        elif sorted(placeholders.findall(message)) != sorted(placeholders.findall(text)):
            wrong.append(message)
    assert not missing, f"not in the catalogue (run make messages, then translate): {missing}"
    assert not wrong, f"placeholders differ in the translation: {wrong}"


def test_the_compiled_catalogue_is_the_po_file():
    with open(f"{CATALOGUE}.po", "rb") as file:
        catalogue = read_po(file)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    with open(f"{CATALOGUE}.mo", "rb") as file:
        committed = read_mo(file)
    assert {m.id: m.string for m in committed if m.id} == \
        {m.id: m.string for m in read_mo(BytesIO(compiled.getvalue())) if m.id}, \
        "run make messages: the .mo is older than the .po"


def test_in_a_notebook_a_missing_project_is_not_told_to_pass_a_flag(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("POLICYBOOK_ROOT", raising=False)
    with pytest.raises(UserError) as outside:
        Project.find()
    assert "--root" in str(outside.value)
    kernel = types.SimpleNamespace(get_ipython=lambda: object())  # as inside a Jupyter kernel
    monkeypatch.setitem(sys.modules, "IPython", kernel)
    with pytest.raises(UserError) as inside:
        Project.find()
    assert "--root" not in str(inside.value) and " --" not in str(inside.value)
    assert "POLICYBOOK_ROOT" in str(inside.value) and "-p root" in str(inside.value)
