"""The real ApiServer (uvicorn with HDEX's protocol for slow clients) in a thread, for the tests of its timeouts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.types import ASGIApp

from backend.api.server import ApiServer
from backend.settings import Settings, load_settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: ASGIApp, **settings: Any) -> Iterator[tuple[ApiServer, Settings]]:
    """`app` served on a free loopback port under `settings` (added to the embedded defaults) until the block ends."""
    loaded = load_settings(_env_file=None, api_host="127.0.0.1", api_port=free_port(), **settings)
    listening = threading.Event()
    server = ApiServer(app, loaded, listening.set)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        assert listening.wait(timeout=30), "the server never listened"
        yield server, loaded
    finally:
        server.should_exit = True
        thread.join(timeout=30)
