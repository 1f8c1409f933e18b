"""The nonce a wallet's next order should carry (`GET /v1/nonce`): above every nonce its orders carry (and the
orders it cancelled on-chain), at least its on-chain nonce floor. A client asks once, then counts up itself:
consecutive nonces share the contract's storage words, the cheapest way to settle (see
`backend.trading.rules.nonces`)."""

from __future__ import annotations

import asyncio

from backend.trading.hosting.host import EngineHost
from backend.trading.rules.nonces import next_nonce


async def wallet_next_nonce(host: EngineHost, wallet: str) -> int:
    """The next nonce of `wallet` (EIP-55). The host knows every order of a wallet it loaded, also those not
    stored yet; for any other wallet the database does (reading it loads nothing into the host, so asking
    about random wallets costs the host no memory)."""
    if not host.nonces.loaded(wallet):
        stored = await asyncio.to_thread(host.stored_nonces, wallet)
        if not host.nonces.loaded(wallet):  # else the host loaded it meanwhile, and may hold an unstored order
            return next_nonce(max(stored, default=None), host.accounts.nonce_floor(wallet), set(stored).__contains__)
    used = host.nonces.used
    return next_nonce(host.nonces.highest(wallet), host.accounts.nonce_floor(wallet), lambda n: used(wallet, n))
