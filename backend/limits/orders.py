"""The maximum order notional at order entry, on the engine host's hot path.

The engine host calls `OrderLimitGuard.check` after an order passed every other pre-trade check (its
signature first: a refusal here tells the maker's level, so only the maker may learn it). The check
costs no I/O in the steady state: a wallet's level and overrides are read once (on its first order, as
the host reads its balances), kept for `limits_cache_s` seconds, then re-read in a worker thread while
the kept values still serve; a staff override, a restricted country declared and a deletion request forget them
at once (`forget`). An order over the kept maximum is checked again on a fresh read before it is refused, so a
raised level counts at once (a lowered one within `limits_cache_s`). Prices are the engine's own last trade
prices: valuation reads nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from backend.bootstrap import Container
from backend.errors import ErrorCode, HdexError
from backend.limits.service import counted_limits, order_notional
from backend.limits.tiers import Overrides, TierLimits, tier_limits
from backend.limits.units import human
from backend.limits.valuation import LastPrice, ListedMarket, PriceBook

log = logging.getLogger(__name__)

MAX_WALLETS = 100_000  # kept at most; past it, the oldest half goes


@dataclass(frozen=True, slots=True)
class _Kept:
    level: int
    overrides: Overrides
    read_at: float


class OrderLimitGuard:
    """Refuses an order whose notional exceeds its maker's maximum (see the module docs)."""

    def __init__(self, container: Container, clock: Callable[[], float] = time.monotonic) -> None:
        self._container = container
        self._settings = container.settings
        self._clock = clock
        self._kept: dict[str, _Kept] = {}
        self._generation: dict[str, int] = {}  # bumped by `forget`: a re-read begun before it is dropped
        self._rereading: set[str] = set()
        self._book: PriceBook | None = None
        self._book_markets = -1
        self._book_prices: LastPrice | None = None
        self._tiers: dict[tuple[int, int], TierLimits] = {}  # (level, reference decimals) -> limits

    def check(
        self,
        maker: str,
        market: ListedMarket,
        base_amount: int,
        price: int,
        markets: Mapping[str, ListedMarket],
        last_price: LastPrice,
    ) -> None:
        """ORDER_NOTIONAL_LIMIT_EXCEEDED if the order (of `maker`, EIP-55, on `market`) is worth more than
        the maker may place, or cannot be valued. `price` is the highest it can trade at (for a buy its limit);
        `markets` and `last_price` are the engine host's."""
        book = self._price_book(markets, last_price)
        reference = book.reference
        if reference.decimals is None:
            raise HdexError(
                ErrorCode.ORDER_NOTIONAL_LIMIT_EXCEEDED,
                f"orders cannot be valued: no market lists the limits' reference token {reference.symbol}",
                "order",
            )
        notional = order_notional(book, market.base_token, market.quote_token, base_amount, price)
        kept, fresh = self._wallet(maker)
        most = self._most(kept, reference.decimals)
        if (notional is None or notional > most) and not fresh:
            # never refuse on kept values: a level raised since they were read counts at once
            kept = self._keep(maker, *self._read(maker))
            most = self._most(kept, reference.decimals)
        symbol = reference.symbol
        if notional is None:
            raise HdexError(
                ErrorCode.ORDER_NOTIONAL_LIMIT_EXCEEDED,
                f"this order cannot be valued in {symbol} (neither of {market.name}'s tokens has a last trade price "
                f"or a fixed price), so it cannot be checked against your maximum order of "
                f"{human(most, reference.decimals)} {symbol}",
                "order.baseAmount",
            )
        if notional > most:
            raise HdexError(
                ErrorCode.ORDER_NOTIONAL_LIMIT_EXCEEDED,
                f"this order is worth {human(notional, reference.decimals)} {symbol}; your maximum order is "
                f"{human(most, reference.decimals)} {symbol} (level {kept.level}): send a smaller baseAmount, "
                "or raise your KYC level",
                "order.baseAmount",
            )

    def _most(self, kept: _Kept, decimals: int) -> int:
        """The kept wallet's largest order: its override, else its level's (`counted_limits`: a wallet in a
        restricted country is kept at level 0 without overrides)."""
        if kept.overrides.max_order_notional is not None:
            return kept.overrides.max_order_notional
        tier = self._tiers.get((kept.level, decimals))
        if tier is None:  # the settings' decimal strings, parsed once per level (not per order)
            tier = self._tiers[(kept.level, decimals)] = tier_limits(self._settings, kept.level, decimals)
        return tier.max_order_notional

    def forget(self, wallet: str) -> None:
        """Read the wallet's level and overrides again at its next order (after staff changed them)."""
        self._kept.pop(wallet, None)
        self._generation[wallet] = self._generation.get(wallet, 0) + 1

    def _price_book(self, markets: Mapping[str, ListedMarket], last_price: LastPrice) -> PriceBook:
        # markets are only ever added (never renamed or re-pointed), so their count says when to rebuild; a
        # new engine host (a restart on the same container) brings its own prices
        if self._book is None or self._book_markets != len(markets) or self._book_prices != last_price:
            settings = self._settings
            self._book = PriceBook(
                list(markets.values()), last_price, settings.limits_reference_symbol, settings.limits_fixed_prices
            )
            self._book_markets, self._book_prices = len(markets), last_price
        return self._book

    def _wallet(self, wallet: str) -> tuple[_Kept, bool]:
        """The wallet's kept level and overrides, and whether they were read just now."""
        kept = self._kept.get(wallet)
        ttl = self._settings.limits_cache_s
        if kept is None or ttl == 0:
            return self._keep(wallet, *self._read(wallet)), True
        if self._clock() - kept.read_at > ttl and wallet not in self._rereading:
            self._reread_later(wallet)
        return kept, False

    def _read(self, wallet: str) -> tuple[int, Overrides]:
        try:
            with self._container.session_factory() as session:
                return counted_limits(session, self._settings, wallet)
        except SQLAlchemyError as exc:
            log.warning("order limits unreadable", extra={"wallet": wallet, "error": str(exc)})
            raise HdexError(ErrorCode.UNAVAILABLE, "order limits cannot be read right now; retry later") from None

    def _keep(self, wallet: str, level: int, overrides: Overrides) -> _Kept:
        if len(self._kept) >= MAX_WALLETS:
            for old in sorted(self._kept, key=lambda w: self._kept[w].read_at)[: MAX_WALLETS // 2]:
                del self._kept[old]
        kept = self._kept[wallet] = _Kept(level, overrides, self._clock())
        return kept

    def _reread_later(self, wallet: str) -> None:
        """Re-read in a worker thread; the kept values serve until it lands (on this loop)."""
        loop = asyncio.get_running_loop()
        generation = self._generation.get(wallet, 0)
        self._rereading.add(wallet)

        def landed(done: asyncio.Future[tuple[int, Overrides]]) -> None:
            self._rereading.discard(wallet)
            if done.cancelled() or done.exception() is not None:
                return  # logged by `_read`; the next order tries again
            if self._generation.get(wallet, 0) == generation:
                self._keep(wallet, *done.result())

        loop.run_in_executor(None, self._read, wallet).add_done_callback(landed)


def order_limits_for(container: Container) -> OrderLimitGuard:
    """The container's one guard: the engine host checks with it, staff overrides make it forget."""
    return container.shared(OrderLimitGuard)
