"""A token deposit the wallet cannot cover is refused by the client before anything is sent.

It used to be sent with a fixed gas limit and no estimate: the approve went through, the deposit reverted on-chain,
the wallet paid the gas for both, and the bot got TRANSACTION_REVERTED with no reason. It now reads the wallet's
token balance first and raises `InsufficientFunds` (INSUFFICIENT_FUNDS) naming what is held and what is needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from backend.chain.devkeys import DEV_KEYS
from backend.client import HdexClient, HdexClientError, InsufficientFunds

from ..devchain import DevChain, address_of, dev_market_container
from .live_server import serving

pytestmark = pytest.mark.chain

BOT = 5


@pytest.fixture
def api(devchain: DevChain, sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    container = dev_market_container(devchain, sqlite_url, tmp_path)
    with serving(container) as url:
        yield url
    container.db_engine.dispose()


def test_a_token_deposit_larger_than_the_wallet_holds_is_refused_before_anything_is_sent(
    devchain: DevChain, api: str
) -> None:
    weth = devchain.token("WETH")
    wallet = Web3.to_checksum_address(address_of(BOT))
    held = int(weth.functions.balanceOf(wallet).call())
    nonce, ether = devchain.w3.eth.get_transaction_count(wallet), devchain.w3.eth.get_balance(wallet)
    with HdexClient(api, DEV_KEYS[BOT], rpc_url=devchain.url) as bot, pytest.raises(InsufficientFunds) as refused:
        bot.deposit(weth.address, held + 1, timeout=3)
    error = refused.value
    assert isinstance(error, HdexClientError) and error.code == "INSUFFICIENT_FUNDS"
    assert (error.token, error.held, error.needed) == (weth.address, held, held + 1)
    assert str(held) in error.message and str(held + 1) in error.message
    # nothing was sent: no approve, no reverted deposit, no gas spent
    assert devchain.w3.eth.get_transaction_count(wallet) == nonce
    assert devchain.w3.eth.get_balance(wallet) == ether
