"""pyproject.toml, uv.lock and environment.yml must agree; the Makefile starts the tools."""

import importlib.util
import os
import subprocess
import tomllib

import yaml
from conftest import ROOT
from packaging.requirements import Requirement

spec = importlib.util.spec_from_file_location("write_environment", ROOT / "scripts/write_environment.py")
write_environment = importlib.util.module_from_spec(spec)
spec.loader.exec_module(write_environment)


def test_environment_yml_is_generated_from_the_lock():
    assert (ROOT / "environment.yml").read_text(encoding="utf-8") == write_environment.render()


def test_environment_pins_lie_within_the_pyproject_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    ranges = {Requirement(s).name.lower(): Requirement(s).specifier
              for s in project["dependencies"] + project["optional-dependencies"]["test"]
              + project["optional-dependencies"]["lab"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    pins = dict(line.split("==") for line in pip if "==" in line)
    assert set(pins) == set(ranges)
    for name, version in pins.items():
        assert version in ranges[name], f"{name}=={version} outside {ranges[name]}"


def test_lock_matches_pyproject():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    root = next(p for p in lock["package"] if p["name"] == "civil-affairs-policybook")
    locked = {d["name"] for d in root["dependencies"]}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {Requirement(s).name.lower() for s in project["dependencies"]}
    assert declared == locked


def test_make_lab_passes_allow_root_exactly_when_run_as_root(tmp_path):
    """JupyterLab refuses to start as root without --allow-root: `make lab` passes it (and
    says so) when run as root, and not otherwise."""
    for tool in ("uv", "jupyter"):
        fake = tmp_path / tool
        fake.write_text('#!/bin/sh\necho "$0 $*"\n', encoding="utf-8")
        fake.chmod(0o755)
    result = subprocess.run(["make", "-s", "lab", f"BIN={tmp_path}", "-o", "setup"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=True)
    lab = [line for line in result.stdout.splitlines() if "jupyter lab" in line]
    assert len(lab) == 1
    as_root = os.geteuid() == 0
    assert ("--allow-root" in lab[0]) is as_root
    assert ("running as root" in result.stdout) is as_root
