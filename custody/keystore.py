"""Owner keys from encrypted keystore files (Web3 Secret Storage, as `Account.encrypt` and geth write them)."""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from custody.errors import TreasuryError


def unlock(path: Path, password: str) -> LocalAccount:
    """The account in keystore `path`; TreasuryError on an unreadable file or a wrong password."""
    try:
        keyfile = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TreasuryError(f"cannot read keystore {path}: {exc.strerror}") from None
    except ValueError:
        raise TreasuryError(f"{path} is not a keystore file (not JSON)") from None
    try:
        key = Account.decrypt(keyfile, password)
    except ValueError:
        raise TreasuryError(f"cannot unlock {path}: wrong password or not a keystore") from None
    account: LocalAccount = Account.from_key(key)
    return account
