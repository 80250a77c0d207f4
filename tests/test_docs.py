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
