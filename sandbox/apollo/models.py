"""The Apollo sandbox's state: accounts with their rate windows, the generated directory of
organizations and people, and phone-number requests answered by webhook.

Provider-side records: the API keys here are the sandbox's own, in plain text.
"""

from django.db import models


class ApolloAccount(models.Model):
    """An Apollo team as the sandbox knows it: its API key, the rate limits of its plan (per
    endpoint; the bulk endpoints get a tenth, as Apollo's) and the credits it has used."""

    api_key = models.CharField(max_length=200, unique=True)
    per_minute = models.PositiveIntegerField()
    per_hour = models.PositiveIntegerField()
    per_day = models.PositiveIntegerField()
    credits_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Apollo account #{self.pk}"


class ApolloRateWindow(models.Model):
    """The requests one account made to one endpoint in the current fixed window of a kind
    (minute, hour, day); a row whose window has passed counts from zero again."""

    account = models.ForeignKey(ApolloAccount, on_delete=models.CASCADE, related_name="windows")
    endpoint = models.CharField(max_length=60, help_text="For example people/match.")
    window = models.CharField(max_length=6, help_text="minute, hour or day.")
    started_at = models.BigIntegerField(help_text="Epoch second the window started.")
    used = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "endpoint", "window"], name="sandbox_apollo_rate_window"
            )
        ]

    def __str__(self):
        return f"{self.endpoint} {self.window}: {self.used}"


class ApolloOrganization(models.Model):
    """A company in Apollo's database; ``generated`` marks the sandbox's seeded directory."""

    apollo_id = models.CharField(max_length=24, unique=True)
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, unique=True, help_text="Lower-cased, no www.")
    website_url = models.CharField(max_length=500, blank=True)
    linkedin_url = models.CharField(max_length=500, blank=True)
    industry = models.CharField(max_length=200, blank=True)
    estimated_num_employees = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.BigIntegerField(null=True, blank=True)
    founded_year = models.PositiveSmallIntegerField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    street_address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)
    short_description = models.TextField(blank=True)
    keywords = models.JSONField(default=list, blank=True)
    technology_names = models.JSONField(default=list, blank=True)
    generated = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.domain})"


class ApolloPerson(models.Model):
    """A person in Apollo's database. Lookup keys are stored normalised: the email lower-cased
    with its MD5 and SHA-256 (``hashed_email``), the LinkedIn URL without scheme and www."""

    apollo_id = models.CharField(max_length=24, unique=True)
    organization = models.ForeignKey(
        ApolloOrganization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    title = models.CharField(max_length=200, blank=True)
    seniority = models.CharField(max_length=40, blank=True)
    departments = models.JSONField(default=list, blank=True)
    headline = models.CharField(max_length=300, blank=True)
    email = models.CharField(max_length=254, blank=True, db_index=True)
    email_status = models.CharField(max_length=40, blank=True)
    email_md5 = models.CharField(max_length=32, blank=True, db_index=True)
    email_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    personal_emails = models.JSONField(default=list, blank=True)
    linkedin_url = models.CharField(max_length=500, blank=True)
    linkedin_key = models.CharField(max_length=500, blank=True, db_index=True)
    phone_numbers = models.JSONField(
        default=list, blank=True, help_text="[{raw_number, sanitized_number, type}]"
    )
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    generated = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class ApolloPhoneRequest(models.Model):
    """A phone reveal Apollo answers later: the result it POSTs to ``webhook_url`` and that
    ``GET /webhook_result/<request_id>`` shows."""

    request_id = models.BigIntegerField(unique=True, help_text="Signed 64-bit, as Apollo's.")
    account = models.ForeignKey(
        ApolloAccount, on_delete=models.CASCADE, related_name="phone_requests"
    )
    webhook_url = models.CharField(max_length=2000)
    result = models.JSONField()
    status = models.CharField(max_length=12, default="in_progress")
    last_dispatched_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"phone request {self.request_id} ({self.status})"
