from conftest import E6, E18, PRICE_2000, assert_skipped
from eth_utils import keccak
from exchange_signing import BUY, SELL, digest, domain, order_typed_data, trade


def test_skips_an_order_signed_for_another_chain_id(exchange, book, alice, bob):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    foreign = book.sign(sell, alice.key, chain_id=1)
    tx = book.settle([(sell, foreign), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "InvalidSignature")


def test_skips_an_order_signed_for_another_exchange_contract(exchange, book, alice, bob, accounts):
    sell = book.order(alice, SELL, E18, PRICE_2000)
    buy = book.order(bob, BUY, E18, PRICE_2000)
    foreign = book.sign(sell, alice.key, exchange=accounts[9].address)
    tx = book.settle([(sell, foreign), (buy, bob.key)], [trade(0, 1, E18, 2000 * E6)])
    assert_skipped(tx, exchange, "InvalidSignature")


def test_the_order_hash_is_the_eip712_digest_wallets_sign(exchange, book, alice, chain):
    order = book.order(alice, SELL, E18, PRICE_2000)
    assert bytes(book.hash(order)) == digest(order_typed_data(order, chain.id, exchange.address))


def test_the_domain_separator_is_recomputed_when_the_chain_id_changes(exchange, book, alice, bob, web3, chain):
    def separator(chain_id):
        d = domain(chain_id, exchange.address)
        return keccak(
            keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
            + keccak(text=d["name"]) + keccak(text=d["version"]) + chain_id.to_bytes(32, "big")
            + bytes(12) + bytes.fromhex(exchange.address[2:])
        )

    assert bytes(exchange.domainSeparator()) == separator(31337)
    order = book.order(alice, SELL, E18, PRICE_2000)
    web3.provider.make_request("anvil_setChainId", [4242])
    try:
        chain.mine()
        assert bytes(exchange.domainSeparator()) == separator(4242)
        assert bytes(exchange.hashOrder(order.as_tuple())) == digest(order_typed_data(order, 4242, exchange.address))
        assert bytes(exchange.hashOrder(order.as_tuple())) != digest(order_typed_data(order, 31337, exchange.address))
    finally:
        web3.provider.make_request("anvil_setChainId", [31337])
        chain.mine()
    assert bytes(exchange.domainSeparator()) == separator(31337)
