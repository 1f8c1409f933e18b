"""Deploy HDEX's contracts: Custody, then Exchange with Custody as admin; on the dev chain, demo tokens too.

Runs in the application venv (web3 + eth-account, never brownie). Every transaction is signed locally with a
key, so it works against any node, not only one with unlocked accounts. The Exchange's admin calls go
through Custody with owner approvals signed by `custody.approvals`.

Dev chain, by design of the contracts: token listing is an *immediate* admin call (listing cannot hurt
existing users: balances are per token), so the deploy needs no timelock wait. Operator, fee schedule, fee
recipient and exit delay are set by the Exchange constructor; changing any of them later goes through the
Custody timelock. The dev stack also deploys a Chainlink-shaped `DevPriceFeed` for WETH/USDC (8 decimals,
moved by the deployer key) but does not make it the market's price source: that is a timelocked call, which
`attach_dev_price_feed` makes on a dev chain by moving the chain's clock past the delay.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.types import Nonce
from web3.utils.address import get_create_address

from backend.chain.artifacts import load_artifact
from backend.chain.devkeys import CUSTODY_OWNER_INDICES, DEPLOYER_INDEX, DEV_KEYS, OPERATOR_INDEX, TRADER_INDICES
from custody.approvals import CustodyTransaction, sign_all

log = logging.getLogger(__name__)

DEV_THRESHOLD = 2
DEV_TIMELOCK_DELAY = 3600  # seconds; Custody's minimum
DEV_EXIT_DELAY = 3600  # seconds; Exchange's minimum
DEV_MAKER_FEE_RATE = 1_000  # millionths of the amount received: 0.10%
DEV_TAKER_FEE_RATE = 2_000  # 0.20%
# (symbol, name, decimals, amount minted to each dev trader in whole tokens)
DEV_TOKENS: tuple[tuple[str, str, int, int], ...] = (
    ("WETH", "Wrapped Ether", 18, 1_000),
    ("USDC", "USD Coin", 6, 1_000_000),
)
DEV_FEED_DECIMALS = 8
DEV_FEED_ANSWER = 2_000 * 10**DEV_FEED_DECIMALS  # 2,000 USDC per WETH
DEV_FEED_MAX_AGE = 3600  # seconds an answer is trusted


class DeployError(RuntimeError):
    """A deployment transaction failed; the message names the step."""


@dataclass(frozen=True)
class DeployedStack:
    """Contract name -> checksummed address, and the block of the first deployment (where an indexer starts)."""

    contracts: dict[str, str]
    block_number: int


def gas_limit(estimate: int) -> int:
    """A transaction's gas limit: the node's estimate and 20% more."""
    return estimate * 12 // 10


class _Deployer:
    """Signs and sends transactions from one key, tracking its nonce locally.

    `send_*` sends without waiting and `settle` then waits for every receipt sent since: on a chain that mines
    a block every N seconds (`hdex up`'s anvil), transactions sent together land in one block, so a batch
    costs one block time rather than one per transaction. `deploy` and `call` send and settle at once.
    """

    def __init__(self, w3: Web3, key: str) -> None:
        self.w3 = w3
        self.account: LocalAccount = Account.from_key(key)
        self.nonce: int = int(w3.eth.get_transaction_count(self.account.address, "pending"))
        self.chain_id = w3.eth.chain_id
        # (transaction hash, step, the address a deployment creates) sent and not yet settled, in nonce order
        self._unsettled: list[tuple[Any, str, str | None]] = []

    def _send(self, tx: dict[str, Any], step: str, creates: str | None = None) -> None:
        tx.setdefault("from", self.account.address)
        tx["nonce"] = self.nonce
        tx["chainId"] = self.chain_id
        if "gas" not in tx:
            tx["gas"] = gas_limit(int(self.w3.eth.estimate_gas(tx)))  # type: ignore[arg-type]
        signed = self.account.sign_transaction(tx)
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        self.nonce += 1
        self._unsettled.append((tx_hash, step, creates))

    def settle(self) -> list[Any]:
        """Waits for the receipt of every transaction sent since the last settle; each must have succeeded
        (and a deployment created the address its sender and nonce gave). Returns them in nonce order."""
        unsettled, self._unsettled = self._unsettled, []
        receipts = []
        for tx_hash, step, creates in unsettled:
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=60)
            if receipt["status"] != 1:
                raise DeployError(f"{step} failed in transaction {tx_hash.hex()}")
            if creates is not None and Web3.to_checksum_address(str(receipt["contractAddress"])) != creates:
                raise DeployError(f"{step} created {receipt['contractAddress']}, not {creates}")
            if creates is not None:
                log.info("contract deployed name=%s address=%s", step.removeprefix("deploy "), creates)
            receipts.append(receipt)
        return receipts

    def send_deploy(self, name: str, *args: Any) -> Contract:
        """Sends the deployment of `name` unsettled; the contract's address follows from sender and nonce."""
        artifact = load_artifact(name)
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        address = get_create_address(self.account.address, Nonce(self.nonce))
        tx = factory.constructor(*args).build_transaction({"from": self.account.address, "nonce": self.nonce})
        self._send(dict(tx), f"deploy {name}", creates=address)
        return self.w3.eth.contract(address=address, abi=artifact.abi)

    def deploy(self, name: str, *args: Any) -> tuple[Contract, int]:
        contract = self.send_deploy(name, *args)
        return contract, int(self.settle()[-1]["blockNumber"])

    def send_call(self, fn: Any, step: str) -> None:
        """Sends the call unsettled."""
        tx = fn.build_transaction({"from": self.account.address, "nonce": self.nonce})
        self._send(dict(tx), step)

    def call(self, fn: Any, step: str) -> Any:
        self.send_call(fn, step)
        return self.settle()[-1]


def deploy_core(
    w3: Web3,
    deployer_key: str,
    owners: Sequence[str],
    threshold: int,
    operator: str,
    *,
    timelock_delay: int = DEV_TIMELOCK_DELAY,
    exit_delay: int = DEV_EXIT_DELAY,
    maker_fee_rate: int = DEV_MAKER_FEE_RATE,
    taker_fee_rate: int = DEV_TAKER_FEE_RATE,
) -> tuple[Contract, Contract, int]:
    """Deploys Custody (M-of-N `owners`) and Exchange (admin and fee recipient: Custody; `operator`).

    Returns (custody, exchange, block of the Custody deployment).
    """
    deployer = _Deployer(w3, deployer_key)
    custody, first_block = deployer.deploy("Custody", *custody_arguments(owners, threshold, timelock_delay))
    exchange, _ = deployer.deploy(
        "Exchange", *exchange_arguments(custody.address, operator, maker_fee_rate, taker_fee_rate, exit_delay)
    )
    return custody, exchange, first_block


def custody_arguments(owners: Sequence[str], threshold: int, timelock_delay: int) -> tuple[Any, ...]:
    """Custody's constructor arguments: M-of-N `owners` and the timelock."""
    return [Web3.to_checksum_address(o) for o in owners], threshold, timelock_delay


def exchange_arguments(
    custody: str, operator: str, maker_fee_rate: int, taker_fee_rate: int, exit_delay: int
) -> tuple[Any, ...]:
    """The Exchange's constructor arguments: Custody its admin and fee recipient, the operator, fees, exit delay."""
    custody = Web3.to_checksum_address(custody)
    return custody, Web3.to_checksum_address(operator), custody, maker_fee_rate, taker_fee_rate, exit_delay


def creation_gas(w3: Web3, sender: str, name: str, *args: Any) -> int:
    """The gas `sender` deploying `name` with `args` uses, as the node estimates it (`_Deployer` sends `gas_limit`)."""
    artifact = load_artifact(name)
    data = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode).constructor(*args).data_in_transaction
    return int(w3.eth.estimate_gas({"from": Web3.to_checksum_address(sender), "data": data}))


def execute_through_custody(
    w3: Web3, custody: Contract, sender_key: str, owner_keys: Sequence[str], target: str, data: bytes, value: int = 0
) -> Any:
    """Executes `target.call{value}(data)` from Custody with approvals signed by `owner_keys`."""
    return _execute(_Deployer(w3, sender_key), custody, owner_keys, target, data, value)


def _execute(
    sender: _Deployer,
    custody: Contract,
    owner_keys: Sequence[str],
    target: str,
    data: bytes,
    value: int = 0,
    *,
    settle: bool = True,
) -> Any:
    w3 = sender.w3
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600
    transaction = CustodyTransaction(
        chain_id=w3.eth.chain_id,
        custody=custody.address,
        target=target,
        value=value,
        data=data,
        nonce=int(custody.functions.nonce().call()),
        deadline=deadline,
    )
    signatures = sign_all(transaction, owner_keys)
    fn = custody.functions.execute(Web3.to_checksum_address(target), value, data, deadline, signatures)
    sender.send_call(fn, f"custody execute on {target}")
    return sender.settle()[-1] if settle else None


def deploy_dev_stack(w3: Web3) -> DeployedStack:
    """The development stack on a fresh dev chain (anvil's well-known keys).

    Custody 2-of-3 over dev accounts 2, 3, 4; Exchange with Custody as admin and fee recipient and dev account
    1 as operator; WETH (18 decimals) and USDC (6) deployed, listed through Custody (owners 2 and 3 approve)
    and minted to the dev traders 5..9 (1,000 WETH and 1,000,000 USDC each).
    """
    owner_keys = [DEV_KEYS[i] for i in CUSTODY_OWNER_INDICES]
    owners = [Account.from_key(k).address for k in owner_keys]
    operator = Account.from_key(DEV_KEYS[OPERATOR_INDEX]).address
    deployer = _Deployer(w3, DEV_KEYS[DEPLOYER_INDEX])
    # Sent in batches, each settled before a transaction that reads what it wrote (a token to list and mint,
    # Custody's nonce): three blocks rather than seventeen, in the same nonce order (so the same addresses).
    custody = deployer.send_deploy("Custody", owners, DEV_THRESHOLD, DEV_TIMELOCK_DELAY)
    exchange = deployer.send_deploy(
        "Exchange", custody.address, operator, custody.address, DEV_MAKER_FEE_RATE, DEV_TAKER_FEE_RATE, DEV_EXIT_DELAY
    )
    contracts: dict[str, str] = {"Custody": str(custody.address), "Exchange": str(exchange.address)}
    traders = [Account.from_key(DEV_KEYS[i]).address for i in TRADER_INDICES]
    first_block: int | None = None
    for symbol, name, decimals, whole in DEV_TOKENS:
        token = deployer.send_deploy("TestERC20", name, symbol, decimals)
        receipts = deployer.settle()
        first_block = int(receipts[0]["blockNumber"]) if first_block is None else first_block
        contracts[symbol] = str(token.address)
        data = Web3.to_bytes(hexstr=exchange.encode_abi("setTokenListed", args=[token.address, True]))
        _execute(deployer, custody, owner_keys[:DEV_THRESHOLD], exchange.address, data, settle=False)
        for trader in traders:
            deployer.send_call(token.functions.mint(trader, whole * 10**decimals), f"mint {symbol}")
    feed = deployer.send_deploy("DevPriceFeed", DEV_FEED_DECIMALS, "WETH / USDC", DEV_FEED_ANSWER)
    deployer.settle()
    contracts["DevPriceFeed"] = str(feed.address)
    assert first_block is not None  # DEV_TOKENS is not empty
    log.info("dev stack deployed block=%d %s", first_block, contracts)
    return DeployedStack(contracts=contracts, block_number=first_block)


def attach_dev_price_feed(
    w3: Web3, custody: Contract, exchange: Contract, base: str, quote: str, feed: str, max_age: int = DEV_FEED_MAX_AGE
) -> None:
    """Makes `feed` market (`base`, `quote`)'s price source on a dev chain: schedules `setPriceFeed` through
    Custody (owners 2 and 3 approve), moves the chain's clock past the timelock (anvil's `evm_increaseTime`),
    executes it, and refreshes the dev feed's answer (its update time is now older than the delay)."""
    sender = _Deployer(w3, DEV_KEYS[DEPLOYER_INDEX])
    owner_keys = [DEV_KEYS[i] for i in CUSTODY_OWNER_INDICES][:DEV_THRESHOLD]
    args = [Web3.to_checksum_address(a) for a in (base, quote, feed)]
    data = Web3.to_bytes(hexstr=exchange.encode_abi("setPriceFeed", args=[*args, max_age]))
    salt = Web3.keccak(data)
    schedule = Web3.to_bytes(hexstr=custody.encode_abi("schedule", args=[exchange.address, 0, data, salt]))
    _execute(sender, custody, owner_keys, custody.address, schedule)
    w3.provider.make_request("evm_increaseTime", [int(custody.functions.timelockDelay().call()) + 1])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    sender.call(custody.functions.executeScheduled(exchange.address, 0, data, salt), "custody executeScheduled")
    dev_feed = w3.eth.contract(address=args[2], abi=load_artifact("DevPriceFeed").abi)
    answer = int(dev_feed.functions.latestAnswer().call())
    sender.call(dev_feed.functions.setAnswer(answer), "dev feed refresh")
