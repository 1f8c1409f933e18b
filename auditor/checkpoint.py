"""The checkpoint a run leaves in its report directory after every chunk of blocks, so `--resume` carries on."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import AuditError
from auditor.state import AuditState

CHECKPOINT_FILE = "audit-checkpoint.json"
# Format 2 added what revokes orders (cancels, used nonces, nonce floors, exits). A format 1 checkpoint lacks them,
# and empty defaults would let an order revoked in its blocks trade unnoticed, so it is refused. Format 3 added the
# hash of the last block audited: without it a resume cannot tell that a reorg replaced the blocks it stands on.
# Format 4 added the withdrawals paid: without them a withdrawal paid twice across the resume goes unnoticed.
CHECKPOINT_FORMAT = 4
_PREDATES = {
    1: " (it predates the records of cancels, nonce floors, exits and used nonces)",
    2: " (it predates the hash of the last block audited, which tells a reorg since)",
    3: " (it predates the record of the withdrawals paid)",
}


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Which audit this is (chain, contract, first block) and the state after its `state.last_block`, whose hash
    was `last_block_hash` when it was audited."""

    chain_id: int
    exchange: str
    from_block: int
    state: AuditState
    last_block_hash: str


def save(report_dir: Path, checkpoint: Checkpoint) -> None:
    """Writes the checkpoint atomically: a run killed mid-write leaves the previous one whole."""
    report_dir.mkdir(parents=True, exist_ok=True)
    target = report_dir / CHECKPOINT_FILE
    data = {
        "format": CHECKPOINT_FORMAT,
        "chain_id": checkpoint.chain_id,
        "exchange": checkpoint.exchange,
        "from_block": checkpoint.from_block,
        "last_block_hash": checkpoint.last_block_hash,
        "state": checkpoint.state.to_json(),
    }
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, target)


def load(report_dir: Path, chain_id: int, exchange: str) -> Checkpoint:
    """The checkpoint of an earlier run of the same audit (same chain and contract)."""
    path = report_dir / CHECKPOINT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuditError(f"nothing to resume: no checkpoint at {path}") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise AuditError(f"unreadable checkpoint {path}: {exc}") from None
    if not isinstance(data, dict):
        raise AuditError(f"unreadable checkpoint {path}: not a JSON object")
    found = data.get("format", 1)
    if found != CHECKPOINT_FORMAT:
        raise AuditError(
            f"the checkpoint at {path} has format {found}, this auditor reads format {CHECKPOINT_FORMAT}"
            f"{_PREDATES.get(found, '')}: "
            "audit again without --resume"
        )
    try:
        if (data["chain_id"], data["exchange"]) != (chain_id, exchange):
            raise AuditError(
                f"the checkpoint at {path} audits {data['exchange']} on chain {data['chain_id']}, "
                f"not {exchange} on chain {chain_id}"
            )
        state = AuditState.from_json(data["state"])
        return Checkpoint(chain_id, exchange, int(data["from_block"]), state, str(data["last_block_hash"]))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # edited or cut short: not this auditor's
        raise AuditError(
            f"unreadable checkpoint {path}: {type(exc).__name__} {exc}: audit again without --resume"
        ) from None
