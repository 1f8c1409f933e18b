"""Stateful property test of the fill records: random batches, replays and cancels of a few orders whose nonces
collide on purpose, checked trade by trade against a model of the rules in IExchange "Fill records".

The subject orders are sells of alice and carol with nonces from a pool of four, so orders share nonces, bitmap
words and nonce windows, and a wallet's window moves up past a nonce and back below it; each trade's buyer is a new
order of bob for exactly the trade's amount (it never refuses). After every step the contract's records (counter,
cancel flag, nonce bits) equal the model's, the bitmap holds nothing at or above each wallet's window, and no order
has ever been filled beyond its amount according to the TradeSettled events.
"""

from collections import Counter
from typing import ClassVar

from conftest import (
    E18,
    PRICE_2000,
    assert_no_bitmap_bit_at_or_above_the_window,
    nonce_used,
    order_status,
    skipped_errors,
)
from exchange_signing import BUY, SELL, trade
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

LOT = E18 // 10
NONCES = (1, 2, 64, 300)  # 1 and 2 share a window, 64 is the next window of their word, 300 lies in the next word
st_subject = st.tuples(st.integers(0, 1), st.sampled_from(NONCES), st.integers(1, 6))  # maker, nonce, lots
st_fills = st.lists(st.tuples(st.integers(0, 1), st.integers(1, 3)), min_size=1, max_size=4)  # (subject, lots)


class FillRecordMachine(RuleBasedStateMachine):
    """Bound to the deployed stack through class attributes (hypothesis instantiates the class itself)."""

    exchange = book = traders = chain = None
    seen: ClassVar[Counter[str]] = Counter()  # outcomes over the whole run

    def __init__(self):
        super().__init__()
        self.chain.revert()
        self.bits = set()  # (maker, nonce)
        self.counters = {}  # order hash -> [filled, verified, cancelled]
        self.settled = {}  # order hash -> base filled according to the events
        self.orders = {}  # order hash -> Order
        self.buyer_nonce = 10**6

    def _makers(self):
        return self.traders[0], self.traders[2]  # alice, carol

    def _order(self, subject):
        maker, nonce, lots = subject
        trader = self._makers()[maker]
        order = self.book.order(trader, SELL, lots * LOT, PRICE_2000, nonce=nonce)
        self.orders[bytes(self.book.hash(order))] = order
        return order, trader

    # ------------------------------------------------------------------ model

    def _load(self, order):
        """(filled, has_counter, reason) at the start of a batch, as the contract decides it."""
        h = bytes(self.book.hash(order))
        if (order.maker, order.nonce) not in self.bits:
            return 0, False, None
        counter = self.counters.get(h)
        if counter and counter[2]:
            return 0, False, "OrderCancelled"
        if not counter or not counter[1]:
            return 0, False, "OrderNonceUsed"
        return counter[0], True, None

    # ------------------------------------------------------------------ rules

    @initialize()
    def start_with_two_partly_filled_orders_and_a_cancelled_one(self):
        self._settle([self._order((0, NONCES[0], 6)), self._order((1, NONCES[0], 6))], [(0, 1), (1, 2)])
        self.cancel((1, NONCES[1], 2))

    @rule(first=st_subject, second=st_subject, fills=st_fills)
    def settle_a_batch(self, first, second, fills):
        self._settle([self._order(first), self._order(second)], fills)

    @rule(pick=st.integers(0, 2**32), first=st_subject, fills=st_fills)
    def settle_an_order_seen_before(self, pick, first, fills):
        """An order seen before; every other time one holding a counter (so that partly filled orders trade on)."""
        live = sorted(h for h, (_, verified, cancelled) in self.counters.items() if verified and not cancelled)
        known = live if live and pick % 2 else sorted(self.orders)
        if not known:
            return
        seen = self.orders[known[pick % len(known)]]
        trader = next(t for t in self._makers() if t.address == seen.maker)
        self._settle([(seen, trader), self._order(first)], fills)

    def _settle(self, subjects, fills):
        if subjects[0][0] == subjects[1][0]:
            subjects = subjects[:1]
            fills = [(0, lots) for _, lots in fills]
        loaded = {bytes(self.book.hash(o)): list(self._load(o)) for o, _ in subjects}
        legs = [(o, t.key) for o, t in subjects]
        trades, expected = [], []
        bob = self.traders[1]
        for subject, lots in fills:
            order = subjects[subject][0]
            self.buyer_nonce += 1
            buy = self.book.order(bob, BUY, lots * LOT, PRICE_2000, nonce=self.buyer_nonce)
            legs.append((buy, bob.key))
            trades.append(trade(subject, len(legs) - 1, lots * LOT, lots * LOT * PRICE_2000 // E18))
            state = loaded[bytes(self.book.hash(order))]
            if state[2] is not None:
                expected.append(state[2])
            elif state[0] + lots * LOT > order.baseAmount:
                expected.append("OrderOverfilled")
            else:
                state[0] += lots * LOT
                state.append("touched")
                expected.append(state[0])  # the maker order's cumulative fill after this trade
        tx = self.book.settle(legs, trades)
        skipped = {index: name for index, (name, _) in skipped_errors(tx, self.exchange).items()}
        settled = iter(tx.events["TradeSettled"] if "TradeSettled" in tx.events else [])  # noqa: SIM401 (EventDict)
        for index, outcome in enumerate(expected):
            if isinstance(outcome, str):
                assert skipped.get(index) == outcome, (index, outcome)
                self.seen[outcome] += 1
                continue
            assert index not in skipped, (index, skipped[index])
            event = next(settled)
            assert event["makerFilled"] == outcome
            h = bytes(event["makerOrderHash"])
            self.settled[h] = self.settled.get(h, 0) + event["baseAmount"]
        for order, _ in subjects:
            h = bytes(self.book.hash(order))
            filled, has_counter, _reason, *touched = loaded[h]
            if not touched:
                continue
            if has_counter:
                self.counters[h][0] = filled
                self.seen["from a counter"] += 1
            else:
                self.bits.add((order.maker, order.nonce))
                if filled < order.baseAmount:
                    self.counters[h] = [filled, True, False]
            self.seen["settled"] += 1

    @rule(subject=st_subject)
    def cancel(self, subject):
        order, trader = self._order(subject)
        self.exchange.cancelOrders([order.as_tuple()], {"from": trader.account})
        h = bytes(self.book.hash(order))
        counter = self.counters.setdefault(h, [0, False, False])
        counter[2] = True
        self.bits.add((order.maker, order.nonce))

    # ------------------------------------------------------------------ invariants

    @invariant()
    def records_equal_the_model(self):
        for h, order in self.orders.items():
            counter = self.counters.get(h, [0, False, False])
            assert order_status(self.exchange, h) == tuple(counter)
            assert nonce_used(self.exchange, order) == ((order.maker, order.nonce) in self.bits)

    @invariant()
    def the_bitmap_holds_nothing_at_or_above_each_window(self):
        for maker in self._makers():
            assert_no_bitmap_bit_at_or_above_the_window(self.exchange, maker, up_to_word=max(NONCES) // 256 + 1)

    @invariant()
    def no_order_is_overfilled(self):
        for h, filled in self.settled.items():
            assert filled <= self.orders[h].baseAmount


def test_fill_records_follow_their_model(exchange, book, traders, chain):
    FillRecordMachine.exchange, FillRecordMachine.book = exchange, book
    FillRecordMachine.traders, FillRecordMachine.chain = traders, chain
    chain.snapshot()
    run_state_machine_as_test(
        FillRecordMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=15,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    # the run must have exercised every way the records refuse or admit an order
    for outcome in ("settled", "from a counter", "OrderNonceUsed", "OrderCancelled", "OrderOverfilled"):
        assert FillRecordMachine.seen[outcome] > 0, FillRecordMachine.seen
    print(FillRecordMachine.seen)
