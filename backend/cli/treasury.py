"""`hdex treasury`: the Custody multisig workflow for treasury signers.

propose -> show -> sign (offline, each owner) -> collect -> execute, or for timelocked admin calls
propose -> show -> sign -> collect -> schedule -> (delay) -> execute. `queue` and `status` read the contract.
Every step re-verifies the proposal file; any refusal is one line on stderr, a non-zero exit, nothing changed.
A signer signs the digest `show` printed and the other signers confirmed (`sign --digest`), never merely whatever
the shared file holds by the time they sign: a file rebuilt around another call is self-consistent too.
"""

from __future__ import annotations

import functools
import os
import secrets
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from web3.exceptions import BadFunctionCallOutput, ContractLogicError, Web3Exception

from backend.chain.artifacts import ArtifactError
from backend.chain.treasury import CustodyNode
from backend.cli.addresses import address_option, addresses_option
from backend.paths import ARTIFACTS_DIR
from backend.settings import get_settings
from custody.addresses import checksummed
from custody.approvals import CustodyTransaction
from custody.calls import KnownAbis
from custody.errors import TreasuryError
from custody.keystore import unlock
from custody.policy import ETH, ScheduledCall, needs_timelock, schedule_data, scheduled_call
from custody.proposal import Proposal, merge, parse_digest, read_proposal, require_owners, write_proposal
from custody.review import format_duration, format_utc, review

PASSWORD_ENV = "HDEX_KEYSTORE_PASSWORD"
P = ParamSpec("P")
R = TypeVar("R")


def _refusals(verb: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """One line on stderr and exit 1 for every expected refusal: never a traceback."""

    def wrap(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return command(*args, **kwargs)
            except (TreasuryError, ArtifactError) as exc:
                click.echo(f"hdex treasury {verb}: {exc}", err=True)
                sys.exit(1)

        return run

    return wrap


rpc_option = click.option("--rpc", envvar="HDEX_RPC_URL", help="node URL [env HDEX_RPC_URL; default: settings]")
custody_option = click.option(
    "--custody", envvar="HDEX_CUSTODY_ADDRESS", callback=address_option, help="the Custody address you expect"
)
chain_option = click.option("--chain-id", type=click.IntRange(min=1), help="the chain id you expect")
keystore_option = click.option(
    "--keystore", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
    help=f"encrypted key file; password from ${PASSWORD_ENV} or a prompt",
)  # fmt: skip
from_block_option = click.option("--from-block", type=click.IntRange(min=0), default=0, help="where events start")
force_option = click.option(
    "--force", is_flag=True, help="replace an existing --out that is not this proposal keeping its signatures"
)


def _abis() -> KnownAbis:
    return KnownAbis.from_artifacts(ARTIFACTS_DIR)


def _node(rpc: str | None, custody: str) -> CustodyNode:
    return _custody_at(rpc or get_settings().effective_rpc_url, custody, _abis())


def _custody_at(rpc: str, custody: str, abis: KnownAbis) -> CustodyNode:
    """The Custody at `custody` on the node at `rpc`, refused unless a Custody is there: an address without code,
    or a contract that does not answer `threshold()` (the Exchange's, a token's: an address pasted from the wrong
    line), whose reads would otherwise look like a node that did not answer, or like a queue with nothing in it."""
    node = CustodyNode(rpc, custody, abis)
    node.require_contract()
    try:
        node.contract.functions.threshold().call()
    except (ContractLogicError, BadFunctionCallOutput):  # a revert, or no answer at all: not Custody's function
        raise TreasuryError(
            f"the contract at {node.contract.address} on chain {node.chain_id()} is not a Custody (it does not answer "
            "threshold()): check --custody"
        ) from None
    except (Web3Exception, OSError) as exc:
        raise TreasuryError(f"the node did not answer: {exc}") from None
    return node


def _unlock(keystore: Path) -> LocalAccount:
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        password = click.prompt(f"password for {keystore}", hide_input=True)
    return unlock(keystore, password)


@click.group("treasury")
def treasury_group() -> None:
    """Custody multisig: propose, show, sign offline, collect, execute; the timelock queue and status."""


# ---------------------------------------------------------------- propose


@treasury_group.command("propose")
@click.option("--custody", envvar="HDEX_CUSTODY_ADDRESS", callback=address_option, required=True)
@click.option("--target", callback=address_option, required=True, help="the contract Custody calls")
@click.option("--function", "function", help="name or signature, e.g. setFeeSchedule(uint32,uint32)")
@click.option("--data", help="raw calldata (0x-hex) instead of --function")
@click.option("--value", type=click.IntRange(min=0), default=0, help="wei sent with the call")
@click.option("--deadline", type=click.IntRange(min=0), help="unix time the approvals expire")
@click.option("--valid-for", type=click.IntRange(min=60), default=3 * 86_400, show_default=True, help="seconds")
@click.option("--timelock/--no-timelock", default=None, help="wrap in Custody.schedule [default: when required]")
@click.option("--salt", help="bytes32 salt of the scheduled operation [default: random]")
@click.option("--nonce", type=click.IntRange(min=0), help="Custody nonce (offline; default: read from the node)")
@click.option("--chain-id", type=click.IntRange(min=1), help="chain id (offline; default: read from the node)")
@rpc_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@force_option
@click.argument("args", nargs=-1)
@_refusals("propose")
def propose_command(
    custody: str, target: str, function: str | None, data: str | None, value: int, deadline: int | None,
    valid_for: int, timelock: bool | None, salt: str | None, nonce: int | None, chain_id: int | None,
    rpc: str | None, out: Path, force: bool, args: tuple[str, ...],
) -> None:  # fmt: skip
    """Write a proposal FILE for `target.call{value}(function(ARGS...))` at the Custody's next nonce."""
    abis = _abis()
    if (function is None) == (data is None):
        raise TreasuryError("give exactly one of --function (with its ARGS) and --data")
    calldata = abis.encode(function, args) if function is not None else _hex_bytes(data or "", "--data")
    if timelock is None:
        timelock = needs_timelock(abis, calldata)
    if nonce is None or chain_id is None:
        node = _node(rpc, custody)
        nonce = node.nonce() if nonce is None else nonce
        chain_id = node.chain_id() if chain_id is None else chain_id
        now = node.now()
    else:
        now = int(time.time())
    deadline = deadline if deadline is not None else now + valid_for
    if deadline <= now:
        # Custody.execute checks it for a timelocked call too: the deadline bounds `schedule`, not the delay after
        raise TreasuryError(
            f"--deadline {deadline} ({format_utc(deadline)}) is already past (now {format_utc(now)}): Custody "
            "would refuse every approval; nothing written"
        )
    if timelock:
        operation = ScheduledCall(target, value, calldata, _salt(salt))
        target, value, calldata = custody, 0, schedule_data(abis, operation)
    transaction = CustodyTransaction(
        chain_id=chain_id, custody=custody, target=target, value=value, data=calldata, nonce=nonce, deadline=deadline,
    )  # fmt: skip
    proposal = Proposal.create(transaction, abis)
    write_proposal(proposal, out, force=force)
    _print_proposal(proposal, abis, None, now)
    _print_digest_to_compare(proposal, out)
    click.echo(f"proposal written to {out}")


def _salt(salt: str | None) -> bytes:
    if salt is None:
        return secrets.token_bytes(32)
    raw = _hex_bytes(salt, "--salt")
    if len(raw) != 32:
        raise TreasuryError("--salt must be 32 bytes of hex")
    return raw


def _hex_bytes(text: str, name: str) -> bytes:
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise TreasuryError(f"{name}: not hex") from None


# ---------------------------------------------------------------- show, sign, collect (offline)


@treasury_group.command("show")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@chain_option
@custody_option
@click.option("--rpc", help="compare outflows with the daily limits on this node (optional)")
@_refusals("show")
def show_command(file: Path, chain_id: int | None, custody: str | None, rpc: str | None) -> None:
    """Verify FILE and print what it does and the digest to compare with the other signers. Offline unless --rpc."""
    abis = _abis()
    proposal = read_proposal(file)
    proposal.verify(abis, chain_id=chain_id, custody=custody)
    limits, warnings = None, list[str]()
    if rpc is not None:
        node = _custody_at(rpc, proposal.transaction.custody, abis)
        node.require_matches(proposal)
        limits = _limits_for(node, proposal)
        warnings = _foreign_exchange_call(node, proposal)
    _print_proposal(proposal, abis, limits, int(time.time()), warnings)
    _print_digest_to_compare(proposal, file)


@treasury_group.command("sign")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@keystore_option
@click.option("--chain-id", type=click.IntRange(min=1), required=True, help="the chain id you expect")
@click.option(
    "--custody", envvar="HDEX_CUSTODY_ADDRESS", callback=address_option, required=True, help="expected Custody"
)
@click.option("--digest", help="the 0x digest `show` printed and the other signers confirmed; FILE must still have it")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="write here [default: FILE itself]")
@force_option
@click.option("--yes", is_flag=True, help="sign without asking; requires --digest")
@_refusals("sign")
def sign_command(
    file: Path, keystore: Path, chain_id: int, custody: str, digest: str | None, out: Path | None, force: bool,
    yes: bool,
) -> None:  # fmt: skip
    """Verify FILE offline, check it still has the digest you reviewed, print it, and append your signature."""
    if yes and digest is None:
        raise TreasuryError(
            "--yes signs without asking, so it needs --digest 0x... (the digest `show` printed and the other "
            "signers confirmed): refusing"
        )
    reviewed = parse_digest(digest) if digest is not None else None
    abis = _abis()
    proposal = read_proposal(file)
    proposal.verify(abis, chain_id=chain_id, custody=custody)
    if reviewed is not None:
        proposal.require_reviewed(reviewed)  # before any key is unlocked: a swapped file gets no signature
    _print_proposal(proposal, abis, None, int(time.time()))
    account = _unlock(keystore)
    click.echo(f"signer   {account.address}")
    click.secho(f"signing  digest 0x{proposal.transaction.digest().hex()}", bold=True)
    click.secho(f"         {_what_it_does(proposal, abis)}", bold=True)
    if reviewed is not None:
        click.echo("         = the digest you reviewed (--digest)")
    if not yes:
        click.confirm(
            "No hardware wallet shows this digest: the key is in a local keystore. Check it against the digest "
            "`show` printed and the other signers read out from their screens. Sign?",
            abort=True,
        )
    signed = proposal.with_signature(account)
    write_proposal(signed, out or file, force=force)
    click.echo(f"signed: {len(signed.approvals)} signature(s) in {out or file}")


@treasury_group.command("collect")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@force_option
@click.option("--owners", help="comma-separated current owners (else read from --rpc)")
@click.option("--threshold", type=click.IntRange(min=1), help="approvals needed (else read from --rpc)")
@click.option("--rpc", envvar="HDEX_RPC_URL", help="read owners and threshold from this node [env HDEX_RPC_URL]")
@chain_option
@custody_option
@_refusals("collect")
def collect_command(
    files: tuple[Path, ...], out: Path, force: bool, owners: str | None, threshold: int | None, rpc: str | None,
    chain_id: int | None, custody: str | None,
) -> None:  # fmt: skip
    """Merge the signatures of FILES into one proposal, ordered as the contract wants."""
    abis = _abis()
    proposal = merge(read_proposal(f) for f in files)
    proposal.verify(abis, chain_id=chain_id, custody=custody)
    current: list[str]
    if owners is not None:
        current = [checksummed(o.strip()) for o in owners.split(",") if o.strip()]
    elif rpc is not None:
        node = _custody_at(rpc, proposal.transaction.custody, abis)
        node.require_matches(proposal)
        current = node.owners()
        threshold = node.threshold() if threshold is None else threshold
    else:
        raise TreasuryError("give --owners, or --rpc to read the owners from the chain")
    require_owners(proposal, current)
    collected = proposal.in_signer_order()
    write_proposal(collected, out, force=force)
    count = len(collected.approvals)
    click.echo(f"{count} approval(s), in signer order: {', '.join(collected.signers) or '-'}")
    if threshold is None:
        click.echo("threshold unknown (give --threshold or --rpc)")
    elif count >= threshold and scheduled_call(collected.transaction, abis) is not None:
        click.echo(f"threshold {threshold} reached: ready to schedule ({out}), then execute after the timelock delay")
    elif count >= threshold:
        click.echo(f"threshold {threshold} reached: ready to execute ({out})")
    else:
        click.echo(f"threshold {threshold}: {threshold - count} more approval(s) needed")


# ---------------------------------------------------------------- execute, schedule (node)


@treasury_group.command("execute")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@keystore_option
@rpc_option
@custody_option
@_refusals("execute")
def execute_command(file: Path, keystore: Path, rpc: str | None, custody: str | None) -> None:
    """Simulate, then send FILE: `Custody.execute`, or for a scheduled call `executeScheduled` once due."""
    proposal = read_proposal(file)
    node = _node(rpc, custody or proposal.transaction.custody)
    # refusals first: a keystore's password is asked (or read) only for a proposal that can be sent
    if scheduled_call(proposal.transaction, node.abis) is not None:
        node.require_due(proposal)
        tx_hash = node.execute_scheduled(proposal, _unlock(keystore))
    else:
        node.require_executable(proposal)
        tx_hash = node.execute(proposal, _unlock(keystore))
    click.echo(f"executed in {tx_hash}")


@treasury_group.command("schedule")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@keystore_option
@rpc_option
@custody_option
@_refusals("schedule")
def schedule_command(file: Path, keystore: Path, rpc: str | None, custody: str | None) -> None:
    """Simulate, then send the approved `Custody.schedule` of FILE; `execute` it after the delay."""
    proposal = read_proposal(file)
    node = _node(rpc, custody or proposal.transaction.custody)
    call = scheduled_call(proposal.transaction, node.abis)
    if call is None:
        raise TreasuryError("this proposal is not a timelocked call: use `execute`")
    node.require_executable(proposal)  # before the password is asked
    tx_hash = node.execute(proposal, _unlock(keystore))
    ready = node.ready_at(call)
    click.echo(f"scheduled in {tx_hash}: operation 0x{call.operation_id.hex()} due at {ready} ({format_utc(ready)})")


# ---------------------------------------------------------------- queue, status (node)


@treasury_group.command("queue")
@click.option("--custody", envvar="HDEX_CUSTODY_ADDRESS", callback=address_option, required=True)
@rpc_option
@from_block_option
@_refusals("queue")
def queue_command(custody: str, rpc: str | None, from_block: int) -> None:
    """Pending timelocked operations with the time left until each may execute."""
    node = _node(rpc, custody)
    pending = node.pending_operations(from_block)
    if not pending:
        click.echo("no pending operations")
    for op in pending:
        call = node.abis.describe(op.call.data)
        what = f"{op.call.target} {call}"
        if op.expired:
            expired = f"{op.expires_at} ({format_utc(op.expires_at)})"
            click.echo(f"0x{op.operation_id.hex()} EXPIRED at {expired}: {what} (propose it again to run it)")
            continue
        left = f"{format_duration(op.seconds_left)} left" if op.seconds_left else "ready now"
        due = f"{op.ready_at} ({format_utc(op.ready_at)}, {left}; expires {format_utc(op.expires_at)})"
        click.echo(f"0x{op.operation_id.hex()} due {due}: {what}")


@treasury_group.command("status")
@click.option("--custody", envvar="HDEX_CUSTODY_ADDRESS", callback=address_option, required=True)
@rpc_option
@click.option("--token", "tokens", multiple=True, callback=addresses_option)
@from_block_option
@_refusals("status")
def status_command(custody: str, rpc: str | None, tokens: list[str], from_block: int) -> None:
    """Owners, threshold, nonce, timelock delay, daily limits and what was spent today."""
    node = _node(rpc, custody)
    status = node.status(tokens, from_block)
    click.echo(f"custody        {node.contract.address} (chain {node.chain_id()})")
    click.echo(f"owners         {', '.join(status.owners)}")
    click.echo(f"threshold      {status.threshold} of {len(status.owners)}")
    click.echo(f"nonce          {status.nonce}")
    click.echo(f"timelock delay {status.timelock_delay} s ({format_duration(status.timelock_delay)})")
    for token, limit in status.daily_limits.items():
        name = "ETH" if token == ETH else token
        meaning = " (0: nothing may leave by a direct execute, only through the timelock)" if limit == 0 else ""
        click.echo(f"daily limit    {name}: {limit} base units{meaning}, spent today {status.spent_today[token]}")


# ---------------------------------------------------------------- presentation


def _limits_for(node: CustodyNode, proposal: Proposal) -> tuple[dict[str, int], dict[str, int]]:
    """The daily limits of the tokens the proposal may move, and what direct calls moved of each today."""
    tx = proposal.transaction
    tokens = {tx.target}
    call = scheduled_call(tx, node.abis)
    if call is not None:
        tokens.add(call.target)
    spent = {str(to_checksum_address(token)): amount for token, amount in node.spent_today().items()}
    return {token: node.daily_limit(token) for token in [*tokens, ETH]}, spent


def _what_it_does(proposal: Proposal, abis: KnownAbis) -> str:
    """The call in one line; for a timelocked proposal, the call it schedules."""
    tx = proposal.transaction
    call = scheduled_call(tx, abis)
    value = f" with {tx.value} wei" if tx.value else ""
    if call is None:
        return f"{proposal.call} on {to_checksum_address(tx.target)}{value}"
    inner = abis.describe(call.data)
    inner_value = f" with {call.value} wei" if call.value else ""
    return f"schedules, through the timelock, {inner} on {call.target}{inner_value}"


def _print_digest_to_compare(proposal: Proposal, file: Path) -> None:
    digest = f"0x{proposal.transaction.digest().hex()}"
    click.secho(f"DIGEST TO COMPARE  {digest}", bold=True)
    click.echo("Read it out to the other signers and check it matches their screens, then sign exactly this with")
    tx = proposal.transaction
    click.echo(f"  hdex treasury sign {shlex.quote(str(file))} --digest {digest} --keystore KEYSTORE --chain-id "
               f"{tx.chain_id} --custody {to_checksum_address(tx.custody)}")  # fmt: skip


def _foreign_exchange_call(node: CustodyNode, proposal: Proposal) -> list[str]:
    """A warning when the call `show` labels `Exchange.<fn>` (by its selector alone) goes to a contract that is not
    an Exchange this Custody administers: offline a signer has only the target's address to go by."""
    tx = proposal.transaction
    scheduled = scheduled_call(tx, node.abis)
    target, data = (scheduled.target, scheduled.data) if scheduled is not None else (tx.target, tx.data)
    call = node.abis.decode(data) if data else None
    if call is None or call.function is None or call.function.contract != "Exchange" or node.administers(target):
        return []
    return [
        f"NOT THIS CUSTODY'S EXCHANGE: {to_checksum_address(target)} does not answer admin() with "
        f"{node.contract.address}; {call.describe()} is named by its selector alone"
    ]


def _print_proposal(
    proposal: Proposal,
    abis: KnownAbis,
    limits: tuple[dict[str, int], dict[str, int]] | None,
    now: int,
    extra_warnings: Sequence[str] = (),
) -> None:
    tx = proposal.transaction
    click.echo(f"custody      {to_checksum_address(tx.custody)} on chain {tx.chain_id}")
    click.echo(f"nonce        {tx.nonce}")
    click.echo(f"deadline     {tx.deadline} ({format_utc(tx.deadline)})")
    daily, spent = limits if limits is not None else (None, None)
    result = review(tx, abis, daily, spent, now=now)
    for line in result.lines:
        click.echo(line)
    click.echo(f"domain hash  0x{proposal.domain_hash.hex()}")
    click.echo(f"message hash 0x{proposal.message_hash.hex()}")
    click.echo(f"digest       0x{proposal.digest.hex()}  (ours and eth-account's agree)")
    for signer in proposal.signers:
        click.echo(f"signed by    {signer}")
    for warning in [*result.warnings, *extra_warnings]:
        click.secho(f"!!! WARNING: {warning}", fg="red", bold=True)
