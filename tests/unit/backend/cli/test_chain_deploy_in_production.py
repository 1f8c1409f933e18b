"""`hdex chain deploy` with HDEX_ENV=production and no real-network option: it used to reach the development
path, whose production refusal said `run hdex chain deploy deliberately`, the command just run. It now says what
a real network's deployment needs, sends nothing and touches no database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.cli import main
from backend.settings import get_settings

PRODUCTION = {
    "HDEX_ENV": "production",
    "HDEX_RPC_URL": "http://127.0.0.1:1",  # nothing listens: the refusal must come before any call
    "HDEX_CHAIN_ID": "1",
    "HDEX_CONFIRMATIONS": "64",
    "HDEX_OPERATOR_KEY": "0x" + "11" * 32,
    "HDEX_DATABASE_URL": "postgresql://hdex@127.0.0.1:1/hdex",
    "HDEX_SIWE_DOMAINS": "hdex.example.org",
    "HDEX_SMTP_HOST": "smtp.example.org",
    "HDEX_SMTP_FROM": "HDEX <no-reply@hdex.example.org>",
}


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("HDEX_CUSTODY_OWNERS", "HDEX_CUSTODY_THRESHOLD", "HDEX_DEPLOYER_KEYSTORE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_bare_deploy_in_production_says_what_a_real_network_needs_instead_of_itself(production: None) -> None:
    result = CliRunner().invoke(main, ["chain", "deploy"])

    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("hdex chain deploy: HDEX_ENV=production deploys no development stack")
    assert "--owners" in lines[0] and "--threshold" in lines[0] and "--deployer-keystore" in lines[0]
    assert "deliberately" not in result.output


def test_a_timelock_no_longer_than_the_exit_delay_is_refused_before_anything_is_asked(production: None) -> None:
    """Users are promised the timelock outlasts the exit delay: one who sees a harmful change scheduled can exit
    before it runs. Nothing listens at the node or the database: the refusal comes first."""
    owners = "0x" + "aa" * 20 + ",0x" + "bb" * 20
    args = ["chain", "deploy", "--plan", "--owners", owners, "--threshold", "2", "--deployer", "0x" + "cc" * 20]

    result = CliRunner().invoke(main, [*args, "--timelock-delay", "86400", "--exit-delay", "86400"])

    assert result.exit_code == 1, result.output
    assert result.output.strip() == (
        "hdex chain deploy: the timelock delay (86400 s) must be longer than the exit delay (86400 s): a user who "
        "sees a change scheduled must be able to exit before it runs"
    )
