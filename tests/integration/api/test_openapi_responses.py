"""OpenAPI says what every operation returns, and what the server really returns matches it.

The first test reads `/openapi.json` only. The second drives the app through a real trading day (a
deposit seen on-chain, orders placed, filled, cancelled one by one, in bulk and by replacement, a
cancel-after, a withdrawal) and validates every body it gets, successes and typed errors, against
the schema OpenAPI documents for that operation and status (schemathesis' response conformance),
and checks that the schema lists every field the body carries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import schemathesis
from schemathesis.core.failures import Failure, FailureGroup

from backend.chain.devkeys import DEV_KEYS
from backend.client.core import Signer
from backend.db.models import ChainEvent
from backend.trading.rules.accounts import checksum

from ..accounts.accounts_day import an_accounts_day
from ..alerts.alerts_day import a_cases_day
from ..content.content_day import a_content_day
from ..forum.forum_day import a_forum_day
from ..risk.withdrawal_risk_day import a_withdrawal_risk_day
from ..staff.back_office_day import a_back_office_day
from ..staff.limits_back_office_day import a_limits_day
from ..staff.market_risk_day import a_market_risk_day
from ..stats.stats_day import a_stats_day
from ..support.support_day import a_support_day
from .exchange_fixtures import (
    CHAIN_ID,
    EXCHANGE,
    MARKET,
    PRICE,
    QTY,
    TICK,
    USDC,
    WETH,
    Exchange,
    prepare,
    running,
    wallet,
)
from .signed_requests import cancel_after_body, cancel_signature
from .siwe_messages import sign_in_body

SUCCESS = ("200", "201", "202")
METHODS = ("get", "post", "put", "patch", "delete")


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def undocumented_fields(document: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """Paths of the fields in `value` that `schema` does not list (a schema may allow extra fields: the
    body would validate, yet /docs would not show them)."""
    schema = resolve(document, schema)
    if "anyOf" in schema:  # `X | None`: follow the branch that is not null
        branches = [resolve(document, s) for s in schema["anyOf"] if s.get("type") != "null"]
        return [] if value is None else undocumented_fields(document, branches[0], value, where)
    if isinstance(value, dict) and "properties" in schema:
        listed = schema["properties"]
        return [f"{where}.{key}" for key in value if key not in listed] + [
            path
            for key in value
            if key in listed
            for path in undocumented_fields(document, listed[key], value[key], f"{where}.{key}")
        ]
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        return [
            path
            for key in value
            for path in undocumented_fields(document, schema["additionalProperties"], value[key], f"{where}.{key}")
        ]
    if isinstance(value, list) and "items" in schema:
        return [path for item in value for path in undocumented_fields(document, schema["items"], item, f"{where}[]")]
    return []


def schema_mismatches(document: dict[str, Any], made: list[tuple[str, str, int, Any]]) -> list[str]:
    """Every way the responses `made` (method, path template, status, response) differ from what `document`
    says of them: an undocumented status, a body its schema refuses, a field the schema does not name."""
    schema = schemathesis.openapi.from_dict(document)
    mismatches: list[str] = []
    for method, template, status, response in made:
        assert str(status) in document["paths"][template][method.lower()]["responses"], (method, template, status)
        try:
            schema[template][method].validate_response(response)
        except FailureGroup as group:
            mismatches += [f"{method} {template} {status}: {failure}" for failure in group.exceptions]
        except Failure as failure:
            mismatches.append(f"{method} {template} {status}: {failure}")
        content = document["paths"][template][method.lower()]["responses"][str(status)].get("content", {})
        # an operation may answer in several types (a case report: JSON or HTML); fields are JSON's
        if "application/json" in content and response.headers.get("content-type", "").startswith("application/json"):
            documented = content["application/json"]["schema"]
            where = f"{method} {template} {status}"
            mismatches += undocumented_fields(document, documented, response.json(), where)
    return mismatches


def describes_the_body(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A JSON body's fields are listed (an empty or free-form object schema says nothing); text is a string."""
    resolved = resolve(document, schema)
    return bool(resolved.get("properties")) or resolved.get("type") == "string"


def test_every_operation_documents_the_schema_of_its_success_response(sqlite_exchange: Exchange) -> None:
    document = sqlite_exchange.client.get("/openapi.json").json()
    undocumented = []
    for method, path, operation in operations(document):
        status = next((s for s in SUCCESS if s in operation["responses"]), None)
        content = operation["responses"][status].get("content", {}) if status else {}
        if not content or not all(describes_the_body(document, media.get("schema", {})) for media in content.values()):
            undocumented.append(f"{method} {path}")
    assert undocumented == []


class Calls:
    """Requests made through the app, each with the operation it exercises and the status it must get."""

    def __init__(self, exchange: Exchange) -> None:
        self.client = exchange.client
        self.made: list[tuple[str, str, int, httpx.Response]] = []

    def __call__(
        self, method: str, template: str, status: int | tuple[int, ...], path: str | None = None, **kwargs: Any
    ) -> Any:
        response = self.client.request(method, path or template, **kwargs)
        allowed = status if isinstance(status, tuple) else (status,)
        assert response.status_code in allowed, (method, path or template, response.text)
        self.made.append((method, template, response.status_code, response))
        return response.json() if "json" in response.headers.get("content-type", "") else response.text


def a_trading_day(exchange: Exchange) -> Calls:
    """Every operation, on real data: orders resting, filled and cancelled, a deposit, a withdrawal."""
    call = Calls(exchange)
    maker, taker = wallet(6), wallet(5)
    with exchange.container.uow() as uow:
        uow.session.add(
            ChainEvent(
                chain_id=CHAIN_ID, block_number=3, block_hash="0x" + "55" * 32, tx_hash="0x" + "66" * 32,
                log_index=0, contract=EXCHANGE, name="Deposited", status="pending",
                args={"wallet": taker, "token": checksum(USDC), "amount": "123", "balance": "123"},
            )
        )  # fmt: skip
        uow.commit()

    call("GET", "/v1/markets", 200)
    call("GET", "/v1/eip712", 200)
    call("GET", "/v1/time", 200)
    call("GET", "/v1/network", 200)
    # No node answers for the Exchange recorded here: its 200 bodies are checked on anvil (tests/integration/treasury)
    call("GET", "/v1/scheduled-changes", 503)
    # This fixture starts no chain: degraded (503) unless some node happens to answer the default RPC URL.
    call("GET", "/health", (200, 503))
    call("GET", "/metrics", 200)

    sell = call("POST", "/v1/orders", 201, json=exchange.signed(exchange.order(6, side=1, baseAmount=2 * QTY), 6))
    buy = {**exchange.signed(exchange.order(5)), "clientOrderId": "bot-1"}
    call("POST", "/v1/orders", 201, json=buy)  # fills half of the sell: a fill for both
    call("GET", "/v1/orders/{orderHash}", 200, f"/v1/orders/{sell['hash']}")
    resting = exchange.place(5, limitPrice=PRICE - 10 * TICK).json()
    replacement = exchange.signed(exchange.order(5, limitPrice=PRICE - 20 * TICK))
    replace = {**replacement, "cancel": {"orderHash": resting["hash"], "signature": cancel_signature(
        exchange.domain, resting["hash"], 5)}}  # fmt: skip
    new = call("POST", "/v1/orders/replace", 201, json=replace)["order"]
    body = {"signature": cancel_signature(exchange.domain, new["hash"], 5)}
    call("DELETE", "/v1/orders/{orderHash}", 200, f"/v1/orders/{new['hash']}", json=body)
    call("POST", "/v1/orders/cancel", 200, json=Signer(DEV_KEYS[6], exchange.domain).cancel_all_body(MARKET))
    call("POST", "/v1/orders/cancel-after", 200, json=cancel_after_body(exchange.domain, 5, 60_000))
    call("GET", "/v1/nonce", 200, params={"maker": taker})
    placed_and_refused = [exchange.signed(exchange.order(5, limitPrice=PRICE - 30 * TICK)), buy]  # `buy` is placed
    call("POST", "/v1/orders/batch", 200, json={"orders": placed_and_refused})

    withdrawal_hash, withdrawal = Signer(DEV_KEYS[5], exchange.domain).withdrawal_body(checksum(WETH), 10**17, 0)
    call("POST", "/v1/withdrawals", 202, json=withdrawal)
    call("GET", "/v1/withdrawals/{withdrawalHash}", 200, f"/v1/withdrawals/{withdrawal_hash}")

    for view in ("balances", "orders", "fills", "deposits", "withdrawals", "fees"):
        call("GET", f"/v1/accounts/{{address}}/{view}", 200, f"/v1/accounts/{taker}/{view}")
    call("GET", "/v1/accounts/{address}/orders/by-client-id/{clientOrderId}", 200,
         f"/v1/accounts/{taker}/orders/by-client-id/bot-1")  # fmt: skip
    call("GET", "/v1/accounts/{address}/fills", 200, f"/v1/accounts/{maker}/fills")
    for view in ("book", "trades", "candles", "ticker"):
        call("GET", f"/v1/markets/{{market}}/{view}", 200, f"/v1/markets/{MARKET}/{view}")

    call("GET", "/v1/orders/{orderHash}", 404, "/v1/orders/0x" + "00" * 32)
    call("GET", "/v1/markets/{market}/book", 404, "/v1/markets/NOPE-USDC/book")
    call("GET", "/v1/markets/{market}/candles", 422, f"/v1/markets/{MARKET}/candles", params={"interval": "2m"})
    call("POST", "/v1/orders", 422, json={**exchange.signed(exchange.order(5)), "timeInForce": "DAY"})
    call("POST", "/v1/orders/batch", 422, json={"orders": []})
    call("POST", "/v1/withdrawals", 409, json=withdrawal)

    call("GET", "/v1/auth/session", 401)
    call("POST", "/v1/auth/siwe", 200, json=sign_in_body(call("GET", "/v1/auth/nonce", 200)["nonce"]))
    call("GET", "/v1/auth/session", 200)
    call("POST", "/v1/auth/logout", 200)
    call("POST", "/v1/auth/siwe", 422, json={"message": "hello", "signature": "0x" + "11" * 65})
    a_back_office_day(call, exchange.container)
    a_limits_day(call, exchange.container, taker, maker, MARKET)
    an_accounts_day(call, exchange.container)  # accounts and KYC (issue 13)
    a_withdrawal_risk_day(call, exchange)  # withdrawal pauses and the travel rule (issue 14)
    a_cases_day(call, exchange.container)  # alerts and cases (issue 14)
    a_market_risk_day(call, exchange)  # market risk settings and halts (issue 14)
    a_stats_day(call, exchange.container)  # statistics (issue 16)
    a_content_day(call, exchange.container)  # announcements and the help center (issue 16)
    a_forum_day(call, exchange.container)  # the forum (issue 16)
    a_support_day(call, exchange.container)  # the support desk (issue 16)
    return call


def test_real_bodies_match_the_schemas_openapi_documents_for_them(sqlite_url: str, tmp_path: Path) -> None:
    # The day signs in a wallet or a staff member for every part of the back office: more than a minute's
    # worth of sign-ins for one client address under the default limit.
    for exchange in running(prepare(sqlite_url, tmp_path, rate_limit_auth="1000/minute")):
        day_matches_the_schemas(exchange)


def day_matches_the_schemas(sqlite_exchange: Exchange) -> None:
    document = sqlite_exchange.client.get("/openapi.json").json()
    calls = a_trading_day(sqlite_exchange)

    mismatches = schema_mismatches(document, calls.made)
    assert not mismatches, "\n\n".join(mismatches)
    exercised = {(method, template) for method, template, _, _ in calls.made}
    assert {(method, path) for method, path, _ in operations(document)} <= exercised
