"""The development sanctions oracle: deployed next to the dev stack, seeded from the bundled list."""

from __future__ import annotations

import logging
from typing import Any

from eth_account import Account
from web3 import Web3

from backend.chain.artifacts import load_artifact
from backend.chain.devkeys import DEPLOYER_INDEX, DEV_KEYS
from backend.compliance.lists import BUNDLED_OFAC_LIST, parse_list_file

log = logging.getLogger(__name__)

SEED_CHUNK = 200  # addresses per transaction, well under the block gas limit


def deploy_dev_oracle(w3: Web3) -> str:
    """Deploy `SanctionsOracle` owned by the dev deployer and list the bundled OFAC addresses."""
    deployer = Account.from_key(DEV_KEYS[DEPLOYER_INDEX])
    artifact = load_artifact("SanctionsOracle")
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = _send(w3, factory.constructor(deployer.address))
    oracle = w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)
    addresses = sorted(Web3.to_checksum_address(a) for a in parse_list_file(BUNDLED_OFAC_LIST).addresses)
    for start in range(0, len(addresses), SEED_CHUNK):
        _send(w3, oracle.functions.addToSanctionsList(addresses[start : start + SEED_CHUNK]))
    log.info("sanctions oracle deployed", extra={"address": oracle.address, "listed": len(addresses)})
    return str(oracle.address)


def _send(w3: Web3, call: Any) -> dict[str, Any]:
    sender = Account.from_key(DEV_KEYS[DEPLOYER_INDEX])
    tx = call.build_transaction(
        {"from": sender.address, "nonce": w3.eth.get_transaction_count(sender.address), "chainId": w3.eth.chain_id}
    )
    signed = sender.sign_transaction(tx)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction), timeout=60)
    if receipt["status"] != 1:
        raise RuntimeError(f"oracle transaction reverted: {receipt['transactionHash'].hex()}")
    return dict(receipt)
