"""What the sandbox remembers: its call log, the faults to inject, and each fake provider's state.

These rows are the fake providers' own data: the tokens here are what the sandbox hands out,
stored in plain text like any other provider-side record, never our secrets.
"""

from django.db import models


class SandboxCall(models.Model):
    """One HTTP request a sandbox endpoint answered, so tests and benchmarks can count them."""

    provider = models.CharField(max_length=40)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    query = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["provider", "path"])]

    def __str__(self):
        return f"{self.provider} {self.method} {self.path} -> {self.status}"


class SandboxFault(models.Model):
    """A fault the next matching requests of a provider get instead of (or on top of) the answer.

    A request matches when ``path_regex`` is found (``re.search``) in its full path, for example
    ``/sandbox/google/token``. ``remaining`` counts the uses left; null means forever.
    """

    provider = models.CharField(max_length=40)
    path_regex = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Answer this status instead of the real answer."
    )
    body = models.JSONField(
        null=True, blank=True, help_text="Error body; empty: the provider's usual error shape."
    )
    retry_after = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seconds, sent as Retry-After with the status."
    )
    delay_ms = models.PositiveIntegerField(default=0)
    truncate = models.BooleanField(
        default=False, help_text="Answer 200 with the first half of the real body."
    )
    remaining = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: forever.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        what = f"status {self.status}" if self.status else "truncate" if self.truncate else "delay"
        return f"{self.provider} {self.path_regex}: {what}"


class GoogleAuthCode(models.Model):
    """An authorization code from the consent page, with what the token exchange must check."""

    code = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=200)
    redirect_uri = models.CharField(max_length=500)
    email = models.CharField(max_length=254)
    scopes = models.TextField(help_text="Space-separated, as granted.")
    offline = models.BooleanField(default=False)
    prompt = models.CharField(max_length=100, blank=True)
    nonce = models.CharField(max_length=200, blank=True)
    code_challenge = models.CharField(max_length=200, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)
    grant = models.ForeignKey(
        "GoogleGrant", null=True, blank=True, on_delete=models.SET_NULL, related_name="codes"
    )

    def __str__(self):
        return f"code for {self.email}"


class GoogleGrant(models.Model):
    """One user's consent to one client: its refresh token and, through it, its access tokens."""

    client_id = models.CharField(max_length=200)
    email = models.CharField(max_length=254, db_index=True)
    scopes = models.TextField(help_text="Space-separated.")
    refresh_token = models.CharField(max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.email} ({'revoked' if self.revoked_at else 'active'})"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class GoogleAccessToken(models.Model):
    """An access token of a grant; valid until it expires or the grant is revoked."""

    grant = models.ForeignKey(GoogleGrant, on_delete=models.CASCADE, related_name="access_tokens")
    token = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"access token of {self.grant.email}"


class GmailMailbox(models.Model):
    """One user's Gmail mailbox: its history counter, how far back history is kept, its quota."""

    email = models.CharField(max_length=254, unique=True, help_text="Lower-cased.")
    history_id = models.BigIntegerField(default=1, help_text="The id of the latest change.")
    history_kept_from = models.BigIntegerField(
        default=0, help_text="An older startHistoryId answers 404, as Gmail's expired history."
    )
    quota_second = models.BigIntegerField(default=0, help_text="Epoch second of quota_used.")
    quota_used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class GmailMessage(models.Model):
    """A message as Gmail keeps it: the RFC 2822 bytes, plus the fields the API filters on.

    ``labels`` holds the label ids space-separated with a space at each end, so that
    ``labels__contains=" INBOX "`` filters on any database.
    """

    mailbox = models.ForeignKey(GmailMailbox, on_delete=models.CASCADE, related_name="messages")
    gmail_id = models.CharField(max_length=16)
    thread_id = models.CharField(max_length=16)
    labels = models.CharField(max_length=1000, default=" ")
    internal_date = models.BigIntegerField(help_text="Epoch milliseconds.")
    history_id = models.BigIntegerField()
    message_id_header = models.CharField(max_length=500, blank=True)
    subject = models.TextField(blank=True)
    sender = models.TextField(blank=True)
    recipients = models.TextField(blank=True)
    snippet = models.TextField(blank=True)
    has_attachment = models.BooleanField(default=False)
    size_estimate = models.PositiveIntegerField(default=0)
    raw = models.BinaryField()

    class Meta:
        ordering = ["-internal_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "gmail_id"], name="sandbox_gmail_message_id")
        ]
        indexes = [
            models.Index(fields=["mailbox", "-internal_date", "-id"]),
            models.Index(fields=["mailbox", "thread_id"]),
            models.Index(fields=["mailbox", "message_id_header"]),
        ]

    def __str__(self):
        return f"{self.gmail_id} {self.subject[:60]}"

    @property
    def label_ids(self) -> list[str]:
        return self.labels.split()


class GmailHistoryRecord(models.Model):
    """One change of a mailbox, as ``history.list`` reports it; labels are packed as above."""

    mailbox = models.ForeignKey(GmailMailbox, on_delete=models.CASCADE, related_name="history")
    history_id = models.BigIntegerField()
    gmail_id = models.CharField(max_length=16)
    thread_id = models.CharField(max_length=16)
    labels = models.CharField(
        max_length=1000, default=" ", help_text="The message's labels after the change."
    )
    message_added = models.BooleanField(default=False)
    message_deleted = models.BooleanField(default=False)
    labels_added = models.CharField(max_length=1000, default=" ")
    labels_removed = models.CharField(max_length=1000, default=" ")

    class Meta:
        ordering = ["history_id"]
        indexes = [models.Index(fields=["mailbox", "history_id"])]

    def __str__(self):
        return f"{self.mailbox_id} #{self.history_id} {self.gmail_id}"


class GoogleCalendar(models.Model):
    """One user's primary Google calendar (its id is the email): its change counter, from
    which sync tokens are made, and the oldest sync token it still honours."""

    email = models.CharField(max_length=254, unique=True, help_text="Lower-cased; the id.")
    time_zone = models.CharField(max_length=64, default="UTC")
    change_seq = models.BigIntegerField(default=0, help_text="The number of the latest change.")
    sync_kept_from = models.BigIntegerField(
        default=0, help_text="Sync tokens of older changes answer 410, as Google's expired ones."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class GoogleCalendarEvent(models.Model):
    """An event as Google keeps it. ``start``/``end`` hold the request's ``{dateTime, timeZone}``
    or ``{date}``; ``start_at``/``end_at`` the instants (all-day: midnights in the calendar's
    zone), ``range_end`` the end of a series' last instance (null: no end). A changed or
    cancelled instance of a series is a row of its own with ``recurring_event_id`` and the id
    ``<eventId>_<original start>``."""

    calendar = models.ForeignKey(GoogleCalendar, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=1100)
    ical_uid = models.CharField(max_length=1200)
    recurring_event_id = models.CharField(max_length=1024, blank=True)
    status = models.CharField(max_length=12, default="confirmed")
    summary = models.TextField(blank=True)
    description = models.TextField(blank=True)
    location = models.TextField(blank=True)
    start = models.JSONField()
    end = models.JSONField()
    all_day = models.BooleanField(default=False)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    range_end = models.DateTimeField(null=True, blank=True)
    recurrence = models.JSONField(default=list, blank=True)
    attendees = models.JSONField(default=list, blank=True)
    transparency = models.CharField(max_length=12, blank=True)
    organizer = models.CharField(max_length=254)
    creator = models.CharField(max_length=254)
    conference = models.JSONField(null=True, blank=True, help_text="conferenceData.")
    hangout_link = models.CharField(max_length=200, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="Other fields, echoed back.")
    sequence = models.PositiveIntegerField(default=0)
    created = models.DateTimeField()
    updated = models.DateTimeField()
    change_seq = models.BigIntegerField(help_text="The calendar's change that last touched it.")
    send_updates = models.CharField(
        max_length=12, blank=True, help_text="sendUpdates of the last change (blank: none given)."
    )
    notifications = models.JSONField(
        default=list, blank=True, help_text="The emails sendUpdates would have sent."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "event_id"], name="sandbox_calendar_event_id"
            )
        ]
        indexes = [
            models.Index(fields=["calendar", "change_seq"]),
            models.Index(fields=["calendar", "start_at"]),
            models.Index(fields=["calendar", "ical_uid"]),
        ]

    def __str__(self):
        return f"{self.event_id} {self.summary[:60]}"


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


class NotionWorkspace(models.Model):
    """A Notion workspace: the pages, databases and blocks in it, and the bots it installed."""

    workspace_id = models.UUIDField(unique=True)
    name = models.CharField(max_length=200, unique=True)
    icon = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class NotionBot(models.Model):
    """An integration installed in a workspace: an internal one (its ``secret_``/``ntn_`` token
    made by a helper) or a public one authorized by OAuth (``client_id`` set). It sees only the
    pages shared with it (and what is under them). ``per_second`` null: no rate limit; else a
    token bucket of ``burst`` requests refilled at ``per_second``."""

    bot_id = models.UUIDField(unique=True)
    workspace = models.ForeignKey(NotionWorkspace, on_delete=models.CASCADE, related_name="bots")
    client_id = models.CharField(max_length=200, blank=True, help_text="Empty: internal.")
    token = models.CharField(max_length=200, unique=True)
    refresh_token = models.CharField(max_length=200, unique=True, null=True, blank=True)
    owner = models.JSONField(default=dict, blank=True)
    per_second = models.FloatField(null=True, blank=True)
    burst = models.PositiveIntegerField(default=0)
    bucket = models.FloatField(default=0, help_text="Requests left in the bucket.")
    bucket_at = models.FloatField(default=0, help_text="Epoch second the bucket was counted.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Notion bot {self.bot_id}"


class NotionObject(models.Model):
    """A page or a database. ``parent_type`` workspace, page_id or database_id; ``properties``
    is a page's property values (by name) or a database's schema (by name)."""

    object_id = models.UUIDField(unique=True)
    workspace = models.ForeignKey(
        NotionWorkspace, on_delete=models.CASCADE, related_name="contents"
    )
    kind = models.CharField(max_length=8, help_text="page or database.")
    parent_type = models.CharField(max_length=12)
    parent_id = models.UUIDField(null=True, blank=True)
    title = models.JSONField(default=list, blank=True, help_text="A database's title.")
    properties = models.JSONField(default=dict, blank=True)
    archived = models.BooleanField(default=False)
    created_time = models.DateTimeField()
    last_edited_time = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Notion {self.kind} {self.object_id}"


class NotionShare(models.Model):
    """A page or database shared with a bot (and so everything under it)."""

    bot = models.ForeignKey(NotionBot, on_delete=models.CASCADE, related_name="shares")
    target = models.ForeignKey(NotionObject, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["bot", "target"], name="sandbox_notion_share")
        ]

    def __str__(self):
        return f"{self.target} shared with {self.bot}"


class NotionBlock(models.Model):
    """A block under a page or another block (``parent_id``), in ``position`` order; ``data``
    is its type's object without children (rich_text, checked, language…)."""

    block_id = models.UUIDField(unique=True)
    workspace = models.ForeignKey(NotionWorkspace, on_delete=models.CASCADE, related_name="blocks")
    parent_id = models.UUIDField(db_index=True)
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    archived = models.BooleanField(default=False)
    created_time = models.DateTimeField()
    last_edited_time = models.DateTimeField()

    class Meta:
        ordering = ["parent_id", "position", "id"]

    def __str__(self):
        return f"{self.type} block {self.block_id}"


class NotionAuthCode(models.Model):
    """An OAuth code the consent page issued: the workspace and what it shares (null: all)."""

    code = models.CharField(max_length=100, unique=True)
    client_id = models.CharField(max_length=200)
    redirect_uri = models.CharField(max_length=2000)
    workspace = models.ForeignKey(NotionWorkspace, on_delete=models.CASCADE, related_name="codes")
    shared = models.JSONField(null=True, blank=True, help_text="Object ids; null: every page.")
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Notion code for {self.workspace}"


class SheetsSpreadsheet(models.Model):
    """A Google Sheets spreadsheet, owned by the user (lower-cased email) whose token made it."""

    spreadsheet_id = models.CharField(max_length=60, unique=True)
    owner = models.CharField(max_length=254, db_index=True, help_text="Lower-cased.")
    title = models.CharField(max_length=500)
    locale = models.CharField(max_length=20, default="en_US")
    time_zone = models.CharField(max_length=64, default="Etc/GMT")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.title} ({self.spreadsheet_id})"


class SheetsSheet(models.Model):
    """One tab of a spreadsheet: its grid size and its cells, ``cells`` being a list of rows,
    each a list of values (str, number, bool; null for an empty cell), trailing blanks dropped."""

    spreadsheet = models.ForeignKey(
        SheetsSpreadsheet, on_delete=models.CASCADE, related_name="sheets"
    )
    sheet_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    index = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=1000)
    column_count = models.PositiveIntegerField(default=26)
    cells = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["spreadsheet", "index", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spreadsheet", "sheet_id"], name="sandbox_sheets_sheet_id"
            )
        ]

    def __str__(self):
        return f"{self.title} of {self.spreadsheet_id}"


class SheetsQuota(models.Model):
    """The read or write requests a user made in the current minute (see SANDBOX_SHEETS_*)."""

    email = models.CharField(max_length=254, help_text="Lower-cased.")
    kind = models.CharField(max_length=5, help_text="read or write.")
    minute = models.BigIntegerField(default=0, help_text="Epoch minute of used.")
    used = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["email", "kind"], name="sandbox_sheets_quota")
        ]

    def __str__(self):
        return f"{self.email} {self.kind}: {self.used}"


# The Microsoft, Slack and Twilio fakes keep their models in modules of their own.
from . import microsoft_models, slack_models, twilio_models  # noqa: E402, F401
