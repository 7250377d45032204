"""The sandbox in the admin: the call log and provider state read-only; faults can be added.

Tokens the sandbox handed out are also what our app stores as credentials, so they show masked.
Each fake provider registers its own models in its folder's admin module, imported here.
"""

from django.contrib import admin

from .admin_base import ReadOnlyAdmin
from .apollo import admin as apollo_admin  # noqa: F401
from .google import admin as google_admin  # noqa: F401
from .models import SandboxCall, SandboxFault
from .notion import admin as notion_admin  # noqa: F401
from .salesforce import admin as salesforce_admin  # noqa: F401


@admin.register(SandboxCall)
class SandboxCallAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "provider", "method", "path", "status"]
    list_filter = ["provider", "status", "method"]
    search_fields = ["path", "query"]


@admin.register(SandboxFault)
class SandboxFaultAdmin(admin.ModelAdmin):
    list_display = ["provider", "path_regex", "status", "retry_after", "delay_ms", "truncate"]
    list_display += ["remaining", "created_at"]
    list_filter = ["provider"]
