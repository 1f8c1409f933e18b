"""The proposal file: one Custody transaction, its EIP-712 domain, message and digest, the call in words, and
the owners' signatures. It travels between signers (USB stick, shared folder), so nothing in it is trusted:
`verify` recomputes everything from the fields and refuses the file on any mismatch. That only proves the file
agrees with itself: anyone who can write to the folder can rebuild it around another call. What binds a signature
to what the signer read is the digest: `show` prints it, the signers compare it among themselves, and
`require_reviewed` refuses to sign a file whose digest is not that one.

Format (JSON, integers as decimal strings):
    {"format": "hdex-custody-proposal/1",
     "domain": {"name", "version", "chainId", "verifyingContract"},
     "message": {"target", "value", "data", "nonce", "deadline"},
     "domainHash", "messageHash", "digest": 0x-hex,
     "call": the decoded call as the proposer's tool described it,
     "signatures": [{"signer", "signature"}, ...]}
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address

from custody.addresses import checksummed
from custody.approvals import DOMAIN_NAME, DOMAIN_VERSION, Approval, CustodyTransaction, collect, recover, sign
from custody.calls import KnownAbis
from custody.errors import TreasuryError
from custody.terminal import printable

FORMAT = "hdex-custody-proposal/1"


@dataclass(frozen=True)
class Proposal:
    """A transaction to approve, what the file claims about it, and the approvals gathered so far."""

    transaction: CustodyTransaction
    digest: bytes
    domain_hash: bytes
    message_hash: bytes
    call: str
    approvals: tuple[Approval, ...] = field(default=())

    @classmethod
    def create(cls, transaction: CustodyTransaction, abis: KnownAbis) -> Proposal:
        """A fresh proposal whose hashes and description are computed here."""
        _require_same_digest(transaction)
        return cls(
            transaction=transaction,
            digest=transaction.digest(),
            domain_hash=transaction.domain_hash(),
            message_hash=transaction.message_hash(),
            call=describe(transaction, abis),
        )

    @property
    def signers(self) -> list[str]:
        return [a.signer for a in self.approvals]

    def to_json(self) -> dict[str, Any]:
        tx = self.transaction
        return {
            "format": FORMAT,
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": str(tx.chain_id),
                "verifyingContract": to_checksum_address(tx.custody),
            },
            "message": {
                "target": to_checksum_address(tx.target),
                "value": str(tx.value),
                "data": "0x" + tx.data.hex(),
                "nonce": str(tx.nonce),
                "deadline": str(tx.deadline),
            },
            "domainHash": "0x" + self.domain_hash.hex(),
            "messageHash": "0x" + self.message_hash.hex(),
            "digest": "0x" + self.digest.hex(),
            "call": self.call,
            "signatures": [{"signer": a.signer, "signature": "0x" + a.signature.hex()} for a in self.approvals],
        }

    @classmethod
    def from_json(cls, data: object) -> Proposal:
        """Parse a proposal's JSON; raises TreasuryError naming the first malformed field."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise TreasuryError(f"not a custody proposal (format is not {FORMAT})")
        domain, message = _object(data, "domain"), _object(data, "message")
        if domain.get("name") != DOMAIN_NAME or domain.get("version") != DOMAIN_VERSION:
            raise TreasuryError(f"domain name/version are not {DOMAIN_NAME!r}/{DOMAIN_VERSION!r}")
        transaction = CustodyTransaction(
            chain_id=_integer(domain, "chainId"),
            custody=_address(domain, "verifyingContract"),
            target=_address(message, "target"),
            value=_integer(message, "value"),
            data=_hex(message, "data"),
            nonce=_integer(message, "nonce"),
            deadline=_integer(message, "deadline"),
        )
        signatures = data.get("signatures", [])
        if not isinstance(signatures, list):
            raise TreasuryError("signatures: not a list")
        approvals = tuple(
            Approval(signer=_address(_entry(s), "signer"), signature=_hex(_entry(s), "signature")) for s in signatures
        )
        call = data.get("call")
        if not isinstance(call, str):
            raise TreasuryError("call: missing")
        return cls(
            transaction, _hex(data, "digest"), _hex(data, "domainHash"), _hex(data, "messageHash"), call, approvals
        )

    def verify(self, abis: KnownAbis, *, chain_id: int | None = None, custody: str | None = None) -> None:
        """Refuse (TreasuryError) unless the file is self-consistent and for the expected chain and contract.

        Checks: the pinned chain id and Custody address; our digest and eth-account's agree, and equal the file's
        digest and hashes; the decoded call equals the file's description; every signature recovers to its signer.
        These hashes are recomputable by anyone, so a file rebuilt around another call passes: before signing,
        `require_reviewed` also checks the digest against the one the signer reviewed.
        """
        tx = self.transaction
        if chain_id is not None and tx.chain_id != chain_id:
            raise TreasuryError(f"proposal is for chain {tx.chain_id}, expected chain {chain_id}: refusing")
        if custody is not None and to_checksum_address(tx.custody) != to_checksum_address(custody):
            raise TreasuryError(
                f"proposal is for Custody {to_checksum_address(tx.custody)}, expected {to_checksum_address(custody)}: "
                "refusing"
            )
        _require_same_digest(tx)
        for label, claimed, computed in (
            ("domain hash", self.domain_hash, tx.domain_hash()),
            ("message hash", self.message_hash, tx.message_hash()),
            ("digest", self.digest, tx.digest()),
        ):
            if claimed != computed:
                raise TreasuryError(
                    f"the file's {label} 0x{claimed.hex()} does not match its fields (0x{computed.hex()}): "
                    "the proposal was altered; refusing"
                )
        if describe(tx, abis) != self.call:
            raise TreasuryError("the file's call description does not match its calldata: refusing")
        for approval in self.approvals:
            if recover(tx, approval.signature) != approval.signer:
                raise TreasuryError(f"the signature listed for {approval.signer} is not that signer's over this digest")

    def require_reviewed(self, reviewed_digest: bytes) -> None:
        """Refuse (TreasuryError) unless the transaction's digest is `reviewed_digest`, the one the signer read
        with `show` and compared with the other signers: the file may have been rebuilt since, consistently."""
        digest = self.transaction.digest()
        if digest != reviewed_digest:
            raise TreasuryError(
                f"the proposal's digest is 0x{digest.hex()}, not the 0x{reviewed_digest.hex()} you reviewed "
                f"(it now calls {printable(self.call)}): the file changed since you reviewed it; nothing was signed"
            )

    def with_signature(self, account: LocalAccount) -> Proposal:
        """This proposal with `account`'s approval added (call `verify` and `require_reviewed` first)."""
        signer = to_checksum_address(account.address)
        if signer in self.signers:
            raise TreasuryError(f"{signer} has already signed this proposal")
        return replace(self, approvals=(*self.approvals, sign(self.transaction, account.key)))

    def in_signer_order(self) -> Proposal:
        """This proposal with its approvals in the contract's order; refuses a duplicate signer."""
        self.ordered_signatures()
        return replace(self, approvals=tuple(sorted(self.approvals, key=lambda a: int(a.signer, 16))))

    def ordered_signatures(self) -> list[bytes]:
        """The signatures in the order `Custody.execute` wants (strictly increasing signer)."""
        return collect(self.approvals)


def parse_digest(text: str) -> bytes:
    """A 32-byte digest written as 0x-hex (as `show` prints it); TreasuryError otherwise."""
    raw = text.strip()
    if not raw.startswith("0x") or len(raw) != 66:
        raise TreasuryError(f"--digest: {text!r} is not a 32-byte 0x-hex digest (copy the one `show` printed)")
    try:
        return bytes.fromhex(raw[2:])
    except ValueError:
        raise TreasuryError(f"--digest: {text!r} is not valid hex") from None


def describe(transaction: CustodyTransaction, abis: KnownAbis) -> str:
    """The call in one line, recomputed by anyone from the calldata."""
    return abis.decode(transaction.data).describe() if transaction.data else "(none: plain ether transfer)"


def merge(proposals: Iterable[Proposal]) -> Proposal:
    """One proposal with every approval of `proposals`, which must all be the same transaction."""
    merged: Proposal | None = None
    for proposal in proposals:
        if merged is None:
            merged = proposal
            continue
        if proposal.transaction != merged.transaction or proposal.digest != merged.digest:
            raise TreasuryError(
                f"the files are different proposals (digests 0x{merged.digest.hex()} and 0x{proposal.digest.hex()})"
            )
        new = [a for a in proposal.approvals if a.signer not in merged.signers]
        merged = replace(merged, approvals=(*merged.approvals, *new))
    if merged is None:
        raise TreasuryError("no proposal files given")
    return merged


def require_owners(proposal: Proposal, owners: Iterable[str]) -> None:
    """Refuse unless every signer is one of `owners`."""
    current = {to_checksum_address(o) for o in owners}
    strangers = [s for s in proposal.signers if s not in current]
    if strangers:
        raise TreasuryError(f"signed by {', '.join(strangers)}, not a current owner: refusing")


def read_proposal(path: Path) -> Proposal:
    """Load a proposal file (parsed, not yet verified)."""
    _refuse_control_characters(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TreasuryError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise TreasuryError(f"{path} is not JSON: {exc}") from None
    return Proposal.from_json(data)


def write_proposal(proposal: Proposal, path: Path, *, force: bool = False) -> None:
    """Write atomically, so an interrupted signer never leaves half a file. Proposal folders are shared between
    owners: the file is written through a new temporary file of a random name, created exclusively (a link another
    owner planted under a predictable name would have the write truncate what it points to, a signer's keystore),
    and a proposal path that is itself a link is refused. An existing file is replaced only by the same proposal
    keeping every signature it holds (`sign` and `collect` updating it), unless `force`."""
    _refuse_control_characters(path)
    if path.is_symlink():
        raise TreasuryError(f"{path} is a symbolic link: refusing to write through it (it may point at a keystore)")
    if not force and path.exists():
        _refuse_overwrite(proposal, path)
    text = json.dumps(proposal.to_json(), indent=2) + "\n"
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise TreasuryError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _refuse_overwrite(proposal: Proposal, path: Path) -> None:
    """Refuse to replace what is at `path` unless it is `proposal` with no signature `proposal` lacks: anything
    else there (a keystore, another operation's proposal, someone's signature) would be lost."""
    what = _existing_file(path, proposal)
    if what is not None:
        raise TreasuryError(
            f"{path} already exists and is {what}: refusing to overwrite it (choose another --out, or --force)"
        )


def _existing_file(path: Path, proposal: Proposal) -> str | None:
    """What is at `path`, if writing `proposal` there would lose it; None if it is `proposal` being updated."""
    if not path.is_file():
        return "not a regular file"
    try:
        existing = read_proposal(path)
    except TreasuryError:
        return _foreign_file(path)
    digest = existing.transaction.digest()
    if digest != proposal.digest:
        return f"a proposal for another operation (digest 0x{digest.hex()}: {printable(existing.call)})"
    dropped = [s for s in existing.signers if s not in proposal.signers]
    if dropped:
        return f"this proposal with the signature(s) of {', '.join(dropped)}, which this write would drop"
    return None


def _foreign_file(path: Path) -> str:
    """What a file that is not a proposal looks like, for the refusal to overwrite it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "not a proposal file"
    if isinstance(data, dict) and ("crypto" in data or "Crypto" in data):
        address = data.get("address")
        if isinstance(address, str):
            return f"an encrypted keystore (address {printable(address)})"
        return "an encrypted keystore"
    return "not a proposal file"


def _refuse_control_characters(path: Path) -> None:
    """A file name with control characters could rewrite the terminal a signer reads the proposal on."""
    if any(unicodedata.category(char) == "Cc" for char in str(path)):
        raise TreasuryError(f"the file name {str(path)!r} has control characters: rename it")


def _require_same_digest(tx: CustodyTransaction) -> None:
    ours, theirs = tx.digest(), tx.typed_data_digest()
    if ours != theirs:
        raise TreasuryError(f"digest implementations disagree (ours 0x{ours.hex()}, eth-account 0x{theirs.hex()})")


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise TreasuryError(f"{key}: missing or not an object")
    return value


def _entry(value: object) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise TreasuryError("signatures: each entry must be an object")
    return value


def _integer(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TreasuryError(f"{key}: missing or not an integer")
    try:
        number = int(value)
    except ValueError:
        raise TreasuryError(f"{key}: {value!r} is not a decimal integer") from None
    if number < 0 or number >= 2**256:
        raise TreasuryError(f"{key}: {number} is out of range")
    return number


def _address(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise TreasuryError(f"{key}: missing or not an address")
    try:
        return checksummed(value)
    except TreasuryError as exc:
        raise TreasuryError(f"{key}: {exc}") from None


def _hex(data: Mapping[str, Any], key: str) -> bytes:
    value = data.get(key)
    if not isinstance(value, str) or not value.startswith("0x"):
        raise TreasuryError(f"{key}: missing or not 0x-hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise TreasuryError(f"{key}: not valid hex") from None
