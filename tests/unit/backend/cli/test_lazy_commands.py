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


def test_help_imports_no_command_module() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from backend.cli import COMMANDS, main; "
        "CliRunner().invoke(main, ['--help']); print(sorted({c.module for c in COMMANDS.values()} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_running_one_command_does_not_import_the_api() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from backend.cli import main; "
        "CliRunner().invoke(main, ['db', '--help']); print('backend.api.app' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_version_names_the_installed_package() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert (result.exit_code, result.output) == (0, f"hdex {version('hdex')}\n")
