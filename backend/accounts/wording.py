"""HDEX's own words in every account e-mail, per language of the profile (`backend.accounts.languages`): English,
and zh-CN in the dApp's terms (dapp/src/i18n/locales/**/zh-CN.json: 成交, 提现, 挂单方/吃单方, 手续费, 成交额, and the
Account page's labels as it shows them). Each is a format string, filled in by the mail's composer: the verification
link (`backend.accounts.verification_mail`), a support reply (`backend.support.desk`), and the fills, withdrawals and
news of `backend.notices.compose` (amounts and times formatted as the English mails do)."""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation, as the dApp's zh-CN catalogues do)
from __future__ import annotations

from dataclasses import dataclass

from backend.accounts.languages import DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Wording:
    footer: str  # {kind}: one of `kinds`
    kinds: dict[str, str]  # fills | withdrawals | news, as the profile's "E-mail me about" names them
    one_trade: str
    trades: str  # {count}
    traded: str
    more_trades: str  # {count}
    bought: str  # {amount} {base} {price} {quote} {total} {market} {role} {fee}
    sold: str
    bought_unlisted: str  # {amount} {market} {fill}
    sold_unlisted: str
    maker: str
    taker: str
    token_units: str  # {amount} {token}: a token no market lists
    withdrawal_completed: str
    withdrawal_completed_text: str  # {amount} {recipient} {tx} {request}
    withdrawal_failed: str
    withdrawal_failed_text: str  # {amount} {recipient} {failure} {request}
    # why it failed, by `backend.statuses.withdrawal_failure_kind` (the dApp's funds.failure.* in other words):
    # screening | recipient | other; the relayer's own record is English and a code, never shown
    failures: dict[str, str]
    news: str  # {title}
    verify: str
    verify_text: str  # {lifetime} {link}
    hours: str  # {count}: the link's lifetime
    minutes: str  # {count}
    support_reply: str  # {id}
    support_reply_text: str  # {id} {body} {link}: staff's words as written


ENGLISH = Wording(
    footer="\n\nYou get this e-mail because your HDEX account asks for e-mails about {kind}. Change it on the Account "
    "page of the dApp (Profile, 'E-mail me about').\n",
    kinds={"fills": "fills", "withdrawals": "withdrawals", "news": "news"},
    one_trade="HDEX: your order traded",
    trades="HDEX: {count} trades on your orders",
    traded="Your orders traded on HDEX. They settle on-chain shortly; the dApp shows each fill's settlement.\n\n",
    more_trades="... and {count} more: see Fills in the dApp.",
    bought="Bought {amount} {base} at {price} {quote} for {total} {quote} on {market} ({role}, fee {fee})",
    sold="Sold {amount} {base} at {price} {quote} for {total} {quote} on {market} ({role}, fee {fee})",
    bought_unlisted="Bought {amount} base units on {market} (fill {fill})",
    sold_unlisted="Sold {amount} base units on {market} (fill {fill})",
    maker="maker",
    taker="taker",
    token_units="{amount} base units of {token}",
    withdrawal_completed="HDEX: your withdrawal is complete",
    withdrawal_completed_text="Your withdrawal of {amount} to {recipient} is complete: transaction {tx}.\n"
    "Request {request}.",
    withdrawal_failed="HDEX: your withdrawal failed",
    withdrawal_failed_text="Your withdrawal of {amount} to {recipient} failed: {failure}. Nothing left your account: "
    "the amount is available on HDEX again, and you may request it again.\nRequest {request}.",
    failures={
        "screening": "compliance screening refused it, as your wallet or the destination is on a sanctions or deny "
        "list (contact support if you think this is a mistake)",
        "recipient": "the destination cannot receive it from the contract (it refused the transfer, or taking it "
        "needs more gas than the exchange pays): withdraw to another address",
        "other": "the operator could not complete it on-chain",
    },
    news="HDEX news: {title}",
    verify="HDEX: confirm your e-mail address",
    verify_text="Confirm this e-mail address for your HDEX account with the link below. It works once, for {lifetime} "
    "or less. If you did not ask for it, ignore this mail.\n\n{link}\n",
    hours="{count} hours",
    minutes="{count} minutes",
    support_reply="HDEX support: ticket #{id}",
    support_reply_text="HDEX support answered your ticket #{id}:\n\n{body}\n\n"
    "Read the whole conversation and reply in the app: {link}\n",
)

CHINESE = Wording(
    footer="\n\n您收到此邮件，是因为您的 HDEX 账户选择了通过邮件接收{kind}通知。可在应用的“账户”页面"
    "（“个人资料”中的“通过邮件通知我”）更改。\n",
    kinds={"fills": "成交", "withdrawals": "提现", "news": "新闻与公告"},
    one_trade="HDEX：您的订单已成交",
    trades="HDEX：您的订单有 {count} 笔成交",
    traded="您在 HDEX 的订单已成交。它们将很快在链上结算；应用中会显示每笔成交的结算状态。\n\n",
    more_trades="……另有 {count} 笔：请在应用的“成交记录”中查看。",
    bought="在 {market} 上以 {price} {quote} 买入 {amount} {base}，成交额 {total} {quote}（{role}，手续费 {fee}）",
    sold="在 {market} 上以 {price} {quote} 卖出 {amount} {base}，成交额 {total} {quote}（{role}，手续费 {fee}）",
    bought_unlisted="在 {market} 上买入 {amount} 个最小单位的基础代币（成交编号 {fill}）",
    sold_unlisted="在 {market} 上卖出 {amount} 个最小单位的基础代币（成交编号 {fill}）",
    maker="挂单方",
    taker="吃单方",
    token_units="{amount} 个最小单位的代币 {token}",
    withdrawal_completed="HDEX：您的提现已完成",
    withdrawal_completed_text="您向 {recipient} 提现 {amount} 已完成：交易 {tx}。\n提现申请 {request}。",
    withdrawal_failed="HDEX：您的提现失败",
    withdrawal_failed_text="您向 {recipient} 提现 {amount} 失败：{failure}。没有任何资金离开您的账户："
    "该金额已在 HDEX 上重新可用，您可以再次申请提现。\n提现申请 {request}。",
    failures={
        "screening": "未通过合规筛查，您的钱包或目标地址在制裁名单或拒绝名单上（如您认为有误，请联系客服）",
        "recipient": "目标地址无法从合约接收此笔提现（拒绝了转账，或接收所需的 Gas 超过交易所支付的上限），"
        "请提现到其他地址",
        "other": "运营方未能在链上完成此笔提现",
    },
    news="HDEX 公告：{title}",
    verify="HDEX：请确认您的电子邮箱",
    verify_text="请使用下方链接为您的 HDEX 账户确认此电子邮箱。该链接只能使用一次，有效期最长 {lifetime}。"
    "如果这不是您本人的申请，请忽略此邮件。\n\n{link}\n",
    hours="{count} 小时",
    minutes="{count} 分钟",
    support_reply="HDEX 客服：工单 #{id}",
    support_reply_text="HDEX 客服回复了您的工单 #{id}：\n\n{body}\n\n在应用中查看完整对话并回复：{link}\n",
)

WORDINGS = {"en": ENGLISH, "zh-CN": CHINESE}


def wording(language: str) -> Wording:
    """The words of `language`; English for a language HDEX does not write."""
    return WORDINGS.get(language, WORDINGS[DEFAULT_LANGUAGE])
