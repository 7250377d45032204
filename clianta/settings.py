"""Settings, all read from the environment (see .env.example for every variable)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    # Values already in the environment win over the file.
    environ.Env.read_env(BASE_DIR / ".env")


def required(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it in the environment or in .env "
            "(`make run` generates one for local use; see .env.example)."
        )
    return value


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = required("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public address of this service: OAuth redirect URIs and webhook URLs are built from it,
# never from the request's Host header.
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")

# The sandbox plays every provider's side of the wire under /sandbox/ (see sandbox/); its app is
# installed and its URLs mounted only when this is on.
SANDBOX_PROVIDERS = env.bool("SANDBOX_PROVIDERS", default=False)
if SANDBOX_PROVIDERS and not DEBUG and not env.bool("SANDBOX_ALLOW_IN_PRODUCTION", default=False):
    raise ImproperlyConfigured(
        "SANDBOX_PROVIDERS is on while DEBUG is off: the fake providers would be public. "
        "Turn it off, or set SANDBOX_ALLOW_IN_PRODUCTION=true if you really mean it."
    )
SANDBOX_URL = env.str("SANDBOX_URL", default=f"{PUBLIC_URL}/sandbox").rstrip("/")

# Seconds before a call to a provider gives up (and counts as a transient failure).
PROVIDER_TIMEOUT = env.float("PROVIDER_TIMEOUT", default=15)

# Gmail's per-user quota (15,000 units a minute): a big first sync slows down instead of failing.
# 0 turns the limit off.
GMAIL_USER_QUOTA_UNITS_PER_SECOND = env.float("GMAIL_USER_QUOTA_UNITS_PER_SECOND", default=250)
# The quota the sandbox's Gmail enforces on each mailbox (429 rateLimitExceeded above it; 0: none).
SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND = env.float(
    "SANDBOX_GMAIL_USER_QUOTA_UNITS_PER_SECOND", default=0
)

# The span a first calendar sync covers (recurring events are expanded inside it).
CALENDAR_SYNC_DAYS_BACK = env.int("CALENDAR_SYNC_DAYS_BACK", default=90)
CALENDAR_SYNC_DAYS_AHEAD = env.int("CALENDAR_SYNC_DAYS_AHEAD", default=365)
# Push notifications: providers call us when an account changes, and it syncs within seconds.
# Providers call only https addresses, so the default is on when PUBLIC_URL is https (the sandbox
# calls http too: `make run` turns it on). Without push, accounts poll as before.
PUSH_NOTIFICATIONS = env.bool("PUSH_NOTIFICATIONS", default=PUBLIC_URL.startswith("https://"))
# While an account's push channel is healthy, its polls (the safety net) come this far apart.
PUSH_POLL_MINUTES = env.int("PUSH_POLL_MINUTES", default=30)
# Channels are renewed when they expire within this many hours.
PUSH_RENEW_BEFORE_HOURS = env.int("PUSH_RENEW_BEFORE_HOURS", default=24)
# A channel that heard nothing for this long no longer stretches its account's polls (a provider
# can stop pushing without saying so).
PUSH_QUIET_HOURS = env.int("PUSH_QUIET_HOURS", default=24)
# Gmail push: Gmail publishes a watched mailbox's changes to this Cloud Pub/Sub topic
# ("projects/<project>/topics/<topic>"; empty: Gmail mailboxes poll), whose push subscription
# calls <PUBLIC_URL>/api/push/gmail with an OIDC token for this service account and audience
# (default: that URL), signed with Google's keys (GOOGLE_OIDC_CERTS_URL).
GMAIL_PUBSUB_TOPIC = env.str("GMAIL_PUBSUB_TOPIC", default="")
GMAIL_PUSH_SERVICE_ACCOUNT = env.str("GMAIL_PUSH_SERVICE_ACCOUNT", default="")
GMAIL_PUSH_AUDIENCE = env.str("GMAIL_PUSH_AUDIENCE", default="")
# Where the sandbox's Pub/Sub pushes (default <PUBLIC_URL>/api/push/gmail).
SANDBOX_PUBSUB_PUSH_ENDPOINT = env.str("SANDBOX_PUBSUB_PUSH_ENDPOINT", default="")
# The longest life the sandbox's Google Calendar gives a channel.
SANDBOX_CALENDAR_CHANNEL_DAYS = env.int("SANDBOX_CALENDAR_CHANNEL_DAYS", default=7)

# How long an Apollo.io lookup is reused for free (a workspace's credits are its plan's).
APOLLO_CACHE_DAYS = env.int("APOLLO_CACHE_DAYS", default=30)

# Clianta's plans: each a Stripe Price (its id, or its lookup key) and its limits. Free needs no
# Stripe. A limit counts members, connected mailboxes, and Apollo credits and SMS in a month.
BILLING_PLANS = env.json(
    "BILLING_PLANS",
    default={
        "free": {
            "name": "Free",
            "price": "",
            "limits": {"members": 3, "mailboxes": 1, "apollo_credits": 50, "sms": 50},
        },
        "pro": {
            "name": "Pro",
            "price": "clianta_pro_monthly",
            "limits": {"members": 10, "mailboxes": 10, "apollo_credits": 1000, "sms": 1000},
        },
        "business": {
            "name": "Business",
            "price": "clianta_business_monthly",
            "limits": {"members": 50, "mailboxes": 100, "apollo_credits": 10000, "sms": 10000},
        },
    },
)
# Days a workspace whose payment failed (past_due) keeps its plan before it falls back to Free.
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=7)

# Notion's documented average rate per integration; every worker of a workspace shares it.
NOTION_REQUESTS_PER_SECOND = env.float("NOTION_REQUESTS_PER_SECOND", default=3)

# Every provider endpoint is a setting: the real provider by default, the sandbox when
# SANDBOX_PROVIDERS is on. Name: (real URL, path under SANDBOX_URL).
PROVIDER_ENDPOINTS = {
    "GOOGLE_AUTH_URI": ("https://accounts.google.com/o/oauth2/v2/auth", "/google/o/oauth2/v2/auth"),
    "GOOGLE_TOKEN_URI": ("https://oauth2.googleapis.com/token", "/google/token"),
    "GOOGLE_REVOKE_URI": ("https://oauth2.googleapis.com/revoke", "/google/revoke"),
    "GMAIL_API_URL": ("https://gmail.googleapis.com/", "/google/"),
    "GOOGLE_CALENDAR_API_URL": (
        "https://www.googleapis.com/calendar/v3/",
        "/google/calendar/v3/",
    ),
    "GOOGLE_SHEETS_API_URL": ("https://sheets.googleapis.com/", "/google/"),
    "GOOGLE_OIDC_CERTS_URL": (
        "https://www.googleapis.com/oauth2/v1/certs",
        "/google/oauth2/v1/certs",
    ),
    "MICROSOFT_AUTHORITY": ("https://login.microsoftonline.com/common", "/microsoft/common"),
    "MICROSOFT_GRAPH_URL": ("https://graph.microsoft.com/v1.0", "/microsoft/graph/v1.0"),
    "SLACK_AUTHORIZE_URL": ("https://slack.com/oauth/v2/authorize", "/slack/oauth/v2/authorize"),
    "SLACK_API_URL": ("https://slack.com/api/", "/slack/api/"),
    "TWILIO_API_URL": ("https://api.twilio.com", "/twilio"),
    "NOTION_API_URL": ("https://api.notion.com", "/notion"),
    "APOLLO_BASE_URL": ("https://api.apollo.io/api/v1", "/apollo/api/v1"),
    "STRIPE_API_URL": ("https://api.stripe.com", "/stripe"),
    "STRIPE_CONNECT_URL": ("https://connect.stripe.com", "/stripe/connect"),
    # Production orgs log in here; a Salesforce sandbox at test.salesforce.com and a My Domain
    # at its own host are chosen when connecting (integrations/providers/salesforce/oauth.py).
    "SALESFORCE_LOGIN_URL": ("https://login.salesforce.com", "/salesforce"),
    "SALESFORCE_TEST_LOGIN_URL": ("https://test.salesforce.com", "/salesforce"),
}
for _name, (_real, _path) in PROVIDER_ENDPOINTS.items():
    globals()[_name] = env.str(_name, default=SANDBOX_URL + _path if SANDBOX_PROVIDERS else _real)
# The providers the integration layer knows (slug -> Provider, in the settings page's order):
# the dotted path of each package's Provider declaration.
INTEGRATION_PROVIDERS = [
    "integrations.providers.google.GMAIL_PROVIDER",
    "integrations.providers.microsoft.OUTLOOK_PROVIDER",
    "integrations.providers.imap_smtp.SMTP_PROVIDER",
    "integrations.providers.google.GOOGLE_CALENDAR_PROVIDER",
    "integrations.providers.slack.SLACK_PROVIDER",
    "integrations.providers.twilio.TWILIO_PROVIDER",
    "integrations.providers.google.GOOGLE_SHEETS_PROVIDER",
    "integrations.providers.notion.NOTION_PROVIDER",
    "integrations.providers.apollo.APOLLO_PROVIDER",
    "integrations.providers.stripe.STRIPE_PROVIDER",
    "integrations.providers.salesforce.SALESFORCE_PROVIDER",
]
# msal accepts only an https authority (PROVIDERS.md, section 3): under the sandbox the Microsoft
# identity endpoints are reached through its TLS front (`manage.py sandbox_tls`), made for
# loopback with a CA generated into SANDBOX_TLS_DIR; msal verifies with MICROSOFT_CA_BUNDLE.
SANDBOX_TLS_PORT = env.int("SANDBOX_TLS_PORT", default=8443)
SANDBOX_TLS_DIR = Path(env.str("SANDBOX_TLS_DIR", default=str(BASE_DIR / ".sandbox-tls")))
if SANDBOX_PROVIDERS:
    MICROSOFT_AUTHORITY = env.str(
        "MICROSOFT_AUTHORITY",
        default=f"https://127.0.0.1:{SANDBOX_TLS_PORT}{urlsplit(SANDBOX_URL).path}/microsoft/common",
    )
# The sandbox behind its https front: simple-salesforce calls an org's instance over https
# whatever its instance_url says (PROVIDERS.md, section 11), so the sandbox's Salesforce hands
# out this front as its orgs' instance URL.
SANDBOX_TLS_URL = env.str(
    "SANDBOX_TLS_URL", default=f"https://127.0.0.1:{SANDBOX_TLS_PORT}{urlsplit(SANDBOX_URL).path}"
).rstrip("/")
# CA bundle paths for the Microsoft authority's TLS and Salesforce orgs' instances; empty: the
# system's trust store.
_sandbox_ca = str(SANDBOX_TLS_DIR / "ca.pem") if SANDBOX_PROVIDERS else ""
MICROSOFT_CA_BUNDLE = env.str("MICROSOFT_CA_BUNDLE", default=_sandbox_ca) or True
SALESFORCE_CA_BUNDLE = env.str("SALESFORCE_CA_BUNDLE", default=_sandbox_ca) or True
# The REST and Bulk API version Clianta speaks to every org.
SALESFORCE_API_VERSION = env.str("SALESFORCE_API_VERSION", default="62.0")

# OAuth clients and API keys registered with each provider; with the sandbox on they default to
# the sandbox's own ("sandbox-<name>", or a value of the provider's form where it checks one:
# a Twilio account SID is AC and 32 hex digits, its Auth Token 32 hex digits).
_SANDBOX_VALUES = {
    "TWILIO_ACCOUNT_SID": "AC" + "5a4d" * 8,
    "TWILIO_AUTH_TOKEN": "7e1c" * 8,
    "STRIPE_SECRET_KEY": "sk_test_" + "c1a7" * 12,
    "STRIPE_CONNECT_CLIENT_ID": "ca_" + "5b0c" * 8,
}
for _name in (
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "MICROSOFT_CLIENT_ID",
    "MICROSOFT_CLIENT_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SIGNING_SECRET",
    "NOTION_CLIENT_ID",
    "NOTION_CLIENT_SECRET",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "APOLLO_API_KEY",
    "STRIPE_SECRET_KEY",
    "STRIPE_CONNECT_CLIENT_ID",
    "SALESFORCE_CLIENT_ID",
    "SALESFORCE_CLIENT_SECRET",
):
    _sandbox_default = (
        _SANDBOX_VALUES.get(_name, f"sandbox-{_name.lower().replace('_', '-')}")
        if SANDBOX_PROVIDERS
        else ""
    )
    globals()[_name] = env.str(_name, default=_sandbox_default)

# Stripe's webhook signing secrets (whsec_…), of the endpoint for Clianta's own account and of
# the Connect endpoint for workspaces' accounts; several are accepted while one is rotated.
STRIPE_WEBHOOK_SECRETS = env.list(
    "STRIPE_WEBHOOK_SECRETS", default=["whsec_" + "a11ce" * 6] if SANDBOX_PROVIDERS else []
)
STRIPE_CONNECT_WEBHOOK_SECRETS = env.list(
    "STRIPE_CONNECT_WEBHOOK_SECRETS",
    default=["whsec_" + "c0ec7" * 6] if SANDBOX_PROVIDERS else [],
)

# Twilio's documented test number stands in for a real one under the sandbox.
TWILIO_PHONE_NUMBER = env.str(
    "TWILIO_PHONE_NUMBER", default="+15005550006" if SANDBOX_PROVIDERS else ""
)
# google-auth-oauthlib: Google may grant more scopes than asked (include_granted_scopes).
os.environ.setdefault("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")

# Comma-separated base64 32-byte keys; the first encrypts, all decrypt.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])
# The original Node service's 32-character ENCRYPTION_KEY, to read credentials exported from it.
LEGACY_ENCRYPTION_KEY = env.str("LEGACY_ENCRYPTION_KEY", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "clianta",
    "integrations",
    "email_accounts",
    "calendars",
    "messaging.slack",
    "messaging.twilio",
    "enrichment",
    "productivity",
    "outbound_webhooks",
    "bookings",
    "billing",
    "payments",
    "crm_sync",
    *(["sandbox"] if SANDBOX_PROVIDERS else []),
    "axes",
]

MIDDLEWARE = [
    "clianta.logcontext.RequestIdMiddleware",
    "clianta.api.limits.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Outside axes: the lockout page that axes renders on the way out carries the CSP nonce.
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clianta.urls"
WSGI_APPLICATION = "clianta.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process and the worker write side by side.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file (not memory), so a Celery worker started by the tests sees the test database; one
    # per test process, so parallel runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/settings/integrations"

# Outgoing mail (invitations): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@smtp.example.com:587; with DEBUG the console by default.
vars().update(
    env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Clianta <no-reply@clianta.example>")
# How long an invitation link to join a workspace stays valid.
INVITATION_LIFETIME_DAYS = env.int("INVITATION_LIFETIME_DAYS", default=7)

# IMAP and SMTP without TLS: only to a loopback host, unless this is on.
IMAP_SMTP_ALLOW_PLAINTEXT = env.bool("IMAP_SMTP_ALLOW_PLAINTEXT", default=False)
# IMAP and SMTP servers on loopback or private networks (on with DEBUG or the sandbox).
IMAP_SMTP_ALLOW_PRIVATE_HOSTS = env.bool(
    "IMAP_SMTP_ALLOW_PRIVATE_HOSTS", default=DEBUG or SANDBOX_PROVIDERS
)

# Booking links' public pages: page views a minute and bookings an hour from one IP address,
# bookings an hour through one link, and upcoming meetings one visitor's email may hold.
BOOKINGS_VIEWS_PER_IP_PER_MINUTE = env.int("BOOKINGS_VIEWS_PER_IP_PER_MINUTE", default=120)
BOOKINGS_PER_IP_PER_HOUR = env.int("BOOKINGS_PER_IP_PER_HOUR", default=10)
BOOKINGS_PER_LINK_PER_HOUR = env.int("BOOKINGS_PER_LINK_PER_HOUR", default=60)
BOOKINGS_MAX_UPCOMING_PER_EMAIL = env.int("BOOKINGS_MAX_UPCOMING_PER_EMAIL", default=3)

# Customers' webhook endpoints (outbound_webhooks): plain http and addresses on loopback or
# private networks only in development (on with DEBUG or the sandbox); otherwise public HTTPS.
OUTBOUND_WEBHOOKS_ALLOW_LOCAL = env.bool(
    "OUTBOUND_WEBHOOKS_ALLOW_LOCAL", default=DEBUG or SANDBOX_PROVIDERS
)
# A delivery counts when the endpoint answers 2xx within this many seconds.
OUTBOUND_WEBHOOKS_TIMEOUT = env.int("OUTBOUND_WEBHOOKS_TIMEOUT", default=15)
# An endpoint failing every attempt for this many days is disabled and its admins told.
OUTBOUND_WEBHOOKS_DISABLE_AFTER_DAYS = env.int("OUTBOUND_WEBHOOKS_DISABLE_AFTER_DAYS", default=5)
# After a secret rotation, the previous secret still signs for this many hours.
OUTBOUND_WEBHOOKS_ROTATION_HOURS = env.int("OUTBOUND_WEBHOOKS_ROTATION_HOURS", default=24)
# Finished deliveries (and their attempts) are forgotten after this many days.
OUTBOUND_WEBHOOKS_KEEP_DAYS = env.int("OUTBOUND_WEBHOOKS_KEEP_DAYS", default=30)
# At most this many endpoints per workspace.
OUTBOUND_WEBHOOKS_PER_WORKSPACE = env.int("OUTBOUND_WEBHOOKS_PER_WORKSPACE", default=20)

# Phone numbers written without a country code are read as numbers of this region (ISO 3166).
PHONE_DEFAULT_REGION = env.str("PHONE_DEFAULT_REGION", default="US")

# Request bodies above this size are refused (webhooks and imports included).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# --- Production hardening (SECURITY.md, "Production settings") ---
# HTTPS only with DEBUG off: `manage.py check --deploy` reports nothing with these defaults.
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    # The proxy in front terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Plain http is redirected to https; off where the proxy already redirects (the test
    # suite turns it off too: its client and live servers speak plain http).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]  # load balancers probe over plain http
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
X_FRAME_OPTIONS = "DENY"

# A Content Security Policy on every response (django-csp): our pages' own scripts and styles
# carry the request's nonce (`{{ request.csp_nonce }}`); nothing inline runs without it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# Staff sign in to the admin with a password and a TOTP code (django-otp); `manage.py add_totp
# <username>` enrolls one. Members' pages and the API do not ask for it.
INSTALLED_APPS[INSTALLED_APPS.index("django.contrib.admin")] = "clianta.apps.AdminConfig"
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Clianta")
# --- end of production hardening ---

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clianta.tokens.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "clianta.api.parsers.BoundedJSONParser",
        "clianta.api.parsers.BoundedFormParser",
        "clianta.api.parsers.BoundedMultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "clianta.api.schema.AutoSchema",
    "DEFAULT_METADATA_CLASS": "clianta.api.metadata.Metadata",
    "DEFAULT_PAGINATION_CLASS": "clianta.api.pagination.CursorPagination",
    "EXCEPTION_HANDLER": "clianta.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "clianta.api.throttles.AnonThrottle",
        "clianta.api.throttles.UserThrottle",
        "clianta.api.throttles.TokenThrottle",
        "clianta.api.throttles.ScopedThrottle",
    ],
    "PAGE_SIZE": 50,
}

# Proxies in front of the service that append to X-Forwarded-For (0: none; clients' own
# X-Forwarded-For is then ignored). Rates and login lockout count per client address from it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT

# API rates (clianta/api/throttles.py), "<count>/<second|minute|hour|day>"; empty: no limit.
# Counted in the shared cache.
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
    "user": env.str("API_THROTTLE_USER", default="600/minute"),
    "token": env.str("API_THROTTLE_TOKEN", default="300/minute"),
    "email_send": env.str("API_THROTTLE_EMAIL_SEND", default="200/hour"),
    "sms_send": env.str("API_THROTTLE_SMS_SEND", default="100/hour"),
    "voice_drop": env.str("API_THROTTLE_VOICE_DROP", default="10/hour"),
    "apollo": env.str("API_THROTTLE_APOLLO", default="300/hour"),
}

# API tokens (django-rest-knox, model clianta/tokens/models.py): stored as a SHA-512 digest,
# expiring after API_TOKEN_TTL_DAYS unless renewed.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
KNOX_TOKEN_MODEL = "clianta.ApiToken"
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    # Recognisable by secret scanners and people; the rest is 64 random hex characters.
    "TOKEN_PREFIX": "clianta_",
    "AUTO_REFRESH": False,
}
# knox's own table is unused (its model is swapped for ours), but its migrations do not know
# and would create it; without them no table is made for it.
MIGRATION_MODULES = {"knox": None}

# Login lockout on /accounts/login/ and /admin/login/ (django-axes): after LOGIN_FAILURE_LIMIT
# failures for one username from one address, that pair is refused for LOGIN_COOLOFF_MINUTES.
# Unknown usernames count like known ones, so the answers never tell whether an account exists.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Its start-up banner and per-login lines would repeat on every command; failures still log.
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)

SPECTACULAR_SETTINGS = {
    "TITLE": "Clianta integrations API",
    "DESCRIPTION": (
        "Workspaces, the CRM core and the integrations of a Clianta workspace. Authenticate with "
        "`Authorization: Token <key>` or a session. Routes without a workspace in the path act on "
        "the workspace named by the `X-Workspace` header, or on your only workspace. Errors have "
        'the form `{"error": "...", "code": "...", "fields": {...}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # /api/health and /api/health/detail share their status.
    "ENUM_NAME_OVERRIDES": {
        "HealthStatusEnum": "clianta.health.STATUSES",
        "WebhookDeliveryStatusEnum": "outbound_webhooks.models.Delivery.Status",
        "DirectionEnum": "email_accounts.models.EmailMessage.Direction",
        "MappingDirectionEnum": "crm_sync.models.Direction",
    },
}

# Celery. Without CELERY_BROKER_URL a folder on disk is the broker: it works across processes on
# one machine with no server. redis://... switches to Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / ".broker")))
    for _sub in ("queue", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
    }
else:
    # Longer than any task's hard time limit, so a task is never handed out twice while it runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
# The cache every process shares (web, worker, beat): webhook views and the worker coordinate
# through it (integrations/webhooks.py). Default: the broker's Redis, else a folder on disk.
_default_cache = (
    CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else f"filecache://{BASE_DIR / '.cache'}"
)
CACHES = {"default": env.cache_url("CACHE_URL", default=_default_cache)}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_IGNORE_RESULT = True
# How long an account's sync lock lives without being extended (each stored page extends it).
SYNC_LOCK_TTL = env.int("SYNC_LOCK_TTL", default=15 * 60)
# A run stops after the page that takes it past this many seconds and queues the next one behind
# the other accounts' runs: a big first sync shares the workers instead of holding one.
SYNC_SLICE_SECONDS = env.int("SYNC_SLICE_SECONDS", default=20)
# Salesforce syncs (crm_sync): they stop when the org's API usage reaches this share of its daily
# limit and wait CRM_SYNC_LIMIT_PAUSE_MINUTES before looking again; a first load of more records
# than CRM_SYNC_BULK_THRESHOLD goes through Bulk API 2.0.
CRM_SYNC_LIMIT_SHARE = env.float("CRM_SYNC_LIMIT_SHARE", default=0.8)
CRM_SYNC_LIMIT_PAUSE_MINUTES = env.int("CRM_SYNC_LIMIT_PAUSE_MINUTES", default=60)
CRM_SYNC_BULK_THRESHOLD = env.int("CRM_SYNC_BULK_THRESHOLD", default=10000)
# Webhook deliveries due for longer than this make /api/health say "degraded".
HEALTH_WEBHOOK_BACKLOG_MINUTES = env.int("HEALTH_WEBHOOK_BACKLOG_MINUTES", default=10)
# The bearer token Prometheus sends to /metrics. Unset: /metrics answers 404 (under DEBUG, it is
# open). PROMETHEUS_MULTIPROC_DIR (read by prometheus-client itself) merges every process's counts.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A Celery worker whose processes share no PROMETHEUS_MULTIPROC_DIR with the web serves its
# counters on this port (0: it does not); see README "Operating Clianta" -> "Metrics".
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Extra task modules for workers to import (Celery's own `imports` setting).
CELERY_IMPORTS = env.list("CELERY_IMPORTS", default=[])
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# "json": one JSON object per line (production: every extra field of a log call, the request id
# and the workspace id are fields); "plain": a line for people, extras as key=value (make run).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub_secrets": {"()": "clianta.scrub.ScrubSecretsFilter"},
        "context": {"()": "clianta.logcontext.ContextFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"()": "clianta.logcontext.PlainFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            # The context first, so that its fields are scrubbed like any other.
            "filters": ["context", "scrub_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # runserver's access log prints request URLs: scrubbed on the logger, before any
        # handler, so an OAuth callback's code and state never reach it.
        "django.server": {
            "handlers": ["console"],
            "filters": ["scrub_secrets"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from clianta.scrub import init_sentry

    init_sentry(SENTRY_DSN, environment=env.str("SENTRY_ENVIRONMENT", default="production"))
