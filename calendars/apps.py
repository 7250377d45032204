from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "calendars"
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = {
        "calendars.sync_all": ("Calendars: sync every calendar (every 15 minutes)", 15),
    }
    timeline_sources = ("calendars.timeline.MEETING",)

    def ready(self):
        from integrations import push as framework_push
        from integrations.signals import on_connect

        from . import push, services, tasks

        on_connect("calendars", services.connect_from_credential, tasks.sync_account)
        framework_push.register(push.KIND)
