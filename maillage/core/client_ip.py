"""The client's address, behind the proxies the deployment trusts (settings.TRUSTED_PROXIES).

X-Forwarded-For is written by whoever sends the request: each proxy appends the address it received
the request from, so only the right end of the header, as far as our own proxies wrote it, can be
believed. Reading its leftmost address (what a client may forge) would let anyone pick the address
that rate limits count; ignoring it behind nginx would give every client the proxy's address, so
that a few failures lock everyone out.
"""

import ipaddress

from django.conf import settings


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address, trusted) -> bool:
    return any(address in network for network in trusted)


def client_ip(request) -> str:
    """The address of the client, as text ("" if the server gave none)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return ""
    trusted = settings.TRUSTED_PROXIES
    if not trusted:
        return str(remote)
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # From the nearest hop to the farthest: the peer, then what each proxy appended.
    hops = [remote] + [_address(item) for item in reversed(header.split(",")) if item.strip()]
    if isinstance(trusted, int):
        # `trusted` proxies stand in front: the hop just beyond them is the client.
        candidates = hops[: trusted + 1]
        proxies = len(candidates) - 1
    else:
        proxies = 0
        while proxies < len(hops) - 1 and hops[proxies] is not None and _is_trusted(hops[proxies], trusted):
            proxies += 1
        candidates = hops[: proxies + 1]
    # A garbled entry written beyond a trusted proxy: the last address we can read is the one to count.
    for address in reversed(candidates):
        if address is not None:
            return str(address)
    return str(remote)


def from_trusted_proxy(request) -> bool:
    """Whether the peer is one of our proxies (its headers, e.g. X-Request-ID, may be believed)."""
    trusted = settings.TRUSTED_PROXIES
    if isinstance(trusted, int):
        return trusted > 0
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    return remote is not None and _is_trusted(remote, trusted)
