"""`hdex chain deploy --plan` predicts the addresses a real deployment then creates; `hdex chain verify` checks code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eth_account import Account

from backend.chain.deployments import record_deployments
from backend.chain.devkeys import CUSTODY_OWNER_INDICES, DEV_KEYS
from backend.cli import main
from backend.cli.context import database_container
from backend.db import migrate
from backend.db.session import make_engine
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, Posting
from backend.settings import get_settings

from ..devchain import DevChain, cli_environment
from .conftest import PASSWORD, write_keystore

pytestmark = pytest.mark.chain

Run = Callable[..., Result]
DEPLOYER_INDEX = 9  # a fresh key: the dev stack's deployer already used its first nonces


@pytest.fixture
def hdex(devchain: DevChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    cli_environment(devchain, tmp_path, monkeypatch, PASSWORD)

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["chain", *args], catch_exceptions=False)

    yield run
    get_settings.cache_clear()


def roles() -> list[str]:
    owners = ",".join(Account.from_key(DEV_KEYS[i]).address for i in CUSTODY_OWNER_INDICES)
    return ["--owners", owners, "--threshold", "2", "--operator", Account.from_key(DEV_KEYS[1]).address]


def test_a_real_network_option_without_owners_is_refused_not_taken_for_a_development_deploy(
    hdex: Run, tmp_path: Path
) -> None:
    """`--threshold 2` alone quietly deployed the development stack (dev keys, demo tokens) and ignored it."""
    keystore = write_keystore(tmp_path / "deployer.json", DEV_KEYS[DEPLOYER_INDEX])
    for options in (["--threshold", "2"], ["--deployer-keystore", str(keystore)]):
        refused = hdex("deploy", *options)
        assert refused.exit_code == 1 and "give --owners and --threshold" in refused.output, options


def test_the_plan_names_the_addresses_the_deployment_creates_and_verify_accepts_them(
    hdex: Run, devchain: DevChain, tmp_path: Path
) -> None:
    keystore = write_keystore(tmp_path / "deployer.json", DEV_KEYS[DEPLOYER_INDEX])
    plan = hdex("deploy", "--plan", *roles(), "--deployer-keystore", str(keystore))
    assert plan.exit_code == 0, plan.output
    assert "dry run: nothing was sent" in plan.output
    rows = [line.split() for line in plan.output.splitlines() if line.startswith(("Custody", "Exchange"))]
    predicted = {row[0]: row[1] for row in rows}
    assert devchain.w3.eth.get_transaction_count(Account.from_key(DEV_KEYS[DEPLOYER_INDEX]).address) == 0
    unmigrated = make_engine(f"sqlite:///{tmp_path / 'hdex.db'}")
    assert migrate.current_revision(unmigrated) is None  # a plan changes nothing, the database's schema neither
    unmigrated.dispose()

    deployed = hdex("deploy", *roles(), "--deployer-keystore", str(keystore), "--yes")
    assert deployed.exit_code == 0, deployed.output
    assert f"Custody {predicted['Custody']}" in deployed.output
    assert f"Exchange {predicted['Exchange']}" in deployed.output

    verified = hdex("verify")
    assert verified.exit_code == 0, verified.output
    assert verified.output.count("matches the build") == 2


def test_verify_refuses_code_that_is_not_the_build(hdex: Run, devchain: DevChain) -> None:
    stack = devchain.stack.contracts
    result = hdex("verify", "--custody", stack["Exchange"], "--exchange", stack["Exchange"])
    assert result.exit_code == 1
    assert "Custody" in result.output and "DOES NOT MATCH the build" in result.output


def test_a_new_exchange_is_refused_over_a_database_holding_the_live_state_of_another(
    hdex: Run, devchain: DevChain, tmp_path: Path
) -> None:
    """Recorded over a ledger that still credits wallets, a new Exchange would let them trade and withdraw funds it
    does not hold; the database must be another one (or every wallet gone from the old Exchange)."""
    container = database_container(create=True)  # the test sets the database up
    wallet = Account.from_key(DEV_KEYS[5]).address
    with container.uow() as uow:
        record_deployments(uow.session, 31337, devchain.stack.contracts, devchain.stack.block_number)
        usdc = devchain.stack.contracts["USDC"]
        credit = [Posting(EXTERNAL, usdc, -5), Posting(wallet, usdc, 5)]
        ledger.post(uow.session, [ledger.NewTransaction("deposit", "test:credited", credit)])
        uow.commit()
    keystore = write_keystore(tmp_path / "deployer.json", DEV_KEYS[DEPLOYER_INDEX])

    refused = hdex("deploy", "--plan", *roles(), "--deployer-keystore", str(keystore))

    assert refused.exit_code == 1
    assert f"live trading state of Exchange {devchain.stack.contracts['Exchange']}" in refused.output
    assert "wallets with funds: 1" in refused.output and "HDEX_DATABASE_URL" in refused.output
    with container.uow() as uow:  # the wallet left: the database may take a new Exchange
        debit = [Posting(p.account, p.token, -p.amount) for p in credit]
        ledger.post(uow.session, [ledger.NewTransaction("withdrawal", "test:left", debit)])
        uow.commit()
    assert hdex("deploy", "--plan", *roles(), "--deployer-keystore", str(keystore)).exit_code == 0
    container.db_engine.dispose()
