from rest_framework import serializers

from clianta.api.strict import StrictModelSerializer, StrictSerializer, single_line

from .. import money
from ..models import Invoice, Payment, PaymentsAccount


class PaymentSerializer(StrictModelSerializer):
    amount_decimal = serializers.SerializerMethodField(
        help_text="The amount in the currency's unit (12.34 USD, 1234 JPY, 1.234 KWD)."
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "stripe_id",
            "status",
            "amount",
            "amount_decimal",
            "amount_display",
            "amount_received",
            "amount_refunded",
            "currency",
            "description",
            "failure_message",
            "contact",
            "company",
            "invoice",
            "created",
        ]
        extra_kwargs = {
            "amount": {"help_text": "In the currency's minor unit, as Stripe gives it."}
        }

    def get_amount_decimal(self, payment) -> str:
        return str(money.decimal(payment.amount, payment.currency))


class PaymentInvoiceSerializer(StrictModelSerializer):
    amount_due_display = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "stripe_id",
            "number",
            "status",
            "amount_due",
            "amount_paid",
            "amount_remaining",
            "amount_due_display",
            "currency",
            "due_date",
            "hosted_invoice_url",
            "contact",
            "company",
            "deal",
            "created",
        ]

    def get_amount_due_display(self, invoice) -> str:
        return money.display(invoice.amount_due, invoice.currency)


class TotalSerializer(StrictSerializer):
    currency = serializers.CharField()
    amount = serializers.IntegerField(help_text="Minor units, net of refunds.")
    amount_decimal = serializers.CharField()
    display = serializers.CharField()


class LifetimeValueSerializer(StrictSerializer):
    totals = TotalSerializer(many=True, help_text="Per currency: amounts in several are not added.")
    payments = serializers.IntegerField(help_text="Succeeded payments.")
    last_payment = PaymentSerializer(allow_null=True)


class InvoiceLineSerializer(StrictSerializer):
    description = serializers.CharField(max_length=500, validators=[single_line])
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=0,
        help_text="A unit's price in the deal's currency (12.50; 1200 for JPY).",
    )
    quantity = serializers.IntegerField(min_value=1, max_value=10000, default=1)


class DealInvoiceSerializer(StrictSerializer):
    items = InvoiceLineSerializer(
        many=True,
        required=False,
        max_length=100,
        help_text="The lines; none: one line of the deal's amount.",
    )
    days_until_due = serializers.IntegerField(min_value=1, max_value=365, default=30)
    memo = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class StripeKeySerializer(StrictSerializer):
    api_key = serializers.RegexField(
        r"^(rk|sk)_(test|live)_[A-Za-z0-9]{8,200}$",
        write_only=True,
        help_text="A restricted key (rk_…) of the workspace's Stripe account, or its secret key.",
    )


class StripeConnectionSerializer(StrictSerializer):
    id = serializers.UUIDField()
    account = serializers.CharField(help_text="The Stripe account's id (acct_…).")
    account_name = serializers.CharField()


class PaymentsSettingsSerializer(StrictModelSerializer):
    class Meta:
        model = PaymentsAccount
        fields = ["deal_won_on_paid"]
