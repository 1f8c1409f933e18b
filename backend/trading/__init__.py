"""Trading: order-entry rules, the engine host, its stores, and the read views, one room each.

- `rules`: plain Python, no I/O. Markets and their grid, signed orders (kind, time in force,
  reservation, engine command), pre-trade checks, signed cancels, per-wallet money.
- `hosting`: the engine host (the one writer of order state, behind one door of commands), its
  journal and group commit, the restore at start-up, and the sync with what the indexer saw.
- `usecases`: what a door asks for (place, cancel, withdraw), checked and sent through the host.
- `store`: the trading tables as the CLI and the relayer use them (markets, fills to settle).
- `views`: the read side (account views, transfer history, and the JSON shapes published).
"""
