"""`hdex engine`: the engine process and matching-engine tools. `serve` runs the engine process behind API
replicas (issue 17). `replay FILE` runs commands from JSON lines through a fresh
engine and prints its events as JSON lines (the format is in `backend.engine.replay_format`)."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

import click

from backend.engine import CommandFormatError, Engine, Side
from backend.engine.replay_format import book_to_json, event_to_json, parse_command_line
from backend.settings import get_settings


@click.group("engine")
def engine_group() -> None:
    """Matching engine tools."""


@engine_group.command("serve")
def serve_command() -> None:
    """Run the engine process behind `hdex api` replicas until Ctrl-C: the whole exchange as `hdex up` runs it
    (engine host, relayer, indexer, market data, the API for everything but order entry), also taking the
    orders the replicas hand over on the Redis command stream (HDEX_REDIS_URL). Keep HDEX_ENGINE_CONSUMER
    the same across restarts, so that the orders it had taken and not yet answered come back to it. While
    another engine process holds the engine lease of the database, this one stands by and takes over when
    that one stops or dies (HDEX_ENGINE_LEASE_S)."""
    from backend.cli.context import database_answering
    from backend.entrypoints.runtime import StartupError, run_exchange

    settings = get_settings()
    if settings.redis_url is None:
        click.echo("hdex engine serve: set HDEX_REDIS_URL (the command stream lives in Redis)", err=True)
        sys.exit(2)
    try:
        with database_answering(settings.effective_database_url):
            run_exchange(settings.model_copy(update={"command_stream": True}))
    except StartupError as exc:
        click.echo(f"hdex engine serve: {exc}", err=True)
        sys.exit(1)


@engine_group.command("replay")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def replay_command(file: IO[str]) -> None:
    """Replay the commands in FILE ('-' for stdin) and print every event, then each book side.

    Output is one JSON object per line: the events in order, then per market (in the order added)
    a `book` line for the buy side and one for the sell side, orders in priority order. Invalid lines
    are reported on stderr as `line N: reason` and skipped; the exit status is then 1, after all
    output, so scripts notice bad input without losing the rest of the replay.
    """
    engine = Engine()
    skipped = 0
    for line_no, line in enumerate(file, start=1):
        if not line.strip():
            continue
        try:
            command = parse_command_line(line, line_no)
        except CommandFormatError as exc:
            click.echo(f"line {line_no}: {exc}", err=True)
            skipped += 1
            continue
        for event in engine.apply(command):
            _emit(event_to_json(event))
    for market in engine.markets():
        for side in (Side.BUY, Side.SELL):
            _emit(book_to_json(market, side, engine.resting_orders(market, side)))
    if skipped:
        sys.exit(1)


def _emit(obj: dict[str, Any]) -> None:
    # sys.stdout is looked up per call so that click's test runner can capture it
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    engine_group()
