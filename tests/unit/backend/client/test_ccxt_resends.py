"""The CCXT adapter sends a signed order whose outcome is unknown (no answer, a 5xx) again exactly as signed, through
ccxt's own HTTP path (a fake transport mounted on its requests session), and gives up with the order's hash."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import ccxt
import pytest
import requests
from limits import parse as parse_limit
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from backend.api.ratelimit import book_weight
from backend.chain.devkeys import DEV_KEYS
from backend.client.ccxt import OrderOutcomeUnknown, hdex
from backend.settings import Settings
from backend.signing import Domain, order_digest
from backend.signing.typed_data import domain_json, eip712_types
from backend.trading.rules.orders import parse_order_request

DOMAIN = Domain(31337, "0x" + "e1" * 20)
OLD_HASH = "0x" + "01" * 32
MARKET = {
    "name": "WETH-USDC", "baseToken": {"address": "0x" + "0a" * 20, "decimals": 18, "symbol": "WETH"},
    "quoteToken": {"address": "0x" + "0b" * 20, "decimals": 6, "symbol": "USDC"}, "tickSize": "10000",
    "lotSize": "1000000000000000", "minNotional": "10000000", "makerFeeRate": 1_000, "takerFeeRate": 2_000,
    "state": "open", "priceSource": None,
}  # fmt: skip
Answer = tuple[int, Any] | Exception


def error(status: int, code: str) -> tuple[int, Any]:
    return status, {"error": {"code": code, "message": "m"}}


class FakeHdex(BaseAdapter):  # type: ignore[misc]  # requests is untyped here
    """HDEX's read endpoints, and each POST (or DELETE) answered with the next of `answers` (an exception: no
    answer). With `taken`, the first POST's order is placed (the first DELETE's order cancelled) whatever it is
    answered, as an engine that took it before timing out."""

    def __init__(self, answers: list[Answer], taken: bool = False) -> None:
        super().__init__()
        self.answers, self.taken = iter(answers), taken
        self.posted: list[dict[str, Any]] = []
        self.read: list[str] = []  # the URLs read
        self.nonces_read = 0
        self.markets = [MARKET]
        self.orders: dict[str, dict[str, Any]] = {OLD_HASH: {**self.view(OLD_HASH, None), "status": "cancelled"}}

    @staticmethod
    def view(order_hash: str, body: dict[str, Any] | None) -> dict[str, Any]:
        order = body["order"] if body else {"flags": "0", "limitPrice": "0", "baseAmount": "0", "triggerPrice": "0"}
        return {"hash": order_hash, "market": "WETH-USDC", "side": "buy", "status": "open", "order": order,
                "filled": "0", "remaining": order["baseAmount"], "createdAt": 0, "updatedAt": 0}  # fmt: skip

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        path = urlsplit(request.url).path
        if request.method == "GET":
            self.read.append(request.url)
            if path == "/v1/nonce":  # each read a hundred on: as if another process of the wallet traded meanwhile
                self.nonces_read += 1
                return self.response(request, (200, {"nonce": str(100 * self.nonces_read)}))
            reads = {"/v1/markets": {"markets": self.markets},
                     "/v1/eip712": {"domain": domain_json(DOMAIN), "types": eip712_types()},
                     "/v1/markets/WETH-USDC/book": {"bids": [], "asks": [], "seq": 1},
                     "/v1/markets/WETH-USDC/candles": {"candles": []}}  # fmt: skip
            found = reads.get(path, self.orders.get(path.removeprefix("/v1/orders/")))
            return self.response(request, (200, found) if found else error(404, "ORDER_NOT_FOUND"))
        body = json.loads(request.body or "{}")
        self.posted.append(body)
        if request.method == "DELETE":  # a signed cancel of the order the path names
            order_hash = path.removeprefix("/v1/orders/")
            done = {**self.orders[order_hash], "status": "cancelled"}
        elif path in ("/v1/orders/cancel", "/v1/orders/cancel-after"):  # signed for a scope: answered as given
            order_hash, done = "", {}
        elif path == "/v1/orders/batch":  # each order placed; an answer's content may be made of their views
            views = [self.view("0x" + order_digest(DOMAIN, parse_order_request(o).order).hex(), o)
                     for o in body["orders"]]  # fmt: skip
            answer = next(self.answers)
            if isinstance(answer, Exception):
                raise answer
            return self.response(request, (answer[0], answer[1](views)))
        else:
            order_hash = "0x" + order_digest(DOMAIN, parse_order_request(body).order).hex()
            done = self.view(order_hash, body)
        if self.taken and len(self.posted) == 1:
            self.orders[order_hash] = done
        answer = next(self.answers)
        if isinstance(answer, Exception):
            raise answer
        status, content = answer
        return self.response(request, (status, done if content is None else content))

    @staticmethod
    def response(request: requests.PreparedRequest, answer: tuple[int, Any]) -> requests.Response:
        status, content = answer
        response = requests.Response()
        response.status_code, response.reason, response.url, response.request = status, "-", request.url, request
        text = content if isinstance(content, str) else json.dumps(content)
        response._content = text.encode()
        response.headers = CaseInsensitiveDict({"Content-Type": "text/html" if isinstance(content, str) else "json"})
        return response

    def close(self) -> None:
        pass


def adapter(fake: FakeHdex, resends: int = 3) -> hdex:
    exchange = hdex({"privateKey": DEV_KEYS[5], "urls": {"api": {"rest": "http://hdex.test"}},
                     "options": {"orderResends": resends, "orderResendDelay": 0}})  # fmt: skip
    exchange.session.mount("http://", fake)
    return exchange


def test_create_order_resends_the_same_signed_order_until_hdex_answers() -> None:
    fake = FakeHdex([requests.exceptions.ReadTimeout("slow"), error(504, "ENGINE_TIMEOUT"),
                     (502, "<html>502 Bad Gateway</html>"), (200, None)])  # fmt: skip
    order = adapter(fake).create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
    assert order["status"] == "open" and order["amount"] == 0.5
    assert len(fake.posted) == 4 and all(body == fake.posted[0] for body in fake.posted)


def test_create_order_still_unknown_raises_order_outcome_unknown_with_the_orders_hash() -> None:
    fake = FakeHdex([requests.exceptions.ConnectionError("reset")] * 3 + [(201, None)])
    exchange = adapter(fake, resends=2)
    with pytest.raises(OrderOutcomeUnknown) as unknown:
        exchange.create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
    assert isinstance(unknown.value, ccxt.RequestTimeout) and len(fake.posted) == 3
    assert unknown.value.order_id == "0x" + order_digest(DOMAIN, parse_order_request(fake.posted[0]).order).hex()
    resent = exchange.resend(unknown.value)
    assert resent["id"] == unknown.value.order_id and fake.posted[-1] == fake.posted[0]


def test_create_order_resent_and_refused_as_a_copy_returns_the_order_the_first_send_placed() -> None:
    fake = FakeHdex([requests.exceptions.ReadTimeout("slow"), error(409, "DUPLICATE_ORDER")], taken=True)
    order = adapter(fake).create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
    assert order["id"] in fake.orders and len(fake.posted) == 2


def test_edit_order_resent_after_a_timeout_reads_back_the_order_the_first_send_placed() -> None:
    fake = FakeHdex([error(504, "ENGINE_TIMEOUT"), error(409, "ORDER_NOT_OPEN")], taken=True)
    order = adapter(fake).edit_order(OLD_HASH, "WETH/USDC", "limit", "buy", 0.5, 2990)
    assert order["id"] in fake.orders and order["price"] == 2990.0
    assert fake.posted[0] == fake.posted[1] and fake.posted[0]["cancel"]["orderHash"] == OLD_HASH


def test_a_definite_refusal_is_not_resent() -> None:
    for refusal, raised in ((error(409, "DUPLICATE_ORDER"), ccxt.DuplicateOrderId),
                            (error(429, "RATE_LIMITED"), ccxt.RateLimitExceeded),
                            (error(503, "ENGINE_BUSY"), ccxt.DDoSProtection)):  # fmt: skip
        fake = FakeHdex([refusal])
        with pytest.raises(raised):
            adapter(fake).create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
        assert len(fake.posted) == 1


def test_a_5xx_the_adapter_does_not_know_leaves_the_order_unknown_and_it_is_resent_as_signed() -> None:
    """Taken for a definite refusal (ExchangeError), a caller would sign a second order beside one that may stand."""
    fake = FakeHdex([error(503, "SCREENING_UNAVAILABLE"), error(500, "A_CODE_OF_A_LATER_SERVER"), (201, None)])
    order = adapter(fake).create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
    assert order["status"] == "open" and len(fake.posted) == 3
    assert fake.posted[0] == fake.posted[1] == fake.posted[2]


def test_an_order_refused_for_its_nonce_is_signed_once_more_under_a_nonce_asked_anew() -> None:
    """The count was never asked again: once behind the exchange's, every later order of the instance was refused."""
    fake = FakeHdex([error(409, "NONCE_USED"), (201, None), error(422, "NONCE_BELOW_FLOOR"), error(409, "NONCE_USED")])
    exchange = adapter(fake)
    order = exchange.create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
    assert [body["order"]["nonce"] for body in fake.posted] == ["100", "200"] and order["status"] == "open"
    with pytest.raises(ccxt.InvalidNonce):  # refused again after one fresh nonce: the caller is told
        exchange.create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
    assert [body["order"]["nonce"] for body in fake.posted[2:]] == ["201", "300"]
    chosen = FakeHdex([error(409, "NONCE_USED")])
    with pytest.raises(ccxt.InvalidNonce):  # a nonce the caller chose is the caller's to change
        adapter(chosen).create_order("WETH/USDC", "limit", "buy", 0.5, 3000, {"nonce": 7})
    assert len(chosen.posted) == 1


def test_the_adapter_waits_longer_than_a_replica_waits_for_the_engine() -> None:
    assert hdex().timeout > Settings.model_fields["replica_answer_timeout_s"].default * 1000


def test_any_refusal_of_a_resend_after_an_unknown_send_reads_back_what_the_first_send_placed() -> None:
    """The exchange forgets an expired order's hash: its resend is refused (ORDER_EXPIRED) although it was placed."""
    fake = FakeHdex([requests.exceptions.ReadTimeout("slow"), error(422, "ORDER_EXPIRED")], taken=True)
    order = adapter(fake).create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
    assert order["id"] in fake.orders and len(fake.posted) == 2
    never_placed = FakeHdex([requests.exceptions.ReadTimeout("slow"), error(422, "ORDER_EXPIRED")])
    with pytest.raises(ccxt.InvalidOrder):
        adapter(never_placed).create_order("WETH/USDC", "limit", "buy", 0.5, 3000)


def test_resending_an_order_outcome_unknown_later_reads_back_what_an_earlier_send_placed() -> None:
    fake = FakeHdex([requests.exceptions.ConnectionError("reset")] * 2 + [error(409, "DUPLICATE_ORDER")], taken=True)
    exchange = adapter(fake, resends=1)
    with pytest.raises(OrderOutcomeUnknown) as unknown:
        exchange.create_order("WETH/USDC", "limit", "buy", 0.5, 3000)
    order = exchange.resend(unknown.value)
    assert order["id"] == unknown.value.order_id and fake.posted[-1] == fake.posted[0]


def open_order(fake: FakeHdex, status: str = "open") -> str:
    """An order of the wallet's that `fake` holds, by its hash."""
    order_hash = "0x" + "0c" * 32
    fake.orders[order_hash] = {**fake.view(order_hash, None), "status": status}
    return order_hash


def test_cancel_order_resends_the_same_signed_cancel_until_hdex_answers() -> None:
    fake = FakeHdex([requests.exceptions.ReadTimeout("slow"), error(504, "ENGINE_TIMEOUT"), (200, None)])
    order_hash = open_order(fake)
    cancelled = adapter(fake).cancel_order(order_hash, "WETH/USDC")
    assert (cancelled["id"], cancelled["status"]) == (order_hash, "canceled")
    assert len(fake.posted) == 3 and all(body == fake.posted[0] for body in fake.posted)


def test_a_cancel_that_applied_before_its_answer_was_lost_answers_the_cancelled_order() -> None:
    """Before, the lost answer was the caller's (a RequestTimeout), and its retry was refused ORDER_NOT_OPEN
    (OrderNotFound), as if the order had been gone before the cancel."""
    fake = FakeHdex([requests.exceptions.ReadTimeout("slow"), error(409, "ORDER_NOT_OPEN")], taken=True)
    order_hash = open_order(fake)
    cancelled = adapter(fake).cancel_order(order_hash, "WETH/USDC")
    assert (cancelled["id"], cancelled["status"]) == (order_hash, "canceled") and len(fake.posted) == 2
    assert fake.read[-1].endswith(f"/v1/orders/{order_hash}")  # read back, not assumed


def test_a_resent_cancel_refused_for_an_order_that_filled_meanwhile_is_refused() -> None:
    fake = FakeHdex([requests.exceptions.ReadTimeout("slow"), error(409, "ORDER_NOT_OPEN")])
    order_hash = open_order(fake, "filled")
    with pytest.raises(ccxt.OrderNotFound):
        adapter(fake).cancel_order(order_hash, "WETH/USDC")
    refused_at_once = FakeHdex([error(409, "ORDER_NOT_OPEN")])  # a definite refusal: not sent again, not read back
    order_hash = open_order(refused_at_once)
    with pytest.raises(ccxt.OrderNotFound):
        adapter(refused_at_once).cancel_order(order_hash, "WETH/USDC")
    assert len(refused_at_once.posted) == 1 and not any("/v1/orders/" in url for url in refused_at_once.read)


def test_a_cancel_still_unknown_raises_order_outcome_unknown_and_is_resent_as_signed() -> None:
    fake = FakeHdex([requests.exceptions.ConnectionError("reset")] * 2 + [error(409, "ORDER_NOT_OPEN")], taken=True)
    order_hash = open_order(fake)
    exchange = adapter(fake, resends=1)
    with pytest.raises(OrderOutcomeUnknown, match=r"the cancel of order .* may or may not have applied") as unknown:
        exchange.cancel_order(order_hash, "WETH/USDC")
    assert unknown.value.order_id == order_hash
    cancelled = exchange.resend(unknown.value)
    assert cancelled["status"] == "canceled" and fake.posted[-1] == fake.posted[0]


def test_a_bulk_cancel_without_an_answer_is_signed_anew_and_sent_again() -> None:
    """A copy of the signed body would be refused CANCEL_EXPIRED (a timestamp is taken once); a second bulk cancel
    cancels what is still open, so it is signed again under a later timestamp."""
    fake = FakeHdex(
        [requests.exceptions.ReadTimeout("slow"), error(502, "BAD_GATEWAY"), (200, {"cancelled": [OLD_HASH]})]
    )
    cancelled = adapter(fake).cancel_all_orders("WETH/USDC")
    assert [(o["id"], o["status"], o["symbol"]) for o in cancelled] == [(OLD_HASH, "canceled", "WETH/USDC")]
    stamps = [int(body["timestamp"]) for body in fake.posted]
    assert len(stamps) == 3 and stamps == sorted(set(stamps))  # each later than the last, never the same
    assert len({body["signature"] for body in fake.posted}) == 3
    assert all((body["market"], body["maker"]) == ("WETH-USDC", fake.posted[0]["maker"]) for body in fake.posted)


def test_a_bulk_cancel_returns_the_orders_a_halted_market_kept_as_open() -> None:
    kept = "0x" + "02" * 32
    fake = FakeHdex([(200, {"cancelled": [OLD_HASH], "kept": [kept]})])
    orders = adapter(fake).cancel_all_orders()
    assert [(o["id"], o["status"]) for o in orders] == [(OLD_HASH, "canceled"), (kept, "open")]


def test_a_cancel_after_without_an_answer_is_sent_again_and_a_definite_refusal_is_not() -> None:
    fake = FakeHdex([error(504, "ENGINE_TIMEOUT"), (200, {"deadline": 1_000})])
    assert int(adapter(fake).cancel_all_orders_after(30_000)["deadline"]) == 1_000
    assert [body["timeoutMs"] for body in fake.posted] == ["30000", "30000"]
    assert fake.posted[0]["timestamp"] != fake.posted[1]["timestamp"]
    for refusal, raised in ((error(429, "RATE_LIMITED"), ccxt.RateLimitExceeded),
                            (error(503, "ENGINE_BUSY"), ccxt.DDoSProtection),
                            (error(409, "CANCEL_EXPIRED"), ccxt.InvalidOrder)):  # fmt: skip
        refused = FakeHdex([refusal])
        with pytest.raises(raised):
            adapter(refused).cancel_all_orders("WETH/USDC")
        assert len(refused.posted) == 1
    unanswered = FakeHdex([requests.exceptions.ConnectionError("reset")] * 2)
    with pytest.raises(ccxt.NetworkError):  # no answer in the end: the caller is told, as ccxt tells it
        adapter(unanswered, resends=1).cancel_all_orders()
    assert len(unanswered.posted) == 2


def test_a_stop_market_order_keeps_a_resting_orders_expiry_while_it_waits_for_its_trigger() -> None:
    """Signed with an immediate order's 30 s, the engine dropped it about 20 s after it was placed."""
    fake = FakeHdex([(201, None)])
    exchange = adapter(fake)
    signed_at = exchange.seconds()
    stop = {"triggerPrice": 2500, "acceptOperatorTrigger": True}
    exchange.create_order("WETH/USDC", "market", "sell", 0.5, None, stop)
    assert int(fake.posted[0]["order"]["expiry"]) >= signed_at + exchange.options["orderExpiry"]
    assert int(fake.posted[0]["order"]["flags"]) & 3 == 3


def test_a_limit_price_off_the_tick_is_rounded_in_the_wallets_favour() -> None:
    """ccxt rounds to the nearest tick: a buy at 3000.005 signed 3000.01, above the buyer's own limit."""
    fake = FakeHdex([(201, None)] * 3)
    exchange = adapter(fake)
    exchange.create_order("WETH/USDC", "limit", "buy", 0.5, 3000.005)
    exchange.create_order("WETH/USDC", "limit", "sell", 0.5, 3000.004)
    exchange.create_order("WETH/USDC", "limit", "sell", 0.5, 3000.01)
    assert [int(body["order"]["limitPrice"]) for body in fake.posted] == [3_000_000_000, 3_000_010_000, 3_000_010_000]


def test_a_market_orders_signed_worst_price_is_not_reported_as_its_price() -> None:
    fake = FakeHdex([(201, None)])
    order = adapter(fake).create_order("WETH/USDC", "market", "buy", 0.5, 3150)
    assert order["type"] == "market" and order["price"] is None and order["cost"] is None


def test_editing_a_stop_order_without_a_trigger_keeps_its_trigger() -> None:
    """Edited without params["triggerPrice"], a stop-limit sell became a plain limit sell, which fills at once."""
    fake = FakeHdex([error(422, "PRICE_OFF_TICK")])  # what was signed is all this test reads
    stop = {"flags": "18", "limitPrice": "2400000000", "baseAmount": str(10**18), "triggerPrice": "2500000000"}
    fake.orders[OLD_HASH] = {**fake.view(OLD_HASH, {"order": stop}), "side": "sell"}
    with pytest.raises(ccxt.InvalidOrder):
        adapter(fake).edit_order(OLD_HASH, "WETH/USDC", "limit", "sell", 0.5, 2400)
    signed = fake.posted[0]["order"]
    assert (int(signed["flags"]), signed["triggerPrice"]) == (18, "2500000000")  # stop-limit, operator trigger


class PagedFills(FakeHdex):
    """The wallet's fills, newest first, `limit` a page and `next` the cursor of the following one, as HDEX pages."""

    def __init__(self, count: int) -> None:
        super().__init__([])
        self.fills = [self.fill(i) for i in range(count, 0, -1)]
        self.pages_read = 0

    @staticmethod
    def fill(number: int) -> dict[str, Any]:
        return {"id": str(number), "market": "WETH-USDC", "price": "3000000000", "baseAmount": str(10**15),
                "quoteAmount": "3000000", "takerSide": "buy", "liquidity": "taker", "side": "buy", "fee": "0",
                "feeToken": MARKET["baseToken"]["address"], "feeTokenDecimals": 18, "feeTokenSymbol": "WETH",
                "makerOrderHash": OLD_HASH, "takerOrderHash": OLD_HASH,
                "time": 1_700_000_000_000 + number * 1_000}  # fmt: skip

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urlsplit(request.url)
        if not url.path.endswith("/fills"):
            return super().send(request, **kwargs)
        query = dict(pair.split("=") for pair in url.query.split("&") if pair)
        limit, cursor = int(query.get("limit", 100)), query.get("cursor")
        start = 0 if cursor is None else next(i for i, f in enumerate(self.fills) if f["id"] == cursor) + 1
        page = self.fills[start : start + limit]
        self.pages_read += 1
        more = start + limit < len(self.fills)
        return self.response(request, (200, {"fills": page, "next": page[-1]["id"] if more and page else None}))


def test_my_trades_since_a_time_are_read_back_page_by_page_and_none_is_skipped() -> None:
    """Only the newest page was read: with 250 fills, since the first one and a limit of 100 gave fills 151..250,
    and asking on from the last of those gave nothing: 1..150 were never seen."""
    fake = PagedFills(1_250)
    exchange = adapter(fake)
    first = 1_700_000_000_000 + 1_000
    trades = exchange.fetch_my_trades("WETH/USDC", since=first, limit=100)
    assert [t["id"] for t in trades] == [str(i) for i in range(1, 101)]  # the oldest 100 from `since`, in order
    later = exchange.fetch_my_trades("WETH/USDC", since=trades[-1]["timestamp"] + 1, limit=100)
    assert [t["id"] for t in later] == [str(i) for i in range(101, 201)]
    newest = exchange.fetch_my_trades("WETH/USDC", limit=10)  # without since: the newest page alone
    assert [t["id"] for t in newest] == [str(i) for i in range(1_241, 1_251)]


def test_a_stop_loss_price_signs_a_stop_and_orders_hdex_has_not_are_refused_unsigned() -> None:
    """stopLossPrice was dropped: a stop-loss sell was signed as a plain market sell, which fills at once."""
    fake = FakeHdex([(201, None)] * 3)
    exchange = adapter(fake)
    stop_loss = {"stopLossPrice": 2500, "acceptOperatorTrigger": True}
    exchange.create_order("WETH/USDC", "market", "sell", 0.5, None, stop_loss)
    exchange.create_order("WETH/USDC", "limit", "buy", 0.5, 3100, {**stop_loss, "stopLossPrice": 3050,
                                                                    "triggerDirection": "ascending"})  # fmt: skip
    assert [(int(b["order"]["flags"]) & 3, b["order"]["triggerPrice"]) for b in fake.posted] == [
        (3, "2500000000"), (2, "3050000000")]  # fmt: skip
    for params in ({"takeProfitPrice": 3500}, {"reduceOnly": True}, {"cost": 100}, {"trailingPercent": 1},
                   {"triggerPrice": 2500, "triggerDirection": "above", "acceptOperatorTrigger": True}):  # fmt: skip
        with pytest.raises(ccxt.NotSupported):
            exchange.create_order("WETH/USDC", "limit", "sell", 0.5, 2400, params)
    assert len(fake.posted) == 2
    exchange.create_order("WETH/USDC", "limit", "sell", 0.5, 3100, {"reduceOnly": False})  # asks for nothing
    assert len(fake.posted) == 3


def test_a_book_costs_what_hdex_weighs_it_and_limits_past_the_servers_are_clamped() -> None:
    exchange = adapter(FakeHdex([]))
    for depth in (1, 50, 100, 101, 500, 501, 1000):
        assert exchange.book_cost(depth)["cost"] == book_weight(depth)
    per_ip = parse_limit(Settings.model_fields["rate_limit_ip"].default)  # a unit of cost every rateLimit ms at most
    assert exchange.rateLimit * per_ip.amount >= per_ip.get_expiry() * 1000
    fake = FakeHdex([])
    exchange = adapter(fake)
    exchange.fetch_order_book("WETH/USDC", limit=5000)
    exchange.fetch_ohlcv("WETH/USDC", "1m", since=0, limit=5000)
    book, candles = parse_qs(urlsplit(fake.read[-2]).query), parse_qs(urlsplit(fake.read[-1]).query)
    assert book["depth"] == ["1000"] and int(candles["end"][0]) - int(candles["start"][0]) == 1_500 * 60_000


def test_fills_whose_settlement_failed_are_not_trades() -> None:
    fake = PagedFills(5)
    fake.fills[1]["status"] = "failed"
    trades = adapter(fake).fetch_my_trades("WETH/USDC", limit=5)
    assert [t["id"] for t in trades] == ["1", "2", "3", "5"]


def test_a_cancelled_orders_remaining_is_what_never_filled() -> None:
    fake = FakeHdex([])
    signed = {"flags": "0", "limitPrice": "3000000000", "baseAmount": str(10**18), "triggerPrice": "0"}
    fake.orders[OLD_HASH] = {**fake.view(OLD_HASH, {"order": signed}), "status": "cancelled", "filled": str(3 * 10**17),
                             "remaining": "0", "unfilled": str(7 * 10**17)}  # fmt: skip
    order = adapter(fake).fetch_order(OLD_HASH)
    assert (order["status"], order["amount"], order["filled"], order["remaining"]) == ("canceled", 1, 0.3, 0.7)


def test_an_edit_keeps_the_old_orders_exact_amount_and_price() -> None:
    """Taken from the parsed order's floats, 12345678901234.567 WETH was signed as 12345678901234.566."""
    fake = FakeHdex([error(422, "PRICE_OFF_TICK")])  # what was signed is all this test reads
    amount, price = "12345678901234567000000000000000", "123456789012345670000"  # 123456789012345.67 USDC
    signed = {"flags": "0", "limitPrice": price, "baseAmount": amount, "triggerPrice": "0"}
    fake.orders[OLD_HASH] = {**fake.view(OLD_HASH, {"order": signed}), "unfilled": amount}
    with pytest.raises(ccxt.InvalidOrder):
        adapter(fake).edit_order(OLD_HASH, "WETH/USDC", "limit", "buy")
    assert (fake.posted[0]["order"]["baseAmount"], fake.posted[0]["order"]["limitPrice"]) == (amount, price)


def test_a_markets_own_caps_per_order_are_its_limits_maximums() -> None:
    fake = FakeHdex([])
    capped = {**MARKET, "name": "WBTC-USDC", "baseToken": {**MARKET["baseToken"], "symbol": "WBTC"},
              "risk": {"maxOrderBase": "5000000000000000000000", "maxOrderNotional": "2500000000000"}}  # fmt: skip
    fake.markets.append(capped)
    markets = adapter(fake).load_markets()
    assert (markets["WBTC/USDC"]["limits"]["amount"]["max"], markets["WBTC/USDC"]["limits"]["cost"]["max"]) == (
        5000, 2_500_000)  # fmt: skip
    assert markets["WETH/USDC"]["limits"]["amount"]["max"] is None  # no cap of its own


def placed_slot(view: dict[str, Any]) -> dict[str, Any]:
    return {"status": 201, "order": view, "error": None}


def refused_slot(status: int, code: str) -> dict[str, Any]:
    return {"status": status, "order": None, "error": {"code": code, "message": "m", "field": None}}


def test_create_orders_resends_a_batch_with_an_order_of_unknown_outcome_and_reads_back_the_copy() -> None:
    def first(views: list[dict[str, Any]]) -> dict[str, Any]:
        fake.orders[views[0]["hash"]] = views[0]  # placed; the second's outcome is lost
        return {"results": [placed_slot(views[0]), refused_slot(504, "ENGINE_TIMEOUT"),
                            refused_slot(422, "PRICE_OFF_TICK")]}  # fmt: skip

    fake = FakeHdex([
        (200, first),
        (200, lambda views: {"results": [refused_slot(409, "DUPLICATE_ORDER"), placed_slot(views[1]),
                                         refused_slot(422, "PRICE_OFF_TICK")]}),
    ])  # fmt: skip
    requests_ = [{"symbol": "WETH/USDC", "type": "limit", "side": "buy", "amount": 0.5, "price": price}
                 for price in (3000, 2990, 2980)]  # fmt: skip
    orders = adapter(fake).create_orders(requests_)
    assert [o["status"] for o in orders] == ["open", "open", "rejected"]
    assert orders[2]["info"]["error"]["code"] == "PRICE_OFF_TICK" and orders[2]["price"] is None
    assert len(fake.posted) == 2 and fake.posted[0] == fake.posted[1]  # one signature each, sent again as signed


def test_create_orders_does_not_resend_a_batch_whose_orders_were_refused_or_found_the_queue_full() -> None:
    fake = FakeHdex([(200, lambda views: {"results": [placed_slot(views[0]), refused_slot(503, "ENGINE_BUSY")]})])
    requests_ = [{"symbol": "WETH/USDC", "type": "limit", "side": "buy", "amount": 0.5, "price": p} for p in (1, 2)]
    orders = adapter(fake).create_orders(requests_)
    assert [o["status"] for o in orders] == ["open", "rejected"] and len(fake.posted) == 1
