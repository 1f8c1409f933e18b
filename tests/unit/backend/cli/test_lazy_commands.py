"""`hdex` loads a command's module only when that command runs, and every listed command resolves."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from backend.cli import COMMANDS, main


def test_every_listed_command_resolves_to_a_click_command_of_its_name() -> None:
    ctx = click.Context(main)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert isinstance(command, click.Command), name
        assert command.name == name


def test_help_lists_every_command_with_its_whole_summary_on_one_line_of_80_columns() -> None:
    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    rows = [line.split(maxsplit=1) for line in result.output.split("Commands:")[1].splitlines() if line.strip()]
    assert rows == [[name, COMMANDS[name].summary] for name in sorted(COMMANDS)]


def modules_loaded_by(args: list[str]) -> set[str]:
    """The modules a fresh process holds after `hdex ARGS` (run in it, not here: this process imported more)."""
    code = (
        "import sys; from click.testing import CliRunner; from backend.cli import main; "
        f"CliRunner().invoke(main, {args!r}); print(' '.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_help_imports_no_command_module() -> None:
    assert {entry.module for entry in COMMANDS.values()} & modules_loaded_by(["--help"]) == set()


def test_running_one_command_does_not_import_the_api() -> None:
    assert "backend.api.app" not in modules_loaded_by(["db", "--help"])


def test_version_names_the_installed_package() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert (result.exit_code, result.output) == (0, f"hdex {version('hdex')}\n")
