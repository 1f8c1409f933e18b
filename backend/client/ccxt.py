"""HDEX for CCXT: `hdex`, a `ccxt.Exchange` that trades on HDEX with ccxt's unified methods.

    from backend.client.ccxt import hdex
    exchange = hdex({"privateKey": "0x...", "urls": {"api": {"rest": "http://127.0.0.1:8000"}}})
    exchange.create_order("WETH/USDC", "limit", "buy", 0.5, 3000)

Written the way ccxt's own exchange files are, so that it could be proposed upstream: it imports nothing of
HDEX's server, signs with ccxt's own EIP-712 and secp256k1 helpers, reads the signing domain and types from
`GET /v1/eip712`, and does its arithmetic on decimal strings (`Precise`), never on floats. What ccxt calls an
API key is a wallet: writes carry an EIP-712 signature by `privateKey`, so there is no session and no secret.
ccxt generates its Python, PHP and JavaScript exchanges from TypeScript (`ts/src/<id>.ts`); this file is the
Python one alone, so a proposal upstream is its port to `ts/src/hdex.ts` (no f-strings, comprehensions or
tuple returns there), whose transpiled Python this file's methods and structures already match.

HDEX's units: amounts travel as integers in token base units, prices as quote base units per 1e18 base base-units;
ccxt's unified figures are human decimals (`0.5` WETH at `3000` USDC). `create_order` signs what ccxt's
rounding (`amount_to_precision`, `price_to_precision`) makes of the figures, so an order is on the market's grid.

Order kinds: `limit`, `market` (its price is the worst the wallet accepts: pass one, or it is the best opposite
price moved by `options["marketSlippage"]`), and stop kinds through `params["triggerPrice"]` or
`params["stopLossPrice"]` (a stop-limit for `limit`, a stop-market for `market`; a buy stop fires once the price is
at or above its trigger, a sell stop at or below). Params asking for what HDEX has no order for (`takeProfitPrice`,
`reduceOnly`, `cost`, trailing stops, a `triggerDirection` against the side's) raise NotSupported. A market
without an on-chain price source checks no trigger on-chain: its stop orders need
`params["acceptOperatorTrigger"] = True`, the wallet's signed consent that HDEX decides when the stop fired.
`params`: `timeInForce` (GTC, IOC, FOK), `postOnly`, `clientOrderId`, `expiry` (unix seconds).
`create_orders` places up to 20 in one request, each placed or rejected on its own.
`edit_order` cancels an order and places its successor in one signed request; `cancel_all_orders_after` is the
wallet's dead-man switch. An order, edit or cancel left without a clear answer is sent again exactly as signed
(HDEX takes each once), then given up as `OrderOutcomeUnknown`, which carries the order's hash (`resend` sends it
again); a bulk cancel or a cancel-after is signed anew under a later timestamp and sent again.
"""

# ccxt's method signatures take `params={}`; like ccxt's own, these never mutate it (they `extend` a copy).
# ruff: noqa: B006

from __future__ import annotations

from typing import Any

from ccxt.base.decimal_to_precision import NO_PADDING, TICK_SIZE, TRUNCATE
from ccxt.base.errors import (
    ArgumentsRequired,
    AuthenticationError,
    BadRequest,
    BadSymbol,
    DDoSProtection,
    DuplicateOrderId,
    ExchangeError,
    ExchangeNotAvailable,
    InsufficientFunds,
    InvalidNonce,
    InvalidOrder,
    MarketClosed,
    NetworkError,
    NotSupported,
    OperationRejected,
    OrderImmediatelyFillable,
    OrderNotFillable,
    OrderNotFound,
    PermissionDenied,
    RateLimitExceeded,
    RequestTimeout,
    RestrictedLocation,
)
from ccxt.base.exchange import Exchange
from ccxt.base.precise import Precise

PRICE_SCALE_DIGITS = 18  # a price is quote base units per 10**18 base base-units
FEE_RATE_SCALE = "1000000"  # fee rates are millionths
KIND_FLAGS = {"limit": 0, "market": 1, "stop_limit": 2, "stop_market": 3}
FLAG_POST_ONLY = 4
FLAG_FILL_OR_KILL = 8
FLAG_OPERATOR_TRIGGER = 16
PAGE = 500  # the most items a listing answers at once (fetch_since)
DEFAULT_LIMIT = 100  # the newest items a listing read without `since` or `limit` returns
ORDER_STATUSES = {"open": "open", "filled": "closed", "cancelled": "canceled", "expired": "expired"}
# ccxt's unified order params for what HDEX has no order for: refused, never signed as a plain order without them
UNSUPPORTED_ORDER_PARAMS = (
    "takeProfitPrice",  # a sell fired on a rise, a buy on a fall: HDEX's stops fire the other way
    "stopLoss", "takeProfit", "trailingAmount", "trailingPercent", "trailingTriggerPrice",
    "reduceOnly", "leverage", "marginMode",  # spot only
    "cost",  # an order is signed for a base amount
)  # fmt: skip
# the way each side's stop fires (ccxt's triggerDirection): a buy once the price is at or above its trigger, a sell
# once at or below; a stop-loss (stopLossPrice) is that stop
STOP_DIRECTIONS = {"buy": ("ascending", "above", "up"), "sell": ("descending", "below", "down")}
MAX_BOOK_DEPTH = 1000
MAX_CANDLES = 1500  # the most intervals GET .../candles answers at once
DEFAULT_CANDLES = 500  # the candles fetch_ohlcv(since=...) answers without a limit (the API's own default window)
BATCH_PATH = "orders/batch"  # POST: up to MAX_BATCH_ORDERS signed orders, each placed or refused on its own
MAX_BATCH_ORDERS = 20
CANCEL_PATH = "orders/{hash}"  # DELETE: a signed cancel of one order (the other signed sends are POSTs)
MAX_CANDLE_WINDOWS = 30  # fetch_ohlcv(since=...) looks past quiet intervals from a since this many windows back


class OrderOutcomeUnknown(RequestTimeout):  # type: ignore[misc]  # ccxt is untyped
    """A signed order (or edit, or cancel) was sent, and after every resend it is still unknown whether it stands
    (or, for a cancel, whether the order is cancelled): no answer, or a 5xx. `order_id`: the order's hash, for
    `fetch_order` (a batch's: its orders' hashes, joined by commas); `path` and `body`: the signed request, which
    `resend(error)` sends again (HDEX takes a signed
    order, and a cancel, at most once). Signing a new order instead could leave two live orders."""

    def __init__(self, message: str, order_id: str, path: str, body: Any) -> None:
        super().__init__(message)
        self.order_id, self.path, self.body = order_id, path, body


class hdex(Exchange):  # type: ignore[misc]  # ccxt is untyped; ccxt names exchanges in lower case
    def describe(self) -> Any:
        return self.deep_extend(
            super().describe(),
            {
                "id": "hdex",
                "name": "HDEX",
                "countries": [],
                "version": "v1",
                # HDEX allows 1200 weight a minute per client IP (HDEX_RATE_LIMIT_IP): 50 ms a unit of cost, whose
                # costs below are the server's weights (a book's is by depth: book_cost)
                "rateLimit": 50,
                # An order waits up to HDEX_REPLICA_ANSWER_TIMEOUT_S (10 s by default) for the engine before an API
                # replica answers 504 ENGINE_TIMEOUT: wait longer, to read that answer rather than cut the request.
                "timeout": 20000,
                "dex": True,
                "certified": False,
                "pro": False,
                "has": {
                    "CORS": None,
                    "spot": True,
                    "margin": False,
                    "swap": False,
                    "future": False,
                    "option": False,
                    "cancelAllOrders": True,
                    "cancelAllOrdersAfter": True,
                    "cancelOrder": True,
                    "createMarketOrder": True,
                    "createOrder": True,
                    "createOrders": True,
                    "createPostOnlyOrder": True,
                    "createStopLimitOrder": True,
                    "createStopLossOrder": True,
                    "createStopMarketOrder": True,
                    "createTakeProfitOrder": False,
                    "createStopOrder": True,
                    "createTriggerOrder": True,
                    "editOrder": True,
                    "fetchBalance": True,
                    "fetchClosedOrders": True,
                    "fetchMarkets": True,
                    "fetchMyTrades": True,
                    "fetchOHLCV": True,
                    "fetchOpenOrders": True,
                    "fetchOrder": True,
                    "fetchOrderBook": True,
                    "fetchTicker": True,
                    "fetchTickers": True,
                    "fetchTime": True,
                    "fetchTrades": True,
                    "fetchTradingFees": True,
                    "withdraw": False,  # a withdrawal is signed the same way; the bot client (HdexClient) has it
                },
                "timeframes": {"1m": "1m", "5m": "5m", "15m": "15m", "1h": "1h", "4h": "4h", "1d": "1d"},
                "urls": {
                    "api": {"rest": "http://127.0.0.1:8000"},  # `make run`'s address; pass your deployment's
                    "www": "https://github.com/hdex",
                    "doc": "http://127.0.0.1:8000/docs",
                },
                "api": {
                    "public": {
                        "get": {
                            "markets": 1,
                            "markets/{market}/book": 10,  # the deepest's; fetch_order_book asks by depth
                            "markets/{market}/trades": 2,
                            "markets/{market}/candles": 2,
                            "markets/{market}/ticker": 1,
                            "eip712": 1,
                            "time": 1,
                            "nonce": 1,
                            "orders/{hash}": 1,
                        },
                    },
                    "private": {
                        "get": {
                            "accounts/{address}/balances": 1,
                            "accounts/{address}/orders": 2,
                            "accounts/{address}/orders/by-client-id/{clientOrderId}": 1,
                            "accounts/{address}/fills": 2,
                            "accounts/{address}/fees": 1,
                        },
                        # signed writes also spend the wallet's 600 a minute (HDEX_RATE_LIMIT_ADDRESS): half the
                        # IP's pace
                        "post": {
                            "orders": 2, "orders/batch": 10, "orders/cancel": 2, "orders/replace": 2,
                            "orders/cancel-after": 2,
                        },
                        "delete": {"orders/{hash}": 2},
                    },
                },
                "requiredCredentials": {
                    "apiKey": False,
                    "secret": False,
                    "walletAddress": False,  # derived from the private key; if given, it must be the key's
                    "privateKey": True,
                },
                "precisionMode": TICK_SIZE,
                "options": {
                    "marketSlippage": "0.05",  # a market order without a price accepts the best price +-5%
                    "orderExpiry": 86400,  # seconds a resting order's signature lasts
                    "immediateExpiry": 30,  # seconds an IOC, FOK or market order's signature lasts (HDEX: <= 60)
                    "orderResends": 3,  # times a signed order whose outcome is unknown is sent again, as signed
                    "orderResendDelay": 500,  # milliseconds before the first resend, doubled before each next one
                },
                "exceptions": {
                    "exact": {
                        "MALFORMED_JSON": BadRequest,
                        "METHOD_NOT_ALLOWED": BadRequest,
                        "INVALID_FIELD": BadRequest,
                        "AMOUNT_OUT_OF_RANGE": BadRequest,
                        "NOT_FOUND": BadRequest,
                        "BODY_TOO_LARGE": BadRequest,
                        "TIMEOUT_OUT_OF_RANGE": BadRequest,
                        "RATE_LIMITED": RateLimitExceeded,
                        "INVALID_SIGNATURE": AuthenticationError,
                        "SIGNER_NOT_MAKER": AuthenticationError,
                        "SIGNER_NOT_WALLET": AuthenticationError,
                        "ACCOUNT_FORBIDDEN": PermissionDenied,
                        "ADDRESS_BLOCKED": PermissionDenied,
                        "WALLET_EXITING": PermissionDenied,
                        "JURISDICTION_RESTRICTED": RestrictedLocation,
                        "NONCE_BELOW_FLOOR": InvalidNonce,
                        "NONCE_USED": InvalidNonce,
                        "DUPLICATE_ORDER": DuplicateOrderId,
                        "DUPLICATE_CLIENT_ORDER_ID": DuplicateOrderId,
                        "ORDER_EXPIRED": InvalidOrder,
                        "UNKNOWN_FLAGS": InvalidOrder,
                        "FLAGS_CONFLICT": InvalidOrder,
                        "FILL_OR_KILL_MISMATCH": InvalidOrder,
                        "EXPIRY_TOO_LONG": InvalidOrder,
                        "STOP_NEEDS_PRICE_SOURCE": InvalidOrder,
                        "INVALID_TRIGGER_PRICE": InvalidOrder,
                        "MAX_FEE_TOO_LOW": InvalidOrder,
                        "TOO_MANY_OPEN_ORDERS": InvalidOrder,
                        "CANCEL_EXPIRED": InvalidOrder,
                        "INVALID_PRICE": InvalidOrder,
                        "PRICE_OFF_TICK": InvalidOrder,
                        "INVALID_QUANTITY": InvalidOrder,
                        "QUANTITY_OFF_LOT": InvalidOrder,
                        "BELOW_MIN_NOTIONAL": InvalidOrder,
                        "PRICE_OUTSIDE_BAND": InvalidOrder,
                        "TIF_NOT_ALLOWED": InvalidOrder,
                        "WOULD_TRIGGER_IMMEDIATELY": InvalidOrder,
                        "ORDER_SIZE_LIMIT_EXCEEDED": InvalidOrder,
                        "MARKET_NOTIONAL_LIMIT_EXCEEDED": InvalidOrder,
                        "OPEN_NOTIONAL_LIMIT_EXCEEDED": InvalidOrder,
                        "ORDER_NOTIONAL_LIMIT_EXCEEDED": InvalidOrder,
                        "POST_ONLY_WOULD_CROSS": OrderImmediatelyFillable,
                        "FOK_NOT_FILLED": OrderNotFillable,
                        "ORDER_NOT_FOUND": OrderNotFound,
                        "ORDER_NOT_OPEN": OrderNotFound,
                        "REPLACE_PARTLY_FAILED": OperationRejected,
                        "UNKNOWN_MARKET": BadSymbol,
                        "MARKET_HALTED": MarketClosed,
                        "MARKET_CANCEL_ONLY": MarketClosed,
                        "MARKET_CIRCUIT_BREAKER": MarketClosed,
                        "INSUFFICIENT_BALANCE": InsufficientFunds,
                        "UNAVAILABLE": ExchangeNotAvailable,
                        "ENGINE_BUSY": DDoSProtection,  # back-pressure, not placed: retry after Retry-After seconds
                        "ENGINE_TIMEOUT": RequestTimeout,  # may stand: create_order resends the same signed order
                        "NOT_DEPLOYED": ExchangeNotAvailable,
                        "RPC_UNAVAILABLE": ExchangeNotAvailable,
                        "NODE_UNAVAILABLE": ExchangeNotAvailable,
                    },
                    "broad": {},
                },
            },
        )

    # requests

    def sign(
        self,
        path: str,
        api: Any = "public",
        method: str = "GET",
        params: Any = {},
        headers: Any = None,
        body: Any = None,
    ) -> Any:
        url = self.urls["api"]["rest"] + "/" + self.version + "/" + self.implode_params(path, params)
        query = self.omit(params, self.extract_params(path))
        if method == "GET":
            if query:
                url += "?" + self.urlencode(query)
        else:
            body = self.json(query)
            headers = {"Content-Type": "application/json"}
        return {"url": url, "method": method, "body": body, "headers": headers}

    def handle_errors(
        self,
        code: int,
        reason: str,
        url: str,
        method: str,
        headers: Any,
        body: str,
        response: Any,
        requestHeaders: Any,
        requestBody: Any,
    ) -> Any:
        error = self.safe_dict(response, "error") if isinstance(response, dict) else None
        if error is None:
            return None  # not HDEX's error shape: ccxt's HTTP status handling decides
        feedback = self.id + " " + body
        self.throw_exactly_matched_exception(self.exceptions["exact"], self.safe_string(error, "code"), feedback)
        if code >= 500:
            # a 5xx this adapter does not know says nothing of whether an order stands (see send_signed_order)
            raise ExchangeNotAvailable(feedback)
        raise ExchangeError(feedback)

    # units: HDEX's integers <-> ccxt's decimal strings

    def to_base_units(self, amount: str, decimals: int, what: str) -> str:
        value = Precise.string_mul(amount, self.power_of_ten(decimals))
        if Precise.string_mod(value, "1") != "0":
            raise InvalidOrder(f"{self.id} {what} {amount} has more than {decimals} decimals")
        return str(Precise.string_div(value, "1", 0))

    def from_base_units(self, units: Any, decimals: int) -> Any:
        if units is None:
            return None
        return Precise.string_div(str(units), self.power_of_ten(decimals), decimals)

    def price_to_units(self, price: str, market: Any) -> str:
        """A human price (quote per base) as HDEX's limitPrice: quote base units per 1e18 base base-units."""
        base_decimals, quote_decimals = self.decimals_of(market)
        scaled = Precise.string_mul(price, self.power_of_ten(quote_decimals + PRICE_SCALE_DIGITS))
        value = Precise.string_div(scaled, self.power_of_ten(base_decimals), PRICE_SCALE_DIGITS)
        if Precise.string_mod(value, "1") != "0":
            raise InvalidOrder(f"{self.id} price {price} is finer than {market['symbol']}'s price grid")
        return str(Precise.string_div(value, "1", 0))

    def price_from_units(self, units: Any, market: Any) -> Any:
        if units is None:
            return None
        base_decimals, quote_decimals = self.decimals_of(market)
        scaled = Precise.string_mul(str(units), self.power_of_ten(base_decimals))
        digits = quote_decimals + PRICE_SCALE_DIGITS
        return Precise.string_div(scaled, self.power_of_ten(digits), digits)

    def decimals_of(self, market: Any) -> tuple[int, int]:
        info = market["info"]
        return int(info["baseToken"]["decimals"]), int(info["quoteToken"]["decimals"])

    def power_of_ten(self, digits: int) -> str:
        return "1" + "0" * digits

    # signing: EIP-712 over the domain and types GET /v1/eip712 gives

    def signer_address(self) -> str:
        self.check_required_credentials()
        derived: str = self.eth_get_address_from_private_key(self.privateKey)
        if self.walletAddress and self.walletAddress.lower() != derived.lower():
            raise AuthenticationError(f"{self.id} walletAddress {self.walletAddress} is not privateKey's ({derived})")
        return derived

    def eip712(self) -> Any:
        if "eip712" not in self.options:
            self.options["eip712"] = self.request("eip712", "public", "GET")
        return self.options["eip712"]

    def sign_typed_data(self, primary_type: str, message: Any) -> tuple[str, str]:
        """(the digest as 0x-hex, the 65-byte signature as 0x-hex) of `message` as `primary_type`."""
        spec = self.eip712()
        domain = self.extend(spec["domain"], {"chainId": int(spec["domain"]["chainId"])})
        encoded = self.eth_encode_structured_data(domain, {primary_type: spec["types"][primary_type]}, message)
        digest = self.hash(encoded, "keccak", "hex")
        signature = self.ecdsa(digest, self.remove0x_prefix(self.privateKey), "secp256k1", None)
        v = self.int_to_base16(27 + int(signature["v"]))
        return "0x" + digest, "0x" + signature["r"] + signature["s"] + v

    def next_nonce(self, maker: str) -> int:
        """Orders carry consecutive nonces from the exchange's next one for the wallet: asked once, and again after
        the exchange refused one (`forget_nonce`)."""
        nonces = self.options.setdefault("nonces", {})
        key = maker.lower()
        if key not in nonces:
            nonces[key] = int(self.request("nonce", "public", "GET", {"maker": maker})["nonce"])
        nonce: int = nonces[key]
        nonces[key] = nonce + 1
        return nonce

    def forget_nonce(self, maker: str) -> None:
        self.options.setdefault("nonces", {}).pop(maker.lower(), None)

    # public data

    def fetch_time(self, params: Any = {}) -> Any:
        return self.safe_integer(self.request("time", "public", "GET", params), "serverTime")

    def fetch_markets(self, params: Any = {}) -> Any:
        response = self.request("markets", "public", "GET", params)
        return [self.parse_market(market) for market in self.safe_list(response, "markets", [])]

    def parse_market(self, market: Any) -> Any:
        base, quote = market["baseToken"], market["quoteToken"]
        base_decimals, quote_decimals = int(base["decimals"]), int(quote["decimals"])
        price_tick = Precise.string_div(
            Precise.string_mul(market["tickSize"], self.power_of_ten(base_decimals)),
            self.power_of_ten(quote_decimals + PRICE_SCALE_DIGITS),
            quote_decimals + PRICE_SCALE_DIGITS,
        )
        base_code, quote_code = self.safe_currency_code(base["symbol"]), self.safe_currency_code(quote["symbol"])
        risk = self.safe_dict(market, "risk", {})  # the market's own caps per order (None: none)
        return self.safe_market_structure(
            {
                "id": market["name"],
                "symbol": base_code + "/" + quote_code,
                "base": base_code,
                "quote": quote_code,
                "baseId": base["address"],
                "quoteId": quote["address"],
                "type": "spot",
                "spot": True,
                "margin": False,
                "swap": False,
                "future": False,
                "option": False,
                "contract": False,
                "active": market["state"] == "open",
                "maker": self.parse_number(Precise.string_div(str(market["makerFeeRate"]), FEE_RATE_SCALE)),
                "taker": self.parse_number(Precise.string_div(str(market["takerFeeRate"]), FEE_RATE_SCALE)),
                "precision": {
                    "amount": self.parse_number(self.from_base_units(market["lotSize"], base_decimals)),
                    "price": self.parse_number(price_tick),
                },
                "limits": {
                    "amount": {
                        "min": self.parse_number(self.from_base_units(market["lotSize"], base_decimals)),
                        "max": self.parse_number(self.from_base_units(risk.get("maxOrderBase"), base_decimals)),
                    },
                    "cost": {
                        "min": self.parse_number(self.from_base_units(market["minNotional"], quote_decimals)),
                        "max": self.parse_number(self.from_base_units(risk.get("maxOrderNotional"), quote_decimals)),
                    },
                },
                "info": market,
            }
        )

    def fetch_order_book(self, symbol: str, limit: Any = None, params: Any = {}) -> Any:
        self.load_markets()
        market = self.market(symbol)
        depth = 50 if limit is None else min(int(limit), MAX_BOOK_DEPTH)
        request = {"market": market["id"], "depth": depth}
        cost = self.book_cost(depth)
        response = self.request("markets/{market}/book", "public", "GET", self.extend(request, params), config=cost)
        base_decimals, _ = self.decimals_of(market)
        book = {
            side: [
                [self.price_from_units(price, market), self.from_base_units(amount, base_decimals)]
                for price, amount in self.safe_list(response, side, [])
            ]
            for side in ("bids", "asks")
        }
        parsed = self.parse_order_book(book, market["symbol"], None, "bids", "asks", 0, 1)
        parsed["nonce"] = self.safe_integer(response, "seq")
        return parsed

    def book_cost(self, depth: int) -> Any:
        """What HDEX weighs a book of `depth` (backend/api/ratelimit.py's BOOK_WEIGHTS), as ccxt's request config."""
        return {"cost": 2 if depth <= 100 else 5 if depth <= 500 else 10}

    def fetch_trades(self, symbol: str, since: Any = None, limit: Any = None, params: Any = {}) -> Any:
        self.load_markets()
        market = self.market(symbol)
        request = {"market": market["id"]}
        trades = self.fetch_since("markets/{market}/trades", "public", "trades", "time", request, since, limit, params)
        return self.parse_trades(self.settled_or_settling(trades), market, since, limit)

    def settled_or_settling(self, fills: list[Any]) -> list[Any]:
        """The fills that are trades: a failed one's settlement was refused on-chain, so nothing changed hands."""
        return [fill for fill in fills if self.safe_string(fill, "status") != "failed"]

    def fetch_since(
        self,
        path: str,
        api: str,
        key: str,
        time_key: str,
        request: Any,
        since: Any,
        limit: Any,
        params: Any,
        everything: bool = False,
    ) -> list[Any]:
        """The items of one of HDEX's newest-first listings, following `next` across pages of at most PAGE: with
        `since` (ms), every page back until one reaches before it, so that none in between is skipped (ccxt's
        `parse_*` then keeps those from `since` on, oldest first, up to `limit`); without it, the newest `limit`
        items, or every item for `everything` (a wallet's open orders), else the newest DEFAULT_LIMIT."""
        wanted = None if since is not None or (limit is None and everything) else (limit or DEFAULT_LIMIT)
        items: list[Any] = []
        cursor = None
        while True:
            size = PAGE if wanted is None else min(PAGE, wanted - len(items))
            page_request = self.extend(request, {"limit": size}, {} if cursor is None else {"cursor": cursor}, params)
            response = self.request(path, api, "GET", page_request)
            page = self.safe_list(response, key, [])
            items.extend(page)
            cursor = self.safe_string(response, "next")
            if cursor is None or not page or (wanted is not None and len(items) >= wanted):
                return items
            if since is not None and self.safe_integer(page[-1], time_key, 0) < since:
                return items

    def parse_trade(self, trade: Any, market: Any = None) -> Any:
        market = self.safe_market(self.safe_string(trade, "market"), market)
        base_decimals, quote_decimals = self.decimals_of(market)
        liquidity = self.safe_string(trade, "liquidity")  # only a wallet's own fills say which side it was
        order = None
        fee = None
        if liquidity is not None:
            order = trade["makerOrderHash"] if liquidity == "maker" else trade["takerOrderHash"]
            fee = {
                "cost": self.from_base_units(trade["fee"], int(trade["feeTokenDecimals"])),
                "currency": self.safe_currency_code(trade["feeTokenSymbol"]),
            }
        return self.safe_trade(
            {
                "id": self.safe_string(trade, "id"),
                "order": order,
                "timestamp": self.safe_integer(trade, "time"),
                "datetime": self.iso8601(self.safe_integer(trade, "time")),
                "symbol": market["symbol"],
                "type": None,
                "side": self.safe_string_2(trade, "side", "takerSide"),
                "takerOrMaker": liquidity,
                "price": self.price_from_units(trade["price"], market),
                "amount": self.from_base_units(trade["baseAmount"], base_decimals),
                "cost": self.from_base_units(trade["quoteAmount"], quote_decimals),
                "fee": fee,
                "info": trade,
            },
            market,
        )

    def fetch_ohlcv(
        self, symbol: str, timeframe: str = "1m", since: Any = None, limit: Any = None, params: Any = {}
    ) -> Any:
        self.load_markets()
        market = self.market(symbol)
        request: dict[str, Any] = {"market": market["id"], "interval": self.safe_string(self.timeframes, timeframe)}
        interval_ms = self.parse_timeframe(timeframe) * 1000
        limit = None if limit is None else min(int(limit), MAX_CANDLES)
        if since is not None:
            wanted = DEFAULT_CANDLES if limit is None else limit
            candles = self.candles_since(request, interval_ms, since, wanted, params)
            return self.parse_ohlcvs(candles, market, timeframe, since, limit)
        if limit is not None:  # the newest `limit` (the API's own default window is the last 500 intervals)
            request["end"] = self.milliseconds()
            request["start"] = request["end"] - interval_ms * limit
        response = self.request("markets/{market}/candles", "public", "GET", self.extend(request, params))
        return self.parse_ohlcvs(self.safe_list(response, "candles", []), market, timeframe, since, limit)

    def candles_since(self, request: Any, interval_ms: int, since: int, wanted: int, params: Any) -> list[Any]:
        """The first `wanted` candles from `since` on. HDEX answers only the intervals that traded, so the `wanted`
        intervals right after `since` may hold none while later ones do, and ccxt's pagination stops at an empty
        answer: windows of MAX_CANDLES whole intervals are read forward until `wanted` are found or a window
        reaches the present. Only from a `since` within MAX_CANDLE_WINDOWS windows of now (a month of minutes, years
        of hours): from further back (`since=0`) one window is read, as walking up to now would cost a request per
        window since then."""
        candles: list[Any] = []
        start = since - since % interval_ms  # whole intervals: windows neither overlap nor leave a gap
        now = self.milliseconds()
        window_ms = interval_ms * MAX_CANDLES
        for _ in range(MAX_CANDLE_WINDOWS if now - start <= window_ms * MAX_CANDLE_WINDOWS else 1):
            end = start + window_ms
            window = self.extend(request, {"start": start, "end": end}, params)
            candles += self.safe_list(self.request("markets/{market}/candles", "public", "GET", window), "candles", [])
            found = [candle for candle in candles if self.safe_integer(candle, "start", 0) >= since]
            if len(found) >= wanted or end > now:
                break
            start = end
        return candles

    def parse_ohlcv(self, ohlcv: Any, market: Any = None) -> Any:
        base_decimals, _ = self.decimals_of(market)
        return [
            self.safe_integer(ohlcv, "start"),
            self.parse_number(self.price_from_units(ohlcv["open"], market)),
            self.parse_number(self.price_from_units(ohlcv["high"], market)),
            self.parse_number(self.price_from_units(ohlcv["low"], market)),
            self.parse_number(self.price_from_units(ohlcv["close"], market)),
            self.parse_number(self.from_base_units(ohlcv["baseVolume"], base_decimals)),
        ]

    def fetch_ticker(self, symbol: str, params: Any = {}) -> Any:
        self.load_markets()
        market = self.market(symbol)
        response = self.request(
            "markets/{market}/ticker", "public", "GET", self.extend({"market": market["id"]}, params)
        )
        return self.parse_ticker(response, market)

    def fetch_tickers(self, symbols: Any = None, params: Any = {}) -> Any:
        """Each market's ticker (those of `symbols` only, if given), by symbol: one request a market, as HDEX
        answers a ticker per market."""
        self.load_markets()
        wanted = self.market_symbols(symbols)
        tickers = [self.fetch_ticker(symbol, params) for symbol in (wanted or self.symbols)]
        return self.filter_by_array_tickers(tickers, "symbol", wanted)

    def parse_ticker(self, ticker: Any, market: Any = None) -> Any:
        base_decimals, quote_decimals = self.decimals_of(market)
        timestamp = self.milliseconds()
        return self.safe_ticker(
            {
                "symbol": market["symbol"],
                "timestamp": timestamp,
                "datetime": self.iso8601(timestamp),
                "open": self.price_from_units(ticker.get("open"), market),
                "high": self.price_from_units(ticker.get("high"), market),
                "low": self.price_from_units(ticker.get("low"), market),
                "last": self.price_from_units(ticker.get("last"), market),
                "close": self.price_from_units(ticker.get("last"), market),
                "bid": self.price_from_units(ticker.get("bestBid"), market),
                "ask": self.price_from_units(ticker.get("bestAsk"), market),
                "baseVolume": self.from_base_units(ticker.get("baseVolume"), base_decimals),
                "quoteVolume": self.from_base_units(ticker.get("quoteVolume"), quote_decimals),
                "info": ticker,
            },
            market,
        )

    # the wallet's account

    def fetch_balance(self, params: Any = {}) -> Any:
        request = {"address": self.signer_address()}
        response = self.request("accounts/{address}/balances", "private", "GET", self.extend(request, params))
        result: dict[str, Any] = {"info": response}
        for row in self.safe_list(response, "balances", []):
            if row.get("symbol") is None:
                continue  # a token no market lists: ccxt has no code for it
            decimals = int(row["decimals"])
            account = self.account()
            account["free"] = self.from_base_units(row["available"], decimals)
            account["total"] = self.from_base_units(row["balance"], decimals)
            account["used"] = Precise.string_sub(account["total"], account["free"])
            result[self.safe_currency_code(row["symbol"])] = account
        return self.safe_balance(result)

    def fetch_trading_fees(self, params: Any = {}) -> Any:
        self.load_markets()
        response = self.request(
            "accounts/{address}/fees", "private", "GET", self.extend({"address": self.signer_address()}, params)
        )
        fees = {}
        for row in self.safe_list(response, "markets", []):
            market = self.safe_market(row["market"])
            fees[market["symbol"]] = {
                "info": row,
                "symbol": market["symbol"],
                "maker": self.parse_number(Precise.string_div(str(row["makerFeeRate"]), FEE_RATE_SCALE)),
                "taker": self.parse_number(Precise.string_div(str(row["takerFeeRate"]), FEE_RATE_SCALE)),
                "percentage": True,
                "tierBased": False,
            }
        return fees

    def fetch_my_trades(self, symbol: Any = None, since: Any = None, limit: Any = None, params: Any = {}) -> Any:
        self.load_markets()
        market = None if symbol is None else self.market(symbol)
        request: dict[str, Any] = {"address": self.signer_address()}
        if market is not None:
            request["market"] = market["id"]
        fills = self.fetch_since("accounts/{address}/fills", "private", "fills", "time", request, since, limit, params)
        return self.parse_trades(self.settled_or_settling(fills), market, since, limit)

    # orders

    def create_order(self, symbol: str, type: str, side: str, amount: Any, price: Any = None, params: Any = {}) -> Any:
        self.load_markets()
        market = self.market(symbol)
        order_hash, body = self.signed_order_body(market, type, side, amount, price, params)
        resign = self.resigner(market, type, side, amount, price, params)
        return self.parse_order(self.send_signed_order("orders", order_hash, body, resign=resign), market)

    def create_orders(self, orders: Any, params: Any = {}) -> Any:
        """Sign and place up to 20 orders in one request (`POST /v1/orders/batch`), each a ccxt order request
        (`symbol`, `type`, `side`, `amount`, `price`, `params`: as `create_order`'s, `params` here added to each).
        One order per request, in the same order: placed, or refused with `status` "rejected" and HDEX's error in
        `info` (a refusal refuses no other). A batch left without a clear answer is sent again as signed (see
        `send_signed_order`; OrderOutcomeUnknown once the resends are spent, which `resend` takes): HDEX places
        each order at most once, and an order a resend finds placed before is read back and answered as placed."""
        if not 1 <= len(orders) <= MAX_BATCH_ORDERS:
            raise BadRequest(f"{self.id} createOrders() takes 1 to {MAX_BATCH_ORDERS} orders")
        self.load_markets()
        hashes, bodies = [], []
        for request in orders:
            order_hash, body = self.signed_order_body(
                self.market(request["symbol"]), request["type"], request["side"], request["amount"],
                self.safe_value(request, "price"), self.extend(params, self.safe_dict(request, "params", {})),
            )  # fmt: skip
            hashes.append(order_hash)
            bodies.append(body)
        return self.send_batch(hashes, {"orders": bodies})

    def send_batch(self, hashes: list[str], body: Any, after_unknown: bool = False) -> Any:
        """Send a signed batch (its orders' `hashes`, in order) as `send_signed_order` sends one order; each
        order's outcome as `create_orders` answers it."""
        attempt = 0
        while True:
            try:
                results = self.request(BATCH_PATH, "private", "POST", body)["results"]
                # an order whose outcome is unknown (504 ENGINE_TIMEOUT: it may stand) sends the batch again
                unknown = any(self.outcome_unknown(result) for result in results)
                if not unknown or not self.pause_before_resend(attempt):
                    break
                after_unknown, attempt = True, attempt + 1
            except NetworkError as error:
                if isinstance(error, (RateLimitExceeded, DDoSProtection)) and not after_unknown:
                    raise  # a definite refusal of the whole batch, as of one order
                if not self.pause_before_resend(attempt):
                    message = (f"{self.id} orders {', '.join(hashes)} may or may not stand after {attempt + 1} "
                               f"attempt(s) ({error}): fetch_order them, or resend the same signed batch")  # fmt: skip
                    raise OrderOutcomeUnknown(message, ",".join(hashes), BATCH_PATH, body) from error
                after_unknown, attempt = True, attempt + 1
        return [
            self.batch_order(result, order_hash, order_body, after_unknown)
            for order_hash, order_body, result in zip(hashes, body["orders"], results, strict=True)
        ]

    def outcome_unknown(self, result: Any) -> bool:
        """Whether an order's outcome in a batch's answer leaves it unknown whether it stands: a 5xx other than
        ENGINE_BUSY (the engine's queue full: not placed)."""
        return result["order"] is None and int(result["status"]) >= 500 and result["error"]["code"] != "ENGINE_BUSY"

    def batch_order(self, result: Any, order_hash: str, body: Any, after_unknown: bool) -> Any:
        """One order's outcome in a batch's answer as a ccxt order: placed, or rejected with the error in `info`.
        A refusal of the copy of an order an earlier send placed (DUPLICATE_ORDER; after a send whose outcome was
        unknown, any refusal) is read back, and answered as placed if it is there."""
        signed = body["order"]
        market = self.market_of(signed)
        if result["order"] is not None:
            return self.parse_order(result["order"], market)
        if after_unknown or result["error"]["code"] == "DUPLICATE_ORDER":
            taken = self.taken_before("orders", order_hash, body)
            if taken is not None:
                return self.parse_order(taken, market)
        base_decimals, _ = self.decimals_of(market)
        return self.safe_order(
            {
                "id": order_hash,
                "clientOrderId": self.safe_string(body, "clientOrderId"),
                "symbol": market["symbol"],
                "side": "buy" if signed["side"] == "0" else "sell",
                "amount": self.from_base_units(signed["baseAmount"], base_decimals),
                "status": "rejected",
                "info": result,
            },
            market,
        )

    def market_of(self, signed: Any) -> Any:
        """The loaded market a signed order's tokens name."""
        tokens = (signed["baseToken"].lower(), signed["quoteToken"].lower())
        return next(
            market for market in self.markets.values()
            if (market["info"]["baseToken"]["address"].lower(), market["info"]["quoteToken"]["address"].lower())
            == tokens
        )  # fmt: skip

    def resigner(self, market: Any, type: str, side: str, amount: Any, price: Any, params: Any) -> Any:
        """A way to sign the order again under a fresh nonce, for an order refused at once for its nonce (None when
        the caller chose the nonce). Such a refusal is definite, and says this instance's count is behind the
        exchange's: another process trading the wallet, a nonce floor raised on-chain."""
        if params.get("nonce") is not None:
            return None

        def sign_again() -> tuple[str, Any]:
            self.forget_nonce(self.signer_address())
            return self.signed_order_body(market, type, side, amount, price, params)

        return sign_again

    def edit_order(
        self, id: str, symbol: str, type: str, side: str, amount: Any = None, price: Any = None, params: Any = {}
    ) -> Any:
        """Cancel order `id` and place the new one in one signed request (`POST /v1/orders/replace`): both or,
        if the new order is refused, the cancel alone (OperationRejected, REPLACE_PARTLY_FAILED). `amount` and
        `price` default to the order's remaining amount and its price; `params` are `create_order`'s."""
        self.load_markets()
        market = self.market(symbol)
        # the old order's exact figures (its info's integers: the parsed order's are floats, which would sign
        # 1234567890123456700 wei for 1234567890123456789)
        old = self.fetch_order(id, symbol)["info"]
        signed = old["order"]
        kind = int(signed["flags"]) & 3
        base_decimals, _ = self.decimals_of(market)
        amount = self.from_base_units(old["unfilled"], base_decimals) if amount is None else amount
        if price is None and kind in (0, 2):  # a market kind's signed price is its worst, asked anew
            price = self.price_from_units(signed["limitPrice"], market)
        if kind >= 2 and self.trigger_price_of(params) is None:
            # a stop edited without its trigger stays a stop (as a plain order it could fill at once), with the
            # consent to an operator's trigger it was signed with
            operator_trigger = int(signed["flags"]) & FLAG_OPERATOR_TRIGGER != 0
            trigger = self.price_from_units(signed["triggerPrice"], market)
            params = self.extend({"triggerPrice": trigger, "acceptOperatorTrigger": operator_trigger}, params)
        cancel_body = self.cancel_part(id)
        order_hash, body = self.signed_order_body(market, type, side, amount, price, params)
        body["cancel"] = cancel_body
        sign_order_again = self.resigner(market, type, side, amount, price, params)

        def resign() -> tuple[str, Any]:
            again_hash, again = sign_order_again()
            again["cancel"] = cancel_body
            return again_hash, again

        again = None if sign_order_again is None else resign
        response = self.send_signed_order("orders/replace", order_hash, body, resign=again)
        return self.parse_order(response["order"], market)

    def cancel_part(self, order_hash: str) -> Any:
        _, signature = self.sign_typed_data("Cancel", {"maker": self.signer_address(), "orderHash": order_hash})
        return {"orderHash": order_hash, "signature": signature}

    def resend(self, unknown: OrderOutcomeUnknown) -> Any:
        """Send an order (or edit, or cancel, or batch) whose outcome is unknown again, exactly as signed, and return
        the order as `create_order` (or `edit_order`, `cancel_order`; the orders as `create_orders`) would: never sign
        it anew."""
        if unknown.path == BATCH_PATH:
            return self.send_batch(unknown.order_id.split(","), unknown.body, after_unknown=True)
        response = self.send_signed_order(unknown.path, unknown.order_id, unknown.body, after_unknown=True)
        return self.parse_order(response["order"] if unknown.path == "orders/replace" else response)

    def send_signed_order(
        self, path: str, order_hash: str, body: Any, after_unknown: bool = False, resign: Any = None
    ) -> Any:
        """Send a signed order (POST `orders`), replace (POST `orders/replace`) or cancel (DELETE `orders/{hash}`).
        A send left without a clear answer (no answer, a 5xx: RequestTimeout, ExchangeNotAvailable, ...; after
        one, a 429 too) is sent again as signed, `options["orderResends"]` times at most: HDEX takes each at most
        once. After such a send (`after_unknown`), a refused resend is read back first: HDEX refuses the copy of
        what it took (DUPLICATE_ORDER, ORDER_NOT_OPEN for a replace whose cancel applied or a cancel that applied,
        ORDER_EXPIRED or NONCE_USED once it no longer knows an expired order's hash), and what the earlier send did
        is answered. Still unknown: OrderOutcomeUnknown. A first send refused for its nonce is signed again once by
        `resign` (when given), under a nonce the exchange is asked for anew."""
        attempt = 0
        while True:
            try:
                return self.request(path, "private", "DELETE" if path == CANCEL_PATH else "POST", body)
            except (ExchangeError, InvalidNonce) as refusal:  # a refusal (ccxt counts InvalidNonce as a network error)
                if isinstance(refusal, InvalidNonce) and resign is not None and not after_unknown:
                    order_hash, body = resign()
                    resign = None
                    continue
                taken = self.taken_before(path, order_hash, body) if after_unknown else None
                if taken is None:
                    raise
                return taken
            except NetworkError as error:
                if isinstance(error, (RateLimitExceeded, DDoSProtection)) and not after_unknown:
                    raise  # a definite refusal: rate limited (429), or the engine's queue full (503 ENGINE_BUSY)
                if not self.pause_before_resend(attempt):
                    what = (
                        f"the cancel of order {order_hash} may or may not have applied"
                        if path == CANCEL_PATH
                        else f"order {order_hash} may or may not stand"
                    )
                    message = (
                        f"{self.id} {what} after {attempt + 1} attempt(s) ({error}): "
                        "fetch_order it, or send the same signed body again"
                    )
                    raise OrderOutcomeUnknown(message, order_hash, path, body) from error
                after_unknown, attempt = True, attempt + 1

    def pause_before_resend(self, attempt: int) -> bool:
        """Whether a send left without a clear answer after `attempt` resends goes once more
        (`options["orderResends"]` times at most), having waited `options["orderResendDelay"]` ms, doubled at each
        resend."""
        if attempt >= self.safe_integer(self.options, "orderResends", 3):
            return False
        self.sleep(self.safe_integer(self.options, "orderResendDelay", 500) * 2**attempt)
        return True

    def taken_before(self, path: str, order_hash: str, body: Any) -> Any:
        """What an earlier send of a signed order placed (or of a cancel cancelled), as the exchange would have
        answered it (None if the order is not there, or a cancelled order not cancelled); OrderOutcomeUnknown if
        that cannot be read."""
        try:
            order = self.request("orders/{hash}", "public", "GET", {"hash": order_hash})
            if path == CANCEL_PATH:
                # ORDER_NOT_OPEN to a copy of a cancel is also what an order that filled meanwhile answers
                return order if self.safe_string(order, "status") == "cancelled" else None
            if path == "orders/replace":
                old = self.request("orders/{hash}", "public", "GET", {"hash": body["cancel"]["orderHash"]})
                return {"cancelled": old, "order": order}
            return order
        except OrderNotFound:
            return None
        except NetworkError as error:
            message = f"{self.id} order {order_hash} may or may not stand ({error}): fetch_order it"
            raise OrderOutcomeUnknown(message, order_hash, path, body) from error

    def signed_order_body(
        self, market: Any, type: str, side: str, amount: Any, price: Any, params: Any
    ) -> tuple[str, Any]:
        """(the order's hash, the `POST /v1/orders` body of the order (see the module docs), signed by
        `privateKey`)."""
        symbol = market["symbol"]
        if type not in ("limit", "market"):
            raise InvalidOrder(f"{self.id} createOrder() type must be limit or market (stops: params triggerPrice)")
        if side not in ("buy", "sell"):
            raise InvalidOrder(f"{self.id} createOrder() side must be buy or sell")
        unsupported = [key for key in UNSUPPORTED_ORDER_PARAMS if params.get(key) not in (None, False)]
        if unsupported:
            raise NotSupported(f"{self.id} createOrder() has no order for params {', '.join(unsupported)}")
        trigger = self.trigger_price_of(params)
        direction = self.safe_string(params, "triggerDirection")
        if trigger is not None and direction is not None and direction not in STOP_DIRECTIONS[side]:
            raise NotSupported(
                f"{self.id} createOrder() a {side} stop fires as the price goes {STOP_DIRECTIONS[side][0]}, "
                f"not {direction}"
            )
        kind = type if trigger is None else "stop_" + type
        operator_trigger = self.safe_bool(params, "acceptOperatorTrigger", False)
        if trigger is not None and market["info"].get("priceSource") is None and not operator_trigger:
            raise InvalidOrder(
                f"{self.id} {symbol} has no on-chain price source to check stop triggers: pass params "
                "acceptOperatorTrigger=True to let HDEX decide when the stop fires"
            )
        time_in_force = self.safe_string_upper(params, "timeInForce")
        post_only = self.is_post_only(type == "market", time_in_force == "PO", params)
        if time_in_force == "PO":
            time_in_force = None
        if price is None:
            if type == "limit":
                raise ArgumentsRequired(f"{self.id} createOrder() needs a price for a limit order")
            price = self.worst_market_price(market, side, trigger)
        flags = KIND_FLAGS[kind] | (FLAG_POST_ONLY if post_only else 0)
        flags |= FLAG_FILL_OR_KILL if time_in_force == "FOK" else 0
        flags |= FLAG_OPERATOR_TRIGGER if trigger is not None and operator_trigger else 0
        # a stop-market waits for its trigger as a resting order does; its IOC applies once it triggered
        immediate = time_in_force in ("IOC", "FOK") or kind == "market"
        options = self.options
        expiry = self.safe_integer(
            params, "expiry", self.seconds() + (options["immediateExpiry"] if immediate else options["orderExpiry"])
        )
        base_decimals, _ = self.decimals_of(market)
        info = market["info"]
        maker = self.signer_address()
        order = {
            "maker": maker,
            "baseToken": info["baseToken"]["address"],
            "quoteToken": info["quoteToken"]["address"],
            "side": 0 if side == "buy" else 1,
            "baseAmount": int(self.to_base_units(self.amount_to_precision(symbol, amount), base_decimals, "amount")),
            "limitPrice": int(self.price_to_units(self.limit_price_to_precision(market, side, price), market)),
            "triggerPrice": 0
            if trigger is None
            else int(self.price_to_units(self.price_to_precision(symbol, trigger), market)),
            "maxFeeRate": max(int(info["makerFeeRate"]), int(info["takerFeeRate"])),
            "nonce": self.next_nonce(maker) if params.get("nonce") is None else int(params["nonce"]),
            "expiry": expiry,
            "flags": flags,
        }
        order_hash, signature = self.sign_typed_data("Order", order)
        body: dict[str, Any] = {"order": {key: str(value) for key, value in order.items()}, "signature": signature}
        if time_in_force is not None:
            body["timeInForce"] = time_in_force
        client_order_id = self.safe_string_2(params, "clientOrderId", "newClientOrderId")
        if client_order_id is not None:
            body["clientOrderId"] = client_order_id
        return order_hash, body

    def trigger_price_of(self, params: Any) -> Any:
        """A stop's trigger: ccxt's triggerPrice (stopPrice), or stopLossPrice, the stop HDEX's stops are."""
        return self.safe_string_n(params, ["triggerPrice", "stopPrice", "stopLossPrice"])

    def limit_price_to_precision(self, market: Any, side: str, price: Any) -> str:
        """`price` on the market's tick, in the wallet's favour (ccxt's `price_to_precision` takes the nearest): a
        buy's limit down, a sell's up, so that the signed limit is never worse than the one asked for."""
        tick = self.number_to_string(market["precision"]["price"])
        asked = self.number_to_string(price)
        down = str(self.decimal_to_precision(asked, TRUNCATE, tick, TICK_SIZE, NO_PADDING))
        return down if side == "buy" or Precise.string_eq(down, asked) else str(Precise.string_add(down, tick))

    def worst_market_price(self, market: Any, side: str, trigger: Any) -> str:
        """A market order's signed worst price: from its trigger (a stop) or the best opposite price, moved by
        the slippage the options allow."""
        reference = trigger
        if reference is None:
            ticker = self.fetch_ticker(market["symbol"])
            reference = self.safe_string(ticker, "ask" if side == "buy" else "bid")
        if reference is None:
            raise InvalidOrder(f"{self.id} {market['symbol']} has no {'ask' if side == 'buy' else 'bid'}: give a price")
        slippage = self.safe_string(self.options, "marketSlippage")
        factor = Precise.string_add("1", slippage) if side == "buy" else Precise.string_sub("1", slippage)
        return str(Precise.string_mul(reference, factor))

    def cancel_order(self, id: str, symbol: Any = None, params: Any = {}) -> Any:
        """Cancel order `id` with the wallet's signature; one left without a clear answer is sent again as signed
        (see `send_signed_order`): a cancel that applied before its answer was lost answers the cancelled order."""
        self.load_markets()
        _, signature = self.sign_typed_data("Cancel", {"maker": self.signer_address(), "orderHash": id})
        request = self.extend({"hash": id, "signature": signature}, params)
        return self.parse_order(self.send_signed_order(CANCEL_PATH, id, request))

    def cancel_all_orders(self, symbol: Any = None, params: Any = {}) -> Any:
        self.load_markets()
        market = None if symbol is None else self.market(symbol)
        market_id = None if market is None else market["id"]
        response = self.send_signed_scope("orders/cancel", "HDEX cancel-all|" + (market_id or "*"), market_id, params)
        # the answer is the hashes alone: each order's market is known when one market was cancelled (safe_order
        # does not take it from `market`), else left unknown rather than guessed. Orders a halted market kept open
        # (a cancel of all markets only) come back with status open, not dropped: they still hold funds and trade.
        symbol = None if market is None else market["symbol"]
        return [
            self.safe_order({"id": h, "symbol": symbol, "status": status, "info": {"hash": h}}, market)
            for key, status in (("cancelled", "canceled"), ("kept", "open"))
            for h in self.safe_list(response, key, [])
        ]

    def cancel_all_orders_after(self, timeout: Any, params: Any = {}) -> Any:
        """A dead-man switch: unless called again within `timeout` milliseconds (5 s to a day), every open order
        of the wallet (in `params["symbol"]`'s market only, if given) is cancelled; 0 turns it off. Returns the
        answer: `deadline`, epoch ms (None when off)."""
        self.load_markets()
        symbol = self.safe_string(params, "symbol")
        market_id = None if symbol is None else self.market(symbol)["id"]
        timeout_ms = str(int(timeout))
        scope = "HDEX cancel-after|" + (market_id or "*") + "|" + timeout_ms
        extra = self.extend({"timeoutMs": timeout_ms}, self.omit(params, "symbol"))
        return self.send_signed_scope("orders/cancel-after", scope, market_id, extra)

    def send_signed_scope(self, path: str, scope: str, market_id: Any, params: Any) -> Any:
        """POST a bulk cancel (`orders/cancel`) or a cancel-after (`orders/cancel-after`) for `scope`, signed
        under a fresh timestamp. One left without a clear answer (no answer, a 5xx) is signed anew and sent again,
        `options["orderResends"]` times at most: HDEX takes a signed timestamp once (a copy is refused
        CANCEL_EXPIRED), and doing either again does what the first would have (cancels what is open, sets the
        same deadline from now); a bulk cancel's answer then names what the last send cancelled. Still without an
        answer: the last error is raised."""
        attempt = 0
        while True:
            request = self.extend(self.signed_scope_request(scope, market_id), params)
            try:
                return self.request(path, "private", "POST", request)
            except NetworkError as error:
                if isinstance(error, (RateLimitExceeded, DDoSProtection)) or not self.pause_before_resend(attempt):
                    raise  # a definite refusal (rate limited, the engine's queue full), or no answer in the end
                attempt += 1

    def signed_scope_request(self, scope: str, market_id: Any) -> Any:
        """A bulk cancel's or a cancel-after's body: the wallet's Cancel signature over the keccak of `scope` and
        a millisecond timestamp (HDEX takes each once: one later than any this instance signed before)."""
        timestamp_ms = max(self.milliseconds(), self.safe_integer(self.options, "lastScopeTimestamp", 0) + 1)
        self.options["lastScopeTimestamp"] = timestamp_ms
        timestamp = str(timestamp_ms)
        maker = self.signer_address()
        scope_hash = "0x" + self.hash(self.encode(scope + "|" + timestamp), "keccak", "hex")
        _, signature = self.sign_typed_data("Cancel", {"maker": maker, "orderHash": scope_hash})
        return {"maker": maker, "market": market_id, "timestamp": timestamp, "signature": signature}

    def fetch_order(self, id: Any, symbol: Any = None, params: Any = {}) -> Any:
        """The order by its hash, or by the wallet's `params["clientOrderId"]` (then `id` may be None)."""
        self.load_markets()
        client_order_id = self.safe_string(params, "clientOrderId")
        if client_order_id is not None:
            request = {"address": self.signer_address(), "clientOrderId": client_order_id}
            path = "accounts/{address}/orders/by-client-id/{clientOrderId}"
            return self.parse_order(self.request(path, "private", "GET", self.extend(request, params)))
        return self.parse_order(self.request("orders/{hash}", "public", "GET", self.extend({"hash": id}, params)))

    def fetch_open_orders(self, symbol: Any = None, since: Any = None, limit: Any = None, params: Any = {}) -> Any:
        return self.fetch_orders_with_status("open", symbol, since, limit, params)

    def fetch_closed_orders(self, symbol: Any = None, since: Any = None, limit: Any = None, params: Any = {}) -> Any:
        return self.fetch_orders_with_status("closed", symbol, since, limit, params)

    def fetch_orders_with_status(self, status: str, symbol: Any, since: Any, limit: Any, params: Any) -> Any:
        self.load_markets()
        market = None if symbol is None else self.market(symbol)
        request: dict[str, Any] = {"address": self.signer_address(), "status": status}
        if market is not None:
            request["market"] = market["id"]
        orders = self.fetch_since(
            "accounts/{address}/orders", "private", "orders", "createdAt", request, since, limit, params,
            everything=status == "open",  # every open order, as ccxt's callers expect
        )  # fmt: skip
        return self.parse_orders(orders, market, since, limit)

    def traded_for(self, order: Any, quote_decimals: int) -> Any:
        quote = self.safe_string(order, "filledQuote")
        return None if quote is None else self.from_base_units(quote, quote_decimals)

    def parse_order(self, order: Any, market: Any = None) -> Any:
        market = self.safe_market(self.safe_string(order, "market"), market)
        signed = order["order"]
        base_decimals, quote_decimals = self.decimals_of(market)
        kind = int(signed["flags"]) & 3
        trigger = None if kind < 2 else self.price_from_units(signed["triggerPrice"], market)
        time_in_force = self.safe_string(order, "timeInForce")
        return self.safe_order(
            {
                "id": self.safe_string(order, "hash"),
                "clientOrderId": self.safe_string(order, "clientOrderId"),
                "timestamp": self.safe_integer(order, "createdAt"),
                "datetime": self.iso8601(self.safe_integer(order, "createdAt")),
                "lastTradeTimestamp": None,
                "lastUpdateTimestamp": self.safe_integer(order, "updatedAt"),
                "symbol": market["symbol"],
                "type": "market" if kind in (1, 3) else "limit",
                "timeInForce": "PO" if time_in_force == "POST_ONLY" else time_in_force,
                "postOnly": time_in_force == "POST_ONLY",
                "side": self.safe_string(order, "side"),
                # a market kind's limitPrice is the worst it accepts, not what it traded at (`info` has it)
                "price": None if kind in (1, 3) else self.price_from_units(signed["limitPrice"], market),
                "triggerPrice": trigger,
                "amount": self.from_base_units(signed["baseAmount"], base_decimals),
                "filled": self.from_base_units(order["filled"], base_decimals),
                # what never filled, whatever the status (a cancelled order's too: amount = filled + remaining)
                "remaining": self.from_base_units(self.safe_string_2(order, "unfilled", "remaining"), base_decimals),
                # what its fills traded for (ccxt works the average price out of it), never the limit price times
                # the amount: every fill is at the maker's price (a server before filledQuote: ccxt's own guess)
                "cost": self.traded_for(order, quote_decimals),
                "status": self.safe_string(ORDER_STATUSES, self.safe_string(order, "status")),
                "fee": None,
                "trades": None,
                "info": order,
            },
            market,
        )
