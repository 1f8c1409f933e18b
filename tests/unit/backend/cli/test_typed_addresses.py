"""Every `hdex` door that takes a typed address refuses a mixed-case one whose EIP-55 checksum is wrong (a typo
naming another account) with one line, before anything is read or written; lower case stays accepted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.settings import get_settings

GOOD = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
TYPO = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"


@pytest.fixture(autouse=True)
def empty_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Nothing may be read or written: a data folder of its own proves it (and keeps the real one out)."""
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HDEX_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "args",
    [
        ["compliance", "deny", TYPO, "--reason", "typo"],
        ["compliance", "screen", TYPO],
        ["chain", "verify", "--custody", TYPO, "--exchange", GOOD],
        ["chain", "deploy", "--plan", "--owners", f"{GOOD},{TYPO}", "--threshold", "1", "--deployer", GOOD],
        ["market", "add", "X-Y", "--base", TYPO, "--quote", "0x" + "0e" * 20, "--base-symbol", "X",
         "--quote-symbol", "Y", "--base-decimals", "18", "--quote-decimals", "6", "--tick", "1",
         "--lot", "1000000000000000000", "--maker-fee", "0", "--taker-fee", "0"],
    ],
    ids=["compliance deny", "compliance screen", "chain verify", "chain deploy", "market add"],
)  # fmt: skip
def test_a_wrong_checksum_is_refused_with_one_line(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0 and "EIP-55 checksum" in result.output, result.output
    assert "Traceback" not in result.output
