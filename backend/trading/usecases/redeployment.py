"""Whether the database may take another Exchange on its chain.

HDEX keeps one Exchange's trading state per database and chain: the ledger's balances, the book and its journal,
fills, withdrawal requests. Recorded over an Exchange whose state is live, a new one would let wallets trade and
withdraw funds it does not hold (their orders and withdrawals were signed for the old one, which the new one
refuses), and the reconciliation would pause every withdrawal. Until every wallet has left the old Exchange, a
new one needs a database of its own (its accounts, KYC and support records go with the old one's).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.chain.deployments import load_deployments
from backend.db.models import Fill, LedgerBalance, Order, WithdrawalRequest
from backend.ledger.postings import EXTERNAL
from backend.statuses import OrderStatus
from backend.trading.hosting.chain_sync import WITHDRAWAL_ENDED
from backend.trading.store.settlement import IN_LINE


def live_trading_state(session: Session, chain_id: int) -> str | None:
    """What of the recorded Exchange on `chain_id` is still live, in words, or None when another may be recorded
    (none recorded, or nothing live)."""
    exchange = load_deployments(session, chain_id).get("Exchange")
    if exchange is None:
        return None
    counts = {
        "wallets with funds": session.scalar(
            select(func.count(func.distinct(LedgerBalance.account))).where(
                LedgerBalance.account != EXTERNAL, LedgerBalance.amount != 0
            )
        ),
        "open orders": session.scalar(select(func.count()).where(Order.status == OrderStatus.OPEN)),
        "unsettled fills": session.scalar(select(func.count()).where(Fill.status.in_(IN_LINE))),
        "unfinished withdrawals": session.scalar(
            select(func.count()).where(WithdrawalRequest.status.not_in(WITHDRAWAL_ENDED))
        ),
    }
    live = ", ".join(f"{what}: {count}" for what, count in counts.items() if count)
    if not live:
        return None
    return (
        f"this database holds the live trading state of Exchange {exchange} on chain {chain_id} ({live}): a new "
        "Exchange recorded here would let wallets trade and withdraw funds it does not hold. Deploy it with a "
        "database of its own (HDEX_DATABASE_URL), or once every wallet has left this Exchange"
    )
