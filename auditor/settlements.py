"""Each executed trade of a `settle` transaction, re-verified from its calldata against the rules of
IExchange.sol: orders still valid (not revoked or expired), signatures, stop orders triggered, limit prices, fills
across all batches, fees, and agreement with the events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from auditor.abi import Call, Event, Order, SettleCall, Trade, UndecodableCall
from auditor.orders import FLAG_FILL_OR_KILL, FLAG_POST_ONLY, KNOWN_FLAGS, ContractWallets, Domain, judge_signature
from auditor.state import AuditState, Check
from auditor.stops import PriceSources, is_stop, stop_failure
from auditor.validity import OpeningWallet, revocations

PRICE_SCALE = 10**18
FEE_RATE_SCALE = 10**6
# The contract's hard cap on any fee rate (IExchange: MAX_FEE_RATE, 1% of the amount received).
MAX_FEE_RATE = 10_000
SELL = 1
# An order's fill, whether its signature was already verified and whether its maker cancelled it, before the
# audited range (given the order and its hash: an order filled completely in one batch is recorded by its maker and
# nonce, not by its hash).
OpeningOrder = Callable[[Order, str], tuple[int, bool, bool]]
# A block's timestamp.
BlockTime = Callable[[int], int]


class ChainViews(ContractWallets, PriceSources, Protocol):
    """What the settlement checks ask the chain besides its events (`ChainReader`)."""


class SettlementVerifier:
    """Verifies `settle` transactions in chain order, keeping fills, verified signatures and used nonces in the
    state."""

    def __init__(
        self,
        domain: Domain,
        opening_order: OpeningOrder,
        opening_wallet: OpeningWallet,
        chain: ChainViews,
        block_time: BlockTime,
    ) -> None:
        self.domain = domain
        self.opening_order = opening_order
        self.opening_wallet = opening_wallet
        self.chain = chain
        self.block_time = block_time
        self._digests: dict[Order, str] = {}

    def digest(self, order: Order) -> str:
        """The order's EIP-712 digest (cached: an order travels again in each batch that fills it)."""
        digest = self._digests.get(order)
        if digest is None:
            digest = self._digests[order] = self.domain.digest(order)
        return digest

    def verify(self, state: AuditState, call: Call, events: Sequence[Event]) -> None:
        """Checks every executed trade of one settle transaction (its Exchange `events` in log order)."""
        settled = [e for e in events if e.name == "TradeSettled"]
        skipped = {int(e.args["tradeIndex"]) for e in events if e.name == "TradeSkipped"}
        check = Check(state, events[0])
        state.count("settlements")
        state.count("trades_skipped", len(skipped))
        # Reported, and the audit goes on: an undecodable call cannot blind the auditor.
        if isinstance(call, UndecodableCall) and call.function == "settle":
            check.fail("settlement-undecodable", f"the settle call's arguments do not decode as the ABI encodes them "
                                                 f"({call.reason}): its trades cannot be checked")  # fmt: skip
            return
        if not isinstance(call, SettleCall):
            check.fail("settlement-undecodable", "the transaction's input is not a direct call of settle")
            return
        executed = [trade for index, trade in enumerate(call.trades) if index not in skipped]
        if len(executed) != len(settled):
            check.fail("trade-event-mismatch", f"{len(executed)} trades not skipped but {len(settled)} TradeSettled")
            return
        timestamp = self.block_time(events[0].block) if executed else 0
        fees: dict[str, int] = {}
        traded: dict[int, int] = {}  # indexes of the orders that traded, in order: their fill before the batch
        for trade, event in zip(executed, settled, strict=True):
            check = Check(state, event)
            if max(trade.maker_index, trade.taker_index) >= len(call.orders):
                check.fail("trade-event-mismatch", "a settled trade names an order outside the batch")
                continue
            for index in (trade.maker_index, trade.taker_index):
                if index not in traded:  # the contract judges each order once, before the batch's trades
                    self._check_still_valid(state, check, call.orders[index], timestamp)
                    traded[index] = state.fills[self.digest(call.orders[index])]
            self._verify_trade(state, check, call, trade, event)
            maker = call.orders[trade.maker_index]
            buyer_fee, seller_fee = (
                (trade.taker_fee, trade.maker_fee) if maker.side == SELL else (trade.maker_fee, trade.taker_fee)
            )
            fees[maker.base_token] = fees.get(maker.base_token, 0) + buyer_fee
            fees[maker.quote_token] = fees.get(maker.quote_token, 0) + seller_fee
            state.count("trades_verified")
        self._check_fill_or_kill(state, events[0], call, skipped, traded)
        # Only now: two orders of one maker with one nonce may both trade in the same batch.
        state.used_nonces.update((call.orders[i].maker, call.orders[i].nonce) for i in traded)
        collected: dict[str, int] = {}  # summed: two events of one token both credit the fee recipient
        for e in events:
            if e.name == "FeesCollected":
                collected[str(e.args["token"])] = collected.get(str(e.args["token"]), 0) + int(e.args["amount"])
        if {t: a for t, a in fees.items() if a} != collected:
            Check(state, events[-1]).fail(
                "fees-collected-mismatch", "FeesCollected does not equal the fees of the batch's trades",
                expected=str(fees), collected=str(collected),
            )  # fmt: skip

    def _check_fill_or_kill(
        self, state: AuditState, event: Event, call: SettleCall, skipped: set[int], traded: dict[int, int]
    ) -> None:
        """A fill-or-kill order settles whole in one batch or not at all, as the whole of one run (`_run`): no fill
        before the batch, all of it in it."""
        for index, before in traded.items():
            order = call.orders[index]
            if not order.flags & FLAG_FILL_OR_KILL:
                continue
            order_hash = self.digest(order)
            in_batch = state.fills[order_hash] - before
            places = [p for p, trade in enumerate(call.trades) if trade.taker_index == index and p not in skipped]
            if places and places != (run := _run(call.trades, places[0])):
                Check(state, event).fail(
                    "fill-or-kill-not-whole", f"fill-or-kill order {order_hash} settled in trades {places} of the "
                    f"batch, not the whole run {run} of consecutive trades it takes", order=order_hash,
                )  # fmt: skip
            if before or in_batch != order.base_amount:
                Check(state, event).fail(
                    "fill-or-kill-not-whole", f"fill-or-kill order {order_hash} settled {in_batch} of its "
                    f"{order.base_amount} in this batch, {before} before it", order=order_hash,
                )  # fmt: skip

    def _check_still_valid(self, state: AuditState, check: Check, order: Order, timestamp: int) -> None:
        order_hash = self.digest(order)
        self._opening(state, order, order_hash)
        for revoked in revocations(state, order, order_hash, timestamp, self.opening_wallet):
            check.fail(revoked.kind, revoked.message, **revoked.details)

    def _verify_trade(self, state: AuditState, check: Check, call: SettleCall, trade: Trade, event: Event) -> None:
        maker, taker = call.orders[trade.maker_index], call.orders[trade.taker_index]
        maker_hash, taker_hash = self.digest(maker), self.digest(taker)
        _agrees_with_event(check, event, maker, taker, maker_hash, taker_hash, trade)
        self._check_signature(state, check, maker, maker_hash, call.signatures[trade.maker_index])
        self._check_signature(state, check, taker, taker_hash, call.signatures[trade.taker_index])
        base, quote = trade.base_amount, trade.quote_amount
        if maker.maker == taker.maker:
            check.fail("self-trade", f"{maker.maker} traded with itself")
        if (maker.base_token, maker.quote_token) != (taker.base_token, taker.quote_token) or maker.side == taker.side:
            check.fail("orders-do-not-match", "the orders are not opposite sides of one market")
        if taker.flags & FLAG_POST_ONLY:
            check.fail("post-only-taken", f"post-only order {taker_hash} was the taker")
        if maker.flags & FLAG_FILL_OR_KILL:
            check.fail("fill-or-kill-made", f"fill-or-kill order {maker_hash} was the maker")
        for order, order_hash in ((maker, maker_hash), (taker, taker_hash)):
            if order.flags & ~KNOWN_FLAGS:
                check.fail(
                    "unknown-flags", f"order {order_hash} carries flags {order.flags} the contract does not know"
                )
            if order.side > SELL or order.base_token == order.quote_token:
                check.fail("invalid-market", f"order {order_hash} has side {order.side} in {order.base_token}/"
                                             f"{order.quote_token}")  # fmt: skip
        if base == 0 or quote == 0:
            check.fail("zero-amount-trade", "the trade moves zero base or zero quote")
            return
        for order, order_hash, event_filled in (
            (maker, maker_hash, event.args["makerFilled"]),
            (taker, taker_hash, event.args["takerFilled"]),
        ):
            self._fill(state, check, order, order_hash, base, int(event_filled))
        seller, buyer = (maker, taker) if maker.side == SELL else (taker, maker)
        # The exact inequalities of IExchange: rounding never in the operator's favour.
        if quote * PRICE_SCALE < base * seller.limit_price:
            check.fail("limit-price-violated", f"the seller {seller.maker} received less than its limit price",
                       order=self.digest(seller), limit_price=str(seller.limit_price), base=str(base),
                       quote=str(quote))  # fmt: skip
        if quote * PRICE_SCALE > base * buyer.limit_price:
            check.fail("limit-price-violated", f"the buyer {buyer.maker} paid more than its limit price",
                       order=self.digest(buyer), limit_price=str(buyer.limit_price), base=str(base),
                       quote=str(quote))  # fmt: skip
        maker_rate, taker_rate = state.fee_schedule
        maker_receives, taker_receives = (quote, base) if maker.side == SELL else (base, quote)
        _check_fee(check, maker, maker_hash, trade.maker_fee, maker_receives, maker_rate)
        _check_fee(check, taker, taker_hash, trade.taker_fee, taker_receives, taker_rate)

    def _check_signature(
        self, state: AuditState, check: Check, order: Order, order_hash: str, signature: bytes
    ) -> None:
        self._opening(state, order, order_hash)
        if order_hash in state.verified:
            return  # the contract caches a signature once the order first trades; so does the audit
        if not signature:
            check.fail("signature-missing", f"order {order_hash} executed without any verified signature")
            return
        if judge_signature(check, self.chain, f"order {order_hash}", order.maker, order_hash, signature):
            state.verified.add(order_hash)
        # Checked with the signature, as the contract does: only on the order's first trade, before it has a counter.
        block = check.event.block
        if is_stop(order) and (why := stop_failure(self.chain, order, block, self.block_time(block))) is not None:
            check.fail("stop-not-triggered", f"stop order {order_hash} first traded although {why}", order=order_hash)

    def _opening(self, state: AuditState, order: Order, order_hash: str) -> None:
        if order_hash not in state.fills:
            filled, verified, cancelled = self.opening_order(order, order_hash)
            state.fills[order_hash] = filled
            if verified:
                state.verified.add(order_hash)
            if cancelled:
                state.cancelled.add(order_hash)

    def _fill(self, state: AuditState, check: Check, order: Order, order_hash: str, base: int, reported: int) -> None:
        self._opening(state, order, order_hash)
        filled = state.fills[order_hash] + base
        if filled > order.base_amount:
            check.fail("overfilled", f"order {order_hash} filled {filled} of its {order.base_amount}",
                       order=order_hash, filled=str(filled), base_amount=str(order.base_amount))  # fmt: skip
        state.fills[order_hash] = filled
        if filled != reported:
            check.fail("fill-mismatch", f"order {order_hash}: TradeSettled reports {reported} filled, rebuilt {filled}")


def _run(trades: Sequence[Trade], place: int) -> list[int]:
    """The positions in the call of the contract's fill-or-kill run holding trade `place`: the consecutive trades
    around it with its taker, skipped ones included, as `_settleWithFillOrKill` cuts them before settling any."""
    taker = trades[place].taker_index
    # The contract starts a run at a fill-or-kill taker's first trade after another taker's: the run reaches back to it.
    start, end = place, place + 1
    while start > 0 and trades[start - 1].taker_index == taker:
        start -= 1
    while end < len(trades) and trades[end].taker_index == taker:
        end += 1
    return list(range(start, end))


def _check_fee(check: Check, order: Order, order_hash: str, fee: int, received: int, schedule_rate: int) -> None:
    for kind, rate, what in (
        ("fee-above-signed-max", order.max_fee_rate, "the signed maximum"),
        ("fee-above-hard-cap", MAX_FEE_RATE, "the contract's hard cap"),
        ("fee-above-schedule", schedule_rate, "the fee schedule in force"),
    ):
        if fee * FEE_RATE_SCALE > received * rate:
            check.fail(kind, f"order {order_hash} paid fee {fee} on {received} received, above {what} ({rate}/1e6)",
                       order=order_hash, fee=str(fee), received=str(received), rate=str(rate))  # fmt: skip


def _agrees_with_event(
    check: Check, event: Event, maker: Order, taker: Order, maker_hash: str, taker_hash: str, trade: Trade
) -> None:
    """The TradeSettled event must describe the calldata's trade (so the balances rebuilt from it are the
    trades verified here)."""
    expected = {
        "maker": maker.maker, "taker": taker.maker, "makerOrderHash": maker_hash, "takerOrderHash": taker_hash,
        "baseToken": maker.base_token, "quoteToken": maker.quote_token, "makerSide": maker.side,
        "baseAmount": trade.base_amount, "quoteAmount": trade.quote_amount, "makerFee": trade.maker_fee,
        "takerFee": trade.taker_fee,
    }  # fmt: skip
    differing = sorted(k for k, v in expected.items() if event.args[k] != v)
    if differing:
        check.fail("trade-event-mismatch", f"TradeSettled differs from the signed orders and calldata in {differing}")
