"""`GET /v1/network`: the chain a wallet must be on, how to add it, whether it is the development chain,
and our contracts on it."""

from __future__ import annotations

from pathlib import Path

from .exchange_fixtures import EXCHANGE, Exchange, prepare, running


def test_the_development_chain_says_so_and_how_a_wallet_adds_it(sqlite_exchange: Exchange) -> None:
    network = sqlite_exchange.client.get("/v1/network").json()
    assert network["chainId"] == 31337
    assert network["development"] is True
    assert network["chainName"] == "HDEX development (anvil)"
    assert network["rpcUrl"] == sqlite_exchange.container.settings.effective_rpc_url
    assert network["nativeCurrency"] == {"name": "Ether", "symbol": "ETH", "decimals": 18}
    assert network["explorerUrl"] is None
    assert network["contracts"]["Exchange"].lower() == EXCHANGE


def test_another_chain_names_its_public_rpc_and_explorer_only_when_configured(sqlite_url: str, tmp_path: Path) -> None:
    settings = {"env": "test", "chain_id": 10, "chain_name": "OP Mainnet", "explorer_url": "https://explorer.example/"}
    for exchange in running(prepare(sqlite_url, tmp_path, **settings)):
        network = exchange.client.get("/v1/network").json()
        assert (network["chainId"], network["chainName"], network["development"]) == (10, "OP Mainnet", False)
        assert network["rpcUrl"] is None  # the server's own node is not the browser's business
        assert network["explorerUrl"] == "https://explorer.example"
        assert network["contracts"] == {}  # nothing deployed on chain 10
