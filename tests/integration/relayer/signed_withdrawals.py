"""Withdrawals signed by dev wallets for the loop's Exchange, as a wallet signs them."""

from __future__ import annotations

import time

from backend.chain.devkeys import DEV_KEYS
from backend.signing import sign_digest
from backend.signing.typed_data import Withdrawal, withdrawal_digest
from backend.trading.rules.tokens import ETH

from ..devchain import address_of
from ..e2e.test_hybrid_loop import Loop


def signed_withdrawal(
    loop: Loop, key_index: int, symbol: str, amount: int, recipient: str | None = None
) -> tuple[Withdrawal, str, bytes]:
    """(withdrawal, its hash, the wallet's signature) of `amount` of `symbol` ("ETH": ether), to the wallet itself
    by default."""
    wallet = address_of(key_index)
    token = ETH if symbol == "ETH" else loop.chain.token(symbol).address
    withdrawal = Withdrawal(wallet, token, amount, 0, recipient or wallet, time.time_ns(), int(time.time()) + 3600)
    digest = withdrawal_digest(loop.domain, withdrawal)
    return withdrawal, "0x" + digest.hex(), sign_digest(bytes.fromhex(DEV_KEYS[key_index][2:]), digest)
