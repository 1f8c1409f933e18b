"""The engine host's market-risk state: each market's settings, reference price and halt, each account's open
notional per market, and the moves seen since the host last looked (rules in `backend.trading.rules.risk`).

The host owns one desk and tells it what happens (trades, orders opened and closed, settings read); the desk
answers the pre-trade questions (halted? within the band? within the limits?) and says which trades moved a
market far enough for an alert or a halt. It does no I/O: the host writes halts and alerts with its batch.
Time is the host's clock (`clock()`, epoch ms), which tests move.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from backend.engine import Engine, PlaceOrder, Side
from backend.trading.rules.markets import highest_price, quote_amount
from backend.trading.rules.reference import ReferencePrice
from backend.trading.rules.risk import (
    Halt,
    Move,
    RiskSettings,
    assess_move,
    check_band,
    check_open_notional,
    check_order_limits,
    circuit_breaker_error,
    is_aggressive,
)

# A seen move: (market, how far, the reference, the trade's price).
SeenMove = tuple[str, Move, int, int]


class RiskDesk:
    """See the module docs."""

    def __init__(self, defaults: RiskSettings, clock: Callable[[], int]) -> None:
        self.defaults = defaults
        self.clock = clock
        self._settings: dict[str, RiskSettings] = {}
        self._references: dict[str, ReferencePrice] = {}
        self._halts: dict[str, Halt] = {}  # active risk halts (until passed: ended by the host's next look)
        self._open: defaultdict[tuple[str, str], int] = defaultdict(int)  # (maker, market) -> open notional
        self._alerted_window: dict[str, int] = {}  # market -> the window whose volatility alert was raised
        self._moves: dict[str, tuple[Move, int, int]] = {}  # market -> the largest move since `take_moves`

    # settings and reference prices

    def define(self, market: str, overrides: Mapping[str, Any] | None, last_price: int | None) -> None:
        """A market's own settings (`market_risk` columns; None values and a None mapping keep the defaults);
        its reference starts at `last_price` if the market is new to the desk."""
        resolved = self.defaults.overridden(dict(overrides)) if overrides else self.defaults
        self._settings[market] = resolved
        reference = self._references.get(market)
        if reference is None:
            self._references[market] = ReferencePrice(resolved.window_s * 1000, last_price)
        else:
            reference.window_ms = resolved.window_s * 1000

    def settings(self, market: str) -> RiskSettings:
        return self._settings.get(market, self.defaults)

    def reference(self, market: str) -> int | None:
        """The market's reference price now (`backend.trading.rules.reference`), None before its first trade."""
        reference = self._references.get(market)
        return None if reference is None else reference.value(self.clock())

    # halts

    @property
    def halts(self) -> dict[str, Halt]:
        """The active halts by market (read-only by convention: change them through `halt` and `end_halt`)."""
        return self._halts

    def halt(self, halt: Halt) -> Halt:
        """Start `halt`, or lengthen the market's current one to the later end; returns the halt in force."""
        current = self._halts.get(halt.market)
        if current is not None and current.until_ms >= halt.until_ms:
            return current
        self._halts[halt.market] = halt
        return halt

    def end_halt(self, market: str) -> Halt | None:
        """End the market's halt (cool-down over, or cleared); the reference restarts at the halt's price."""
        halt = self._halts.pop(market, None)
        if halt is not None and halt.price is not None and market in self._references:
            self._references[market].reset(halt.price)
        return halt

    def due_to_reopen(self) -> list[str]:
        """Markets whose halt's cool-down is over."""
        now = self.clock()
        return [market for market, halt in self._halts.items() if halt.until_ms <= now]

    # open notional

    def open_notional(self, maker: str, market: str) -> int:
        return self._open.get((maker, market), 0)

    def opened(self, maker: str, market: str, base_amount: int, limit_price: int) -> None:
        """An order's `base_amount` at `limit_price` is open (placed, or adopted at start)."""
        self._open[(maker, market)] += quote_amount(base_amount, limit_price)

    def closed(self, maker: str, market: str, base_amount: int, limit_price: int) -> None:
        """`base_amount` of an order is no longer open (filled, cancelled, expired)."""
        key = (maker, market)
        left = self._open[key] - quote_amount(base_amount, limit_price)
        if left > 0:
            self._open[key] = left
        else:
            del self._open[key]

    # pre-trade

    def check_halt(self, market: str) -> None:
        """MARKET_CIRCUIT_BREAKER while the market's risk halt lasts."""
        halt = self._halts.get(market)
        if halt is not None and halt.until_ms > self.clock():
            raise circuit_breaker_error(halt)

    def check_order(
        self,
        market: str,
        maker: str,
        command: PlaceOrder,
        *,
        takes_liquidity_later: bool,
        post_only: bool,
        book: Engine,
    ) -> None:
        """Refuse an order outside the band (aggressive orders: crossing the book now, or
        `takes_liquidity_later` as a stop order does) or above a limit; `HdexError` says which. `book` is read
        for the best opposite price when a band applies, and for a sell's best bid when a limit does: an order's
        notional is the most it can trade for now (`highest_price`), a sell's at the best bid if that is higher."""
        settings = self._settings.get(market, self.defaults)
        if (settings.band_bps and not post_only) and (takes_liquidity_later or self._crosses(book, market, command)):
            reference = self.reference(market)
            if reference is not None:
                check_band(command.price, reference, settings.band_bps)
        if (
            settings.max_order_base is None
            and settings.max_order_notional is None
            and (settings.max_open_notional is None)
        ):
            return
        price = highest_price(command, book.best_bid(market))
        priced_at = "limitPrice" if price == command.price else f"{price}, the most a sell can be paid now"
        notional = quote_amount(command.qty, price)
        check_order_limits(command.qty, notional, settings, priced_at)
        check_open_notional(self.open_notional(maker, market), notional, settings)

    @staticmethod
    def _crosses(book: Engine, market: str, command: PlaceOrder) -> bool:
        if command.side is Side.BUY:
            return is_aggressive(0, command.price, None, book.best_ask(market))
        return is_aggressive(1, command.price, book.best_bid(market), None)

    # the circuit breaker

    def trade(self, market: str, price: int) -> None:
        """A trade happened: measure it against the reference, then let it into the history."""
        reference = self._references.get(market)
        if reference is None:
            return
        now = self.clock()
        before = reference.value(now)
        reference.record(now, price)
        if before is None:
            return
        move = assess_move(before, price, self._settings.get(market, self.defaults))
        if move is not Move.CALM:
            seen = self._moves.get(market)
            if seen is None or move > seen[0] or (move == seen[0] and abs(price - before) > abs(seen[2] - seen[1])):
                self._moves[market] = (move, before, price)

    @property
    def moved(self) -> bool:
        """Whether a trade moved a market past its alert threshold since `take_moves`."""
        return bool(self._moves)

    def take_moves(self) -> list[SeenMove]:
        """The largest move of each market since the last call."""
        moves = [(market, move, reference, price) for market, (move, reference, price) in self._moves.items()]
        self._moves.clear()
        return moves

    def alert_window(self, market: str) -> int | None:
        """The breaker window's number when a volatility alert is due now (once per market and window), else None."""
        window = self.clock() // (self.settings(market).window_s * 1000)
        if self._alerted_window.get(market) == window:
            return None
        self._alerted_window[market] = window
        return window
