"""The checkpoint carries everything `--resume` needs (the hash of its last block too), and refuses one written before
the state held what revokes orders, that hash or the withdrawals paid, rather than resume without them."""

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
        withdrawals={"0x" + "ef" * 32},
    )


def test_cancels_used_nonces_nonce_floors_exits_and_withdrawals_paid_survive_a_checkpoint(tmp_path: Path) -> None:
    state = a_state()
    checkpoint.save(tmp_path, checkpoint.Checkpoint(CHAIN_ID, EXCHANGE, 0, state, LAST_HASH))
    found = checkpoint.load(tmp_path, CHAIN_ID, EXCHANGE)
    loaded = found.state
    assert (found.last_block_hash, loaded.last_block) == (LAST_HASH, 41)
    assert (loaded.cancelled, loaded.used_nonces) == (state.cancelled, state.used_nonces)
    assert (loaded.nonce_floors, loaded.exits) == (state.nonce_floors, state.exits)
    assert loaded.withdrawals == state.withdrawals


@pytest.mark.parametrize(
    ("older", "lacked", "state_lacked", "refusal"),
    [
        (1, [], ["cancelled", "used_nonces", "nonce_floors", "exits", "withdrawals"], "the records of cancels"),
        (2, ["last_block_hash"], ["withdrawals"], "the hash of the last block"),
        (3, [], ["withdrawals"], "the record of the withdrawals paid"),
    ],
)
def test_a_checkpoint_of_an_older_format_is_refused_with_a_clear_message(
    tmp_path: Path, older: int, lacked: list[str], state_lacked: list[str], refusal: str
) -> None:
    checkpoint.save(tmp_path, checkpoint.Checkpoint(CHAIN_ID, EXCHANGE, 0, a_state(), LAST_HASH))
    path = tmp_path / checkpoint.CHECKPOINT_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["format"] = older
    if older == 1:
        del data["format"]  # format 1 had no format field
    for key in lacked:
        del data[key]
    for key in state_lacked:
        del data["state"][key]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AuditError, match=rf"has format {older},.*predates {refusal}.*without --resume"):
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
