"""Sign-in with Ethereum for the API tests: EIP-4361 messages written as a dApp writes them, signed with
eth-account's personal_sign (EIP-191) by anvil's dev keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eth_account import Account
from eth_account.messages import encode_defunct

from backend.chain.devkeys import DEV_KEYS

from .exchange_fixtures import wallet

HOST = "testserver"  # the Host header of FastAPI's TestClient


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def siwe_message(
    nonce: str,
    *,
    signer: int = 5,
    domain: str = HOST,
    uri: str | None = None,
    chain_id: int = 31337,
    expires_in: timedelta | None = timedelta(minutes=10),
    not_before: datetime | None = None,
) -> str:
    """An EIP-4361 message by dev wallet `signer` (the same lines, in the same order, as viem's)."""
    now = datetime.now(UTC)
    lines = [
        f"{domain} wants you to sign in with your Ethereum account:",
        wallet(signer),
        "",
        "Sign in to HDEX",
        "",
        f"URI: {uri or f'http://{domain}'}",
        "Version: 1",
        f"Chain ID: {chain_id}",
        f"Nonce: {nonce}",
        f"Issued At: {iso(now)}",
    ]
    if expires_in is not None:
        lines.append(f"Expiration Time: {iso(now + expires_in)}")
    if not_before is not None:
        lines.append(f"Not Before: {iso(not_before)}")
    return "\n".join(lines)


def personal_sign(message: str, signer: int = 5) -> str:
    return str(Account.sign_message(encode_defunct(text=message), DEV_KEYS[signer]).signature.to_0x_hex())


def sign_in_body(nonce: str, signer: int = 5) -> dict[str, str]:
    """The POST /v1/auth/siwe body of a valid sign-in by dev wallet `signer`."""
    message = siwe_message(nonce, signer=signer)
    return {"message": message, "signature": personal_sign(message, signer)}
