"""Every command and option explains itself in --help and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from etl.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "etl") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, path))
    return found


COMMANDS = _commands(cli)


@pytest.mark.parametrize("path,command", COMMANDS, ids=[p for p, _ in COMMANDS])
def test_command_has_help_and_is_in_readme(path, command):
    assert (command.help or "").strip(), f"{path} has no help text"
    result = CliRunner().invoke(cli, [*path.split()[1:], "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert path in README, f"README does not mention `{path}`"
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert (param.help or "").strip(), f"{path} {param.opts[0]} has no help text"
            assert any(opt in README for opt in param.opts), f"README does not mention {path} {param.opts[0]}"


def test_run_help_documents_the_exit_status():
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert "Exit status" in result.output and "some files failed" in result.output
