"""What a serving process tells Prometheus: request counts and latencies per route, and `GET /metrics`."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.metrics import HTTP_LATENCY, HTTP_REQUESTS


def route_template(scope: Scope) -> str:
    """The route a request matched, as its template (/v1/orders/{hash}): never the raw path, so that label
    cardinality stays bounded."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


class MetricsMiddleware:
    """Request counts and latencies per route (`route_of`); plain ASGI (no task per request)."""

    def __init__(self, app: ASGIApp, route_of: Callable[[Scope], str] = route_template) -> None:
        self.app = app
        self.route_of = route_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            route = self.route_of(scope)
            HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()


def metrics_response() -> Response:
    """This process's metrics in Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
