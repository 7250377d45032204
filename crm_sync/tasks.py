"""Thin Celery tasks: ids in, services called."""

from integrations.tasks import account_sync_tasks

from . import services
from .models import CrmConnection

sync_account, sync_credential, sync_all = account_sync_tasks(
    "crm_sync", CrmConnection, services.sync_job
)
