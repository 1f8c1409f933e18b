"""The client's typed errors: how an HTTP answer, or the lack of one, becomes one, and which failures leave a
signed order's outcome unknown (so that the same signed body is sent again)."""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Mapping
from datetime import UTC
from typing import Any

# Codes of failures the API never names itself (its own codes are those of `backend.errors.ErrorCode`).
NETWORK = "NETWORK"  # no answer: the connection failed, was reset or timed out
HTTP_ERROR = "HTTP_ERROR"  # an error answer without HDEX's error body: a balancer's page, a crash
BAD_RESPONSE = "BAD_RESPONSE"  # a success answer whose body is not JSON
ORDER_OUTCOME_UNKNOWN = "ORDER_OUTCOME_UNKNOWN"
CANCEL_OUTCOME_UNKNOWN = "CANCEL_OUTCOME_UNKNOWN"
TRANSACTION_OUTCOME_UNKNOWN = "TRANSACTION_OUTCOME_UNKNOWN"
TRANSACTION_REFUSED = "TRANSACTION_REFUSED"  # the chain node answered a transaction (or its preparation) with an error
INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"  # the wallet cannot cover a deposit: refused before anything was sent
WRONG_CHAIN = "WRONG_CHAIN"  # the chain node is not on the exchange's chain: refused before anything was sent
STREAM_CLOSED = "STREAM_CLOSED"
BOOK_GAP = "BOOK_GAP"
NOT_EXACT = "NOT_EXACT"
INVALID_FIELD = "INVALID_FIELD"  # the API's own code for a field it cannot take: the client's for an argument
# 503s that refuse a request for certain (nothing was done), unlike a busy or unreachable engine's
DEFINITE_5XX = frozenset({"WITHDRAWALS_PAUSED", "SCREENING_UNAVAILABLE"})
SNIPPET_CHARS = 200  # of a body that is not HDEX's error, quoted in the message
MAX_RESEND_DELAY_S = 10.0


class HdexClientError(Exception):
    """A request failed: the API refused it (`code` of ErrorCode, `message`, `field`, HTTP `status`), or it got no
    usable answer (`status` 0 and code NETWORK; HTTP_ERROR or BAD_RESPONSE for an answer that is not HDEX's JSON).
    `retry_after`: the seconds the answer's Retry-After asked for, if any."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" ({field})" if field else ""))
        self.status, self.code, self.message, self.field = status, code, message, field
        self.retry_after = retry_after


class RateLimitedError(HdexClientError):
    """429 of a limit that ends (RATE_LIMITED, or any 429 with Retry-After): wait `retry_after` seconds."""

    retry_after: float

    def __init__(self, status: int, code: str, message: str, field: str | None, retry_after: float) -> None:
        super().__init__(status, code, message, field, retry_after)


class WaitTimeout(HdexClientError, TimeoutError):
    """A wait helper gave up: what it waited for did not happen within its timeout."""

    def __init__(self, message: str) -> None:
        super().__init__(0, "TIMEOUT", message)


class NotExact(HdexClientError, ValueError):
    """A human amount or price that has no exact value in base units (too many decimals, or not a number)."""

    def __init__(self, message: str) -> None:
        super().__init__(0, NOT_EXACT, message)


class InvalidArgument(HdexClientError, ValueError):
    """A method was given an argument it cannot sign (an amount that is not an int of base units, a side other than
    "buy" or "sell", a number that does not fit its signed type; UNKNOWN_MARKET, the API's code, for a market it does
    not list): `field` names it. Nothing was signed or sent."""

    def __init__(self, field: str, message: str, code: str = INVALID_FIELD) -> None:
        super().__init__(0, code, message, field)


class OrderOutcomeUnknown(HdexClientError):
    """A signed order (or replace, or withdrawal request) was sent, and after every resend it is still unknown
    whether it stands: no answer, or a 5xx. Read it (`client.order(error.order_hash)`, or for a withdrawal
    `client.withdrawal(...)`), or send the same signed body again (`client.resend(error)`): the exchange takes a
    signed request at most once. Signing a new one instead could leave two. `last`: the last attempt's error."""

    def __init__(self, order_hash: str, path: str, body: dict[str, Any], last: HdexClientError, attempts: int) -> None:
        what, read = ("withdrawal", "/v1/withdrawals/") if path == "/v1/withdrawals" else ("order", "/v1/orders/")
        message = (
            f"{what} {order_hash} may or may not stand after {attempts} attempt(s) (last: {last}): read GET "
            f"{read}{order_hash}, or send the same signed body again (it is taken at most once)"
        )
        super().__init__(last.status, ORDER_OUTCOME_UNKNOWN, message)
        self.order_hash, self.path, self.body, self.last, self.attempts = order_hash, path, body, last, attempts


class CancelOutcomeUnknown(HdexClientError):
    """A cancel (one order's, a bulk cancel or a cancel-after) got no clear answer however often it was sent: it
    is unknown whether it applied. `what`: the request; `last`: the last attempt's error. Read the orders
    (`client.open_orders()`, `client.order(hash)`) or cancel again."""

    def __init__(self, what: str, last: HdexClientError, attempts: int) -> None:
        message = f"{what} may or may not have applied after {attempts} attempt(s) (last: {last}): read the orders"
        super().__init__(last.status, CANCEL_OUTCOME_UNKNOWN, message)
        self.what, self.last, self.attempts = what, last, attempts


class TransactionOutcomeUnknown(HdexClientError):
    """A transaction the wallet signed (a deposit, or its approve) was handed to the chain node, which then gave no
    clear answer: it may be mined. `tx_hash`: its hash, computed locally, to wait for (`wait_for_deposit`) or look up;
    sending the deposit again instead could deposit twice. `last`: the failure."""

    def __init__(self, what: str, tx_hash: str, last: Exception) -> None:
        message = (
            f"{what} {tx_hash} was sent to the chain node, which gave no clear answer ({type(last).__name__}: "
            f"{last}): it may be mined; look it up (a deposit: wait_for_deposit(tx_hash)) rather than send it again"
        )
        super().__init__(0, TRANSACTION_OUTCOME_UNKNOWN, message)
        self.what, self.tx_hash, self.last = what, tx_hash, last


class InsufficientFunds(HdexClientError):
    """A deposit the wallet's own balance cannot cover, refused by the client before anything was sent (sent, it
    would revert on-chain and spend the gas): `token` (the zero address: ether), `held` and `needed` (base units)."""

    def __init__(self, token: str, held: int, needed: int) -> None:
        message = f"the wallet holds {held} of {token}, the deposit needs {needed}: nothing was sent"
        super().__init__(0, INSUFFICIENT_FUNDS, message, "amount")
        self.token, self.held, self.needed = token, held, needed


class WrongChain(HdexClientError):
    """A deposit refused before anything was sent: the chain node (`rpc_url`) is on chain `node_chain_id`, and the
    exchange's EIP-712 domain on `chain_id`. Sent there, the deposit would go to whatever holds the Exchange's address
    on that chain, if anything: the funds would be lost."""

    def __init__(self, chain_id: int, node_chain_id: int) -> None:
        message = (
            f"the chain node is on chain {node_chain_id}, the exchange on chain {chain_id}: nothing was sent "
            "(give an rpc_url of the exchange's chain)"
        )
        super().__init__(0, WRONG_CHAIN, message, "rpc_url")
        self.chain_id, self.node_chain_id = chain_id, node_chain_id


class ReplacePartlyFailed(HdexClientError):
    """409 REPLACE_PARTLY_FAILED: the replace's cancel stands but its new order was refused. `cancelled`: the old
    order (cancelled); `refused`: the new order's refusal ({"code", "message", "field"}), None when not known."""

    def __init__(
        self, message: str, field: str | None, cancelled: dict[str, Any], refused: dict[str, Any] | None
    ) -> None:
        super().__init__(409, "REPLACE_PARTLY_FAILED", message, field)
        self.cancelled, self.refused = cancelled, refused


class OrdersKeptOpen(HdexClientError):
    """A cancel of every market cancelled `cancelled`, but a halted market kept `kept` open (a halted market refuses
    every command, cancels too): they still hold funds and trade once it reopens, unless cancelled then (or
    on-chain, at once). Raised, not returned, as a kill switch's caller must not take them for gone."""

    def __init__(self, cancelled: list[str], kept: list[str]) -> None:
        super().__init__(200, "MARKET_HALTED", f"{len(kept)} order(s) kept open by a halted market: {', '.join(kept)}")
        self.cancelled, self.kept = cancelled, kept


def all_cancelled(answer: Mapping[str, Any]) -> list[str]:
    """The hashes a bulk cancel's answer cancelled; `OrdersKeptOpen` if it left any open."""
    cancelled, kept = list(answer["cancelled"]), list(answer.get("kept") or [])
    if kept:
        raise OrdersKeptOpen(cancelled, kept)
    return cancelled


class SubscriptionRefused(HdexClientError):
    """The stream refused a subscription (`{"op": "error"}` in answer to it): `subscription` is the one sent."""

    def __init__(self, subscription: Mapping[str, Any], code: str, message: str, field: str | None) -> None:
        super().__init__(0, code, f"subscription {dict(subscription)} refused: {message}", field)
        self.subscription = dict(subscription)


class StreamClosed(HdexClientError):
    """The WebSocket closed other than normally (1000): `close_code` (1013 too slow a reader, 1011 a server
    fault, 1006 no close frame, ...) and `reason`. Reconnect and resubscribe: book snapshots start afresh."""

    def __init__(self, close_code: int, reason: str) -> None:
        super().__init__(0, STREAM_CLOSED, f"the stream closed with {close_code}" + (f": {reason}" if reason else ""))
        self.close_code, self.reason = close_code, reason


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """The seconds a Retry-After header asks for: delta-seconds or an HTTP-date (RFC 9110 10.2.3), never below 0;
    None when absent or unreadable (a malformed header is no reason to fail the request's error)."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def raise_for_error(status: int, body: Any, headers: Mapping[str, str]) -> None:
    """Raise the typed error of an answer with status 400 or more and `body` (parsed JSON, or None)."""
    if status < 400:
        return
    retry_after = parse_retry_after(headers.get("Retry-After"))
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("code"), str):
        text = body if isinstance(body, str) else "" if body is None else json.dumps(body)
        message = f"HTTP {status}" + (f": {text[:SNIPPET_CHARS]}" if text.strip() else "")
        if status == 429 and retry_after is not None:  # a balancer's rate limit: it ends as well
            raise RateLimitedError(status, HTTP_ERROR, message, None, retry_after)
        raise HdexClientError(status, HTTP_ERROR, message, None, retry_after)
    code, message, field = error["code"], str(error.get("message", "")), error.get("field")
    if code == "REPLACE_PARTLY_FAILED" and isinstance(body.get("cancelled"), dict):
        raise ReplacePartlyFailed(message, field, body["cancelled"], body.get("refused"))
    if status == 429 and (retry_after is not None or code == "RATE_LIMITED"):  # a limit that ends (not, say,
        # TOO_MANY_OPEN_ORDERS: a standing refusal until orders close)
        raise RateLimitedError(status, code, message, field, 1.0 if retry_after is None else retry_after)
    raise HdexClientError(status, code, message, field, retry_after)


def answer_body(status: int, content: bytes, headers: Mapping[str, str]) -> Any:
    """The JSON body of a successful answer, or the typed error of any other. The status is read first: an error
    answer need not be JSON (a balancer's HTML 502, a crash's text 500)."""
    try:
        body = json.loads(content) if content else None
    except ValueError:  # also a body that is not UTF-8
        body = None
        if status < 400:
            text = content[:SNIPPET_CHARS].decode(errors="replace")
            raise HdexClientError(status, BAD_RESPONSE, f"the answer is not JSON: {text}") from None
        raise_for_error(status, content.decode(errors="replace"), headers)
    raise_for_error(status, body, headers)
    return body


def network_error(method: str, path: str, exc: Exception) -> HdexClientError:
    """The typed error of a request that got no answer (connection refused or reset, timeout, ...)."""
    return HdexClientError(0, NETWORK, f"{method} {path}: no answer ({type(exc).__name__}: {exc})")


def outcome_unknown(error: HdexClientError, after_unknown: bool) -> bool:
    """Whether a signed request's failed send leaves it unknown whether the exchange took it: no answer, or a 5xx
    (504 ENGINE_TIMEOUT, a balancer's 502, ...) other than the 503s of `DEFINITE_5XX`. After such a send, a 429
    too: a rate limit refuses a resend before the exchange could answer that it has the order already. Any other
    4xx is a definite refusal."""
    server_fault = error.status >= 500 and error.code not in DEFINITE_5XX
    return error.code == NETWORK or server_fault or (after_unknown and error.status == 429)


def transient(error: HdexClientError) -> bool:
    """Whether a read that failed so may succeed if sent again: no answer, a 5xx (not `DEFINITE_5XX`), a 429."""
    return outcome_unknown(error, after_unknown=True)


def poll_delay(poll_s: float, failure: HdexClientError | None) -> float:
    """Seconds before a wait helper reads again: `poll_s`, or what a failed read's Retry-After asked if longer."""
    return max(poll_s, 0.0 if failure is None else min(MAX_RESEND_DELAY_S, failure.retry_after or 0.0))


def resend_delay(attempt: int, error: HdexClientError, backoff_s: float) -> float:
    """Seconds before resend number `attempt` (1, 2, ...): the backoff doubling each time, or what the answer's
    Retry-After asked for if longer; at most MAX_RESEND_DELAY_S."""
    return min(MAX_RESEND_DELAY_S, max(backoff_s * 2.0 ** (attempt - 1), error.retry_after or 0.0))
