from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from clianta import totp


class Command(BaseCommand):
    help = (
        "Enroll a TOTP authenticator for a staff member (the admin asks for its code at login) "
        "and print its key and otpauth URI, once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator", help="A name for the device.")
        parser.add_argument(
            "--replace", action="store_true", help="Remove the user's other TOTP devices first."
        )

    def handle(self, *args, username, name, replace, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_staff:
            raise CommandError(f"{username} is not staff: only staff use the admin.")
        if replace:
            user.totpdevice_set.all().delete()
        device = totp.enroll(user, name)
        self.stdout.write(f"TOTP device {name!r} added for {username}. Add it to an app:")
        for line in totp.setup_lines(device):
            self.stdout.write(f"  {line}")
