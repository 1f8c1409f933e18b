"""The uvicorn server `hdex up` serves the API with: its limits, and a hook for when it listens."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from backend.settings import Settings


class ApiServer(uvicorn.Server):
    """uvicorn on `settings.api_host:api_port`; `on_listening` runs once the app has started and
    the socket accepts connections (uvicorn's own startup ends there), so a log line it writes is true."""

    def __init__(self, app: FastAPI, settings: Settings, on_listening: Callable[[], None]) -> None:
        super().__init__(
            uvicorn.Config(
                app,
                host=settings.api_host,
                port=settings.api_port,
                log_config=None,
                lifespan="on",
                # WebSocket frames get the REST body cap: a larger frame closes the socket (1009)
                # before it is buffered. Smaller ones are refused by /v1/ws's own, lower limit.
                ws_max_size=settings.max_body_bytes,
            )
        )
        self._on_listening = on_listening

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._on_listening()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn skips the app's shutdown on a second SIGINT ("force exit"), and one always comes
        under `make run` (make forwards SIGTERM, `watch_parent` then sends SIGINT). Forcing may stop
        waiting for open connections, never the engine's clean stop (last batch, snapshot)."""
        await super().shutdown(sockets)
        if self.force_exit:
            await self.lifespan.shutdown()
