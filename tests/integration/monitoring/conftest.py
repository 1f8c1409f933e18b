"""The monitors against a real (SQLite) database and a fake node at the edge: the JSON-RPC answers of a chain
whose balances, head, feeds and failures each test sets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_abi.abi import decode, encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from sqlalchemy.orm import Session, sessionmaker

from backend.chain.jsonrpc import RpcError
from backend.db.models import Fill
from backend.db.session import make_engine
from backend.engine import MarketState
from backend.trading.rules.markets import Market
from backend.trading.store.markets import add_market

EXCHANGE = to_checksum_address("0x" + "e1" * 20)
OPERATOR = to_checksum_address("0x" + "0a" * 20)
WETH = to_checksum_address("0x" + "11" * 20)
USDC = to_checksum_address("0x" + "22" * 20)
FEED = to_checksum_address("0x" + "fe" * 20)
ALICE = to_checksum_address("0x" + "a1" * 20)
CHAIN_NOW = 1_700_000_000  # the head block's time, seconds
NOW_MS = CHAIN_NOW * 1000
PRICE = 2_000 * 10**6  # 2,000 USDC per WETH on the market's grid; the feed's 2,000e8 at 8 decimals

_SELECTORS = {keccak(text=signature)[:4].hex(): signature for signature in (
    "priceFeed(address,address)", "balanceOf(address,address)", "balanceOf(address)", "latestRoundData()",
    "decimals()",
)}  # fmt: skip


class FakeChain:
    """What a node answers the monitors. A list value answers its items in turn (the last one stays)."""

    def __init__(self) -> None:
        self.head = 1_000
        self.eth: dict[str, int] = {OPERATOR: 10**18}
        self.vault: dict[tuple[str, str], int | list[int]] = {}
        self.held: dict[str, int | list[int]] = {}
        self.feeds: dict[tuple[str, str], tuple[str, int]] = {}
        self.rounds: dict[str, tuple[int, int] | Exception] = {}
        self.down = False
        self.calls: list[str] = []

    def __call__(self, method: str, params: list[Any]) -> Any:
        self.calls.append(method)
        if self.down:
            raise RpcError(f"{method}: ConnectError: connection refused")
        if method == "eth_blockNumber":
            return hex(self.head)
        if method == "eth_getBlockByNumber":
            return {"number": hex(self.head), "timestamp": hex(CHAIN_NOW)}
        if method == "eth_getBalance":
            return hex(self.eth.get(params[0], 0) if params[0] != EXCHANGE else 0)
        assert method == "eth_call", method
        to, data = to_checksum_address(params[0]["to"]), bytes.fromhex(params[0]["data"][2:])
        signature = _SELECTORS[data[:4].hex()]
        if signature == "priceFeed(address,address)":
            base, quote = decode(["address", "address"], data[4:])
            feed, max_age = self.feeds.get(
                (to_checksum_address(base), to_checksum_address(quote)), ("0x" + "00" * 20, 0)
            )
            return "0x" + encode(["address", "uint32", "uint8", "uint8"], [feed, max_age, 0, 2]).hex()
        if signature == "balanceOf(address,address)":
            wallet, token = decode(["address", "address"], data[4:])
            return _word(_next(self.vault, (to_checksum_address(wallet), to_checksum_address(token))))
        if signature == "balanceOf(address)":
            return _word(_next(self.held, to))
        answer = self.rounds[to]
        if isinstance(answer, Exception):
            raise answer
        if signature == "decimals()":
            return _word(8)
        value, updated_at = answer
        return "0x" + encode(["uint80", "int256", "uint256", "uint256", "uint80"], [3, value, 0, updated_at, 3]).hex()


def _next(values: dict[Any, int | list[int]], key: Any) -> int:
    value = values.get(key, 0)
    if isinstance(value, list):
        return value.pop(0) if len(value) > 1 else value[0]
    return value


def _word(value: int) -> str:
    return "0x" + encode(["uint256"], [value]).hex()


@pytest.fixture
def chain() -> FakeChain:
    return FakeChain()


@pytest.fixture
def sessions(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(sqlite_url)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def add_weth_usdc(session: Session) -> None:
    add_market(
        session,
        Market("WETH-USDC", WETH, USDC, "WETH", "USDC", 18, 6, 10**4, 10**15, 10 * 10**6, 1_000, 2_000,
               MarketState.OPEN),
    )  # fmt: skip


def add_fill(
    session: Session, fill_id: int, *, price: int = PRICE, status: str = "settled", created_at_ms: int = NOW_MS
) -> None:
    session.add(
        Fill(
            id=fill_id, market="WETH-USDC", maker_order_hash="0x" + "01" * 32, taker_order_hash="0x" + "02" * 32,
            maker=ALICE, taker=OPERATOR, maker_side=1, price=price, base_amount=10**15,
            quote_amount=10**15 * price // 10**18, maker_fee=0, taker_fee=0, status=status, tx_hash=None,
            failure=None, failure_reason=None, released=False, created_at_ms=created_at_ms,
        )
    )  # fmt: skip
    session.flush()
