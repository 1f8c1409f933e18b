"""Signed time in force: a fill-or-kill order settles whole in one batch or not at all; immediate-or-cancel is a
short signed expiry; a post-only order is only ever a maker, so it never pays more than the maker fee."""

from conftest import (
    E6,
    E18,
    MAKER_FEE_RATE,
    PRICE_2000,
    assert_settled,
    assert_skipped,
    nonce_used,
    order_status,
    skipped_errors,
)
from exchange_signing import BUY, FLAG_FILL_OR_KILL, FLAG_POST_ONLY, SELL, trade

QUOTE = 2000 * E6


def _balances(exchange, traders, base_token, quote_token):
    return [exchange.balanceOf(t.address, tok) for t in traders for tok in (base_token, quote_token)]


def test_a_fok_taker_filled_whole_by_two_makers_settles_and_cannot_fill_again(
    exchange, book, alice, bob, traders
):
    carol = traders[2]
    first = book.order(alice, SELL, E18, PRICE_2000)
    second = book.order(carol, SELL, E18, PRICE_2000)
    fok = book.order(bob, BUY, 2 * E18, PRICE_2000, flags=FLAG_FILL_OR_KILL)
    legs = [(first, alice.key), (second, carol.key), (fok, bob.key)]
    assert_settled(book.settle(legs, [trade(0, 2, E18, QUOTE), trade(1, 2, E18, QUOTE)]), count=2)
    assert nonce_used(exchange, fok)
    assert order_status(exchange, book.hash(fok)) == (0, False, False)
    again = book.order(alice, SELL, E18, PRICE_2000)
    assert_skipped(book.settle([(again, alice.key), (fok, bob.key)], [trade(0, 1, E18, QUOTE)]),
                   exchange, "OrderNonceUsed")


def test_a_fok_order_partially_filled_is_skipped_and_moves_nothing(
    exchange, book, alice, bob, base_token, quote_token
):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    fok = book.order(bob, BUY, 2 * E18, PRICE_2000, flags=FLAG_FILL_OR_KILL)
    before = _balances(exchange, [alice, bob], base_token, quote_token)
    tx = book.settle([(sell, alice.key), (fok, bob.key)], [trade(0, 1, E18, QUOTE)])
    assert skipped_errors(tx, exchange) == {
        0: ("FillOrKillNotFilled", {"orderHash": "0x" + bytes(book.hash(fok)).hex(), "filled": E18,
                                    "baseAmount": 2 * E18}),
    }
    assert _balances(exchange, [alice, bob], base_token, quote_token) == before
    assert not nonce_used(exchange, fok)


def test_a_fok_run_with_one_failing_trade_skips_every_trade_of_the_run(
    exchange, book, alice, bob, traders, base_token, quote_token
):
    carol = traders[2]
    first = book.order(alice, SELL, E18, PRICE_2000)
    too_dear = book.order(carol, SELL, E18, 2100 * E6)  # its limit refuses the run's price
    fok = book.order(bob, BUY, 2 * E18, PRICE_2000, flags=FLAG_FILL_OR_KILL)
    before = _balances(exchange, [alice, bob, carol], base_token, quote_token)
    tx = book.settle([(first, alice.key), (too_dear, carol.key), (fok, bob.key)],
                     [trade(0, 2, E18, QUOTE), trade(1, 2, E18, QUOTE)])
    assert [name for name, _ in skipped_errors(tx, exchange).values()] == ["LimitPriceViolated"] * 2
    assert _balances(exchange, [alice, bob, carol], base_token, quote_token) == before


def test_a_fok_run_whose_maker_wallet_cannot_pay_both_trades_is_skipped(
    exchange, book, alice, bob, base_token, quote_token
):
    """Two orders of one maker, each within its balance alone, together beyond it: the run sums per payer."""
    held = exchange.balanceOf(alice.address, base_token)
    first = book.order(alice, SELL, held, PRICE_2000)
    second = book.order(alice, SELL, E18, PRICE_2000)
    fok = book.order(bob, BUY, held + E18, 2**255, flags=FLAG_FILL_OR_KILL)
    before = _balances(exchange, [alice, bob], base_token, quote_token)
    tx = book.settle([(first, alice.key), (second, alice.key), (fok, bob.key)],
                     [trade(0, 2, held, held // E18 * QUOTE), trade(1, 2, E18, QUOTE)])
    errors = skipped_errors(tx, exchange)
    assert [name for name, _ in errors.values()] == ["InsufficientBalance"] * 2
    assert (errors[0][1]["balance"], errors[0][1]["needed"]) == (held, held + E18)
    assert _balances(exchange, [alice, bob], base_token, quote_token) == before


def test_a_fok_order_split_over_two_runs_is_skipped(exchange, book, alice, bob, traders):
    carol = traders[2]
    first = book.order(alice, SELL, E18, PRICE_2000)
    second = book.order(carol, SELL, E18, PRICE_2000)
    other_buy = book.order(traders[3], BUY, E18, PRICE_2000)
    fok = book.order(bob, BUY, 2 * E18, PRICE_2000, flags=FLAG_FILL_OR_KILL)
    legs = [(first, alice.key), (second, carol.key), (other_buy, traders[3].key), (fok, bob.key)]
    tx = book.settle(legs, [trade(0, 3, E18, QUOTE), trade(1, 2, E18, QUOTE), trade(0, 3, E18, QUOTE)])
    errors = skipped_errors(tx, exchange)
    assert sorted(errors) == [0, 2]
    assert {name for name, _ in errors.values()} == {"FillOrKillNotFilled"}
    assert len(tx.events["TradeSettled"]) == 1  # the trade between the two runs


def test_a_fok_order_is_never_the_maker(exchange, book, alice, bob):
    fok = book.order(alice, SELL, E18, PRICE_2000, flags=FLAG_FILL_OR_KILL)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    assert_skipped(book.settle([(fok, alice.key), (buy, bob.key)], [trade(0, 1, E18, QUOTE)]),
                   exchange, "FillOrKillOrderMade")


def test_an_ioc_order_past_its_short_signed_expiry_is_skipped(exchange, book, alice, bob, chain):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    ioc = book.order(bob, BUY, E18, PRICE_2000, expiry=chain.time() + 30)
    chain.sleep(120)
    chain.mine()
    assert_skipped(book.settle([(sell, alice.key), (ioc, bob.key)], [trade(0, 1, E18, QUOTE)]),
                   exchange, "OrderExpired")


def test_a_post_only_order_pays_at_most_the_maker_fee(exchange, book, alice, bob):
    maker_cap = QUOTE * MAKER_FEE_RATE // 10**6
    post = book.order(alice, SELL, E18, PRICE_2000, flags=FLAG_POST_ONLY)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    legs = [(post, alice.key), (buy, bob.key)]
    assert_skipped(book.settle(legs, [trade(1, 0, E18, QUOTE, 0, maker_cap + 1)]), exchange, "PostOnlyOrderTaken")
    assert_skipped(book.settle(legs, [trade(0, 1, E18, QUOTE, maker_cap + 1, 0)]), exchange, "FeeTooHigh")
    assert_settled(book.settle(legs, [trade(0, 1, E18, QUOTE, maker_cap, 0)]))
