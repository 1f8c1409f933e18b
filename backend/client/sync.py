"""`HdexClient`: the synchronous client (httpx). Its async twin is `backend.client.aio`."""

from __future__ import annotations

from typing import Any

import httpx

from backend.client.core import ClientMarket, Signer, raise_for_error


class HdexClient:
    """One wallet's session with the API: `HdexClient(url, private_key)`; without a key, read-only."""

    def __init__(self, base_url: str, private_key: str | None = None, timeout: float = 10.0) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout)
        self._key = private_key
        self._signer: Signer | None = None
        self.markets: dict[str, ClientMarket] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HdexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        body = response.json()
        raise_for_error(response.status_code, body, response.headers)
        return body

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            if self._key is None:
                raise ValueError("this client has no private key: it can only read")
            self._signer = Signer(self._key, Signer.domain_from_json(self._call("GET", "/v1/eip712")))
        return self._signer

    @property
    def address(self) -> str:
        return self.signer.address

    def load_markets(self) -> dict[str, ClientMarket]:
        """Every market by name (kept in `self.markets`)."""
        self.markets = {m["name"]: ClientMarket.from_json(m) for m in self._call("GET", "/v1/markets")["markets"]}
        return self.markets

    def market(self, name: str) -> ClientMarket:
        if name not in self.markets:
            self.load_markets()
        return self.markets[name]

    def place_order(self, market: str, side: str, amount: int, price: int, **options: Any) -> dict[str, Any]:
        """Sign and place an order (options: kind, post_only, trigger_price, time_in_force, expiry, nonce)."""
        _, body = self.signer.order_body(self.market(market), side, amount, price, **options)
        result: dict[str, Any] = self._call("POST", "/v1/orders", json=body)
        return result

    def cancel_order(self, order_hash: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            "DELETE", f"/v1/orders/{order_hash}", json=self.signer.cancel_body(order_hash)
        )
        return result

    def cancel_all(self, market: str | None = None) -> list[str]:
        """Cancel every open order of this wallet (in `market`, or all); returns their hashes."""
        cancelled: list[str] = self._call("POST", "/v1/orders/cancel", json=self.signer.cancel_all_body(market))[
            "cancelled"
        ]
        return cancelled

    def order(self, order_hash: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/orders/{order_hash}")
        return result

    def open_orders(self, market: str | None = None) -> list[dict[str, Any]]:
        params = {"status": "open", **({"market": market} if market else {})}
        orders: list[dict[str, Any]] = self._call("GET", f"/v1/accounts/{self.address}/orders", params=params)["orders"]
        return orders

    def fills(self, market: str | None = None) -> list[dict[str, Any]]:
        params = {"market": market} if market else {}
        fills: list[dict[str, Any]] = self._call("GET", f"/v1/accounts/{self.address}/fills", params=params)["fills"]
        return fills

    def balances(self, address: str | None = None) -> dict[str, dict[str, int]]:
        """token -> {balance, available, reserved, pendingDeposits, pendingWithdrawals} as ints."""
        body = self._call("GET", f"/v1/accounts/{address or self.address}/balances")
        return {b["token"]: {k: int(v) for k, v in b.items() if k != "token"} for b in body["balances"]}

    def book(self, market: str, depth: int = 50) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/markets/{market}/book", params={"depth": depth})
        return result

    def ticker(self, market: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/v1/markets/{market}/ticker")
        return result

    def trades(self, market: str, limit: int = 100) -> list[dict[str, Any]]:
        trades: list[dict[str, Any]] = self._call("GET", f"/v1/markets/{market}/trades", params={"limit": limit})[
            "trades"
        ]
        return trades
