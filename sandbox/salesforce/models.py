"""The Salesforce sandbox's state: orgs and their users, the OAuth codes, grants and sessions
it handed out, the records of each org (Account, Contact, Opportunity), and the server-side
query cursors and Bulk API 2.0 query jobs.

Provider-side records: the tokens here are the sandbox's own, in plain text.
"""

from django.db import models


class SalesforceOrg(models.Model):
    """An org (``00D…``): its daily API request allocation and the usage counted since
    ``usage_since`` (a period of 24 hours), how long its sessions last, and how many days its
    deleted records stay in the Recycle Bin (queryable by queryAll and getDeleted)."""

    org_id = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=200)
    daily_api_limit = models.PositiveIntegerField(default=15000)
    api_used = models.PositiveIntegerField(default=0)
    usage_since = models.DateTimeField()
    session_seconds = models.PositiveIntegerField(default=7200)
    deleted_retention_days = models.PositiveSmallIntegerField(default=15)
    next_sequence = models.BigIntegerField(default=1, help_text="Of the next record id.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.org_id})"


class SalesforceUser(models.Model):
    """A user (``005…``) of an org; ``username`` is the email-shaped login."""

    org = models.ForeignKey(SalesforceOrg, on_delete=models.CASCADE, related_name="users")
    user_id = models.CharField(max_length=18, unique=True)
    username = models.CharField(max_length=200, unique=True)
    email = models.CharField(max_length=200)
    first_name = models.CharField(max_length=40, blank=True)
    last_name = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.username

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class SalesforceAuthCode(models.Model):
    """An authorization code the consent page issued (single use), with its PKCE challenge."""

    code = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(SalesforceUser, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=200)
    redirect_uri = models.CharField(max_length=2000)
    scopes = models.CharField(max_length=500)
    code_challenge = models.CharField(max_length=200, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Salesforce code for {self.user}"


class SalesforceGrant(models.Model):
    """A user's approval of a client: its scopes and, when they include ``refresh_token``, its
    refresh token. Revoking it ends its refresh token and every session issued from it."""

    user = models.ForeignKey(SalesforceUser, on_delete=models.CASCADE, related_name="grants")
    client_id = models.CharField(max_length=200)
    scopes = models.CharField(max_length=500)
    refresh_token = models.CharField(max_length=200, unique=True, null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.user} -> {self.client_id}"


class SalesforceSession(models.Model):
    """An access token (a session id, ``<org id>!…``) of a grant."""

    grant = models.ForeignKey(SalesforceGrant, on_delete=models.CASCADE, related_name="sessions")
    token = models.CharField(max_length=200, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Session of {self.grant}"


class SalesforceRecord(models.Model):
    """A record of an org: ``values`` holds its fields by API name as the REST API writes them;
    Id, the audit dates and IsDeleted are columns. ``sequence`` is the number in its id (ids of
    one object sort as their sequence). ``deleted_at`` set: in the Recycle Bin."""

    org = models.ForeignKey(SalesforceOrg, on_delete=models.CASCADE, related_name="records")
    sobject = models.CharField(max_length=40)
    record_id = models.CharField(max_length=18)
    sequence = models.BigIntegerField()
    values = models.JSONField(default=dict)
    created_date = models.DateTimeField()
    last_modified_date = models.DateTimeField()
    system_modstamp = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "record_id"], name="sandbox_sf_record_id")
        ]
        indexes = [
            models.Index(
                fields=["org", "sobject", "system_modstamp", "sequence"],
                name="sandbox_sf_record_modstamp",
            ),
            models.Index(fields=["org", "sobject", "sequence"], name="sandbox_sf_record_seq"),
            models.Index(fields=["org", "sobject", "deleted_at"], name="sandbox_sf_record_deleted"),
        ]

    def __str__(self):
        return f"{self.sobject} {self.record_id}"


class SalesforceQueryCursor(models.Model):
    """The rest of a query's result (its records' primary keys, in order), which
    ``nextRecordsUrl`` pages through: ``/services/data/vXX.X/query/<locator>-<offset>``."""

    locator = models.CharField(max_length=18, unique=True)
    org = models.ForeignKey(SalesforceOrg, on_delete=models.CASCADE, related_name="+")
    sobject = models.CharField(max_length=40)
    fields = models.JSONField(help_text="The selected fields, in order.")
    keys = models.JSONField(help_text="Primary keys of the result's records, in order.")
    used_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.locator


class SalesforceBulkJob(models.Model):
    """A Bulk API 2.0 query job (``750…``): UploadComplete, InProgress, then JobComplete (its
    result in ``keys``) or Failed (``error_message``), or Aborted."""

    job_id = models.CharField(max_length=18, unique=True)
    org = models.ForeignKey(SalesforceOrg, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(SalesforceUser, on_delete=models.CASCADE, related_name="+")
    operation = models.CharField(max_length=10)
    query = models.TextField()
    sobject = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=20)
    error_message = models.TextField(blank=True)
    api_version = models.CharField(max_length=8)
    column_delimiter = models.CharField(max_length=12)
    line_ending = models.CharField(max_length=4)
    fields = models.JSONField(null=True, blank=True)
    keys = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    system_modstamp = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Bulk query {self.job_id} ({self.state})"
