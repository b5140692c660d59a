"""Refuse webhook targets inside this network: a Super Admin's URL must not turn the ATS into
a client for its own database, the cloud metadata service or the intranet.

Checked when a hook is saved and again before each delivery, since DNS may change. Every
address the host resolves to must be public; numeric hosts in any form the C library accepts
(2130706433, 0177.0.0.1, 0x7f.1) are read as it reads them. The demo and tests allow private
targets with WEBHOOKS_ALLOW_PRIVATE_TARGETS, since their receivers listen on loopback.
Delivery connects to the address checked (pinned()) and never follows a redirect, so neither
a DNS answer that changes after the check nor a 3xx to an inside address reaches the inside.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(ValueError):
    """The URL may not receive webhooks; the message says why."""


def check(url: str) -> list[IpAddress]:
    """Raise UnsafeTarget unless `url` is an http(s) URL of a public host; return the public
    addresses its host resolved to (none when private targets are allowed)."""
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
        return []
    addresses = _addresses(host, port or (443 if parts.scheme == "https" else 80))
    for address in addresses:
        if not _public(address):
            raise UnsafeTarget(
                f"{host} is {address}, a private, loopback or reserved address; "
                "webhooks go only to public hosts"
            )
    return addresses


@dataclass(frozen=True)
class Pinned:
    """A request to the address that was checked rather than to the name: a DNS answer that
    changes between the check and the connection (rebinding) cannot send it elsewhere. The
    name still goes in the Host header and in TLS (SNI and the certificate check)."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, str]


def pinned(url: str, addresses: list[IpAddress]) -> Pinned:
    """`url` sent to the first of `addresses` (as check() returned them), if its host is a
    name; unchanged otherwise."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not addresses or _numeric(host) is not None:
        return Pinned(url, {}, {})
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    return Pinned(
        urlunsplit(parts._replace(netloc=netloc)),
        {"Host": parts.netloc.rpartition("@")[2]},
        {"sni_hostname": host},
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
