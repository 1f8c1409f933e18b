"""A socket's sender ends when it is cancelled, even when the cancellation lands just as a send completes. On
Python 3.11 `asyncio.wait_for` then returns the send's result and drops the cancellation: the sender went back to
waiting for its queue, and the server (or a test client's event loop) waited on it for ever at shutdown. The
socket is faked at its edge: its send completes and cancels the sender in the same step of the loop."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.api.routes.ws import IpAdmission, MessageBudget, _Session
from backend.marketdata.bus import InProcessBus
from backend.marketdata.hub import MarketDataHub


class CancelledOnSend:
    """A socket whose every send cancels `sender` at the moment the send completes."""

    sender: asyncio.Task[None]

    async def send_json(self, message: dict[str, Any]) -> None:
        asyncio.get_running_loop().call_soon(self.sender.cancel)

    async def close(self, code: int, reason: str) -> None:
        return None


def test_a_sender_cancelled_as_a_send_completes_ends() -> None:
    async def scenario() -> bool:
        socket = CancelledOnSend()
        session = _Session(
            socket, MarketDataHub(InProcessBus()), {}, admission=IpAdmission(5, 5), ip="ip",  # type: ignore[arg-type]
            send_timeout_s=5, budget=MessageBudget(100, 1000),
        )  # fmt: skip
        session.subscription.queue.put_nowait({"channel": "trades", "market": "WETH-USDC"})
        socket.sender = asyncio.create_task(session.forward())
        done, _ = await asyncio.wait([socket.sender], timeout=5)
        return socket.sender in done and socket.sender.cancelled()

    assert asyncio.run(scenario())
