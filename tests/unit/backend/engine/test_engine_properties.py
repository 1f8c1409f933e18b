"""Properties over random command streams, checked after every command, on both books."""

from __future__ import annotations

from engine_helpers import of_type
from engine_strategies import MARKET, command_streams
from hypothesis import given, settings
from naive_exchange import NaiveExchange
from reference_book import ReferenceBook

from backend.engine import (
    Command,
    Engine,
    Event,
    OrderAccepted,
    OrderAmended,
    OrderBook,
    OrderCancelled,
    OrderExpired,
    OrderTriggered,
    PlaceOrder,
    Side,
    Trade,
)

PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(command_streams())
def test_the_fast_book_and_the_reference_book_emit_the_same_events_and_hash(stream: list[Command]) -> None:
    fast, reference = Engine(OrderBook), Engine(ReferenceBook)
    for command in stream:
        assert fast.apply(command) == reference.apply(command)
        assert fast.state_hash() == reference.state_hash()


@PROPERTY
@given(command_streams())
def test_the_book_is_never_crossed_after_a_command(stream: list[Command]) -> None:
    engine = Engine()
    for command in stream:
        engine.apply(command)
        bid, ask = engine.best_bid(MARKET), engine.best_ask(MARKET)
        assert bid is None or ask is None or bid < ask


@PROPERTY
@given(command_streams())
def test_quantity_is_conserved(stream: list[Command]) -> None:
    engine = Engine()
    placed = filled = cancelled = expired = amended_away = 0
    for command in stream:
        for event in engine.apply(command):
            if isinstance(event, OrderAccepted):
                placed += event.qty
            elif isinstance(event, Trade):
                filled += 2 * event.qty  # one fill for the maker, one for the taker
            elif isinstance(event, OrderCancelled):
                cancelled += event.remaining
            elif isinstance(event, OrderExpired):
                expired += event.remaining
            elif isinstance(event, OrderAmended):
                amended_away += event.old_remaining - event.remaining
        live = sum(o.remaining for side in Side for o in engine.resting_orders(MARKET, side))
        live += sum(s.remaining for s in engine.pending_stops(MARKET))
        assert placed == filled + cancelled + expired + amended_away + live


@PROPERTY
@given(command_streams())
def test_resting_orders_are_kept_in_price_then_time_priority(stream: list[Command]) -> None:
    engine = Engine()
    for command in stream:
        engine.apply(command)
        for side in Side:
            sign = -1 if side is Side.BUY else 1
            keys = [(sign * o.price, o.priority) for o in engine.resting_orders(MARKET, side)]
            assert keys == sorted(keys)


@PROPERTY
@given(command_streams())
def test_a_taker_fills_against_the_opposite_side_in_priority_order(stream: list[Command]) -> None:
    engine = Engine()
    for command in stream:
        if not isinstance(command, PlaceOrder):
            engine.apply(command)
            continue
        maker_side = Side.SELL if command.side is Side.BUY else Side.BUY
        queue = [o.order_id for o in engine.resting_orders(MARKET, maker_side)]
        events = engine.apply(command)
        if _only_plain_matching(events, command):
            makers = [t.maker_order_id for t in of_type(events, Trade)]
            assert makers == queue[: len(makers)]


def _only_plain_matching(events: list[Event], command: PlaceOrder) -> bool:
    """True when nothing but the taker's own matching ran (no STP, expiry or stop firing)."""
    for event in events:
        if isinstance(event, OrderExpired | OrderTriggered):
            return False
        if isinstance(event, OrderCancelled) and event.order_id != command.order_id:
            return False
    return True


@PROPERTY
@given(command_streams())
def test_an_independent_naive_exchange_agrees_on_trades_books_and_waiting_stops(stream: list[Command]) -> None:
    engine, naive = Engine(), NaiveExchange()
    for command in stream:
        events = engine.apply(command)
        trades = [(t.maker_order_id, t.taker_order_id, t.price, t.qty) for t in of_type(events, Trade)]
        assert trades == naive.apply(command), command
        for side in Side:
            assert [(o.order_id, o.price, o.remaining) for o in engine.resting_orders(MARKET, side)] == naive.book(side)
        assert [(s.order_id, s.remaining) for s in engine.pending_stops(MARKET)] == naive.waiting()
        assert engine.last_trade_price(MARKET) == naive.last_price
