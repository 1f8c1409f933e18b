"""Gas benchmark of the Exchange: prints one JSON line (run by `make bench-gas`).

Every batch trades fresh orders unless said otherwise, EOA signatures in EIP-2098 compact form, every order filled
completely unless said otherwise, balances non-zero before each trade. A settle is sent as the relayer sends it
(relayer.transactions.TxManager.simulate): with the node's EIP-2930 access list when that makes it cheaper (a batch
of 20 reads ~124 cold slots: -100 each, +2,400 for listing the Exchange), without one otherwise (a batch of one).
"Traded before" means the wallet's earlier order used a nonce in the same 64-nonce window, so marking the new order
done rewrites its wallet slot, already read for its nonce floor (see Exchange `WalletState`). Per-trade figures are
the batch's gas / 20.
- settle_gas_per_trade_batch20_disjoint_first_orders: 20 unrelated pairs, 40 wallets' first orders ever (each
  order's mark turns its wallet slot non-zero, 20k: what a wallet's first order costs).
- settle_gas_per_trade_batch20_disjoint: 20 unrelated pairs, 40 wallets that traded before (the common case).
- settle_gas_per_trade_batch20_sweep: one taker order sweeping 20 resting maker orders of 20 makers that traded
  before; the taker order is twice what it sweeps, so it is left partly filled and stores a fill counter.
- settle_gas_per_trade_batch20_partial: 20 unrelated pairs of new orders, each filled half (both orders of each
  trade store a fill counter besides their mark).
- settle_gas_per_trade_batch20_seen: the partly filled pairs again, filled completely from their counters
  (cached signatures, empty signature bytes).
- settle_gas_single: one trade between two new orders of wallets that traded before, a batch of one.
- deposit_gas / deposit_ether_gas: an ERC-20 / ETH deposit into a balance that is already non-zero.
- withdraw_gas: an operator-relayed, user-signed ERC-20 withdrawal with a fee.
"""

import json

from brownie import web3
from brownie.network.transaction import TransactionReceipt
from conftest import E6, E18, Trader
from eth_utils import keccak
from exchange_signing import BUY, SELL, Withdrawal, compact, sign_withdrawal, trade

PRICE = 2000 * E6
BASE, QUOTE = E18 // 10, 200 * E6  # one lot: 0.1 WETH for 200 USDC
MAKER_FEE, TAKER_FEE = QUOTE * 1_000 // 10**6, BASE * 2_000 // 10**6
PAIRS = 20


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


def _settle(book, legs, trades):
    """Settles `trades` between `legs` ((order, key or signature bytes)) as the relayer sends a batch; asserts
    nothing was skipped."""
    legs = [(order, key if isinstance(key, bytes) else compact(book.sign(order, key))) for order, key in legs]
    data = book.exchange.settle.encode_input(*book.settle_args(legs, trades))
    call = {"from": str(book.operator), "to": str(book.exchange.address), "data": data}
    estimate = web3.eth.estimate_gas(call)
    listed = web3.provider.make_request("eth_createAccessList", [call, "latest"])["result"]
    if listed["accessList"] and int(listed["gasUsed"], 16) < estimate:
        call["accessList"] = listed["accessList"]
    tx = TransactionReceipt(web3.eth.send_transaction({**call, "gas": estimate + 100_000}).hex())
    tx.wait(1)
    assert tx.status == 1 and "TradeSkipped" not in tx.events
    return tx


def _pairs(book, wallets, nonce, amount):
    """One sell and one buy order of `amount` per pair of wallets, and the trades filling one lot of each pair."""
    legs = []
    for i in range(PAIRS):
        seller, buyer = wallets[2 * i], wallets[2 * i + 1]
        legs += [
            (book.order(seller, SELL, amount, PRICE, nonce=nonce), seller.key),
            (book.order(buyer, BUY, amount, PRICE, nonce=nonce), buyer.key),
        ]
    return legs, [trade(2 * i, 2 * i + 1, BASE, QUOTE, MAKER_FEE, TAKER_FEE) for i in range(PAIRS)]


def test_bench_gas(accounts, exchange, book, traders, base_token, quote_token, deployer, chain):
    results = {}
    wallets = _wallets(accounts, exchange, base_token, quote_token, deployer, 2 * PAIRS + 1)

    legs, trades = _pairs(book, wallets, 1, BASE)
    results["settle_gas_per_trade_batch20_disjoint_first_orders"] = _settle(book, legs, trades).gas_used // PAIRS

    legs, trades = _pairs(book, wallets, 2, BASE)
    results["settle_gas_per_trade_batch20_disjoint"] = _settle(book, legs, trades).gas_used // PAIRS

    taker, makers = wallets[0], wallets[1 : PAIRS + 1]
    legs = [(book.order(taker, BUY, 2 * PAIRS * BASE, PRICE, nonce=3), taker.key)]
    legs += [(book.order(m, SELL, BASE, PRICE, nonce=3), m.key) for m in makers]
    trades = [trade(i + 1, 0, BASE, QUOTE, MAKER_FEE, TAKER_FEE) for i in range(PAIRS)]
    results["settle_gas_per_trade_batch20_sweep"] = _settle(book, legs, trades).gas_used // PAIRS

    legs, trades = _pairs(book, wallets, 4, 2 * BASE)
    results["settle_gas_per_trade_batch20_partial"] = _settle(book, legs, trades).gas_used // PAIRS
    legs = [(order, b"") for order, _ in legs]
    results["settle_gas_per_trade_batch20_seen"] = _settle(book, legs, trades).gas_used // PAIRS

    a, b = wallets[0], wallets[1]
    legs = [(book.order(a, SELL, BASE, PRICE, nonce=5), a.key), (book.order(b, BUY, BASE, PRICE, nonce=5), b.key)]
    results["settle_gas_single"] = _settle(book, legs, [trade(0, 1, BASE, QUOTE, MAKER_FEE, TAKER_FEE)]).gas_used

    w = wallets[2 * PAIRS]
    quote_token.mint(w.account, 10 * E6, {"from": deployer})
    quote_token.approve(exchange, 10 * E6, {"from": w.account})
    results["deposit_gas"] = exchange.depositToken(quote_token, 10 * E6, {"from": w.account}).gas_used
    exchange.depositEther({"from": w.account, "value": 10**15})
    results["deposit_ether_gas"] = exchange.depositEther({"from": w.account, "value": 10**15}).gas_used

    withdrawal = Withdrawal(
        wallet=w.address, token=quote_token.address, amount=5 * E6, maxFee=E6, recipient=w.address, nonce=1
    )
    signature = sign_withdrawal(withdrawal, w.key, chain.id, exchange.address)
    results["withdraw_gas"] = exchange.withdraw(
        withdrawal.as_tuple(), signature, E6 // 10, {"from": book.operator}
    ).gas_used

    print()
    print(json.dumps(results, sort_keys=True))
