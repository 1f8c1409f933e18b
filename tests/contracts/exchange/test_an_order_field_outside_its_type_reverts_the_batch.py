"""`settle` copies each order's words and each trade's amounts from calldata in one piece, past the ABI decoder's
per-field checks, so it checks every field's range itself: a word with bits above its field's width reverts the
whole batch."""

import pytest
from conftest import E6, E18, PRICE_2000, call_revert_data, revert_data
from eth_abi import decode
from eth_utils import keccak
from exchange_signing import BUY, SELL, trade

# The `Order` words whose type is narrower than 256 bits: maker, baseToken, quoteToken, side, baseAmount,
# maxFeeRate, nonce, expiry, flags (limitPrice, word 5, and triggerPrice, word 6, use all 256 bits).
NARROW_WORDS = [0, 1, 2, 3, 4, 7, 8, 9, 10]


def _batch(book, alice, bob):
    legs = [(book.order(alice, SELL, E18, PRICE_2000), alice.key), (book.order(bob, BUY, E18, PRICE_2000), bob.key)]
    signed = [(order, book.sign(order, key)) for order, key in legs]
    signed.sort(key=lambda leg: bytes(book.hash(leg[0])))
    return ([o.as_tuple() for o, _ in signed], [s for _, s in signed], [trade(0, 1, E18, 2000 * E6)])


@pytest.mark.parametrize("word", NARROW_WORDS)
def test_a_dirty_high_bit_in_a_narrow_order_field_reverts_with_the_orders_index(exchange, book, alice, bob, word):
    orders, signatures, trades = _batch(book, alice, bob)
    assert revert_data(exchange.settle, orders, signatures, trades, sender=book.operator) is None
    data = bytearray(bytes.fromhex(exchange.settle.encode_input(orders, signatures, trades)[2:]))
    orders_at = 4 + int.from_bytes(data[4:36], "big") + 32  # past the array's length word
    second_order = orders_at + 11 * 32
    data[second_order + 32 * word] |= 0x80  # the top bit of that word
    reason = call_revert_data(exchange.address, "0x" + data.hex(), book.operator)
    assert reason[:4] == keccak(text="BatchOrderMalformed(uint256)")[:4]
    assert decode(["uint256"], reason[4:]) == (1,)


# The `Trade` words copied in one piece are its amounts and fees (uint128): words 2 to 5.
@pytest.mark.parametrize("word", [2, 3, 4, 5])
def test_a_dirty_high_bit_in_a_trade_amount_reverts_with_the_trades_index(exchange, book, alice, bob, word):
    orders, signatures, trades = _batch(book, alice, bob)
    data = bytearray(bytes.fromhex(exchange.settle.encode_input(orders, signatures, trades)[2:]))
    trades_at = 4 + int.from_bytes(data[68:100], "big") + 32  # the third argument's array, past its length word
    data[trades_at + 32 * word + 15] |= 0x01  # bit 128 of that word: just above uint128
    reason = call_revert_data(exchange.address, "0x" + data.hex(), book.operator)
    assert reason[:4] == keccak(text="BatchTradeMalformed(uint256)")[:4]
    assert decode(["uint256"], reason[4:]) == (0,)
