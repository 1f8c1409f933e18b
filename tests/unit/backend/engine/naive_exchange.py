"""A second, independent implementation of the matching rules, written the slow and obvious way.

It shares no code with `backend.engine` beyond the command and enum types: every rule (price-time
priority, time in force, self-trade prevention, stop triggers on the last trade or the reference
price, expiry, market states) is written
again from the issue's text over plain lists. The property test compares trades, books and waiting
stops after every command; event sequence numbers are the engine's own business and not modelled.
It knows only the markets of `engine_strategies` (tick 1, lot 1, no minimum notional).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.engine import (
    AddMarket,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    ExpireOrders,
    MarketState,
    OrderType,
    PlaceOrder,
    SelfTradePrevention,
    SetMarketState,
    SetReferencePrice,
    Side,
    TimeInForce,
)

STOPS = {OrderType.STOP_MARKET, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT, OrderType.TAKE_PROFIT_LIMIT}
MARKET_KINDS = {OrderType.MARKET, OrderType.STOP_MARKET, OrderType.TAKE_PROFIT}


@dataclass
class NaiveOrder:
    order_id: str
    account: str
    side: Side
    order_type: OrderType
    price: int
    remaining: int
    stp: SelfTradePrevention
    expires_at: int | None
    time: int
    stop_price: int | None = None
    on_reference: bool = False


class NaiveExchange:
    """One market; `apply` returns the command's trades as (maker, taker, price, qty)."""

    def __init__(self) -> None:
        self.resting: list[NaiveOrder] = []
        self.stops: list[NaiveOrder] = []
        self.state = MarketState.OPEN
        self.last_price: int | None = None
        self.reference: tuple[int, int] | None = None
        self.clock = 0
        self.trades: list[tuple[str, str, int, int]] = []
        self.prints: list[int] = []  # prices traded since the stops were last checked

    def book(self, side: Side) -> list[tuple[str, int, int]]:
        return [(o.order_id, o.price, o.remaining) for o in self._sorted(side)]

    def waiting(self) -> list[tuple[str, int]]:
        return [(s.order_id, s.remaining) for s in self.stops]

    def apply(self, command: Command) -> list[tuple[str, str, int, int]]:
        self.trades = []
        self.prints = []
        for expired in [
            o for o in self.resting + self.stops if o.expires_at is not None and o.expires_at <= command.ts
        ]:
            self._remove(expired)
        if isinstance(command, PlaceOrder):
            self._place(command)
        elif isinstance(command, CancelOrder):
            cancelled = self._live(command.order_id)
            if cancelled is not None and self.state is not MarketState.HALTED:
                self._remove(cancelled)
        elif isinstance(command, CancelAll):
            if self.state is not MarketState.HALTED:
                for owned in [o for o in self.resting + self.stops if o.account == command.account]:
                    self._remove(owned)
        elif isinstance(command, AmendOrder):
            amended = self._live(command.order_id)
            if amended is not None and self.state is not MarketState.HALTED and 0 < command.qty < amended.remaining:
                amended.remaining = command.qty
        elif isinstance(command, SetMarketState):
            self.state = command.state
        elif isinstance(command, SetReferencePrice):
            if 0 <= command.at_least <= command.at_most:  # at most 0: unknown
                self.reference = (command.at_least, command.at_most) if command.at_most else None
                if self.reference is not None and self.state is MarketState.OPEN:
                    self._fire(self.reference)
        else:
            assert isinstance(command, AddMarket | ExpireOrders)
        return self.trades

    def _place(self, c: PlaceOrder) -> None:
        if self.state is not MarketState.OPEN or self._live(c.order_id) is not None:
            return
        if c.expires_at is not None and c.expires_at <= c.ts:
            return
        self.clock += 1
        order = NaiveOrder(c.order_id, c.account, c.side, c.order_type, c.price, c.qty, c.stp, c.expires_at,
                           self.clock, c.stop_price, c.reference_trigger)  # fmt: skip
        if c.order_type in STOPS:
            if not self._due(order, self.reference, [] if self.last_price is None else [self.last_price]):
                self.stops.append(order)
            return
        tif = c.tif or (TimeInForce.IOC if c.order_type is OrderType.MARKET else TimeInForce.GTC)
        opposite = self._sorted(Side.SELL if c.side is Side.BUY else Side.BUY)
        if tif is TimeInForce.POST_ONLY and opposite and self._crosses(order, opposite[0]):
            return
        if tif is TimeInForce.FOK and not self._fok_fillable(order, opposite):
            return
        self._execute(order, rest=tif in (TimeInForce.GTC, TimeInForce.POST_ONLY))
        if self.prints:
            self._fire(None)

    def _fire(self, reference: tuple[int, int] | None) -> None:
        """Every due stop fires, oldest first, round after round until none is due: a round checks every price
        traded since the one before; stops watching the reference are due only on `reference`, one just set (None
        after a trade)."""
        while True:
            prints, self.prints = self.prints, []
            due = [s for s in self.stops if self._due(s, reference, prints)]
            if not due:
                return
            for stop in due:
                self.stops.remove(stop)
                self.clock += 1
                stop.time = self.clock
                self._execute(stop, rest=stop.order_type not in MARKET_KINDS)

    def _execute(self, taker: NaiveOrder, rest: bool) -> None:
        while taker.remaining:
            opposite = self._sorted(Side.SELL if taker.side is Side.BUY else Side.BUY)
            if not opposite or not self._crosses(taker, opposite[0]):
                break
            maker = opposite[0]
            if maker.account == taker.account:
                if taker.stp is not SelfTradePrevention.CANCEL_TAKER:
                    self.resting.remove(maker)
                if taker.stp is not SelfTradePrevention.CANCEL_MAKER:
                    return
                continue
            qty = min(taker.remaining, maker.remaining)
            self.trades.append((maker.order_id, taker.order_id, maker.price, qty))
            self.last_price = maker.price
            self.prints.append(maker.price)
            taker.remaining -= qty
            maker.remaining -= qty
            if not maker.remaining:
                self.resting.remove(maker)
        if taker.remaining and rest:
            self.clock += 1
            taker.time = self.clock
            self.resting.append(taker)

    def _fok_fillable(self, taker: NaiveOrder, opposite: list[NaiveOrder]) -> bool:
        total = 0
        for maker in opposite:
            if not self._crosses(taker, maker):
                break
            if maker.account == taker.account:
                if taker.stp is SelfTradePrevention.CANCEL_MAKER:
                    continue
                break
            total += maker.remaining
        return total >= taker.remaining

    @staticmethod
    def _crosses(taker: NaiveOrder, maker: NaiveOrder) -> bool:
        return maker.price <= taker.price if taker.side is Side.BUY else maker.price >= taker.price

    def _due(self, stop: NaiveOrder, reference: tuple[int, int] | None, prints: list[int]) -> bool:
        assert stop.stop_price is not None
        is_stop = stop.order_type in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)
        rises = (stop.side is Side.BUY) == is_stop  # buy stop, sell take-profit
        if stop.on_reference:  # every price of the reference range must be past the stop price
            if reference is None:
                return False
            low, high = reference
            return low >= stop.stop_price if rises else high <= stop.stop_price
        return any(p >= stop.stop_price if rises else p <= stop.stop_price for p in prints)

    def _sorted(self, side: Side) -> list[NaiveOrder]:
        orders = [o for o in self.resting if o.side is side]
        return sorted(orders, key=lambda o: (-o.price if side is Side.BUY else o.price, o.time))

    def _live(self, order_id: str) -> NaiveOrder | None:
        return next((o for o in self.resting + self.stops if o.order_id == order_id), None)

    def _remove(self, order: NaiveOrder) -> None:
        (self.stops if order in self.stops else self.resting).remove(order)
