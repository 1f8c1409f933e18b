"""The bot client moves money end to end on anvil: deposit (signed locally) -> credited by the real
indexer -> withdrawal signed and requested -> relayed by the real relayer -> completed.

A real server (uvicorn), the indexer and the relayer run as in `hdex up`: background loops over one
database; the client only sees the chain and the HTTP API, and every wait it does is bounded.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.chain.devkeys import DEV_KEYS
from backend.client import AsyncHdexClient, HdexClient, WaitTimeout
from indexer.runner import IndexerLoop, build_follower
from relayer.runner import relayer_for

from ..devchain import DevChain, address_of, dev_market_container
from .live_server import serving

pytestmark = pytest.mark.chain

WEI = 10**18
ETH = "0x0000000000000000000000000000000000000000"
BOT = 5
WAIT_S = 60.0  # generous bound; the loops poll every 0.1-0.5 s


@dataclass
class Live:
    chain: DevChain
    url: str


@pytest.fixture
def live(devchain: DevChain, sqlite_url: str, tmp_path: Path) -> Iterator[Live]:
    container = dev_market_container(devchain, sqlite_url, tmp_path, trading_sync_interval=0.2, withdrawal_fee_rate=100)
    stop = threading.Event()
    with serving(container) as url:
        loops = [
            IndexerLoop(container, build_follower(container), interval_s=0.1).start_thread(stop),
            relayer_for(container).start_thread(stop),
        ]
        try:
            yield Live(devchain, url)
        finally:
            stop.set()
            for loop in loops:
                loop.join(timeout=30)
    container.db_engine.dispose()


def test_a_bot_deposits_gets_credited_withdraws_and_sees_it_complete(live: Live) -> None:
    weth = live.chain.token("WETH")
    with HdexClient(live.url, DEV_KEYS[BOT], rpc_url=live.chain.url) as bot:
        tx_hash = bot.deposit(weth.address, 2 * WEI)
        deposit = bot.wait_for_deposit(tx_hash, timeout=WAIT_S, poll_s=0.1)
        assert (deposit["status"], deposit["symbol"], deposit["decimals"]) == ("confirmed", "WETH", 18)
        assert deposit["amount"] == str(2 * WEI)
        assert bot.balances()[weth.address]["balance"] == 2 * WEI

        in_wallet = int(weth.functions.balanceOf(address_of(BOT)).call())
        requested = bot.withdraw(weth.address, WEI)  # max fee: the exchange's fee (100 millionths)
        assert requested["status"] == "accepted" and requested["fee"] == str(WEI * 100 // 10**6)
        final = bot.wait_for_withdrawal(requested["hash"], timeout=WAIT_S, poll_s=0.1)
        assert final["status"] == "completed", final
        [listed] = bot.withdrawals()["withdrawals"]
        assert (listed["hash"], listed["status"], listed["symbol"]) == (requested["hash"], "completed", "WETH")
        assert isinstance(listed["blockNumber"], int)

        assert live.chain.vault_balance(BOT, "WETH") == WEI
        assert int(weth.functions.balanceOf(address_of(BOT)).call()) == in_wallet + WEI - WEI * 100 // 10**6
        with pytest.raises(WaitTimeout):
            bot.wait_for_deposit("0x" + "00" * 32, timeout=0.3, poll_s=0.1)


def test_the_async_client_deposits_ether_and_withdraws_it(live: Live) -> None:
    async def scenario() -> None:
        async with AsyncHdexClient(live.url, DEV_KEYS[BOT], rpc_url=live.chain.url) as bot:
            deposit = await bot.wait_for_deposit(await bot.deposit(ETH, WEI // 10), timeout=WAIT_S, poll_s=0.1)
            assert (deposit["token"], deposit["symbol"], deposit["status"]) == (ETH, "ETH", "confirmed")
            assert (await bot.balances())[ETH]["available"] == WEI // 10
            requested = await bot.withdraw(ETH, WEI // 20)
            final = await bot.wait_for_withdrawal(requested["hash"], timeout=WAIT_S, poll_s=0.1)
            assert final["status"] == "completed", final
            assert (await bot.fees())["withdrawalFeeRate"] == 100
            assert (await bot.server_time())["chain"]["chainId"] == 31337

    asyncio.run(scenario())
    assert int(live.chain.exchange.functions.balanceOf(address_of(BOT), ETH).call()) == WEI // 20
