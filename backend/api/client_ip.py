"""The key a client's limits are counted under: one per IPv4 address, one per IPv6 /64.

An IPv6 host is usually given a whole /64 (a home, a VPS), and picks a new address in it as it likes: counted per
address, it would start afresh on every one. An IPv4-mapped IPv6 address (`::ffff:192.0.2.7`, as a dual-stack
socket reports an IPv4 peer) is that IPv4 address. Per-IP rate limits, scoped limits and the WebSocket caps all
count under this key; logs and the audit log keep the address itself.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re

IPV6_PREFIX = 64
UNKNOWN = "unknown"  # no peer address at all (a test client, a Unix socket)
_NAME = re.compile(r"[a-z0-9._-]{1,253}")  # what a host name may spell; anything else is hashed


def client_key(host: str | None) -> str:
    """The key of a client at `host`: its IPv4 address, its IPv6 /64 (`2001:db8:1:2::/64`), or, for a host that
    is no IP address (a name a proxy passed on, garbage), a stable key of that text that cannot pass for an
    address's and holds no character that means something in a Redis key."""
    if not host:
        return UNKNOWN
    try:
        address = ipaddress.ip_address(host.strip())
    except ValueError:
        name = host.strip().lower()
        if _NAME.fullmatch(name):
            return f"name:{name}"
        return f"other:{hashlib.sha256(host.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        # int() drops a zone (`fe80::1%eth0`): every interface's link-local /64 is one client
        return str(ipaddress.IPv6Network((int(address) >> (128 - IPV6_PREFIX) << (128 - IPV6_PREFIX), IPV6_PREFIX)))
    return str(address)
