"""The three signers a client may use, driven the way a client would: eth-account, anvil's
`eth_signTypedData_v4` (what MetaMask speaks), and ethers v6 run by node."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data

from backend.chain.devkeys import DEV_KEYS
from backend.chain.jsonrpc import rpc_call
from backend.paths import PROJECT_ROOT
from backend.signing.typed_data import keccak

ETHERS_SCRIPT = Path(__file__).with_name("ethers_signer.js")


def sign_with_eth_account(key_index: int, document: dict[str, Any]) -> bytes:
    return bytes(Account.sign_typed_data(DEV_KEYS[key_index], full_message=document).signature)


def eth_account_sign(key_index: int, document: dict[str, Any]) -> tuple[bytes, bytes]:
    """(digest, signature) of an `eth_signTypedData_v4` document, by eth-account's `encode_typed_data`."""
    signable = encode_typed_data(full_message=document)
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)  # EIP-191 version 0x01
    return digest, bytes(Account.sign_message(signable, DEV_KEYS[key_index]).signature)


def sign_with_anvil(rpc_url: str, key_index: int, document: dict[str, Any]) -> bytes:
    address = Account.from_key(DEV_KEYS[key_index]).address
    return bytes.fromhex(str(rpc_call(rpc_url, "eth_signTypedData_v4", [address, json.dumps(document)]))[2:])


def ethers_sign_forms(cases: list[tuple[int, dict[str, Any], dict[str, Any]]]) -> list[tuple[bytes, bytes]]:
    """(digest, signature) for each (key index, {domain, types}, message): ethers'
    `signTypedData(form.domain, form.types, message)` with the form exactly as given."""
    payload = [
        {"key": DEV_KEYS[key_index], "domain": form["domain"], "types": form["types"], "message": message}
        for key_index, form, message in cases
    ]
    result = subprocess.run(
        ["node", str(ETHERS_SCRIPT)], input=json.dumps(payload), capture_output=True, text=True, cwd=PROJECT_ROOT,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, f"ethers refused: {result.stderr.strip()}"
    return [(bytes.fromhex(r["digest"][2:]), bytes.fromhex(r["signature"][2:])) for r in json.loads(result.stdout)]


def ethers_sign(cases: list[tuple[int, dict[str, Any]]]) -> list[tuple[bytes, bytes]]:
    """(digest, signature) for each (key index, eth_signTypedData_v4 document), computed by ethers:
    the document's types less EIP712Domain, which ethers derives from the domain and refuses in types."""
    forms = [
        (key_index, {"domain": doc["domain"], "types": {doc["primaryType"]: doc["types"][doc["primaryType"]]}},
         doc["message"])
        for key_index, doc in cases
    ]  # fmt: skip
    return ethers_sign_forms(forms)
