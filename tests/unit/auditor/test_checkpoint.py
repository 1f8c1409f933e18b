"""The checkpoint carries everything `--resume` needs (the hash of its last block too), and refuses one written before
the state held what revokes orders, or before it held that hash, rather than resume without them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor import checkpoint
from auditor.errors import AuditError
from auditor.state import AuditState

CHAIN_ID, EXCHANGE = 31337, "0x" + "Ee" * 20
LAST_HASH = "0x" + "4a" * 32
MAKER = "0x" + "11" * 20


def a_state() -> AuditState:
    return AuditState(
        last_block=41,
        fills={"0x" + "ab" * 32: 7},
        cancelled={"0x" + "cd" * 32},
        used_nonces={(MAKER, 2**64 - 1), (MAKER, 0)},
        nonce_floors={MAKER: 3},
        exits={MAKER: 1_700_000_000, "0x" + "22" * 20: 0},
    )


def test_cancels_used_nonces_nonce_floors_and_exits_survive_a_checkpoint(tmp_path: Path) -> None:
    state = a_state()
    checkpoint.save(tmp_path, checkpoint.Checkpoint(CHAIN_ID, EXCHANGE, 0, state, LAST_HASH))
    found = checkpoint.load(tmp_path, CHAIN_ID, EXCHANGE)
    loaded = found.state
    assert (found.last_block_hash, loaded.last_block) == (LAST_HASH, 41)
    assert (loaded.cancelled, loaded.used_nonces) == (state.cancelled, state.used_nonces)
    assert (loaded.nonce_floors, loaded.exits) == (state.nonce_floors, state.exits)


def test_a_checkpoint_from_before_the_revocation_records_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    checkpoint.save(tmp_path, checkpoint.Checkpoint(CHAIN_ID, EXCHANGE, 0, a_state(), LAST_HASH))
    path = tmp_path / checkpoint.CHECKPOINT_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["format"]  # a format 1 file: no format, no records of cancels, used nonces, floors or exits
    for key in ("cancelled", "used_nonces", "nonce_floors", "exits"):
        del data["state"][key]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AuditError, match=r"has format 1,.*predates the records of cancels.*without --resume"):
        checkpoint.load(tmp_path, CHAIN_ID, EXCHANGE)


def test_a_checkpoint_from_before_the_last_block_hash_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    checkpoint.save(tmp_path, checkpoint.Checkpoint(CHAIN_ID, EXCHANGE, 0, a_state(), LAST_HASH))
    path = tmp_path / checkpoint.CHECKPOINT_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format"] = 2
    del data["last_block_hash"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AuditError, match=r"has format 2,.*predates the hash of the last block.*without --resume"):
        checkpoint.load(tmp_path, CHAIN_ID, EXCHANGE)


@pytest.mark.parametrize("cut", ["chain_id", "state", "last_block_hash"])
def test_a_checkpoint_edited_or_cut_short_is_one_clear_error(tmp_path: Path, cut: str) -> None:
    checkpoint.save(tmp_path, checkpoint.Checkpoint(CHAIN_ID, EXCHANGE, 0, a_state(), LAST_HASH))
    path = tmp_path / checkpoint.CHECKPOINT_FILE
    data = json.loads(path.read_text())
    del data[cut]
    path.write_text(json.dumps(data))
    with pytest.raises(AuditError, match=r"unreadable checkpoint .*audit again without --resume"):
        checkpoint.load(tmp_path, CHAIN_ID, EXCHANGE)
