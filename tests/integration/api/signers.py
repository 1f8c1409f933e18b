"""The three signers a client may use, driven the way a client would: eth-account, anvil's
`eth_signTypedData_v4` (what MetaMask speaks), and ethers v6 run by node."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from eth_account import Account

from backend.chain.devkeys import DEV_KEYS
from backend.chain.node import rpc_call
from backend.paths import PROJECT_ROOT

ETHERS_SCRIPT = Path(__file__).with_name("ethers_signer.js")


def sign_with_eth_account(key_index: int, document: dict[str, Any]) -> bytes:
    return bytes(Account.sign_typed_data(DEV_KEYS[key_index], full_message=document).signature)


def sign_with_anvil(rpc_url: str, key_index: int, document: dict[str, Any]) -> bytes:
    address = Account.from_key(DEV_KEYS[key_index]).address
    return bytes.fromhex(str(rpc_call(rpc_url, "eth_signTypedData_v4", [address, json.dumps(document)]))[2:])


def ethers_sign(cases: list[tuple[int, dict[str, Any]]]) -> list[tuple[bytes, bytes]]:
    """(digest, signature) for each (key index, eth_signTypedData_v4 document), computed by ethers."""
    payload = [
        {"key": DEV_KEYS[key_index], "domain": doc["domain"], "types": doc["types"],
         "primaryType": doc["primaryType"], "message": doc["message"]}
        for key_index, doc in cases
    ]  # fmt: skip
    result = subprocess.run(
        ["node", str(ETHERS_SCRIPT)], input=json.dumps(payload), capture_output=True, text=True, check=True,
        cwd=PROJECT_ROOT, timeout=60,
    )  # fmt: skip
    return [(bytes.fromhex(r["digest"][2:]), bytes.fromhex(r["signature"][2:])) for r in json.loads(result.stdout)]
