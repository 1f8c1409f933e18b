"""Rapid in-out: money deposited and withdrawn again soon after, with little trading in between (the exchange
used as a pass-through rather than a market)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.risk.aml.findings import Finding, Rule, bps_of
from backend.risk.aml.history import Deposit, Trade, Withdrawal


@dataclass(frozen=True, slots=True)
class RapidInOutRule:
    """A deposit worth at least `min_deposit`, followed within `window_ms` by withdrawals of the same wallet
    worth at least `out_bps` of it, with less than `trade_bps` of it traded from the deposit to the withdrawal
    that reached that share."""

    window_ms: int
    out_bps: int
    trade_bps: int
    min_deposit: int  # reference base units


def rapid_in_out(
    deposits: Iterable[Deposit], withdrawals: Iterable[Withdrawal], trades: Iterable[Trade], rule: RapidInOutRule
) -> list[Finding]:
    """One finding per deposit that went out again this way (its key: wallet and deposit)."""
    outs: dict[str, list[Withdrawal]] = {}
    for withdrawal in withdrawals:
        if withdrawal.value is not None:
            outs.setdefault(withdrawal.wallet, []).append(withdrawal)
    trade_list = [t for t in trades if t.value is not None]
    findings: list[Finding] = []
    for deposit in sorted(deposits, key=lambda d: (d.at_ms, d.ref)):
        if deposit.value is None or deposit.value < rule.min_deposit:
            continue
        wanted, withdrawn, taken = bps_of(deposit.value, rule.out_bps), 0, []
        end = deposit.at_ms + rule.window_ms
        for withdrawal in sorted(outs.get(deposit.wallet, ()), key=lambda w: (w.at_ms, w.ref)):
            if not deposit.at_ms <= withdrawal.at_ms <= end:
                continue
            withdrawn += withdrawal.value or 0
            taken.append(withdrawal)
            if withdrawn >= wanted:
                break
        if withdrawn < wanted or not taken:
            continue
        last = taken[-1].at_ms
        between = [t for t in trade_list if t.involves(deposit.wallet) and deposit.at_ms <= t.at_ms <= last]
        traded = sum(t.value or 0 for t in between)
        if traded >= bps_of(deposit.value, rule.trade_bps):
            continue
        findings.append(
            Finding(
                Rule.RAPID_IN_OUT,
                (deposit.wallet,),
                key=f"{deposit.wallet}:{deposit.ref}",
                message=(
                    f"{deposit.wallet} withdrew {withdrawn} of a {deposit.value} deposit (reference base units) within "
                    f"{(last - deposit.at_ms) // 1000} s, trading {traded} in between"
                ),
                evidence={
                    "deposit": {
                        "id": deposit.ref,
                        "token": deposit.token,
                        "amount": str(deposit.amount),
                        "value": str(deposit.value),
                        "atMs": deposit.at_ms,
                    },
                    "withdrawals": [
                        {"id": w.ref, "token": w.token, "amount": str(w.amount), "value": str(w.value), "atMs": w.at_ms}
                        for w in taken
                    ],
                    "withdrawn": str(withdrawn),
                    "traded": str(traded),
                    "fills": [t.ref for t in between],
                },
                refs=frozenset([deposit.evidence, *(w.evidence for w in taken), *(t.evidence for t in between)]),
            )
        )
    return findings
