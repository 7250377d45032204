"""The sandbox in the admin: every model lists and opens, tokens only as masks."""

import pytest

from sandbox import faults
from sandbox.google.models import GoogleAccessToken, GoogleGrant
from sandbox.google.tokens import create_grant, issue
from sandbox.models import SandboxCall
from tests.otp import log_in_staff

pytestmark = pytest.mark.django_db


def test_sandbox_models_show_in_the_admin_with_masked_tokens(client, make_user):
    log_in_staff(client, make_user("staff", is_staff=True, is_superuser=True))
    token = issue(create_grant("hana@example.com", ["openid", "email"]))
    faults.inject("google", "token", status=500)
    SandboxCall.objects.create(
        provider="google", method="POST", path="/sandbox/google/token", status=500
    )
    grant = GoogleGrant.objects.get()
    access = GoogleAccessToken.objects.get()
    pages = [
        f"/admin/sandbox/{model}/"
        for model in (
            "sandboxcall",
            "sandboxfault",
            "googlegrant",
            "googleaccesstoken",
            "googleauthcode",
        )
    ]
    pages += [
        f"/admin/sandbox/googlegrant/{grant.pk}/change/",
        f"/admin/sandbox/googleaccesstoken/{access.pk}/change/",
    ]
    for page in pages:
        answer = client.get(page)
        assert answer.status_code == 200, page
        assert token["access_token"] not in answer.text
        assert token["refresh_token"] not in answer.text
    assert token["refresh_token"][-4:] in client.get(pages[5]).text
