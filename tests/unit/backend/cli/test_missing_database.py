"""A command pointed at a SQLite database that does not exist refuses in one line (exit 2) and creates nothing,
where it used to create an empty database and report a change made nowhere the exchange reads; a database that
exists is upgraded and used as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.db import migrate
from backend.settings import get_settings

ADDRESS = "0x" + "ab" * 20


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HDEX_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "args", [["compliance", "deny", ADDRESS, "--reason", "test"], ["market", "halt", "X-Y", "--reason", "test"]]
)
def test_a_write_command_refuses_a_database_that_does_not_exist_and_creates_none(
    data_dir: Path, args: list[str]
) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.output.startswith(f"hdex: no database at {data_dir / 'hdex.db'}: start the exchange")
    assert "hdex up" in result.output and len(result.output.splitlines()) == 1
    assert not (data_dir / "hdex.db").exists()


def test_an_existing_database_is_used(data_dir: Path) -> None:
    migrate.upgrade(get_settings().effective_database_url)
    result = CliRunner().invoke(main, ["compliance", "deny", ADDRESS, "--reason", "test"])
    assert result.exit_code == 0 and f"{ADDRESS} deny-listed" in result.output
