"""Withdrawal requests against the tier limits: one over the allowance is refused with what is left and
stores nothing; a higher level or a staff override lets it through; failed requests stop counting; the
30-day window counts older requests; a token without a price is refused; one wallet's concurrent requests
never both pass on the same usage; a market with a price source values a withdrawal at its feed."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import update

from backend.db.models import WithdrawalRequest, WithdrawalValuation
from backend.errors import HdexError
from backend.limits.service import charge_withdrawal, override_limits
from backend.limits.tiers import Overrides
from backend.statuses import WithdrawalStatus
from backend.trading.hosting.commands import SetPriceSources, SetReferencePrices
from backend.trading.rules.accounts import checksum

from ..api.exchange_fixtures import MARKET, PRICE, USDC, WETH, Exchange, wallet
from ..api.test_reference_prices import SOURCE, handle
from ..api.test_withdrawal_requests import body, withdrawal
from .conftest import USDC_UNIT, raise_level, stored_withdrawals, withdraw

DAY_MS = 86_400_000


def refusal(response: object) -> tuple[int, str, str]:
    body = response.json()["error"]  # type: ignore[attr-defined]
    return response.status_code, body["code"], body["message"]  # type: ignore[attr-defined]


def test_a_withdrawal_over_the_level_0_daily_limit_is_refused_with_the_allowance_left_and_stores_nothing(
    limited: Exchange,
) -> None:
    assert withdraw(limited, 600 * USDC_UNIT).status_code == 202
    before = (limited.state(), stored_withdrawals(limited))
    status, code, message = refusal(withdraw(limited, 600 * USDC_UNIT))
    assert (status, code) == (422, "WITHDRAWAL_LIMIT_EXCEEDED")
    assert "your remaining allowance is 400.00 USDC" in message
    assert "worth 600.00 USDC" in message
    assert (limited.state(), stored_withdrawals(limited)) == before
    assert withdraw(limited, 400 * USDC_UNIT).status_code == 202  # exactly the allowance left


def test_the_same_withdrawal_is_accepted_once_the_wallet_reaches_level_1(limited: Exchange) -> None:
    status, code, message = refusal(withdraw(limited, 1_500 * USDC_UNIT))
    assert (status, code) == (422, "WITHDRAWAL_LIMIT_EXCEEDED")
    assert "your remaining allowance is 1,000.00 USDC" in message
    raise_level(limited, 5, 1)
    assert withdraw(limited, 1_500 * USDC_UNIT).status_code == 202


def test_a_staff_override_of_the_daily_limit_lets_the_withdrawal_through(limited: Exchange) -> None:
    assert withdraw(limited, 1_500 * USDC_UNIT).status_code == 422
    with limited.container.uow() as uow:
        override_limits(
            uow.session, limited.container.settings, wallet(5), Overrides(withdrawal_daily=2_000 * USDC_UNIT),
            reason="verified by phone", actor="staff:ann@hdex.example", ip=None, now_ms=int(time.time() * 1000),
        )  # fmt: skip
        uow.commit()
    assert withdraw(limited, 1_500 * USDC_UNIT).status_code == 202
    _, code, message = refusal(withdraw(limited, 501 * USDC_UNIT))
    assert (code, "your remaining allowance is 500.00 USDC" in message) == ("WITHDRAWAL_LIMIT_EXCEEDED", True)


def test_a_failed_withdrawal_stops_counting_against_the_limits(limited: Exchange) -> None:
    accepted = withdraw(limited, 1_000 * USDC_UNIT)
    assert accepted.status_code == 202
    assert withdraw(limited, 1 * USDC_UNIT).status_code == 422
    with limited.container.uow() as uow:
        uow.session.execute(
            update(WithdrawalRequest).where(WithdrawalRequest.hash == accepted.json()["hash"]).values(
                status=WithdrawalStatus.FAILED, failure="reverted")
        )  # fmt: skip
        uow.commit()
    limited.sync()  # the host sees the failed request's amount available again
    assert withdraw(limited, 1_000 * USDC_UNIT).status_code == 202


def test_requests_older_than_a_day_count_only_towards_the_30_day_limit(limited: Exchange) -> None:
    for amount in (1_000, 1_000, 1_000, 1_000, 500):
        assert withdraw(limited, amount * USDC_UNIT).status_code == 202
        with limited.container.uow() as uow:  # as if made two days ago
            two_days_earlier = WithdrawalValuation.created_at_ms - 2 * DAY_MS
            uow.session.execute(update(WithdrawalValuation).values(created_at_ms=two_days_earlier))
            uow.commit()
    _, code, message = refusal(withdraw(limited, 600 * USDC_UNIT))  # 1,000 left today, 500 in 30 days
    assert (code, "your remaining allowance is 500.00 USDC" in message) == ("WITHDRAWAL_LIMIT_EXCEEDED", True)
    assert withdraw(limited, 500 * USDC_UNIT).status_code == 202


def test_a_token_without_a_price_is_refused_until_its_market_trades(limited: Exchange) -> None:
    status, code, message = refusal(withdraw(limited, 10**17, WETH))
    assert (status, code) == (422, "WITHDRAWAL_LIMIT_EXCEEDED")
    assert message.startswith("WETH has no price in USDC")  # its symbol, not its address
    assert "remaining allowance is 1,000.00 USDC" in message
    sell = limited.place(6, side=1, baseAmount=10**17)  # 300 USDC each side: within the level-0 order limit
    buy = limited.place(5, baseAmount=10**17)
    assert (sell.status_code, buy.status_code) == (201, 201)
    assert withdraw(limited, 10**17, WETH).status_code == 202  # 0.1 WETH at 3,000: 300 USDC
    status, code, message = refusal(withdraw(limited, 3 * 10**17, WETH))
    assert "worth 900.00 USDC; your remaining allowance is 700.00 USDC" in message
    assert PRICE == 3_000 * USDC_UNIT


def test_two_requests_of_one_wallet_never_both_pass_on_the_same_usage(limited: Exchange) -> None:
    """The first request holds the wallet's limit lock until it commits; the second waits for it, then sees
    its usage and is refused."""
    container, owner = limited.container, wallet(5)
    first_charged, release_first = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def request(name: str, hold_open: bool) -> None:
        try:
            with container.uow() as uow:
                now = time.time_ns() // 10**6
                request_hash = "0x" + (name * 64)[:64]
                uow.session.add(WithdrawalRequest(
                    hash=request_hash, wallet=owner, token=checksum(USDC), amount=700 * USDC_UNIT, max_fee=0, fee=0,
                    recipient=owner, nonce=1, expiry=2**40, signature=b"\x00" * 65,
                    status=WithdrawalStatus.ACCEPTED, created_at_ms=now, updated_at_ms=now,
                ))  # fmt: skip
                charge_withdrawal(
                    uow.session, container.settings, request_hash, owner, checksum(USDC), 700 * USDC_UNIT, now
                )
                if hold_open:
                    first_charged.set()
                    release_first.wait(10)
                uow.commit()
            outcome[name] = ("accepted", time.monotonic())
        except HdexError as exc:
            outcome[name] = (exc.code, time.monotonic())

    first = threading.Thread(target=request, args=("a", True))
    first.start()
    assert first_charged.wait(10)
    second = threading.Thread(target=request, args=("b", False))
    second.start()
    time.sleep(0.5)
    assert "b" not in outcome  # waiting for the first one's lock
    released_at = time.monotonic()
    release_first.set()
    first.join(15)
    second.join(15)
    assert outcome["a"][0] == "accepted"  # type: ignore[index]
    code, finished_at = outcome["b"]  # type: ignore[misc]
    assert code == "WITHDRAWAL_LIMIT_EXCEEDED" and finished_at >= released_at


def test_a_withdrawal_signed_by_another_key_is_refused_for_its_signature_before_any_limit_is_told(
    limited: Exchange,
) -> None:
    forged = body(withdrawal(amount=5_000 * USDC_UNIT), key_index=6)  # wallet 5's withdrawal, signed by 6
    status, code, message = refusal(limited.client.post("/v1/withdrawals", json=forged))
    assert (status, code) == (401, "SIGNER_NOT_WALLET")
    assert "allowance" not in message


def test_a_withdrawal_is_valued_at_its_market_s_price_source_not_at_a_trade_printed_low(limited: Exchange) -> None:
    low = PRICE // 100  # a trade at 30 USDC per WETH, as anyone can print on a thin book
    assert limited.place(6, side=1, baseAmount=10**18, limitPrice=low).status_code == 201
    assert limited.place(5, baseAmount=10**18, limitPrice=low).status_code == 201
    ten_weth = {"token": WETH, "amount": str(10 * 10**18)}
    assert limited.client.get("/v1/withdrawals/quote", params=ten_weth).json()["value"] == str(300 * USDC_UNIT)

    handle(limited, SetPriceSources({MARKET: SOURCE}))
    handle(limited, SetReferencePrices({MARKET: (PRICE, PRICE)}))  # the feed answers 3,000 USDC
    assert limited.client.get("/v1/withdrawals/quote", params=ten_weth).json()["value"] == str(30_000 * USDC_UNIT)
    before = stored_withdrawals(limited)
    status, code, message = refusal(withdraw(limited, 10**18, WETH))
    assert (status, code) == (422, "WITHDRAWAL_LIMIT_EXCEEDED")
    assert "worth 3,000.00 USDC; your remaining allowance is 1,000.00 USDC" in message
    assert stored_withdrawals(limited) == before
    assert withdraw(limited, 10**17, WETH).status_code == 202  # 300 USDC at the feed's price

    host: Any = limited.client.app.state.trading.host  # type: ignore[attr-defined]
    read_at = host.clock()
    host.clock = lambda: read_at + (SOURCE.max_age + 1) * 1000  # no reading since (the node could not be read)
    quoted = limited.client.get("/v1/withdrawals/quote", params=ten_weth).json()["value"]
    assert quoted == str(300 * USDC_UNIT)  # a reading older than the feed's max age prices nothing
