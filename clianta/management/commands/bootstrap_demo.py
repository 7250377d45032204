import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from clianta import totp
from clianta.models import Membership, Workspace
from clianta.tokens import services as tokens
from clianta.tokens.models import ApiToken

USERNAME = "demo"
TOKEN_NAME = "demo (make run)"
WORKSPACE = "Demo workspace"


class Command(BaseCommand):
    help = (
        "Create (once) a demo workspace with an admin user and its TOTP authenticator; print the "
        "login and a new API token, which replaces the one printed last time (only a digest is "
        "stored)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000")

    @transaction.atomic
    def handle(self, *args, url, **options):
        password = os.environ.get("DEMO_PASSWORD", "")
        user, created = get_user_model().objects.get_or_create(
            username=USERNAME,
            defaults={"email": "demo@example.com", "is_staff": True, "is_superuser": True},
        )
        if created:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            workspace = Workspace.objects.create(name=WORKSPACE)
            Membership.objects.create(workspace=workspace, user=user, role=Membership.Role.OWNER)
        for previous in ApiToken.objects.filter(user=user, name=TOKEN_NAME):
            tokens.revoke(previous)
        _, secret = tokens.issue(user, TOKEN_NAME)
        # The admin asks staff for a TOTP code: the demo login comes with its authenticator.
        device = user.totpdevice_set.filter(name="demo").first() or totp.enroll(user, "demo")
        shown = password if password else "(set one with: python manage.py changepassword demo)"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"  Clianta is starting on {url}",
                    f"    log in:    {url}/admin/  user {USERNAME}, password {shown}",
                    "    admin code: from an authenticator app (or `oathtool --totp -b KEY`) with",
                    *(f"      {line}" for line in totp.setup_lines(device)),
                    f"    API docs:  {url}/api/docs/",
                    f"    API token: Authorization: Token {secret}  (shown once)",
                    "",
                ]
            )
        )
