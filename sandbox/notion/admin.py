"""The Notion sandbox's workspaces, bots, pages, shares, blocks and codes in the admin,
read-only; tokens show masked."""

from django.contrib import admin

from clianta.scrub import mask
from sandbox.admin_base import ReadOnlyAdmin

from .models import (
    NotionAuthCode,
    NotionBlock,
    NotionBot,
    NotionObject,
    NotionShare,
    NotionWorkspace,
)


@admin.register(NotionWorkspace)
class NotionWorkspaceAdmin(ReadOnlyAdmin):
    list_display = ["name", "workspace_id", "created_at"]
    search_fields = ["name", "workspace_id"]


@admin.register(NotionBot)
class NotionBotAdmin(ReadOnlyAdmin):
    list_display = ["bot_id", "workspace", "client_id", "token_mask", "per_second", "burst"]
    list_display += ["created_at"]
    list_select_related = ["workspace"]
    exclude = ["token", "refresh_token"]
    readonly_fields = ["token_mask"]

    @admin.display(description="token")
    def token_mask(self, bot):
        return mask(bot.token)


@admin.register(NotionObject)
class NotionObjectAdmin(ReadOnlyAdmin):
    list_display = ["object_id", "kind", "workspace", "parent_type", "parent_id", "archived"]
    list_display += ["last_edited_time"]
    list_select_related = ["workspace"]
    list_filter = ["kind", "archived"]
    search_fields = ["object_id"]


@admin.register(NotionShare)
class NotionShareAdmin(ReadOnlyAdmin):
    list_display = ["target", "bot"]
    list_select_related = ["target", "bot"]


@admin.register(NotionBlock)
class NotionBlockAdmin(ReadOnlyAdmin):
    list_display = ["block_id", "type", "parent_id", "position", "archived"]
    list_filter = ["type"]
    search_fields = ["block_id", "parent_id"]


@admin.register(NotionAuthCode)
class NotionAuthCodeAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "client_id", "created_at", "used_at"]
    list_select_related = ["workspace"]
    exclude = ["code"]
