"""The travel-rule data sent with a wallet's withdrawals (originator and beneficiary: name, national id, date of
birth) is personal data held about the wallet: its export holds it, and its deletion request keeps it only for
HDEX_TRAVEL_RULE_RETENTION_DAYS (AML record keeping), after which the purge removes it; the withdrawals stay."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend.accounts.service import Accounts
from backend.audit_log import AuditFilter, list_entries
from backend.bootstrap import Container
from backend.db.models import TravelRuleRecord, WithdrawalRequest

from ..api.exchange_fixtures import wallet
from .conftest import OTHER, USER, signed_in_wallet

DAY_MS = 86_400_000
CREATED_MS = 1_700_000_000_000


def _originator(family_name: str) -> dict[str, Any]:
    return {
        "naturalPerson": {
            "name": {"primaryIdentifier": family_name, "secondaryIdentifier": "Ada"},
            "nationalIdentification": {
                "nationalIdentifier": f"{family_name}-ID-1", "nationalIdentifierType": "CCPT", "countryOfIssue": "GB",
            },
            "dateAndPlaceOfBirth": {"dateOfBirth": "1990-12-10", "placeOfBirth": "London"},
        },
    }  # fmt: skip


def _withdrawal_with_travel_rule(container: Container, key_index: int, nonce: int, family_name: str) -> str:
    """A stored withdrawal of dev wallet `key_index` with the travel-rule data the door stores with it."""
    request_hash = "0x" + f"{key_index:02x}{nonce:02x}" * 16
    with container.uow() as uow:
        uow.session.add(WithdrawalRequest(
            hash=request_hash, wallet=wallet(key_index), token=wallet(1), amount=2_000 * 10**6, max_fee=0, fee=0,
            recipient=wallet(key_index), nonce=nonce, expiry=2**40, signature=b"\x01" * 65, status="accepted",
            created_at_ms=CREATED_MS + nonce, updated_at_ms=CREATED_MS + nonce,
        ))  # fmt: skip
        uow.session.flush()
        uow.session.add(TravelRuleRecord(
            request_hash=request_hash, originator=_originator(family_name) | {"accountNumber": wallet(key_index)},
            beneficiary={"naturalPerson": {"name": {"primaryIdentifier": family_name}}, "accountNumber":
                         wallet(key_index)},
            value=2_000 * 10**6, created_at_ms=CREATED_MS + nonce,
        ))  # fmt: skip
        uow.commit()
    return request_hash


def _travel_rule_hashes(container: Container) -> list[str]:
    with container.uow() as uow:
        return sorted(uow.session.scalars(select(TravelRuleRecord.request_hash)))


def test_the_export_holds_the_travel_rule_data_of_the_wallet_s_withdrawals_and_of_no_other_wallet(
    user: TestClient, container: Container
) -> None:
    first = _withdrawal_with_travel_rule(container, USER, 1, "Lovelace")
    second = _withdrawal_with_travel_rule(container, USER, 2, "Lovelace")
    _withdrawal_with_travel_rule(container, OTHER, 1, "Hopper")

    data = user.get("/v1/account/export").json()
    assert [record["request_hash"] for record in data["travelRuleRecords"]] == [first, second]
    record = data["travelRuleRecords"][0]
    person = record["originator"]["naturalPerson"]
    assert person["nationalIdentification"]["nationalIdentifier"] == "Lovelace-ID-1"
    assert person["dateAndPlaceOfBirth"] == {"dateOfBirth": "1990-12-10", "placeOfBirth": "London"}
    assert record["beneficiary"]["accountNumber"] == wallet(USER)
    assert (record["value"], record["retain_until_ms"]) == (str(2_000 * 10**6), None)
    assert "Hopper" not in str(data)


def test_a_deletion_keeps_the_travel_rule_data_until_its_retention_ends_then_the_purge_removes_it(
    user: TestClient, container: Container
) -> None:
    mine = _withdrawal_with_travel_rule(container, USER, 1, "Lovelace")
    others = _withdrawal_with_travel_rule(container, OTHER, 1, "Hopper")

    receipt = user.post("/v1/account/deletion").json()
    retention_ms = container.settings.travel_rule_retention_days * DAY_MS
    until = receipt["requestedAt"] + retention_ms
    assert receipt["travelRuleRetainedUntil"] == until
    assert receipt["kycRetainedUntil"] is None  # no KYC records: the two periods are told apart
    signed_in_wallet(user, USER)  # the request ended its sessions
    [exported] = user.get("/v1/account/export").json()["travelRuleRecords"]
    assert exported["retain_until_ms"] == until  # the user sees until when it is kept

    now = [until - 1]
    accounts = Accounts(container, clock=lambda: now[0])
    assert accounts.purge_expired().travel_rule_records == 0
    assert _travel_rule_hashes(container) == sorted([mine, others])
    now[0] += 1
    assert accounts.purge_expired().travel_rule_records == 1
    assert _travel_rule_hashes(container) == [others]  # the other wallet asked for nothing
    assert user.get("/v1/account/export").json()["travelRuleRecords"] == []
    with container.uow() as uow:
        assert uow.session.get(WithdrawalRequest, mine) is not None  # the ledger's record of the withdrawal stays
        [request] = list_entries(uow.session, AuditFilter(action="account.deletion_request"), 10)
        [purge] = list_entries(uow.session, AuditFilter(action="travel_rule.purge"), 10)
    assert (request.after["travelRuleRecords"], request.after["travelRuleRetainedUntil"]) == ([mine], until)
    assert (purge.actor, purge.target, purge.after) == ("system:retention", wallet(USER), {"withdrawals": [mine]})
    far_future = [10**15]
    Accounts(container, clock=lambda: far_future[0]).purge_expired()
    assert _travel_rule_hashes(container) == [others]  # no retention date: kept as long as the withdrawal
