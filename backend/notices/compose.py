"""The words of each account e-mail: plain text, amounts exact in token units (nothing rounded)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from backend.db.models import Announcement, Fill, Market, WithdrawalRequest
from backend.engine import Side
from backend.limits.units import human
from backend.mail import one_line
from backend.statuses import WithdrawalStatus
from backend.trading.rules.markets import PRICE_SCALE
from backend.trading.rules.orders import SIDES

MAX_TRADES = 50  # listed in one fills mail; the rest are counted (the dApp's Fills tab has them all)


@dataclass(frozen=True, slots=True)
class Words:
    subject: str
    body: str


def _footer(kind: str) -> str:
    return (
        f"\n\nYou get this e-mail because your HDEX account asks for e-mails about {kind}. Change it on the "
        "Account page of the dApp (Profile, 'E-mail me about').\n"
    )


def fills_words(wallet: str, fills: Sequence[Fill], markets: Mapping[str, Market]) -> Words:
    """A wallet's trades (its side of each fill, oldest first) in one mail."""
    lines = [_trade_line(wallet, fill, markets.get(fill.market)) for fill in fills[:MAX_TRADES]]
    if len(fills) > MAX_TRADES:
        lines.append(f"... and {len(fills) - MAX_TRADES} more: see Fills in the dApp.")
    subject = "HDEX: your order traded" if len(fills) == 1 else f"HDEX: {len(fills)} trades on your orders"
    intro = "Your orders traded on HDEX. They settle on-chain shortly; the dApp shows each fill's settlement.\n\n"
    return Words(subject, intro + "\n".join(lines) + _footer("fills"))


def _trade_line(wallet: str, fill: Fill, market: Market | None) -> str:
    as_maker = fill.maker == wallet
    bought = (SIDES[fill.maker_side] is Side.BUY) == as_maker
    fee = fill.maker_fee if as_maker else fill.taker_fee
    if market is None:  # not listed any more: the base units, as stored
        return f"{'Bought' if bought else 'Sold'} {fill.base_amount} base units on {fill.market} (fill {fill.id})"
    base, quote = market.base_symbol, market.quote_symbol
    price = human(fill.price * 10**market.base_decimals // PRICE_SCALE, market.quote_decimals)
    # the buyer pays its fee in the base it receives, the seller in the quote
    fee_text = (
        human(fee, market.base_decimals) + f" {base}" if bought else human(fee, market.quote_decimals) + f" {quote}"
    )
    role = "maker" if as_maker else "taker"
    return (
        f"{'Bought' if bought else 'Sold'} {human(fill.base_amount, market.base_decimals)} {base} at {price} {quote} "
        f"for {human(fill.quote_amount, market.quote_decimals)} {quote} on {fill.market} ({role}, fee {fee_text})"
    )


def withdrawal_words(request: WithdrawalRequest, token: tuple[str, int] | None) -> Words:
    """A withdrawal that ended: completed, or failed and its funds free again. `token`: its (symbol, decimals)."""
    amount = (
        f"{request.amount} base units of {request.token}"
        if token is None
        else f"{human(request.amount, token[1])} {token[0]}"
    )
    if request.status == WithdrawalStatus.COMPLETED:
        subject = "HDEX: your withdrawal is complete"
        text = (
            f"Your withdrawal of {amount} to {request.recipient} is complete: transaction {request.tx_hash}.\n"
            f"Request {request.hash}."
        )
    else:
        subject = "HDEX: your withdrawal failed"
        text = (
            f"Your withdrawal of {amount} to {request.recipient} failed ({request.failure}). Nothing left your "
            f"account: the amount is available on HDEX again, and you may request it again.\nRequest {request.hash}."
        )
    return Words(subject, text + _footer("withdrawals"))


def news_words(announcement: Announcement) -> Words:
    """An announcement: its title, and its body as staff wrote it (Markdown reads as plain text)."""
    return Words(f"HDEX news: {one_line(announcement.title)}"[:200], announcement.body + _footer("news"))
