"""The FastAPI application factory."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from backend import __doc__ as backend_doc
from backend.api.routes import health
from backend.bootstrap import Container
from backend.metrics import HTTP_LATENCY, HTTP_REQUESTS


def create_app(container: Container) -> FastAPI:
    """The API with its routes; `container` carries settings, database and chain access."""
    app = FastAPI(title="HDEX", version="0.1.0", description=backend_doc or "")
    app.state.container = container
    app.include_router(health.router)

    @app.middleware("http")
    async def record_metrics(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = _route_template(request)
        HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        return response

    return app


def _route_template(request: Request) -> str:
    # Label by template (/v1/orders/{hash}), never by raw path, so label cardinality stays bounded.
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))
