"""The audit chain's rules: a canonical encoding, and the first break named."""

from __future__ import annotations

from dataclasses import replace

from backend.audit_log.chain import GENESIS_HASH, ChainedFields, canonical_json, entry_hash, first_break


def _chain(count: int) -> list[tuple[ChainedFields, str]]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        fields = ChainedFields(seq, 1000 + seq, "cli:test", "test.step", None, "null",
                               canonical_json({"n": seq}), None, prev)  # fmt: skip
        prev = entry_hash(fields)
        entries.append((fields, prev))
    return entries


def test_the_encoding_is_canonical_whatever_the_key_order() -> None:
    assert canonical_json({"b": 1, "a": "é<"}) == canonical_json({"a": "é<", "b": 1}) == '{"a":"\\u00e9<","b":1}'


def test_an_intact_chain_has_no_break() -> None:
    chain = _chain(3)
    assert first_break(chain, 3, chain[-1][1]) is None
    assert first_break([], 0, GENESIS_HASH) is None


def test_an_edit_a_rehashed_edit_and_deletions_are_each_named() -> None:
    chain = _chain(4)
    head = chain[-1][1]
    edited = [*chain[:1], (replace(chain[1][0], actor="cli:someone-else"), chain[1][1]), *chain[2:]]
    assert first_break(edited, 4, head).seq == 2  # type: ignore[union-attr]
    rehashed_fields = replace(chain[1][0], actor="cli:someone-else")
    rehashed = [*chain[:1], (rehashed_fields, entry_hash(rehashed_fields)), *chain[2:]]
    assert "entry 2 was edited or replaced" in first_break(rehashed, 4, head).problem  # type: ignore[union-attr]
    assert "entry 3 was deleted" in first_break([*chain[:2], chain[3]], 4, head).problem  # type: ignore[union-attr]
    assert "entries 4 to 4 were deleted" in first_break(chain[:3], 4, head).problem  # type: ignore[union-attr]
