"""Who may manage endpoints (owners and admins, of their own workspace), what the API shows of
the secret (once), and the input it refuses: hostile text and every URL that is not public
HTTPS, also when a name changes its address after the check (DNS rebinding)."""

import socket

import pytest

from clianta.models import Membership
from integrations import public_net
from outbound_webhooks import delivery, services
from outbound_webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

URL = "/api/webhook-endpoints"


def test_the_secret_is_shown_once_at_creation(api_a, receiver):
    created = api_a.post(URL, {"url": receiver.url(), "event_types": ["deal.won", "*"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["event_types"] == ["*", "deal.won"]
    assert "secret" not in api_a.get(f"{URL}/{body['id']}").json()
    assert "secret" not in api_a.get(URL).json()["results"][0]
    assert Endpoint.objects.get().secret == body["secret"]


@pytest.mark.parametrize("role", [Membership.Role.MEMBER])
def test_members_may_not_see_or_manage_endpoints(
    client_for, make_user, workspace_a, receiver, endpoint_for, role
):
    member = make_user("member")
    Membership.objects.create(workspace=workspace_a, user=member, role=role)
    endpoint = endpoint_for(receiver.url())
    api = client_for(member)
    for method, path in [
        ("get", URL),
        ("post", URL),
        ("get", f"{URL}/{endpoint.pk}"),
        ("post", f"{URL}/{endpoint.pk}/rotate-secret"),
        ("post", f"{URL}/{endpoint.pk}/test"),
        ("get", f"{URL}/{endpoint.pk}/deliveries"),
        ("delete", f"{URL}/{endpoint.pk}"),
    ]:
        answer = getattr(api, method)(path, {"url": receiver.url(), "event_types": ["*"]})
        assert answer.status_code == 403, (method, path)
    assert Endpoint.objects.get().secret == endpoint.secret


def test_an_admin_manages_them(client_for, make_user, workspace_a, receiver):
    admin = make_user("admin")
    Membership.objects.create(workspace=workspace_a, user=admin, role=Membership.Role.ADMIN)
    api = client_for(admin)
    created = api.post(URL, {"url": receiver.url(), "event_types": ["*"]})
    assert created.status_code == 201
    changed = api.patch(f"{URL}/{created.json()['id']}", {"event_types": ["sms.received"]})
    assert changed.json()["event_types"] == ["sms.received"]
    assert api.delete(f"{URL}/{created.json()['id']}").status_code == 204


def test_another_workspaces_endpoints_and_deliveries_answer_404(
    api_b, workspace_a, receiver, endpoint_for
):
    endpoint = endpoint_for(receiver.url())
    delivery_row = Delivery.objects.create(
        endpoint=endpoint, message_id="evt_x", event_type="deal.won", body="{}"
    )
    for path in [
        f"{URL}/{endpoint.pk}",
        f"{URL}/{endpoint.pk}/deliveries",
        f"{URL}/{endpoint.pk}/deliveries/{delivery_row.pk}",
        f"{URL}/not-a-uuid/deliveries",
    ]:
        assert api_b.get(path).status_code == 404, path
    for path in [
        f"{URL}/{endpoint.pk}/rotate-secret",
        f"{URL}/{endpoint.pk}/enable",
        f"{URL}/{endpoint.pk}/deliveries/{delivery_row.pk}/replay",
    ]:
        assert api_b.post(path).status_code == 404, path
    assert api_b.get(URL).json()["results"] == []


def test_anonymous_requests_are_refused(client):
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "https://example.com/a\r\nX-Injected: 1", "event_types": ["*"]}, "url"),
        ({"url": "https://example.com/" + "a" * 5000, "event_types": ["*"]}, "url"),
        ({"url": "<script>alert(1)</script>", "event_types": ["*"]}, "url"),
        ({"url": "https://example.com/", "event_types": ["deal.lost"]}, "event_types"),
        ({"url": "https://example.com/", "event_types": [{"a": [1]}]}, "event_types"),
        ({"url": "https://example.com/", "event_types": "deal.won"}, "event_types"),
        ({"url": "https://example.com/", "event_types": []}, "event_types"),
        ({"url": "https://example.com/", "event_types": ["*"] * 1000}, "event_types"),
        ({"url": {"nested": {"deep": 1}}, "event_types": ["*"]}, "url"),
    ],
)
def test_hostile_input_is_refused_with_the_field_named(api_a, payload, field):
    answer = api_a.post(URL, payload, format="json")
    assert answer.status_code == 400
    assert field in answer.json()["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # not https
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
        "https://[fe80::1]/hook",
        "https://user:pw@example.com/hook",
        "https://name.invalid/hook",  # does not resolve
        "ftp://example.com/hook",
    ],
)
def test_only_public_https_urls_are_accepted_outside_development(api_a, settings, url):
    settings.OUTBOUND_WEBHOOKS_ALLOW_LOCAL = False
    answer = api_a.post(URL, {"url": url, "event_types": ["*"]}, format="json")
    assert answer.status_code == 400, url
    assert "url" in answer.json()["fields"]
    assert not Endpoint.objects.exists()


def test_a_private_address_is_refused_again_at_delivery_time(
    workspace_a, receiver, endpoint_for, settings
):
    """An endpoint registered while its name was public, now pointing at this machine."""
    endpoint = endpoint_for(receiver.url())
    settings.OUTBOUND_WEBHOOKS_ALLOW_LOCAL = False
    services.send_test(endpoint, "deal.won")
    sent = Delivery.objects.get()
    assert sent.status == "failed"
    assert "private network" in sent.last_error
    assert receiver.received == []


def test_a_name_that_changes_its_address_after_the_check_is_not_reached(receiver, monkeypatch):
    """DNS rebinding: the connection resolves and checks again, and connects to what it
    checked. Here the name answers a public address once, then loopback."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1"])

    def rebinding(host, port, *args, **kwargs):
        if host == "rebind.example":
            address = next(answers, "127.0.0.1")
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = receiver.server.server_port
    public_net.resolve("rebind.example", port)  # the check: public
    with pytest.raises(public_net.NotPublic, match="private network"):
        public_net.public_session().post(f"http://rebind.example:{port}/hook", timeout=2)
    assert receiver.received == []


def test_a_workspace_has_a_bounded_number_of_endpoints(api_a, receiver, settings):
    settings.OUTBOUND_WEBHOOKS_PER_WORKSPACE = 2
    for _ in range(2):
        assert api_a.post(URL, {"url": receiver.url(), "event_types": ["*"]}).status_code == 201
    third = api_a.post(URL, {"url": receiver.url(), "event_types": ["*"]})
    assert third.status_code == 400 and "at most 2" in str(third.json()["fields"])


def test_staff_see_endpoints_and_deliveries_in_the_admin_without_secrets(
    client, make_user, workspace_a, receiver, endpoint_for
):
    from tests.otp import log_in_staff

    endpoint = endpoint_for(receiver.url())
    services.send_test(endpoint, "deal.won")
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    sent = Delivery.objects.get()
    for path in [
        "/admin/outbound_webhooks/endpoint/",
        f"/admin/outbound_webhooks/endpoint/{endpoint.pk}/change/",
        "/admin/outbound_webhooks/delivery/",
        f"/admin/outbound_webhooks/delivery/{sent.pk}/change/",
    ]:
        page = client.get(path)
        assert page.status_code == 200, path
        assert endpoint.secret not in page.content.decode()
    replay = client.post(
        "/admin/outbound_webhooks/delivery/",
        {"action": "replay", "_selected_action": [str(sent.pk)]},
    )
    assert replay.status_code == 302
    assert Delivery.objects.filter(message_id=sent.message_id).count() == 2
    assert delivery.due(endpoint).count() == 1
