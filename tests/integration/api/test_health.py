"""`/health` reports each dependency, answers 503 instead of crashing, and `/metrics` is Prometheus text."""

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from backend.api.app import create_app
from backend.api.routes import health as health_route
from backend.bootstrap import bootstrap
from backend.chain.deployments import record_deployments
from backend.chain.node import AnvilNode
from backend.db import migrate
from backend.settings import load_settings

from ..conftest import free_port

CLOSED_PORT_DB = "postgresql+psycopg://postgres@127.0.0.1:1/hdex"


def _client(**settings: object) -> Iterator[TestClient]:
    container = bootstrap(load_settings(_env_file=None, **settings))
    with TestClient(create_app(container)) as client:
        yield client
    container.db_engine.dispose()


@pytest.fixture
def healthy(anvil: AnvilNode, sqlite_url: str) -> Iterator[TestClient]:
    migrate.upgrade(sqlite_url)
    yield from _client(database_url=sqlite_url, rpc_url=anvil.url, redis_url=None)


def test_health_is_ok_with_chain_id_block_and_database(healthy: TestClient) -> None:
    response = healthy.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["chain"] == "ok"
    assert body["chain_id"] == 31337
    assert isinstance(body["block_number"], int)
    assert body["redis"] == "disabled"
    assert body["contracts"] == {}


def test_health_lists_the_recorded_contract_addresses(healthy: TestClient, sqlite_url: str) -> None:
    container = healthy.app.state.container  # type: ignore[attr-defined]
    with container.uow() as uow:
        record_deployments(uow.session, 31337, {"Exchange": "0x" + "aa" * 20}, 1)
        uow.commit()
    assert healthy.get("/health").json()["contracts"] == {"Exchange": "0x" + "aa" * 20}


def test_a_broken_database_is_reported_as_error_with_503(anvil: AnvilNode) -> None:
    for client in _client(database_url=CLOSED_PORT_DB, rpc_url=anvil.url):
        response = client.get("/health")
        assert response.status_code == 503
        body = response.json()
        assert (body["status"], body["database"], body["chain"]) == ("degraded", "error", "ok")
        assert body["chain_id"] == 31337


def test_an_unreachable_chain_is_reported_as_error_with_503(sqlite_url: str) -> None:
    migrate.upgrade(sqlite_url)
    for client in _client(database_url=sqlite_url, rpc_url=f"http://127.0.0.1:{free_port()}"):
        response = client.get("/health")
        assert response.status_code == 503
        body = response.json()
        assert (body["database"], body["chain"], body["chain_id"]) == ("ok", "error", None)


def test_a_chain_with_another_chain_id_is_an_error(sqlite_url: str, anvil: AnvilNode) -> None:
    migrate.upgrade(sqlite_url)
    for client in _client(database_url=sqlite_url, rpc_url=anvil.url, chain_id=1):
        body = client.get("/health").json()
        assert (body["chain"], body["chain_id"]) == ("error", 31337)


def test_an_unreachable_redis_is_reported_as_error_with_503(sqlite_url: str, anvil: AnvilNode) -> None:
    migrate.upgrade(sqlite_url)
    redis_url = f"redis://127.0.0.1:{free_port()}/0"
    for client in _client(database_url=sqlite_url, rpc_url=anvil.url, redis_url=redis_url):
        response = client.get("/health")
        assert response.status_code == 503
        assert response.json()["redis"] == "error"


@pytest.mark.skipif(not os.environ.get("HDEX_REDIS_URL"), reason="no Redis configured (HDEX_REDIS_URL)")
def test_a_configured_redis_server_is_reported_ok(sqlite_url: str, anvil: AnvilNode) -> None:
    migrate.upgrade(sqlite_url)
    for client in _client(database_url=sqlite_url, rpc_url=anvil.url, redis_url=os.environ["HDEX_REDIS_URL"]):
        body = client.get("/health").json()
        assert body["redis"] == "ok"


def test_metrics_are_served_in_prometheus_format(healthy: TestClient) -> None:
    healthy.get("/health")
    response = healthy.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'hdex_http_requests_total{method="GET",route="/health",status="200"}' in response.text
    assert "hdex_chain_block_number" in response.text


def test_an_unmigrated_database_is_an_error_not_a_crash(empty_sqlite_url: str, anvil: AnvilNode) -> None:
    for client in _client(database_url=empty_sqlite_url, rpc_url=anvil.url):
        response = client.get("/health")
        assert response.status_code == 503
        assert response.json()["database"] == "error"


def test_a_flood_of_checks_asks_the_chain_once_a_second_and_the_engine_every_time(
    healthy: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/health is not rate limited (balancers), and each answer asked the chain twice, Redis and the database:
    a flood of checks passed straight to the RPC provider."""
    asked: list[str] = []
    real_call = health_route.rpc_call
    now = [1_000.0]

    def counted(url: str, method: str, *args: object, **kwargs: object) -> object:
        asked.append(method)
        return real_call(url, method, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(health_route, "rpc_call", counted)
    monkeypatch.setattr(health_route, "clock", lambda: now[0])
    for _ in range(20):
        assert healthy.get("/health").status_code == 200
    assert asked == ["eth_chainId", "eth_blockNumber"]
    now[0] += health_route.HEALTH_CACHE_S
    healthy.get("/health")
    assert len(asked) == 4  # asked again once the answer is a second old
