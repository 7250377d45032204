from rest_framework import serializers

from clianta import plans
from clianta.api.strict import StrictModelSerializer, StrictSerializer

from ..models import Invoice


class CheckoutRequestSerializer(StrictSerializer):
    plan = serializers.ChoiceField(
        choices=[slug for slug, plan in plans.all_plans().items() if plan.price],
        help_text="A paid plan.",
    )


class UrlSerializer(StrictSerializer):
    url = serializers.URLField(help_text="Where to send the person's browser.")


class CheckoutSerializer(UrlSerializer):
    id = serializers.CharField(help_text="The Checkout Session's id.")


class BillingInvoiceSerializer(StrictModelSerializer):
    class Meta:
        model = Invoice
        fields = [
            "stripe_id",
            "number",
            "status",
            "currency",
            "amount_due",
            "amount_paid",
            "hosted_invoice_url",
            "period_start",
            "period_end",
            "created_at",
        ]


class PlanNameSerializer(StrictSerializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class LimitUsedSerializer(StrictSerializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()


class LimitsSerializer(StrictSerializer):
    members = serializers.IntegerField()
    mailboxes = serializers.IntegerField()
    apollo_credits = serializers.IntegerField(help_text="A month's.")
    sms = serializers.IntegerField(help_text="Texts sent in a month.")


class PlanUsageSerializer(StrictSerializer):
    members = LimitUsedSerializer()
    mailboxes = LimitUsedSerializer()
    apollo_credits = LimitUsedSerializer()
    sms = LimitUsedSerializer()


class PlanSerializer(PlanNameSerializer):
    limits = LimitsSerializer()


class BillingSerializer(StrictSerializer):
    plan = PlanNameSerializer(help_text="The plan in force (Free once a grace period ended).")
    status = serializers.CharField(
        help_text="Stripe's subscription status (active, past_due, canceled, …); empty "
        "without a subscription."
    )
    current_period_end = serializers.DateTimeField(allow_null=True)
    cancel_at_period_end = serializers.BooleanField()
    grace_until = serializers.DateTimeField(
        allow_null=True, help_text="While a payment is failing: when the plan falls to Free."
    )
    usage = PlanUsageSerializer(help_text="Each limit of the plan and what is used of it.")
    plans = PlanSerializer(many=True)
    invoices = BillingInvoiceSerializer(many=True, help_text="The latest twelve.")
