"""`hdex up`, `hdex engine serve` and `hdex worker` against a database server that does not answer: their first step,
the migrations, raised SQLAlchemy's OperationalError out of the command as a traceback, where every other command says
so in one line (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.processes import hdex_command


@pytest.mark.parametrize("command", [["up"], ["engine", "serve"], ["worker"]], ids=" ".join)
def test_a_service_says_in_one_line_that_the_database_does_not_answer_and_hides_the_password(
    tmp_path: Path, command: list[str]
) -> None:
    done = hdex_command(
        *command,
        HDEX_DATA_DIR=str(tmp_path),
        HDEX_DATABASE_URL="postgresql://hdex:secret@127.0.0.1:1/hdex",  # nothing listens on port 1
        HDEX_RPC_URL="http://127.0.0.1:1",  # never reached: the database comes first
        HDEX_REDIS_URL="redis://127.0.0.1:1/0",  # required by the engine process and the worker; never reached
    )

    assert done.returncode == 2, done.stderr
    own = [line for line in done.stderr.splitlines() if not line.startswith("ts=")]  # the log lines aside
    assert len(own) == 1, done.stderr
    assert own[0].startswith("hdex: cannot reach the database at postgresql+psycopg://hdex:***@127.0.0.1:1/hdex: ")
    assert own[0].endswith("; nothing done")
    assert "Traceback" not in done.stderr and "secret" not in done.stderr
