"""The payments kind of the timeline (``clianta.timeline``): the contact's Stripe payments with
their amount and status."""

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf

from clianta.timeline import TimelineSource, columns

from .models import Payment


def _payments(workspace, contact_ids):
    return columns(
        Payment.objects.filter(workspace=workspace, contact_id__in=contact_ids),
        at=F("created"),
        kind="payment",
        integration="stripe",
        direction="inbound",
        title=F("amount_display"),
        detail=Coalesce(NullIf(F("description"), Value("")), F("failure_message")),
        status=F("status"),
    )


PAYMENT = TimelineSource(
    kind="payment",
    description="Stripe payments from the contact, with their amount and status.",
    rows=_payments,
    url_name="payment-detail",
)
