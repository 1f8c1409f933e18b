"""The off-chain ledger: a double-entry, append-only projection of final Exchange events.

Accounts are wallet addresses (balances in the Exchange vault, the fee recipient's included),
`external` (everything outside the vault) and `fees-in-transit` (fees of a batch's trades until
its FeesCollected event credits them). Every transaction sums to zero per token, so the total of
all accounts but `external` equals what the Exchange holds of each token.
"""
