"""What each Exchange event does to ledger balances. Pure: decoded event in, postings out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

EXTERNAL = "external"
FEES_IN_TRANSIT = "fees-in-transit"
SELL = 1


@dataclass(frozen=True, slots=True)
class Posting:
    account: str
    token: str
    amount: int  # signed base units


# Event name -> ledger reason, for the events that move balances.
REASONS = {
    "Deposited": "deposit",
    "Withdrawn": "withdrawal",
    "TradeSettled": "trade",
    "FeesCollected": "fee",
    "FeesWithdrawn": "fee_withdrawal",
    "ExitWithdrawn": "exit_withdrawal",
}


def postings_for(name: str, args: Mapping[str, str]) -> list[Posting]:
    """The balanced postings of one event (`args` as stored: ints as decimal strings); [] if none."""
    if name == "Deposited":
        amount = int(args["amount"])
        return [Posting(EXTERNAL, args["token"], -amount), Posting(args["wallet"], args["token"], amount)]
    if name == "Withdrawn":
        amount, fee, token = int(args["amount"]), int(args["fee"]), args["token"]
        return [
            Posting(args["wallet"], token, -amount),
            Posting(args["feeRecipient"], token, fee),
            Posting(EXTERNAL, token, amount - fee),
        ]
    if name == "TradeSettled":
        return _trade(args)
    if name == "FeesCollected":
        amount = int(args["amount"])
        return [
            Posting(FEES_IN_TRANSIT, args["token"], -amount),
            Posting(args["feeRecipient"], args["token"], amount),
        ]
    if name in ("FeesWithdrawn", "ExitWithdrawn"):
        holder = args["feeRecipient"] if name == "FeesWithdrawn" else args["wallet"]
        amount = int(args["amount"])
        return [Posting(holder, args["token"], -amount), Posting(EXTERNAL, args["token"], amount)]
    return []


def _trade(args: Mapping[str, str]) -> list[Posting]:
    base, quote = args["baseToken"], args["quoteToken"]
    base_amount, quote_amount = int(args["baseAmount"]), int(args["quoteAmount"])
    maker_fee, taker_fee = int(args["makerFee"]), int(args["takerFee"])
    if int(args["makerSide"]) == SELL:
        seller, buyer, seller_fee, buyer_fee = args["maker"], args["taker"], maker_fee, taker_fee
    else:
        seller, buyer, seller_fee, buyer_fee = args["taker"], args["maker"], taker_fee, maker_fee
    return [
        Posting(seller, base, -base_amount),
        Posting(buyer, base, base_amount - buyer_fee),
        Posting(FEES_IN_TRANSIT, base, buyer_fee),
        Posting(buyer, quote, -quote_amount),
        Posting(seller, quote, quote_amount - seller_fee),
        Posting(FEES_IN_TRANSIT, quote, seller_fee),
    ]
