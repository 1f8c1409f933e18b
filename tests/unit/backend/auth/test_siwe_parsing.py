"""A sign-in message is parsed by siwe's regular-expression parser: its ABNF parser takes time growing with the
square of the text (seconds for 4 KiB of junk, holding the GIL), which anyone could ask for before any check."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from backend.auth import siwe as sign_in_rules
from backend.errors import HdexError

MESSAGE = (
    "hdex.example wants you to sign in with your Ethereum account:\n"
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8\n\nSign in to HDEX\n\nURI: https://hdex.example\nVersion: 1\n"
    "Chain ID: 31337\nNonce: abcdefgh1234\nIssued At: 2026-12-06T09:00:00Z"
)
RULES = sign_in_rules.SignInRules(domains={"hdex.example"}, chain_id=31337)


@pytest.fixture
def no_abnf_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    siwe_module = sign_in_rules._siwe().siwe

    def refuse(**_: Any) -> None:
        raise AssertionError("the ABNF parser was used")

    monkeypatch.setattr(siwe_module, "ABNFParsedMessage", refuse)


@pytest.mark.usefixtures("no_abnf_parser")
@pytest.mark.parametrize(
    "text", ["a" * sign_in_rules.MAX_MESSAGE_CHARS, "a." * 2048, MESSAGE.replace("Sign in", "x" * 3000)]
)
def test_junk_and_long_messages_are_refused_or_read_without_the_abnf_parser(text: str) -> None:
    with pytest.raises(HdexError) as refused:
        sign_in_rules.verify_sign_in(text, "0x" + "11" * 65, RULES, datetime(2026, 12, 6, 9, 1, tzinfo=UTC))
    assert refused.value.code in ("SIWE_MALFORMED", "INVALID_SIGNATURE")


@pytest.mark.usefixtures("no_abnf_parser")
def test_a_well_formed_message_is_read_field_by_field() -> None:
    message = sign_in_rules._parse(MESSAGE)
    assert (message.domain, message.chain_id, message.nonce) == ("hdex.example", 31337, "abcdefgh1234")
