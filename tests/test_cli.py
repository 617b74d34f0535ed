"""The policybook command: exit codes and messages, never a traceback for user errors."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


def policybook(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_validate_passes_on_the_committed_data():
    result = policybook("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "conform to the contract" in result.stdout


def test_validate_lists_only_the_checks_about_the_report():
    """A book of another report (examples/zhushan) has none of the seed's figures: the seed's
    checks are counted in one line, not listed as 'not applicable' one by one."""
    result = policybook("validate", "--root", str(ROOT / "examples" / "zhushan"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "poor_backstop_total_parts" not in result.stdout
    assert "check(s) need figures this period does not have" in result.stdout


@pytest.mark.parametrize("period", ["2020H3", "20201", "../x"])
def test_invalid_period_exits_2_with_a_message_and_no_traceback(period):
    result = policybook("validate", period)
    assert result.returncode == 2
    assert "invalid period" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_unknown_period_directory_exits_2(tmp_path):
    result = policybook("run", "1999H1")
    assert result.returncode == 2
    assert "1999H1" in result.stderr and "Traceback" not in result.stderr


def test_outside_a_project_exits_2(tmp_path):
    result = policybook("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "no project found" in result.stderr


def test_validate_reports_a_broken_row_with_its_place_and_exits_2(project_copy):
    path = project_copy.period_dir("2020H1") / "figures.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",341500,", ",999999,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = policybook("validate", "2020H1", "--root", str(project_copy.root))
    assert result.returncode == 2
    assert "figures.csv, row 2, column geo" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_version():
    result = policybook("--version")
    assert result.returncode == 0 and result.stdout.startswith("policybook ")


def test_audit_without_the_report_text_exits_2_and_says_so(project_copy):
    (project_copy.period_dir("2020H1") / "source.txt").unlink()
    result = policybook("audit", "2020H1", "--root", str(project_copy.root))
    assert result.returncode == 2 and "source.txt" in result.stderr
    assert "Traceback" not in result.stderr


def test_audit_exit_codes_follow_the_readme(project_copy):
    assert policybook("audit", "2020H1", "--root", str(project_copy.root)).returncode == 0
    exclusions = project_copy.period_dir("2020H1") / "audit_exclusions.csv"
    exclusions.write_text(exclusions.read_text(encoding="utf-8").splitlines()[0] + "\n",
                          encoding="utf-8")  # no reasons: the excluded mentions come back
    result = policybook("audit", "2020H1", "--root", str(project_copy.root))
    assert result.returncode == 1 and "unexplained" in result.stdout


def test_init_starts_a_book_for_another_county(tmp_path):
    result = policybook("init", str(tmp_path / "hq"), "--geo", "341522", "--name", "霍邱县")
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "hq" / "data" / "project.yml").read_text(encoding="utf-8")
    assert "341522" in config and "霍邱县民政工作政策读本" in config
    assert not list((tmp_path / "hq" / "data" / "periods").iterdir())
    assert policybook("validate", "--root", str(tmp_path / "hq")).returncode == 0
    assert "霍邱县" in (tmp_path / "hq" / "book" / "_config.yml").read_text(encoding="utf-8")


def test_init_copies_everything_a_book_needs_and_only_the_place_s_own_rules(tmp_path):
    """A place outside Anhui: the Anhui rule and its factor are left out; the wording, the
    interface in Chinese and a README come along."""
    source = tmp_path / "src"
    shutil.copytree(ROOT / "data", source / "data")
    for name in ("templates", "notebooks", "book"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns(
            "_build", "periods", "_extra"))
    with (source / "data" / "catalogue" / "geo.csv").open("a", encoding="utf-8") as f:
        f.write("330683,嵊州市,Shengzhou,county,330600\n")
    for geo, name, anhui in (("330683", "嵊州市", False), ("341522", "霍邱县", True)):
        dest = tmp_path / geo
        result = policybook("init", str(dest), "--geo", geo, "--name", name,
                            "--root", str(source))
        assert result.returncode == 0, result.stderr
        checks = (dest / "data" / "catalogue" / "checks.yml").read_text(encoding="utf-8")
        config = (dest / "data" / "project.yml").read_text(encoding="utf-8")
        assert ("anhui_tekun_over_dibao" in checks) is anhui
        assert ("anhui_tekun_over_dibao" in config) is anhui
        for part in ("templates/measures.yml", "templates/social_assistance.j2",
                     "book/_templates/search.html", "book/_locale/zh_CN", "book/appendix.md",
                     "README.md"):
            assert (dest / part).exists(), part
        readme = (dest / "README.md").read_text(encoding="utf-8")
        assert name in readme and f"--root {dest}" in readme and ".init-" not in readme
        assert "六安" not in config and "data_cutoff" not in config  # the release is its own
        assert policybook("validate", "--root", str(dest)).returncode == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--geo", "999999", "--name", "x"], "is not a GB/T 2260 code"),
    (["--geo", "330282", "--name", "慈溪市"], "give --parent"),
    (["--geo", "330282", "--name", "慈溪市", "--parent", "330200"],
     "the parent 330200 is not in geo.csv either"),
])
def test_init_refuses_an_unknown_place(tmp_path, args, message):
    result = policybook("init", str(tmp_path / "x"), *args)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "x").exists()


def test_init_adds_a_place_not_yet_listed_when_given_its_parent(tmp_path):
    dest = tmp_path / "cx"
    result = policybook("init", str(dest), "--geo", "330282", "--name", "慈溪市", "--parent",
                        "330000")
    assert result.returncode == 0, result.stderr
    geo = (dest / "data" / "catalogue" / "geo.csv").read_text(encoding="utf-8")
    assert geo.endswith("330282,慈溪市,,county,330000\n")
    assert "330282" not in (ROOT / "data" / "catalogue" / "geo.csv").read_text(encoding="utf-8")
    assert policybook("validate", "--root", str(dest)).returncode == 0


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("x")
    result = policybook("init", str(tmp_path / "x"), "--geo", "341522", "--name", "霍邱县")
    assert result.returncode == 2 and "not an empty directory" in result.stderr


@pytest.mark.parametrize(("name", "message"), [
    ("A\\1", "holds `\\`, a character of markup"),
    ("霍邱\n县", "holds a line break or control character (U+000A)"),
    ("霍邱\u2028县", "U+2028"),
    ("<b>县</b>", "holds `<`"),
    ("{download}`x`", "holds `{`"),
    ("县" * 41, "41 characters, more than 40"),
    (" ", "is empty"),
])
def test_init_refuses_a_name_that_is_not_a_short_line_of_text(tmp_path, name, message):
    result = policybook("init", str(tmp_path / "x"), "--geo", "341522", "--name", name)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "--name" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_writes_a_name_with_quotes_through_each_file_s_escaping(tmp_path):
    import yaml

    name = "霍'邱\"县&"
    result = policybook("init", str(tmp_path / "hq"), "--geo", "341522", "--name", name)
    assert result.returncode == 0, result.stderr
    book = yaml.safe_load((tmp_path / "hq" / "book" / "_config.yml").read_text("utf-8"))
    assert book["title"] == f"{name}民政工作政策读本"
    assert f"数据来源：{name}民政局" in book["html"]["extra_footer"]
    intro = (tmp_path / "hq" / "book" / "intro.md").read_text("utf-8")
    assert intro.startswith("# 霍\\'邱\\\"县\\&民政工作政策读本\n")
    assert policybook("validate", "--root", str(tmp_path / "hq")).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["hq"]  # no temporary folder left


def test_init_is_all_or_nothing(tmp_path):
    """A copy that fails midway (an unreadable notebook) leaves no folder behind."""
    import shutil

    from analysis.dataset.project import Project
    from analysis.errors import UserError
    from analysis.intake.new_book import init_project

    template = tmp_path / "template"
    for part in ("data", "notebooks", "book"):
        shutil.copytree(ROOT / part, template / part,
                        ignore=shutil.ignore_patterns("_build", "periods"))
    (template / "data" / "periods").mkdir()
    (template / "notebooks" / "broken.ipynb").symlink_to(tmp_path / "missing")
    with pytest.raises(UserError, match="cannot write the new project"):
        init_project(Project(template), tmp_path / "out" / "hq", "341522", "霍邱县")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_title_with_markup_in_project_yml_is_refused(project_copy):
    config = project_copy.data / "project.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("title: ", "title: <script>", 1), encoding="utf-8")
    result = policybook("validate", "--root", str(project_copy.root))
    assert result.returncode == 2 and "title holds `<`" in result.stdout + result.stderr
