"""The treasury workflow's node side: read the Custody contract, simulate and send its transactions.

The offline half (proposal files, decoding, digests, signing) is `custody`; this adapter adds what needs a node:
the nonce for a proposal, owners and threshold for collecting, execute / schedule / execute-after-delay with an
`eth_call` simulation before anything is sent, the queue of timelocked operations and the daily-limit status.
Every refusal raises `TreasuryError` before a transaction leaves this process.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError, Web3Exception
from web3.types import BlockIdentifier

from backend.chain.artifacts import load_artifact
from backend.chain.rpc import make_web3
from backend.chain.verify import verify_code
from custody.calls import KnownAbis
from custody.errors import TransactionNotMined, TreasuryError
from custody.policy import ETH, ScheduledCall, scheduled_call
from custody.proposal import Proposal, require_owners
from custody.review import format_duration, format_utc
from custody.terminal import printable

DAY = 86_400
RECEIPT_TIMEOUT_S = 120


EXCHANGE_ADMIN_SELECTOR = "0xf851a440"  # Exchange.admin(): the Custody that administers it
LOG_RANGE = 5_000  # blocks per eth_getLogs: public providers refuse wider ranges
REORG_MARGIN = 64  # blocks read again at each reading of a `ScheduledCalls`: a reorg may have replaced them


@dataclass(frozen=True)
class CustodyStatus:
    owners: list[str]
    threshold: int
    nonce: int
    timelock_delay: int
    daily_limits: dict[str, int]  # token (ETH: zero address) -> limit
    spent_today: dict[str, int]  # token -> counted outflows since 00:00 UTC


@dataclass(frozen=True)
class PendingOperation:
    operation_id: bytes
    call: ScheduledCall
    ready_at: int
    seconds_left: int  # until it is due (0: due)
    expires_at: int  # the last second it may run (`Custody.GRACE_PERIOD` after it is due)
    expired: bool


class ScheduledCalls:
    """A Custody's scheduled operations for a process that asks again and again (the API, the monitor): each
    reading reads the logs of the blocks since the last one, and `REORG_MARGIN` blocks before them (a reorg may
    have replaced them), not the whole history again. Every call ever seen is kept (admin calls are few): its
    `readyAt` says whether it still waits, and a reorg that undoes its execution is seen at the next reading."""

    def __init__(self, node: CustodyNode, from_block: int) -> None:
        self.node = node
        self._from_block = from_block
        self._next_block = from_block  # the first block not read yet
        self._calls: dict[bytes, ScheduledCall] = {}

    def pending(self, head: int | None = None, now: int | None = None) -> list[PendingOperation]:
        """`CustodyNode.pending_operations` up to block `head` at chain time `now` (the node's latest when not
        given: a caller that read the block passes it); TreasuryError when the node fails."""
        if self._next_block == self._from_block:  # the first reading
            self.node.require_contract()
        head = self.node.head() if head is None else head
        for call in self.node.scheduled_calls(max(self._from_block, self._next_block - REORG_MARGIN), head):
            self._calls[call.operation_id] = call
        self._next_block = max(self._next_block, head + 1)
        return self.node.operations(self._calls.values(), now)


def _read_node(read: Any) -> Any:
    """`read()`; TreasuryError when the node fails."""
    try:
        return read()
    except (Web3Exception, OSError) as exc:
        raise TreasuryError(f"the node did not answer: {exc}") from None


def exchange_admin(w3: Web3, exchange: str, block: BlockIdentifier = "latest") -> ChecksumAddress | None:
    """`exchange.admin()` at `block`; None when it answers none (a revert or not one word: not an Exchange).
    TreasuryError when the node fails."""
    call = {"to": to_checksum_address(exchange), "data": EXCHANGE_ADMIN_SELECTOR}
    try:
        answer = bytes(w3.eth.call(call, block))  # type: ignore[arg-type]
    except (ContractCustomError, ContractLogicError):  # a revert: no such function
        return None
    except (Web3Exception, OSError) as exc:
        raise TreasuryError(f"the node did not answer: {exc}") from None
    return to_checksum_address(answer[12:]) if len(answer) == 32 else None


@dataclass(frozen=True)
class Governance:
    """Who administers the Exchange (`Exchange.admin()`), whether its code is our Custody's (only then do its
    changes wait out a timelock: the Exchange asks its admin whether a call is a scheduled one, which any other
    contract may simply affirm), and the operations it scheduled that were not yet run nor cancelled."""

    admin: str
    timelocked: bool
    operations: list[PendingOperation]  # none for an admin that is not a Custody


class GovernanceWatch:
    """The Exchange's `Governance` for a process that asks again and again (the API, the monitor). The Custody
    recorded at deployment may hand the admin over: to a new Custody, whose calls are then read, or (stolen keys)
    to anything else, which is said."""

    def __init__(self, rpc_url: str, exchange: str, abis: KnownAbis, from_block: int) -> None:
        self._rpc_url = rpc_url
        self.w3: Web3 = make_web3(rpc_url)
        self.exchange = to_checksum_address(exchange)
        self._abis = abis
        self._from_block = from_block  # where the Exchange's deployment starts: no Custody call is older
        self._custodies: set[str] = set()  # addresses whose code was found to be Custody's: code does not change
        self._calls: ScheduledCalls | None = None  # the admin Custody's, followed block range by block range

    @classmethod
    def following(
        cls, watch: GovernanceWatch | None, rpc_url: str, exchange: str, abis: KnownAbis, from_block: int
    ) -> GovernanceWatch:
        """`watch` while it follows `exchange`, else a new watch of it: a redeployed Exchange is read anew."""
        if watch is not None and watch.exchange.lower() == exchange.lower():
            return watch
        return cls(rpc_url, exchange, abis, from_block)

    def read(self, head: int | None = None, now: int | None = None) -> Governance:
        """As of block `head` at chain time `now` (the node's latest block when not given); TreasuryError when the
        node fails or the Exchange does not answer `admin()`."""
        if head is None or now is None:
            block = _read_node(lambda: self.w3.eth.get_block("latest"))
            head, now = int(block["number"]), int(block["timestamp"])
        admin = exchange_admin(self.w3, self.exchange, head)
        if admin is None:
            raise TreasuryError(f"{self.exchange} does not answer Exchange.admin(): is it the Exchange?")
        if admin not in self._custodies:
            if not verify_code("Custody", admin, bytes(_read_node(lambda: self.w3.eth.get_code(admin, head)))).matches:
                return Governance(admin, False, [])
            self._custodies.add(admin)
        if self._calls is None or self._calls.node.contract.address != admin:
            self._calls = ScheduledCalls(CustodyNode(self._rpc_url, admin, self._abis), self._from_block)
        return Governance(admin, True, self._calls.pending(head, now))


class CustodyNode:
    """One Custody contract on one node."""

    def __init__(self, rpc_url: str, custody: str, abis: KnownAbis) -> None:
        self.w3: Web3 = make_web3(rpc_url)
        self.abis = abis
        self.contract: Contract = self.w3.eth.contract(
            address=to_checksum_address(custody), abi=load_artifact("Custody").abi
        )
        self._grace_period: int | None = None

    # ------------------------------------------------------------ reads

    def chain_id(self) -> int:
        return int(self._read(lambda: self.w3.eth.chain_id))

    def nonce(self) -> int:
        return int(self._read(self.contract.functions.nonce().call))

    def owners(self) -> list[str]:
        return [to_checksum_address(o) for o in self._read(self.contract.functions.getOwners().call)]

    def threshold(self) -> int:
        return int(self._read(self.contract.functions.threshold().call))

    def daily_limit(self, token: str) -> int:
        return int(self._read(self.contract.functions.dailyLimit(to_checksum_address(token)).call))

    def now(self) -> int:
        """The latest block's timestamp: the contract's clock."""
        return int(self._read(lambda: self.w3.eth.get_block("latest"))["timestamp"])

    def ready_at(self, call: ScheduledCall) -> int:
        return int(self._read(self.contract.functions.readyAt(call.operation_id).call))

    def grace_period(self) -> int:
        """How long a due operation stays executable: a constant of the contract, read once."""
        if self._grace_period is None:
            self._grace_period = int(self._read(self.contract.functions.GRACE_PERIOD().call))
        return self._grace_period

    def administers(self, target: str) -> bool:
        """Whether `target` answers the Exchange's `admin()` with this Custody: a call labelled `Exchange.<fn>` by its
        selector alone may be aimed at any contract."""
        return exchange_admin(self.w3, target) == self.contract.address

    def require_contract(self) -> None:
        """Refuse an address without code: every call to it answers nothing, which reads as a node that did not
        answer, or as a queue with nothing pending."""
        if not self._read(lambda: self.w3.eth.get_code(self.contract.address)):
            raise TreasuryError(f"no contract at {self.contract.address} on chain {self.chain_id()}: check --custody")

    def status(self, tokens: Iterable[str], from_block: int = 0) -> CustodyStatus:
        """Owners, threshold, nonce, delay, and for ETH, `tokens` and every token moved today: limit and spent."""
        self.require_contract()
        spent = self.spent_today(from_block)
        keys = sorted({ETH, *(to_checksum_address(t) for t in tokens), *spent})
        return CustodyStatus(
            owners=self.owners(),
            threshold=self.threshold(),
            nonce=self.nonce(),
            timelock_delay=int(self._read(self.contract.functions.timelockDelay().call)),
            daily_limits={token: self.daily_limit(token) for token in keys},
            spent_today={token: spent.get(token, 0) for token in keys},
        )

    def spent_today(self, from_block: int = 0) -> dict[str, int]:
        """What the contract counted today against the daily limits (`spentToday`), for ETH and each target of
        today's direct executions (the contract measures a token's outflow by its balance: only it knows). Only the
        blocks of today (UTC), at or after `from_block`, are read."""
        latest = self._read(lambda: self.w3.eth.get_block("latest"))
        head, day_start = int(latest["number"]), int(latest["timestamp"]) // DAY * DAY
        moved = {ETH}
        for log in self._logs(self.contract.events.Executed(), self._first_block_at(day_start, from_block, head), head):
            moved.add(to_checksum_address(log["args"]["target"]))
        spent = {token: int(self._read(self.contract.functions.spentToday(token).call)) for token in sorted(moved)}
        return {token: amount for token, amount in spent.items() if amount}

    def pending_operations(self, from_block: int = 0) -> list[PendingOperation]:
        """Scheduled operations not yet executed nor cancelled, soonest first; expired ones among them, marked."""
        self.require_contract()
        return self.operations(self.scheduled_calls(from_block, self.head()))

    def head(self) -> int:
        return int(self._read(lambda: self.w3.eth.block_number))

    def scheduled_calls(self, from_block: int, to_block: int) -> list[ScheduledCall]:
        """The calls scheduled in blocks `from_block` to `to_block` (`CallScheduled`)."""
        calls = []
        for log in self._logs(self.contract.events.CallScheduled(), from_block, to_block):
            args = log["args"]
            target = to_checksum_address(args["target"])
            calls.append(ScheduledCall(target, int(args["value"]), bytes(args["data"]), bytes(args["salt"])))
        return calls

    def _logs(self, event: Any, from_block: int, to_block: int) -> list[Any]:
        """`event`'s logs in blocks `from_block` to `to_block`, read `LOG_RANGE` blocks at a time: providers refuse
        wider `eth_getLogs` ranges."""
        logs = []
        for low in range(from_block, to_block + 1, LOG_RANGE):
            high = min(to_block, low + LOG_RANGE - 1)
            logs.extend(self._read(partial(event.get_logs, from_block=low, to_block=high)))
        return logs

    def _first_block_at(self, timestamp: int, low: int, high: int) -> int:
        """The first of blocks `low` to `high` stamped at or after `timestamp` (`high` must be): block times never go
        back, so a binary search reads some 25 blocks on a chain of millions, not every log since `low`."""
        while low < high:
            middle = (low + high) // 2
            if int(self._read(partial(self.w3.eth.get_block, middle))["timestamp"]) < timestamp:
                low = middle + 1
            else:
                high = middle
        return low

    def operations(self, calls: Iterable[ScheduledCall], now: int | None = None) -> list[PendingOperation]:
        """Those of `calls` still scheduled (not executed nor cancelled), soonest first; expired ones marked as of
        chain time `now` (the latest block's when not given). A call scheduled again after it expired is listed
        once."""
        now, grace = self.now() if now is None else now, self.grace_period()
        pending = []
        for operation_id, call in {call.operation_id: call for call in calls}.items():
            ready = self.ready_at(call)
            if ready:  # zero once executed or cancelled
                expires = ready + grace
                pending.append(PendingOperation(operation_id, call, ready, max(0, ready - now), expires, now > expires))
        return sorted(pending, key=lambda op: op.ready_at)

    # ------------------------------------------------------------ checks and sends

    def require_matches(self, proposal: Proposal) -> None:
        """Refuse a proposal for another chain or another contract than this node's Custody."""
        proposal.verify(self.abis, chain_id=self.chain_id(), custody=self.contract.address)

    def require_executable(self, proposal: Proposal) -> None:
        """Refuse what `execute` would not send, before any key is unlocked: another chain or contract, below
        threshold, a schedule whose operation is scheduled already, a nonce not the contract's, expired approvals."""
        self.require_matches(proposal)
        require_owners(proposal, self.owners())
        threshold = self.threshold()
        if len(proposal.approvals) < threshold:
            raise TreasuryError(
                f"below threshold: {len(proposal.approvals)} of {threshold} approvals; nothing was sent"
            )
        tx = proposal.transaction
        call = scheduled_call(tx, self.abis)
        if call is not None and (ready := self.ready_at(call)) and self.now() <= ready + self.grace_period():
            raise TreasuryError(
                f"operation 0x{call.operation_id.hex()} is scheduled already, due at {ready} ({format_utc(ready)}): "
                "`hdex treasury execute` this file once it is due"
            )
        current = self.nonce()
        if tx.nonce < current:
            raise TreasuryError(
                f"the proposal is for Custody nonce {tx.nonce}, the contract is at {current} "
                "(executed already, or another proposal went first): propose again"
            )
        if tx.nonce > current:
            raise TreasuryError(
                f"the proposal is for Custody nonce {tx.nonce}, the contract is at {current}: the proposals for "
                f"nonces {current} to {tx.nonce - 1} must be executed first"
            )
        if self.now() > tx.deadline:
            raise TreasuryError(f"the approvals expired at {tx.deadline} ({format_utc(tx.deadline)}): propose again")

    def execute(self, proposal: Proposal, sender: LocalAccount) -> str:
        """Send `Custody.execute` with the proposal's approvals (`require_executable`), unless the simulation
        reverts. Returns the transaction hash."""
        self.require_executable(proposal)
        tx = proposal.transaction
        fn = self.contract.functions.execute(
            to_checksum_address(tx.target), tx.value, tx.data, tx.deadline, proposal.ordered_signatures()
        )
        return self._simulate_and_send(fn, sender)

    def require_due(self, proposal: Proposal) -> ScheduledCall:
        """The operation a scheduled proposal queued, refused (before any key is unlocked) unless it is due."""
        self.require_matches(proposal)
        call = scheduled_call(proposal.transaction, self.abis)
        if call is None:
            raise TreasuryError("this proposal is not a timelocked schedule: use `execute` to run it")
        ready = self.ready_at(call)
        if ready == 0:
            raise TreasuryError(
                f"operation 0x{call.operation_id.hex()} is not scheduled (run `hdex treasury schedule` first, "
                "or it was executed or cancelled)"
            )
        now = self.now()
        if now < ready:
            raise TreasuryError(
                f"operation 0x{call.operation_id.hex()} is due at {ready} ({format_utc(ready)}), in "
                f"{format_duration(ready - now)}"
            )
        grace = self.grace_period()
        if now > ready + grace:
            raise TreasuryError(
                f"operation 0x{call.operation_id.hex()} expired at {ready + grace} ({format_utc(ready + grace)}), "
                f"{format_duration(grace)} after it was due: nobody can run it now; "
                "propose it again to schedule it anew"
            )
        return call

    def execute_scheduled(self, proposal: Proposal, sender: LocalAccount) -> str:
        """Run the operation a scheduled proposal queued, once its delay has passed (`require_due`)."""
        call = self.require_due(proposal)
        fn = self.contract.functions.executeScheduled(call.target, call.value, call.data, call.salt)
        return self._simulate_and_send(fn, sender)

    def _simulate_and_send(self, fn: Any, sender: LocalAccount) -> str:
        try:
            fn.call({"from": sender.address})
        except (ContractCustomError, ContractLogicError) as exc:
            raise TreasuryError(f"simulation reverted, nothing was sent: {self._revert_reason(exc)}") from None
        except (Web3Exception, OSError) as exc:
            raise TreasuryError(f"the node failed the simulation: {printable(str(exc))}") from None
        try:
            tx = fn.build_transaction(
                {
                    "from": sender.address,
                    "nonce": self.w3.eth.get_transaction_count(sender.address, "pending"),
                    "chainId": self.w3.eth.chain_id,
                }
            )
        except (Web3Exception, OSError) as exc:
            raise TreasuryError(
                f"the node failed to prepare the transaction, nothing was sent: {printable(str(exc))}"
            ) from None
        signed = sender.sign_transaction(tx)
        tx_hash = signed.hash.to_0x_hex()  # known before sending: the node may take it and never answer
        try:
            self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Web3Exception as exc:  # an answer that is an error: the node did not take it
            raise TreasuryError(
                f"the node refused transaction {tx_hash}, nothing was sent: {printable(str(exc))}"
            ) from None
        except OSError as exc:  # no answer: it may have arrived
            raise TransactionNotMined(tx_hash, f"the node did not answer: {exc}") from None
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=RECEIPT_TIMEOUT_S)
        except (Web3Exception, OSError) as exc:  # TimeExhausted, or the node fell silent
            raise TransactionNotMined(tx_hash, str(exc)) from None
        if receipt["status"] != 1:
            raise TreasuryError(f"transaction {tx_hash} reverted on-chain")
        return tx_hash

    def _revert_reason(self, exc: ContractCustomError | ContractLogicError) -> str:
        data = exc.data if isinstance(exc.data, str) else None
        if data and data.startswith("0x"):
            return self.abis.decode_error(bytes.fromhex(data[2:]))
        return printable(str(exc.message or exc))  # the node's words, or a contract's revert string: any text

    _read = staticmethod(_read_node)
