"""`hdex market`: add, list, halt and resume markets. The running engine follows within a second."""

from __future__ import annotations

import sys

import click

from backend.audit_log import cli_actor
from backend.cli.context import database_container
from backend.engine import MarketState
from backend.errors import HdexError
from backend.trading.rules.markets import Market
from backend.trading.store.markets import MarketError, add_market, load_markets
from backend.trading.usecases.market_state import change_market_state


@click.group("market")
def market_group() -> None:
    """Markets: prices in quote base units per 1e18 base base-units, amounts in base units."""


@market_group.command("add")
@click.argument("name")
@click.option("--base", "base_token", required=True, help="base token address")
@click.option("--quote", "quote_token", required=True, help="quote token address")
@click.option("--base-symbol", required=True)
@click.option("--quote-symbol", required=True)
@click.option("--base-decimals", type=click.IntRange(0, 36), required=True)
@click.option("--quote-decimals", type=click.IntRange(0, 36), required=True)
@click.option("--tick", type=click.IntRange(min=1), required=True, help="price tick (limitPrice units)")
@click.option("--lot", type=click.IntRange(min=1), required=True, help="quantity lot (base units)")
@click.option("--min-notional", type=click.IntRange(min=0), default=0, help="quote base units")
@click.option("--maker-fee", type=click.IntRange(0, 10_000), required=True, help="millionths")
@click.option("--taker-fee", type=click.IntRange(0, 10_000), required=True, help="millionths")
def add_command(
    name: str,
    base_token: str,
    quote_token: str,
    base_symbol: str,
    quote_symbol: str,
    base_decimals: int,
    quote_decimals: int,
    tick: int,
    lot: int,
    min_notional: int,
    maker_fee: int,
    taker_fee: int,
) -> None:
    """Add market NAME (open). tick * lot must be a multiple of 1e18."""
    market = Market(
        name, base_token, quote_token, base_symbol, quote_symbol, base_decimals, quote_decimals, tick, lot,
        min_notional, maker_fee, taker_fee, MarketState.OPEN,
    )  # fmt: skip
    container = database_container()
    try:
        with container.uow() as uow:
            add_market(uow.session, market)
            uow.commit()
    except (MarketError, ValueError) as exc:
        click.echo(f"hdex market add: {exc}", err=True)
        sys.exit(2)
    click.echo(f"market {name} added")


@market_group.command("list")
def list_command() -> None:
    """One line per market."""
    container = database_container()
    with container.uow() as uow:
        for m in load_markets(uow.session):
            click.echo(
                f"{m.name} {m.state.value} base={m.base_symbol}:{m.base_token} quote={m.quote_symbol}:{m.quote_token} "
                f"tick={m.tick_size} lot={m.lot_size} min_notional={m.min_notional} "
                f"fees={m.maker_fee_rate}/{m.taker_fee_rate}"
            )


def _set_state(name: str, state: MarketState, verb: str) -> None:
    container = database_container()
    try:
        with container.uow() as uow:
            change_market_state(uow.session, name, state, actor=cli_actor())
            uow.commit()
    except HdexError as exc:
        click.echo(f"hdex market {verb}: {exc}", err=True)
        sys.exit(2)
    click.echo(f"market {name} {state.value}")


@market_group.command("halt")
@click.argument("name")
def halt_command(name: str) -> None:
    """Halt NAME: no orders, no cancels, no matching."""
    _set_state(name, MarketState.HALTED, "halt")


@market_group.command("resume")
@click.argument("name")
def resume_command(name: str) -> None:
    """Open NAME again."""
    _set_state(name, MarketState.OPEN, "resume")


@market_group.command("cancel-only")
@click.argument("name")
def cancel_only_command(name: str) -> None:
    """Let NAME take cancels but no new orders."""
    _set_state(name, MarketState.CANCEL_ONLY, "cancel-only")
