"""Every per-client limit counts under one key per client: an IPv4 address, an IPv6 /64 (a host picks any address
in its /64 at will), an IPv4-mapped IPv6 address as its IPv4 one; a host that is no address still gets a stable
key. The per-IP HTTP limit, the scoped limits and the WebSocket caps all use it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from backend.api.client_ip import client_key
from backend.api.deps import limited
from backend.api.errors import install_error_handlers
from backend.api.ratelimit import IpRateLimitMiddleware, RateLimiter
from backend.api.routes import ws
from backend.marketdata.bus import InProcessBus
from backend.marketdata.hub import MarketDataHub
from backend.settings import Settings, load_settings


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("::FFFF:c000:0207", "192.0.2.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:0DB8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::1", "::/64"),
        (None, "unknown"),
        ("", "unknown"),
    ],
)
def test_an_address_is_keyed_by_its_ipv4_address_or_its_ipv6_slash_64(host: str | None, key: str) -> None:
    assert client_key(host) == key


def test_two_ipv6_addresses_of_one_slash_64_share_a_key_and_the_next_slash_64_has_its_own() -> None:
    assert client_key("2001:db8:1:2::a") == client_key("2001:db8:1:2:dead:beef::1")
    assert client_key("2001:db8:1:2::a") != client_key("2001:db8:1:3::a")


@pytest.mark.parametrize("host", ["proxy.example", "PROXY.example", "anything-at-all}:x", "1.2.3.4.5", "::g", "é"])
def test_a_host_that_is_no_address_gets_a_stable_key_that_no_address_or_redis_hash_tag_can_spell(host: str) -> None:
    key = client_key(host)
    assert key == client_key(host)
    assert key.startswith(("name:", "other:")) and not any(c in key for c in "{} ")
    assert client_key(host + "x") != key


def test_a_host_name_is_keyed_without_regard_to_case() -> None:
    assert client_key("Proxy.Example") == client_key("proxy.example") == "name:proxy.example"


def settings(**overrides: object) -> Settings:
    return load_settings(_env_file=None, **overrides)


def test_the_per_ip_limit_counts_every_address_of_an_ipv6_slash_64_as_one_client() -> None:
    app = FastAPI()

    @app.get("/v1/markets")
    async def markets() -> dict[str, str]:
        return {}

    limiter = RateLimiter(settings(rate_limit_ip="3/minute"))
    app.add_middleware(IpRateLimitMiddleware, limiter=limiter)
    statuses = []
    for n in range(4):  # four addresses of one /64, then one of another
        with TestClient(app, client=(f"2001:db8:7:7::{n + 1}", 50000)) as client:
            statuses.append(client.get("/v1/markets").status_code)
    with TestClient(app, client=("2001:db8:7:8::1", 50000)) as client:
        statuses.append(client.get("/v1/markets").status_code)
    assert statuses == [200, 200, 200, 429, 200]


def test_an_ipv4_mapped_address_spends_the_ipv4_address_s_limit() -> None:
    app = FastAPI()

    @app.get("/v1/markets")
    async def markets() -> dict[str, str]:
        return {}

    limiter = RateLimiter(settings(rate_limit_ip="2/minute"))
    app.add_middleware(IpRateLimitMiddleware, limiter=limiter)
    statuses = []
    for host in ("192.0.2.9", "::ffff:192.0.2.9", "::ffff:c000:209"):
        with TestClient(app, client=(host, 50000)) as client:
            statuses.append(client.get("/v1/markets").status_code)
    assert statuses == [200, 200, 429]


def test_a_scoped_limit_counts_every_address_of_an_ipv6_slash_64_as_one_client() -> None:
    app = FastAPI()
    app.state.limiter = RateLimiter(settings(rate_limit_auth="2/minute"))

    @app.get("/v1/auth/nonce", dependencies=[limited("auth")])
    async def nonce() -> dict[str, str]:
        return {}

    install_error_handlers(app)
    statuses = []
    for n in range(3):
        with TestClient(app, client=(f"2001:db8:9:9::{n + 1}", 50000)) as client:
            statuses.append(client.get("/v1/auth/nonce").status_code)
    assert statuses == [200, 200, 429]


def test_the_websocket_connection_cap_counts_every_address_of_an_ipv6_slash_64_as_one_client() -> None:
    app = FastAPI()
    app.state.hub = MarketDataHub(InProcessBus())
    app.state.trading = SimpleNamespace(host=None, standing_by=False)
    app.state.ws_admission = ws.IpAdmission(max_connections=1, max_subscriptions=10)
    app.state.container = SimpleNamespace(settings=settings())
    app.include_router(ws.router)
    with TestClient(app, client=("2001:db8:5:5::1", 50000)) as first, first.websocket_connect("/v1/ws") as held:
        held.send_json({"op": "ping"})
        assert held.receive_json() == {"op": "pong"}
        with TestClient(app, client=("2001:db8:5:5::2", 50000)) as second, second.websocket_connect("/v1/ws") as extra:
            extra.send_json({"op": "ping"})
            refused = extra.receive()  # the close, not the pong
        assert (refused["type"], refused["code"]) == ("websocket.close", 1008)
        assert dict(app.state.ws_admission.connections) == {"2001:db8:5:5::/64": 1}
