"""Webhook targets inside this network are refused, however the address is spelled."""

import socket

import pytest

from hirebridge.webhooks import ssrf

REFUSED = [
    "http://127.0.0.1/hook",
    "http://localhost:8000/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.9/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://0x7f.1/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://[fe80::1]/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_private_targets(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(ssrf.UnsafeTarget, match="private, loopback or reserved"):
        ssrf.check(url)


@pytest.mark.parametrize("url", REFUSED)
def test_the_demo_setting_allows_them(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    ssrf.check(url)


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "gopher://x/"])
def test_it_refuses_other_schemes_even_when_private_targets_are_allowed(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    with pytest.raises(ssrf.UnsafeTarget, match="only http and https"):
        ssrf.check(url)


def test_it_accepts_a_public_address(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    ssrf.check("https://93.184.215.14/hook")


def test_every_resolved_address_must_be_public(settings, monkeypatch):
    """A name that resolves to a public and a private address is refused."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(ssrf.UnsafeTarget, match=r"hooks\.example\.com is 10\.0\.0\.5"):
        ssrf.check("https://hooks.example.com/in")


def test_a_public_name_passes(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    answers = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2606:2800:21f:cb07::1", 443, 0, 0))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    ssrf.check("https://hooks.example.com/in")


def test_a_name_that_does_not_resolve_is_refused(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    def fail(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(ssrf.UnsafeTarget, match="does not resolve"):
        ssrf.check("https://nowhere.invalid/in")


@pytest.mark.parametrize("url", ["http:///path", "http://[::1/x", "not a url"])
def test_malformed_urls_are_refused(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    with pytest.raises(ssrf.UnsafeTarget):
        ssrf.check(url)
