"""Who the client is: its address as the trusted proxy saw it, and the key its requests are counted under.

Behind one reverse proxy, REMOTE_ADDR is the proxy's address and the client's is the last entry of
X-Forwarded-For (the one the proxy appended: nginx's `$proxy_add_x_forwarded_for`). Entries before it were
written by the client and prove nothing. The header is believed only when the request comes from an address
listed in TRUSTED_PROXIES; without that setting (or from anywhere else) REMOTE_ADDR is the client."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

# An IPv6 client commonly holds a whole /64: counting its addresses one by one would give it 2^64 budgets.
IPV6_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the proxy's X-Forwarded-For when REMOTE_ADDR is a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    if remote and remote in settings.TRUSTED_PROXIES:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            try:
                return str(ipaddress.ip_address(hops[-1]))
            except ValueError:
                return remote
    return remote


def client_key(group: str, request: HttpRequest) -> str:
    """The rate-limit key of a request (django-ratelimit's key callable): the client's address, IPv6 by /64."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return address
