"""Stateful property test: random deposits, settlements, cancels, withdrawals and exits.

After every step, for every token:
- the sum of vault balances equals the token balance held by the Exchange;
- every wallet's balance equals a shadow ledger that only moves on a deposit, a relayed withdrawal the wallet
  signed, an exit, a fee, or a TradeSettled whose two orders we signed and whose amounts respect both signed
  limit prices, both fills and both fee caps (so no balance goes negative or rises without cause).
"""

from typing import ClassVar

from conftest import E6, E18, MAKER_FEE_RATE, TAKER_FEE_RATE
from exchange_signing import SELL, Withdrawal, sign_withdrawal, trade
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

PRICE = 2000 * E6


st_trader = st.integers(0, 3)
st_other = st.integers(1, 3)
st_token = st.integers(0, 1)
st_base = st.integers(0, 3_000_000).map(lambda micro: micro * 10**12)  # up to 3 WETH in 1e-6 steps
st_price_bp = st.integers(9_000, 11_000)  # trade price in basis points of 2000 (or offset from the mid)
st_limit_bp = st.integers(9_500, 10_500)
st_fee_bp = st.integers(0, 15)  # fee in basis points of what is received (schedule caps: 10 maker, 20 taker)
st_amount = st.integers(1, 2_000_000 * E6)
st_pick = st.integers(0, 2**64)


class VaultMachine(RuleBasedStateMachine):
    """Bound to the deployed stack through class attributes (hypothesis instantiates the class itself)."""

    exchange = book = traders = tokens = fee_recipient = operator = chain = deployer = None
    seen: ClassVar[dict[str, int]] = {}

    def _count(self, what):
        self.seen[what] = self.seen.get(what, 0) + 1

    def __init__(self):
        super().__init__()
        self.chain.revert()
        self.wallets = [t.address for t in self.traders] + [self.fee_recipient.address]
        self.ledger = {(w, tok.address): self.exchange.balanceOf(w, tok) for w in self.wallets for tok in self.tokens}
        self.orders = {}  # order hash -> (Order, key)
        self.filled = {}
        self.nonce = 1000

    # ------------------------------------------------------------------ rules

    @rule(st_trader=st_trader, st_token=st_token, st_amount=st_amount)
    def deposit(self, st_trader, st_token, st_amount):
        trader, token = self.traders[st_trader], self.tokens[st_token]
        amount = st_amount if st_token == 1 else st_amount * 10**9
        token.mint(trader.account, amount, {"from": self.deployer})
        token.approve(self.exchange, amount, {"from": trader.account})
        self.exchange.depositToken(token, amount, {"from": trader.account})
        self.ledger[(trader.address, token.address)] += amount

    @rule(st_trader=st_trader, st_other=st_other, st_base=st_base, st_price_bp=st_price_bp, st_limit_bp=st_limit_bp,
          st_fee_bp=st_fee_bp, st_pick=st_pick)
    def trade_new_orders(self, st_trader, st_other, st_base, st_price_bp, st_limit_bp, st_fee_bp, st_pick):
        maker = self.traders[st_trader]
        taker = self.traders[(st_trader + st_other) % len(self.traders)]
        maker_side = st_pick % 2
        self.nonce += 1
        size = max(st_base, 1) * 2
        # limits 5% either side of a random mid: the trade price (mid +-10%) crosses them about half the time
        sell_limit, buy_limit = PRICE * (st_limit_bp - 500) // 10_000, PRICE * (st_limit_bp + 500) // 10_000
        maker_limit, taker_limit = (sell_limit, buy_limit) if maker_side == SELL else (buy_limit, sell_limit)
        maker_order = self.book.order(maker, maker_side, size, maker_limit, nonce=self.nonce,
                                      maxFeeRate=10_000 if st_pick % 3 else (st_pick >> 8) % 3_000)
        taker_order = self.book.order(taker, 1 - maker_side, size, taker_limit, nonce=self.nonce)
        self._remember(maker_order, maker.key)
        self._remember(taker_order, taker.key)
        # the trade price: the mid moved by (st_price_bp - 10,000) / 2, i.e. up to 5% off, mostly inside the limits
        self._settle([(maker_order, maker.key), (taker_order, taker.key)], st_base,
                     st_limit_bp + (st_price_bp - 10_000) // 2, st_fee_bp)

    @rule(st_base=st_base, st_price_bp=st_price_bp, st_fee_bp=st_fee_bp, st_pick=st_pick)
    def trade_seen_orders(self, st_base, st_price_bp, st_fee_bp, st_pick):
        if len(self.orders) < 2:
            return
        hashes = sorted(self.orders)
        a = self.orders[hashes[st_pick % len(hashes)]]
        b = self.orders[hashes[(st_pick // 7) % len(hashes)]]
        if a[0] == b[0]:
            return
        self._settle([a, b], st_base, st_price_bp, st_fee_bp)

    @rule(st_pick=st_pick)
    def cancel(self, st_pick):
        if not self.orders:
            return
        order, _key = self.orders[sorted(self.orders)[st_pick % len(self.orders)]]
        trader = next(t for t in self.traders if t.address == order.maker)
        self.exchange.cancelOrders([order.as_tuple()], {"from": trader.account})

    @rule(st_trader=st_trader, st_token=st_token, st_amount=st_amount, st_fee_bp=st_fee_bp)
    def withdraw(self, st_trader, st_token, st_amount, st_fee_bp):
        trader, token = self.traders[st_trader], self.tokens[st_token]
        balance = self.ledger[(trader.address, token.address)]
        amount = min(st_amount, balance) if st_fee_bp % 2 else st_amount  # sometimes more than the balance
        if amount == 0:
            return
        self.nonce += 1
        fee = amount * st_fee_bp // 10_000
        w = Withdrawal(wallet=trader.address, token=token.address, amount=amount, maxFee=fee,
                       recipient=trader.address, nonce=self.nonce)
        signature = sign_withdrawal(w, trader.key, self.chain.id, self.exchange.address)
        if amount > balance:
            try:
                self.exchange.withdraw(w.as_tuple(), signature, fee, {"from": self.operator})
            except Exception:
                return
            raise AssertionError("withdrawal above the balance went through")
        self.exchange.withdraw(w.as_tuple(), signature, fee, {"from": self.operator})
        self._count("withdrawn")
        self.ledger[(trader.address, token.address)] -= amount
        self.ledger[(self.fee_recipient.address, token.address)] += fee

    @rule(st_trader=st_trader, st_token=st_token)
    def exit_and_come_back(self, st_trader, st_token):
        trader, token = self.traders[st_trader], self.tokens[st_token]
        self.exchange.requestExit({"from": trader.account})
        self.chain.sleep(self.exchange.exitDelay() + 1)
        self.chain.mine()
        if self.ledger[(trader.address, token.address)] > 0:
            self.exchange.withdrawExited(token, {"from": trader.account})
            self.ledger[(trader.address, token.address)] = 0
        self.exchange.cancelExit({"from": trader.account})

    # ------------------------------------------------------------------ invariants

    @invariant()
    def vault_sums_equal_token_holdings(self):
        for token in self.tokens:
            total = sum(self.exchange.balanceOf(w, token) for w in self.wallets)
            assert total == token.balanceOf(self.exchange)

    @invariant()
    def balances_match_the_shadow_ledger(self):
        for (wallet, token), expected in self.ledger.items():
            assert expected >= 0
            assert self.exchange.balanceOf(wallet, token) == expected

    @invariant()
    def no_order_is_overfilled(self):
        for h, (order, _) in self.orders.items():
            assert self.exchange.orderStatus(h)[0] <= order.baseAmount

    # ------------------------------------------------------------------ helpers

    def _remember(self, order, key):
        self.orders[bytes(self.book.hash(order))] = (order, key)

    def _settle(self, legs, base, price_bp, fee_bp):
        quote = base * PRICE * price_bp // 10_000 // E18
        makers_receive_quote = legs[0][0].side == SELL
        maker_receives, taker_receives = (quote, base) if makers_receive_quote else (base, quote)
        maker_fee = maker_receives * fee_bp // 10_000
        taker_fee = taker_receives * fee_bp // 10_000
        tx = self.book.settle(legs, [trade(0, 1, base, quote, maker_fee, taker_fee)])
        for event in tx.events["TradeSettled"] if "TradeSettled" in tx.events else []:  # noqa: SIM401
            self._apply(event)
            self._count("settled")
        if "TradeSkipped" in tx.events:
            self._count("skipped")

    def _apply(self, e):
        maker_order, _ = self.orders[bytes(e["makerOrderHash"])]
        taker_order, _ = self.orders[bytes(e["takerOrderHash"])]
        base, quote = e["baseAmount"], e["quoteAmount"]
        seller, buyer = (maker_order, taker_order) if maker_order.side == SELL else (taker_order, maker_order)
        assert quote * E18 >= base * seller.limitPrice, "seller limit broken"
        assert quote * E18 <= base * buyer.limitPrice, "buyer limit broken"
        maker_receives = quote if maker_order.side == SELL else base
        taker_receives = base if maker_order.side == SELL else quote
        assert e["makerFee"] * 10**6 <= maker_receives * min(maker_order.maxFeeRate, MAKER_FEE_RATE)
        assert e["takerFee"] * 10**6 <= taker_receives * min(taker_order.maxFeeRate, TAKER_FEE_RATE)
        for order in (maker_order, taker_order):
            h = bytes(self.book.hash(order))
            self.filled[h] = self.filled.get(h, 0) + base
            assert self.filled[h] <= order.baseAmount, "overfill"
        buyer_fee, seller_fee = ((e["takerFee"], e["makerFee"]) if maker_order.side == SELL
                                 else (e["makerFee"], e["takerFee"]))
        b, q = maker_order.baseToken, maker_order.quoteToken
        self.ledger[(seller.maker, b)] -= base
        self.ledger[(buyer.maker, q)] -= quote
        self.ledger[(buyer.maker, b)] += base - buyer_fee
        self.ledger[(seller.maker, q)] += quote - seller_fee
        self.ledger[(self.fee_recipient.address, b)] += buyer_fee
        self.ledger[(self.fee_recipient.address, q)] += seller_fee


def test_random_operations_keep_the_vault_consistent(exchange, book, traders, base_token, quote_token, fee_recipient,
                                                     operator, chain, deployer):
    VaultMachine.exchange, VaultMachine.book, VaultMachine.traders = exchange, book, traders
    VaultMachine.tokens, VaultMachine.fee_recipient = [base_token, quote_token], fee_recipient
    VaultMachine.operator, VaultMachine.chain, VaultMachine.deployer = operator, chain, deployer
    chain.snapshot()
    run_state_machine_as_test(
        VaultMachine,
        settings=settings(max_examples=15, stateful_step_count=20, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck)),
    )
    # the run must have exercised both outcomes of settlement and the withdrawal path
    assert VaultMachine.seen.get("settled", 0) > 0 and VaultMachine.seen.get("skipped", 0) > 0, VaultMachine.seen
    print(VaultMachine.seen)
