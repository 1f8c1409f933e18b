"""What the AML rules read: a wallet's deposits, withdrawals, trades and funding links, as frozen values.

The rules are pure (no DB, no clock): `backend.monitoring.aml` reads these from the database, values each
amount in the limits' reference token (`backend.limits.valuation`, rounded up), and hands them over.
Addresses are EIP-55; times are epoch ms; `value` is reference base units, None when the amount has no
price (such a movement is left out of sums and comparisons, never guessed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Deposit:
    """A final deposit credited to `wallet` (`ref`: the ledger transaction's id)."""

    ref: str
    wallet: str
    token: str
    amount: int
    value: int | None
    at_ms: int

    @property
    def evidence(self) -> str:
        return f"deposit:{self.ref}"


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A withdrawal request of `wallet` that has not failed (`ref`: its EIP-712 hash) to `recipient`."""

    ref: str
    wallet: str
    token: str
    amount: int
    value: int | None
    recipient: str
    at_ms: int

    @property
    def evidence(self) -> str:
        return f"withdrawal:{self.ref}"


@dataclass(frozen=True, slots=True)
class Trade:
    """A fill between `maker` and `taker` (`ref`: the fill id); `value` is its notional."""

    ref: int
    market: str
    maker: str
    taker: str
    base_amount: int
    quote_amount: int
    value: int | None
    at_ms: int

    @property
    def evidence(self) -> str:
        return f"fill:{self.ref}"

    def involves(self, wallet: str) -> bool:
        return wallet in (self.maker, self.taker)


@dataclass(frozen=True, slots=True)
class Funding:
    """`funder` sent money that reached `wallet` (e.g. a withdrawal of `funder` to `wallet`'s address);
    `ref` is the evidence (`withdrawal:0x..`)."""

    funder: str
    wallet: str
    ref: str
    at_ms: int
