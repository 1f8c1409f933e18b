"""Wiring: the screener HDEX uses, from settings and the recorded deployments."""

from __future__ import annotations

import logging

from backend.bootstrap import Container
from backend.chain.deployments import load_deployments
from backend.chain.jsonrpc import rpc_call
from backend.compliance.lists import bundled_ofac_list
from backend.compliance.providers import DenyListProvider, OracleProvider, Provider, SanctionsListProvider
from backend.compliance.screening import Screener
from backend.compliance.store import import_bundled_list

log = logging.getLogger(__name__)


def screener_for(container: Container) -> Screener:
    """The container's one screener: the API's withdrawals, the relayer and deposit screening share
    one decision cache (and one TTL), not one each."""
    return container.shared(build_screener)


def build_screener(container: Container) -> Screener:
    """Lists + deny-list, plus the on-chain oracle when one is configured or deployed."""
    settings = container.settings
    providers: list[Provider] = [SanctionsListProvider(), DenyListProvider()]
    oracle = settings.sanctions_oracle
    if oracle is None:
        with container.uow() as uow:
            oracle = load_deployments(uow.session, settings.chain_id).get("SanctionsOracle")
    if oracle is not None:
        url = settings.effective_rpc_url
        providers.append(OracleProvider(lambda method, params: rpc_call(url, method, params), oracle))
    return Screener(container.session_factory, providers, ttl_s=settings.screening_cache_s)


def ensure_bundled_list(container: Container) -> None:
    """Import the OFAC snapshot shipped with HDEX unless the operator imported the list (see
    `store.import_bundled_list`)."""
    with container.uow() as uow:
        row, imported = import_bundled_list(uow.session, bundled_ofac_list())
        uow.commit()
    if imported:
        log.info(
            "sanctions list imported",
            extra={"source": row.source, "version": row.version, "addresses": row.address_count},
        )
