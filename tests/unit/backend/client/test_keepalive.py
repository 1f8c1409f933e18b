"""Clients drop an idle connection before the server's keep-alive closes it: a connection reused just as the server
closes it fails its request unanswered (seen as an order test's "Server disconnected without sending a response"
while a replica's connection sat idle through an engine restart)."""

from __future__ import annotations

from backend.client.core import KEEPALIVE_EXPIRY_S
from backend.settings import Settings


def test_the_client_lets_a_connection_go_before_the_server_s_default_keep_alive_does() -> None:
    server_s = Settings.model_fields["http_keep_alive_s"].default
    assert server_s / 2 >= KEEPALIVE_EXPIRY_S  # before it, with a margin for a slow host
