from django.contrib import admin

from .models import KnowledgePage, SheetImport


@admin.register(SheetImport)
class SheetImportAdmin(admin.ModelAdmin):
    list_display = [
        "spreadsheet_id",
        "sheet",
        "workspace",
        "status",
        "created",
        "updated",
        "skipped",
    ]
    list_filter = ["status", "workspace"]
    readonly_fields = ["rejected"]


@admin.register(KnowledgePage)
class KnowledgePageAdmin(admin.ModelAdmin):
    list_display = ["title", "workspace", "last_edited_time", "gone"]
    list_filter = ["gone", "workspace"]
    search_fields = ["title", "text"]
    raw_id_fields = ["contacts", "companies"]
