"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from backend import __doc__ as backend_doc
from backend.api.dapp import install_dapp
from backend.api.docs import install_api_docs
from backend.api.errors import install_error_handlers
from backend.api.observe import MetricsMiddleware
from backend.api.ratelimit import BodySizeLimitMiddleware, IpRateLimitMiddleware, NulQueryMiddleware, RateLimiter
from backend.api.routes import (
    account,
    account_kyc,
    accounts,
    announcements,
    auth,
    eip712,
    faucet,
    forum,
    governance,
    health,
    help,
    kyc_webhook,
    limits,
    marketdata,
    markets,
    network,
    orders,
    servertime,
    staff,
    staff_alerts,
    staff_announcements,
    staff_auth,
    staff_denylist,
    staff_forum,
    staff_frozen,
    staff_help,
    staff_kyc,
    staff_markets,
    staff_risk,
    staff_stats,
    staff_support,
    staff_users,
    stats,
    support,
    withdrawals,
    ws,
)
from backend.bootstrap import Container
from backend.trading.hosting.live import live_exchange
from backend.trading.usecases.command_stream import consuming_commands


@asynccontextmanager
async def _trading_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The composition root's live services (market data, engine host) run with the server; with
    HDEX_COMMAND_STREAM, so does the consumer of the orders API replicas hand over (issue 17)."""
    container: Container = app.state.container
    try:
        async with live_exchange(container) as live:
            app.state.hub = live.hub
            app.state.trading = live.trading
            if not container.settings.command_stream:
                yield
                return
            async with consuming_commands(container, live.trading, app.state.limiter.hit_address):
                yield
    finally:
        await app.state.limiter.close()


def create_app(container: Container) -> FastAPI:
    """The API with its routes; `container` carries settings, database and chain access."""
    app = FastAPI(
        title="HDEX",
        version="0.1.0",
        description=backend_doc or "",
        lifespan=_trading_lifespan,
        docs_url=None,  # install_api_docs serves /docs and /redoc from our own files, not a CDN
        redoc_url=None,
    )
    app.state.container = container
    app.state.limiter = RateLimiter(container.settings)
    app.state.ws_admission = ws.IpAdmission(
        container.settings.ws_max_connections_per_ip, container.settings.ws_max_subscriptions_per_ip
    )
    app.include_router(health.router)
    for module in (
        markets,
        eip712,
        orders,
        accounts,
        marketdata,
        withdrawals,
        servertime,
        ws,
        auth,
        network,
        governance,
    ):
        app.include_router(module.router)
    for module in (staff_auth, staff):  # the back office's API
        app.include_router(module.router)
    for module in (account, account_kyc, kyc_webhook, staff_kyc):  # accounts and KYC (issue 13)
        app.include_router(module.router)
    for module in (limits, staff_users, staff_denylist, staff_markets):  # limits and the back office (issue 13)
        app.include_router(module.router)
    app.include_router(staff_frozen.router)  # frozen deposits by blocked addresses and their release
    app.include_router(staff_risk.router)  # withdrawal pauses and travel-rule data (issue 14)
    app.include_router(staff_alerts.router)  # alerts, their live stream, cases and reports (issue 14)
    # statistics, the support desk and help center, announcements, the forum (issue 16)
    app.include_router(stats.router)  # statistics: public volume and markets, behaviour events
    app.include_router(staff_stats.router)  # statistics tables and CSV exports for staff
    for module in (forum, staff_forum):  # the forum and its moderation
        app.include_router(module.router)
    for module in (support, staff_support):  # the support desk
        app.include_router(module.router)
    for module in (announcements, staff_announcements, help, staff_help):  # announcements, help center
        app.include_router(module.router)
    if container.settings.development_chain:
        app.include_router(faucet.router)
    install_api_docs(app)
    install_dapp(app, container.settings.dapp_dir)
    install_error_handlers(app)
    app.add_middleware(orders.PlaceOrderFastPath)
    app.add_middleware(NulQueryMiddleware)
    app.add_middleware(IpRateLimitMiddleware, limiter=app.state.limiter)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=container.settings.max_body_bytes,
        by_path={
            **orders.order_entry_body_limits(container.settings),  # as a replica
            account_kyc.LEVEL2_PATH: account_kyc.level2_max_body(container.settings),  # KYC documents
            support.TICKETS_PATH: support.tickets_max_body(container.settings),  # a ticket's attachment
            support.REPLIES_PATH: support.tickets_max_body(container.settings),  # a reply's
            staff_support.MESSAGES_PATH: support.tickets_max_body(container.settings),  # staff's reply or note's
        },
    )

    app.add_middleware(MetricsMiddleware)
    return app
