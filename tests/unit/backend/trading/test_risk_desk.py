"""The host's risk desk: the largest move per market since the host last looked, one volatility alert per
window, halts that lengthen but never shorten, the reference restarting at a halt's price, open notional."""

from __future__ import annotations

from dataclasses import replace

from backend.trading.rules.risk import RISK_OFF, Halt, Move
from backend.trading.rules.risk_desk import RiskDesk

MARKET = "WETH-USDC"
SETTINGS = replace(RISK_OFF, band_bps=2_000, breaker_bps=1_000, alert_bps=500)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now


def desk(last_price: int | None = 1_000) -> tuple[RiskDesk, Clock]:
    clock = Clock()
    risk = RiskDesk(SETTINGS, clock)
    risk.define(MARKET, None, last_price)
    return risk, clock


def test_the_largest_move_since_the_last_look_is_reported_once() -> None:
    risk, _ = desk()
    risk.trade(MARKET, 1_020)
    assert not risk.moved
    risk.trade(MARKET, 1_060)
    risk.trade(MARKET, 1_120)
    risk.trade(MARKET, 1_080)
    assert risk.take_moves() == [(MARKET, Move.BREAKER, 1_000, 1_120)]
    assert risk.take_moves() == []


def test_a_market_that_never_traded_measures_nothing_until_its_first_trade() -> None:
    risk, _ = desk(last_price=None)
    risk.trade(MARKET, 5_000)
    risk.trade(MARKET, 9_000)
    assert risk.take_moves() == [(MARKET, Move.BREAKER, 5_000, 9_000)]


def test_a_volatility_alert_is_due_once_per_window() -> None:
    risk, clock = desk()
    first = risk.alert_window(MARKET)
    assert first == clock.now // (SETTINGS.window_s * 1000)
    assert risk.alert_window(MARKET) is None
    clock.now += SETTINGS.window_s * 1000
    assert risk.alert_window(MARKET) == first + 1


def test_a_halt_lengthens_but_never_shortens_and_its_end_restarts_the_reference() -> None:
    risk, clock = desk()
    long = risk.halt(Halt(MARKET, "feed", "feed off", None, 1_200, clock.now, clock.now + 600_000))
    assert risk.halt(Halt(MARKET, "breaker", "moved", 1_000, 1_150, clock.now, clock.now + 300_000)) is long
    assert risk.due_to_reopen() == []
    clock.now += 600_000
    assert risk.due_to_reopen() == [MARKET]
    assert risk.end_halt(MARKET) is long and risk.halts == {}
    assert risk.reference(MARKET) == 1_200


def test_open_notional_follows_orders_opened_filled_and_closed_per_account_and_market() -> None:
    risk, _ = desk()
    risk.opened("0xa", MARKET, 2 * 10**18, 3_000 * 10**6)
    risk.closed("0xa", MARKET, 10**18, 3_000 * 10**6)  # half filled
    assert risk.open_notional("0xa", MARKET) == 3_000 * 10**6
    assert risk.open_notional("0xb", MARKET) == 0 and risk.open_notional("0xa", "OTHER") == 0
    risk.closed("0xa", MARKET, 10**18, 3_000 * 10**6)
    assert risk.open_notional("0xa", MARKET) == 0 and ("0xa", MARKET) not in risk._open


def test_a_markets_own_settings_replace_the_defaults_and_its_window_follows() -> None:
    risk, _ = desk()
    risk.define(MARKET, {"band_bps": 300, "window_s": 60, "max_order_base": None}, None)
    assert (risk.settings(MARKET).band_bps, risk.settings(MARKET).breaker_bps) == (300, 1_000)
    assert risk.settings("OTHER") == SETTINGS
    assert risk.reference(MARKET) == 1_000  # the reference is kept across a settings change
