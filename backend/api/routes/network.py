"""`GET /v1/network`: the chain a wallet must be on, how a wallet adds it, and our contracts on it.

The dApp reads it once at start: to ask the wallet to switch (or add the chain, `wallet_addEthereumChain`),
to find the Exchange for deposits, and to know whether it runs on the development chain (the faucet and
the add-the-chain guide).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from backend.api.deps import ContainerDep
from backend.api.schemas import Address, documented
from backend.chain.deployments import load_deployments

router = APIRouter(prefix="/v1", tags=["network"])

DEV_CHAIN_NAME = "HDEX development (anvil)"
NATIVE_CURRENCY = {"name": "Ether", "symbol": "ETH", "decimals": 18}


class NativeCurrency(BaseModel):
    name: str
    symbol: str
    decimals: int


class Network(BaseModel):
    chainId: int
    chainName: str
    rpcUrl: str | None = Field(description="the JSON-RPC URL for a wallet to add the chain; null: wallets know it")
    nativeCurrency: NativeCurrency
    development: bool = Field(description="the development chain: the dev faucet (POST /v1/dev/faucet) exists")
    explorerUrl: str | None = Field(description="a block explorer's base URL (`{explorerUrl}/tx/{hash}`), if any")
    contracts: dict[str, Address] = Field(description="our contracts on this chain: Exchange, Custody, tokens...")


@router.get("/network", response_model=None, responses=documented(Network, "the exchange's chain and contracts"))
async def network(container: ContainerDep) -> dict[str, Any]:
    """The chain HDEX runs on (`chainId`, and for wallets `chainName`, `rpcUrl`, `nativeCurrency`), whether it
    is the development chain, a block explorer, and the addresses of our contracts (empty before deployment)."""
    settings = container.settings

    def contracts() -> dict[str, str]:
        with container.uow() as uow:
            return load_deployments(uow.session, settings.chain_id)

    development = settings.development_chain
    return {
        "chainId": settings.chain_id,
        "chainName": settings.chain_name or (DEV_CHAIN_NAME if development else f"Chain {settings.chain_id}"),
        "rpcUrl": settings.public_rpc_url or (settings.effective_rpc_url if development else None),
        "nativeCurrency": NATIVE_CURRENCY,
        "development": development,
        "explorerUrl": settings.explorer_url,
        "contracts": await asyncio.to_thread(contracts),
    }
