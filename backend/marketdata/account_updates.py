"""Publishing to a wallet's `account` channel from anywhere: the API's event loop, another thread
of the same process (the embedded relayer), or another process (a Celery worker, with Redis).

The relayer calls `publish_account_update(settings, wallet, message)` when a fill settles or fails,
or a withdrawal moves on; WebSocket clients subscribed to that wallet's `account` channel get it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import redis

from backend.marketdata.bus import PREFIX
from backend.marketdata.hub import MarketDataHub
from backend.settings import Settings

_local: tuple[MarketDataHub, asyncio.AbstractEventLoop] | None = None
_lock = threading.Lock()


def register_local_hub(hub: MarketDataHub | None, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """The API process announces its hub (None when it stops), so threads can publish through it."""
    global _local
    with _lock:
        _local = None if hub is None or loop is None else (hub, loop)


def publish_account_update(settings: Settings, wallet: str, message: dict[str, Any]) -> bool:
    """Send `message` (a JSON object with a `type`) to `account:<wallet>` (EIP-55 wallet).

    Through this process's hub when there is one (thread-safe), else through Redis when configured;
    returns False when neither can reach a subscriber (no API here and no Redis).
    """
    with _lock:
        local = _local
    if local is not None:
        hub, loop = local
        loop.call_soon_threadsafe(hub.publish, [(f"account:{wallet}", message)])
        return True
    if settings.redis_url is None:
        return False
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.publish(f"{PREFIX}account:{wallet}", json.dumps({"channel": "account", **message}))
    except redis.RedisError:
        return False
    finally:
        client.close()
    return True
