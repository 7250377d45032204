import json

from django.core.management.base import BaseCommand, CommandError

from messaging.slack.manifest import manifest

NAME_LIMIT = 35  # Slack's limit on display_information.name


class Command(BaseCommand):
    help = (
        "Print the Slack app manifest (JSON) for PUBLIC_URL, to paste into Slack's "
        '"Create New App → From a manifest".'
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", default="Clianta", help="The app's and bot's name.")

    def handle(self, *args, name, **options):
        if not name.strip() or len(name) > NAME_LIMIT:
            raise CommandError(f"--name takes 1 to {NAME_LIMIT} characters.")
        self.stdout.write(json.dumps(manifest(name), indent=2, ensure_ascii=False))
