"""The Python deployment path used by `hdex up`, against a real anvil started for this module."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from backend.chain.artifacts import load_artifact
from backend.chain.compiler import ensure_compiled
from backend.chain.deploy import DEV_FEED_MAX_AGE, DeployedStack, attach_dev_price_feed, deploy_dev_stack
from backend.chain.devkeys import CUSTODY_OWNER_INDICES, DEV_KEYS, OPERATOR_INDEX, TRADER_INDICES
from backend.paths import NODE_BIN
from tests.processes import stop_process

pytestmark = pytest.mark.chain


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def w3() -> Iterator[Web3]:
    port = _free_port()
    process = subprocess.Popen(
        [str(NODE_BIN / "anvil"), "--port", str(port), "--chain-id", "31337", "--silent"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = Web3(HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 30}))
        deadline = time.monotonic() + 30
        while True:
            try:
                if client.eth.chain_id == 31337:
                    break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield client
    finally:
        stop_process(process)


@pytest.fixture(scope="module")
def stack(w3: Web3) -> DeployedStack:
    ensure_compiled()
    return deploy_dev_stack(w3)


def _contract(w3: Web3, name: str, address: str) -> object:
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(name).abi)


def _address(index: int) -> str:
    return str(Account.from_key(DEV_KEYS[index]).address)


def test_every_contract_has_code_at_a_checksummed_address(w3: Web3, stack: DeployedStack) -> None:
    assert {"Custody", "Exchange", "WETH", "USDC"} <= set(stack.contracts)
    for address in stack.contracts.values():
        assert address == Web3.to_checksum_address(address)
        assert len(w3.eth.get_code(address)) > 0


def test_the_start_block_is_the_custody_deployment(w3: Web3, stack: DeployedStack) -> None:
    assert 0 < stack.block_number <= w3.eth.block_number
    code_before = w3.eth.get_code(stack.contracts["Custody"], block_identifier=stack.block_number - 1)
    assert len(code_before) == 0


def test_custody_is_two_of_three_over_the_dev_owners(w3: Web3, stack: DeployedStack) -> None:
    custody = _contract(w3, "Custody", stack.contracts["Custody"])
    assert custody.functions.threshold().call() == 2  # type: ignore[attr-defined]
    owners = custody.functions.getOwners().call()  # type: ignore[attr-defined]
    assert owners == [_address(i) for i in CUSTODY_OWNER_INDICES]


def test_the_exchange_is_administered_by_custody_and_operated_by_dev_account_1(
    w3: Web3, stack: DeployedStack
) -> None:
    exchange = _contract(w3, "Exchange", stack.contracts["Exchange"])
    functions = exchange.functions  # type: ignore[attr-defined]
    assert functions.admin().call() == stack.contracts["Custody"]
    assert functions.isOperator(_address(OPERATOR_INDEX)).call() is True
    assert functions.feeRecipient().call() == stack.contracts["Custody"]
    assert functions.paused().call() is False


def test_demo_tokens_are_listed_and_minted_to_the_dev_traders(w3: Web3, stack: DeployedStack) -> None:
    exchange = _contract(w3, "Exchange", stack.contracts["Exchange"])
    for symbol, decimals, whole in (("WETH", 18, 1_000), ("USDC", 6, 1_000_000)):
        token = _contract(w3, "TestERC20", stack.contracts[symbol])
        assert token.functions.decimals().call() == decimals  # type: ignore[attr-defined]
        assert token.functions.symbol().call() == symbol  # type: ignore[attr-defined]
        assert exchange.functions.isTokenListed(token.address).call() is True  # type: ignore[attr-defined]
        for index in TRADER_INDICES:
            balance = token.functions.balanceOf(_address(index)).call()  # type: ignore[attr-defined]
            assert balance == whole * 10**decimals


def test_the_dev_price_feed_is_deployed_unattached_and_attaches_through_the_timelock(
    w3: Web3, stack: DeployedStack
) -> None:
    exchange = _contract(w3, "Exchange", stack.contracts["Exchange"]).functions  # type: ignore[attr-defined]
    feed = _contract(w3, "DevPriceFeed", stack.contracts["DevPriceFeed"]).functions  # type: ignore[attr-defined]
    weth, usdc = stack.contracts["WETH"], stack.contracts["USDC"]
    assert (feed.decimals().call(), feed.latestAnswer().call()) == (8, 2_000 * 10**8)
    assert exchange.priceFeed(weth, usdc).call()[0] == "0x" + "00" * 20
    custody = _contract(w3, "Custody", stack.contracts["Custody"])
    attach_dev_price_feed(w3, custody, _contract(w3, "Exchange", stack.contracts["Exchange"]), weth, usdc,
                          stack.contracts["DevPriceFeed"])  # type: ignore[arg-type]
    # 8 feed decimals, USDC 6, WETH 18: the answer is divided by 10^2 into USDC base units per 1e18 wei.
    assert exchange.priceFeed(weth, usdc).call() == [stack.contracts["DevPriceFeed"], DEV_FEED_MAX_AGE, 0, 2]
    assert exchange.referencePrice(weth, usdc).call()[:2] == [True, 2_000 * 10**6]
