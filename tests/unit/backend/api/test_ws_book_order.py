"""`/v1/ws`'s book channel on the wire: no delta a snapshot already contains follows it. A client resubscribing
(after a gap) while a delta is on its way out must not get the snapshot first and the older delta after it, or it
would apply that delta twice. The socket is faked at its edge: a delta's send is held until the test lets it go."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.api.routes.ws import ClientMessage, IpAdmission, MessageBudget, _Session
from backend.marketdata.bus import InProcessBus
from backend.marketdata.candles import Candle
from backend.marketdata.hub import MarketDataHub

MARKET = "WETH-USDC"
SUBSCRIBE = ClientMessage(op="subscribe", channel="book", market=MARKET, depth=10)


class HeldWire:
    """A socket whose book deltas wait for `release` before they go out (a frame still being written); every
    other message goes out at once. `wire` is what went out, in order."""

    def __init__(self) -> None:
        self.wire: list[dict[str, Any]] = []
        self.delta_in_flight = asyncio.Event()
        self.release = asyncio.Event()

    async def send_json(self, message: dict[str, Any]) -> None:
        await asyncio.sleep(0)  # a send yields to the loop, as a real one does
        if message.get("type") == "delta":
            self.delta_in_flight.set()
            await self.release.wait()
        self.wire.append(message)


def delta(seq: int, qty: int) -> tuple[str, dict[str, Any]]:
    return f"book:{MARKET}", {"seq": seq, "side": "buy", "price": "100", "qty": str(qty)}


def forwarding(hub: MarketDataHub, socket: HeldWire, market: str = MARKET) -> tuple[_Session, asyncio.Task[None]]:
    """A client's session on `socket`, subscribed to nothing yet, and its sender running."""
    session = _Session(
        socket, hub, {market: object()}, admission=IpAdmission(5, 5), ip="ip", send_timeout_s=5,  # type: ignore[arg-type]
        budget=MessageBudget(100, 1000),
    )  # fmt: skip
    return session, asyncio.create_task(session.forward())


def test_a_snapshot_taken_while_a_delta_is_being_sent_goes_out_after_that_delta() -> None:
    async def scenario() -> list[tuple[str, int]]:
        hub = MarketDataHub(InProcessBus())
        await hub.start()
        hub.seed(MARKET, 10, [(100, 1)], [], [], {})
        socket = HeldWire()
        session, sender = forwarding(hub, socket)
        await session.handle(SUBSCRIBE)  # snapshot at seq 10
        hub.publish([delta(11, 2)])
        await asyncio.wait_for(socket.delta_in_flight.wait(), 5)  # taken off the queue, not yet on the wire
        await session.handle(SUBSCRIBE)  # the client resubscribes: a snapshot at seq 11
        socket.release.set()
        hub.publish([delta(12, 3)])
        for _ in range(50):
            await asyncio.sleep(0)
        sender.cancel()
        return [(m["type"], m["seq"]) for m in socket.wire if m.get("channel") == "book"]

    book = asyncio.run(scenario())
    for at, (kind, seq) in enumerate(book):
        if kind == "snapshot":
            assert all(later > seq for kind_later, later in book[at + 1 :] if kind_later == "delta"), book
    assert book == [("snapshot", 10), ("delta", 11), ("snapshot", 11), ("delta", 12)]


class ConfirmingBus(InProcessBus):
    """A bus whose subscription waits for its confirmation, as `RedisBus.watch` waits for Redis's."""

    def __init__(self) -> None:
        super().__init__()
        self.confirm = asyncio.Event()

    async def watch(self, key: str) -> None:
        await self.confirm.wait()


def test_deltas_published_while_a_subscription_is_confirmed_never_reach_the_wire_before_its_snapshot() -> None:
    """The first subscriber to a book in a process waits for the bus (a Redis round trip, or seconds if it stalls)
    while the engine publishes: those deltas are in the snapshot taken after it, and a client given them first
    would read a book of those levels alone."""

    async def scenario() -> list[tuple[str, int]]:
        bus = ConfirmingBus()
        hub = MarketDataHub(bus)
        await hub.start()
        hub.seed(MARKET, 10, [(100, 1)], [], [], {})
        socket = HeldWire()
        socket.release.set()  # deltas go out as soon as they are sent
        session, sender = forwarding(hub, socket)
        subscribing = asyncio.create_task(session.handle(SUBSCRIBE))
        for _ in range(10):
            await asyncio.sleep(0)  # attached, waiting for the bus
        hub.publish([delta(11, 2)])
        hub.publish([delta(12, 3)])
        for _ in range(10):
            await asyncio.sleep(0)  # `forward` had the chance to send them
        bus.confirm.set()
        await subscribing
        hub.publish([delta(13, 4)])
        for _ in range(50):
            await asyncio.sleep(0)
        sender.cancel()
        return [(m["type"], m["seq"]) for m in socket.wire if m.get("channel") == "book"]

    assert asyncio.run(scenario()) == [("snapshot", 12), ("delta", 13)]


def test_a_candles_subscription_to_a_market_named_with_a_colon_gets_its_current_candle() -> None:
    """Market names may hold ':' (only '/' is refused), and the channel key is candles:<market>:<interval>."""
    market = "WETH:USDC"

    async def scenario() -> list[dict[str, Any]]:
        hub = MarketDataHub(InProcessBus())
        await hub.start()
        hub.seed(market, 0, [], [], [], {"1m": Candle(60_000, 5, 7, 4, 6, 10, 60, 2)})
        socket = HeldWire()
        session, sender = forwarding(hub, socket, market)
        await session.handle(ClientMessage(op="subscribe", channel="candles", market=market, interval="1m"))
        for _ in range(20):
            await asyncio.sleep(0)
        sender.cancel()
        return [m for m in socket.wire if m.get("channel") == "candles"]

    [candle] = asyncio.run(scenario())
    assert (candle["market"], candle["interval"], candle["close"]) == (market, "1m", "6")
