from conftest import E6, E18, PRICE_2000, reverts_with
from exchange_signing import BUY, SELL, trade


def _legs(book, alice, bob):
    return [(book.order(alice, SELL, E18, PRICE_2000), alice.key), (book.order(bob, BUY, E18, PRICE_2000), bob.key)]


def test_reverts_when_a_non_operator_settles(exchange, book, alice, bob):
    with reverts_with("ExchangeUnauthorizedOperator"):
        book.settle(_legs(book, alice, bob), [trade(0, 1, E18, 2000 * E6)], sender=alice.account)


def test_reverts_when_settling_while_paused(exchange, book, alice, bob, owners):
    owners.execute(exchange, exchange.pause.encode_input())
    with reverts_with("ExchangePaused"):
        book.settle(_legs(book, alice, bob), [trade(0, 1, E18, 2000 * E6)])


def test_reverts_when_depositing_while_paused(exchange, owners, alice, base_token):
    owners.execute(exchange, exchange.pause.encode_input())
    with reverts_with("ExchangePaused"):
        exchange.depositToken(base_token, 1, {"from": alice.account})
    with reverts_with("ExchangePaused"):
        exchange.depositEther({"from": alice.account, "value": 1})


def test_settles_again_after_unpause(exchange, book, alice, bob, owners):
    owners.execute(exchange, exchange.pause.encode_input())
    owners.execute(exchange, exchange.unpause.encode_input())
    tx = book.settle(_legs(book, alice, bob), [trade(0, 1, E18, 2000 * E6)])
    assert len(tx.events["TradeSettled"]) == 1


def test_reverts_when_the_same_order_appears_twice_in_a_batch(exchange, book, alice, bob):
    legs = _legs(book, alice, bob)
    with reverts_with("BatchOrdersNotSorted"):
        book.settle([*legs, legs[0]], [trade(0, 1, E18, 2000 * E6), trade(2, 1, E18, 2000 * E6)])


def test_reverts_when_the_orders_are_not_sorted_by_hash(exchange, book, alice, bob, operator):
    legs = [(o, book.sign(o, key)) for o, key in _legs(book, alice, bob)]
    legs.sort(key=lambda leg: bytes(book.hash(leg[0])), reverse=True)
    with reverts_with("BatchOrdersNotSorted"):
        exchange.settle([o.as_tuple() for o, _ in legs], [s for _, s in legs], [trade(0, 1, E18, 2000 * E6)],
                        {"from": operator})


def test_reverts_when_a_trade_points_outside_the_batch(exchange, book, alice, bob):
    with reverts_with("BatchOrderIndexOutOfRange"):
        book.settle(_legs(book, alice, bob), [trade(0, 2, E18, 2000 * E6)])


def test_reverts_when_orders_and_signatures_differ_in_length(exchange, book, alice, bob, operator):
    legs = _legs(book, alice, bob)
    with reverts_with("BatchLengthMismatch"):
        exchange.settle([o.as_tuple() for o, _ in legs], [book.sign(legs[0][0], alice.key)], [],
                        {"from": operator})


def test_a_removed_operator_can_no_longer_settle(exchange, book, alice, bob, owners, operator):
    owners.execute(exchange, exchange.removeOperator.encode_input(operator))
    with reverts_with("ExchangeUnauthorizedOperator"):
        book.settle(_legs(book, alice, bob), [trade(0, 1, E18, 2000 * E6)])
