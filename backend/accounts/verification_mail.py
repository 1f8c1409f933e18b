"""The verification link's mail, in the wallet's language (`wording`)."""

from __future__ import annotations

from backend.accounts.wording import wording
from backend.mail import Mail


def verification_mail(email: str, link: str, ttl_s: int, language: str) -> Mail:
    """The mail that carries `link` (valid for `ttl_s`) to `email`; English for a language HDEX does not write."""
    words = wording(language)
    minutes = ttl_s // 60
    lifetime = words.hours.format(count=minutes // 60) if minutes >= 120 else words.minutes.format(count=minutes)
    return Mail(email, words.verify, words.verify_text.format(lifetime=lifetime, link=link))
