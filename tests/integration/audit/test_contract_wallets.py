"""A contract wallet (EIP-1271) trades and withdraws on the real Exchange, and `hdex audit` asks the wallet itself, as
the contract did, instead of leaving its signatures unchecked. The auditor takes a wallet's yes exactly as the
contract does: one word, the magic value; a wrong value, extra data, a revert, nothing or dirty low bytes are a no."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from web3.contract import Contract

from auditor.abi import ExchangeAbi
from auditor.chain import ChainReader
from backend.chain.artifacts import load_artifact
from backend.chain.devkeys import DEV_KEYS, OPERATOR_INDEX
from backend.signing import Domain, Order, Withdrawal, order_digest, sign_digest, withdrawal_digest

from ..devchain import DevChain, address_of, order
from .conftest import hdex_audit
from .settlement import Fill, SignedOrder, quote_for, settle, signed_order

pytestmark = pytest.mark.chain

OWNER, BUYER, STRANGER = 7, 6, 8  # dev accounts: the wallet's owner, its counterparty, someone else
WEI = 10**18
PRICE = 3_000 * 10**6


def deploy(chain: DevChain, artifact: str, *args: Any) -> Contract:
    built = load_artifact(artifact)
    receipt = chain.send(OWNER, chain.w3.eth.contract(abi=built.abi, bytecode=built.bytecode).constructor(*args))
    return chain.contract(artifact, receipt["contractAddress"])


def signed_by_owner(digest: bytes) -> bytes:
    return sign_digest(bytes.fromhex(DEV_KEYS[OWNER][2:]), digest)


def test_a_contract_wallets_trade_and_withdrawal_audit_clean_with_its_signatures_asked_of_the_wallet(
    devchain: DevChain, tmp_path: Path
) -> None:
    weth, exchange = devchain.token("WETH"), devchain.exchange
    wallet = deploy(devchain, "ERC1271Wallet", address_of(OWNER))
    devchain.send(OWNER, weth.functions.transfer(wallet.address, 2 * WEI))
    for target, data in (
        (weth, weth.encode_abi("approve", [exchange.address, 2 * WEI])),
        (exchange, exchange.encode_abi("depositToken", [weth.address, 2 * WEI])),
    ):
        devchain.send(OWNER, wallet.functions.call(target.address, 0, data))
    devchain.deposit(BUYER, "USDC", 10_000 * 10**6)
    domain = Domain(devchain.w3.eth.chain_id, exchange.address)

    fields = {**order(devchain, OWNER, 1, WEI, PRICE, nonce=1), "maker": wallet.address}
    digest = order_digest(domain, Order(**fields))
    seller = SignedOrder(fields, digest, signed_by_owner(digest))
    settle(devchain, [Fill(seller, signed_order(devchain, BUYER, 0, WEI, PRICE), WEI, quote_for(WEI, PRICE))])
    expiry = devchain.w3.eth.get_block("latest")["timestamp"] + 3600
    withdrawal = Withdrawal(wallet.address, weth.address, WEI // 2, 0, address_of(OWNER), 1, expiry)
    signature = signed_by_owner(withdrawal_digest(domain, withdrawal))
    devchain.send(OPERATOR_INDEX, exchange.functions.withdraw(tuple(withdrawal), signature, 0))

    run = hdex_audit(devchain.url, exchange.address, tmp_path / "report")
    assert run.exit_code == 0, run.stdout
    assert (run.report["counts"]["trades_verified"], run.report["counts"]["withdrawals_verified"]) == (1, 1)
    assert run.report["counts"]["signatures_eip1271"] == 2  # the wallet's order and its withdrawal
    assert run.report["findings"] == []  # nothing left unverified

    reader = ChainReader(devchain.url, exchange.address, ExchangeAbi.load())
    head, order_hash = devchain.head(), "0x" + digest.hex()
    assert reader.accepts(wallet.address, order_hash, seller.signature, head)
    stranger = sign_digest(bytes.fromhex(DEV_KEYS[STRANGER][2:]), digest)
    assert not reader.accepts(wallet.address, order_hash, stranger, head)
    assert not reader.accepts(address_of(STRANGER), order_hash, seller.signature, head)  # no code: no answer


def test_each_answer_the_contract_would_not_take_as_a_yes_is_a_no(devchain: DevChain) -> None:
    """BadERC1271Wallet's modes: 0 a wrong value, 1 the magic value and extra data, 2 a revert, 3 nothing, 4 the magic
    value with dirty low bytes."""
    bad = deploy(devchain, "BadERC1271Wallet", address_of(OWNER), 0)
    reader = ChainReader(devchain.url, devchain.exchange.address, ExchangeAbi.load())
    digest = bytes(range(32))
    for mode in range(5):
        devchain.send(OWNER, bad.functions.setMode(mode))
        assert not reader.accepts(bad.address, "0x" + digest.hex(), signed_by_owner(digest), devchain.head()), mode
