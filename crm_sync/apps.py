from django.apps import AppConfig


class CrmSyncConfig(AppConfig):
    name = "crm_sync"
    verbose_name = "CRM sync"
    default_auto_field = "django.db.models.BigAutoField"
    periodic_tasks = {
        "crm_sync.sync_all": (
            "CRM sync: sync every Salesforce org both ways (every 15 minutes)",
            15,
        ),
    }
    settings_panel = "crm_sync.panel.render"

    def ready(self):
        from integrations.signals import on_connect

        from . import recorder, services, tasks

        on_connect("crm_sync", services.make_connection, tasks.sync_account)
        recorder.connect()
