from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clianta import health
from integrations import monitoring


class Command(BaseCommand):
    help = (
        "What is degraded (the staff health report), what is misconfigured, and the URLs to "
        "register with each provider for PUBLIC_URL. Exits with 1 when anything is wrong."
    )

    def handle(self, *args, **options):
        problems = health.report()
        configuration = [
            *health.configuration_problems(),
            *monitoring.missing_settings(),
            *monitoring.keys_not_rotated(),
        ]
        self._section("Health", problems)
        self._section("Configuration", configuration)
        self.stdout.write(
            f"\nURLs to register with the providers (PUBLIC_URL={settings.PUBLIC_URL})"
        )
        for provider, purpose, url in monitoring.console_urls():
            self.stdout.write(f"  {provider}: {purpose}\n    {url}")
        if problems or configuration:
            raise CommandError(f"{len(problems) + len(configuration)} problem(s) found.")
        self.stdout.write(self.style.SUCCESS("\nNo problem found."))

    def _section(self, title: str, problems) -> None:
        self.stdout.write(f"{title}: {'degraded' if problems else 'ok'}")
        for problem in problems:
            where = f"[{problem.provider}] " if problem.provider else ""
            self.stdout.write(self.style.WARNING(f"  {problem.check}: {where}{problem.reason}"))
