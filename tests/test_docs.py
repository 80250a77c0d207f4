"""The README documents every setting and keeps the two-line quick start."""

import re

from paperwire.config import setting_names
from tests.helpers import REPO


def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table() -> None:
    table = {m for m in re.findall(r"^\|\s*`(PAPERWIRE_[A-Z_]+)`", readme(), re.M)}
    missing = [name for name in setting_names() if name not in table]
    assert not missing, f"settings missing from the README configuration table: {missing}"
    unknown = sorted(table - set(setting_names()))
    assert not unknown, f"README documents settings that do not exist: {unknown}"


def test_quick_start_has_one_block_of_two_commands() -> None:
    section = readme().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    lines = [line for line in blocks[0].splitlines() if line.strip()]
    assert len(lines) == 2
    assert "paperwire demo" in lines[0]
    assert ".ci/run" in lines[1]


def test_quick_start_line_one_works_where_pip_is_externally_managed() -> None:
    section = readme().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    line = re.findall(r"```[a-z]*\n(.*?)```", section, re.S)[0].splitlines()[0]
    steps = [step.strip() for step in line.split("&&")]
    assert steps[0] == "python3 -m venv .venv" and steps[1] == ". .venv/bin/activate"
    assert steps.index("pip install -e .") > 1 and steps[-1].startswith("paperwire demo")
    assert "Python ≥ 3.11" in section


def test_ci_uses_the_quick_start_venv_and_the_same_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "EXTERNALLY-MANAGED" in ci and ". .venv/bin/activate" in ci
    assert ci.index(". .venv/bin/activate") < ci.index("pip install")
    assert ci.rstrip().splitlines()[-1] == 'python3 -m pytest -q -p no:cacheprovider -n 2 "$@"'
