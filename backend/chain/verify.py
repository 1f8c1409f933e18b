"""`hdex chain verify`: is the code at an address the code we built?

What it compares: the runtime bytecode the node returns (`eth_getCode`) against `deployedBytecode` in
build/contracts, byte for byte, except for
- the CBOR metadata trailer (its length is the last two bytes): it hashes the source text and compiler
  settings, not the program, so it is stripped from both sides and reported as matching or not;
- immutables: constructor-set values (Custody's and Exchange's EIP-712 domain cache, for instance) that solc
  writes into PUSH32 arguments left as zeros in the artifact. A PUSH32 whose artifact argument is all zeros
  may hold any value on chain; every other byte, opcodes included, must be equal.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.chain.artifacts import load_artifact

PUSH1, PUSH32 = 0x60, 0x7F


@dataclass(frozen=True)
class CodeCheck:
    name: str
    address: str
    matches: bool
    metadata_matches: bool
    immutables: int  # how many zero-placeholder words were allowed to differ
    detail: str


def verify_code(name: str, address: str, onchain: bytes) -> CodeCheck:
    """Compare the code at `address` with the build of contract `name`."""
    built = bytes.fromhex(load_artifact(name).deployed_bytecode[2:])
    if not onchain:
        return CodeCheck(name, address, False, False, 0, "no code at this address")
    built_code, built_meta = _split_metadata(built)
    chain_code, chain_meta = _split_metadata(onchain)
    if len(built_code) != len(chain_code):
        return CodeCheck(
            name, address, False, built_meta == chain_meta, 0,
            f"code length {len(chain_code)} bytes, build has {len(built_code)}",
        )  # fmt: skip
    immutables = 0
    i = 0
    while i < len(built_code):
        opcode = built_code[i]
        if opcode != chain_code[i]:
            return CodeCheck(name, address, False, built_meta == chain_meta, immutables, f"differs at byte {i}")
        width = opcode - PUSH1 + 1 if PUSH1 <= opcode <= PUSH32 else 0
        argument = slice(i + 1, i + 1 + width)
        if opcode == PUSH32 and not any(built_code[argument]):
            immutables += 1
        elif built_code[argument] != chain_code[argument]:
            return CodeCheck(name, address, False, built_meta == chain_meta, immutables, f"differs at byte {i + 1}")
        i += 1 + width
    detail = "metadata equal" if built_meta == chain_meta else "metadata differs (source text or settings changed)"
    return CodeCheck(name, address, True, built_meta == chain_meta, immutables, detail)


def _split_metadata(code: bytes) -> tuple[bytes, bytes]:
    if len(code) < 2:
        return code, b""
    length = int.from_bytes(code[-2:], "big") + 2
    if length > len(code):
        return code, b""
    return code[:-length], code[-length:]
