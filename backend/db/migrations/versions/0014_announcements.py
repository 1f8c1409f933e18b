"""announcements and help-center articles (with a few starter articles)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_AT_MS = 1_764_633_600_000  # 2025-12-02T00:00:00Z: the starter articles' date
SEEDED_BY = "migration:0014"

# Starter articles, so a fresh exchange's help center is not empty; staff change or delete them like any other.
STARTER_ARTICLES: tuple[tuple[str, str, str], ...] = (
    (
        "depositing",
        "Depositing tokens",
        "Trading uses the balance you hold in the Exchange contract, so deposit first.\n\n"
        "1. Connect your wallet and sign in.\n"
        "2. Press **Deposit**, pick the token and the amount.\n"
        "3. Your wallet first asks for an `approve` if the Exchange may not yet move that much of the token, "
        "then for the deposit itself.\n\n"
        "The deposit shows as *pending* as soon as it is seen on-chain and is credited to your balance once "
        "the block is final (a few confirmations). Tokens that take a fee on transfer are refused.",
    ),
    (
        "placing-orders",
        "Placing orders",
        "Pick a market, then an order type: **Limit**, **Market**, **Stop limit** or **Stop market**, and a "
        "time in force (GTC, IOC, FOK) or post-only.\n\n"
        "The form checks the tick size, lot size, minimum notional and your available balance before your "
        "wallet is asked, and shows the fee. Every order is signed by your wallet (EIP-712): the confirmation "
        "shows exactly what you sign, including the worst price a market order accepts. The contract re-checks "
        "the signature, price, amount and fee of every trade when it settles.\n\n"
        "Cancel an open order (or all of them) under **Open orders**; each cancel is signed too.",
    ),
    (
        "withdrawing",
        "Withdrawing tokens",
        "Press **Withdraw**, pick the token, the amount and the recipient, and sign the withdrawal request "
        "in your wallet. The operator relays it on-chain: its status goes *accepted*, *relayed*, "
        "*completed*, with the transaction.\n\n"
        "Only your available balance can be withdrawn: funds held by open orders are reserved until the "
        "orders fill or are cancelled. Your account page shows your withdrawal limits.",
    ),
    (
        "escape-hatch",
        "Leaving without the operator (the escape hatch)",
        "Your funds never depend on HDEX staying online. If the operator is offline or refuses you, press "
        "**Request exit** on the trading page. This starts the Exchange contract's exit: no trade of your "
        "wallet settles any more and your open orders are cancelled.\n\n"
        "After the exit delay (a countdown shows it) you withdraw every token straight from the contract, "
        "with no operator involved. Changed your mind? Cancel the exit before you withdraw.",
    ),
)


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("placement", sa.String(length=16), nullable=False),
        sa.Column("starts_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("ends_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("withdrawn_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=320), nullable=True),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    op.create_index("ix_announcements_window", "announcements", ["starts_at_ms", "ends_at_ms"])
    articles = op.create_table(
        "help_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("created_at_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_articles")),
        sa.UniqueConstraint("slug", name=op.f("uq_help_articles_slug")),
    )
    seeded = {"published": True, "created_by": SEEDED_BY, "created_at_ms": SEEDED_AT_MS}
    seeded |= {"updated_by": SEEDED_BY, "updated_at_ms": SEEDED_AT_MS}
    op.bulk_insert(
        articles, [{"slug": slug, "title": title, "body": body, **seeded} for slug, title, body in STARTER_ARTICLES]
    )


def downgrade() -> None:
    op.drop_table("help_articles")
    op.drop_index("ix_announcements_window", table_name="announcements")
    op.drop_table("announcements")
