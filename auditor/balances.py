"""What each Exchange event does to the balances it owes, rebuilt from the events alone.

The balance effects are those IExchange.sol documents for each event; where an event also reports the
resulting balance (`Deposited`, `Withdrawn`) the rebuilt one must equal it.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.abi import Event
from auditor.state import AuditState, Finding, Point

SELL = 1
# The balance a (wallet, token) pair held before the audited range (zero when the range starts at genesis).
Opening = Callable[[str, str], int]


def apply_event(state: AuditState, event: Event, opening: Opening) -> None:
    """Applies one event's balance effects (and the fee schedule it sets) to `state`."""
    args = event.args
    ledger = _Ledger(state, event, opening)
    if event.name == "Deposited":
        ledger.move(args["wallet"], args["token"], args["amount"])
        ledger.expect_balance(args["wallet"], args["token"], args["balance"])
    elif event.name == "Withdrawn":
        ledger.move(args["wallet"], args["token"], -args["amount"])
        ledger.expect_balance(args["wallet"], args["token"], args["balance"])
        ledger.move(args["feeRecipient"], args["token"], args["fee"])
    elif event.name == "TradeSettled":
        _apply_trade(ledger, args)
    elif event.name == "FeesCollected":
        ledger.move(args["feeRecipient"], args["token"], args["amount"])
    elif event.name == "FeesWithdrawn":
        ledger.move(args["feeRecipient"], args["token"], -args["amount"])
    elif event.name == "ExitWithdrawn":
        ledger.move(args["wallet"], args["token"], -args["amount"])
        ledger.expect_balance(args["wallet"], args["token"], 0)  # an exit takes the whole balance
    elif event.name == "FeeScheduleSet":
        state.fee_schedule = (args["makerFeeRate"], args["takerFeeRate"])


def _apply_trade(ledger: _Ledger, args: dict[str, object]) -> None:
    base, quote = str(args["baseToken"]), str(args["quoteToken"])
    base_amount, quote_amount = int(str(args["baseAmount"])), int(str(args["quoteAmount"]))
    maker_fee, taker_fee = int(str(args["makerFee"])), int(str(args["takerFee"]))
    maker, taker = str(args["maker"]), str(args["taker"])
    if int(str(args["makerSide"])) == SELL:
        seller, buyer, seller_fee, buyer_fee = maker, taker, maker_fee, taker_fee
    else:
        seller, buyer, seller_fee, buyer_fee = taker, maker, taker_fee, maker_fee
    # Fees reach the fee recipient through the batch's FeesCollected events.
    ledger.move(seller, base, -base_amount)
    ledger.move(buyer, quote, -quote_amount)
    ledger.move(buyer, base, base_amount - buyer_fee)
    ledger.move(seller, quote, quote_amount - seller_fee)
    ledger.add_volume(quote, quote_amount)


class _Ledger:
    """Balance moves of one event, with the findings they raise and the plotted series kept current."""

    def __init__(self, state: AuditState, event: Event, opening: Opening) -> None:
        self.state, self.event, self.opening = state, event, opening

    def _balance(self, wallet: str, token: str) -> int:
        key = (wallet, token)
        if key not in self.state.balances:
            amount = self.opening(wallet, token)
            self.state.balances[key] = amount
            self.state.totals[token] = self.state.totals.get(token, 0) + amount
        return self.state.balances[key]

    def move(self, wallet: str, token: str, amount: int) -> None:
        balance = self._balance(wallet, token) + amount
        self.state.balances[(wallet, token)] = balance
        self.state.totals[token] = self.state.totals.get(token, 0) + amount
        self._point().owed[token] = self.state.totals[token]
        if balance < 0:
            self._find("negative-balance", f"{self.event.name} takes {wallet}'s {token} balance below zero",
                       wallet=wallet, token=token, balance=str(balance))  # fmt: skip

    def expect_balance(self, wallet: str, token: str, reported: int) -> None:
        rebuilt = self.state.balances[(wallet, token)]
        if rebuilt != reported:
            self._find("event-balance-mismatch",
                       f"{self.event.name} reports {wallet}'s {token} balance {reported}, rebuilt {rebuilt}",
                       wallet=wallet, token=token, reported=str(reported), rebuilt=str(rebuilt))  # fmt: skip

    def add_volume(self, token: str, amount: int) -> None:
        volume = self._point().volume
        volume[token] = volume.get(token, 0) + amount

    def _point(self) -> Point:
        series = self.state.series
        if not series or series[-1].block != self.event.block:
            series.append(Point(self.event.block, dict(self.state.totals), {}))
        return series[-1]

    def _find(self, kind: str, message: str, **details: str) -> None:
        self.state.find(Finding(kind, message, self.event.block, self.event.tx_hash, details=details))
