"""The Google sandbox's state: consent codes, grants and access tokens, Gmail mailboxes with
their messages and history, calendars with their events, and spreadsheets with their sheets and
per-minute quotas.

Provider-side records: the tokens here are what the fake Google hands out, kept in plain text,
never our secrets.
"""

from django.db import models


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
    quota_level = models.FloatField(
        null=True, blank=True, help_text="Quota units left in the bucket (empty: full)."
    )
    quota_checked = models.FloatField(default=0, help_text="Epoch seconds of quota_level.")
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


class GoogleCalendarChannel(models.Model):
    """A push channel opened by ``events.watch`` on a calendar: each change of the calendar is
    announced to ``address`` (headers only, as Google does) until it expires or is stopped."""

    calendar = models.ForeignKey(GoogleCalendar, on_delete=models.CASCADE, related_name="channels")
    channel_id = models.CharField(max_length=64, unique=True, help_text="The caller's id.")
    resource_id = models.CharField(max_length=64, help_text="Ours: the watched resource.")
    address = models.URLField(max_length=2000)
    token = models.CharField(max_length=256, blank=True)
    expiration = models.DateTimeField()
    message_number = models.BigIntegerField(default=0)
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.calendar_id} → {self.address}"


class GoogleSigningKey(models.Model):
    """A key the sandbox's Google signs OIDC tokens with (Pub/Sub's push authentication); its
    certificate is served at the certificates URL, as Google's are."""

    kid = models.CharField(max_length=40, unique=True)
    private_key = models.TextField()
    certificate = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.kid


class GmailWatch(models.Model):
    """``users.watch`` of a mailbox: its changes are published to ``topic_name`` (and pushed by
    the sandbox's Pub/Sub to the push endpoint) until it expires or ``users.stop``."""

    mailbox = models.OneToOneField(GmailMailbox, on_delete=models.CASCADE, related_name="watch")
    topic_name = models.CharField(max_length=255)
    label_ids = models.CharField(max_length=1000, default=" ", help_text="Packed, as labels.")
    label_filter = models.CharField(max_length=10, default="include")
    expiration = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.mailbox_id} → {self.topic_name}"
