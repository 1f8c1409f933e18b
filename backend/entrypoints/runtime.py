"""`hdex up`: the whole exchange in one process tree, on whatever the settings say.

Embedded default: anvil from node_modules, contracts compiled and deployed, SQLite, the API.
Every child process stops with us (SIGINT, SIGTERM, or our death via PDEATHSIG).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
import threading
from types import FrameType

from fastapi import FastAPI

from backend.accounts.retention import start_purge_thread
from backend.accounts.service import Accounts
from backend.alerts.delivery import AlertDelivery
from backend.api.app import create_app
from backend.api.server import ApiServer
from backend.bootstrap import Container, bootstrap
from backend.chain.artifacts import source_files
from backend.chain.compiler import ensure_compiled
from backend.chain.deployments import load_deployments, record_deployments
from backend.chain.jsonrpc import RpcError, rpc_call
from backend.chain.node import AnvilNode, NodeError, wait_for_rpc
from backend.compliance.factory import ensure_bundled_list
from backend.db import migrate
from backend.log import configure_logging
from backend.monitoring.aml import AmlMonitor
from backend.monitoring.runner import Monitor, ServingLoopHalts
from backend.notices import AccountMailing
from backend.risk.aml import AmlRulesError
from backend.settings import Environment, Settings
from backend.stats.service import StatsWorker
from backend.supervise import watch_parent

log = logging.getLogger("hdex")


class StartupError(RuntimeError):
    """HDEX cannot start with this configuration; the message says what to change."""


def ensure_contracts(container: Container) -> dict[str, str]:
    """Compile if sources changed; deploy on a development chain that lacks our contracts."""
    settings = container.settings
    if not source_files():
        return {}
    if ensure_compiled():
        log.info("contracts recompiled")
    with container.uow() as uow:
        deployed = load_deployments(uow.session, settings.chain_id)
    missing = [name for name, address in deployed.items() if not _has_code(settings.effective_rpc_url, address)]
    if deployed and not missing:
        return deployed
    if settings.env is Environment.PRODUCTION:
        if deployed:  # a wrong or fresh node: deploying again would be the wrong remedy
            raise StartupError(
                f"the deployment recorded for chain {settings.chain_id} has no code on the node at "
                f"{settings.effective_rpc_url} ({', '.join(sorted(missing))}): check HDEX_RPC_URL"
            )
        raise StartupError(
            f"no deployment recorded for chain {settings.chain_id}: run `hdex chain deploy` deliberately"
        )
    from backend.chain.deploy import deploy_dev_stack
    from backend.chain.rpc import make_web3
    from backend.compliance.oracle import deploy_dev_oracle

    w3 = make_web3(settings.effective_rpc_url)
    stack = deploy_dev_stack(w3)
    contracts = {**stack.contracts, "SanctionsOracle": deploy_dev_oracle(w3)}
    with container.uow() as uow:
        record_deployments(uow.session, settings.chain_id, contracts, stack.block_number)
        uow.commit()
    log.info("contracts deployed", extra={"chain_id": settings.chain_id, **contracts})
    return contracts


def _ensure_dev_market(container: Container, contracts: dict[str, str]) -> None:
    """Development only: the market over the two demo tokens (the engine host picks it up at start)."""
    if container.settings.env is Environment.PRODUCTION:
        return
    from backend.trading.store.markets import ensure_dev_market

    with container.uow() as uow:
        if ensure_dev_market(uow.session, contracts) is not None:
            uow.commit()
            log.info("dev market created", extra={"market": "WETH-USDC"})


def _start_background_loops(
    container: Container, contracts: dict[str, str], stop: threading.Event
) -> list[threading.Thread]:
    """The indexer and the relayer as threads (embedded shape), unless they run elsewhere."""
    if "Exchange" not in contracts or container.settings.background == "external":
        return []
    # The entry point is the composition root: it may start the indexer and relayer loops,
    # whose internals the rest of backend never imports.
    from indexer.runner import IndexerLoop, build_follower
    from relayer.runner import relayer_for

    return [
        IndexerLoop(container, build_follower(container)).start_thread(stop),
        relayer_for(container).start_thread(stop),
    ]


def _start_monitor(
    container: Container, app: FastAPI, serving: list[asyncio.AbstractEventLoop], stop: threading.Event
) -> list[threading.Thread]:
    """The monitoring threads: price feeds here, unleased, where the engine host that halts a market runs (on
    the API's event loop); the operator checks too, under the `monitor` lease, when the indexer and relayer run
    here, else `hdex worker` does them."""
    halts = ServingLoopHalts(lambda: getattr(app.state, "trading", None), lambda: serving[0] if serving else None)
    monitor = Monitor(container, operator=container.settings.background == "threads", feeds=True, halts=halts)
    return monitor.start_threads(stop)


def _has_code(rpc_url: str, address: str) -> bool:
    return str(rpc_call(rpc_url, "eth_getCode", [address, "latest"])) not in ("0x", "0x0")


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_exchange(settings: Settings) -> None:
    """Start everything and serve until SIGINT or SIGTERM; then stop every child."""
    configure_logging(settings.log_level, settings.log_format)
    # Until uvicorn installs its own handlers, both must unwind through `finally`; set explicitly,
    # because a job started in the background inherits SIGINT as ignored.
    signal.signal(signal.SIGINT, _raise_keyboard_interrupt)
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    watch_parent()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    container = bootstrap(settings)
    ensure_bundled_list(container)
    try:  # AML rules and sanctions re-screening (issue 14): a bad HDEX_AML_RULES_FILE stops HDEX here
        aml = AmlMonitor(container)
    except AmlRulesError as exc:
        raise StartupError(str(exc)) from None
    node: AnvilNode | None = None
    stop_background = threading.Event()
    background: list[threading.Thread] = []
    try:
        if settings.embedded_chain:
            node = AnvilNode.from_settings(settings)
            node.start()
        else:
            chain_id = wait_for_rpc(settings.effective_rpc_url)
            if chain_id != settings.chain_id:
                raise StartupError(f"RPC serves chain {chain_id}, HDEX_CHAIN_ID says {settings.chain_id}")
        contracts = ensure_contracts(container)
        _ensure_dev_market(container, contracts)
        background = _start_background_loops(container, contracts, stop_background)
        if settings.background == "threads":  # KYC retention purge, alert delivery: else `hdex worker` runs them
            background.append(start_purge_thread(Accounts(container), stop_background))
            background.append(AlertDelivery(container).start_thread(stop_background))  # alerts out (issue 14)
            background.append(aml.start_thread(stop_background))  # AML passes, re-screening, leased (issue 14)
            background.append(StatsWorker(container).start_thread(stop_background))  # rollups (issue 16)
            background.append(AccountMailing(container).start_thread(stop_background))  # the mails wallets chose
        url = f"http://{settings.api_host}:{settings.api_port}"
        announce = functools.partial(
            log.info,
            "HDEX is up",
            extra={
                "url": url,
                "docs": f"{url}/docs",
                "rpc": settings.effective_rpc_url,
                "exchange": contracts.get("Exchange", "-"),
            },
        )
        app = create_app(container)
        serving: list[asyncio.AbstractEventLoop] = []  # the API's event loop, once it listens
        if "Exchange" in contracts:  # operator risk and price feeds (issue 14)
            background += _start_monitor(container, app, serving, stop_background)

        def on_listening() -> None:
            serving.append(asyncio.get_running_loop())
            announce()

        ApiServer(app, settings, on_listening=on_listening).run()
    except KeyboardInterrupt:
        log.info("stopping")
    except (NodeError, RpcError) as exc:
        raise StartupError(str(exc)) from None
    finally:
        stop_background.set()
        for thread in background:
            thread.join(timeout=10)
        if node is not None:
            node.stop()
        container.db_engine.dispose()
        log.info("HDEX stopped")
