"""Withdrawals: `POST /v1/withdrawals` takes a signed EIP-712 Withdrawal; the relayer relays it.

The route parses the body and presents the result; the checks, the hold and the storage are the
use case's (`backend.trading.usecases.withdrawals`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from backend.api.deps import ContainerDep
from backend.api.routes.dependencies import HostDep, WithdrawalHashPath, json_body
from backend.api.schemas import ERROR, WithdrawalView, documented
from backend.compliance.factory import screener_for
from backend.db.models import WithdrawalRequest
from backend.errors import ErrorCode, HdexError
from backend.signing.typed_data import Withdrawal
from backend.trading.rules.orders import parse_address, parse_hash, parse_hex_bytes, parse_uint
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
    return withdrawal, parse_hex_bytes(body.get("signature"), 65, "signature")


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
                        },
                    }
                }
            },
        }
    },
)
async def request_withdrawal(request: Request, host: HostDep, container: ContainerDep) -> JSONResponse:
    """Accept a signed withdrawal for relaying: 202 with its hash and status `accepted`."""
    withdrawal, signature = parse_withdrawal(await json_body(request))
    row = await withdrawals.request_withdrawal(host, container, screener_for(container), withdrawal, signature)
    return JSONResponse(_message(row), status_code=202)


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
