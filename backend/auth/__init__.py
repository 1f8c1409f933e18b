"""Sign-in with Ethereum (EIP-4361) and wallet sessions, below the doors: no web framework here.

`siwe` holds the message rules (what a sign-in message must say; no I/O), `sessions` the use cases
(nonces handed out once, sessions created, found and revoked in the database). The API's routes
(`backend/api/routes/auth.py`) only parse, call these and set the cookie.
"""
