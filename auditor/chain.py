"""Everything the auditor asks the node, over plain JSON-RPC (web3's HTTP provider, no middleware of ours)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from eth_abi.abi import decode, encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3
from web3.exceptions import BlockNotFound, ContractLogicError, Web3Exception, Web3RPCError

from auditor.abi import Call, Event, ExchangeAbi, Order, UndecodedLog
from auditor.errors import AuditError
from auditor.state import ETHER
from auditor.stops import PriceSource

T = TypeVar("T")


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


_BALANCE_OF = _selector("balanceOf(address,address)")
_ERC20_BALANCE_OF = _selector("balanceOf(address)")
_ORDER_STATUS = _selector("orderStatus(bytes32)")
_IS_NONCE_USED = _selector("isNonceUsed(address,uint64)")
_WALLET_STATE = _selector("walletState(address)")
_DOMAIN_SEPARATOR = _selector("domainSeparator()")
_MAKER_FEE_RATE = _selector("makerFeeRate()")
_TAKER_FEE_RATE = _selector("takerFeeRate()")
_PRICE_FEED = _selector("priceFeed(address,address)")
_LATEST_ROUND_DATA = _selector("latestRoundData()")
_IS_WITHDRAWAL_PROCESSED = _selector("isWithdrawalProcessed(bytes32)")
_IS_VALID_SIGNATURE = _selector("isValidSignature(bytes32,bytes)")
# What SignatureVerifier takes as a yes: exactly one word, the selector left-aligned, nothing else.
_ERC1271_MAGIC = _IS_VALID_SIGNATURE + bytes(28)


class ChainReader:
    """Reads one Exchange: its logs, its settle transactions and its views at a given block."""

    def __init__(self, rpc_url: str, exchange: str, abi: ExchangeAbi) -> None:
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 60}))
        try:
            self.exchange = to_checksum_address(exchange)
        except ValueError:
            raise AuditError(f"not an address: {exchange}") from None
        self.abi = abi
        self._code: dict[str, bool] = {}
        self._last_block_time: tuple[int, int] | None = None  # (block, timestamp): one read per block

    def _ask(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (OSError, Web3Exception, ValueError) as exc:
            raise AuditError(f"the node failed on {what}: {exc}") from None

    def chain_id(self) -> int:
        return int(self._ask("eth_chainId", lambda: self.w3.eth.chain_id))

    def head(self) -> int:
        return int(self._ask("eth_blockNumber", lambda: self.w3.eth.block_number))

    def require_exchange(self, block: int) -> None:
        """Refuses, before any block is scanned, an address that is not an Exchange at `block`: with no code, or
        whose code does not answer the Exchange's `domainSeparator()` and `makerFeeRate()` with one word each (a
        token's revert; the Custody answers a domain separator of its own, then would be scanned whole and reported
        as a `domain-mismatch`). Found only at the end, it would cost a whole scan of an archive node and end in a
        verdict about the exchange that is about the address."""
        if not self.has_code(self.exchange, block):
            raise AuditError(f"no contract at {self.exchange} at block {block}: wrong --exchange or --rpc?")

        def answer(selector: bytes) -> Callable[[], bytes]:
            def ask() -> bytes:
                call = {"to": self.exchange, "data": "0x" + selector.hex()}
                try:
                    return bytes(self.w3.eth.call(call, block))  # type: ignore[arg-type]
                except ContractLogicError:  # a revert: no such function
                    return b""

            return ask

        for view, selector in (("domainSeparator()", _DOMAIN_SEPARATOR), ("makerFeeRate()", _MAKER_FEE_RATE)):
            if len(self._ask(f"eth_call at block {block}", answer(selector))) != 32:
                raise AuditError(
                    f"the contract at {self.exchange} is not an Exchange: it does not answer {view} at block "
                    f"{block}: wrong --exchange?"
                )

    def logs(self, first: int, last: int) -> tuple[list[Event], list[UndecodedLog]]:
        """The Exchange's logs in blocks `first..last`, in chain order: those the ABI decodes, and those it cannot
        (kept, never dropped: an ABI out of step with the contract must not hide its events)."""
        raw = self._ask(
            f"eth_getLogs {first}-{last}",
            lambda: self.w3.eth.get_logs({"address": self.exchange, "fromBlock": first, "toBlock": last}),
        )
        events: list[Event] = []
        undecoded: list[UndecodedLog] = []
        for log in raw:
            decoded = self.abi.decode_log(dict(log))
            if isinstance(decoded, Event):
                events.append(decoded)
            else:
                undecoded.append(decoded)
        return (
            sorted(events, key=lambda e: (e.block, e.log_index)),
            sorted(undecoded, key=lambda u: (u.block, u.log_index)),
        )

    def call(self, tx_hash: str) -> Call:
        """The decoded `settle` or `withdraw` arguments of a transaction sent straight to the Exchange, else None."""
        tx = self._ask(f"eth_getTransactionByHash {tx_hash}", lambda: self.w3.eth.get_transaction(tx_hash))  # type: ignore[arg-type]
        if tx.get("to") is None or to_checksum_address(str(tx["to"])) != self.exchange:
            return None
        return self.abi.decode_call(bytes(tx["input"]))

    def withdrawal_processed(self, withdrawal_hash: str, block: int) -> bool:
        """Whether the Exchange had paid this withdrawal at `block` (`isWithdrawalProcessed`)."""
        data = _IS_WITHDRAWAL_PROCESSED + bytes.fromhex(withdrawal_hash[2:])
        return bool(self._call(self.exchange, data, block, ["bool"])[0])

    def block_hash(self, block: int) -> str:
        """The hash of block `block` on the chain now (0x and 64 hex digits)."""
        try:
            found = self.w3.eth.get_block(block)
        except BlockNotFound:
            raise AuditError(f"the chain has no block {block} now: a reorg made it shorter") from None
        except (OSError, Web3Exception, ValueError) as exc:
            raise AuditError(f"the node failed on eth_getBlockByNumber {block}: {exc}") from None
        return "0x" + bytes(found["hash"]).hex()

    def block_timestamp(self, block: int) -> int:
        """The timestamp of `block` (what `block.timestamp` read in its transactions), read once however many of
        its settlements, withdrawals and exits ask (they come in block order)."""
        if self._last_block_time is None or self._last_block_time[0] != block:
            found = self._ask(f"eth_getBlockByNumber {block}", lambda: self.w3.eth.get_block(block))
            self._last_block_time = (block, int(found["timestamp"]))
        return self._last_block_time[1]

    def has_code(self, address: str, block: int | str = "latest") -> bool:
        """Whether `address` holds code after `block`."""
        key = f"{address}@{block}"
        if key not in self._code:
            code = self._ask(f"eth_getCode {address}", lambda: self.w3.eth.get_code(address, block))  # type: ignore[arg-type]
            self._code[key] = len(code) > 0
        return self._code[key]

    def accepts(self, wallet: str, digest: str, signature: bytes, block: int) -> bool:
        """Whether contract `wallet` answers `isValidSignature(digest, signature)` from the Exchange, in the state after
        `block`, exactly as SignatureVerifier takes a yes (one word: the magic value); a revert is a no."""
        data = _IS_VALID_SIGNATURE + encode(["bytes32", "bytes"], [bytes.fromhex(digest[2:]), signature])
        call = {"from": self.exchange, "to": wallet, "data": "0x" + data.hex()}
        try:
            answer = self.w3.eth.call(call, block)  # type: ignore[arg-type]
        except (ContractLogicError, Web3RPCError):  # a revert, or out of gas or an invalid opcode: the contract's
            return False  # staticcall takes any failure as a no
        except (OSError, Web3Exception, ValueError) as exc:
            raise AuditError(f"the node failed on eth_call isValidSignature at block {block}: {exc}") from None
        return bytes(answer) == _ERC1271_MAGIC

    def price_source(self, base_token: str, quote_token: str, block: int) -> PriceSource:
        """The market's price source at `block` (the Exchange's `priceFeed`)."""
        data = _PRICE_FEED + encode(["address", "address"], [base_token, quote_token])
        feed, max_age, scale_up, scale_down = self._call(
            self.exchange, data, block, ["address", "uint32", "uint8", "uint8"]
        )
        return PriceSource(to_checksum_address(feed), int(max_age), int(scale_up), int(scale_down))

    def latest_round(self, feed: str, block: int) -> tuple[int, int] | None:
        """The feed's (answer, updatedAt) at `block`, read as PriceSourceLib.latest reads it: None when the call
        reverts, answers fewer than five words, or answers zero or less."""
        call = {"from": self.exchange, "to": feed, "data": "0x" + _LATEST_ROUND_DATA.hex()}
        try:
            answer = bytes(self.w3.eth.call(call, block))  # type: ignore[arg-type]
        except (ContractLogicError, Web3RPCError):  # any failure: PriceSourceLib.latest's low-level call says not ok
            return None
        except (OSError, Web3Exception, ValueError) as exc:
            raise AuditError(f"the node failed on eth_call latestRoundData at block {block}: {exc}") from None
        if len(answer) < 160:
            return None
        value, updated_at = int.from_bytes(answer[32:64], signed=True), int.from_bytes(answer[96:128])
        return (value, updated_at) if value > 0 else None

    def _call(self, to: str, data: bytes, block: int, types: list[str]) -> tuple[Any, ...]:
        result = self._ask(
            f"eth_call at block {block}",
            lambda: self.w3.eth.call({"to": to, "data": "0x" + data.hex()}, block),  # type: ignore[typeddict-item]
        )
        return tuple(decode(types, bytes(result)))

    def vault_balance(self, wallet: str, token: str, block: int) -> int:
        """The Exchange's `balanceOf(wallet, token)` view at `block`."""
        data = _BALANCE_OF + encode(["address", "address"], [wallet, token])
        return int(self._call(self.exchange, data, block, ["uint256"])[0])

    def held(self, token: str, block: int) -> int:
        """What the Exchange holds of `token` at `block` (ETH: its ether balance; else ERC-20 balanceOf)."""
        if token == ETHER:
            return int(self._ask("eth_getBalance", lambda: self.w3.eth.get_balance(self.exchange, block)))
        data = _ERC20_BALANCE_OF + encode(["address"], [self.exchange])
        return int(self._call(token, data, block, ["uint256"])[0])

    def order_status(self, order_hash: str, block: int) -> tuple[int, bool, bool]:
        """An order's fill counter at `block`: its filled amount, cached signature check and cancel flag."""
        data = _ORDER_STATUS + bytes.fromhex(order_hash[2:])
        filled, verified, cancelled = self._call(self.exchange, data, block, ["uint128", "bool", "bool"])
        return int(filled), bool(verified), bool(cancelled)

    def wallet_state(self, wallet: str, block: int) -> tuple[int, int]:
        """`wallet`'s nonce floor and exit (when it becomes withdrawable, 0: none) at `block` (`walletState`)."""
        data = _WALLET_STATE + encode(["address"], [wallet])
        floor, exit_available_at = self._call(self.exchange, data, block, ["uint64", "uint64"])
        return int(floor), int(exit_available_at)

    def nonce_used(self, maker: str, nonce: int, block: int) -> bool:
        """Whether `maker`'s `nonce` is used at `block` (the Exchange's `isNonceUsed`)."""
        data = _IS_NONCE_USED + encode(["address", "uint64"], [maker, nonce])
        return bool(self._call(self.exchange, data, block, ["bool"])[0])

    def opening_fill(self, order: Order, order_hash: str, block: int) -> tuple[int, bool, bool]:
        """An order's fill, cached signature check and cancel flag at `block` (the opening state of a partial
        range), from both fill records (IExchange "Fill records"): its counter when it has one; else, if its nonce
        is used, it can take no further fill (filled completely in one batch, or its nonce spent by another order
        or a cancel), so it opens as filled to its whole amount; else it is new."""
        filled, verified, cancelled = self.order_status(order_hash, block)
        if not verified and not cancelled and self.nonce_used(order.maker, order.nonce, block):
            return order.base_amount, False, False
        return filled, verified, cancelled

    def domain_separator(self, block: int) -> str:
        return "0x" + bytes(self._call(self.exchange, _DOMAIN_SEPARATOR, block, ["bytes32"])[0]).hex()

    def fee_schedule(self, block: int) -> tuple[int, int]:
        maker = self._call(self.exchange, _MAKER_FEE_RATE, block, ["uint32"])[0]
        taker = self._call(self.exchange, _TAKER_FEE_RATE, block, ["uint32"])[0]
        return int(maker), int(taker)
