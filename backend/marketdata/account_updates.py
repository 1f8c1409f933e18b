"""Publishing to a wallet's `account` channel from anywhere: the API's event loop, another thread
of the same process (the embedded relayer), or another process (a Celery worker, with Redis).

The container's one `AccountNotifier` (`account_notifier_for`) is what the relayer calls when a
fill settles or fails, or a withdrawal moves on; WebSocket clients subscribed to that wallet's
`account` channel get it. The API attaches its hub to the same notifier while it runs.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import redis

from backend.bootstrap import Container
from backend.marketdata.bus import channel_prefix
from backend.marketdata.hub import MarketDataHub
from backend.settings import Settings

ACCOUNT_CHANNEL = "account"  # a wallet's channel: `account:<EIP-55 wallet>`


class AccountNotifier:
    """Delivers account messages through the attached hub (same process) or else through Redis."""

    def __init__(self, settings: Settings) -> None:
        self._local: tuple[MarketDataHub, asyncio.AbstractEventLoop] | None = None
        self._lock = threading.Lock()
        # One client for the container's life: its connection pool is thread-safe and reused, where a
        # client per publish paid a TCP connect for each message.
        self._redis = (
            None
            if settings.redis_url is None
            else redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        )
        self._prefix = channel_prefix(settings.redis_url) if settings.redis_url else ""

    def attach(self, hub: MarketDataHub, loop: asyncio.AbstractEventLoop) -> None:
        """The API's hub while it runs: threads of this process publish through it, on its loop."""
        with self._lock:
            self._local = (hub, loop)

    def detach(self) -> None:
        with self._lock:
            self._local = None

    def __call__(self, wallet: str, message: dict[str, Any]) -> bool:
        """Send `message` (a JSON object with a `type`) to `account:<wallet>` (EIP-55 wallet).

        Through the attached hub when there is one (thread-safe), else through Redis when configured;
        returns False when neither can reach a subscriber (no API here and no Redis).
        """
        with self._lock:
            local = self._local
        if local is not None:
            hub, loop = local
            loop.call_soon_threadsafe(hub.publish, [(f"{ACCOUNT_CHANNEL}:{wallet}", message)])
            return True
        if self._redis is None:
            return False
        try:
            body = json.dumps({"channel": ACCOUNT_CHANNEL, **message})
            self._redis.publish(f"{self._prefix}{ACCOUNT_CHANNEL}:{wallet}", body)
        except redis.RedisError:
            return False
        return True


def _build(container: Container) -> AccountNotifier:
    return AccountNotifier(container.settings)


def account_notifier_for(container: Container) -> AccountNotifier:
    """The container's one notifier, shared by the API (which attaches its hub) and the relayer."""
    return container.shared(_build)
