"""The record of our deployed contracts per chain, kept in the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backend.db.models import ContractDeployment
from backend.errors import CodedError, ErrorCode


def load_deployments(session: Session, chain_id: int) -> dict[str, str]:
    """Contract name -> address on `chain_id`."""
    rows = session.scalars(select(ContractDeployment).where(ContractDeployment.chain_id == chain_id))
    return {row.name: row.address for row in rows}


def deployment_block(session: Session, chain_id: int) -> int | None:
    """The first block of our deployment on `chain_id` (where an indexer starts), if any."""
    rows = session.scalars(select(ContractDeployment.block_number).where(ContractDeployment.chain_id == chain_id)).all()
    return min(rows) if rows else None


def record_deployments(session: Session, chain_id: int, contracts: Mapping[str, str], block_number: int) -> None:
    """Replace the chain's record with a fresh deployment (the caller commits)."""
    session.execute(delete(ContractDeployment).where(ContractDeployment.chain_id == chain_id))
    session.add_all(
        ContractDeployment(chain_id=chain_id, name=name, address=address, block_number=block_number)
        for name, address in sorted(contracts.items())
    )


class NotDeployed(CodedError, RuntimeError):
    """No Exchange deployment is recorded for the chain: run `hdex up` or `hdex chain deploy` first."""

    CODE = ErrorCode.NOT_DEPLOYED


@dataclass(frozen=True)
class ExchangeDeployment:
    address: str
    start_block: int  # the first block of our deployment: where following its events starts


def require_exchange(session: Session, chain_id: int) -> ExchangeDeployment:
    """The recorded Exchange on `chain_id`, or NotDeployed."""
    address = load_deployments(session, chain_id).get("Exchange")
    start = deployment_block(session, chain_id)
    if address is None or start is None:
        raise NotDeployed(
            f"no Exchange deployment recorded for chain {chain_id}: run `hdex up` or `hdex chain deploy` first"
        )
    return ExchangeDeployment(address, start)
