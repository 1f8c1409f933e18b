"""Withdrawals: `POST /v1/withdrawals` takes a signed EIP-712 Withdrawal (with travel-rule data from the
threshold `GET /v1/withdrawals/quote` tells, which also gives the minimum); the relayer relays it.

The route parses the body and presents the result; the checks, the hold and the storage are the
use case's (`backend.trading.usecases.withdrawals`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep
from backend.api.routes.dependencies import HostDep, TradingDep, WithdrawalHashPath, json_body
from backend.api.schemas import ERROR, Address, WithdrawalView, documented
from backend.compliance.factory import screener_for
from backend.db.models import WithdrawalRequest
from backend.errors import ErrorCode, HdexError
from backend.signing.typed_data import Withdrawal
from backend.trading.rules.orders import parse_address, parse_hash, parse_signature, parse_uint
from backend.trading.usecases import withdrawals

router = APIRouter(prefix="/v1", tags=["withdrawals"])

_UINT = {"type": "string", "pattern": "^[0-9]{1,78}$"}
_ADDRESS = {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}
_WITHDRAWAL_SCHEMA = {
    "type": "object",
    "required": ["wallet", "token", "amount", "maxFee", "recipient", "nonce", "expiry"],
    "properties": {
        "wallet": _ADDRESS, "token": _ADDRESS, "amount": _UINT, "maxFee": _UINT,
        "recipient": _ADDRESS, "nonce": _UINT, "expiry": _UINT,
    },
}  # fmt: skip
_TEXT = {"type": "string", "minLength": 1}
_COUNTRY = {"type": "string", "pattern": "^[A-Za-z]{2}$", "description": "ISO 3166-1 alpha-2"}
_LEI = {"type": "string", "pattern": "^[0-9A-Za-z]{18}[0-9]{2}$", "description": "ISO 17442, check digits verified"}
_NATURAL_PERSON = {
    "type": "object", "required": ["name"], "additionalProperties": False,
    "description": "the originator also needs one of geographicAddress, nationalIdentification, "
    "customerIdentification or dateAndPlaceOfBirth",
    "properties": {
        "name": {"type": "object", "required": ["primaryIdentifier"], "properties": {
            "primaryIdentifier": {**_TEXT, "description": "family name"},
            "secondaryIdentifier": {**_TEXT, "description": "given names"}}},
        "geographicAddress": {"type": "object", "required": ["streetName", "townName", "country"], "properties": {
            "streetName": _TEXT, "buildingNumber": _TEXT, "postCode": _TEXT, "townName": _TEXT, "country": _COUNTRY}},
        "nationalIdentification": {
            "type": "object", "required": ["nationalIdentifier", "nationalIdentifierType", "countryOfIssue"],
            "properties": {"nationalIdentifier": _TEXT, "countryOfIssue": _COUNTRY, "nationalIdentifierType": {
                "enum": ["ARNU", "CCPT", "RAID", "DRLC", "FIIN", "TXID", "SOCS", "IDCD", "LEIX", "MISC"]}}},
        "customerIdentification": _TEXT,
        "dateAndPlaceOfBirth": {"type": "object", "required": ["dateOfBirth", "placeOfBirth"], "properties": {
            "dateOfBirth": {"type": "string", "format": "date"}, "placeOfBirth": _TEXT}},
        "countryOfResidence": _COUNTRY,
    },
}  # fmt: skip
_LEGAL_PERSON = {
    "type": "object", "required": ["name"], "additionalProperties": False,
    "description": "countryOfRegistration is required for the originator",
    "properties": {"name": _TEXT, "lei": _LEI, "countryOfRegistration": _COUNTRY},
}  # fmt: skip
_PERSON = {"naturalPerson": _NATURAL_PERSON, "legalPerson": _LEGAL_PERSON}
_TRAVEL_RULE_SCHEMA = {
    "type": "object", "required": ["originator", "beneficiary"], "additionalProperties": False,
    "description": "IVMS101 originator and beneficiary: required when the withdrawal is worth the travel-rule "
    "threshold or more in the reference token (GET /v1/withdrawals/quote), optional (but checked) below it",
    "properties": {
        "originator": {"type": "object", "description": "exactly one of naturalPerson or legalPerson", "properties": {
            **_PERSON, "accountNumber": {**_ADDRESS, "description": "the withdrawing wallet (the default)"}}},
        "beneficiary": {
            "type": "object", "required": ["accountNumber"],
            "description": "exactly one of naturalPerson or legalPerson", "properties": {
                **_PERSON, "accountNumber": {**_ADDRESS, "description": "the withdrawal's recipient, exactly"},
                "vasp": {"type": "object", "required": ["name"], "properties": {"name": _TEXT, "lei": _LEI},
                         "description": "the beneficiary's VASP, when the recipient is a hosted wallet"}}},
    },
}  # fmt: skip
_TRAVEL_RULE_EXAMPLE = {
    "originator": {"naturalPerson": {
        "name": {"primaryIdentifier": "Lovelace", "secondaryIdentifier": "Ada"},
        "geographicAddress": {"streetName": "St James's Square", "buildingNumber": "12", "postCode": "SW1Y 4JH",
                              "townName": "London", "country": "GB"}}},
    "beneficiary": {
        "legalPerson": {"name": "Analytical Engines Ltd", "lei": "506700GE1G29325QX363", "countryOfRegistration": "GB"},
        "accountNumber": "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
        "vasp": {"name": "Example Custody GmbH"}},
}  # fmt: skip
_ERRORS: dict[int | str, dict[str, Any]] = {s: ERROR for s in (400, 401, 403, 404, 409, 413, 422, 429, 503)}


def parse_withdrawal(body: Any) -> tuple[Withdrawal, bytes]:
    """The signed withdrawal of a request body, every field checked."""
    if not isinstance(body, dict) or not isinstance(body.get("withdrawal"), dict):
        raise HdexError(ErrorCode.INVALID_FIELD, "expected {withdrawal: {...}, signature}", "withdrawal")
    raw = body["withdrawal"]
    withdrawal = Withdrawal(
        wallet=parse_address(raw.get("wallet"), "withdrawal.wallet"),
        token=parse_address(raw.get("token"), "withdrawal.token"),
        amount=parse_uint(raw.get("amount"), 256, "withdrawal.amount"),
        maxFee=parse_uint(raw.get("maxFee"), 256, "withdrawal.maxFee"),
        recipient=parse_address(raw.get("recipient"), "withdrawal.recipient"),
        nonce=parse_uint(raw.get("nonce"), 64, "withdrawal.nonce"),
        expiry=parse_uint(raw.get("expiry"), 64, "withdrawal.expiry"),
    )
    return withdrawal, parse_signature(body.get("signature"))


def travel_rule_of(body: Any) -> object | None:
    """The body's `travelRule` JSON as sent (None if absent or null): the use case checks it against the
    signed withdrawal."""
    return body.get("travelRule") if isinstance(body, dict) else None


class QuoteReference(BaseModel):
    symbol: str = Field(examples=["USDC"])
    token: Address
    decimals: int = Field(ge=0)


class WithdrawalQuoteView(BaseModel):
    reference: QuoteReference = Field(description="the token values are in (the tier limits' reference)")
    value: str | None = Field(
        pattern="^[0-9]{1,78}$",
        description="the asked withdrawal's value in reference base units; null without token and amount, or "
        "when the token has no price (the limits refuse such a withdrawal)",
    )
    minimum: str = Field(
        pattern="^[0-9]{1,78}$", description="reference base units: a withdrawal worth less is refused"
    )
    belowMinimum: bool = Field(description="whether a withdrawal of this amount is refused as WITHDRAWAL_TOO_SMALL")
    travelRuleThreshold: str = Field(
        pattern="^[0-9]{1,78}$", description="reference base units: from this value on, travelRule is required"
    )
    travelRuleRequired: bool = Field(description="whether a withdrawal of this amount must carry travelRule")


@router.post(
    "/withdrawals",
    status_code=202,
    responses={**documented(WithdrawalView, "accepted for relaying", 202), **_ERRORS},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["withdrawal", "signature"],
                        "properties": {
                            "withdrawal": _WITHDRAWAL_SCHEMA,
                            "signature": {"type": "string", "pattern": "^0x[0-9a-fA-F]{130}$"},
                            "travelRule": _TRAVEL_RULE_SCHEMA,
                        },
                    },
                    "examples": {
                        "travel rule": {
                            "summary": "a withdrawal above the travel-rule threshold",
                            "value": {
                                "withdrawal": {
                                    "wallet": "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
                                    "token": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                                    "amount": "5000000000",
                                    "maxFee": "0",
                                    "recipient": "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
                                    "nonce": "1733100000000000000",
                                    "expiry": "1733190000",
                                },
                                "signature": "0x" + "ab" * 65,
                                "travelRule": _TRAVEL_RULE_EXAMPLE,
                            },
                        }
                    },
                }
            },
        }
    },
)
async def request_withdrawal(
    request: Request, host: HostDep, trading: TradingDep, container: ContainerDep
) -> JSONResponse:
    """Accept a signed withdrawal for relaying: 202 with its hash and status `accepted`. Refused while
    withdrawals are paused (503 WITHDRAWALS_PAUSED), or worth less than the minimum (422 WITHDRAWAL_TOO_SMALL,
    `GET /v1/withdrawals/quote` tells it); worth the travel-rule threshold or more, it needs
    `travelRule` (422 TRAVEL_RULE_REQUIRED, or TRAVEL_RULE_INVALID naming the field at fault)."""
    body = await json_body(request)
    withdrawal, signature = parse_withdrawal(body)
    row = await withdrawals.request_withdrawal(
        host, trading.fence, container, screener_for(container), withdrawal, signature, travel_rule_of(body)
    )
    return JSONResponse(_message(row), status_code=202)


# declared before /withdrawals/{withdrawalHash}, which would otherwise take "quote" for a hash
@router.get(
    "/withdrawals/quote",
    response_model=None,
    responses={**documented(WithdrawalQuoteView, "the minimum and the travel-rule threshold"), **_ERRORS},
)
async def get_withdrawal_quote(
    container: ContainerDep,
    trading: TradingDep,
    token: Annotated[str | None, Query(description="the token to withdraw (with amount)")] = None,
    amount: Annotated[str | None, Query(description="base units of token (with token)")] = None,
) -> dict[str, Any]:
    """The minimum withdrawal and the travel-rule threshold in the reference token and, given `token` and
    `amount`, the withdrawal's value (as the tier limits value it, at the latest prices): whether it is refused as
    too small, and whether it must carry `travelRule`."""
    if (token is None) != (amount is None):
        raise HdexError(ErrorCode.INVALID_FIELD, "give both token and amount, or neither", "amount")
    asked = None if token is None else parse_address(token, "token")
    units = None if amount is None else parse_uint(amount, 256, "amount")
    # on the host's loop: its price-source readings (none while this process stands by for the engine)
    sourced = {} if trading.host is None else trading.host.source_prices()
    quote = await asyncio.to_thread(withdrawals.withdrawal_quote, container, asked, units, sourced)
    reference = quote.reference
    return {
        "reference": {"symbol": reference.symbol, "token": reference.token, "decimals": reference.decimals},
        "value": None if quote.value is None else str(quote.value),
        "minimum": str(quote.minimum),
        "belowMinimum": quote.below_minimum,
        "travelRuleThreshold": str(quote.threshold),
        "travelRuleRequired": quote.travel_rule_required,
    }


@router.get("/withdrawals/{withdrawalHash}", responses={**documented(WithdrawalView, "the request"), **_ERRORS})
async def get_withdrawal(withdrawal_hash: WithdrawalHashPath, container: ContainerDep) -> JSONResponse:
    """One withdrawal request by hash: accepted, relaying, relayed, completed or failed."""
    key = parse_hash(withdrawal_hash, "withdrawalHash")
    with container.uow() as uow:
        row = uow.session.get(WithdrawalRequest, key)
        if row is None:
            raise HdexError(ErrorCode.NOT_FOUND, f"no withdrawal {withdrawal_hash}", "withdrawalHash")
        return JSONResponse(_message(row))


def _message(row: WithdrawalRequest) -> dict[str, Any]:
    return {
        "hash": row.hash, "wallet": row.wallet, "token": row.token, "amount": str(row.amount), "fee": str(row.fee),
        "recipient": row.recipient, "status": row.status, "txHash": row.tx_hash, "failure": row.failure,
    }  # fmt: skip
