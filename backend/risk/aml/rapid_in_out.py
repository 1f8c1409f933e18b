"""Rapid in-out: money deposited and withdrawn again soon after, with little trading in between (the exchange
used as a pass-through rather than a market). A wallet's deposits count together, so one amount split into
deposits each under `min_deposit` is seen as the amount it adds up to."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from backend.risk.aml.findings import Finding, Rule, bps_of
from backend.risk.aml.history import Deposit, Trade, Withdrawal


@dataclass(frozen=True, slots=True)
class RapidInOutRule:
    """Deposits of one wallet from a first one (the anchor) on, worth at least `min_deposit` together, followed
    within `window_ms` of the anchor by withdrawals of the wallet worth at least `out_bps` of them, with less than
    `trade_bps` of them traded from the anchor to the withdrawal that reached that share."""

    window_ms: int
    out_bps: int
    trade_bps: int
    min_deposit: int  # reference base units, of the deposits counted together


def rapid_in_out(
    deposits: Iterable[Deposit], withdrawals: Iterable[Withdrawal], trades: Iterable[Trade], rule: RapidInOutRule
) -> list[Finding]:
    """One finding per scheme (its key: wallet and anchor deposit), by wallet, then in time order. Each deposit is
    tried as an anchor in time order; a finding's deposits and withdrawals count in no other finding (one scheme,
    one finding)."""
    ins: dict[str, list[Deposit]] = {}
    for deposit in sorted(deposits, key=lambda d: (d.at_ms, d.ref)):
        if deposit.value is not None:
            ins.setdefault(deposit.wallet, []).append(deposit)
    outs: dict[str, list[Withdrawal]] = {}
    for withdrawal in sorted(withdrawals, key=lambda w: (w.at_ms, w.ref)):
        if withdrawal.value is not None:
            outs.setdefault(withdrawal.wallet, []).append(withdrawal)
    traded_by: dict[str, list[Trade]] = {}
    for trade in sorted(trades, key=lambda t: (t.at_ms, t.ref)):
        if trade.value is not None:
            for wallet in {trade.maker, trade.taker}:
                traded_by.setdefault(wallet, []).append(trade)
    counted: set[str] = set()  # refs of the findings so far: their deposits and withdrawals count in no other
    findings: list[Finding] = []
    for wallet, wallet_ins in sorted(ins.items()):
        wallet_outs, wallet_trades = outs.get(wallet, []), traded_by.get(wallet, [])
        for index, anchor in enumerate(wallet_ins):
            if anchor.evidence in counted:
                continue
            # no deposit after an anchor still free is counted yet: a finding counts deposits from its anchor on
            # without a gap, so one that reached past this anchor would have counted it too
            window = (anchor.at_ms, anchor.at_ms + rule.window_ms)
            after = wallet_ins[index : _within(wallet_ins, window)[1]]
            start, stop = _within(wallet_outs, window)
            out = [w for w in wallet_outs[start:stop] if w.evidence not in counted]
            start, stop = _within(wallet_trades, window)
            finding = _scheme(after, out, wallet_trades[start:stop], rule)
            if finding is not None:
                counted |= finding.refs
                findings.append(finding)
    return findings


def _within(moves: Sequence[Deposit | Withdrawal | Trade], window: tuple[int, int]) -> tuple[int, int]:
    """The slice of `moves` (in time order) from `window[0]` to `window[1]`, both included."""
    return (
        bisect_left(moves, window[0], key=lambda m: m.at_ms),
        bisect_right(moves, window[1], key=lambda m: m.at_ms),
    )


def _scheme(ins: list[Deposit], outs: list[Withdrawal], trades: list[Trade], rule: RapidInOutRule) -> Finding | None:
    """The finding of the scheme anchored at `ins[0]`, if any. `ins`, `outs`, `trades`: the wallet's deposits from
    the anchor on, its withdrawals not in a finding yet and its trades, in the window and in time order.

    At each withdrawal, the deposits counted are the most from the anchor on (those of the withdrawal's ms
    included) that the withdrawals so far took `out_bps` of: money parked beside the scheme's (deposited later
    and left in) then neither hides it nor is reported with it."""
    totals: list[int] = []  # money in after each of `ins` so far
    withdrawn = traded = 0
    count = fills = 0  # how many of `ins` the withdrawals so far took `out_bps` of; how many `trades` so far
    for taken, withdrawal in enumerate(outs, start=1):
        while len(totals) < len(ins) and ins[len(totals)].at_ms <= withdrawal.at_ms:
            totals.append((totals[-1] if totals else 0) + (ins[len(totals)].value or 0))
        withdrawn += withdrawal.value or 0
        while count < len(totals) and bps_of(totals[count], rule.out_bps) <= withdrawn:
            count += 1
        while fills < len(trades) and trades[fills].at_ms <= withdrawal.at_ms:
            traded += trades[fills].value or 0
            fills += 1
        if count == 0 or totals[count - 1] < rule.min_deposit:
            continue
        if traded < bps_of(totals[count - 1], rule.trade_bps):
            return _finding(ins[:count], outs[:taken], trades[:fills], totals[count - 1], withdrawn, traded)
    return None


def _finding(
    ins: list[Deposit], outs: list[Withdrawal], between: list[Trade], deposited: int, withdrawn: int, traded: int
) -> Finding:
    anchor = ins[0]
    what = f"a {deposited} deposit" if len(ins) == 1 else f"{len(ins)} deposits worth {deposited}"
    return Finding(
        Rule.RAPID_IN_OUT,
        (anchor.wallet,),
        key=f"{anchor.wallet}:{anchor.ref}",
        message=(
            f"{anchor.wallet} withdrew {withdrawn} of {what} (reference base units) within "
            f"{(outs[-1].at_ms - anchor.at_ms) // 1000} s, trading {traded} in between"
        ),
        evidence={
            "deposit": _movement(anchor),  # the anchor, as when a single deposit was all the rule looked at
            "deposits": [_movement(d) for d in ins],
            "deposited": str(deposited),
            "withdrawals": [_movement(w) for w in outs],
            "withdrawn": str(withdrawn),
            "traded": str(traded),
            "fills": [t.ref for t in between],
        },
        refs=frozenset([*(d.evidence for d in ins), *(w.evidence for w in outs), *(t.evidence for t in between)]),
    )


def _movement(movement: Deposit | Withdrawal) -> dict[str, object]:
    return {
        "id": movement.ref,
        "token": movement.token,
        "amount": str(movement.amount),
        "value": str(movement.value),
        "atMs": movement.at_ms,
    }
