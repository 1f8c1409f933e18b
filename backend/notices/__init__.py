"""E-mails a wallet chose on its profile ("E-mail me about": fills, withdrawals, news), through an outbox.

Each pass (`AccountMailing`, under the `account-mail` lease) first collects, then sends, each in its own commits:

1. `collect`: what happened since the last pass becomes rows of `account_mail`, written in the transaction that
   moves the marks past it (the `notices.fills` cursor, `WithdrawalRequest.noticed`, `Announcement.mailed_at_ms`),
   so nothing is told twice or skipped: the fills after the cursor, one mail per wallet per pass listing its trades;
   each withdrawal that ended (completed or failed); each announcement that has started and was not withdrawn, one
   mail per wallet that wants news. Only a wallet with a verified address and the choice on gets a row, written in
   its profile's language then (`compose`, `backend.accounts.wording`: English or zh-CN; an announcement's own text
   as staff wrote it, in that language where they translated it).
2. `send_due`: every unsent row, oldest first, to the address the wallet has verified when it is sent, if it still
   wants that kind of mail (else it is marked `unwanted`, not sent); each row is marked as it goes. A failed send
   waits (10 s doubling, up to HDEX_ALERT_RETRY_MAX_S) and is tried again, never dropped; a crash between a send
   and its mark sends that one mail again (at least once).
"""

from backend.notices.mailing import AccountMailing
from backend.notices.outbox import collect, send_due

__all__ = ["AccountMailing", "collect", "send_due"]
