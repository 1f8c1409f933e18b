"""The independent auditor: every balance and every settlement of an Exchange, rebuilt from the chain alone.

It reads nothing of HDEX's server (no database, ledger, trading or signing code): only JSON-RPC, the
Exchange's ABI and the rules the contract's interface documents. `hdex audit` is its door.
"""
