"""Velocity: a wallet moving far more than its KYC level allows for, or far more than it usually does.

Volume is what the wallet traded (each fill's notional, as maker or taker) plus what it withdrew, in reference
base units, over the last `window_ms`. It matches when it passes `level_multiple` times the level's daily
withdrawal limit (pro rata for a window other than a day), or `history_multiple` times the wallet's own
average per window over the `history_ms` before the window (only once there is some history: a new wallet
is judged by its level alone). Volumes under `min_volume` never match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.risk.aml.findings import Finding, Rule
from backend.risk.aml.history import Trade, Withdrawal

DAY_MS = 86_400_000
MAX_LISTED = 50  # evidence lists at most this many ids (the refs keep them all)


@dataclass(frozen=True, slots=True)
class VelocityRule:
    window_ms: int
    level_multiple: int
    history_multiple: int
    history_ms: int
    min_volume: int  # reference base units


def velocity(
    wallet: str,
    trades: Iterable[Trade],
    withdrawals: Iterable[Withdrawal],
    daily_limit: int | None,
    now_ms: int,
    rule: VelocityRule,
) -> Finding | None:
    """The velocity finding of `wallet` at `now_ms`, if any. `daily_limit`: its level's daily withdrawal limit
    in reference base units (None: not known, the level test is skipped)."""
    start, history_start = now_ms - rule.window_ms, now_ms - rule.window_ms - rule.history_ms
    current: list[Trade | Withdrawal] = []
    history = 0
    mine: list[Trade | Withdrawal] = [t for t in trades if t.involves(wallet)]
    mine += [w for w in withdrawals if w.wallet == wallet]
    for item in mine:
        if item.value is None or not history_start < item.at_ms <= now_ms:
            continue
        if item.at_ms > start:
            current.append(item)
        else:
            history += item.value
    volume = sum(item.value or 0 for item in current)
    if volume < rule.min_volume or volume == 0:
        return None
    reasons: list[str] = []
    level_cap = None if daily_limit is None else daily_limit * rule.level_multiple * rule.window_ms // DAY_MS
    if level_cap is not None and volume > level_cap:
        reasons.append(f"more than {rule.level_multiple} times its level's limit ({level_cap})")
    # volume > multiple * (history * window / history_ms), kept in integers
    if history > 0 and volume * rule.history_ms > rule.history_multiple * history * rule.window_ms:
        reasons.append(f"more than {rule.history_multiple} times its own average")
    if not reasons:
        return None
    current.sort(key=lambda item: item.at_ms)
    return Finding(
        Rule.VELOCITY,
        (wallet,),
        key=f"{wallet}:{now_ms // rule.window_ms}",  # one alert per wallet and window-long period
        message=f"{wallet} moved {volume} (reference base units) in {rule.window_ms // 1000} s: "
        + " and ".join(reasons),
        evidence={
            "volume": str(volume),
            "windowS": rule.window_ms // 1000,
            "dailyLimit": None if daily_limit is None else str(daily_limit),
            "levelCap": None if level_cap is None else str(level_cap),
            "historyVolume": str(history),
            "historyAverage": str(history * rule.window_ms // rule.history_ms),
            "fills": [t.ref for t in current if isinstance(t, Trade)][:MAX_LISTED],
            "withdrawals": [w.ref for w in current if isinstance(w, Withdrawal)][:MAX_LISTED],
        },
        refs=frozenset(item.evidence for item in current),
    )
