from django.apps import AppConfig


class ProductivityConfig(AppConfig):
    name = "productivity"
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = {
        "productivity.sync_notion_all": ("Notion: pull shared pages (every hour)", 60),
    }
    timeline_sources = ("productivity.timeline.NOTION",)
