"""Back-office staff, below the doors: no web framework here.

`roles` is the one permission table; `credentials` and `totp` the pure rules for passwords, tokens,
recovery codes and one-time codes; `lockout` the back-off; `accounts` (create, list, disable, change
role, reset TOTP) and `signin` (password, second factor, sessions, password links) the use cases, each
one unit of work that writes its audit-log entry with the change.
"""
