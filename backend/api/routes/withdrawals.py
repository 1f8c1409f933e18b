"""Withdrawals: `POST /v1/withdrawals` takes a signed EIP-712 Withdrawal; the relayer relays it.

Checks before anything is stored: fields, signature by the wallet, a recipient that is neither the
zero address nor the Exchange, expiry, fee within the signed max, screening of the wallet and the
destination, and the available balance (ledger minus unfinished withdrawals minus what orders and
fills hold). The accepted request itself is the hold: trading balances subtract unfinished
withdrawals, so it needs no second bookkeeping.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backend.api.deps import ContainerDep
from backend.api.errors import ErrorCode, HdexError
from backend.api.routes.dependencies import HostDep, WithdrawalHashPath, json_body
from backend.api.schemas import ERROR, WithdrawalView, documented
from backend.bootstrap import Container
from backend.compliance.factory import build_screener
from backend.compliance.screening import Screener
from backend.db.models import WithdrawalRequest
from backend.signing.recover import SignatureError, recover_signer
from backend.signing.typed_data import Withdrawal, withdrawal_digest
from backend.trading.accounts import checksum
from backend.trading.chain_sync import wallet_balances
from backend.trading.host import EngineHost
from backend.trading.orders import parse_address, parse_hash, parse_hex_bytes, parse_uint

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


def _refuse_unowned_recipient(recipient: str, exchange: str) -> None:
    """Tokens sent to the zero address or to the Exchange itself are lost to everyone; the contract refuses too."""
    if int(recipient, 16) == 0:
        raise HdexError(ErrorCode.INVALID_RECIPIENT, "the recipient is the zero address", "withdrawal.recipient")
    if recipient.lower() == exchange.lower():
        message = "the recipient is the Exchange contract: the tokens would be stuck"
        raise HdexError(ErrorCode.INVALID_RECIPIENT, message, "withdrawal.recipient")


def _screener(request: Request, container: Container) -> Screener:
    screener: Screener | None = getattr(request.app.state, "screener", None)
    if screener is None:
        screener = request.app.state.screener = build_screener(container)
    return screener


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
    digest = withdrawal_digest(host.domain, withdrawal)
    try:
        signer = recover_signer(digest, signature)
    except SignatureError as exc:
        raise HdexError(ErrorCode.INVALID_SIGNATURE, str(exc), "signature") from None
    if signer.lower() != withdrawal.wallet.lower():
        raise HdexError(ErrorCode.SIGNER_NOT_WALLET, "the signature is not the wallet's", "signature")
    if withdrawal.amount == 0:
        raise HdexError(ErrorCode.INVALID_FIELD, "must be more than zero", "withdrawal.amount")
    _refuse_unowned_recipient(withdrawal.recipient, host.domain.verifying_contract)
    if withdrawal.expiry <= int(time.time()) + 60:
        raise HdexError(ErrorCode.WITHDRAWAL_EXPIRED, "expires within a minute: too soon to relay", "withdrawal.expiry")
    fee = min(withdrawal.amount, withdrawal.amount * container.settings.withdrawal_fee_rate // 1_000_000)
    if fee > withdrawal.maxFee:
        raise HdexError(ErrorCode.MAX_FEE_TOO_LOW, f"the withdrawal fee is {fee}", "withdrawal.maxFee")
    wallet, recipient = checksum(withdrawal.wallet), checksum(withdrawal.recipient)
    decisions = await asyncio.to_thread(
        _screener(request, container).screen, [wallet, recipient], actor="api", context="withdrawal"
    )
    for role, address in (("wallet", wallet), ("recipient", recipient)):
        decision = decisions[address.lower()]
        if decision.result == "error":
            raise HdexError(ErrorCode.SCREENING_UNAVAILABLE, "address screening is unavailable; retry later")
        if not decision.allowed:
            raise HdexError(ErrorCode.ADDRESS_BLOCKED, f"the {role} address is blocked", f"withdrawal.{role}")
    request_hash = "0x" + digest.hex()
    row = await asyncio.to_thread(_store, container, host, request_hash, withdrawal, signature, fee)
    return JSONResponse(_message(row), status_code=202)


def _store(
    container: Container, host: EngineHost, request_hash: str, withdrawal: Withdrawal, signature: bytes, fee: int
) -> WithdrawalRequest:
    wallet, token = checksum(withdrawal.wallet), checksum(withdrawal.token)
    with container.uow() as uow:
        session = uow.session
        if session.get(WithdrawalRequest, request_hash) is not None:
            raise HdexError(ErrorCode.DUPLICATE_WITHDRAWAL, "this withdrawal was already requested", "signature")
        free = wallet_balances(session, [wallet])[wallet].get(token, 0) - host.accounts.reserved.get((wallet, token), 0)
        if withdrawal.amount > free:
            message = f"available {max(free, 0)}, requested {withdrawal.amount}"
            raise HdexError(ErrorCode.INSUFFICIENT_BALANCE, message, "withdrawal.amount")
        now = int(time.time() * 1000)
        row = WithdrawalRequest(
            hash=request_hash, wallet=wallet, token=token, amount=withdrawal.amount, max_fee=withdrawal.maxFee,
            fee=fee, recipient=checksum(withdrawal.recipient), nonce=withdrawal.nonce, expiry=withdrawal.expiry,
            signature="0x" + signature.hex(), status="accepted", created_at_ms=now, updated_at_ms=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        _refresh_trading_balance(session, host, wallet)
        uow.commit()
        return row


def _refresh_trading_balance(session: Session, host: EngineHost, wallet: str) -> None:
    # The request holds from now on: trading must not wait for its next sync to see that.
    if wallet in host.accounts.balances:
        host.accounts.set_wallet_balances(wallet, wallet_balances(session, [wallet])[wallet])


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
