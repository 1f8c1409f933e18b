"""`hdex chain`: the development node, compilation and deployment."""

import sys
import time

import click

from backend.chain.compiler import CompileError, compile_all
from backend.chain.node import AnvilNode, NodeError
from backend.cli.context import database_container
from backend.log import configure_logging
from backend.settings import get_settings


@click.group("chain")
def chain_group() -> None:
    """Local chain, contract compilation and deployment."""


@chain_group.command("start")
def start() -> None:
    """Run the development anvil node in the foreground until Ctrl-C."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    node = AnvilNode.from_settings(settings)
    try:
        node.start()
        click.echo(f"anvil serving {node.url} (chain id {settings.chain_id}); Ctrl-C stops it")
        while True:
            time.sleep(3600)
    except NodeError as exc:
        click.echo(f"hdex chain start: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        node.stop()


@chain_group.command("compile")
def compile_contracts() -> None:
    """Compile contracts/ into build/contracts with the offline compiler."""
    try:
        names = compile_all()
    except CompileError as exc:
        click.echo(f"hdex chain compile: {exc}", err=True)
        sys.exit(1)
    click.echo(f"compiled {len(names)} contracts into build/contracts")


@chain_group.command("deploy")
def deploy() -> None:
    """Deploy the contracts to the configured chain and record their addresses."""
    from backend.entrypoints.runtime import StartupError, ensure_contracts

    try:
        contracts = ensure_contracts(database_container(logs=True))
    except (StartupError, CompileError, NodeError) as exc:
        click.echo(f"hdex chain deploy: {exc}", err=True)
        sys.exit(1)
    for name, address in sorted(contracts.items()):
        click.echo(f"{name} {address}")
