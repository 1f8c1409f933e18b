"""Following a book stream: its `seq`, and the range of prices its snapshot covers.

A book subscription sends a snapshot of the best `depth` levels per side, then deltas of EVERY level. Past a cut
snapshot's last price (a side with `depth` levels may have more), a level that has not changed since is unknown: a
delta there would leave a book with holes, so it is not passed on. The stream asks for more depth than it was given
(as the dApp does: 200 for the 50 it shows) and, once fewer levels than it was given are known on a cut side (the
best ones taken), subscribes again for a fresh snapshot (see dapp/src/features/orderbook/book-state.ts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.client.errors import BOOK_GAP, HdexClientError

DEFAULT_DEPTH = 50  # the API's, for a subscription that names none
MAX_DEPTH = 1000  # the most the API sends
DEPTH_FACTOR = 4  # levels asked for per level given: levels that far down are seldom all taken before a resubscribe
SIDES = {"bids": "buy", "asks": "sell"}


def depth_asked(depth: Any) -> Any:
    """The depth to subscribe with for a caller's `depth`; one the API refuses is sent as it is (refused there)."""
    if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= MAX_DEPTH:
        return depth
    return min(MAX_DEPTH, depth * DEPTH_FACTOR)


@dataclass
class FollowedBook:
    """What a stream knows of one market's book. `depth`: the depth the caller gave, `asked`: the one subscribed
    with; per side, the prices known (a level in the covered range) and the worst covered price (None: all)."""

    depth: int = DEFAULT_DEPTH
    asked: int = DEFAULT_DEPTH * DEPTH_FACTOR
    seq: int | None = None
    known: dict[str, set[int]] = field(default_factory=lambda: {"buy": set(), "sell": set()})
    known_to: dict[str, int | None] = field(default_factory=lambda: {"buy": None, "sell": None})
    refreshing: bool = False  # a fresh snapshot was asked for and has not come yet

    @classmethod
    def subscribed(cls, subscription: dict[str, Any]) -> FollowedBook:
        depth = subscription.get("depth", DEFAULT_DEPTH)
        return cls(depth, depth_asked(depth))

    def start(self, message: dict[str, Any]) -> None:
        """A snapshot: the book afresh. A side of `asked` levels is cut at its last price; a shorter one is whole."""
        self.seq, self.refreshing = int(message["seq"]), False
        for name, side in SIDES.items():
            prices = [int(price) for price, _ in message.get(name) or []]  # a side with no level may be left out
            self.known[side] = set(prices)
            self.known_to[side] = prices[-1] if prices and len(prices) >= self.asked else None

    def covers(self, side: str, price: int) -> bool:
        """Whether `price` lies where every level of `side` is known (at or better than the snapshot's last)."""
        known_to = self.known_to[side]
        return known_to is None or (price >= known_to if side == "buy" else price <= known_to)

    def apply(self, message: dict[str, Any]) -> bool:
        """A delta (the next seq): whether it is inside the covered range, so to be passed on."""
        side, price = message["side"], int(message["price"])
        if not self.covers(side, price):
            return False
        if int(message["qty"]) == 0:
            self.known[side].discard(price)
        else:
            self.known[side].add(price)
        return True

    def needs_snapshot(self) -> bool:
        """Whether a cut side has fewer known levels than the caller's depth (and no fresh snapshot is on its way)."""
        short = any(self.known_to[side] is not None and len(self.known[side]) < self.depth for side in self.known)
        return short and not self.refreshing


def follow_book(books: dict[str, FollowedBook], message: dict[str, Any]) -> bool:
    """Whether a stream message is to be passed on, keeping each market's book state (seq, covered range) in `books`. A
    snapshot starts its book afresh; a delta before the first snapshot, or at or below the book's seq, is already in
    it (sent before a newer snapshot) and skipped; a delta beyond the next seq means a lost message: BOOK_GAP, as
    does the server's gap notice for a book (`{"op": "gap", "channel": "book:<market>"}`; one for another channel is
    passed on). A delta past the snapshot's range is skipped too (its seq counted): the levels between are unknown."""
    if message.get("op") == "gap" and str(message.get("channel", "")).startswith("book:"):
        raise HdexClientError(0, BOOK_GAP, f"the server lost messages of {message['channel']}: resubscribe")
    if message.get("channel") != "book":
        return True
    market, seq = message["market"], int(message["seq"])
    book = books.setdefault(market, FollowedBook())
    if message.get("type") != "delta":
        book.start(message)
        return True
    if book.seq is None:  # before the book's snapshot, which holds it: alone it would read as the whole book
        return False
    if seq <= book.seq:
        return False
    if seq > book.seq + 1:
        raise HdexClientError(0, BOOK_GAP, f"book {market} jumped from seq {book.seq} to {seq}: resubscribe")
    book.seq = seq
    return book.apply(message)
