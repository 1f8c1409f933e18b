"""`hdex chain record`: contracts deployed and not recorded (the database away, or live state landed while the
deployment was mined) are recorded later, checked against the build, the roles and the block, instead of being
deployed (and paid for) again."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eth_account import Account

from backend.bootstrap import bootstrap
from backend.chain.deploy import deploy_core
from backend.chain.deployments import deployment_block, load_deployments, record_deployments
from backend.cli import main
from backend.db import migrate
from backend.db.models.ledger import LedgerBalance
from backend.settings import get_settings

from ..devchain import DevChain, cli_environment

pytestmark = pytest.mark.chain

OLD_EXCHANGE = "0x" + "ee" * 20
Run = Callable[..., Result]


@pytest.fixture
def record(devchain: DevChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    cli_environment(devchain, tmp_path, monkeypatch, "unused")

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["chain", "record", *args], catch_exceptions=False)

    yield run
    get_settings.cache_clear()


def recorded() -> tuple[dict[str, str], int | None]:
    """The chain's recorded deployment and its block (a database a refusal never created is made empty first)."""
    settings = get_settings()
    migrate.upgrade(settings.effective_database_url)
    container = bootstrap(settings)
    try:
        with container.uow() as uow:
            return load_deployments(uow.session, settings.chain_id), deployment_block(uow.session, settings.chain_id)
    finally:
        container.db_engine.dispose()


def arguments(custody: str, exchange: str, block: int) -> list[str]:
    return ["--custody", custody, "--exchange", exchange, "--block", str(block)]


def test_deployed_contracts_are_recorded_from_the_block_given(record: Run, devchain: DevChain) -> None:
    stack = devchain.stack
    custody, exchange = stack.contracts["Custody"], stack.contracts["Exchange"]

    result = record(*arguments(custody, exchange, stack.block_number))

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"recorded on chain 31337 from block {stack.block_number}")
    assert recorded() == ({"Custody": custody, "Exchange": exchange}, stack.block_number)


@pytest.mark.parametrize(
    ("swap", "later", "refusal"),
    [
        (True, 0, "does not match the build"),  # Custody's address given as the Exchange's
        (False, 1, "had code before block"),  # the indexer would start after the deployment: first deposits unseen
    ],
    ids=["not-the-build", "block-after-the-deployment"],
)
def test_what_does_not_check_out_is_refused_and_nothing_is_recorded(
    record: Run, devchain: DevChain, swap: bool, later: int, refusal: str
) -> None:
    stack = devchain.stack
    custody, exchange = stack.contracts["Custody"], stack.contracts["Exchange"]
    if swap:
        custody, exchange = exchange, custody

    result = record(*arguments(custody, exchange, stack.block_number + later))

    assert result.exit_code == 1, result.output
    assert refusal in result.output and result.output.rstrip().endswith("nothing recorded")
    assert recorded() == ({}, None)


def test_an_exchange_administered_by_another_custody_is_refused(record: Run, devchain: DevChain) -> None:
    """Two real deployments' contracts mixed: each matches the build, but the Exchange's admin is the other Custody."""
    deployer = Account.create()
    devchain.rpc("anvil_setBalance", deployer.address, hex(10**20))
    owners = [Account.create().address for _ in range(3)]
    other_custody, _, _ = deploy_core(devchain.w3, deployer.key.hex(), owners, 2, owners[0])
    stack = devchain.stack

    result = record(*arguments(str(other_custody.address), stack.contracts["Exchange"], stack.block_number))

    assert result.exit_code == 1, result.output
    assert f"is administered by {stack.contracts['Custody']}, not by {other_custody.address}" in result.output
    assert recorded() == ({}, None)


def test_over_another_exchanges_live_state_nothing_is_recorded(record: Run, devchain: DevChain) -> None:
    settings = get_settings()
    migrate.upgrade(settings.effective_database_url)
    container = bootstrap(settings)
    with container.uow() as uow:
        record_deployments(uow.session, settings.chain_id, {"Exchange": OLD_EXCHANGE}, 1)
        uow.session.add(LedgerBalance(account="0x" + "aa" * 20, token="0x" + "bb" * 20, amount=5))
        uow.commit()
    container.db_engine.dispose()
    stack = devchain.stack

    result = record(*arguments(stack.contracts["Custody"], stack.contracts["Exchange"], stack.block_number))

    assert result.exit_code == 1, result.output
    assert f"this database holds the live trading state of Exchange {OLD_EXCHANGE}" in result.output
    assert recorded() == ({"Exchange": OLD_EXCHANGE}, 1)


def test_a_node_of_another_chain_than_hdex_chain_id_is_not_asked_further(
    record: Run, devchain: DevChain, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HDEX_CHAIN_ID", "1")
    get_settings.cache_clear()
    stack = devchain.stack

    result = record(*arguments(stack.contracts["Custody"], stack.contracts["Exchange"], stack.block_number))

    assert result.exit_code == 2, result.output
    assert "serves chain 31337, HDEX_CHAIN_ID says 1: check HDEX_RPC_URL; nothing recorded" in result.output


def test_a_deployment_recorded_nowhere_is_recorded_from_what_deploy_printed(
    record: Run, devchain: DevChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real network's deployment whose database was lost before it was recorded: `deploy` printed the addresses
    and the block, which is all `record` needs."""
    deployer = Account.create()
    devchain.rpc("anvil_setBalance", deployer.address, hex(10**20))
    keystore = tmp_path / "deployer.json"
    keystore.write_text(json.dumps(Account.encrypt(deployer.key, "unused", kdf="pbkdf2", iterations=1_000)))
    owners = ",".join(Account.create().address for _ in range(3))
    deployed = CliRunner().invoke(main, [
        "chain", "deploy", "--owners", owners, "--threshold", "2", "--operator", Account.create().address,
        "--deployer-keystore", str(keystore), "--yes",
    ])  # fmt: skip
    assert deployed.exit_code == 0, deployed.output
    printed = dict(
        line.split(" ", 1) for line in deployed.output.splitlines() if line.startswith(("Custody ", "Exchange "))
    )
    [block] = [
        int(line.rsplit(" ", 1)[1]) for line in deployed.output.splitlines() if line.startswith("deployed from block")
    ]
    monkeypatch.setenv("HDEX_DATABASE_URL", f"sqlite:///{tmp_path / 'another.db'}")  # the record did not survive
    get_settings.cache_clear()

    result = record(*arguments(printed["Custody"], printed["Exchange"], block))

    assert result.exit_code == 0, result.output
    assert recorded() == ({"Custody": printed["Custody"], "Exchange": printed["Exchange"]}, block)
