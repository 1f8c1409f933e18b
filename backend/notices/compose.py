"""The words of each account e-mail, in the wallet's language (`wording`): plain text, amounts exact in token units
(nothing rounded, formatted alike in every language)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backend.accounts.wording import Wording, wording
from backend.announcements.board import text_in
from backend.db.models import Announcement, Fill, Market, WithdrawalRequest
from backend.engine import Side
from backend.limits.units import human
from backend.mail import one_line
from backend.statuses import WithdrawalStatus, withdrawal_failure_kind
from backend.trading.rules.markets import PRICE_SCALE
from backend.trading.rules.orders import SIDES

MAX_TRADES = 50  # listed in one fills mail; the rest are counted (the dApp's Fills tab has them all)


@dataclass(frozen=True, slots=True)
class Words:
    subject: str
    body: str


def _footer(words: Wording, kind: str) -> str:
    return words.footer.format(kind=words.kinds[kind])


def fills_words(wallet: str, fills: Sequence[Fill], markets: Mapping[str, Market], language: str) -> Words:
    """A wallet's trades (its side of each fill, oldest first) in one mail."""
    words = wording(language)
    lines = [_trade_line(words, wallet, fill, markets.get(fill.market)) for fill in fills[:MAX_TRADES]]
    if len(fills) > MAX_TRADES:
        lines.append(words.more_trades.format(count=len(fills) - MAX_TRADES))
    subject = words.one_trade if len(fills) == 1 else words.trades.format(count=len(fills))
    return Words(subject, words.traded + "\n".join(lines) + _footer(words, "fills"))


def _trade_line(words: Wording, wallet: str, fill: Fill, market: Market | None) -> str:
    as_maker = fill.maker == wallet
    bought = (SIDES[fill.maker_side] is Side.BUY) == as_maker
    fee = fill.maker_fee if as_maker else fill.taker_fee
    if market is None:  # not listed any more: the base units, as stored
        line = words.bought_unlisted if bought else words.sold_unlisted
        return line.format(amount=fill.base_amount, market=fill.market, fill=fill.id)
    base, quote = market.base_symbol, market.quote_symbol
    price = human(fill.price * 10**market.base_decimals // PRICE_SCALE, market.quote_decimals)
    # the buyer pays its fee in the base it receives, the seller in the quote
    fee_text = (
        human(fee, market.base_decimals) + f" {base}" if bought else human(fee, market.quote_decimals) + f" {quote}"
    )
    return (words.bought if bought else words.sold).format(
        amount=human(fill.base_amount, market.base_decimals), base=base, price=price, quote=quote,
        total=human(fill.quote_amount, market.quote_decimals), market=fill.market,
        role=words.maker if as_maker else words.taker, fee=fee_text,
    )  # fmt: skip


def withdrawal_words(request: WithdrawalRequest, token: tuple[str, int] | None, language: str) -> Words:
    """A withdrawal that ended: completed, or failed and its funds free again. `token`: its (symbol, decimals)."""
    words = wording(language)
    amount = (
        words.token_units.format(amount=request.amount, token=request.token)
        if token is None
        else f"{human(request.amount, token[1])} {token[0]}"
    )
    named = {"amount": amount, "recipient": request.recipient, "request": request.hash}
    if request.status == WithdrawalStatus.COMPLETED:
        subject, text = words.withdrawal_completed, words.withdrawal_completed_text.format(tx=request.tx_hash, **named)
    else:
        why = words.failures[withdrawal_failure_kind(request.failure)]
        subject, text = words.withdrawal_failed, words.withdrawal_failed_text.format(failure=why, **named)
    return Words(subject, text + _footer(words, "withdrawals"))


def news_words(announcement: Announcement, language: str) -> Words:
    """An announcement: its title, and its body as staff wrote it (Markdown reads as plain text), in the wallet's
    language where staff translated it (from the English as it is), else in English; HDEX's frame around them
    speaks the wallet's language."""
    words = wording(language)
    text = text_in(announcement, language)
    subject = words.news.format(title=one_line(text.title))[:200]
    return Words(subject, text.body + _footer(words, "news"))
