"""Lock-out with back-off: after `after` consecutive failures an account is locked, and each further
failure (once the lock has run out) doubles the time, up to a cap. Pure arithmetic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LockoutPolicy:
    after: int  # failures before the first lock
    base_s: int  # the first lock
    max_s: int  # the longest lock

    def lock_s(self, failures: int) -> int:
        """Seconds to lock an account that has just failed for the `failures`-th time in a row (0: no lock)."""
        if failures < self.after:
            return 0
        return min(self.max_s, self.base_s * (1 << min(failures - self.after, 32)))
