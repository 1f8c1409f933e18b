"""The statistics recomputed from the raw rows in the plainest way, independently of backend.stats: what the
rollups must equal."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.db.models import (
    Fill,
    LedgerEntry,
    LedgerTransaction,
    StatsEvent,
    StatsMarketDay,
    StatsTokenDay,
    StatsUserDay,
    StatsWallet,
    StatsWalletDay,
    WalletSession,
)


def day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def ms(value: datetime) -> int:
    return int((value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp() * 1000)


def rollups(session: Session) -> dict[str, Any]:
    """Every rollup table as sorted tuples of its columns."""
    return {
        model.__tablename__: sorted(
            tuple(getattr(row, c) for c in model.__table__.columns.keys())  # noqa: SIM118
            for row in session.scalars(select(model))
        )
        for model in (StatsMarketDay, StatsTokenDay, StatsWallet, StatsWalletDay, StatsUserDay)
    }


def flows(session: Session) -> list[tuple[str, str, str, int, int]]:
    """(kind, wallet, token, amount, at ms) of every deposit and withdrawal no reversal points at."""
    reversed_ids = {r for r in session.scalars(select(LedgerTransaction.reverses_id)) if r is not None}
    out = []
    for tx in session.scalars(select(LedgerTransaction)):
        if tx.reason not in ("deposit", "withdrawal", "exit_withdrawal") or tx.id in reversed_ids:
            continue
        entries = session.scalars(select(LedgerEntry).where(LedgerEntry.transaction_id == tx.id)).all()
        external = next(e for e in entries if e.account == "external")
        if tx.reason == "deposit":
            own = next(e for e in entries if e.account != "external" and e.amount > 0)
        else:
            own = next(e for e in entries if e.account != "external" and e.amount < 0)
        out.append(("deposit" if tx.reason == "deposit" else "withdrawal", own.account, external.token,
                    abs(external.amount), ms(tx.created_at)))  # fmt: skip
    return out


def recompute(session: Session) -> dict[str, Any]:
    """The rollup tables as they must be (no chain readings in these tests: value_locked None)."""
    markets: dict[tuple[str, str], dict[str, Any]] = {}
    first: dict[str, dict[str, int]] = defaultdict(dict)
    active: dict[tuple[str, str], bool] = {}

    def seen(wallet: str, step: str, at: int) -> None:
        first[wallet][step] = min(first[wallet].get(step, at), at)

    for f in session.scalars(select(Fill)):
        m = markets.setdefault((f.market, day(f.created_at_ms)), defaultdict(int, wallets=set()))
        if f.status == "failed":
            m["failed"] += 1
            continue
        m["trades"] += 1
        m["wallets"] |= {f.maker, f.taker}
        m["base"] += f.base_amount
        m["quote"] += f.quote_amount
        buyer_is_maker = f.maker_side == 0
        m["taker_sell" if buyer_is_maker else "taker_buy"] += f.base_amount
        m["maker_fee_base" if buyer_is_maker else "maker_fee_quote"] += f.maker_fee
        m["taker_fee_quote" if buyer_is_maker else "taker_fee_base"] += f.taker_fee
        for w in (f.maker, f.taker):
            seen(w, "traded", f.created_at_ms)
            active[(w, day(f.created_at_ms))] = True
    market_rows = sorted(
        (market, d, m["trades"], len(m["wallets"]), m["base"], m["quote"], m["taker_buy"], m["taker_sell"],
         m["maker_fee_base"], m["maker_fee_quote"], m["taker_fee_base"], m["taker_fee_quote"], m["failed"])
        for (market, d), m in markets.items()
    )  # fmt: skip

    tokens: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for kind, wallet, token, amount, at in flows(session):
        t = tokens[(token, day(at))]
        if kind == "deposit":
            t[0] += 1
            t[1] += amount
            seen(wallet, "deposited", at)
        else:
            t[2] += 1
            t[3] += amount
        active.setdefault((wallet, day(at)), False)
    token_rows = sorted((tok, d, c, a, wc, wa, a - wa, None) for (tok, d), (c, a, wc, wa) in tokens.items())

    events = [(e.wallet, e.event, e.created_at_ms) for e in session.scalars(select(StatsEvent))]
    sessions = [(s.address, "signed_in", s.created_at_ms) for s in session.scalars(select(WalletSession))]
    for wallet, event, at in [e for e in events if e[1] == "wallet_connected"] + sessions:
        seen(wallet, "connected" if event == "wallet_connected" else "signed_in", at)
        active.setdefault((wallet, day(at)), False)

    steps = ("connected", "signed_in", "deposited", "traded")
    wallet_rows = sorted((w, min(t.values()), *(t.get(s) for s in steps)) for w, t in first.items())
    users: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for t in first.values():
        users[day(min(t.values()))][0] += 1
        for i, s in enumerate(steps):
            if s in t:
                users[day(t[s])][1 + i] += 1
    return {
        "stats_market_days": market_rows,
        "stats_token_days": token_rows,
        "stats_wallets": wallet_rows,
        "stats_wallet_days": sorted((w, d, traded) for (w, d), traded in active.items()),
        "stats_user_days": sorted((d, *figures) for d, figures in users.items()),
    }
