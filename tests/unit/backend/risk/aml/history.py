"""Synthetic histories for the AML rules: wallets, times and values in round numbers."""

from __future__ import annotations

from backend.risk.aml import Deposit, Funding, Trade, Withdrawal

ALICE = "0x" + "A1" * 20
BOB = "0x" + "B2" * 20
CAROL = "0x" + "C3" * 20
DAVE = "0x" + "D4" * 20
USDC = "0x" + "0B" * 20
UNIT = 10**6  # one USDC (the reference token) in base units
MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR
T0 = 1_800_000_000_000  # an epoch ms far from zero


def withdrawal(
    ref: str, value: int | None, at_ms: int, wallet: str = ALICE, recipient: str | None = None
) -> Withdrawal:
    amount = value if value is not None else 1
    return Withdrawal(ref, wallet, USDC, amount, value, recipient or wallet, at_ms)


def deposit(ref: str, value: int | None, at_ms: int, wallet: str = ALICE) -> Deposit:
    return Deposit(ref, wallet, USDC, value if value is not None else 1, value, at_ms)


def trade(ref: int, maker: str, taker: str, value: int | None, at_ms: int) -> Trade:
    return Trade(ref, "WETH-USDC", maker, taker, 10**18, value or 0, value, at_ms)


def funding(funder: str, wallet: str, ref: str, at_ms: int = T0) -> Funding:
    return Funding(funder, wallet, f"withdrawal:{ref}", at_ms)
