"""Gas benchmark of the Exchange: prints one JSON line (run by `make bench-gas`).

Scenarios (every order is signed fresh unless said otherwise; balances are non-zero before each trade):
- settle_gas_single: one trade between two new orders, a batch of one.
- settle_gas_per_trade_batch20: a taker order sweeping 20 new resting maker orders of 20 makers (the shape of
  a batch where an incoming order crosses the book); gas of the batch / 20.
- settle_gas_per_trade_batch20_disjoint: 20 unrelated pairs, 40 new orders of 40 wallets (worst case).
- settle_gas_per_trade_batch20_seen: 20 trades between orders already partly filled (cached signatures).
- deposit_gas / deposit_ether_gas: an ERC-20 / ETH deposit into a balance that is already non-zero.
- withdraw_gas: an operator-relayed, user-signed ERC-20 withdrawal with a fee.
"""

import json

from conftest import E6, E18, Trader
from eth_utils import keccak
from exchange_signing import BUY, SELL, Withdrawal, compact, sign_withdrawal, trade

PRICE = 2000 * E6


def _wallets(accounts, exchange, base, quote, deployer, n):
    wallets = []
    for i in range(n):
        # deterministic keys: addresses and signatures (so calldata costs) are the same on every run
        account = accounts.add("0x" + keccak(text=f"hdex-bench-wallet-{i}").hex())
        deployer.transfer(account, 10**17)
        trader = Trader(account, account.private_key)
        for token, amount in ((base, 100 * E18), (quote, 1_000_000 * E6)):
            token.mint(account, amount, {"from": deployer})
            token.approve(exchange, amount, {"from": account})
            exchange.depositToken(token, amount, {"from": account})
        wallets.append(trader)
    return wallets


def _fee(amount, rate):
    return amount * rate // 10**6


def test_bench_gas(accounts, exchange, book, traders, base_token, quote_token, deployer, chain):
    results = {}
    wallets = _wallets(accounts, exchange, base_token, quote_token, deployer, 42)
    base, quote = E18 // 10, 200 * E6
    maker_fee, taker_fee = _fee(quote, 1_000), _fee(base, 2_000)

    # single
    a, b = wallets[0], wallets[1]
    single = [(book.order(a, SELL, E18, PRICE), a.key), (book.order(b, BUY, E18, PRICE), b.key)]
    tx = book.settle(
        [(order, compact(book.sign(order, key))) for order, key in single],
        [trade(0, 1, base, quote, maker_fee, taker_fee)],
    )
    assert "TradeSkipped" not in tx.events
    results["settle_gas_single"] = tx.gas_used

    # sweep: one taker against 20 makers
    taker = wallets[2]
    makers = wallets[3:23]
    legs = [(book.order(taker, BUY, 40 * base, PRICE, nonce=7), taker.key)]
    legs += [(book.order(m, SELL, E18, PRICE, nonce=7), m.key) for m in makers]
    # the relayer sends EOA signatures in EIP-2098 compact form (64 bytes: one calldata word less)
    legs = [(order, compact(book.sign(order, key))) for order, key in legs]
    tx = book.settle(legs, [trade(i + 1, 0, base, quote, maker_fee, taker_fee) for i in range(20)])
    assert "TradeSkipped" not in tx.events
    results["settle_gas_batch20"] = tx.gas_used
    results["settle_gas_per_trade_batch20"] = tx.gas_used // 20

    # seen: the same 20 maker orders and the taker order again (cached signatures, empty signature bytes)
    tx = book.settle([(o, b"") for o, _ in legs], [trade(i + 1, 0, base, quote, maker_fee, taker_fee)
                                                    for i in range(20)])
    assert "TradeSkipped" not in tx.events
    results["settle_gas_per_trade_batch20_seen"] = tx.gas_used // 20

    # disjoint: 20 pairs of new orders (wallets reused with new nonces, so balances slots are warm per pair only)
    pairs = wallets[:40] if len(wallets) >= 40 else wallets
    legs = []
    for i in range(20):
        s, t = pairs[2 * i], pairs[2 * i + 1]
        legs += [(book.order(s, SELL, E18, PRICE, nonce=99), s.key), (book.order(t, BUY, E18, PRICE, nonce=99), t.key)]
    legs = [(order, compact(book.sign(order, key))) for order, key in legs]
    tx = book.settle(legs, [trade(2 * i, 2 * i + 1, base, quote, maker_fee, taker_fee) for i in range(20)])
    assert "TradeSkipped" not in tx.events
    results["settle_gas_per_trade_batch20_disjoint"] = tx.gas_used // 20

    # deposits
    w = wallets[41]
    quote_token.mint(w.account, 10 * E6, {"from": deployer})
    quote_token.approve(exchange, 10 * E6, {"from": w.account})
    results["deposit_gas"] = exchange.depositToken(quote_token, 10 * E6, {"from": w.account}).gas_used
    exchange.depositEther({"from": w.account, "value": 10**15})
    results["deposit_ether_gas"] = exchange.depositEther({"from": w.account, "value": 10**15}).gas_used

    # relayed withdrawal
    withdrawal = Withdrawal(wallet=w.address, token=quote_token.address, amount=5 * E6, maxFee=E6,
                            recipient=w.address, nonce=1)
    signature = sign_withdrawal(withdrawal, w.key, chain.id, exchange.address)
    tx = exchange.withdraw(withdrawal.as_tuple(), signature, E6 // 10, {"from": book.operator})
    results["withdraw_gas"] = tx.gas_used

    print()
    print(json.dumps(results, sort_keys=True))
