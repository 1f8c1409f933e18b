"""The travel-rule data the withdrawal door stored is the wallet's personal data: the wallet's export shows it,
and its deletion request keeps it for HDEX_TRAVEL_RULE_RETENTION_DAYS (AML record keeping), after which the
retention purge removes it; the withdrawal itself stays."""

from __future__ import annotations

from backend.accounts.service import Accounts

from ..api.exchange_fixtures import Exchange, wallet
from ..web_kit import signed_in_wallet
from .withdrawal_fixtures import THRESHOLD, body, exchange, travel_rule, withdrawal

__all__ = ["exchange"]  # the fixture

DAY_MS = 86_400_000


def test_the_wallet_s_export_shows_its_travel_rule_data_and_its_deletion_has_it_purged_after_retention(
    exchange: Exchange,
) -> None:
    accepted = exchange.client.post("/v1/withdrawals", json={**body(withdrawal()), "travelRule": travel_rule()})
    assert accepted.status_code == 202, accepted.text
    request_hash = accepted.json()["hash"]
    signed_in_wallet(exchange.client, 5)

    [exported] = exchange.client.get("/v1/account/export").json()["travelRuleRecords"]
    assert exported["request_hash"] == request_hash and exported["value"] == str(THRESHOLD)
    identification = exported["originator"]["naturalPerson"]["nationalIdentification"]
    assert (identification["nationalIdentifier"], exported["beneficiary"]["accountNumber"]) == ("C01X00T47", wallet(5))

    receipt = exchange.client.post("/v1/account/deletion").json()
    until = receipt["requestedAt"] + exchange.container.settings.travel_rule_retention_days * DAY_MS
    assert receipt["travelRuleRetainedUntil"] == until
    signed_in_wallet(exchange.client, 5)  # the request ended the wallet's sessions
    now = [until - 1]
    accounts = Accounts(exchange.container, clock=lambda: now[0])
    accounts.purge_expired()
    assert [r["request_hash"] for r in exchange.client.get("/v1/account/export").json()["travelRuleRecords"]] == [
        request_hash
    ]
    now[0] += 1
    accounts.purge_expired()
    assert exchange.client.get("/v1/account/export").json()["travelRuleRecords"] == []
    assert exchange.client.get(f"/v1/withdrawals/{request_hash}").status_code == 200
