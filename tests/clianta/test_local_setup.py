"""What `make run` relies on: the generated .env and the demo login."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from clianta import envfile
from clianta.models import Membership
from clianta.tokens.models import ApiToken


def test_envfile_generates_only_what_is_missing(tmp_path, monkeypatch):
    path = tmp_path / ".env"
    path.write_text("SECRET_KEY=kept\nENCRYPTION_KEYS=\n# DEMO_PASSWORD=commented\n")
    monkeypatch.setattr(envfile, "ENV_FILE", path)
    for name in envfile.GENERATORS:
        monkeypatch.delenv(name, raising=False)

    envfile.main([])

    lines = path.read_text().splitlines()
    assert lines[0] == "SECRET_KEY=kept"
    assert lines[1].startswith("ENCRYPTION_KEYS=") and len(lines[1]) > 40  # filled in place
    assert lines[2] == "# DEMO_PASSWORD=commented"
    assert lines[3].startswith("DEMO_PASSWORD=") and len(lines[3]) > 20
    before = path.read_text()
    envfile.main([])
    assert path.read_text() == before
    assert path.stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_bootstrap_demo_creates_the_login_once_and_prints_it(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-123")
    first, second = io.StringIO(), io.StringIO()
    call_command("bootstrap_demo", url="http://127.0.0.1:9000", stdout=first)
    call_command("bootstrap_demo", url="http://127.0.0.1:9000", stdout=second)

    membership = Membership.objects.get()
    user = membership.user
    assert membership.role == "owner"
    assert user.is_staff and user.check_password("demo-password-123")
    secrets = []
    device = TOTPDevice.objects.get(user=user, confirmed=True)  # the admin asks for its code
    for output in (first.getvalue(), second.getvalue()):
        assert "http://127.0.0.1:9000/admin/" in output
        assert "password demo-password-123" in output
        assert f"otpauth URI:  {device.config_url}" in output
        secrets.append(re.search(r"Authorization: Token (\S+)", output).group(1))
    # Each run prints a new token and revokes the one printed before.
    token = ApiToken.objects.get(user=user)
    assert secrets[0] != secrets[1] and secrets[1].startswith(token.token_key)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secrets[1]}")
    assert api.get("/api/workspaces").status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {secrets[0]}")
    assert api.get("/api/workspaces").status_code == 401


@pytest.mark.django_db
def test_add_totp_enrolls_staff_only():
    user = get_user_model().objects.create_user("ops", is_staff=True)
    output = io.StringIO()
    call_command("add_totp", "ops", stdout=output)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert device.config_url in output.getvalue()
    get_user_model().objects.create_user("member")
    with pytest.raises(CommandError, match="not staff"):
        call_command("add_totp", "member")
