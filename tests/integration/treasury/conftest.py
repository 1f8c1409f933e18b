"""A treasury desk on a fresh dev chain: the three Custody owners' keystores, a sender's, and `hdex treasury`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eth_account import Account

from backend.chain.devkeys import CUSTODY_OWNER_INDICES, DEV_KEYS
from backend.cli import main

from ..devchain import DevChain

PASSWORD = "correct horse battery staple"
SENDER_INDEX = 0  # the deployer pays gas; it is not an owner


@dataclass
class Desk:
    chain: DevChain
    folder: Path
    owner_keystores: list[Path]
    sender_keystore: Path

    @property
    def custody(self) -> str:
        return self.chain.stack.contracts["Custody"]

    @property
    def exchange(self) -> str:
        return self.chain.stack.contracts["Exchange"]

    def hdex(self, *args: str) -> Result:
        """Run `hdex treasury ...`; the keystore password comes from the environment, as in automation."""
        return CliRunner().invoke(
            main, ["treasury", *args], env={"HDEX_KEYSTORE_PASSWORD": PASSWORD}, catch_exceptions=False
        )

    def propose(self, out: str, *args: str) -> Path:
        result = self.hdex("propose", "--custody", self.custody, "--rpc", self.chain.url, "--out", out, *args)
        assert result.exit_code == 0, result.output
        return Path(out)

    def approved(self, out: str, *args: str) -> Path:
        """`propose`, then signed by two owners: the threshold."""
        proposal = self.propose(out, *args)
        for owner in (0, 1):
            assert self.sign(proposal, owner).exit_code == 0
        return proposal

    def reviewed_digest(self, proposal: Path) -> str:
        """The digest `show` prints for the signers to compare, as a signer copies it into `sign --digest`."""
        shown = self.hdex("show", str(proposal))
        assert shown.exit_code == 0, shown.output
        found = re.search(r"^DIGEST TO COMPARE  (0x[0-9a-f]{64})$", shown.output, re.MULTILINE)
        assert found, shown.output
        return found.group(1)

    def sign(self, proposal: Path, owner: int, out: Path | None = None, digest: str | None = None) -> Result:
        """Sign with `--yes`, bound to `digest` (default: the one `show` prints for the file now)."""
        return self.hdex(
            "sign", str(proposal), "--keystore", str(self.owner_keystores[owner]), "--chain-id", "31337",
            "--custody", self.custody, "--yes", "--digest", digest or self.reviewed_digest(proposal),
            *(["--out", str(out)] if out else []),
        )  # fmt: skip

    def send(self, verb: str, proposal: Path) -> Result:
        return self.hdex(verb, str(proposal), "--keystore", str(self.sender_keystore), "--rpc", self.chain.url)

    def custody_nonce(self) -> int:
        return int(self.chain.contract("Custody", self.custody).functions.nonce().call())


def write_keystore(path: Path, key: str) -> Path:
    # Light key derivation keeps the suite fast; the format is the standard one `Account.decrypt` reads.
    path.write_text(json.dumps(Account.encrypt(key, PASSWORD, kdf="pbkdf2", iterations=1_000)), encoding="utf-8")
    return path


@pytest.fixture
def desk(devchain: DevChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.chdir(tmp_path)
    owners = [write_keystore(tmp_path / f"owner{i}.json", DEV_KEYS[i]) for i in CUSTODY_OWNER_INDICES]
    sender = write_keystore(tmp_path / "sender.json", DEV_KEYS[SENDER_INDEX])
    yield Desk(devchain, tmp_path, owners, sender)
