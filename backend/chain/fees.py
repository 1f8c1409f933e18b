"""What an operator transaction bids for gas (EIP-1559), said once for the relayer and the deployment plan."""

from __future__ import annotations


def max_fee_per_gas(base_fee: int, priority_fee: int) -> int:
    """Twice the latest block's base fee plus the tip (web3's default): the base fee may rise 12.5% a block, so the
    transaction stays includable through about six full blocks; it pays only the base fee of its block plus the tip."""
    return 2 * base_fee + priority_fee
