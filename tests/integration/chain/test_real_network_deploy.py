"""`hdex chain deploy --owners ...` (a real network's Custody and Exchange) against the node HDEX is set to use."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eth_account import Account
from web3 import HTTPProvider, Web3

from backend.chain.devkeys import CUSTODY_OWNER_INDICES, DEV_KEYS, OPERATOR_INDEX
from backend.cli import main
from backend.paths import NODE_BIN
from backend.settings import get_settings
from tests.processes import stop_process

from ..devchain import DevChain, cli_environment

pytestmark = pytest.mark.chain

Run = Callable[..., Result]
PASSWORD = "correct horse battery staple"
DEPLOYER_KEY = DEV_KEYS[9]  # a fresh key: the dev stack's deployer already used its first nonces


@pytest.fixture
def hdex(devchain: DevChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    cli_environment(devchain, tmp_path, monkeypatch, PASSWORD)
    keystore = tmp_path / "deployer.json"
    # light key derivation keeps the test fast; the format is the standard one
    keystore.write_text(json.dumps(Account.encrypt(DEPLOYER_KEY, PASSWORD, kdf="pbkdf2", iterations=1_000)))
    owners = ",".join(Account.from_key(DEV_KEYS[i]).address for i in CUSTODY_OWNER_INDICES)

    def run(*args: str) -> Result:
        roles = ["--owners", owners, "--threshold", "2", "--operator", Account.from_key(DEV_KEYS[1]).address]
        return CliRunner().invoke(
            main, ["chain", "deploy", *roles, "--deployer-keystore", str(keystore), *args], catch_exceptions=False
        )

    yield run
    get_settings.cache_clear()


def test_a_node_of_another_chain_than_hdex_chain_id_is_refused_before_anything_is_sent(
    hdex: Run, devchain: DevChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HDEX_CHAIN_ID=1 (mainnet meant) and an RPC URL of another chain: the deployment went to the node's chain,
    spending its gas, and was recorded under a chain id HDEX never reads (its live-state guard checked the other)."""
    monkeypatch.setenv("HDEX_CHAIN_ID", "1")
    get_settings.cache_clear()

    for args in (["--plan"], ["--yes"]):
        result = hdex(*args)
        assert result.exit_code == 1, result.output
        assert "serves chain 31337, HDEX_CHAIN_ID says 1: check HDEX_RPC_URL; nothing was sent" in result.output
        assert "Custody" not in result.output  # no plan printed for a chain nobody meant

    assert devchain.w3.eth.get_transaction_count(Account.from_key(DEPLOYER_KEY).address) == 0


def test_a_real_network_gets_a_timelock_longer_than_the_exit_delay_by_default(hdex: Run) -> None:
    """The defaults were the dev stack's (an hour each): a user who saw a harmful change scheduled could not exit
    before it ran. They are now scripts/deploy.py's: two days, and one day to exit."""
    result = hdex("--plan")

    assert result.exit_code == 0, result.output
    assert "  timelock      172800 s" in result.output.splitlines()
    assert "  exit delay    86400 s" in result.output.splitlines()


def test_the_plan_says_what_the_deployment_may_cost_and_what_the_deployer_holds(hdex: Run, devchain: DevChain) -> None:
    """The plan named no cost: a deployer short of it had Custody deployed and the Exchange refused, or learnt it
    only from the node's error."""
    devchain.rpc("anvil_setBalance", Account.from_key(DEPLOYER_KEY).address, hex(3 * 10**18))

    lines = hdex("--plan").output.splitlines()

    [cost] = [line for line in lines if line.startswith("  cost          up to ")]
    most, gas, fee = re.fullmatch(
        r"  cost          up to ([\d.]+) ETH \(gas ([\d,]+) at up to ([\d.]+) gwei\)", cost
    ).groups()
    assert 3_000_000 < int(gas.replace(",", "")) < 30_000_000  # two contracts' creation, 20% over the estimate
    assert Decimal(most) == Decimal(gas.replace(",", "")) * Decimal(fee) / 10**9
    assert "  deployer      holds 3 ETH" in lines
    assert not any(line.startswith("  !") for line in lines)


OTHER_CHAIN_ID = 1337  # not anvil's 31337: a stand-in for a real network


@pytest.fixture(scope="module")
def other_chain() -> Iterator[str]:
    """An anvil serving chain 1337, where anvil's public development accounts must hold no role."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(NODE_BIN / "anvil"), "--port", str(port), "--chain-id", str(OTHER_CHAIN_ID), "--silent"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Web3(HTTPProvider(url, request_kwargs={"timeout": 5})).eth.chain_id == OTHER_CHAIN_ID:
                    break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        stop_process(process)


def test_off_the_dev_chain_anvils_public_accounts_hold_no_role(
    other_chain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without HDEX_ENV=production, --operator's default (the settings' operator key) is anvil's account 1: a real
    network's Exchange was planned, and deployed, with an operator whose key anyone has."""
    monkeypatch.delenv("HDEX_ENV", raising=False)
    monkeypatch.delenv("HDEX_OPERATOR_KEY", raising=False)
    monkeypatch.delenv("HDEX_OPERATOR_KEYSTORE", raising=False)
    monkeypatch.setenv("HDEX_RPC_URL", other_chain)
    monkeypatch.setenv("HDEX_CHAIN_ID", str(OTHER_CHAIN_ID))
    monkeypatch.setenv("HDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'hdex.db'}")
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    fresh = [Account.create().address for _ in range(4)]
    owners = ",".join(fresh[:3])

    def plan(*args: str) -> Result:
        return CliRunner().invoke(
            main, ["chain", "deploy", "--plan", "--threshold", "2", "--deployer", fresh[3], *args]
        )

    try:
        operator_defaulted = plan("--owners", owners)
        a_dev_owner = plan("--owners", f"{fresh[0]},{Account.from_key(DEV_KEYS[2]).address}", "--operator", fresh[3])
        fresh_roles = plan("--owners", owners, "--operator", fresh[3])
    finally:
        get_settings.cache_clear()

    dev_operator = Account.from_key(DEV_KEYS[OPERATOR_INDEX]).address
    assert operator_defaulted.exit_code == 1, operator_defaulted.output
    assert f"the operator {dev_operator} is anvil's development account 1, whose key is public" in (
        operator_defaulted.output
    )
    assert "chain id" not in operator_defaulted.output  # no plan printed
    assert a_dev_owner.exit_code == 1 and "is anvil's development account 2" in a_dev_owner.output
    assert fresh_roles.exit_code == 0, fresh_roles.output
    assert f"  operator      {fresh[3]}" in fresh_roles.output.splitlines()


def test_verify_compares_nothing_on_a_node_of_another_chain_than_hdex_chain_id(
    devchain: DevChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It read the code at the given addresses on whatever chain the node served, and said it matched the build
    (exit 0) for contracts HDEX, set to another chain, does not use."""
    monkeypatch.setenv("HDEX_RPC_URL", devchain.url)
    monkeypatch.setenv("HDEX_CHAIN_ID", "1")
    monkeypatch.setenv("HDEX_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    stack = devchain.stack.contracts
    try:
        result = CliRunner().invoke(
            main, ["chain", "verify", "--custody", stack["Custody"], "--exchange", stack["Exchange"]]
        )
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2, result.output
    assert f"the node at {devchain.url} serves chain 31337, HDEX_CHAIN_ID says 1" in result.output
    assert "matches the build" not in result.output


def test_a_deployer_without_ether_is_told_to_fund_it_in_one_line(hdex: Run, devchain: DevChain) -> None:
    """The node's refusal came out as its raw error object ({'code': -32003, 'message': 'Insufficient funds ...'})."""
    devchain.rpc("anvil_setBalance", Account.from_key(DEPLOYER_KEY).address, "0x0")

    plan = hdex("--plan")
    assert plan.exit_code == 0, plan.output
    assert "  ! the deployer holds less than the deployment may cost: send it ether first" in plan.output.splitlines()
    result = hdex("--yes")

    assert result.exit_code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("hdex chain deploy: ")]
    assert line.startswith(
        "hdex chain deploy: the deployer cannot pay the deployment's gas: send it ether, then deploy"
    )
    assert devchain.w3.eth.get_transaction_count(Account.from_key(DEPLOYER_KEY).address) == 0
