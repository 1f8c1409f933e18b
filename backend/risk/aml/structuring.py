"""Structuring: several withdrawals of one wallet each just under a reporting threshold, close together in time
(the textbook way to stay below a report: split one large amount into pieces that each pass)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.risk.aml.findings import Finding, Rule, bps_of, runs
from backend.risk.aml.history import Withdrawal


@dataclass(frozen=True, slots=True)
class StructuringRule:
    """A withdrawal is "just under" when `threshold - band <= value < threshold` (band: `band_bps` of the
    threshold); `min_count` of them by one wallet within `window_ms` match."""

    threshold: int  # reference base units
    band_bps: int
    window_ms: int
    min_count: int

    @property
    def floor(self) -> int:
        """The lowest value that is still "just under" the threshold."""
        return self.threshold - bps_of(self.threshold, self.band_bps)

    def just_under(self, withdrawal: Withdrawal) -> bool:
        return withdrawal.value is not None and self.floor <= withdrawal.value < self.threshold


def structuring(withdrawals: Iterable[Withdrawal], rule: StructuringRule) -> list[Finding]:
    """One finding per wallet and run of just-under withdrawals: a run is a maximal sequence in which every
    `min_count` consecutive ones fit in the window; its first withdrawal names it (the finding's key)."""
    by_wallet: dict[str, list[Withdrawal]] = {}
    for withdrawal in withdrawals:
        if rule.just_under(withdrawal):
            by_wallet.setdefault(withdrawal.wallet, []).append(withdrawal)
    findings: list[Finding] = []
    for wallet, found in sorted(by_wallet.items()):
        found.sort(key=lambda w: (w.at_ms, w.ref))
        for start, end in runs([w.at_ms for w in found], rule.window_ms, rule.min_count):
            findings.append(_finding(wallet, found[start:end], rule))
    return findings


def _finding(wallet: str, run: list[Withdrawal], rule: StructuringRule) -> Finding:
    total = sum(w.value or 0 for w in run)
    return Finding(
        Rule.STRUCTURING,
        (wallet,),
        key=f"{wallet}:{run[0].ref}",
        message=(
            f"{len(run)} withdrawals of {wallet} just under the threshold of {rule.threshold} within "
            f"{rule.window_ms // 1000} s (together {total} in reference base units)"
        ),
        evidence={
            "threshold": str(rule.threshold),
            "floor": str(rule.floor),
            "windowS": rule.window_ms // 1000,
            "total": str(total),
            "withdrawals": [
                {"id": w.ref, "token": w.token, "amount": str(w.amount), "value": str(w.value), "atMs": w.at_ms}
                for w in run
            ],
        },
        refs=frozenset(w.evidence for w in run),
    )
