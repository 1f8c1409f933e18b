"""Whole reference units become base units rounded down (a limit never grows by rounding); amounts read as
people read them; each level's limits come from settings, a staff override takes a limit's place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.limits.service import order_notional
from backend.limits.tiers import Overrides, TierLimits, next_level, tier_limits
from backend.limits.units import human, whole_to_base
from backend.limits.valuation import PriceBook
from backend.settings import SettingsError, load_settings

from .test_valuation import USDC, WETH, WETH_USDC


@pytest.mark.parametrize(
    ("text", "decimals", "base"),
    [("1000", 6, 1_000_000_000), ("0.5", 6, 500_000), ("1.1234567", 6, 1_123_456), ("7", 0, 7), ("0.9", 0, 0)],
)
def test_whole_units_become_base_units_rounded_down(text: str, decimals: int, base: int) -> None:
    assert whole_to_base(text, decimals) == base


@pytest.mark.parametrize(
    ("amount", "decimals", "text"),
    [(1_000_000_000, 6, "1,000.00"), (123_456, 6, "0.123456"), (1_500_000, 6, "1.50"), (5, 0, "5"), (15, 1, "1.5")],
)
def test_amounts_read_as_people_read_them_exactly(amount: int, decimals: int, text: str) -> None:
    assert human(amount, decimals) == text


def test_the_default_levels_are_the_documented_ones_in_base_units() -> None:
    settings = load_settings(_env_file=None)
    assert [tier_limits(settings, level, 6) for level in (0, 1, 2)] == [
        TierLimits(1_000 * 10**6, 5_000 * 10**6, 1_000 * 10**6),
        TierLimits(20_000 * 10**6, 100_000 * 10**6, 20_000 * 10**6),
        TierLimits(250_000 * 10**6, 2_000_000 * 10**6, 250_000 * 10**6),
    ]
    assert (settings.limits_reference_symbol, next_level(0), next_level(2)) == ("USDC", 1, None)


def test_an_override_takes_only_its_own_limits_place() -> None:
    tier = TierLimits(10, 50, 10)
    overrides = Overrides(withdrawal_daily=1, max_order_notional=99)
    assert overrides.applied_to(tier) == TierLimits(1, 50, 99)
    assert overrides.overridden == ["withdrawalDaily", "maxOrderNotional"]
    assert not Overrides() and Overrides().applied_to(tier) == tier


TIERS = {str(level): {"withdrawalDaily": "1", "withdrawal30d": "2.5", "maxOrderNotional": 3} for level in (0, 1, 2)}


def test_limits_come_from_a_json_file_named_by_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "limits.json"
    path.write_text(json.dumps({"tiers": TIERS, "fixedPrices": {"WETH": "3000000000"}}))
    settings = load_settings(_env_file=None, limits_file=path)
    assert tier_limits(settings, 1, 6) == TierLimits(1_000_000, 2_500_000, 3_000_000)
    assert settings.limits_fixed_prices == {"WETH": 3_000_000_000}


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"tiers": {"0": TIERS["0"]}}, "levels 0, 1 and 2"),
        ({"tiers": {**TIERS, "0": {**TIERS["0"], "withdrawalDaily": 1.5}}}, "valid string"),
        ({"tiers": {**TIERS, "0": {**TIERS["0"], "withdrawalDaily": "-1"}}}, "pattern"),
        ({"fixedPrices": {"WETH": 0}}, "greater than 0"),
        ({"limits": {}}, "expected"),
    ],
)
def test_a_limits_file_that_breaks_a_rule_is_refused_at_start_with_its_setting_named(
    tmp_path: Path, document: dict[str, object], problem: str
) -> None:
    path = tmp_path / "limits.json"
    path.write_text(json.dumps(document))
    with pytest.raises(SettingsError, match="HDEX_LIMITS_FILE") as refused:
        load_settings(_env_file=None, limits_file=path)
    assert problem in str(refused.value)


def test_limits_that_miss_a_level_are_refused_by_name() -> None:
    with pytest.raises(SettingsError, match=r"HDEX_LIMITS_TIERS: .*levels 0, 1 and 2"):
        load_settings(_env_file=None, limits_tiers={"0": TIERS["0"]})


def test_an_orders_notional_is_the_larger_of_its_legs_as_far_as_they_can_be_valued() -> None:
    unpriced = PriceBook([WETH_USDC], {}.get, "USDC", {})
    priced = PriceBook([WETH_USDC], {"WETH-USDC": 3_000 * 10**6}.get, "USDC", {})
    # a sell at a worst price of 1 USDC is worth what its WETH is worth, once WETH has a price
    assert order_notional(unpriced, WETH, USDC, 10**18, 10**6) == 10**6
    assert order_notional(priced, WETH, USDC, 10**18, 10**6) == 3_000 * 10**6
    assert order_notional(priced, WETH, USDC, 10**18, 4_000 * 10**6) == 4_000 * 10**6
    unlisted = PriceBook([WETH_USDC], {}.get, "DAI", {})
    assert order_notional(unlisted, WETH, USDC, 10**18, 10**6) is None
