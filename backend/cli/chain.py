"""`hdex chain`: the development node, compilation, deployment (dev stack or a planned real one) and verify."""

import os
import sys
import time
from pathlib import Path

import click
from eth_account import Account
from sqlalchemy.exc import SQLAlchemyError
from web3.exceptions import Web3Exception

from backend.bootstrap import bootstrap
from backend.chain.artifacts import ArtifactError
from backend.chain.compiler import CompileError, compile_all
from backend.chain.deploy import DEV_MAKER_FEE_RATE, DEV_TAKER_FEE_RATE, DeployError
from backend.chain.deployments import load_deployments, record_deployments
from backend.chain.devkeys import DEV_KEYS
from backend.chain.jsonrpc import RpcError, rpc_call
from backend.chain.node import AnvilNode, NodeError
from backend.chain.plan import (
    REAL_EXIT_DELAY,
    REAL_TIMELOCK_DELAY,
    DeployRoles,
    deployment_cost,
    execute_plan,
    plan_deployment,
)
from backend.chain.rpc import make_web3
from backend.chain.treasury import EXCHANGE_ADMIN_SELECTOR
from backend.chain.verify import verify_code
from backend.cli.addresses import address_option
from backend.cli.context import database_answering, database_container
from backend.db import migrate
from backend.log import configure_logging
from backend.settings import DEV_CHAIN_ID, Environment, Settings, get_settings
from backend.trading.usecases.redeployment import live_trading_state
from custody.addresses import checksummed
from custody.errors import TreasuryError
from custody.keystore import unlock


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
@click.option("--plan", "dry_run", is_flag=True, help="print roles and the addresses it would create; send nothing")
@click.option("--owners", envvar="HDEX_CUSTODY_OWNERS", help="real network: comma-separated Custody owners")
@click.option("--threshold", envvar="HDEX_CUSTODY_THRESHOLD", type=click.IntRange(min=1), help="approvals needed")
@click.option("--operator", help="operator address [default: from the settings' operator key]")
@click.option(
    "--timelock-delay", type=click.IntRange(3600, 30 * 86_400), default=REAL_TIMELOCK_DELAY, show_default=True
)
@click.option("--exit-delay", type=click.IntRange(3600, 7 * 86_400), default=REAL_EXIT_DELAY, show_default=True)
@click.option("--maker-fee-rate", type=click.IntRange(0, 10_000), default=DEV_MAKER_FEE_RATE, show_default=True)
@click.option("--taker-fee-rate", type=click.IntRange(0, 10_000), default=DEV_TAKER_FEE_RATE, show_default=True)
@click.option("--deployer", help="deployer address (for --plan without a keystore)")
@click.option("--deployer-keystore", envvar="HDEX_DEPLOYER_KEYSTORE", type=click.Path(exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="deploy without asking after printing the plan")
def deploy(
    dry_run: bool, owners: str | None, threshold: int | None, operator: str | None, timelock_delay: int,
    exit_delay: int, maker_fee_rate: int, taker_fee_rate: int, deployer: str | None,
    deployer_keystore: Path | None, yes: bool,
) -> None:  # fmt: skip
    """Deploy the contracts to the configured chain and record their addresses.

    Without --owners: the development stack (dev keys, demo tokens; refused with HDEX_ENV=production). With
    --owners and --threshold: Custody and Exchange for a real network from a deployer keystore, on the node's chain
    only if it is HDEX_CHAIN_ID; --plan prints the plan and sends nothing.
    """
    settings = get_settings()
    # any real-network option says which deployment was meant: without --owners it is refused, never a dev stack
    if owners is None and threshold is None and deployer_keystore is None and not dry_run:
        if settings.env is Environment.PRODUCTION:
            # the dev stack is never deployed in production, and its refusal said to run this very command
            click.echo(
                "hdex chain deploy: HDEX_ENV=production deploys no development stack: give --owners, --threshold "
                'and --deployer-keystore (README, "Deploying to a real network"); --plan first',
                err=True,
            )
            sys.exit(1)
        _deploy_dev()
        return
    try:
        if owners is None or threshold is None:
            raise TreasuryError("give --owners and --threshold (or HDEX_CUSTODY_OWNERS / HDEX_CUSTODY_THRESHOLD)")
        operator_key = None if operator else settings.operator_private_key()
        roles = DeployRoles(
            owners=tuple(checksummed(o.strip()) for o in owners.split(",") if o.strip()), threshold=threshold,
            operator=checksummed(operator.strip()) if operator else Account.from_key(operator_key).address,
            timelock_delay=timelock_delay, exit_delay=exit_delay, maker_fee_rate=maker_fee_rate,
            taker_fee_rate=taker_fee_rate,
        )  # fmt: skip
        _refuse_over_live_state(settings)
        key = unlock(deployer_keystore, _password(deployer_keystore)).key.hex() if deployer_keystore else None
        address = Account.from_key(key).address if key else (checksummed(deployer.strip()) if deployer else None)
        if address is None:
            raise TreasuryError("give --deployer-keystore (or --deployer with --plan)")
        w3 = make_web3(settings.effective_rpc_url)
        plan = plan_deployment(w3, address, roles)
        if plan.chain_id != settings.chain_id:
            # HDEX would record it under a chain it never reads, after spending gas on a network nobody meant
            raise TreasuryError(
                f"the node at {settings.effective_rpc_url} serves chain {plan.chain_id}, HDEX_CHAIN_ID says "
                f"{settings.chain_id}: check HDEX_RPC_URL; nothing was sent"
            )
        if plan.chain_id != DEV_CHAIN_ID:
            _refuse_public_keys(roles)
        cost = deployment_cost(w3, plan)
        for line in [*plan.lines(), *cost.lines()]:
            click.echo(line)
        if dry_run:
            click.echo("dry run: nothing was sent")
            return
        if key is None:
            raise TreasuryError("deploying needs --deployer-keystore")
        if cost.short:
            # the node takes Custody's transaction and refuses the Exchange's: half a deployment, paid for
            raise TreasuryError(
                "the deployer cannot pay the deployment's gas: send it ether, then deploy again; nothing was sent"
            )
        if not yes:
            click.confirm("Deploy exactly this?", abort=True)
        contracts, block = execute_plan(w3, plan, "0x" + key.removeprefix("0x"))
    except (TreasuryError, ArtifactError, Web3Exception, OSError, DeployError) as exc:
        reason = str(exc)
        if "insufficient funds" in reason.lower():  # the node's raw error object says it, not what to do
            reason = f"the deployer cannot pay the deployment's gas: send it ether, then deploy again ({exc})"
        click.echo(f"hdex chain deploy: {reason}", err=True)
        sys.exit(1)
    for name, contract in sorted(contracts.items()):
        click.echo(f"{name} {contract}")
    click.echo(f"deployed from block {block}")
    # Should recording fail (the database away, or live state that landed meanwhile), the contracts stand and are
    # paid for: this records them later, checked, instead of a second deployment.
    record_later = (
        f"hdex chain record --custody {contracts['Custody']} --exchange {contracts['Exchange']} --block {block}"
    )
    try:
        with database_answering(settings.effective_database_url):
            _record(settings, contracts, block)
    except TreasuryError as exc:
        click.echo(
            f"hdex chain deploy: deployed, but NOT recorded: {exc}; once that is resolved: {record_later}", err=True
        )
        sys.exit(1)
    except SystemExit:
        click.echo(
            f"hdex chain deploy: deployed, but NOT recorded; once the database answers: {record_later}", err=True
        )
        raise


@chain_group.command("record")
@click.option("--custody", required=True, callback=address_option, help="the deployed Custody")
@click.option("--exchange", required=True, callback=address_option, help="the deployed Exchange")
@click.option("--block", required=True, type=click.IntRange(min=1), help="the block of Custody's deployment")
def record(custody: str, exchange: str, block: int) -> None:
    """Record contracts deployed and not recorded (`hdex chain deploy` says when): checked first against the build
    and the roles, on the node's chain only if it is HDEX_CHAIN_ID. Exit 1: refused, nothing recorded; 2: the node
    or the database could not be asked."""
    settings = get_settings()
    url = _node_on_our_chain(settings, "record", "nothing recorded")
    contracts = {"Custody": custody, "Exchange": exchange}
    try:
        for name, address in contracts.items():
            check = verify_code(name, address, _code(url, address, "latest"))
            if not check.matches:
                raise TreasuryError(f"{name} {address} does not match the build ({check.detail})")
        admin = checksummed(
            "0x" + str(rpc_call(url, "eth_call", [{"to": exchange, "data": EXCHANGE_ADMIN_SELECTOR}, "latest"]))[-40:]
        )
        if admin != custody:
            raise TreasuryError(f"the Exchange {exchange} is administered by {admin}, not by {custody}")
        if _code(url, custody, hex(block - 1), missing_state=b""):
            # the indexer follows from the recorded block: a later one would never see the first deposits
            raise TreasuryError(f"Custody {custody} had code before block {block}: give the block of its deployment")
    except (TreasuryError, ArtifactError) as exc:
        click.echo(f"hdex chain record: {exc}; nothing recorded", err=True)
        sys.exit(1)
    except RpcError as exc:
        click.echo(f"hdex chain record: cannot ask the node at {url}: {exc}; nothing recorded", err=True)
        sys.exit(2)
    try:
        with database_answering(settings.effective_database_url):
            _record(settings, contracts, block)
    except TreasuryError as exc:
        click.echo(f"hdex chain record: {exc}; nothing recorded", err=True)
        sys.exit(1)
    click.echo(f"recorded on chain {settings.chain_id} from block {block}: Custody {custody}, Exchange {exchange}")


def _record(settings: Settings, contracts: dict[str, str], block: int) -> None:
    """Record `contracts` as the chain's deployment; TreasuryError over another Exchange's live trading state (again:
    deposits may have landed while a deployment was mined)."""
    container = database_container(create=True)
    with container.uow() as uow:
        if (live := live_trading_state(uow.session, settings.chain_id)) is not None:
            raise TreasuryError(live)
        record_deployments(uow.session, settings.chain_id, contracts, block)
        uow.commit()


def _code(url: str, address: str, block: str, missing_state: bytes | None = None) -> bytes:
    """The code at `address` at `block`; `missing_state` when the node no longer keeps that block's state (not an
    archive node), else its refusal is an RpcError."""
    try:
        return bytes.fromhex(str(rpc_call(url, "eth_getCode", [address, block]))[2:])
    except RpcError:
        if missing_state is None:
            raise
        return missing_state


def _refuse_public_keys(roles: DeployRoles) -> None:
    """TreasuryError if an owner or the operator is one of anvil's development accounts, whose keys anyone has. Off
    the dev chain, --operator's default (the settings' operator key) is one unless HDEX_ENV=production is set."""
    public = {Account.from_key(key).address: index for index, key in enumerate(DEV_KEYS)}
    for role, address in [*(("owner", owner) for owner in roles.owners), ("operator", roles.operator)]:
        if address in public:
            hint = "give --operator or set HDEX_OPERATOR_KEYSTORE" if role == "operator" else "give --owners"
            raise TreasuryError(
                f"the {role} {address} is anvil's development account {public[address]}, whose key is public: {hint} "
                "(HDEX_ENV=production refuses development keys); nothing was sent"
            )


def _refuse_over_live_state(settings: Settings) -> None:
    """TreasuryError if the database holds another Exchange's live trading state (`live_trading_state`). Read
    without migrating (a plan sends and changes nothing); a database never migrated holds none."""
    container = bootstrap(settings)
    try:
        if migrate.current_revision(container.db_engine) is None:
            return
        with container.uow() as uow:
            live = live_trading_state(uow.session, settings.chain_id)
    except SQLAlchemyError as exc:
        raise TreasuryError(f"cannot read the database to check that it holds no other Exchange's trading state: "
                            f"{exc}") from None  # fmt: skip
    finally:
        container.db_engine.dispose()
    if live is not None:
        raise TreasuryError(live)


def _deploy_dev() -> None:
    from backend.entrypoints.runtime import StartupError, ensure_contracts

    try:
        contracts = ensure_contracts(database_container(logs=True, create=True))
    except (StartupError, CompileError, NodeError) as exc:
        click.echo(f"hdex chain deploy: {exc}", err=True)
        sys.exit(1)
    for name, address in sorted(contracts.items()):
        click.echo(f"{name} {address}")


@chain_group.command("verify")
@click.option("--custody", callback=address_option, help="Custody address [default: the recorded deployment]")
@click.option("--exchange", callback=address_option, help="Exchange address [default: the recorded deployment]")
def verify(custody: str | None, exchange: str | None) -> None:
    """Check the deployed runtime bytecode against build/contracts (metadata trailer and immutables aside).

    Exit 1 when the code differs, 2 when it could not be compared (node down or of another chain, no address)."""
    settings = get_settings()
    addresses = {"Custody": custody, "Exchange": exchange}
    if custody is None or exchange is None:
        with database_container().uow() as uow:
            recorded = load_deployments(uow.session, settings.chain_id)
        addresses = {name: given or recorded.get(name) for name, given in addresses.items()}
    # Exit 2 when nothing could be compared (as `hdex reconcile` and `hdex audit`): exit 1 says the code differs, and
    # a node that is down, or of another chain (no code at any recorded address), must not read as that.
    url = _node_on_our_chain(settings, "verify", "nothing compared")
    failed = False
    for name, address in addresses.items():
        if address is None:
            click.echo(f"hdex chain verify: no {name} address given or recorded on chain {settings.chain_id}", err=True)
            sys.exit(2)
        try:
            code = bytes.fromhex(str(rpc_call(url, "eth_getCode", [address, "latest"]))[2:])
            check = verify_code(name, address, code)
        except (RpcError, ArtifactError) as exc:
            click.echo(f"hdex chain verify: {exc}; {name} not compared", err=True)
            sys.exit(2)
        verdict = "matches the build" if check.matches else "DOES NOT MATCH the build"
        click.echo(f"{name} {address}: {verdict} ({check.detail}; {check.immutables} immutable words skipped)")
        failed |= not check.matches
    if failed:
        sys.exit(1)


def _node_on_our_chain(settings: Settings, command: str, outcome: str) -> str:
    """The node's URL once it answers with HDEX_CHAIN_ID's chain; else one line and exit 2."""
    url = settings.effective_rpc_url
    try:
        chain_id = int(str(rpc_call(url, "eth_chainId", [])), 16)
    except RpcError as exc:
        click.echo(f"hdex chain {command}: cannot ask the node at {url}: {exc}; {outcome}", err=True)
        sys.exit(2)
    if chain_id != settings.chain_id:
        click.echo(
            f"hdex chain {command}: the node at {url} serves chain {chain_id}, HDEX_CHAIN_ID says {settings.chain_id}: "
            f"check HDEX_RPC_URL; {outcome}",
            err=True,
        )
        sys.exit(2)
    return url


def _password(keystore: Path) -> str:
    return os.environ.get("HDEX_KEYSTORE_PASSWORD") or click.prompt(f"password for {keystore}", hide_input=True)
