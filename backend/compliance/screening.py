"""The one screening interface: every provider, a short cache, and an audit row per decision."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from backend.compliance.providers import Hit, Provider, ProviderUnavailable
from backend.db.models import ScreeningDecision

# Addresses per provider check: a re-screen of every active wallet is one screening, and one `IN (...)` of all
# of them would pass PostgreSQL's 65,535 bound parameters per statement past that many wallets.
CHECK_CHUNK = 1_000

Result = Literal["clear", "blocked", "error"]


@dataclass(frozen=True)
class Decision:
    address: str  # lower case
    result: Result
    hits: tuple[Hit, ...] = ()
    list_versions: dict[str, str] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        """Only a clear decision lets activity through: provider errors fail closed."""
        return self.result == "clear"


class Screener:
    """Screens addresses against every provider; decisions are cached for `ttl_s` seconds."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        providers: Sequence[Provider],
        ttl_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session_factory = session_factory
        self.providers = list(providers)
        self.ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[str, tuple[float, Decision]] = {}

    def invalidate(self) -> None:
        """Forget cached decisions (after a list import or a deny-list change)."""
        self._cache.clear()

    def screen(self, addresses: Iterable[str], *, actor: str, context: str) -> dict[str, Decision]:
        """A decision per address (keys lower case); every one is written to the audit table."""
        wanted = sorted({a.lower() for a in addresses})
        now = self._clock()
        with self.session_factory() as session:
            # A cached decision holds only while every provider decides with the data it was made with:
            # a list import or any deny-list change takes effect at once for every user of this screener.
            current = self._versions(session)
            decisions = {
                a: hit[1]
                for a in wanted
                if (hit := self._cache.get(a)) and hit[0] > now and hit[1].list_versions == current
            }
            missing = [a for a in wanted if a not in decisions]
            if missing:
                fresh = self._decide(session, missing)
                for address, decision in fresh.items():
                    if decision.result != "error":  # never cache an outage
                        self._cache[address] = (now + self.ttl_s, decision)
                decisions.update(fresh)
            session.add_all(
                ScreeningDecision(
                    actor=actor,
                    context=context,
                    address=d.address,
                    result=d.result,
                    list_versions=d.list_versions,
                    hits=[
                        {"provider": h.provider, "version": h.list_version, "reason": h.reason}
                        for h in d.hits
                    ],
                )
                for d in decisions.values()
            )
            session.commit()
        return decisions

    def _versions(self, session: Session) -> dict[str, str] | None:
        try:
            return {provider.name: provider.version(session) for provider in self.providers}
        except ProviderUnavailable:
            return None  # cannot tell what changed: no cached decision is trusted

    def _decide(self, session: Session, addresses: list[str]) -> dict[str, Decision]:
        versions: dict[str, str] = {}
        hits: dict[str, list[Hit]] = {a: [] for a in addresses}
        failures: list[str] = []
        for provider in self.providers:
            try:
                versions[provider.name] = provider.version(session)
                for start in range(0, len(addresses), CHECK_CHUNK):
                    for address, hit in provider.check(session, addresses[start : start + CHECK_CHUNK]).items():
                        hits[address].append(hit)
            except ProviderUnavailable as exc:
                failures.append(str(exc))
        decisions = {}
        for address in addresses:
            if hits[address]:
                decisions[address] = Decision(address, "blocked", tuple(hits[address]), versions)
            elif failures:
                error = Hit("screener", "-", "; ".join(failures))
                decisions[address] = Decision(address, "error", (error,), versions)
            else:
                decisions[address] = Decision(address, "clear", (), versions)
        return decisions
