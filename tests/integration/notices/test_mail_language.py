"""Account e-mails in the wallet's language, received over real SMTP (aiosmtpd): a zh-CN profile gets its fills,
withdrawal outcomes and news framed in Chinese (the dApp's terms; amounts as in English), an en profile in English;
an announcement's own title and text stay as staff wrote them, in the profile's language where they translated it."""

# ruff: noqa: RUF001  (the Chinese mails take full-width punctuation, as the dApp's zh-CN catalogues do)

from __future__ import annotations

import time
from email.header import decode_header, make_header

from sqlalchemy import update

from backend.db.models import AccountProfile, Announcement, WithdrawalRequest
from backend.statuses import WithdrawalStatus

from ..api.exchange_fixtures import PRICE, WETH, Exchange, wallet
from ..limits.conftest import withdraw
from ..staff.conftest import Inbox
from .test_account_mail import BUYER, SELLER, TENTH, choose, exchange, inbox, mail_pass

__all__ = ["exchange", "inbox"]  # the stack with real SMTP, and the server


def speaks(exchange: Exchange, key_index: int, language: str) -> None:
    with exchange.container.uow() as uow:
        uow.session.execute(
            update(AccountProfile).where(AccountProfile.address == wallet(key_index)).values(language=language)
        )
        uow.commit()


def mails_to(box: Inbox, address: str) -> list[tuple[str, str]]:
    """(subject, body) of each mail to `address`, decoded as the reader sees them."""
    found = []
    for mail in box.mails:
        if str(mail["To"]) == address:
            payload = mail.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found.append(
                (str(make_header(decode_header(str(mail["Subject"])))), payload.decode().replace("\r\n", "\n"))
            )
    return found


def test_fills_are_mailed_in_chinese_to_a_zh_cn_profile_and_in_english_to_an_en_one(
    exchange: Exchange, inbox: tuple[Inbox, int]
) -> None:
    buyer, seller = choose(exchange, BUYER, fills=True), choose(exchange, SELLER, fills=True)
    speaks(exchange, BUYER, "zh-CN")
    exchange.place(SELLER, side=1, baseAmount=TENTH)
    assert exchange.place(BUYER, baseAmount=TENTH, limitPrice=PRICE).json()["status"] == "filled"

    assert mail_pass(exchange).collected == 2
    [(subject, body)] = mails_to(inbox[0], buyer)
    assert subject == "HDEX：您的订单已成交"
    assert body.startswith("您在 HDEX 的订单已成交。")
    assert "在 WETH-USDC 上以 3,000.00 USDC 买入 0.10 WETH，成交额 300.00 USDC（吃单方，手续费 0.0002 WETH）" in body
    assert "通过邮件接收成交通知" in body and "“个人资料”中的“通过邮件通知我”" in body
    assert "Bought" not in body and "Profile" not in body
    [(subject, body)] = mails_to(inbox[0], seller)
    assert subject == "HDEX: your order traded"
    assert "Sold 0.10 WETH at 3,000.00 USDC for 300.00 USDC on WETH-USDC (maker, fee " in body
    assert "Account page of the dApp (Profile, 'E-mail me about')" in body


def test_withdrawal_outcomes_and_news_are_framed_in_the_profiles_language_and_staffs_words_stay(
    exchange: Exchange, inbox: tuple[Inbox, int]
) -> None:
    chinese, english = choose(exchange, SELLER, withdrawals=True, news=True), choose(exchange, BUYER, news=True)
    speaks(exchange, SELLER, "zh-CN")
    failing = withdraw(exchange, 10**16, WETH, SELLER).json()["hash"]
    now = int(time.time() * 1000)
    with exchange.container.uow() as uow:  # as the relayer ends it
        uow.session.execute(update(WithdrawalRequest).values(
            status=WithdrawalStatus.FAILED, failure="blocked_by_screening:recipient"))  # fmt: skip
        uow.session.add(
            Announcement(title="Wartung am Sonntag", body="**Sonntag** 02:00 UTC", severity="info", placement="banner",
                         starts_at_ms=now - 1, ends_at_ms=now + 3_600_000, created_by="ann", created_at_ms=now,
                         updated_by="ann", updated_at_ms=now)
        )  # fmt: skip
        uow.session.add(
            Announcement(title="New markets", body="**Two** new markets", severity="info", placement="banner",
                         starts_at_ms=now - 1, ends_at_ms=now + 3_600_000, created_by="ann", created_at_ms=now,
                         updated_by="ann", updated_at_ms=now,
                         translations={"zh-CN": {"title": "新市场", "body": "**两个**新市场"}})
        )  # fmt: skip
        uow.commit()

    assert mail_pass(exchange).collected == 5
    [(failed_subject, failed_body), (news_subject, news_body), translated] = mails_to(inbox[0], chinese)
    assert failed_subject == "HDEX：您的提现失败"
    # why, in the profile's words: the relayer's record is English and a code
    assert failed_body.startswith(f"您向 {wallet(SELLER)} 提现 0.01 WETH 失败：未通过合规筛查，")
    assert failing in failed_body
    assert "通过邮件接收提现通知" in failed_body and "withdrawal" not in failed_body and "screening" not in failed_body
    assert news_subject == "HDEX 公告：Wartung am Sonntag"
    assert news_body.startswith("**Sonntag** 02:00 UTC\n\n您收到此邮件") and "新闻与公告" in news_body
    assert translated[0] == "HDEX 公告：新市场" and translated[1].startswith("**两个**新市场\n\n您收到此邮件")
    [(news_subject, news_body), untranslated] = mails_to(inbox[0], english)
    assert news_subject == "HDEX news: Wartung am Sonntag"
    assert news_body.startswith("**Sonntag** 02:00 UTC\n\nYou get this e-mail") and "about news" in news_body
    assert untranslated[0] == "HDEX news: New markets" and untranslated[1].startswith("**Two** new markets\n\n")
