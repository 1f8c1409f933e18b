"""Trading: markets, signed orders, pre-trade checks, reservations, and the engine host.

The domain modules (`markets`, `orders`, `checks`, `accounts`) are plain Python; `host` runs the
matching engine as the single writer of order state and persists its events in group commits
(`persistence`); `restore` rebuilds it after a restart; `chain_sync` folds what the indexer saw
(on-chain cancels, nonce floors, settled fills) back in; `queries` and `settlement` are the read
side for the API and the relayer's door.
"""
