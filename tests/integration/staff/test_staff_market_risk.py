"""Market risk in the back office: staff read a market's band, breaker and limits, change them (null: back to
the default) with an audit entry, are refused settings that cannot work with nothing changed, and end a risk
halt early through the engine host, audit-logged too. (Every role without risk.manage is refused: see
test_staff_permissions.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from backend.db.models import MarketRisk
from backend.staff.roles import Role
from backend.trading.hosting.host import now_ms

from ..api.exchange_fixtures import MARKET, PRICE, QTY, Exchange
from .exchange_staff import STAFF_IP, audit_entries, back_office_state, running_staff_exchange, signed_in

RISK_PATH = f"/v1/staff/markets/{MARKET}/risk"


@pytest.fixture
def exchange(sqlite_url: str, tmp_path: Path) -> Iterator[Exchange]:
    yield from running_staff_exchange(sqlite_url, tmp_path)


def own_settings(exchange: Exchange) -> list[tuple[Any, ...]]:
    with exchange.container.uow() as uow:
        return [(r.market, r.band_bps, r.alert_bps, r.max_order_base) for r in uow.session.scalars(select(MarketRisk))]


def test_staff_change_a_markets_risk_settings_and_order_entry_follows(exchange: Exchange) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    shown = exchange.client.get(RISK_PATH).json()
    assert shown["market"] == MARKET and shown["halt"] is None
    assert (shown["settings"]["bandBps"], shown["settings"]["breakerBps"], shown["settings"]["maxOrderBase"]) == (
        2_000, 1_000, None
    )  # fmt: skip
    changed = exchange.client.put(RISK_PATH, json={"bandBps": 500, "maxOrderBase": str(QTY), "reason": "thin book"},
                                  headers=csrf)  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert (changed.json()["settings"]["bandBps"], changed.json()["settings"]["maxOrderBase"]) == (500, str(QTY))
    [entry] = audit_entries(exchange.container, "market.risk.update")
    assert (entry.actor, entry.target, entry.ip) == ("staff:admin@hdex.example", f"market:{MARKET}", STAFF_IP)
    assert entry.before["band_bps"] is None
    assert (entry.after["band_bps"], entry.after["max_order_base"]) == (500, str(QTY))
    assert entry.after["reason"] == "thin book"
    refused = exchange.place(5, baseAmount=QTY + 10**15)  # the serving process's engine host follows at once
    assert refused.json()["error"]["code"] == "ORDER_SIZE_LIMIT_EXCEEDED"
    market = exchange.client.get("/v1/markets").json()["markets"][0]
    assert (market["risk"]["bandBps"], market["risk"]["maxOrderBase"]) == (500, str(QTY))

    back = exchange.client.put(RISK_PATH, json={"bandBps": None}, headers=csrf)
    assert back.json()["settings"]["bandBps"] == 2_000  # the default again
    assert back.json()["settings"]["maxOrderBase"] == str(QTY)  # not sent: kept


REFUSED: list[tuple[dict[str, Any], str | None]] = [
    ({"alertBps": 1_000}, "alertBps"),  # not below the breaker's 1,000
    ({"bandBps": 10_001}, "bandBps"),
    ({"breakerBps": -1}, "breakerBps"),
    ({"cooldownS": 0}, "cooldownS"),
    ({"maxOpenNotional": "0"}, "maxOpenNotional"),
    ({"maxOrderNotional": "-5"}, "maxOrderNotional"),
    ({"reason": "nothing to set"}, None),
]


def test_settings_that_cannot_work_and_unknown_markets_are_refused_and_change_nothing(exchange: Exchange) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    before = (back_office_state(exchange.container), own_settings(exchange))
    for body, field in REFUSED:
        refused = exchange.client.put(RISK_PATH, json=body, headers=csrf)
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "INVALID_RISK_SETTING"), body
        assert refused.json()["error"]["field"] == field
    for method, path, sent in (("GET", "/v1/staff/markets/NOPE/risk", None),
                               ("PUT", "/v1/staff/markets/NOPE/risk", {"bandBps": 5}),
                               ("DELETE", "/v1/staff/markets/NOPE/halt", None)):  # fmt: skip
        answer = exchange.client.request(method, path, json=sent, headers=csrf)
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "UNKNOWN_MARKET"), method
    assert (back_office_state(exchange.container), own_settings(exchange)) == before


def test_staff_end_a_risk_halt_early_through_the_engine_host_audit_logged(exchange: Exchange) -> None:
    csrf = signed_in(exchange, Role.ADMIN)
    app: Any = exchange.client.app
    until = now_ms() + 600_000
    exchange.client.portal.call(app.state.trading.halt_market, MARKET, "breaker", "moved 12%", until, PRICE, PRICE)  # type: ignore[union-attr]
    assert exchange.client.get(RISK_PATH).json()["halt"]["until"] == until
    assert exchange.place(5, baseAmount=QTY // 10).json()["error"]["code"] == "MARKET_CIRCUIT_BREAKER"
    cleared = exchange.client.delete(f"/v1/staff/markets/{MARKET}/halt", headers=csrf)
    assert (cleared.status_code, cleared.json()["halt"]) == (200, None)
    assert exchange.place(5, baseAmount=QTY // 10).status_code == 201
    [entry] = audit_entries(exchange.container, "market.halt.clear")
    assert (entry.actor, entry.ip, entry.before["reason"], entry.before["until"]) == (
        "staff:admin@hdex.example", STAFF_IP, "moved 12%", until
    )  # fmt: skip
    again = exchange.client.delete(f"/v1/staff/markets/{MARKET}/halt", headers=csrf)
    assert again.status_code == 200 and len(audit_entries(exchange.container, "market.halt.clear")) == 1
