"""On a test-only Exchange compiled without the limit-price check, a trade settled at a worse price than the
buyer signed is reported by `hdex audit`, which exits 1. The variant is compiled here from a modified copy
of contracts/Exchange.sol with the real compiler; it is never a production contract."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from web3 import Web3

from backend.chain.artifacts import Artifact, load_artifact
from backend.chain.compiler import compile_all, compiler_config
from backend.chain.deploy import DeployedStack
from backend.chain.devkeys import DEPLOYER_INDEX, DEV_KEYS, OPERATOR_INDEX
from backend.paths import CONTRACTS_DIR, PROJECT_ROOT

from ..devchain import DevChain
from .conftest import hdex_audit
from .settlement import Fill, quote_for, settle, signed_order

pytestmark = pytest.mark.chain

ALICE, BOB = 5, 6
WEI = 10**18
PRICE = 3_000 * 10**6
LIMIT_CHECKS = (
    "        if (!TradeMath.satisfiesSellLimit(base, quote, sell.limitPrice)) return _limitViolated(sell);\n",
    "        if (!TradeMath.satisfiesBuyLimit(base, quote, buy.limitPrice)) return _limitViolated(buy);\n",
)
VARIANT_CACHE = PROJECT_ROOT / "var" / "test-cache" / "audit-variant"


@pytest.fixture(scope="module")
def variant_artifact() -> Iterator[Artifact]:
    """The Exchange without its two limit-price checks, compiled from a copy (under var/: the compiler
    reads sources relative to the project root). The compiled artifact is kept in var/test-cache under a
    hash of the copy's sources and the compiler settings, so that only a run with other sources or settings
    compiles again (solc takes 13-24 s over the Exchange)."""
    workdir = PROJECT_ROOT / "var" / f"audit-variant-{uuid.uuid4().hex[:8]}"
    sources = workdir / "contracts"
    try:
        sources.mkdir(parents=True)
        for part in ("Exchange.sol", "interfaces", "libraries"):
            source = CONTRACTS_DIR / part
            (shutil.copytree if source.is_dir() else shutil.copy)(source, sources / part)
        exchange = sources / "Exchange.sol"
        text = exchange.read_text(encoding="utf-8")
        assert all(check in text for check in LIMIT_CHECKS), "Exchange.sol changed: update the variant"
        for check in LIMIT_CHECKS:
            text = text.replace(check, "")
        exchange.write_text(text, encoding="utf-8")
        cached = VARIANT_CACHE / f"Exchange-{_compile_key(sources)}.json"
        if not cached.is_file():
            compile_all(sources, workdir / "build" / "contracts")
            VARIANT_CACHE.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
            shutil.copyfile(workdir / "build" / "contracts" / "Exchange.json", partial)
            os.replace(partial, cached)  # whole or absent, for a session running beside this one
        shutil.copyfile(cached, workdir / "Exchange.json")
        yield load_artifact("Exchange", workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _compile_key(sources: Path) -> str:
    """sha256 over the compiler settings, the OpenZeppelin release the sources import, and every source
    file (path and text) under `sources`."""
    digest = hashlib.sha256(json.dumps(compiler_config(), sort_keys=True).encode())
    digest.update((PROJECT_ROOT / "node_modules" / "@openzeppelin" / "contracts" / "package.json").read_bytes())
    for path in sorted(sources.rglob("*.sol")):
        digest.update(path.relative_to(sources).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def deploy_variant(chain: DevChain, artifact: Artifact) -> DevChain:
    """The variant deployed with the deployer key as its admin (so listing the demo tokens needs no Custody)."""
    w3, admin = chain.w3, Account.from_key(DEV_KEYS[DEPLOYER_INDEX])
    operator = Account.from_key(DEV_KEYS[OPERATOR_INDEX]).address
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    nonce = w3.eth.get_transaction_count(admin.address)
    tx = factory.constructor(admin.address, operator, admin.address, 1_000, 2_000, 3_600).build_transaction(
        {"from": admin.address, "nonce": nonce, "gas": 8_000_000, "chainId": w3.eth.chain_id}
    )
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(admin.sign_transaction(tx).raw_transaction)
    )
    address = Web3.to_checksum_address(str(receipt["contractAddress"]))
    # Same ABI as the real Exchange, so DevChain's helpers (deposits, signing domain) work on the variant.
    variant = DevChain(
        chain.url, DeployedStack({**chain.stack.contracts, "Exchange": address}, chain.stack.block_number)
    )
    for symbol in ("WETH", "USDC"):
        variant.send(DEPLOYER_INDEX, variant.exchange.functions.setTokenListed(variant.token(symbol).address, True))
    return variant


def test_a_trade_settled_above_the_buyers_limit_is_reported_and_the_audit_fails(
    devchain: DevChain, variant_artifact: Artifact, tmp_path: Path
) -> None:
    chain = deploy_variant(devchain, variant_artifact)
    chain.deposit(ALICE, "WETH", WEI)
    chain.deposit(BOB, "USDC", 10_000 * 10**6)
    seller = signed_order(chain, ALICE, 1, WEI, PRICE)
    buyer = signed_order(chain, BOB, 0, WEI, PRICE)  # will pay at most 3,000 USDC
    settle(chain, [Fill(seller, buyer, WEI, quote_for(WEI, PRICE) + 1)])  # one base unit of USDC too many
    assert chain.vault_balance(BOB, "USDC") == 10_000 * 10**6 - 3_000 * 10**6 - 1  # the variant let it through

    run = hdex_audit(chain.url, chain.exchange.address, tmp_path / "report")
    assert run.exit_code == 1
    assert run.kinds() == {"limit-price-violated"}
    [finding] = [f for f in run.report["findings"] if f["kind"] == "limit-price-violated"]
    assert finding["details"]["order"] == "0x" + buyer.digest.hex()
    assert "DISCREPANCIES: 1" in run.stdout
