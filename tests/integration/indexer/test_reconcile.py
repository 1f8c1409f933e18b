"""`hdex reconcile` after a mixed scenario on the real contracts: ok, then caught after corruption."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy.orm import Session, sessionmaker

from backend.chain.deployments import record_deployments
from backend.chain.devkeys import OPERATOR_INDEX
from backend.chain.jsonrpc import JsonRpcClient
from backend.db.models import LedgerBalance
from backend.ledger import service as ledger
from backend.ledger.postings import EXTERNAL, Posting
from backend.paths import PROJECT_ROOT
from indexer.decode import EventDecoder
from indexer.follower import Follower, FollowerConfig
from tests.processes import without_hdex_settings

from ..devchain import ORDER_TYPE, WITHDRAWAL_TYPE, DevChain, address_of, order, sign_typed

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6
WEI = 10**18
PRICE = 3_000 * 10**6  # 3,000 USDC (6 decimals) per 1e18 base units of WETH


def run_mixed_scenario(chain: DevChain) -> None:
    """Deposits (ERC-20 and ETH), a settled trade with fees, and a relayed signed withdrawal."""
    exchange = chain.exchange.functions
    chain.deposit(ALICE, "WETH", 2 * WEI)
    chain.deposit(BOB, "USDC", 10_000 * 10**6)
    chain.send(ALICE, exchange.depositEther(), value=WEI // 2)

    sell = order(chain, ALICE, side=1, base_amount=WEI, limit_price=PRICE)
    buy = order(chain, BOB, side=0, base_amount=WEI, limit_price=PRICE)
    # The batch lists each order once, by increasing order hash; trades point at them by index.
    signed = sorted(
        [
            (sell, sign_typed(chain, ALICE, "Order", ORDER_TYPE, sell)),
            (buy, sign_typed(chain, BOB, "Order", ORDER_TYPE, buy)),
        ],
        key=lambda pair: int.from_bytes(exchange.hashOrder(tuple(pair[0].values())).call(), "big"),
    )
    orders = [tuple(o.values()) for o, _ in signed]
    maker_index, taker_index = orders.index(tuple(sell.values())), orders.index(tuple(buy.values()))
    quote = 3_000 * 10**6
    maker_fee = quote * min(sell["maxFeeRate"], int(exchange.makerFeeRate().call())) // 10**6
    taker_fee = WEI * min(buy["maxFeeRate"], int(exchange.takerFeeRate().call())) // 10**6
    trade = (maker_index, taker_index, WEI, quote, maker_fee, taker_fee)
    receipt = chain.send(OPERATOR_INDEX, exchange.settle(orders, [sig for _, sig in signed], [trade]))
    assert len(chain.exchange.events.TradeSettled().process_receipt(receipt)) == 1

    withdrawal = {
        "wallet": address_of(BOB),
        "token": chain.token("WETH").address,
        "amount": WEI // 4,
        "maxFee": 10**15,
        "recipient": address_of(BOB),
        "nonce": 1,
        "expiry": chain.w3.eth.get_block("latest")["timestamp"] + 3600,
    }
    signature = sign_typed(chain, BOB, "Withdrawal", WITHDRAWAL_TYPE, withdrawal)
    chain.send(OPERATOR_INDEX, exchange.withdraw(tuple(withdrawal.values()), signature, 10**15))


def index_everything(chain: DevChain, sessions: sessionmaker[Session]) -> None:
    config = FollowerConfig(31337, chain.exchange.address, chain.stack.block_number, confirmations=1)
    follower = Follower(JsonRpcClient(chain.url), EventDecoder(chain.exchange.abi), sessions, config)
    follower.poll_once()


def hdex_reconcile(database_url: str, rpc_url: str) -> subprocess.CompletedProcess[str]:
    env = without_hdex_settings(HDEX_DATABASE_URL=database_url, HDEX_RPC_URL=rpc_url)
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", "reconcile"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_reconcile_passes_after_a_mixed_scenario_and_fails_after_ledger_corruption(
    devchain: DevChain, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions() as session:
        record_deployments(session, 31337, devchain.stack.contracts, devchain.stack.block_number)
        session.commit()
    run_mixed_scenario(devchain)
    devchain.mine(1)
    index_everything(devchain, sessions)

    clean = hdex_reconcile(database_url, devchain.url)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "result: ok" in clean.stdout
    with sessions() as session:
        balances = ledger.balances(session)
    weth = devchain.token("WETH").address
    assert balances[(address_of(ALICE), weth)] == devchain.vault_balance(ALICE, "WETH") == WEI
    assert balances[(address_of(BOB), weth)] == devchain.vault_balance(BOB, "WETH")

    # A token sent straight to the contract (no deposit) belongs to nobody: a surplus, not a difference.
    devchain.send(BOB, devchain.token("WETH").functions.transfer(devchain.exchange.address, 1))
    devchain.mine(1)
    index_everything(devchain, sessions)
    donated = hdex_reconcile(database_url, devchain.url)
    assert donated.returncode == 0, donated.stdout + donated.stderr
    assert f"surplus: the Exchange holds 1 of {weth}" in donated.stdout and "result: ok" in donated.stdout

    # A credit the chain never made: the per-wallet and per-token checks both catch it.
    with sessions() as session:
        bogus = [Posting(EXTERNAL, weth, -5), Posting(address_of(ALICE), weth, 5)]
        ledger.post(session, [ledger.NewTransaction("deposit", "bogus", bogus)])
        session.commit()
    corrupted = hdex_reconcile(database_url, devchain.url)
    assert corrupted.returncode == 1
    assert "DIFF wallet" in corrupted.stdout
    assert "DIFF token_total" in corrupted.stdout


def test_reconcile_catches_a_balance_cache_that_drifted_from_the_entries(
    devchain: DevChain, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions() as session:
        record_deployments(session, 31337, devchain.stack.contracts, devchain.stack.block_number)
        session.commit()
    devchain.deposit(ALICE, "USDC", 1234)
    devchain.mine(1)
    index_everything(devchain, sessions)
    assert hdex_reconcile(database_url, devchain.url).returncode == 0
    with sessions() as session:
        row = session.get(LedgerBalance, (address_of(ALICE), devchain.token("USDC").address))
        assert row is not None
        row.amount += 1
        session.commit()
    drifted = hdex_reconcile(database_url, devchain.url)
    assert drifted.returncode == 1
    assert "DIFF cache" in drifted.stdout


def test_reconcile_without_a_recorded_exchange_says_what_to_run(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    refused = hdex_reconcile(database_url, "http://127.0.0.1:9")
    assert refused.returncode == 2
    assert "no Exchange deployment recorded for chain 31337" in refused.stderr
    assert "hdex chain deploy" in refused.stderr
