"""Refuse webhook targets inside this network: a Super Admin's URL must not turn the ATS into
a client for its own database, the cloud metadata service or the intranet.

Checked when a hook is saved and again before each delivery, since DNS may change. Every
address the host resolves to must be public; numeric hosts in any form the C library accepts
(2130706433, 0177.0.0.1, 0x7f.1) are read as it reads them. The demo and tests allow private
targets with WEBHOOKS_ALLOW_PRIVATE_TARGETS, since their receivers listen on loopback.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValueError):
    """The URL may not receive webhooks; the message says why."""


def check(url: str) -> None:
    """Raise UnsafeTarget unless `url` is an http(s) URL of a public host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeTarget(f"{url!r} is not a valid URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget(f"only http and https URLs receive webhooks, not {parts.scheme!r}")
    host = parts.hostname
    if not host:
        raise UnsafeTarget(f"{url!r} names no host")
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return
    for address in _addresses(host, port or (443 if parts.scheme == "https" else 80)):
        if not _public(address):
            raise UnsafeTarget(
                f"{host} is {address}, a private, loopback or reserved address; "
                "webhooks go only to public hosts"
            )


def _addresses(host: str, port: int) -> list[IpAddress]:
    literal = _numeric(host)
    if literal is not None:
        return [literal]
    try:
        resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeTarget(f"{host} does not resolve ({error})") from None
    # The scope of a link-local IPv6 address ("fe80::1%eth0") is no part of the address.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in resolved]


def _numeric(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )
