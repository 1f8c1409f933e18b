"""Pre-trade checks against a real engine and account book: each failure has its code, in order."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from eth_account import Account

from backend.chain.devkeys import DEV_KEYS
from backend.engine import Engine, MarketState, OrderType, PlaceOrder, SetMarketState, Side, TimeInForce
from backend.errors import HdexError
from backend.signing import Domain, Order, order_digest, sign_digest
from backend.trading.rules.accounts import AccountBook, checksum
from backend.trading.rules.checks import ENGINE_ERRORS, Limits, check_placement, engine_error
from backend.trading.rules.markets import Market, PriceSource
from backend.trading.rules.nonces import UsedNonces
from backend.trading.rules.orders import OrderRequest
from backend.trading.rules.risk import RISK_OFF, Halt
from backend.trading.rules.risk_desk import RiskDesk

DOMAIN = Domain(31337, "0x" + "e1" * 20)
BASE, QUOTE = "0x" + "0a" * 20, "0x" + "0b" * 20
MAKER = Account.from_key(DEV_KEYS[5]).address
NOW_MS = 1_800_000_000_000
MARKET = Market("WETH-USDC", checksum(BASE), checksum(QUOTE), "WETH", "USDC", 18, 6, 10**4, 10**15, 10**7,
                1_000, 2_000, MarketState.OPEN)  # fmt: skip


def setup() -> tuple[Engine, AccountBook]:
    engine = Engine()
    engine.apply(MARKET.engine_command(0))
    accounts = AccountBook()
    accounts.set_wallet_balances(MAKER, {checksum(QUOTE): 10**12, checksum(BASE): 10**20})
    return engine, accounts


FEED = PriceSource("0x" + "fe" * 20, 3_600)


def signed(key: int = 5, *, time_in_force: TimeInForce | None = None, **changes: Any) -> OrderRequest:
    values: dict[str, Any] = dict(maker=MAKER.lower(), baseToken=BASE, quoteToken=QUOTE, side=0, baseAmount=10**18,
                                  limitPrice=3 * 10**9, triggerPrice=0, maxFeeRate=2_000, nonce=5,
                                  expiry=NOW_MS // 1000 + 60, flags=0)  # fmt: skip
    values.update(changes)
    order = Order(**values)
    signature = sign_digest(bytes.fromhex(DEV_KEYS[key][2:]), order_digest(DOMAIN, order))
    return OrderRequest(order, signature, time_in_force)


def check(
    request: OrderRequest,
    engine: Engine,
    accounts: AccountBook,
    known: dict[str, int] | None = None,
    price_sources: dict[str, PriceSource | None] | None = None,
    nonces: UsedNonces | None = None,
    risk: RiskDesk | None = None,
) -> Any:
    if nonces is None:
        nonces = UsedNonces()
        nonces.load(MAKER, [])
    return check_placement(
        request, domain=DOMAIN, markets={(BASE, QUOTE): MARKET}, engine=engine, accounts=accounts,
        known_hashes=known or {}, now_ms=NOW_MS,
        limits=Limits(max_open_orders=2, immediate_order_max_expiry_s=60, settlement_margin_s=10),
        price_sources={MARKET.name: FEED} if price_sources is None else price_sources, nonces=nonces, risk=risk,
    )  # fmt: skip


def code_of(request: OrderRequest, engine: Engine, accounts: AccountBook, **kwargs: Any) -> str:
    with pytest.raises(HdexError) as error:
        check(request, engine, accounts, **kwargs)
    return str(error.value.code)


def test_a_good_order_passes_with_its_hold_and_engine_command() -> None:
    engine, accounts = setup()
    placement = check(signed(), engine, accounts)
    assert placement.hold == 3 * 10**9 and placement.token == checksum(QUOTE)
    assert placement.command.expires_at == (NOW_MS // 1000 + 60 - 10 + 1) * 1000  # 10 s to settle before expiry
    assert placement.order_hash == "0x" + order_digest(DOMAIN, signed().order).hex()


def test_each_check_refuses_with_its_code() -> None:
    engine, accounts = setup()
    assert code_of(signed(key=6), engine, accounts) == "SIGNER_NOT_MAKER"
    assert code_of(signed(expiry=NOW_MS // 1000 - 1), engine, accounts) == "ORDER_EXPIRED"
    # not expired yet, but too soon for a trade of it to be mined before its expiry
    assert code_of(signed(expiry=NOW_MS // 1000 + 9), engine, accounts) == "ORDER_EXPIRED"
    just_in_time = check(signed(expiry=NOW_MS // 1000 + 10), engine, accounts)
    assert just_in_time.command.expires_at == (NOW_MS // 1000 + 1) * 1000
    accounts.nonce_floors[MAKER] = 6
    assert code_of(signed(), engine, accounts) == "NONCE_BELOW_FLOOR"
    accounts.nonce_floors.clear()
    accounts.frozen = frozenset({MAKER.lower()})  # deny-listed by compliance
    assert code_of(signed(), engine, accounts) == "ADDRESS_BLOCKED"
    accounts.frozen = frozenset()
    assert code_of(signed(flags=32), engine, accounts) == "UNKNOWN_FLAGS"
    assert code_of(signed(limitPrice=3 * 10**9 + 1), engine, accounts) == "PRICE_OFF_TICK"
    assert code_of(signed(flags=2), engine, accounts) == "INVALID_TRIGGER_PRICE"  # stop without trigger
    assert code_of(signed(maxFeeRate=1_999), engine, accounts) == "MAX_FEE_TOO_LOW"
    assert check(signed(maxFeeRate=1_000, flags=4), engine, accounts)  # post-only pays the maker fee only
    assert code_of(signed(baseAmount=10**21), engine, accounts) == "INSUFFICIENT_BALANCE"
    known = {check(signed(), engine, accounts).order_hash: 0}
    assert code_of(signed(), engine, accounts, known=known) == "DUPLICATE_ORDER"
    accounts.open_orders[MAKER] = 2
    assert code_of(signed(), engine, accounts) == "TOO_MANY_OPEN_ORDERS"
    engine.apply(SetMarketState(MARKET.name, MarketState.HALTED))
    assert code_of(signed(), engine, accounts) == "MARKET_HALTED"


def test_holds_lower_what_is_available() -> None:
    engine, accounts = setup()
    accounts.hold(MAKER, checksum(QUOTE), 10**12 - 2 * 10**9)
    assert code_of(signed(), engine, accounts) == "INSUFFICIENT_BALANCE"
    accounts.release(MAKER, checksum(QUOTE), 10**9)
    assert check(signed(), engine, accounts)
    assert accounts.take_dirty() == {(MAKER, checksum(QUOTE)): 10**12 - 3 * 10**9}


def test_every_engine_refusal_says_what_to_send_instead_of_the_engines_code() -> None:
    order = signed().order
    for code in ENGINE_ERRORS:
        for error in (engine_error(code), engine_error(code, MARKET, order)):
            assert code.value not in error.message, code
            assert error.field is not None, code


def test_an_order_that_crosses_the_book_outside_the_band_is_told_the_range_it_may_send() -> None:
    engine, accounts = setup()
    for order_id, account, side in (("bid", "alice", Side.BUY), ("ask", "bob", Side.SELL)):  # a trade at 3,000
        engine.apply(PlaceOrder(order_id, account, MARKET.name, side, OrderType.LIMIT, 3 * 10**9, 10**18))
    engine.apply(PlaceOrder("ask2", "bob", MARKET.name, Side.SELL, OrderType.LIMIT, 3_100 * 10**6, 10**18))
    desk = RiskDesk(replace(RISK_OFF, band_bps=1_000), lambda: NOW_MS)
    desk.define(MARKET.name, None, engine.last_trade_price(MARKET.name))
    with pytest.raises(HdexError, match="send a limitPrice from 2700000000 to 3300000000") as refused:
        check(signed(limitPrice=4 * 10**9), engine, accounts, risk=desk)
    assert refused.value.code == "PRICE_OUTSIDE_BAND" and "1000 bps (10%)" in refused.value.message
    assert "reference price 3000000000" in refused.value.message
    assert check(signed(limitPrice=3_300 * 10**6), engine, accounts, risk=desk)  # crosses, at the band's edge
    assert check(signed(limitPrice=2 * 10**9), engine, accounts, risk=desk)  # rests below the book: a maker
    stop_loss = signed(side=1, limitPrice=2 * 10**9, triggerPrice=2_900 * 10**6, flags=2)  # takes once triggered
    assert code_of(stop_loss, engine, accounts, risk=desk) == "PRICE_OUTSIDE_BAND"
    assert check(signed(side=1, limitPrice=2_700 * 10**6, triggerPrice=2_900 * 10**6, flags=2), engine, accounts,
                 risk=desk)  # fmt: skip


def test_a_risk_halt_refuses_orders_with_why_and_until_when() -> None:
    engine, accounts = setup()
    desk = RiskDesk(RISK_OFF, lambda: NOW_MS)
    desk.define(MARKET.name, None, None)
    desk.halt(Halt(MARKET.name, "breaker", "moved 12%", 100, 112, NOW_MS, NOW_MS + 1))
    engine.apply(SetMarketState(MARKET.name, MarketState.CANCEL_ONLY))
    with pytest.raises(HdexError, match=f"until {NOW_MS + 1}") as refused:
        check(signed(), engine, accounts, risk=desk)
    assert refused.value.code == "MARKET_CIRCUIT_BREAKER" and "moved 12%" in refused.value.message
    engine.apply(SetMarketState(MARKET.name, MarketState.HALTED))  # staff halted it too: their state says
    assert code_of(signed(), engine, accounts, risk=desk) == "MARKET_HALTED"


def test_market_and_account_limits_refuse_with_their_codes() -> None:
    engine, accounts = setup()
    desk = RiskDesk(RISK_OFF, lambda: NOW_MS)
    desk.define(MARKET.name, {"max_order_base": 10**18, "max_order_notional": 3 * 10**9, "max_open_notional":
                              5 * 10**9}, None)  # fmt: skip
    assert code_of(signed(baseAmount=10**18 + 10**15), engine, accounts, risk=desk) == "ORDER_SIZE_LIMIT_EXCEEDED"
    assert code_of(signed(limitPrice=3 * 10**9 + 10**4), engine, accounts, risk=desk) == (
        "MARKET_NOTIONAL_LIMIT_EXCEEDED"
    )
    desk.opened(MAKER, MARKET.name, 10**18, 2 * 10**9)  # 2,000 open: 3,000 more passes, a cent more does not
    assert check(signed(), engine, accounts, risk=desk)
    desk.opened(MAKER, MARKET.name, 10**15, 10**4)
    assert code_of(signed(), engine, accounts, risk=desk) == "OPEN_NOTIONAL_LIMIT_EXCEEDED"
