"""A deployed development stack on a real anvil, and the wallet actions tests need."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3
from web3.contract import Contract

from backend.bootstrap import Container, bootstrap
from backend.chain.artifacts import load_artifact
from backend.chain.deploy import (
    DEV_THRESHOLD,
    DEV_TIMELOCK_DELAY,
    DeployedStack,
    custody_arguments,
    deploy_dev_stack,
    execute_through_custody,
)
from backend.chain.deployments import record_deployments
from backend.chain.devkeys import CUSTODY_OWNER_INDICES, DEPLOYER_INDEX, DEV_KEYS
from backend.chain.jsonrpc import JsonRpcClient, RpcError
from backend.chain.node import AnvilNode
from backend.chain.rpc import make_web3
from backend.engine import MarketState
from backend.settings import get_settings, load_settings
from backend.signing.typed_data import eip712_types
from backend.trading.rules.markets import Market
from backend.trading.store.markets import add_market

from .conftest import free_port

# Tests of trading, funds and settlement are not about KYC tiers (tests/integration/limits is): every level
# may move far more than they do, and WETH and ETH have a price before the first trade. Nor are they about
# the travel rule or the minimum withdrawal (tests/integration/risk is): no withdrawal of theirs reaches the
# threshold, and any may be as small as a test likes.
WIDE_LIMITS: dict[str, Any] = {
    "limits_tiers": {
        level: dict.fromkeys(("withdrawalDaily", "withdrawal30d", "maxOrderNotional"), "1000000000000")
        for level in (0, 1, 2)
    },
    "limits_fixed_prices": {"WETH": 3_000 * 10**6, "0x0000000000000000000000000000000000000000": 3_000 * 10**6},
    "travel_rule_threshold": 10**30,
    "withdrawal_min_value": 0,
}


@dataclass
class DevChain:
    url: str
    stack: DeployedStack

    def __post_init__(self) -> None:
        self.w3: Web3 = make_web3(self.url)
        self.exchange = self.contract("Exchange", self.stack.contracts["Exchange"])
        self._rpc = JsonRpcClient(self.url)  # one connection: a new one per call costs ~50 ms

    def rpc(self, method: str, *params: object) -> Any:
        return self._rpc.call(method, list(params))

    def contract(self, artifact: str, address: str) -> Contract:
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(artifact).abi)

    def token(self, symbol: str) -> Contract:
        return self.contract("TestERC20", self.stack.contracts[symbol])

    def head(self) -> int:
        return int(self.w3.eth.block_number)

    def mine(self, blocks: int = 1) -> None:
        self.rpc("anvil_mine", hex(blocks))

    def send(self, key_index: int, call: Any, value: int = 0) -> dict[str, Any]:
        """Sign with the dev key and send; returns the mined receipt (anvil mines every transaction)."""
        raw = self.sign(key_index, call, value)
        tx_hash = self.w3.eth.send_raw_transaction(raw)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
        assert receipt["status"] == 1, receipt
        return dict(receipt)

    def sign(self, key_index: int, call: Any, value: int = 0, nonce_offset: int = 0) -> bytes:
        account = Account.from_key(DEV_KEYS[key_index])
        tx = call.build_transaction(
            {
                "from": account.address,
                "value": value,
                "nonce": self.w3.eth.get_transaction_count(account.address) + nonce_offset,
                "chainId": self.w3.eth.chain_id,
                "gas": 500_000,
            }
        )
        return bytes(account.sign_transaction(tx).raw_transaction)

    def approve(self, key_index: int, symbol: str, amount: int) -> None:
        self.send(key_index, self.token(symbol).functions.approve(self.exchange.address, amount))

    def deposit(self, key_index: int, symbol: str, amount: int) -> dict[str, Any]:
        """Approve and deposit `amount` of a demo token for dev account `key_index`."""
        self.approve(key_index, symbol, amount)
        return self.send(key_index, self.exchange.functions.depositToken(self.token(symbol).address, amount))

    def deploy_custody(self) -> str:
        """Another Custody over the dev owners, as an exchange moving to a new one would deploy it."""
        artifact = load_artifact("Custody")
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        owners = [Account.from_key(DEV_KEYS[i]).address for i in CUSTODY_OWNER_INDICES]
        deployer = Account.from_key(DEV_KEYS[DEPLOYER_INDEX]).address  # anvil's dev accounts are unlocked
        constructor = factory.constructor(*custody_arguments(owners, DEV_THRESHOLD, DEV_TIMELOCK_DELAY))
        receipt = self.w3.eth.wait_for_transaction_receipt(constructor.transact({"from": deployer}), timeout=30)
        assert receipt["status"] == 1, receipt
        return str(receipt["contractAddress"])

    def schedule(self, target: str, data: bytes, salt: bytes, custody_address: str | None = None) -> Contract:
        """Two owners schedule `target.call(data)` through a Custody (the one deployed with the stack unless said),
        which is returned."""
        custody = self.contract("Custody", custody_address or self.stack.contracts["Custody"])
        schedule = Web3.to_bytes(hexstr=custody.encode_abi("schedule", args=[target, 0, data, salt]))
        owners = [DEV_KEYS[i] for i in CUSTODY_OWNER_INDICES][:DEV_THRESHOLD]
        execute_through_custody(self.w3, custody, DEV_KEYS[DEPLOYER_INDEX], owners, custody.address, schedule)
        return custody

    def hand_admin_to(self, admin: str, custody_address: str | None = None) -> None:
        """The Exchange's admin handed over as the contracts allow it: `setAdmin` scheduled by two owners through
        the Custody that is admin (the one deployed with the stack unless said), and run once the timelock passed."""
        data = Web3.to_bytes(hexstr=self.exchange.encode_abi("setAdmin", args=[admin]))
        salt = Web3.keccak(text=f"admin to {admin}")
        custody = self.schedule(self.exchange.address, data, salt, custody_address)
        self.rpc("evm_increaseTime", int(custody.functions.timelockDelay().call()))
        self.send(DEPLOYER_INDEX, custody.functions.executeScheduled(self.exchange.address, 0, data, salt))
        assert self.exchange.functions.admin().call() == Web3.to_checksum_address(admin)

    def vault_balance(self, key_index: int, symbol: str) -> int:
        wallet = Account.from_key(DEV_KEYS[key_index]).address
        return int(self.exchange.functions.balanceOf(wallet, self.token(symbol).address).call())


class PristineDevChain:
    """One anvil with the development stack deployed, handed to each test as if just deployed on a new node.

    A new node and a deployment cost seconds per test; instead the state right after the deployment is kept
    as an anvil snapshot, and `fresh()` goes back to it: `evm_revert` restores accounts, storage and blocks,
    and what a snapshot does not hold is reset by hand: the mempool (a queued transaction would be mined in
    a later test), the mining mode, and the clock (a reverted node runs from the snapshot's time; a new
    node from the wall clock). When going back cannot give the chain as deployed (a reorg replaced blocks
    of the deployment, or the node died), or the deployment is older than MAX_AGE_S (its blocks' times and
    the dev feed's answer age with it), the node is started anew and the stack deployed again.
    """

    MAX_AGE_S = 600.0

    def __init__(self) -> None:
        self._node: AnvilNode | None = None
        self._rpc: JsonRpcClient | None = None
        self._stack = DeployedStack(contracts={}, block_number=0)
        self._head_hash = ""
        self._snapshot = ""
        self._deployed_at = 0.0

    def __enter__(self) -> PristineDevChain:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._rpc is not None:
            self._rpc.close()
            self._rpc = None
        if self._node is not None:
            self._node.stop()
            self._node = None

    def fresh(self) -> DevChain:
        """The chain as just deployed, for one test (its stack a copy: a test may not change the next's)."""
        too_old = time.monotonic() - self._deployed_at > self.MAX_AGE_S
        if self._rpc is None or too_old or not self._went_back(self._rpc):
            self._deploy()
        assert self._rpc is not None
        return DevChain(self._rpc.url, dataclasses.replace(self._stack, contracts=dict(self._stack.contracts)))

    def _deploy(self) -> None:
        self.close()
        self._node = AnvilNode(port=free_port())
        self._node.start()
        self._rpc = JsonRpcClient(self._node.url)
        self._stack = deploy_dev_stack(make_web3(self._node.url))
        self._deployed_at = time.monotonic()
        self._head_hash = self._rpc.call("eth_getBlockByNumber", ["latest", False])["hash"]
        self._snapshot = self._rpc.call("evm_snapshot", [])

    def _went_back(self, rpc: JsonRpcClient) -> bool:
        """Takes the node back to the snapshot and a new node's settings; False if that is not the deployment
        (a reorg into the deployment's blocks also drops the snapshot: evm_revert fails)."""
        try:
            if rpc.call("evm_revert", [self._snapshot]) is not True:
                return False
            if rpc.call("eth_getBlockByNumber", ["latest", False])["hash"] != self._head_hash:
                return False
            rpc.call("anvil_dropAllTransactions", [])
            rpc.call("evm_setAutomine", [True])
            self._snapshot = rpc.call("evm_snapshot", [])  # a revert uses its snapshot up
            rpc.call("anvil_setTime", [int(time.time())])
        except RpcError:
            return False
        return True


def address_of(key_index: int) -> str:
    return str(Account.from_key(DEV_KEYS[key_index]).address)


# The field lists from the one definition the API serves (GET /v1/eip712); signing below is eth-account's.
ORDER_TYPE = eip712_types()["Order"]
WITHDRAWAL_TYPE = eip712_types()["Withdrawal"]


def sign_typed(
    chain: DevChain, key_index: int, primary: str, fields: list[dict[str, str]], message: dict[str, Any]
) -> bytes:
    """An EIP-712 signature by dev account `key_index` over `message` for the chain's Exchange."""
    from eth_account.messages import encode_typed_data

    typed = {
        "types": {"EIP712Domain": eip712_types()["EIP712Domain"], primary: fields},
        "primaryType": primary,
        "domain": {
            "name": "HDEX Exchange",
            "version": "1",
            "chainId": chain.w3.eth.chain_id,
            "verifyingContract": chain.exchange.address,
        },
        "message": message,
    }
    signed = Account.sign_message(encode_typed_data(full_message=typed), DEV_KEYS[key_index])
    return bytes(signed.signature)


def order(
    chain: DevChain, key_index: int, side: int, base_amount: int, limit_price: int, **extra: int
) -> dict[str, Any]:
    """A limit order on the WETH/USDC demo market (side 0 buy, 1 sell), valid for an hour."""
    fields: dict[str, Any] = {
        "maker": address_of(key_index),
        "baseToken": chain.token("WETH").address,
        "quoteToken": chain.token("USDC").address,
        "side": side,
        "baseAmount": base_amount,
        "limitPrice": limit_price,
        "triggerPrice": 0,
        "maxFeeRate": 3_000,
        "nonce": extra.pop("nonce", 0),
        "expiry": chain.w3.eth.get_block("latest")["timestamp"] + 3600,
        "flags": 0,
    }
    fields.update(extra)
    return fields


def dev_market_container(chain: DevChain, database_url: str, data_dir: Path, **settings: Any) -> Container:
    """A container on `chain` and a migrated database (as the fixtures' are) with the chain's deployment
    recorded and the WETH-USDC dev market; settings fit a test loop (one confirmation, settle at once, no
    fsync) unless `settings` says otherwise."""
    container = bootstrap(
        load_settings(**{
            "_env_file": None, "database_url": database_url, "rpc_url": chain.url, "data_dir": data_dir,
            "redis_url": None, "confirmations": 1, "relayer_confirmations": 1, "settlement_max_wait_s": 0,
            "engine_fsync": False, **WIDE_LIMITS, **settings,
        })
    )  # fmt: skip
    weth, usdc = chain.token("WETH").address, chain.token("USDC").address
    with container.uow() as uow:
        record_deployments(uow.session, 31337, chain.stack.contracts, chain.stack.block_number)
        add_market(
            uow.session,
            Market("WETH-USDC", weth, usdc, "WETH", "USDC", 18, 6, 10**4, 10**15, 10 * 10**6, 1_000, 2_000,
                   MarketState.OPEN),
        )  # fmt: skip
        uow.commit()
    return container


def cli_environment(chain: DevChain, data_dir: Path, monkeypatch: pytest.MonkeyPatch, keystore_password: str) -> None:
    """What a `hdex` command run in a test reads: `chain`'s node, a SQLite file and the data folder under `data_dir`,
    the keystores' password; the settings read again."""
    monkeypatch.setenv("HDEX_RPC_URL", chain.url)
    monkeypatch.setenv("HDEX_DATABASE_URL", f"sqlite:///{data_dir / 'hdex.db'}")
    monkeypatch.setenv("HDEX_DATA_DIR", str(data_dir))
    monkeypatch.setenv("HDEX_KEYSTORE_PASSWORD", keystore_password)
    get_settings.cache_clear()
