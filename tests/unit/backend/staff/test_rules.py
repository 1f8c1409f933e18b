"""The pure staff rules: the permission table, lock-out back-off, TOTP codes accepted once, recovery codes."""

from __future__ import annotations

import pyotp

from backend.staff import credentials, totp
from backend.staff.lockout import LockoutPolicy
from backend.staff.roles import PERMISSIONS, Permission, Role, may


def test_the_auditor_only_reads_and_support_neither_manages_staff_nor_reads_documents() -> None:
    writes = {Permission.STAFF_MANAGE, Permission.KYC_REVIEW, Permission.LIMITS_OVERRIDE,
              Permission.DENYLIST_MANAGE, Permission.FROZEN_RELEASE, Permission.MARKET_STATE}  # fmt: skip
    assert not PERMISSIONS[Role.AUDITOR] & writes
    assert not may(Role.SUPPORT, Permission.STAFF_MANAGE)
    assert not may(Role.SUPPORT, Permission.KYC_DOCUMENTS_READ)
    assert may(Role.COMPLIANCE, Permission.KYC_DOCUMENTS_READ)
    assert PERMISSIONS[Role.ADMIN] == frozenset(Permission)


def test_the_lock_starts_at_the_threshold_doubles_and_stops_at_the_cap() -> None:
    policy = LockoutPolicy(after=5, base_s=60, max_s=3600)
    assert [policy.lock_s(n) for n in range(1, 12)] == [0, 0, 0, 0, 60, 120, 240, 480, 960, 1920, 3600]
    assert policy.lock_s(10_000) == 3600


def test_a_code_is_accepted_for_its_step_and_never_again_nor_an_older_one() -> None:
    secret = totp.new_secret()
    now = 1_700_000_000.0
    step = int(now) // 30
    code = pyotp.TOTP(secret).at(now)
    assert totp.accepted_step(secret, code, None, now) == step
    assert totp.accepted_step(secret, code, step, now) is None
    previous = pyotp.TOTP(secret).at(now - 30)
    assert totp.accepted_step(secret, previous, step, now) is None
    assert totp.accepted_step(secret, pyotp.TOTP(secret).at(now + 30), step, now) == step + 1
    assert totp.accepted_step(secret, pyotp.TOTP(secret).at(now + 90), None, now) is None
    assert totp.accepted_step(secret, "12345a", None, now) is None


def test_the_setup_is_an_otpauth_uri_and_an_inline_svg() -> None:
    setup = totp.setup_for(totp.new_secret(), "ann@hdex.example")
    assert setup.uri.startswith("otpauth://totp/HDEX:ann%40hdex.example?secret=")
    assert setup.qr_svg.count("<svg") == 1 and "<script" not in setup.qr_svg and "href" not in setup.qr_svg


def test_recovery_codes_match_however_they_are_typed_and_passwords_are_argon2id() -> None:
    code = credentials.new_recovery_codes()[0]
    assert credentials.recovery_code_hash(code.upper().replace("-", " ")) == credentials.recovery_code_hash(code)
    stored = credentials.hash_password("a long enough password")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106's low-memory profile
    assert credentials.password_matches(stored, "a long enough password")
    assert not credentials.password_matches(stored, "another password")
    assert not credentials.password_matches(None, "a long enough password")


def test_the_csrf_token_belongs_to_its_session() -> None:
    token = credentials.new_token()
    assert credentials.csrf_matches(token, credentials.csrf_token(token))
    assert not credentials.csrf_matches(credentials.new_token(), credentials.csrf_token(token))
    assert not credentials.csrf_matches(token, None)
    assert not credentials.csrf_matches(token, "\u00e9" * 64)  # any header text: refused, not a fault
