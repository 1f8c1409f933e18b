"""The development chain's faucet: test ETH and the demo tokens for a wallet that starts empty.

A wallet a person points at the dev chain (MetaMask, say) has nothing to trade or pay gas with. The
deployer (dev account 0) holds 10,000 test ETH and is the demo tokens' minter, so it pays. Only the
development chain has a faucet: the API registers the route on it alone (`Settings.development_chain`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from eth_account import Account
from web3 import Web3
from web3.exceptions import Web3Exception
from web3.middleware import SignAndSendRawMiddlewareBuilder

from backend.chain.artifacts import load_artifact
from backend.chain.deploy import DEV_TOKENS
from backend.chain.devkeys import DEPLOYER_INDEX, DEV_KEYS
from backend.chain.jsonrpc import RpcError
from backend.chain.rpc import make_web3

FAUCET_ETH = Web3.to_wei(10, "ether")
FAUCET_WHOLE_TOKENS = {"WETH": 100, "USDC": 300_000}  # about the same value at the dev market's prices
RECEIPT_TIMEOUT_S = 60


def faucet_amounts() -> dict[str, int]:
    """Base units of each demo token one faucet request mints."""
    return {symbol: FAUCET_WHOLE_TOKENS[symbol] * 10**decimals for symbol, _, decimals, _ in DEV_TOKENS}


class DevFaucet:
    """Sends FAUCET_ETH and mints the demo tokens from the deployer; one request at a time, so the
    deployer's nonces go out in order."""

    def __init__(self, rpc_url: str) -> None:
        self._w3 = make_web3(rpc_url)
        self._sender = Account.from_key(DEV_KEYS[DEPLOYER_INDEX])
        # Signs locally and fills nonce, gas and fees: the node need not hold the key.
        self._w3.middleware_onion.inject(SignAndSendRawMiddlewareBuilder.build(self._sender), layer=0)
        self._lock = threading.Lock()

    def fund(self, address: str, tokens: Mapping[str, str]) -> list[str]:
        """Send test ETH and mint each demo token (symbol -> address in `tokens`) to `address`; the
        transaction hashes, once mined. Raises RpcError if the node fails or a transaction reverts."""
        recipient = Web3.to_checksum_address(address)
        sender = self._sender.address
        abi = load_artifact("TestERC20").abi
        try:
            with self._lock:
                hashes = [self._w3.eth.send_transaction({"from": sender, "to": recipient, "value": FAUCET_ETH})]
                for symbol, amount in faucet_amounts().items():
                    token = self._w3.eth.contract(address=Web3.to_checksum_address(tokens[symbol]), abi=abi)
                    hashes.append(token.functions.mint(recipient, amount).transact({"from": sender}))
            receipts = [self._w3.eth.wait_for_transaction_receipt(h, timeout=RECEIPT_TIMEOUT_S) for h in hashes]
        except (Web3Exception, OSError) as exc:
            raise RpcError(f"the faucet's transactions failed: {exc}") from None
        reverted = [receipt["transactionHash"].to_0x_hex() for receipt in receipts if receipt["status"] != 1]
        if reverted:
            raise RpcError(f"the faucet's transactions reverted: {', '.join(reverted)}")
        return [h.to_0x_hex() for h in hashes]
