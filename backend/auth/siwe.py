"""What an EIP-4361 sign-in message must say for HDEX to accept it. Pure rules: no database, no node.

The nonce is checked (and consumed) by `backend.auth.sessions`, which owns the nonces handed out.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from eth_keys.exceptions import BadSignature
from pydantic import ValidationError

from backend.errors import ErrorCode, HdexError

if TYPE_CHECKING:
    from siwe import SiweMessage

MAX_MESSAGE_CHARS = 4096


@cache
def _siwe() -> ModuleType:
    """The `siwe` package, imported at the first sign-in: it loads web3 and builds its ABNF grammars, a second of
    every process's start (an engine restarted after a crash, each replica, each CLI command) that only a
    sign-in needs."""
    with warnings.catch_warnings():
        # siwe's grammar redefines core ABNF rules (ALPHA, DIGIT, ...), which abnf warns about at import.
        warnings.simplefilter("ignore")
        return importlib.import_module("siwe")


@dataclass(frozen=True)
class SignInRules:
    """What a message must name: one of `domains` (and a URI on it) and the exchange's chain."""

    domains: Collection[str]
    chain_id: int


@dataclass(frozen=True)
class SignIn:
    """An accepted message: who signed, on which chain, with which nonce, valid until when (epoch ms)."""

    address: str
    chain_id: int
    nonce: str
    expires_at_ms: int | None


def verify_sign_in(text: str, signature: str, rules: SignInRules, now: datetime) -> SignIn:
    """The sign-in `text` says, once its fields fit `rules` and `now` and `signature` is its signer's
    EIP-191 signature; otherwise `HdexError` with the code of the first rule it breaks."""
    message = _parse(text)
    if message.domain not in rules.domains:
        raise HdexError(
            ErrorCode.SIWE_WRONG_DOMAIN,
            f"the message is for {message.domain!r}; sign in on {' or '.join(sorted(rules.domains))}",
            "message",
        )
    uri = urlsplit(message.uri)
    if uri.scheme not in ("http", "https") or uri.netloc != message.domain:
        raise HdexError(
            ErrorCode.SIWE_WRONG_URI,
            f"the message's URI {message.uri!r} must be an http(s) address on {message.domain}",
            "message",
        )
    if message.chain_id != rules.chain_id:
        raise HdexError(
            ErrorCode.SIWE_WRONG_CHAIN,
            f"the message is for chain {message.chain_id}; HDEX runs on chain {rules.chain_id}: switch the wallet",
            "message",
        )
    siwe = _siwe()
    try:
        message.verify(signature, timestamp=now)
    except siwe.ExpiredMessage:
        raise HdexError(ErrorCode.SIWE_EXPIRED, "the message has expired: sign a new one", "message") from None
    except siwe.NotYetValidMessage:
        raise HdexError(
            ErrorCode.SIWE_NOT_YET_VALID, "the message is not valid yet (Not Before): sign a new one", "message"
        ) from None
    except (siwe.InvalidSignature, BadSignature):  # BadSignature: 65 bytes no public key recovers from
        raise HdexError(
            ErrorCode.INVALID_SIGNATURE, f"the signature is not {message.address}'s over this message", "signature"
        ) from None
    expires = message.expiration_time
    return SignIn(
        address=message.address,
        chain_id=message.chain_id,
        nonce=message.nonce,
        expires_at_ms=None if expires is None else int(datetime.fromisoformat(expires).timestamp() * 1000),
    )


def _parse(text: str) -> SiweMessage:
    if len(text) > MAX_MESSAGE_CHARS:
        raise HdexError(ErrorCode.SIWE_MALFORMED, f"a sign-in message has at most {MAX_MESSAGE_CHARS} characters")
    try:
        # siwe's regular-expression parser, not its ABNF one: the ABNF parser's time grows with the square of the
        # text (2.7 s for 4 KiB of junk, holding the GIL), which anyone could ask for before any check
        message: SiweMessage = _siwe().SiweMessage.from_message(text, abnf=False)
        return message
    except ValidationError as exc:  # it parses, but a field is wrong (an address not EIP-55, a bad date...)
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        problem = f"{field}: {first['msg'].removeprefix('Value error, ')}"
    except ValueError:  # the grammar's refusal carries no message
        problem = "it does not follow the EIP-4361 format"
    raise HdexError(ErrorCode.SIWE_MALFORMED, f"not a valid sign-in message: {problem}", "message")
