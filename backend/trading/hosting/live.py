"""The live part of the composition root: what one API process runs while it serves.

`backend.bootstrap` builds what lives as long as the settings (database, and through
`Container.shared` the screener and the account notifier). What lives only while a server runs is
built here, in one place, for every door that serves: the market-data bus (Redis when configured,
else in-process) and its hub, the trading service with its engine host publishing to that hub,
and the account notifier attached to the hub so that the relayer's threads reach WebSocket
clients. They start in dependency order and stop in reverse.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from backend.bootstrap import Container
from backend.marketdata.account_updates import ACCOUNT_CHANNEL, account_notifier_for
from backend.marketdata.bus import Bus, InProcessBus, RedisBus
from backend.marketdata.hub import MarketDataHub
from backend.marketdata.queries import seed_hub
from backend.trading.hosting.host import EngineHost
from backend.trading.hosting.service import TradingService


@dataclass(frozen=True)
class LiveExchange:
    """The running services of one API process."""

    hub: MarketDataHub
    trading: TradingService


def market_data_bus(container: Container) -> Bus:
    """This process's bus. Its own engine's market data reaches its hub in process; through Redis come only the
    account messages of workers (settlements, withdrawals): a lost connection can have lost those only."""
    redis_url = container.settings.redis_url
    return RedisBus(redis_url, remote_channels=(ACCOUNT_CHANNEL,)) if redis_url else InProcessBus()


@asynccontextmanager
async def live_exchange(container: Container) -> AsyncIterator[LiveExchange]:
    """Start market data and the engine host; stop them on exit (call on the serving event loop)."""
    hub = MarketDataHub(market_data_bus(container))

    async def seed(host: EngineHost) -> None:
        await host.drain()  # the restore's changes published: the book and its seq are one point
        seqs = {market: host.book_seq(market) for market in host.markets}
        with container.session_factory() as session:
            seed_hub(hub, host.engine, seqs, session, time.time_ns() // 1_000_000)

    # Seeded after a takeover from standing by, reset once a stopped host was let go
    trading = TradingService(container, hub.publish, on_started=seed, on_stopped=hub.reset)
    await hub.start()
    notifier = account_notifier_for(container)
    notifier.attach(hub, asyncio.get_running_loop())
    try:
        trading.start()
        if trading.host is not None:
            await seed(trading.host)
        yield LiveExchange(hub, trading)
    finally:
        notifier.detach()
        await trading.stop()
        await hub.stop()
