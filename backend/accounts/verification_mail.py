"""The verification link's mail, in the wallet's language (`languages.LANGUAGES`; the dApp's zh-CN terms)."""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation, as the dApp's zh-CN catalogues do)
from __future__ import annotations

from backend.mail import Mail


def _lifetime(ttl_s: int, language: str) -> str:
    minutes = ttl_s // 60
    if language == "zh-CN":
        return f"{minutes // 60} 小时" if minutes >= 120 else f"{minutes} 分钟"
    return f"{minutes // 60} hours" if minutes >= 120 else f"{minutes} minutes"


def verification_mail(email: str, link: str, ttl_s: int, language: str) -> Mail:
    """The mail that carries `link` (valid for `ttl_s`) to `email`; English for any language but zh-CN."""
    lifetime = _lifetime(ttl_s, language)
    if language == "zh-CN":
        return Mail(
            email,
            "HDEX：请确认您的电子邮箱",
            f"请使用下方链接为您的 HDEX 账户确认此电子邮箱。该链接只能使用一次，有效期最长 {lifetime}。"
            f"如果这不是您本人的申请，请忽略此邮件。\n\n{link}\n",
        )
    return Mail(
        email,
        "HDEX: confirm your e-mail address",
        f"Confirm this e-mail address for your HDEX account with the link below. It works once, for {lifetime} "
        f"or less. If you did not ask for it, ignore this mail.\n\n{link}\n",
    )
