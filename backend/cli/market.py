"""`hdex market`: add, list, halt and resume markets, and show or set their risk settings. The running engine
follows within a second."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import click
from sqlalchemy.orm import Session

from backend.audit_log import cli_actor, record_action
from backend.chain.deployments import NotDeployed, require_exchange
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.cli.addresses import address_option
from backend.cli.context import database_container
from backend.cli.market_tokens import check_market_tokens
from backend.cli.reasons import reason_text
from backend.engine import MarketState
from backend.errors import HdexError
from backend.settings import Settings
from backend.trading.rules.markets import Market
from backend.trading.rules.risk import RISK_FIELDS
from backend.trading.store.markets import MarketError, add_market, load_markets
from backend.trading.store.risk import active_halts, load_market_risk, market_risk_settings
from backend.trading.usecases.market_risk import update_market_risk
from backend.trading.usecases.market_state import change_market_state


@click.group("market")
def market_group() -> None:
    """Markets: prices in quote base units per 1e18 base base-units, amounts in base units."""


@market_group.command("add")
@click.argument("name")
@click.option("--base", "base_token", required=True, callback=address_option, help="base token address")
@click.option("--quote", "quote_token", required=True, callback=address_option, help="quote token address")
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
    """Add market NAME (open). tick * lot must be a multiple of 1e18. With the Exchange deployed and its node
    answering, the tokens' decimals() and symbol() must be those given."""
    market = Market(
        name, base_token, quote_token, base_symbol, quote_symbol, base_decimals, quote_decimals, tick, lot,
        min_notional, maker_fee, taker_fee, MarketState.OPEN,
    )  # fmt: skip
    container = database_container()
    try:
        with container.uow() as uow:
            for warning in _check_on_chain(uow.session, container.settings, market):
                click.echo(f"warning: {warning}", err=True)
            stored = add_market(uow.session, market)
            definition = _definition(stored)
            # a new market and its fees change what the exchange does with money: recorded as a state change is
            record_action(
                uow.session, actor=cli_actor(), action="market.add", target=f"market:{name}", after=definition
            )
            uow.commit()
    except (MarketError, ValueError) as exc:
        click.echo(f"hdex market add: {exc}", err=True)
        sys.exit(2)
    click.echo(f"market {name} added: " + " ".join(f"{key}={value}" for key, value in definition.items()))
    for side, asked, kept in (("maker", maker_fee, stored.maker_fee_rate), ("taker", taker_fee, stored.taker_fee_rate)):
        if kept != asked:
            click.echo(f"--{side}-fee {asked} capped to {kept}: the Exchange's fee schedule charges at most {kept}")


def _check_on_chain(session: Session, settings: Settings, market: Market) -> list[str]:
    """The warnings of `check_market_tokens` (which refuses a wrong token), or why the tokens went unchecked."""
    try:
        exchange = require_exchange(session, settings.chain_id).address
    except NotDeployed:
        return [f"no Exchange recorded for chain {settings.chain_id}: the tokens' symbol and decimals are not checked"]
    reader = JsonRpcClient(settings.effective_rpc_url, timeout=5.0)
    try:
        return check_market_tokens(reader.call, exchange, market)
    except RpcError as exc:
        return [f"the node did not answer ({exc}): the tokens' symbol and decimals are not checked"]
    finally:
        reader.close()


def _definition(market: Market) -> dict[str, str | int]:
    """What `market add` stored (the tokens checksummed), as the audit log keeps it."""
    return {
        "base": f"{market.base_symbol}:{market.base_token}", "quote": f"{market.quote_symbol}:{market.quote_token}",
        "base_decimals": market.base_decimals, "quote_decimals": market.quote_decimals, "tick": market.tick_size,
        "lot": market.lot_size, "min_notional": market.min_notional, "maker_fee": market.maker_fee_rate,
        "taker_fee": market.taker_fee_rate, "state": market.state.value,
    }  # fmt: skip


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


def _set_state(name: str, state: MarketState, verb: str, reason: str) -> None:
    container = database_container()
    try:
        with container.uow() as uow:
            current = next((m.state for m in load_markets(uow.session) if m.name == name), None)
            if current is state:  # nothing changes, so nothing is audit-logged
                click.echo(f"market {name} is already {state.value}: nothing changed")
                return
            change_market_state(uow.session, name, state, actor=cli_actor(), reason=reason)
            uow.commit()
    except HdexError as exc:
        click.echo(f"hdex market {verb}: {exc}", err=True)
        sys.exit(2)
    click.echo(f"market {name} {state.value}")


reason_option = click.option(
    "--reason", required=True, callback=reason_text, help="why (recorded in the audit log, as the back office's)"
)


@market_group.command("halt")
@click.argument("name")
@reason_option
def halt_command(name: str, reason: str) -> None:
    """Halt NAME: no orders, no cancels, no matching."""
    _set_state(name, MarketState.HALTED, "halt", reason)


@market_group.command("resume")
@click.argument("name")
@reason_option
def resume_command(name: str, reason: str) -> None:
    """Open NAME again."""
    _set_state(name, MarketState.OPEN, "resume", reason)


@market_group.command("cancel-only")
@click.argument("name")
@reason_option
def cancel_only_command(name: str, reason: str) -> None:
    """Let NAME take cancels but no new orders."""
    _set_state(name, MarketState.CANCEL_ONLY, "cancel-only", reason)


# market risk (issue 14): bands, circuit breaker, limits; the running engine follows within a sync interval

_RISK_OPTIONS = {  # option -> the setting it sets
    "band_bps": "basis points of the reference an aggressive order may be priced within (0: no band)",
    "breaker_bps": "a trade this far from the reference halts the market (0: off)",
    "alert_bps": "a trade this far from the reference raises a volatility alert (0: off)",
    "window_s": "seconds: the reference is the last trade price this long ago",
    "cooldown_s": "seconds a tripped breaker halts the market",
    "feed_alert_bps": "a price feed this far from the last trade raises an alert (0: off)",
    "feed_halt_bps": "a price feed this far from the last trade halts the market (0: off)",
    "max_order_base": "the largest order, base units",
    "max_order_notional": "the largest order notional, quote base units",
    "max_open_notional": "per account: its open orders' notional in the market, quote base units",
}


@market_group.group("risk")
def risk_group() -> None:
    """A market's price band, circuit breaker and order limits."""


@risk_group.command("show")
@click.argument("name")
def risk_show_command(name: str) -> None:
    """NAME's risk settings (the exchange-wide default where it sets none) and its halt, one per line."""
    container = database_container()
    with container.uow() as uow:
        if name not in {m.name for m in load_markets(uow.session)}:
            click.echo(f"hdex market risk show: no market {name}", err=True)
            sys.exit(2)
        settings = market_risk_settings(uow.session, container.settings, name)
        own = load_market_risk(uow.session).get(name, {})
        halt = active_halts(uow.session, time.time_ns() // 1_000_000).get(name)
    for field in RISK_FIELDS:
        value = getattr(settings, field)
        source = "" if own.get(field) is not None else " (default)"
        click.echo(f"{field}={'none' if value is None else value}{source}")
    if halt is None:
        click.echo("halt=none")
    else:
        until = datetime.fromtimestamp(halt.until_ms / 1000, UTC).isoformat(timespec="milliseconds")
        click.echo(f"halt={halt.kind} until={halt.until_ms} ({until.replace('+00:00', 'Z')}) reason={halt.reason}")


def _risk_value(option: str, value: str) -> int | None:
    if value == "default":
        return None
    if not value.isascii() or not value.isdigit():
        raise click.BadParameter(f"a whole number or 'default', not {value!r}", param_hint=f"--{option}")
    return int(value)


def _risk_options(command: Callable[..., None]) -> Callable[..., None]:
    for field, help_text in reversed(_RISK_OPTIONS.items()):
        command = click.option(f"--{field.replace('_', '-')}", field, default=None, help=help_text)(command)
    return command


@risk_group.command("set")
@click.argument("name")
@reason_option
@_risk_options
def risk_set_command(name: str, reason: str, **values: str | None) -> None:
    """Set some of NAME's risk settings: a number, or 'default' for the exchange-wide default. Audit-logged."""
    changes = {
        field: _risk_value(field.replace("_", "-"), value) for field, value in values.items() if value is not None
    }
    if not changes:
        click.echo("hdex market risk set: give at least one setting (see --help)", err=True)
        sys.exit(2)
    container = database_container()
    try:
        with container.uow() as uow:
            update_market_risk(uow.session, container.settings, name, changes, actor=cli_actor(), reason=reason)
            uow.commit()
    except HdexError as exc:
        click.echo(f"hdex market risk set: {exc.message}", err=True)
        sys.exit(2)
    click.echo(f"market {name} risk: " + " ".join(f"{k}={'default' if v is None else v}" for k, v in changes.items()))
