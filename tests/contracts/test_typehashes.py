"""Each precomputed typehash equals keccak256 of the exact type string published in the interfaces."""

from eth_utils import keccak
from exchange_signing import CANCEL_TYPE, ORDER_TYPE, WITHDRAWAL_TYPE

from custody.approvals import TRANSACTION_TYPE


def test_the_order_typehash_is_the_hash_of_its_type_string(exchange):
    assert bytes(exchange.ORDER_TYPEHASH()) == keccak(text=ORDER_TYPE)


def test_the_cancel_typehash_is_the_hash_of_its_type_string(exchange):
    assert bytes(exchange.CANCEL_TYPEHASH()) == keccak(text=CANCEL_TYPE)


def test_the_withdrawal_typehash_is_the_hash_of_its_type_string(exchange):
    assert bytes(exchange.WITHDRAWAL_TYPEHASH()) == keccak(text=WITHDRAWAL_TYPE)


def test_the_custody_transaction_typehash_is_the_hash_of_its_type_string(custody):
    assert bytes(custody.TRANSACTION_TYPEHASH()) == keccak(text=TRANSACTION_TYPE)


def test_the_interface_docs_publish_the_same_type_strings():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "contracts" / "interfaces"
    exchange_doc = (root / "IExchange.sol").read_text()
    custody_doc = (root / "ICustody.sol").read_text()
    for type_string in (ORDER_TYPE, CANCEL_TYPE, WITHDRAWAL_TYPE):
        assert f"`{type_string}`" in exchange_doc
    assert f"`{TRANSACTION_TYPE}`" in custody_doc


def test_the_custody_transient_flag_slot_is_the_documented_hash(custody):
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "contracts" / "Custody.sol").read_text()
    slot = (int.from_bytes(keccak(text="hdex.custody.executing-scheduled"), "big") - 1).to_bytes(32, "big")
    assert "0x" + slot.hex() in source
