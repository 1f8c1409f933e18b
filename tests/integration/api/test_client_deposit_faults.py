"""A deposit whose node fails raises the client's typed errors: never a second deposit, never a raw transport error.

The bot's deposit is the one transaction it sends itself. A node that stops answering after it took the signed
transaction leaves the deposit mined but its hash unknown to the bot: the client used to raise the transport's
own exception without the hash, so a bot that tried again sent a second deposit. It now raises
`TransactionOutcomeUnknown` carrying the hash (wait for it: `wait_for_deposit(error.tx_hash)`), and a node that
cannot be reached before anything was sent is `NETWORK`, as for the API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from eth_typing import HexStr
from web3 import Web3

from backend.chain.devkeys import DEV_KEYS
from backend.client import HdexClient, HdexClientError, TransactionOutcomeUnknown

from ..conftest import free_port
from ..devchain import DevChain, address_of, dev_market_container
from .live_server import serving

pytestmark = pytest.mark.chain

ETH = "0x0000000000000000000000000000000000000000"
BOT = 5
AMOUNT = 10**17


Fault = Callable[[str, str, bytes], "int | None"]


@contextmanager
def faulty(upstream: str, fault: Fault) -> Iterator[str]:
    """An HTTP endpoint passing each request to `upstream`, except where `fault(method, path, body)` answers a status
    to send instead (an empty body; 0: drop the connection, no answer at all). Yields its URL."""

    class Forward(BaseHTTPRequestHandler):
        def forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status = fault(self.command, self.path, body)
            if status == 0:
                self.close_connection = True
                self.connection.close()
                return
            if status is None:
                headers = {"Content-Type": self.headers.get("Content-Type") or "application/json"}
                answer = httpx.request(self.command, upstream + self.path, content=body, headers=headers)
                status, content = answer.status_code, answer.content
            else:
                content = b"<html>bad gateway</html>"
            self.send_response(status)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_DELETE = forward

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def node_lost_after_sending(upstream: str) -> AbstractContextManager[str]:
    """A chain node that takes a raw transaction, then drops every connection: the wallet hears nothing more."""
    sent = threading.Event()

    def silent_once_sent(method: str, path: str, body: bytes) -> int | None:
        if sent.is_set():
            return 0
        if b"eth_sendRawTransaction" in body:
            sent.set()
        return None

    return faulty(upstream, silent_once_sent)


@pytest.fixture
def api(devchain: DevChain, sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    container = dev_market_container(devchain, sqlite_url, tmp_path)
    with serving(container) as url:
        yield url
    container.db_engine.dispose()


def test_a_deposit_whose_node_goes_silent_after_taking_it_raises_its_hash_not_a_transport_error(
    devchain: DevChain, api: str
) -> None:
    vault_before = int(devchain.exchange.functions.balanceOf(address_of(BOT), ETH).call())
    with (
        node_lost_after_sending(devchain.url) as flaky,
        HdexClient(api, DEV_KEYS[BOT], rpc_url=flaky) as bot,
        pytest.raises(TransactionOutcomeUnknown) as unknown,
    ):
        bot.deposit(ETH, AMOUNT, timeout=3)
    error = unknown.value
    assert isinstance(error, HdexClientError) and error.code == "TRANSACTION_OUTCOME_UNKNOWN"
    receipt = devchain.w3.eth.get_transaction_receipt(HexStr(error.tx_hash))  # the hash the bot needs to wait for
    assert receipt["status"] == 1 and error.tx_hash in str(error)
    assert int(devchain.exchange.functions.balanceOf(address_of(BOT), ETH).call()) == vault_before + AMOUNT


def test_a_deposit_through_a_node_that_cannot_be_reached_is_a_network_error_and_sends_nothing(api: str) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"
    with HdexClient(api, DEV_KEYS[BOT], rpc_url=unreachable) as bot, pytest.raises(HdexClientError) as refused:
        bot.deposit(ETH, AMOUNT, timeout=3)
    assert (refused.value.code, refused.value.status) == ("NETWORK", 0)


def test_a_deposit_the_node_refuses_is_a_typed_refusal(devchain: DevChain, api: str) -> None:
    wallet = int(devchain.w3.eth.get_balance(Web3.to_checksum_address(address_of(BOT))))
    with HdexClient(api, DEV_KEYS[BOT], rpc_url=devchain.url) as bot, pytest.raises(HdexClientError) as refused:
        bot.deposit(ETH, wallet * 2, timeout=3)  # more ether than the wallet holds: the node refuses to send it
    assert refused.value.code == "TRANSACTION_REFUSED" and "insufficient" in refused.value.message.lower()
