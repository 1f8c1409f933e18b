"""`POST /v1/dev/faucet`: test ETH and demo tokens for a wallet, on the development chain only.

`create_app` registers this router on the development chain alone, so elsewhere the path is a plain
404. It is left out of the OpenAPI document: the production API has no such operation.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from fastapi import APIRouter
from pydantic import Field

from backend.api.deps import ContainerDep, limited
from backend.api.schemas import Address, Input
from backend.bootstrap import Container
from backend.chain.deployments import load_deployments
from backend.errors import ErrorCode, HdexError

if TYPE_CHECKING:  # imported at the first request: the faucet loads web3, a third of a second of every start
    from backend.chain.faucet import DevFaucet

router = APIRouter(prefix="/v1/dev", tags=["development"])


class FaucetRequest(Input):
    address: Address = Field(description="the wallet to fund (any letter case)")


def _dev_faucet(container: Container) -> DevFaucet:
    from backend.chain.faucet import DevFaucet

    return DevFaucet(container.settings.effective_rpc_url)


@router.post("/faucet", response_model=None, include_in_schema=False, dependencies=[limited("faucet")])
async def faucet(body: FaucetRequest, container: ContainerDep) -> dict[str, list[str]]:
    """Sends test ETH and mints every demo token to `address`; `txHashes` once they are mined."""
    from backend.chain.faucet import faucet_amounts

    def tokens() -> dict[str, str]:
        with container.uow() as uow:
            return load_deployments(uow.session, container.settings.chain_id)

    contracts = await asyncio.to_thread(tokens)
    missing = sorted(set(faucet_amounts()) - set(contracts))
    if missing:
        raise HdexError(ErrorCode.NOT_DEPLOYED, f"the demo tokens are not deployed yet: {', '.join(missing)}")
    hashes = await asyncio.to_thread(container.shared(_dev_faucet).fund, body.address, contracts)
    return {"txHashes": hashes}
