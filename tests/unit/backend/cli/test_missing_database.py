"""A command pointed at a SQLite database that does not exist refuses in one line (exit 2) and creates nothing,
where it used to create an empty database and report a change made nowhere the exchange reads; one pointed at a
database server that does not answer says so in one line (exit 2), where a traceback and exit 1 read as "alerts
raised" to a cron job running `hdex monitor run-once`; a database that exists is upgraded and used as before."""

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


@pytest.mark.parametrize("args", [["monitor", "run-once"], ["compliance", "deny", ADDRESS, "--reason", "test"]])
def test_a_database_server_that_does_not_answer_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    # nothing listens on port 1; the password must not be printed
    monkeypatch.setenv("HDEX_DATABASE_URL", "postgresql://hdex:secret@127.0.0.1:1/hdex")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(main, args)
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "hdex: cannot reach the database at postgresql+psycopg://hdex:***@127.0.0.1:1/hdex: "
    )
    assert lines[0].endswith("; nothing done") and "secret" not in result.output
