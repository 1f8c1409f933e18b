"""web3 access to the configured node."""

from web3 import HTTPProvider, Web3


def make_web3(rpc_url: str, timeout: float = 30.0) -> Web3:
    """A Web3 client for `rpc_url` (HTTP)."""
    return Web3(HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
