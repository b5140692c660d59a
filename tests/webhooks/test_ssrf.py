"""Webhook targets inside this network are refused, however the address is spelled."""

import socket

import httpx
import pytest

from hirebridge.webhooks import deliver, ssrf
from hirebridge.webhooks.emit import emit
from hirebridge.webhooks.models import DeliveryStatus, Event
from tests.webhooks.conftest import hook

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
    "http://127.1/hook",
    "http://0/hook",
    "http://[::]/hook",
    "http://[::ffff:169.254.169.254]/latest/meta-data/",
    "http://10.255.255.255/hook",
    "http://172.31.255.254/hook",
    "http://192.168.255.254/hook",
    "http://100.127.255.254/hook",
    "http://[fc00::1]/hook",
    "http://[fd12:3456::1]/hook",
    "http://[febf::1]/hook",
    "https://127.0.0.1:443/hook",
    "http://user:pw@127.0.0.1/hook",
]

# Names, each resolved (monkeypatched) to an inside address: a public-looking name is no pass.
RESOLVED_INSIDE = {
    "localhost.": "127.0.0.1",
    "metadata.google.internal": "169.254.169.254",
    "hooks.example.com": "10.0.0.5",
    "intranet.example.com": "192.168.0.10",
    "v6.example.com": "::1",
    "mapped.example.com": "::ffff:127.0.0.1",
}


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


def resolving(answers: dict[str, str]):
    """A getaddrinfo that knows only `answers`."""

    def getaddrinfo(host, port, *args, **kwargs):
        address = answers[host]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
        return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

    return getaddrinfo


@pytest.mark.parametrize(("name", "address"), sorted(RESOLVED_INSIDE.items()))
def test_a_name_that_resolves_inside_is_refused(settings, monkeypatch, name, address):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(socket, "getaddrinfo", resolving(RESOLVED_INSIDE))
    with pytest.raises(ssrf.UnsafeTarget, match="private, loopback or reserved"):
        ssrf.check(f"http://{name}/hook")


def test_the_check_returns_the_addresses_to_connect_to(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(socket, "getaddrinfo", resolving({"hooks.example.com": "93.184.215.14"}))
    addresses = ssrf.check("https://hooks.example.com:8443/in")
    assert [str(a) for a in addresses] == ["93.184.215.14"]
    target = ssrf.pinned("https://hooks.example.com:8443/in?x=1", addresses)
    assert target == ssrf.Pinned(
        "https://93.184.215.14:8443/in?x=1",
        {"Host": "hooks.example.com:8443"},
        {"sni_hostname": "hooks.example.com"},
    )


def test_a_numeric_target_and_the_demo_setting_are_sent_as_they_are(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    url = "https://93.184.215.14/hook"
    assert ssrf.pinned(url, ssrf.check(url)) == ssrf.Pinned(url, {}, {})
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert ssrf.pinned("http://localhost:9/x", ssrf.check("http://localhost:9/x")).url == (
        "http://localhost:9/x"
    )


@pytest.fixture
def sent(monkeypatch) -> list[httpx.Request]:
    """Deliveries go to a fake network that answers every request with a redirect inside."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    monkeypatch.setattr(
        deliver,
        "http_client",
        lambda: httpx.Client(transport=httpx.MockTransport(answer), follow_redirects=False),
    )
    return requests


def test_a_redirect_inside_is_not_followed(db, settings, monkeypatch, sent):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    monkeypatch.setattr(socket, "getaddrinfo", resolving({"hooks.example.com": "93.184.215.14"}))
    hook(Event.CONTACT_CREATED, "https://hooks.example.com/in")
    [delivery] = emit(Event.CONTACT_CREATED, {"contactId": "c1"})
    assert not deliver.deliver(delivery.pk)
    assert [str(request.url) for request in sent] == ["https://93.184.215.14/in"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.FAILED, 302)


def test_a_name_that_rebinds_after_the_check_still_reaches_the_checked_address(
    db, settings, monkeypatch, sent
):
    """The first answer is public, every later one loopback: the request goes to the first."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    answers = iter(["93.184.215.14"])

    def rebinding(host, port, *args, **kwargs):
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    hook(Event.CONTACT_CREATED, "https://rebind.example.com/in")
    [delivery] = emit(Event.CONTACT_CREATED, {"contactId": "c1"})
    deliver.deliver(delivery.pk)
    [request] = sent
    assert request.url.host == "93.184.215.14"
    assert request.headers["Host"] == "rebind.example.com"
    assert request.extensions["sni_hostname"] == "rebind.example.com"


def test_a_delivery_to_an_inside_address_is_refused_before_any_request(db, settings, sent):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    hook(Event.CONTACT_CREATED, "http://169.254.169.254/latest/")
    [delivery] = emit(Event.CONTACT_CREATED, {"contactId": "c1"})
    assert not deliver.deliver(delivery.pk)
    assert sent == []
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("refused target:")
