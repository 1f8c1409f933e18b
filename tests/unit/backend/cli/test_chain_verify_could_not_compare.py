"""`hdex chain verify` exits 1 when the code differs; a node it could not ask gave the same exit 1, so a check run
by a scheduler paged "the deployed code is not the build" for a node that was down. As `hdex reconcile` and
`hdex audit` do, it now exits 2 when it could not compare, in one line naming the node."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.settings import get_settings

CUSTODY, EXCHANGE = "0x" + "11" * 20, "0x" + "22" * 20


@pytest.fixture
def node_down(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("HDEX_RPC_URL", "http://127.0.0.1:1")  # nothing listens on port 1
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_node_that_does_not_answer_is_exit_2_not_a_difference(node_down: None) -> None:
    result = CliRunner().invoke(main, ["chain", "verify", "--custody", CUSTODY, "--exchange", EXCHANGE])

    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("hdex chain verify: cannot ask the node at http://127.0.0.1:1: ")
    assert lines[0].endswith("; nothing compared") and "DOES NOT MATCH" not in result.output
