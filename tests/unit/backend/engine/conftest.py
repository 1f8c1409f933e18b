"""Fixtures: every engine test that takes `engine` runs once on the fast book and once on the
naive reference book (the shared behaviour suite)."""

from __future__ import annotations

import pytest
from engine_helpers import MARKET
from reference_book import ReferenceBook

from backend.engine import AddMarket, Engine, OrderBook
from backend.engine.orders import BookFactory


@pytest.fixture(params=["fast_book", "reference_book"])
def book_factory(request: pytest.FixtureRequest) -> BookFactory:
    """Each book implementation in turn."""
    return OrderBook if request.param == "fast_book" else ReferenceBook


@pytest.fixture
def engine(book_factory: BookFactory) -> Engine:
    """An engine with one open market, tick 1, lot 1, no minimum notional."""
    engine = Engine(book_factory)
    engine.apply(AddMarket(MARKET, tick_size=1, lot_size=1, min_notional=0))
    return engine
