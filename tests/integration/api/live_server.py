"""The API as a real server: uvicorn on a free port in a thread, for clients and processes to talk to."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from backend.api.app import create_app
from backend.bootstrap import Container

from ..conftest import free_port


@contextmanager
def serving(container: Container) -> Iterator[str]:
    """Serve `container`'s API until the block ends; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        assert thread.is_alive(), "server stopped while starting"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
