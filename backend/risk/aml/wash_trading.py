"""Wash trading between linked wallets: two wallets that trade with each other again and again (one the maker,
the other the taker) and share where their money came from, so that the trades are likely one owner's.

Linked: one funded the other, or a third address funded both (`Funding`: e.g. a withdrawal of one wallet to
the other's address). Trading together without a funding link is a market; a funding link without repeated
trades between the two is a family.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backend.risk.aml.findings import Finding, Rule, runs
from backend.risk.aml.history import Funding, Trade


@dataclass(frozen=True, slots=True)
class WashTradingRule:
    """At least `min_trades` fills between the two wallets within `window_ms`."""

    window_ms: int
    min_trades: int


def wash_trading(trades: Iterable[Trade], fundings: Iterable[Funding], rule: WashTradingRule) -> list[Finding]:
    """One finding per linked pair and run of trades between them (its key: the pair and its first fill)."""
    funders: dict[str, dict[str, list[str]]] = {}  # wallet -> funder -> evidence
    for funding in fundings:
        if funding.funder != funding.wallet:
            funders.setdefault(funding.wallet, {}).setdefault(funding.funder, []).append(funding.ref)
    pairs: dict[tuple[str, str], list[Trade]] = {}
    for trade in trades:
        if trade.maker != trade.taker:
            a, b = sorted((trade.maker, trade.taker))
            pairs.setdefault((a, b), []).append(trade)
    findings: list[Finding] = []
    for (a, b), between in sorted(pairs.items()):
        links = _links(a, b, funders)
        if not links or len(between) < rule.min_trades:
            continue
        between.sort(key=lambda t: (t.at_ms, t.ref))
        for start, end in runs([t.at_ms for t in between], rule.window_ms, rule.min_trades):
            run = between[start:end]
            volume = sum(t.value or 0 for t in run)
            refs = [ref for link in links for ref in link.evidence]
            findings.append(
                Finding(
                    Rule.WASH_TRADING,
                    (a, b),
                    key=f"{a}:{b}:{run[0].ref}",
                    message=(
                        f"{a} and {b} traded with each other {len(run)} times within {rule.window_ms // 1000} s "
                        f"({volume} in reference base units) and share funding"
                    ),
                    evidence={
                        "wallets": [a, b],
                        "fills": [
                            {
                                "id": t.ref,
                                "market": t.market,
                                "maker": t.maker,
                                "taker": t.taker,
                                "baseAmount": str(t.base_amount),
                                "quoteAmount": str(t.quote_amount),
                                "atMs": t.at_ms,
                            }
                            for t in run
                        ],
                        "volume": str(volume),
                        "links": [link.as_json() for link in links],
                    },
                    refs=frozenset([*(t.evidence for t in run), *refs]),
                )
            )
    return findings


@dataclass(frozen=True, slots=True)
class _Link:
    """How two wallets share funding: `funder` funded `wallet` ("funded"), or funded both ("common_funder")."""

    kind: str
    funder: str
    wallet: str | None
    evidence: list[str]

    def as_json(self) -> dict[str, object]:
        link: dict[str, object] = {"kind": self.kind, "funder": self.funder, "evidence": self.evidence}
        if self.wallet is not None:
            link["wallet"] = self.wallet
        return link


def _links(a: str, b: str, funders: dict[str, dict[str, list[str]]]) -> list[_Link]:
    """How `a` and `b` share funding: direct (one funded the other) or a common funder."""
    of_a, of_b = funders.get(a, {}), funders.get(b, {})
    links: list[_Link] = []
    if b in of_a:
        links.append(_Link("funded", b, a, sorted(of_a[b])))
    if a in of_b:
        links.append(_Link("funded", a, b, sorted(of_b[a])))
    for common in sorted(of_a.keys() & of_b.keys() - {a, b}):
        links.append(_Link("common_funder", common, None, sorted(of_a[common] + of_b[common])))
    return links
