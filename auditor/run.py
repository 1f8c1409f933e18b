"""One audit run: scan the Exchange's logs block range by block range, verify every settlement and every withdrawal,
then compare every rebuilt balance with the contract's view and check solvency at the last block."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from auditor import checkpoint
from auditor.abi import DEFAULT_ABI_PATH, Event, ExchangeAbi, UndecodedLog
from auditor.balances import Opening, apply_event
from auditor.chain import ChainReader
from auditor.errors import AuditError
from auditor.orders import Domain
from auditor.settlements import OpeningOrder, SettlementVerifier
from auditor.state import AuditState, Finding
from auditor.validity import OpeningWallet, early_exit_withdrawal, record_revocation
from auditor.withdrawals import PaidBefore, WithdrawalVerifier

SETTLEMENT_EVENTS = frozenset({"TradeSettled", "TradeSkipped"})
# The events whose transaction's calldata is verified: a settle's or a withdraw's.
CALL_EVENTS = SETTLEMENT_EVENTS | {"Withdrawn"}


@dataclass(frozen=True, slots=True)
class AuditRequest:
    rpc_url: str
    exchange: str
    report_dir: Path
    from_block: int | None = None  # None: block 0, or with `resume` the checkpoint's first block
    to_block: int | None = None
    resume: bool = False
    abi_path: Path = DEFAULT_ABI_PATH
    chunk_blocks: int = 2_000


@dataclass(frozen=True, slots=True)
class BalanceRow:
    wallet: str
    token: str
    rebuilt: int
    contract: int


@dataclass(frozen=True, slots=True)
class SolvencyRow:
    token: str
    held: int
    owed_rebuilt: int
    owed_contract: int

    @property
    def solvent(self) -> bool:
        return self.held >= max(self.owed_rebuilt, self.owed_contract)


@dataclass
class AuditResult:
    """What a run found: the running state's findings plus those of the final comparisons at `to_block`."""

    chain_id: int
    exchange: str
    from_block: int
    to_block: int
    resumed_from: int | None
    state: AuditState
    balances: list[BalanceRow] = field(default_factory=list)
    solvency: list[SolvencyRow] = field(default_factory=list)
    final_findings: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [*self.state.findings, *self.final_findings]

    @property
    def discrepancies(self) -> list[Finding]:
        return [f for f in self.findings if f.failing]

    @property
    def ok(self) -> bool:
        return not self.discrepancies


Progress = Callable[[str], None]


def _require_unchanged(chain: ChainReader, saved: checkpoint.Checkpoint) -> None:
    """A resume stands on the blocks the checkpoint audited: refused if a reorg has replaced its last one since (the
    state would carry events of blocks the chain no longer has, and miss those that replaced them)."""
    last = saved.state.last_block
    now = chain.block_hash(last)
    if now != saved.last_block_hash:
        raise AuditError(
            f"block {last} is not the one the checkpoint audited (then {saved.last_block_hash}, now {now}): the chain "
            "reorganised since; audit again without --resume (stop at a final block with --to-block to resume safely)"
        )


def _require_same_start(request: AuditRequest, saved: checkpoint.Checkpoint) -> None:
    """A resume audits from its checkpoint's first block: a `--from-block` naming another one is refused, or an
    auditor asking for the range from genesis would get a verdict on a range that began later."""
    if request.from_block is not None and request.from_block != saved.from_block:
        raise AuditError(
            f"the checkpoint at {request.report_dir / checkpoint.CHECKPOINT_FILE} audits from block {saved.from_block}"
            f", not --from-block {request.from_block}: leave out --from-block to carry on from it, or audit again "
            "without --resume"
        )


def run_audit(request: AuditRequest, progress: Progress = lambda _: None) -> AuditResult:
    """Audits `request.exchange` from `from_block` (or the checkpoint) to `to_block` (default: the head)."""
    if request.chunk_blocks < 1:
        raise AuditError("--chunk-blocks must be at least 1")
    chain = ChainReader(request.rpc_url, request.exchange, ExchangeAbi.load(request.abi_path))
    chain_id, head = chain.chain_id(), chain.head()
    to_block = head if request.to_block is None else request.to_block
    if to_block > head:
        raise AuditError(f"--to-block {to_block} is beyond the chain's head {head}")
    chain.require_exchange(to_block)
    if request.resume:
        saved = checkpoint.load(request.report_dir, chain_id, chain.exchange)
        _require_same_start(request, saved)
        _require_unchanged(chain, saved)
        from_block, state, resumed_from = saved.from_block, saved.state, saved.state.last_block + 1
    else:
        from_block = request.from_block or 0
        state, resumed_from = _fresh_state(chain, from_block), None
    if not 0 <= from_block <= to_block + 1:
        raise AuditError(f"block range {from_block}..{to_block} is empty or negative")
    if state.last_block > to_block:
        raise AuditError(f"the checkpoint is already at block {state.last_block}, past --to-block {to_block}")

    domain = Domain(chain_id, chain.exchange)
    opening_balance, opening_order, opening_wallet, paid_before = _opening(chain, from_block)
    verifier = SettlementVerifier(domain, opening_order, opening_wallet, chain, chain.block_timestamp)
    withdrawals = WithdrawalVerifier(domain, paid_before, chain, chain.block_timestamp)
    for first, last in _chunks(state.last_block + 1, to_block, request.chunk_blocks):
        # The chunk's last block before its logs, and again before the checkpoint: a reorg of any block of the
        # chunk meanwhile replaces that one too. Else the checkpoint would pair the old fork's events with the new
        # fork's hash, and a resume would pass over what the new fork holds (a cancel, a nonce floor, an exit).
        last_hash = chain.block_hash(last)
        events, undecoded = chain.logs(first, last)
        for log in undecoded:
            state.find(_unknown_event(log))
        for group in _by_transaction(events):
            names = {e.name for e in group}
            if names & CALL_EVENTS:
                call = chain.call(group[0].tx_hash)
                if names & SETTLEMENT_EVENTS:
                    verifier.verify(state, call, group)
                if "Withdrawn" in names:
                    withdrawals.verify(state, call, group)
            for event in group:
                if event.name == "ExitWithdrawn":
                    timestamp = chain.block_timestamp(event.block)
                    if (early := early_exit_withdrawal(state, event, timestamp, opening_wallet)) is not None:
                        state.find(early)
                apply_event(state, event, opening_balance)
                record_revocation(state, event)
        state.count("events", len(events))
        state.last_block = last
        if chain.block_hash(last) != last_hash:
            raise AuditError(
                f"a reorg replaced blocks up to {last} while they were audited: nothing of them was kept; run again "
                "(with --resume: from the last checkpoint), or up to a block further from the head (--to-block)"
            )
        saved = checkpoint.Checkpoint(chain_id, chain.exchange, from_block, state, last_hash)
        checkpoint.save(request.report_dir, saved)
        done = (last - from_block + 1) * 100 // max(1, to_block - from_block + 1)
        progress(f"block {last} of {to_block} ({done}%): {state.counts.get('events', 0)} events, "
                 f"{state.counts.get('trades_verified', 0)} trades verified, "
                 f"{sum(f.failing for f in state.findings)} discrepancies")  # fmt: skip

    result = AuditResult(chain_id, chain.exchange, from_block, to_block, resumed_from, state)
    if domain.separator().hex() != chain.domain_separator(to_block)[2:]:
        result.final_findings.append(Finding(
            "domain-mismatch", "the contract's EIP-712 domain separator is not the documented domain's", to_block,
        ))  # fmt: skip
    _compare_balances(chain, result, opening_balance)
    if from_block > 0:
        result.final_findings.append(Finding(
            "opening-state-from-chain",
            f"the range starts at block {from_block}: opening balances and fills were read from the contract at "
            f"block {from_block - 1}, and solvency covers only wallets active in the range", failing=False,
        ))  # fmt: skip
    return result


def _fresh_state(chain: ChainReader, from_block: int) -> AuditState:
    state = AuditState(last_block=from_block - 1)
    if from_block > 0:  # the constructor's FeeScheduleSet lies before the range
        state.fee_schedule = chain.fee_schedule(from_block - 1)
    return state


def _opening(chain: ChainReader, from_block: int) -> tuple[Opening, OpeningOrder, OpeningWallet, PaidBefore]:
    """Opening balances, order and wallet states and withdrawals paid: nothing before genesis, else the contract's
    views before the range."""
    if from_block == 0:
        return (
            (lambda wallet, token: 0), (lambda order, order_hash: (0, False, False)), (lambda wallet: (0, 0)),
            (lambda withdrawal_hash: False),
        )  # fmt: skip
    before = from_block - 1
    return (
        lambda wallet, token: chain.vault_balance(wallet, token, before),
        lambda order, order_hash: chain.opening_fill(order, order_hash, before),
        lambda wallet: chain.wallet_state(wallet, before),
        lambda withdrawal_hash: chain.withdrawal_processed(withdrawal_hash, before),
    )


def _unknown_event(log: UndecodedLog) -> Finding:
    """A failing finding for an Exchange log the ABI cannot decode: whatever it did to balances went unchecked."""
    return Finding(
        "unknown-event",
        f"log {log.log_index} (topic0 {log.topic0 or 'none'}) {log.reason}: is --abi the deployed Exchange's?",
        log.block, log.tx_hash,
        details={"log_index": str(log.log_index), "topic0": log.topic0 or ""},
    )  # fmt: skip


def _chunks(first: int, last: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(first, last + 1, size):
        yield start, min(start + size - 1, last)


def _by_transaction(events: Sequence[Event]) -> Iterator[list[Event]]:
    """Events grouped by transaction, in chain order (a transaction's logs are contiguous)."""
    group: list[Event] = []
    for event in events:
        if group and event.tx_hash != group[0].tx_hash:
            yield group
            group = []
        group.append(event)
    if group:
        yield group


def _compare_balances(chain: ChainReader, result: AuditResult, opening: Opening) -> None:
    """Every wallet's every token against `balanceOf` at `to_block`, then solvency per token."""
    state, block = result.state, result.to_block
    wallets = sorted({w for w, _ in state.balances})
    tokens = sorted({t for _, t in state.balances})
    owed_contract: dict[str, int] = dict.fromkeys(tokens, 0)
    for wallet in wallets:
        for token in tokens:
            rebuilt = state.balances.get((wallet, token))
            if rebuilt is None:
                rebuilt = opening(wallet, token)
            contract = chain.vault_balance(wallet, token, block)
            owed_contract[token] += contract
            result.balances.append(BalanceRow(wallet, token, rebuilt, contract))
            if rebuilt != contract:
                result.final_findings.append(Finding(
                    "balance-mismatch", f"{wallet}'s {token}: rebuilt from events {rebuilt}, balanceOf {contract}",
                    block, details={"wallet": wallet, "token": token, "rebuilt": str(rebuilt),
                                    "contract": str(contract)},
                ))  # fmt: skip
    owed_rebuilt = state.owed()
    for token in tokens:
        row = SolvencyRow(token, chain.held(token, block), owed_rebuilt.get(token, 0), owed_contract[token])
        result.solvency.append(row)
        owed = max(row.owed_rebuilt, row.owed_contract)
        if not row.solvent:
            result.final_findings.append(Finding(
                "insolvent", f"the Exchange holds {row.held} of {token} but owes {owed}",
                block, details={"token": token, "held": str(row.held), "owed": str(owed)},
            ))  # fmt: skip
