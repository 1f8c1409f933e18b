"""Valuation in the reference token: the token itself, a direct market either way round, one hop, a fixed
price (also a floor), nothing; always rounded up, and the largest value where there are several."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from backend.limits.valuation import PriceBook

USDC, WETH, WBTC, DAI, ODD = ("0x" + c * 40 for c in "abcde")
ONE = 10**18  # the price scale: quote base units per 1e18 base base-units
WBTC_IN_WETH = 20 * 10**28  # 1 WBTC (1e8 units) = 20 WETH: per 1e18 WBTC units, 2e11 WETH


@dataclass(frozen=True)
class Listed:
    name: str
    base_token: str
    quote_token: str
    base_symbol: str
    quote_symbol: str
    base_decimals: int
    quote_decimals: int


WETH_USDC = Listed("WETH-USDC", WETH, USDC, "WETH", "USDC", 18, 6)
USDC_DAI = Listed("USDC-DAI", USDC, DAI, "USDC", "DAI", 6, 18)  # the reference as the base: DAI is inverted
WBTC_WETH = Listed("WBTC-WETH", WBTC, WETH, "WBTC", "WETH", 8, 18)


def book(prices: dict[str, int], *markets: Listed, fixed: dict[str, int] | None = None) -> PriceBook:
    return PriceBook(markets, prices.get, "USDC", fixed or {})


def test_the_reference_token_is_worth_its_amount_and_names_its_address_and_decimals() -> None:
    priced = book({}, WETH_USDC)
    assert priced.value(USDC.upper().replace("0X", "0x"), 123) == 123
    assert (priced.reference.token, priced.reference.decimals) == (USDC, 6)


def test_a_token_on_a_market_with_the_reference_is_worth_its_amount_at_the_last_price() -> None:
    assert book({"WETH-USDC": 3_000 * 10**6}, WETH_USDC).value(WETH, 2 * ONE) == 6_000 * 10**6


def test_a_token_quoted_against_the_reference_as_base_is_valued_at_the_inverted_price() -> None:
    # 1 USDC (1e6) = 1 DAI (1e18): 1e18 base units of USDC cost 1e30 DAI units
    priced = book({"USDC-DAI": 10**30}, USDC_DAI)
    assert priced.value(DAI, 5 * 10**18) == 5 * 10**6


def test_an_inverted_value_that_does_not_divide_rounds_up() -> None:
    priced = book({"USDC-DAI": 10**30}, USDC_DAI)
    assert priced.value(DAI, 1) == 1  # a millionth of a millionth of a DAI still counts one USDC base unit
    assert priced.value(DAI, 10**12 + 1) == 2


def test_a_direct_value_that_does_not_divide_rounds_up() -> None:
    priced = book({"WETH-USDC": 3_000 * 10**6}, WETH_USDC)
    assert priced.value(WETH, 1) == 1
    assert priced.value(WETH, ONE // 3) == 1_000 * 10**6  # 999.999999999... rounds up to 1,000


def test_a_token_one_hop_away_is_converted_then_valued() -> None:
    # 1 WBTC = 20 WETH, 1 WETH = 3,000 USDC
    priced = book({"WBTC-WETH": WBTC_IN_WETH, "WETH-USDC": 3_000 * 10**6}, WETH_USDC, WBTC_WETH)
    assert priced.value(WBTC, 10**8) == 60_000 * 10**6


def test_a_hop_to_a_token_without_a_reference_price_gives_no_value() -> None:
    priced = book({"WBTC-WETH": WBTC_IN_WETH}, WETH_USDC, WBTC_WETH)  # WETH-USDC has not traded yet
    assert priced.value(WBTC, 10**8) is None


def test_a_hop_may_end_at_a_token_with_a_fixed_price() -> None:
    priced = book({"WBTC-WETH": WBTC_IN_WETH}, WETH_USDC, WBTC_WETH, fixed={"WETH": 2_500 * 10**6})
    assert priced.value(WBTC, 10**8) == 50_000 * 10**6


def test_a_fixed_price_is_a_floor_under_a_market_price() -> None:
    fixed = {"WETH": 2_500 * 10**6}
    assert book({"WETH-USDC": 3_000 * 10**6}, WETH_USDC, fixed=fixed).value(WETH, ONE) == 3_000 * 10**6
    # a trade printed at 1 USDC on a thin book does not value WETH below the operator's floor
    assert book({"WETH-USDC": 10**6}, WETH_USDC, fixed=fixed).value(WETH, ONE) == 2_500 * 10**6


def test_a_fixed_price_is_a_floor_under_a_hop_and_at_the_hop_s_end() -> None:
    low = {"WBTC-WETH": WBTC_IN_WETH, "WETH-USDC": 10**6}  # WETH printed at 1 USDC: WBTC at 20 USDC
    markets = (WETH_USDC, WBTC_WETH)
    assert book(low, *markets).value(WBTC, 10**8) == 20 * 10**6
    assert book(low, *markets, fixed={"WETH": 2_500 * 10**6}).value(WBTC, 10**8) == 50_000 * 10**6
    assert book(low, *markets, fixed={"WBTC": 60_000 * 10**16}).value(WBTC, 10**8) == 60_000 * 10**6


def test_a_token_without_a_market_is_valued_by_its_fixed_price_given_by_address_or_symbol() -> None:
    by_address = book({}, WETH_USDC, fixed={ODD.upper().replace("0X", "0x"): 2 * 10**6})
    assert by_address.value(ODD, 3 * ONE) == 6 * 10**6
    by_symbol = book({}, WETH_USDC, fixed={"WETH": 3_000 * 10**6})
    assert by_symbol.value(WETH, ONE) == 3_000 * 10**6


def test_a_token_without_a_market_or_fixed_price_cannot_be_valued() -> None:
    assert book({"WETH-USDC": 3_000 * 10**6}, WETH_USDC).value(ODD, 10**18) is None


def test_a_market_that_never_traded_gives_no_value() -> None:
    assert book({}, WETH_USDC).value(WETH, ONE) is None


def test_of_two_paths_the_larger_value_counts() -> None:
    # WBTC reaches USDC through WETH (60,000) and through DAI (61,000): the larger counts
    wbtc_dai = Listed("WBTC-DAI", WBTC, DAI, "WBTC", "DAI", 8, 18)
    prices = {"WBTC-WETH": WBTC_IN_WETH, "WETH-USDC": 3_000 * 10**6, "WBTC-DAI": 61_000 * 10**28, "USDC-DAI": 10**30}
    priced = book(prices, WETH_USDC, WBTC_WETH, wbtc_dai, USDC_DAI)
    assert priced.value(WBTC, 10**8) == 61_000 * 10**6


@pytest.mark.parametrize("markets", [(), (WBTC_WETH,)])
def test_nothing_is_valued_while_no_market_lists_the_reference_token(markets: tuple[Listed, ...]) -> None:
    priced = book({"WBTC-WETH": WBTC_IN_WETH}, *markets, fixed={"WBTC": 1})
    assert (priced.reference.token, priced.reference.decimals) == (None, None)
    assert priced.value(WBTC, 10**8) is None
