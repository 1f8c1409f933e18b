"""The signed flags the contract enforces, checked at the door: fill-or-kill, operator-triggered stops, short
expiries for immediate orders, price sources, and one order per (maker, nonce)."""

from __future__ import annotations

import pytest

from backend.engine import TimeInForce
from backend.errors import HdexError
from backend.trading.rules.nonces import UsedNonces, next_nonce
from backend.trading.rules.orders import KNOWN_FLAGS

from .test_checks import FEED, MAKER, MARKET, NOW_MS, check, setup, signed

NOW_S = NOW_MS // 1000
STOP_LIMIT, STOP_MARKET, OPERATOR_TRIGGER = 2, 3, 16
TRIGGER = 3_100_000_000  # a buy stop above the (absent) last trade


def refusal(request: object, **kwargs: object) -> HdexError:
    engine, accounts = setup()
    with pytest.raises(HdexError) as refused:
        check(request, engine, accounts, **kwargs)  # type: ignore[arg-type]
    return refused.value


def accepted(request: object, **kwargs: object) -> object:
    engine, accounts = setup()
    return check(request, engine, accounts, **kwargs)  # type: ignore[arg-type]


def test_the_known_flags_are_the_kind_post_only_fill_or_kill_and_operator_trigger() -> None:
    assert KNOWN_FLAGS == 31
    assert refusal(signed(flags=32)).code == "UNKNOWN_FLAGS"


def test_the_fill_or_kill_flag_makes_the_order_fok_with_or_without_the_requested_time_in_force() -> None:
    assert accepted(signed(flags=8)).command.tif is TimeInForce.FOK  # type: ignore[attr-defined]
    assert accepted(signed(time_in_force=TimeInForce.FOK, flags=8)).command.tif is TimeInForce.FOK  # type: ignore[attr-defined]
    assert accepted(signed(time_in_force=TimeInForce.FOK, flags=9)).command.tif is TimeInForce.FOK  # type: ignore[attr-defined]


def test_time_in_force_fok_without_the_signed_flag_is_refused_naming_the_flag() -> None:
    error = refusal(signed(time_in_force=TimeInForce.FOK))
    assert (error.code, error.field) == ("FILL_OR_KILL_MISMATCH", "order.flags")
    assert "add 8 to flags" in error.message


@pytest.mark.parametrize("requested", [TimeInForce.GTC, TimeInForce.IOC])
def test_the_fill_or_kill_flag_with_another_time_in_force_is_refused(requested: TimeInForce) -> None:
    error = refusal(signed(time_in_force=requested, flags=8))
    assert (error.code, error.field) == ("FILL_OR_KILL_MISMATCH", "timeInForce")
    assert f"send timeInForce FOK or leave it out, not {requested}" in error.message


def test_fill_or_kill_with_post_only_is_refused_and_post_only_alone_still_rests() -> None:
    error = refusal(signed(flags=4 | 8, maxFeeRate=1_000))
    assert (error.code, error.field) == ("FLAGS_CONFLICT", "order.flags")
    assert accepted(signed(flags=4, maxFeeRate=1_000)).command.tif is TimeInForce.POST_ONLY  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("time_in_force", "flags"),
    [(TimeInForce.IOC, 0), (None, 8), (TimeInForce.FOK, 8), (TimeInForce.IOC, 1), (None, 1)],
    ids=["ioc", "fill-or-kill", "fok", "ioc-market", "market"],  # a market order is IOC whether asked or not
)
def test_an_immediate_order_signs_an_expiry_at_most_the_bound_ahead(time_in_force: TimeInForce, flags: int) -> None:
    assert accepted(signed(time_in_force=time_in_force, flags=flags, expiry=NOW_S + 60))
    error = refusal(signed(time_in_force=time_in_force, flags=flags, expiry=NOW_S + 61))
    assert (error.code, error.field) == ("EXPIRY_TOO_LONG", "order.expiry")
    assert f"must expire within 60 s: sign expiry {NOW_S + 60} or earlier" in error.message


def test_orders_that_may_rest_keep_any_expiry() -> None:
    far = NOW_S + 30 * 86_400
    assert accepted(signed(expiry=far))
    assert accepted(signed(time_in_force=TimeInForce.GTC, expiry=far))
    stop_market = {"flags": STOP_MARKET | OPERATOR_TRIGGER, "triggerPrice": TRIGGER}
    assert accepted(signed(**stop_market, expiry=far))  # IOC only once it triggered: it may wait for that


def test_a_stop_market_asking_for_ioc_its_own_time_in_force_keeps_a_long_expiry() -> None:
    far = NOW_S + 30 * 86_400
    placed = accepted(
        signed(time_in_force=TimeInForce.IOC, flags=STOP_MARKET | OPERATOR_TRIGGER, triggerPrice=TRIGGER, expiry=far)
    )
    assert placed.command.tif is TimeInForce.IOC  # type: ignore[attr-defined]


def test_a_post_only_order_asking_for_ioc_rests_with_a_long_expiry_as_the_signed_bit_decides() -> None:
    far = NOW_S + 30 * 86_400
    placed = accepted(signed(time_in_force=TimeInForce.IOC, flags=4, maxFeeRate=1_000, expiry=far))
    assert placed.command.tif is TimeInForce.POST_ONLY  # type: ignore[attr-defined]


def test_a_stop_limit_asking_for_ioc_is_told_its_time_in_force_is_not_allowed_not_its_expiry() -> None:
    far = NOW_S + 30 * 86_400
    error = refusal(signed(time_in_force=TimeInForce.IOC, flags=STOP_LIMIT | OPERATOR_TRIGGER, triggerPrice=TRIGGER,
                           expiry=far))  # fmt: skip
    assert (error.code, error.field) == ("TIF_NOT_ALLOWED", "timeInForce")


def test_operator_trigger_on_a_kind_that_is_no_stop_is_refused() -> None:
    for kind in (0, 1):
        error = refusal(signed(flags=kind | OPERATOR_TRIGGER))
        assert (error.code, error.field) == ("FLAGS_CONFLICT", "order.flags")
        assert "for stop orders only" in error.message


@pytest.mark.parametrize("kind", [STOP_LIMIT, STOP_MARKET])
def test_a_stop_without_operator_trigger_needs_the_markets_price_source(kind: int) -> None:
    order = {"flags": kind, "triggerPrice": TRIGGER}
    error = refusal(signed(**order), price_sources={MARKET.name: None})
    assert (error.code, error.field) == ("STOP_NEEDS_PRICE_SOURCE", "order.flags")
    assert "has no on-chain price source" in error.message
    assert "sign flags bit 4 (add 16) to accept operator-triggered execution" in error.message
    unread = refusal(signed(**order), price_sources={})
    assert unread.code == "STOP_NEEDS_PRICE_SOURCE" and "could not be read from the chain yet" in unread.message
    assert accepted(signed(**order), price_sources={MARKET.name: FEED})
    for sources in ({MARKET.name: None}, {}):
        assert accepted(signed(flags=kind | OPERATOR_TRIGGER, triggerPrice=TRIGGER), price_sources=sources)


def test_a_limit_order_needs_no_price_source() -> None:
    assert accepted(signed(), price_sources={MARKET.name: None})


def test_a_nonce_another_order_of_the_maker_carries_is_refused_with_the_next_free_one() -> None:
    nonces = UsedNonces()
    nonces.load(MAKER, [3, 5, 9])
    error = refusal(signed(nonce=5), nonces=nonces)
    assert (error.code, error.field) == ("NONCE_USED", "order.nonce")
    assert "e.g. 10" in error.message
    assert accepted(signed(nonce=6), nonces=nonces)
    other = UsedNonces()
    other.load("0x" + "12" * 20, [5])  # another maker's nonce 5 is no concern of this one
    other.load(MAKER, [])
    assert accepted(signed(nonce=5), nonces=other)


def test_the_same_order_sent_again_is_a_duplicate_not_a_used_nonce() -> None:
    engine, accounts = setup()
    placement = check(signed(), engine, accounts)
    nonces = UsedNonces()
    nonces.load(MAKER, [signed().order.nonce])
    with pytest.raises(HdexError) as refused:
        check(signed(), engine, accounts, known={placement.order_hash: NOW_S + 60}, nonces=nonces)
    assert refused.value.code == "DUPLICATE_ORDER"


def test_used_nonces_are_kept_per_wallet_in_words_of_256_and_give_the_next_one() -> None:
    nonces = UsedNonces()
    assert not nonces.loaded(MAKER) and not nonces.used(MAKER, 0)
    nonces.load(MAKER, [0, 255, 256, 2**64 - 1])
    assert nonces.loaded(MAKER)
    assert [n for n in (0, 1, 254, 255, 256, 257, 2**64 - 2, 2**64 - 1) if nonces.used(MAKER, n)] == [
        0, 255, 256, 2**64 - 1,
    ]  # fmt: skip
    nonces.load(MAKER, [7])  # a reload replaces what was known
    assert not nonces.used(MAKER, 0) and nonces.highest(MAKER) == 7
    nonces.add(MAKER, 8)
    assert nonces.highest(MAKER) == 8 and nonces.used(MAKER, 8)


@pytest.mark.parametrize(
    ("highest", "floor", "expected"), [(None, 0, 0), (None, 40, 40), (8, 0, 9), (8, 40, 40), (50, 40, 51)]
)
def test_the_next_nonce_is_above_every_used_one_and_at_least_the_floor(
    highest: int | None, floor: int, expected: int
) -> None:
    assert next_nonce(highest, floor, lambda nonce: nonce == highest) == expected


def test_a_wallet_that_used_the_largest_nonce_is_given_its_lowest_unused_one_from_its_floor() -> None:
    nonces = UsedNonces()
    nonces.load(MAKER, [3, 4, 6, 2**64 - 1])
    assert next_nonce(nonces.highest(MAKER), 3, lambda n: nonces.used(MAKER, n)) == 5  # never 2**64: not a uint64
    assert next_nonce(nonces.highest(MAKER), 7, lambda n: nonces.used(MAKER, n)) == 7
    error = refusal(signed(nonce=4), nonces=nonces)
    assert error.code == "NONCE_USED" and "e.g. 0 " in error.message  # the test's floor is 0
