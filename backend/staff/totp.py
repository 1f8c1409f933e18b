"""Time-based one-time passwords (RFC 6238): secrets, the set-up a phone app scans, and codes accepted once.

Pure rules, no database: the caller stores the secret and the last accepted time step.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

import pyotp
import qrcode
import qrcode.image.svg

ISSUER = "HDEX"
STEP_S = 30  # RFC 6238's default, what every authenticator app uses
DRIFT_STEPS = 1  # a code of the step before or after is accepted too (clock drift, typing time)


@dataclass(frozen=True)
class TotpSetup:
    """What an authenticator app needs: the otpauth:// URI, the same as an SVG QR code, and the secret."""

    uri: str
    qr_svg: str
    secret: str


def new_secret() -> str:
    """A fresh base32 secret (160 bits, RFC 4226's recommendation)."""
    return pyotp.random_base32(32)


def setup_for(secret: str, email: str) -> TotpSetup:
    """The provisioning URI and its QR code (inline SVG, no external image) for `email`'s `secret`."""
    uri = pyotp.TOTP(secret, interval=STEP_S).provisioning_uri(name=email, issuer_name=ISSUER)
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return TotpSetup(uri, svg if isinstance(svg, str) else svg.decode(), secret)


def accepted_step(secret: str, code: str, last_step: int | None, now_s: float) -> int | None:
    """The time step `code` belongs to, if it is valid now (within DRIFT_STEPS) and later than `last_step`
    (a code once accepted, or one of an earlier step, is refused: no replay); else None."""
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_S)
    current = int(now_s) // STEP_S
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (last_step is None or step > last_step) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
