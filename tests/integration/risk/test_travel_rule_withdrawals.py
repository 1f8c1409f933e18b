"""`POST /v1/withdrawals` and the travel rule: a withdrawal worth the threshold or more in the reference token
(valued as the tier limits value it) is refused without IVMS101 data and with invalid data, storing
nothing; with valid data it is accepted and the data stored with it; below the threshold the data is
optional. Staff read the stored data (audit-logged)."""

from __future__ import annotations

from backend.db.models import TravelRuleRecord
from backend.staff.roles import Role

from ..api.exchange_fixtures import WETH, Exchange, wallet
from ..staff.exchange_staff import audit_entries, signed_in
from .withdrawal_fixtures import (
    THRESHOLD,
    USDC_UNIT,
    body,
    error,
    exchange,
    travel_rule,
    untouched,
    withdrawal,
    withdrawal_rows,
)

__all__ = ["exchange"]  # the fixture


def test_the_default_threshold_is_1000_usdc() -> None:
    assert THRESHOLD == 1_000 * USDC_UNIT


def test_a_withdrawal_at_the_threshold_is_refused_without_travel_rule_data_and_stores_nothing(
    exchange: Exchange,
) -> None:
    before = untouched(exchange)
    refused = exchange.client.post("/v1/withdrawals", json=body(withdrawal(amount=THRESHOLD)))
    assert error(refused) == (422, "TRAVEL_RULE_REQUIRED", "travelRule")
    message = refused.json()["error"]["message"]
    assert "worth 1,000.00 USDC" in message and "threshold of 1,000.00 USDC" in message
    assert untouched(exchange) == before


def test_invalid_travel_rule_data_is_refused_with_its_field_and_stores_nothing(exchange: Exchange) -> None:
    before = untouched(exchange)
    elsewhere = travel_rule(recipient=wallet(6))  # not the signed recipient
    refused = exchange.client.post("/v1/withdrawals", json={**body(withdrawal()), "travelRule": elsewhere})
    assert error(refused) == (422, "TRAVEL_RULE_INVALID", "travelRule.beneficiary.accountNumber")
    nameless = travel_rule()
    del nameless["originator"]["naturalPerson"]["name"]["primaryIdentifier"]
    small = withdrawal(amount=5 * USDC_UNIT)  # checked below the threshold too, when given
    refused = exchange.client.post("/v1/withdrawals", json={**body(small), "travelRule": nameless})
    assert error(refused) == (422, "TRAVEL_RULE_INVALID", "travelRule.originator.naturalPerson.name.primaryIdentifier")
    assert untouched(exchange) == before


def test_a_withdrawal_with_valid_travel_rule_data_is_accepted_and_the_data_stored_with_it(exchange: Exchange) -> None:
    accepted = exchange.client.post("/v1/withdrawals", json={**body(withdrawal()), "travelRule": travel_rule()})
    assert accepted.status_code == 202, accepted.text
    request_hash = accepted.json()["hash"]
    with exchange.container.uow() as uow:
        record = uow.session.get(TravelRuleRecord, request_hash)
        assert record is not None
        assert (record.value, record.beneficiary["accountNumber"]) == (THRESHOLD, wallet(5))
        assert record.originator["naturalPerson"]["nationalIdentification"]["nationalIdentifierType"] == "CCPT"
        assert record.originator["accountNumber"] == wallet(5)


def test_below_the_threshold_the_data_is_optional_and_stored_when_given(exchange: Exchange) -> None:
    just_below = exchange.client.post("/v1/withdrawals", json=body(withdrawal(amount=THRESHOLD - 1)))
    assert just_below.status_code == 202, just_below.text
    given = exchange.client.post(
        "/v1/withdrawals", json={**body(withdrawal(amount=USDC_UNIT)), "travelRule": travel_rule()}
    )
    assert given.status_code == 202, given.text
    assert [row[:2] for row in withdrawal_rows(exchange) if row[0] == "travel rule"] == [
        ("travel rule", given.json()["hash"])
    ]


def test_another_token_is_valued_in_the_reference_token_as_the_limits_value_it(exchange: Exchange) -> None:
    """WETH has the shared fixtures' fixed price of 3,000 USDC: 0.34 WETH is worth 1,020 USDC, 0.33 WETH 990."""
    quote = exchange.client.get("/v1/withdrawals/quote", params={"token": WETH, "amount": str(34 * 10**16)})
    assert quote.json() == {
        "reference": {"symbol": "USDC", "token": quote.json()["reference"]["token"], "decimals": 6},
        "value": str(1_020 * USDC_UNIT),
        "minimum": "0",  # the shared fixtures' (tests/integration/devchain.py)
        "belowMinimum": False,
        "travelRuleThreshold": str(THRESHOLD),
        "travelRuleRequired": True,
    }
    refused = exchange.client.post("/v1/withdrawals", json=body(withdrawal(token=WETH, amount=34 * 10**16)))
    assert error(refused)[:2] == (422, "TRAVEL_RULE_REQUIRED")
    below = exchange.client.get("/v1/withdrawals/quote", params={"token": WETH, "amount": str(33 * 10**16)})
    assert (below.json()["value"], below.json()["travelRuleRequired"]) == (str(990 * USDC_UNIT), False)
    assert (
        exchange.client.post("/v1/withdrawals", json=body(withdrawal(token=WETH, amount=33 * 10**16))).status_code
        == 202
    )


def test_the_threshold_alone_is_served_and_a_half_question_refused(exchange: Exchange) -> None:
    answer = exchange.client.get("/v1/withdrawals/quote").json()
    assert (answer["travelRuleThreshold"], answer["travelRuleRequired"]) == (str(THRESHOLD), False)
    assert (answer["value"], answer["minimum"], answer["belowMinimum"]) == (None, "0", False)
    assert error(exchange.client.get("/v1/withdrawals/quote", params={"token": WETH}))[:2] == (
        422,
        "INVALID_FIELD",
    )


def test_staff_read_a_withdrawals_travel_rule_data_and_each_reading_is_audit_logged(exchange: Exchange) -> None:
    accepted = exchange.client.post("/v1/withdrawals", json={**body(withdrawal()), "travelRule": travel_rule()})
    without = exchange.client.post("/v1/withdrawals", json=body(withdrawal(amount=USDC_UNIT)))
    path = f"/v1/staff/withdrawals/{accepted.json()['hash']}/travel-rule"
    assert exchange.client.get(path).status_code == 401
    for role in (Role.SUPPORT, Role.AUDITOR):  # identity data: not theirs, as KYC identity data is not
        signed_in(exchange, role)
        assert error(exchange.client.get(path))[:2] == (403, "STAFF_FORBIDDEN"), role
    signed_in(exchange, Role.COMPLIANCE)  # kyc.documents.read
    shown = exchange.client.get(path)
    assert shown.status_code == 200, shown.text
    assert shown.json()["originator"]["naturalPerson"]["name"] == {
        "primaryIdentifier": "Lovelace",
        "secondaryIdentifier": "Ada",
    }
    assert (shown.json()["value"], shown.json()["recipient"]) == (str(THRESHOLD), wallet(5))
    missing = exchange.client.get(f"/v1/staff/withdrawals/{without.json()['hash']}/travel-rule")
    assert error(missing) == (404, "NOT_FOUND", "withdrawalHash")
    [entry] = audit_entries(exchange.container, "withdrawals.travel_rule_view")
    assert (entry.actor, entry.target) == ("staff:compliance@hdex.example", wallet(5))
